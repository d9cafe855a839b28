//! Memory of opening a large plan natively: reading and verifying a generated
//! 100k-node plan (the size `examples/gen_plan.rs` writes by default, 53 MB of canonical
//! JSON) keeps the process's peak resident set within 3× the file's size. The
//! measurement runs in a child process (this test binary again, on this one test), so
//! the parent's own allocations (generating the plan) are not counted.
//! `make bench` prints the same figures from `examples/peak_memory.rs`.

use planscope_core::analysis::{Request, analyze};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::Strategy;
use planscope_core::write::json::write_json;
use std::process::Command;
use std::sync::Arc;

const CHILD: &str = "PLANSCOPE_MEMORY_FILE";
const MAX_RATIO: f64 = 3.0;

/// A field of /proc/self/status in bytes (Linux).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("the field");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("a size in kB") * 1024
}

/// In the child: read and verify FILE as the CLI does, print the peak resident set.
fn measure(path: &str) {
    let text = std::fs::read_to_string(path).expect("the generated plan");
    let file = text.len();
    let plan = planscope_core::read::read_plan(&text).expect("the generated plan reads");
    drop(text);
    let analysis = analyze(Arc::new(plan), &Request::default());
    assert_eq!(analysis.plan.nodes.len(), 101_538);
    println!("file={file} peak={}", status_bytes("VmHWM:"));
}

#[test]
fn reading_and_verifying_100k_nodes_peaks_within_3x_the_file() {
    if let Ok(path) = std::env::var(CHILD) {
        measure(&path);
        return;
    }
    let plan = generate(&GenSpec::new(Strategy::parse("EP64_TP4_PP4_DP1").unwrap(), 52, 256));
    let path = std::env::temp_dir().join(format!("planscope-memory-{}.json", std::process::id()));
    std::fs::write(&path, write_json(&plan)).expect("a temporary file");
    drop(plan);
    let out = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "reading_and_verifying_100k_nodes_peaks_within_3x_the_file", "--nocapture"])
        .env(CHILD, &path)
        .output()
        .expect("the child runs");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let field = |name: &str| -> f64 {
        let at = stdout.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name} in {stdout}"));
        let digits: String = stdout[at + name.len() + 1..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a number")
    };
    let (file, peak) = (field("file"), field("peak"));
    let ratio = peak / file;
    eprintln!("peak {:.1} MB for a {:.1} MB file: {ratio:.2}x", peak / 1e6, file / 1e6);
    assert!(
        ratio <= MAX_RATIO,
        "peak {:.1} MB is {ratio:.2}x the {:.1} MB file (limit {MAX_RATIO}x)",
        peak / 1e6,
        file / 1e6
    );
}
