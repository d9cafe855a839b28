//! How the cost of opening a plan grows with its size (issue 16, item 7): a generated
//! 100k-node plan (52 layers × 256 experts, EP64·TP4·PP4 on 1,024 GPUs) against a
//! 1,000,000-node one (61 layers × 1,664 experts, EP128·TP8 on 1,024 GPUs), each
//! gzip-compressed as `planscope` would be handed it, through the steps the page runs:
//! read (`read_gzip`: the 100k plan inflates within the input limit and is read as text,
//! the 1M one streams from the decompressor), verify (`analyze`: verifier, simulation,
//! cluster) and layout with series folded (the page's default drawing of a large plan).
//! Criterion times the 100k steps; the 1M steps are timed once each outside criterion's
//! loop (they take seconds), and each step's time ratio is printed next to the node ratio:
//! a ratio near the node ratio is linear growth.

use criterion::{Criterion, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use planscope_core::analysis::{Request, analyze};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::layout::{Grouping, LayoutOptions, layout};
use planscope_core::model::{Plan, Strategy};
use planscope_core::read::read_gzip;
use planscope_core::write::json::write_json;
use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A generated plan, compressed: (strategy, layers, experts per layer).
fn compressed(strategy: &str, layers: u32, experts: u32) -> (Vec<u8>, usize) {
    let plan = generate(&GenSpec::new(Strategy::parse(strategy).unwrap(), layers, experts));
    let text = write_json(&plan);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    eprintln!(
        "{strategy}, {layers} layers × {experts} experts: {} nodes, {} edges, {:.0} MB of JSON, {:.1} MB compressed",
        plan.nodes.len(),
        plan.edges.len(),
        text.len() as f64 / 1e6,
        gz.get_ref().len() as f64 / 1e6
    );
    (gz.finish().unwrap(), plan.nodes.len())
}

fn series() -> LayoutOptions {
    LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() }
}

/// The time of `f`, run once.
fn once<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

/// Each step's time on one plan, once.
fn steps(bytes: &[u8]) -> [Duration; 3] {
    let (plan, read) = once(|| read_gzip(bytes).expect("the generated plan reads"));
    let plan: Arc<Plan> = Arc::new(plan);
    let (_, verify) = once(|| drop(black_box(analyze(plan.clone(), &Request::default()))));
    let (_, draw) = once(|| drop(black_box(layout(&plan, &series()))));
    [read, verify, draw]
}

fn bench(c: &mut Criterion) {
    let (small, small_nodes) = compressed("EP64_TP4_PP4_DP1", 52, 256);
    let plan = Arc::new(read_gzip(&small).expect("the 100k plan reads"));
    let mut g = c.benchmark_group("scale 100k");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("read (gzip)", |b| b.iter(|| read_gzip(black_box(&small))));
    g.bench_function("verify", |b| b.iter(|| analyze(plan.clone(), &Request::default())));
    g.bench_function("layout, series folded", |b| b.iter(|| layout(black_box(&plan), &series())));
    g.finish();
    drop(plan);

    // Medians of three for the 100k plan, once each for the 1M plan (seconds per step).
    let mut runs: Vec<[Duration; 3]> = (0..3).map(|_| steps(&small)).collect();
    let small_times: [Duration; 3] = std::array::from_fn(|i| {
        runs.sort_by_key(|r| r[i]);
        runs[1][i]
    });
    drop(small);
    let (large, large_nodes) = compressed("EP128_TP8_PP1_DP1", 61, 1664);
    let large_times = steps(&large);
    let node_ratio = large_nodes as f64 / small_nodes as f64;
    println!("scale: {large_nodes} nodes against {small_nodes} ({node_ratio:.1}x the nodes)");
    let names = ["read (gzip)", "verify", "layout, series folded"];
    let total = |t: &[Duration; 3]| t.iter().sum::<Duration>();
    for (i, name) in names.iter().enumerate() {
        let (s, l) = (small_times[i].as_secs_f64(), large_times[i].as_secs_f64());
        println!("scale: {name:<22} {:>8.0} ms -> {:>8.0} ms  ({:.1}x)", s * 1e3, l * 1e3, l / s);
    }
    let (s, l) = (total(&small_times).as_secs_f64(), total(&large_times).as_secs_f64());
    println!("scale: {:<22} {:>8.0} ms -> {:>8.0} ms  ({:.1}x)", "all three", s * 1e3, l * 1e3, l / s);
}

criterion_group!(benches, bench);
criterion_main!(benches);
