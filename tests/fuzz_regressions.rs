//! Replays the fuzz targets (fuzz/src/targets.rs, the same functions AFL++ runs in
//! `make fuzz`) on every input saved under fuzz/regressions/TARGET/ (each a crash the
//! fuzzer found, since fixed) and on the committed seeds under fuzz/seeds/TARGET/: a
//! panic here is a crash come back.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).expect("a readable input"))).collect()
}

fn replay(folder: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(folder);
    let mut replayed = 0;
    let dirs = std::fs::read_dir(&root).expect("the fuzz folder").filter_map(Result::ok);
    for entry in dirs.filter(|e| e.path().is_dir()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = targets::find(&name).unwrap_or_else(|| panic!("fuzz/{folder}/{name} names no fuzz target"));
        for (path, data) in inputs(&entry.path()) {
            eprintln!("{path}");
            (target.run)(&data);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn saved_crashes_no_longer_crash() {
    replay("regressions");
}

#[test]
fn every_target_has_seeds_and_runs_them() {
    for t in targets::TARGETS {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(t.name);
        assert!(!inputs(&dir).is_empty(), "fuzz target {} has no seeds in {}", t.name, dir.display());
    }
    assert!(replay("seeds") >= targets::TARGETS.len());
}
