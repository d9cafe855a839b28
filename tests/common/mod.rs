//! The shared corpus (../shared/corpus/lr-agent) as the integration tests read it. A
//! missing corpus fails the tests that need it: a test that skips itself can't fail.
// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent")
}

/// INDEX.json: one entry per corpus file, with its format and counts.
pub fn index() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(corpus_dir().join("INDEX.json"))
        .expect("the shared corpus must sit at ../shared/corpus/lr-agent");
    serde_json::from_str(&text).expect("INDEX.json is JSON")
}

pub fn corpus_text(file: &str) -> String {
    std::fs::read_to_string(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every corpus file but the INDEX files, as (name, text), sorted by name.
pub fn corpus_files() -> Vec<(String, String)> {
    let entries = std::fs::read_dir(corpus_dir()).expect("the shared corpus must sit at ../shared/corpus/lr-agent");
    let mut names: Vec<String> = entries
        .map(|e| e.expect("a readable corpus folder").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("INDEX"))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "the corpus has its files: {names:?}");
    names.into_iter().map(|n| (n.clone(), corpus_text(&n))).collect()
}
