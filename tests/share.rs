//! Permalinks: every corpus plan round-trips byte for byte; damaged, truncated, tampered,
//! foreign and oversized links are refused with a clear message and never panic.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::corpus_files as corpus;
use planscope_core::cluster::Metric;
use planscope_core::examples::SEED_EP64_TP2;
use planscope_core::layout::Grouping;
use planscope_core::model::Strategy;
use planscope_core::share::permalink::{crc32, decode_unchecked};
use planscope_core::share::{
    COMFORTABLE_LINK_BYTES, PermalinkError, Shared, ShownSide, ViewState, decode, encode, fits,
};

fn example() -> Shared {
    let mut view = ViewState { selected_gpu: Some(5), finding: Some(2), shown: ShownSide::After, ..Default::default() };
    view.set_metric(Some(Metric::Memory));
    view.dag.set_grouping(Grouping::Layer);
    view.dag.zoom = 2.5;
    view.dag.pan_x = -120.0;
    view.dag.pan_y = 33.5;
    Shared {
        file_name: SEED_EP64_TP2.file_name.into(),
        plan_text: SEED_EP64_TP2.text.into(),
        strategy: Some(Strategy::parse("EP32_TP4").unwrap()),
        view,
        ..Shared::default()
    }
}

/// The link's payload bytes (CRC + deflate) and a way to put them back.
fn blob(link: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(link.trim_start_matches("#v1.")).unwrap()
}

fn relink(blob: &[u8]) -> String {
    format!("#v1.{}", URL_SAFE_NO_PAD.encode(blob))
}

#[test]
fn the_example_round_trips_with_its_view_and_fits() {
    let s = example();
    let link = encode(&s);
    assert!(link.starts_with("#v1."), "{link}");
    assert!(fits(&link, COMFORTABLE_LINK_BYTES), "{} bytes", link.len());
    assert!(link.len() < 1500, "the example's link is {} bytes", link.len());
    assert!(link[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
    let back = decode(&link).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.view.metric(), Some(Metric::Memory));
    assert_eq!(back.view.dag.grouping(), Some(Grouping::Layer));
    // A whole URL, a fragment without '#', and surrounding whitespace all read.
    assert_eq!(decode(&format!("https://host/planscope/index.html{link}")).unwrap(), s);
    assert_eq!(decode(&format!("  {}\n", &link[1..])).unwrap(), s);
    // Padding added by some tools is tolerated.
    let padded = format!("{link}{}", "=".repeat((4 - (link.len() - 4) % 4) % 4));
    assert_eq!(decode(&padded).unwrap(), s);
}

#[test]
fn defaults_and_no_strategy_round_trip() {
    let s = Shared { file_name: "a.dot".into(), plan_text: "digraph { a -> b }".into(), ..Shared::default() };
    assert_eq!(decode(&encode(&s)).unwrap(), s);
}

#[test]
fn every_corpus_plan_round_trips_byte_for_byte() {
    let files = corpus();
    let mut fitting = Vec::new();
    for (name, text) in &files {
        let s = Shared { file_name: name.clone(), plan_text: text.clone(), ..Shared::default() };
        let link = encode(&s);
        // Reading every plan again is the reader's test; here the bytes must come back.
        let back = decode_unchecked(&link).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(back.plan_text == *text && back.file_name == *name, "{name} changed in the round trip");
        let ratio = text.len() as f64 / link.len() as f64;
        eprintln!("{name:70} {:>9} B -> link {:>8} B ({ratio:.1}x)", text.len(), link.len());
        if fits(&link, COMFORTABLE_LINK_BYTES) {
            fitting.push(name.as_str());
        }
    }
    // Generated plans are very repetitive: everything up to the 1.6 MB files compresses
    // under 64 KB (1.5 MB JSON -> 55 KB); only the 3.9 MB DOT (-> 670 KB) does not.
    for (name, text) in &files {
        let fit = fitting.contains(&name.as_str());
        if text.len() <= 1_600_000 {
            assert!(fit, "{name} ({} B) should fit a 64 KB link", text.len());
        }
        if text.len() >= 3_000_000 {
            assert!(!fit, "{name} ({} B) should not fit a 64 KB link", text.len());
        }
    }
    eprintln!("{} of {} corpus plans fit in {COMFORTABLE_LINK_BYTES} B", fitting.len(), files.len());
}

#[test]
fn decoding_checks_the_corpus_plans_read() {
    // decode (not _unchecked) reads the plan; a few small corpus files keep this quick.
    // Some corpus files are unreadable as shipped: their links must say so, not fail otherwise.
    let (mut ok, mut invalid) = (0, 0);
    for (name, text) in corpus().into_iter().filter(|(_, t)| t.len() < 60_000) {
        let direct = planscope_core::read::read_plan(&text).map_err(|e| e.with_file(&name));
        let s = Shared { file_name: name.clone(), plan_text: text, ..Shared::default() };
        match (decode(&encode(&s)), direct) {
            (Ok(back), Ok(_)) => {
                assert_eq!(back, s);
                ok += 1;
            }
            (Err(PermalinkError::InvalidPlan(msg)), Err(read)) => {
                assert_eq!(msg, read, "{name}");
                invalid += 1;
            }
            (got, direct) => panic!("{name}: link gave {got:?}, reader gave {direct:?}"),
        }
    }
    eprintln!("{ok} small corpus links decode, {invalid} say their plan is not valid");
}

#[test]
fn foreign_links_and_versions_are_named() {
    for link in ["", "#", "https://example.com/", "#section-2", "#v.abc", "#vx.abc", "hello world", "#1.abc"] {
        assert_eq!(decode(link), Err(PermalinkError::NotPlanscope), "{link:?}");
        assert_eq!(decode(link).unwrap_err().to_string(), "not a planscope link");
    }
    let e = decode("#v9.AAAA").unwrap_err();
    assert_eq!(e, PermalinkError::UnknownVersion("v9".into()));
    assert!(e.to_string().starts_with("unknown permalink version v9"), "{e}");
    assert!(matches!(decode("#v2.AAAA"), Err(PermalinkError::UnknownVersion(_))));
}

#[test]
fn tampered_payloads_fail_the_checksum() {
    let link = encode(&example());
    // Flip a bit of the stored CRC.
    let mut b = blob(&link);
    b[0] ^= 0x01;
    let e = decode(&relink(&b)).unwrap_err();
    assert_eq!(e.to_string(), "the link is damaged: checksum mismatch");
    // Re-deflate an edited plan under the original CRC: a well-formed stream, wrong bytes.
    let b = blob(&link);
    let mut payload = miniz_oxide::inflate::decompress_to_vec(&b[4..]).unwrap();
    let at = payload.len() - 10;
    payload[at] = b'#';
    let mut forged = b[..4].to_vec();
    forged.extend(miniz_oxide::deflate::compress_to_vec(&payload, 6));
    assert_eq!(decode(&relink(&forged)), Err(PermalinkError::Damaged("checksum mismatch".into())));
    // With a matching CRC the forged header must still be a header.
    let mut junk = b"not json\n{}".to_vec();
    let mut b2 = crc32(&junk).to_be_bytes().to_vec();
    b2.extend(miniz_oxide::deflate::compress_to_vec(&junk, 6));
    let e = decode(&relink(&b2)).unwrap_err();
    assert!(e.to_string().starts_with("the link is damaged: bad header"), "{e}");
    junk = b"{}".to_vec();
    let mut b3 = crc32(&junk).to_be_bytes().to_vec();
    b3.extend(miniz_oxide::deflate::compress_to_vec(&junk, 6));
    assert!(matches!(decode(&relink(&b3)), Err(PermalinkError::Damaged(_))));
}

#[test]
fn truncated_and_corrupted_links_are_damaged_never_panic() {
    let link = encode(&example());
    for cut in [5, 6, 8, 12, link.len() / 2, link.len() - 3, link.len() - 1] {
        let e = decode(&link[..cut]).unwrap_err();
        assert!(matches!(e, PermalinkError::Damaged(_)), "cut at {cut}: {e}");
        assert!(e.to_string().starts_with("the link is damaged: "), "{e}");
    }
    assert!(matches!(decode("#v1.@@@@"), Err(PermalinkError::Damaged(_))));
    assert!(matches!(decode("#v1."), Err(PermalinkError::Damaged(_))));
    // Every single-character substitution: an error or (rarely) the same payload, never a panic.
    let alphabet = b"AZaz09-_";
    let mut seed = 0x2545_f491u32;
    let bytes = link.as_bytes();
    for i in 4..bytes.len() {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let mut m = bytes.to_vec();
        m[i] = alphabet[(seed >> 24) as usize % alphabet.len()];
        let text = String::from_utf8(m).unwrap();
        if let Ok(s) = decode(&text) {
            assert_eq!(s, example(), "a corrupted link decoded to something else at {i}");
        }
    }
}

#[test]
fn an_intact_link_to_an_unreadable_plan_says_so() {
    let s = Shared { file_name: "broken.json".into(), plan_text: "{\"nodes\": [".into(), ..Shared::default() };
    let e = decode(&encode(&s)).unwrap_err();
    assert!(matches!(e, PermalinkError::InvalidPlan(_)));
    let msg = e.to_string();
    assert!(msg.starts_with("the link's plan is not valid: broken.json:1:"), "{msg}");
    // The unchecked decode still hands the text back (the page can show it).
    assert_eq!(decode_unchecked(&encode(&s)).unwrap().plan_text, "{\"nodes\": [");
}

#[test]
fn a_zip_bomb_is_refused() {
    // 80 MB of one byte deflates to ~80 KB: inflating it must stop at the cap.
    let payload = vec![b'a'; 80 << 20];
    let mut b = crc32(&payload).to_be_bytes().to_vec();
    b.extend(miniz_oxide::deflate::compress_to_vec(&payload, 1));
    drop(payload);
    let link = relink(&b);
    let t = std::time::Instant::now();
    assert_eq!(decode(&link), Err(PermalinkError::TooLarge));
    assert!(decode(&link).unwrap_err().to_string().contains("too large"));
    eprintln!("bomb of {} B refused in {:?}", link.len(), t.elapsed() / 2);
    // An absurdly long link is refused before decoding.
    let long = format!("#v1.{}", "A".repeat(40 << 20));
    assert_eq!(decode(&long), Err(PermalinkError::TooLarge));
}

#[test]
fn view_state_from_a_newer_page_still_opens() {
    // Forge a link whose view has fields and values this build does not know.
    let header = br#"{"file":"x.dot","strategy":"EP4_TP2","view":{"metric":"heat","shown":"triple","later":[1,2],"dag":{"zoom":"big"}},"extra":true}"#;
    let mut payload = header.to_vec();
    payload.extend_from_slice(b"\ndigraph { a -> b }");
    let mut b = crc32(&payload).to_be_bytes().to_vec();
    b.extend(miniz_oxide::deflate::compress_to_vec(&payload, 6));
    let s = decode(&relink(&b)).unwrap();
    assert_eq!(s.file_name, "x.dot");
    assert_eq!(s.strategy, Some(Strategy::parse("EP4_TP2").unwrap()));
    assert_eq!(s.plan_text, "digraph { a -> b }");
    // An unreadable view falls back to defaults rather than refusing the plan.
    assert_eq!(s.view, ViewState::default());
    assert_eq!(s.view.metric(), None);
}

#[test]
fn fits_is_a_byte_budget() {
    assert!(fits("#v1.abc", 7));
    assert!(!fits("#v1.abcd", 7));
}
