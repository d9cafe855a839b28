//! Permalinks: `#v1.<base64url>` where the base64url (no padding) holds
//! `CRC32(payload)` (4 bytes, big-endian) followed by `deflate(payload)`, and the payload
//! is one line of JSON (`{"file", "strategy", "conditions", "after", "view"}`), a newline,
//! then the plan text byte for byte as the user loaded it, so the link reproduces exactly
//! their file; when a second plan of the user's own is the after side, its text follows
//! the first, and `after` gives its name and length in bytes. An expert load given on the
//! page rides in the header as `expert_load` (its rows, as the file gives them). Links
//! written before `conditions`, `after` and `expert_load` existed read as before (absent).
//!
//! Decoding accepts the fragment alone (`#v1.…`, `v1.…`) or a whole URL, never panics,
//! checks the CRC over the inflated bytes, and refuses to inflate past
//! `MAX_INFLATED_BYTES` (a zip bomb in a link costs at most that much memory). Its
//! strategy, view and plan are held to planscope's limits (`limits`) as any input is.
//! Decoding is O(n) in the inflated size.
//!
//! Length budget: Chromium accepts URLs up to 2 MB, but chat tools, issue trackers, mail
//! clients and proxies truncate far earlier; a link within `COMFORTABLE_LINK_BYTES`
//! (64 KB) survives them all in practice. Past it the page says "too long — save the file
//! instead".

use super::view::ViewState;
use crate::expert_load::ExpertLoad;
use crate::limits::{Limit, LimitError};
use crate::model::{Meta, Plan, Strategy};
use crate::read::{MAX_INPUT_BYTES, read_plan};
use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version this build writes, and the only one it reads.
pub const VERSION: u32 = 1;
/// A link at most this long (in bytes, `#` included) fits comfortably anywhere.
pub const COMFORTABLE_LINK_BYTES: usize = 64 * 1024;
/// Chromium's URL limit; longer links do not open at all.
pub const BROWSER_URL_BYTES: usize = 2 * 1024 * 1024;
/// Inflation stops here: the reader's 64 MB plan limit plus room for the header line.
pub const MAX_INFLATED_BYTES: usize = MAX_INPUT_BYTES + 64 * 1024;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Everything a link carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shared {
    pub file_name: String,
    /// The plan exactly as loaded.
    pub plan_text: String,
    /// The target strategy of the rewrite, if one was set.
    pub strategy: Option<Strategy>,
    /// The Conditions panel's constants (empty: none declared).
    pub conditions: Meta,
    /// A second plan of the user's own, compared as the after side.
    pub compared: Option<SharedPlan>,
    /// Tokens per expert (the Conditions panel's expert load).
    pub expert_load: Option<ExpertLoad>,
    pub view: ViewState,
}

/// A plan file as the user loaded it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharedPlan {
    pub file_name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermalinkError {
    /// No `v<N>.` fragment at all.
    NotPlanscope,
    /// A well-formed link of a version this build cannot read.
    UnknownVersion(String),
    /// The payload is not what a planscope link holds (bad base64, bad deflate stream,
    /// checksum mismatch, bad header).
    Damaged(String),
    /// The payload inflates past `MAX_INFLATED_BYTES`.
    TooLarge,
    /// The link is intact but its plan does not read (`FILE:LINE:COL: message`).
    InvalidPlan(String),
}

impl fmt::Display for PermalinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermalinkError::NotPlanscope => f.write_str("not a planscope link"),
            PermalinkError::UnknownVersion(v) => {
                write!(f, "unknown permalink version {v}; this planscope reads v{VERSION} links")
            }
            PermalinkError::Damaged(why) => write!(f, "the link is damaged: {why}"),
            PermalinkError::TooLarge => write!(
                f,
                "the link's plan is too large: it inflates past {} MB; {}",
                MAX_INFLATED_BYTES / (1024 * 1024),
                LimitError { limit: Limit::InputBytes, value: u64::MAX, max: Limit::InputBytes.max() }
            ),
            PermalinkError::InvalidPlan(msg) => write!(f, "the link's plan is not valid: {msg}"),
        }
    }
}

impl std::error::Error for PermalinkError {}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct Header {
    file: String,
    strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditions: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<AfterHeader>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expert_load: Option<serde_json::Value>,
    view: serde_json::Value,
}

/// The compared plan's name and its length in bytes at the payload's end.
#[derive(Serialize, Deserialize, Default)]
struct AfterHeader {
    file: String,
    bytes: usize,
}

/// The link fragment for `shared`, `#` included.
pub fn encode(shared: &Shared) -> String {
    let header = Header {
        file: shared.file_name.clone(),
        strategy: shared.strategy.map(|s| s.to_string()),
        conditions: (shared.conditions != Meta::default())
            .then(|| serde_json::to_value(&shared.conditions).ok())
            .flatten(),
        after: shared.compared.as_ref().map(|c| AfterHeader { file: c.file_name.clone(), bytes: c.text.len() }),
        expert_load: shared.expert_load.as_ref().and_then(|l| serde_json::to_value(l).ok()),
        view: serde_json::to_value(&shared.view).unwrap_or(serde_json::Value::Null),
    };
    // A struct of strings and a Value always serialises; the fallback keeps this total.
    let mut payload = serde_json::to_vec(&header).unwrap_or_else(|_| b"{}".to_vec());
    payload.push(b'\n');
    payload.extend_from_slice(shared.plan_text.as_bytes());
    if let Some(c) = &shared.compared {
        payload.extend_from_slice(c.text.as_bytes());
    }
    let mut blob = crc32(&payload).to_be_bytes().to_vec();
    blob.extend(miniz_oxide::deflate::compress_to_vec(&payload, 9));
    format!("#v{VERSION}.{}", ENGINE.encode(blob))
}

/// Whether a link fits in `limit` bytes (see `COMFORTABLE_LINK_BYTES`).
pub fn fits(link: &str, limit: usize) -> bool {
    link.len() <= limit
}

/// Reads a link (fragment or whole URL) and checks that its plan reads.
pub fn decode(link: &str) -> Result<Shared, PermalinkError> {
    decode_with_plan(link).map(|(s, _)| s)
}

/// As `decode`, also returning the plan it read, so the caller need not read it again.
pub fn decode_with_plan(link: &str) -> Result<(Shared, Plan), PermalinkError> {
    let shared = decode_unchecked(link)?;
    match read_plan(&shared.plan_text) {
        Ok(plan) => Ok((shared, plan)),
        Err(e) => Err(PermalinkError::InvalidPlan(e.with_file(&shared.file_name))),
    }
}

/// Reads a link without reading its plan.
pub fn decode_unchecked(link: &str) -> Result<Shared, PermalinkError> {
    let link = link.trim();
    let fragment = link.rsplit_once('#').map_or(link, |(_, f)| f);
    let (version, body) = fragment.split_once('.').ok_or(PermalinkError::NotPlanscope)?;
    let digits = version.strip_prefix('v').ok_or(PermalinkError::NotPlanscope)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PermalinkError::NotPlanscope);
    }
    if digits.trim_start_matches('0') != VERSION.to_string() {
        return Err(PermalinkError::UnknownVersion(version.chars().take(12).collect()));
    }
    // Deflate cannot shrink data more than about 1032:1, so a longer body cannot be honest.
    if body.len() > MAX_INFLATED_BYTES / 2 {
        return Err(PermalinkError::TooLarge);
    }
    let blob = ENGINE.decode(body).map_err(|_| PermalinkError::Damaged("it is not valid base64url".into()))?;
    if blob.len() < 5 {
        return Err(PermalinkError::Damaged("it is truncated".into()));
    }
    let (sum, deflated) = blob.split_at(4);
    let payload = match miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_INFLATED_BYTES) {
        Ok(p) => p,
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            return Err(PermalinkError::TooLarge);
        }
        Err(_) => return Err(PermalinkError::Damaged("the data does not decompress (truncated or altered)".into())),
    };
    let expected = u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]]);
    if crc32(&payload) != expected {
        return Err(PermalinkError::Damaged("checksum mismatch".into()));
    }
    let newline = payload.iter().position(|&b| b == b'\n').ok_or_else(|| bad_header("no header line"))?;
    let header: Header = serde_json::from_slice(&payload[..newline]).map_err(|e| bad_header(&e.to_string()))?;
    let strategy = match header.strategy.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Strategy::parse(s).map_err(|e| bad_header(&format!("strategy {s:?}: {e}")))?),
    };
    // A view this build cannot read falls back to the defaults: the plan matters more.
    let mut view: ViewState = serde_json::from_value(header.view).unwrap_or_default();
    // A selected GPU no cluster within the limits has is dropped, like an unknown view.
    view.selected_gpu = view.selected_gpu.filter(|&g| g < crate::limits::GPUS);
    let conditions: Meta = match header.conditions {
        None => Meta::default(),
        Some(v) => {
            Meta::from_value(&v).map_err(|e| bad_header(&format!("conditions: {}", crate::read::serde_message(&e))))?
        }
    };
    conditions.within_limits().map_err(|e| bad_header(&format!("conditions: {e}")))?;
    // Held to the same rules and limits as a load file.
    let expert_load = match header.expert_load {
        None => None,
        Some(v) => {
            let rows: Vec<Vec<f64>> =
                serde_json::from_value(v).map_err(|e| bad_header(&format!("expert load: {e}")))?;
            Some(ExpertLoad::new(rows).map_err(|e| bad_header(&format!("expert load: {e}")))?)
        }
    };
    let body = &payload[newline + 1..];
    let after_bytes = header.after.as_ref().map_or(0, |a| a.bytes);
    let split =
        body.len().checked_sub(after_bytes).ok_or_else(|| bad_header("the compared plan is longer than the link"))?;
    let text = |bytes: &[u8], what: &str| {
        String::from_utf8(bytes.to_vec()).map_err(|_| PermalinkError::Damaged(format!("{what} is not UTF-8 text")))
    };
    let plan_text = text(&body[..split], "the plan")?;
    let compared = match header.after {
        Some(a) => Some(SharedPlan { file_name: a.file, text: text(&body[split..], "the compared plan")? }),
        None => None,
    };
    Ok(Shared { file_name: header.file, plan_text, strategy, conditions, compared, expert_load, view })
}

fn bad_header(why: &str) -> PermalinkError {
    PermalinkError::Damaged(format!("bad header: {why}"))
}

/// CRC-32 (IEEE 802.3, as in zip, gzip and PNG): the link's checksum.
pub use crate::crc32::crc32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    /// A link of these exact payload bytes, with a valid checksum, as an attacker makes it.
    fn link_of(payload: &[u8]) -> String {
        let mut blob = crc32(payload).to_be_bytes().to_vec();
        blob.extend(miniz_oxide::deflate::compress_to_vec(payload, 9));
        format!("#v{VERSION}.{}", ENGINE.encode(blob))
    }

    const PLAN: &str = r#"{"nodes": [{"id": "a", "gpu": 0}], "edges": []}"#;

    #[test]
    fn a_deflate_bomb_stops_at_the_cap() {
        // 100 MB of one byte, behind a valid header and checksum: inflating stops at the cap.
        let mut payload = b"{\"file\":\"bomb.json\"}\n".to_vec();
        payload.resize(100 * 1024 * 1024, b' ');
        let link = link_of(&payload);
        assert!(link.len() < 1024 * 1024, "{}", link.len());
        let e = decode_unchecked(&link).unwrap_err();
        assert_eq!(e, PermalinkError::TooLarge);
        assert!(e.to_string().contains("(input file size)"), "{e}");
    }

    #[test]
    fn hostile_strategies_in_a_link_name_the_limit() {
        for (strategy, limit) in [
            ("EP65536_TP65536", "(GPUs)"),
            ("EP4294967295", "(EP degree)"),
            ("EP1000000_TP1000000", "(EP degree)"),
            ("EP4096_TP4096_PP4096_DP4096", "(GPUs)"),
        ] {
            let header = format!(r#"{{"file":"x.json","strategy":"{strategy}","view":{{"selected_gpu":4294967295}}}}"#);
            let link = link_of(format!("{header}\n{PLAN}").as_bytes());
            match decode(&link) {
                Err(PermalinkError::Damaged(why)) => assert!(why.contains(limit), "{strategy}: {why}"),
                other => panic!("{strategy}: {other:?}"),
            }
        }
        let link =
            link_of(format!("{{\"file\":\"x.json\",\"view\":{{\"selected_gpu\":4294967295}}}}\n{PLAN}").as_bytes());
        assert_eq!(decode(&link).map(|s| s.view.selected_gpu), Ok(None));
    }

    #[test]
    fn conditions_and_a_compared_plan_round_trip_and_old_links_still_open() {
        let mut conditions = Meta::default();
        conditions.model.experts = Some(64);
        conditions.cluster.memory_gb = Some(80.0);
        let shared = Shared {
            file_name: "plan.dot".into(),
            plan_text: PLAN.into(),
            strategy: Strategy::parse("EP4_DP32").ok(),
            conditions,
            compared: Some(SharedPlan { file_name: "plan_fixed.dot".into(), text: "digraph { a -> b }".into() }),
            expert_load: Some(ExpertLoad::read("[[1, 2.5, 0, 7]]").unwrap()),
            view: ViewState::default(),
        };
        assert_eq!(decode(&encode(&shared)), Ok(shared));
        // A link of the format before conditions and compared plans: the plan is all the body.
        let old =
            link_of(format!("{{\"file\":\"x.json\",\"strategy\":\"EP64_TP2\",\"view\":{{}}}}\n{PLAN}").as_bytes());
        let s = decode(&old).unwrap();
        assert_eq!((s.plan_text.as_str(), s.compared, s.conditions), (PLAN, None, Meta::default()));
        assert_eq!(s.expert_load, None);
        // A load in a link is held to the rules of a load file.
        for (load, said) in
            [("[[1, -1]]", "not a token count"), ("[[1], [1, 2]]", "has 2 experts"), ("7", "invalid type")]
        {
            let link = link_of(format!("{{\"file\":\"x.json\",\"expert_load\":{load}}}\n{PLAN}").as_bytes());
            match decode(&link) {
                Err(PermalinkError::Damaged(why)) => assert!(why.contains(said), "{load}: {why}"),
                other => panic!("{load}: {other:?}"),
            }
        }
        // A compared length past the body is damage, not a panic.
        let bad =
            link_of(format!("{{\"file\":\"x.json\",\"after\":{{\"file\":\"y\",\"bytes\":99999}}}}\n{PLAN}").as_bytes());
        assert!(matches!(decode(&bad), Err(PermalinkError::Damaged(_))));
    }

    #[test]
    fn a_plan_past_the_limits_in_a_link_is_refused() {
        let plan = r#"{"total_gpus": 4294967295, "nodes": [{"id": "a", "gpu": 0}], "edges": []}"#;
        let link = link_of(format!("{{\"file\":\"x.json\"}}\n{plan}").as_bytes());
        match decode(&link) {
            Err(PermalinkError::InvalidPlan(why)) => assert!(why.contains("(GPUs)"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
