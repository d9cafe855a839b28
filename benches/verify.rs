//! Verifier speed: a generated 118k-node plan (61 layers × 256 experts, EP64·TP4 on 256
//! GPUs) verified with simulation; and the structural pass (cycle detection) against
//! Graphviz's `acyclic` on the largest corpus file, with the ratio printed.

use criterion::{Criterion, criterion_group, criterion_main};
use planscope_core::check::{VerifyOptions, verify};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::graph::{Graph, find_cycle};
use planscope_core::model::Strategy;
use std::hint::black_box;
use std::time::{Duration, Instant};

const LARGEST: &str = "../shared/corpus/lr-agent/2025-12-04-11-03-13__llm_deployment_comprehensive.dot";

fn generated(c: &mut Criterion) {
    let plan = generate(&GenSpec::new(Strategy::parse("EP64_TP4").unwrap(), 61, 256));
    eprintln!("generated plan: {} nodes, {} edges", plan.nodes.len(), plan.edges.len());
    let mut g = c.benchmark_group("verify");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("generated_61x256_ep64_tp4", |b| b.iter(|| verify(black_box(&plan), &VerifyOptions::default())));
    g.finish();
}

fn time_per_run(runs: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..runs {
        f();
    }
    t.elapsed() / runs
}

fn against_acyclic(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(LARGEST);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {LARGEST} not found; skipping the acyclic comparison");
        return;
    };
    let plan = match planscope_core::read::read_plan(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("note: the largest corpus file does not read yet ({e}); skipping");
            return;
        }
    };
    let mut g = c.benchmark_group("structure");
    g.bench_function("cycle_detection_largest_corpus", |b| b.iter(|| find_cycle(&Graph::build(black_box(&plan)).succ)));
    g.finish();
    let ours = time_per_run(50, || {
        black_box(find_cycle(&Graph::build(&plan).succ));
    });
    let ours_with_read = time_per_run(10, || {
        let p = planscope_core::read::read_plan(&text).unwrap();
        black_box(find_cycle(&Graph::build(&p).succ));
    });
    let probe = std::process::Command::new("acyclic").arg("-n").arg(&path).output();
    if probe.is_err() {
        eprintln!("note: Graphviz `acyclic` is not installed; skipping the comparison");
        return;
    }
    let theirs = time_per_run(5, || {
        let _ = black_box(std::process::Command::new("acyclic").arg("-n").arg(&path).output());
    });
    eprintln!(
        "cycle detection on {} nodes / {} edges: planscope {:?} (graph build + DFS), {:?} including reading the DOT; \
         Graphviz acyclic -n {:?} (process, parse and DFS); ratio acyclic / planscope = {:.1}× (with read: {:.1}×)",
        plan.nodes.len(),
        plan.edges.len(),
        ours,
        ours_with_read,
        theirs,
        theirs.as_secs_f64() / ours.as_secs_f64(),
        theirs.as_secs_f64() / ours_with_read.as_secs_f64()
    );
}

criterion_group!(benches, generated, against_acyclic);
criterion_main!(benches);
