//! Times each step the page runs when a plan is opened (read, verify, rewrite, verify,
//! layout with series folded), natively, so slow steps can be found without a browser:
//! `cargo run --release --example profile_open -- FILE` (a `.json.gz` is read as the page
//! reads a dropped compressed plan: `read_bytes`).

use planscope_core::analysis::{Request, analyze, rewrite_side};
use planscope_core::layout::{Grouping, LayoutOptions, layout};
use planscope_core::sim::timeline;
use std::sync::Arc;
use std::time::Instant;

/// CPU seconds this process has used (user + system, from /proc/self/stat; 0 elsewhere):
/// on a shared machine wall time also counts the other processes' turns.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) end with `)`.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line (proc(5)), the 12th and 13th after
    // the name; in clock ticks, 100 a second on Linux.
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: profile_open FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let (t, c) = (Instant::now(), cpu());
    let plan = match planscope_core::read::read_bytes(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.with_file(&path));
            std::process::exit(2);
        }
    };
    drop(bytes);
    println!(
        "read     {:>8.1} ms  (CPU {:.0} ms; {} nodes, {} edges)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c) * 1e3,
        plan.nodes.len(),
        plan.edges.len()
    );
    let declared = plan.meta.strategy;
    let plan = Arc::new(plan);
    let (t, c) = (Instant::now(), cpu());
    let before = analyze(plan.clone(), &Request::default());
    println!(
        "verify   {:>8.1} ms  (CPU {:.0} ms; {} findings)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c) * 1e3,
        before.report.findings.len()
    );
    if let Some(sim) = &before.report.metrics.simulation {
        let (t, c) = (Instant::now(), cpu());
        let rows = timeline::Rows::of(&plan, sim);
        let flows = timeline::flows(&plan, sim, 4000);
        println!(
            "timeline {:>8.1} ms  (CPU {:.0} ms; {} rows, {} flows: the page's step view, per side)",
            t.elapsed().as_secs_f64() * 1e3,
            (cpu() - c) * 1e3,
            rows.gpus.len(),
            flows.len()
        );
    }
    let (t, c) = (Instant::now(), cpu());
    let drawn = layout(&plan, &LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() });
    println!(
        "layout   {:>8.1} ms  (CPU {:.0} ms; series folded, {} boxes)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c) * 1e3,
        drawn.items.len()
    );
    drop(drawn);
    if std::env::args().any(|a| a == "--no-rewrite") {
        return;
    }
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
