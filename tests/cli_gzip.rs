//! gzip-compressed plans through the `planscope` binary: a compressed plan verifies as
//! its text does, and a compressed plan inflating past the input limit that is not
//! canonical JSON is refused with exit 2 and a message saying what is read instead.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

fn planscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn scratch(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("planscope-gzip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_compressed_plan_verifies_as_its_text() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples/seed-ep64-tp2.json");
    let (text, seed) = (std::fs::read(&seed).unwrap(), seed.display().to_string());
    let packed_path = scratch("seed.json.gz", &gz(&text));
    let plain = planscope(&["verify", &seed]);
    let packed = planscope(&["verify", &packed_path]);
    assert_eq!(packed.status.code(), plain.status.code());
    // The report names the file it read; everything else is the same.
    let packed_report = String::from_utf8_lossy(&packed.stdout).replace(&packed_path, &seed);
    assert!(packed_report.contains("GPU_UNDERUSE"), "{packed_report}");
    assert_eq!(packed_report, String::from_utf8_lossy(&plain.stdout));
}

#[test]
fn a_large_compressed_plan_must_be_canonical() {
    // 65 MiB of spaces inside a dialect plan: past the input limit once inflated.
    let mut text = br#"{"nodes": [{"id": "a", "gpu": 0}], "edges": []"#.to_vec();
    text.extend(std::iter::repeat_n(b' ', 65 * 1024 * 1024));
    text.push(b'}');
    let out = planscope(&["verify", &scratch("big.json.gz", &gz(&text))]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("canonical JSON") && err.contains("big.json.gz"), "{err}");
}

/// A compared plan is kept as text (the permalink carries it): a compressed one gives its
/// inflated text, a plain one its text, and one inflating past the input limit is refused
/// by name rather than held whole.
#[test]
fn a_compared_plan_is_its_inflated_text() {
    use planscope_core::read::plan_text;
    let text = r#"{"nodes": [{"id": "a", "gpu": 0}], "edges": []}"#;
    assert_eq!(plan_text(&gz(text.as_bytes())).unwrap(), text);
    assert_eq!(plan_text(text.as_bytes()).unwrap(), text);
    let pad = "x".repeat(planscope_core::limits::INPUT_BYTES);
    let huge = format!(r#"{{"planscope": 1, "format": "json", "name": "{pad}", "nodes": [], "edges": []}}"#);
    let e = plan_text(&gz(huge.as_bytes())).unwrap_err();
    assert!(e.message.contains("cannot be compared"), "{}", e.message);
    let e = plan_text(&[0xff, 0xfe, b'{']).unwrap_err();
    assert!(e.message.contains("not UTF-8"), "{}", e.message);
}
