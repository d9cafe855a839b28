//! Times each step the page runs when a plan is opened (read, verify, rewrite, verify),
//! natively, so slow steps can be found without a browser: `cargo run --release --example
//! profile_open -- FILE`.

use planscope_core::analysis::{Request, analyze, rewrite_side};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: profile_open FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let plan = match planscope_core::read::read_plan(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.with_file(&path));
            std::process::exit(2);
        }
    };
    println!(
        "read     {:>8.1} ms  ({} nodes, {} edges)",
        t.elapsed().as_secs_f64() * 1e3,
        plan.nodes.len(),
        plan.edges.len()
    );
    let declared = plan.meta.strategy;
    let plan = Arc::new(plan);
    let t = Instant::now();
    let before = analyze(plan.clone(), &Request::default());
    println!("verify   {:>8.1} ms  ({} findings)", t.elapsed().as_secs_f64() * 1e3, before.report.findings.len());
    if let Some(s) = declared {
        let t = Instant::now();
        match rewrite_side(&plan, s, &Request::default()) {
            Ok(a) => println!(
                "rewrite+verify {:>8.1} ms  ({} nodes after)",
                t.elapsed().as_secs_f64() * 1e3,
                a.analysis.plan.nodes.len()
            ),
            Err(e) => println!("rewrite refused: {e}"),
        }
    }
}
