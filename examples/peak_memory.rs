//! Peak memory of opening a plan natively: read the file, read the plan, verify it (the
//! page's `analyze`: verifier, simulation, cluster view), then print the process's peak
//! resident set (Linux `VmHWM`) and, for a plain file, its ratio to the file's size.
//! `make bench` runs it on a generated 100k-node plan; tests/memory.rs holds that ratio
//! to at most 3. A gzip-compressed file (`gen_plan ... | gzip > plan.json.gz`) is read as
//! the CLI reads it (`read_gzip`, streamed when large).
//! `cargo run --release --example peak_memory -- FILE`

use planscope_core::analysis::{Request, analyze};
use planscope_core::read::{is_gzip, read_gzip, read_plan};
use std::sync::Arc;
use std::time::Instant;

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

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(2);
}

fn main() {
    let Some(path) = std::env::args().nth(1) else { fail("usage: peak_memory FILE".into()) };
    let base = peak_rss().unwrap_or(0);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    let (file, gzip) = (bytes.len() as u64, is_gzip(&bytes));
    let t = Instant::now();
    let plan = if gzip {
        read_gzip(&bytes)
    } else {
        let text = String::from_utf8(bytes).unwrap_or_else(|_| fail(format!("{path}: not UTF-8")));
        // The text is freed once read, as the CLI frees it.
        read_plan(&text)
    }
    .unwrap_or_else(|e| fail(e.with_file(&path)));
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let read = peak_rss().unwrap_or(0);
    let plan_rss = rss().unwrap_or(0);
    let nodes = plan.nodes.len();
    let t = Instant::now();
    let analysis = analyze(Arc::new(plan), &Request::default());
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    let verified = peak_rss().unwrap_or(0);
    let mb = |b: u64| b as f64 / 1e6;
    let ratio = |b: u64| if gzip { String::new() } else { format!("  ({:.2}x the file)", b as f64 / file as f64) };
    let kind = if gzip { " compressed" } else { "" };
    println!("file      {:>8.1} MB{kind}  ({nodes} nodes, {} findings)", mb(file), analysis.report.findings.len());
    println!("at start  {:>8.1} MB", mb(base));
    println!("read      {:>8.1} MB peak{}  in {read_ms:.0} ms", mb(read), ratio(read));
    println!("plan      {:>8.1} MB resident once read", mb(plan_rss));
    println!("verified  {:>8.1} MB peak{}  in {verify_ms:.0} ms", mb(verified), ratio(verified));
}
