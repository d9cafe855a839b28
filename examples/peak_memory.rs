//! Peak memory of opening a plan natively: read the file, read the plan, verify it (the
//! page's `analyze`: verifier, simulation, cluster view), then print the process's peak
//! resident set (Linux `VmHWM`) and its ratio to the file's size. `make bench` runs it on
//! a generated 100k-node plan; tests/memory.rs holds the ratio to at most 3.
//! `cargo run --release --example peak_memory -- FILE`

use planscope_core::analysis::{Request, analyze};
use std::sync::Arc;

/// The process's peak resident set in bytes, from /proc/self/status (Linux only).
fn peak_rss() -> Option<u64> {
    status("VmHWM:")
}

/// The process's resident set now.
fn rss() -> Option<u64> {
    status("VmRSS:")
}

fn status(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: peak_memory FILE");
        std::process::exit(2);
    };
    let base = peak_rss().unwrap_or(0);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let file = text.len() as u64;
    let plan = planscope_core::read::read_plan(&text).unwrap_or_else(|e| {
        eprintln!("{}", e.with_file(&path));
        std::process::exit(2);
    });
    let read = peak_rss().unwrap_or(0);
    // The text is not needed once read (the CLI drops it too).
    drop(text);
    let plan_rss = rss().unwrap_or(0);
    let nodes = plan.nodes.len();
    let analysis = analyze(Arc::new(plan), &Request::default());
    let verified = peak_rss().unwrap_or(0);
    let mb = |b: u64| b as f64 / 1e6;
    println!("file      {:>8.1} MB  ({nodes} nodes, {} findings)", mb(file), analysis.report.findings.len());
    println!("at start  {:>8.1} MB", mb(base));
    println!("read      {:>8.1} MB peak  ({:.2}x the file)", mb(read), read as f64 / file as f64);
    println!("plan      {:>8.1} MB resident after the text is freed", mb(plan_rss));
    println!("verified  {:>8.1} MB peak  ({:.2}x the file)", mb(verified), verified as f64 / file as f64);
}
