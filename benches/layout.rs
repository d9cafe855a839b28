//! The layout engine against Graphviz. Criterion times planscope's layout of the largest
//! corpus file (8,420 nodes / 10,547 edges) and of a generated ~100k-node plan, folded
//! and not; `dot -Tsvg` on the corpus file is spawned once, outside criterion's loop
//! (it takes about a minute; killed after 120 s), and the ratio is printed. Without
//! Graphviz the comparison is skipped with a note.

use criterion::{Criterion, criterion_group, criterion_main};
use planscope::r#gen::{GenSpec, generate};
use planscope::layout::{Grouping, LayoutOptions, layout};
use planscope::model::{Plan, Strategy};
use planscope::read::read_plan;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILE: &str = "2025-12-04-11-03-13__llm_deployment_comprehensive.dot";
const DOT_TIMEOUT: Duration = Duration::from_secs(120);

fn corpus(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent").join(file)
}

fn read(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).expect("the shared corpus must sit at ../shared/corpus/lr-agent");
    read_plan(&text).expect("the corpus file reads")
}

/// A regular plan of about 100k nodes: 48 layers × 256 experts at EP64·TP4·PP4 on 1,024 GPUs.
fn big_plan() -> Plan {
    generate(&GenSpec::new(Strategy::parse("EP64_TP4_PP4_DP1").unwrap(), 48, 256))
}

/// Wall time of `dot -Tsvg`, or why there is none.
fn time_dot(path: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("Graphviz `dot` is not available ({e})"))?;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(start.elapsed()),
            Ok(Some(status)) => return Err(format!("dot failed: {status}")),
            Ok(None) if start.elapsed() > DOT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("dot took over {} s and was stopped", DOT_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for dot: {e}")),
        }
    }
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench(c: &mut Criterion) {
    let path = corpus(FILE);
    let plan = read(&path);
    let big = big_plan();
    let plain = LayoutOptions::default();
    let series = LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() };
    let by_layer = LayoutOptions { grouping: Grouping::Layer, ..LayoutOptions::default() };

    let mut group = c.benchmark_group("layout");
    group.sample_size(10);
    group.bench_function("corpus 8,420 nodes", |b| b.iter(|| layout(black_box(&plan), &plain)));
    group.bench_function("corpus 8,420 nodes, series folded", |b| b.iter(|| layout(black_box(&plan), &series)));
    group.bench_function("generated 100k, series folded", |b| b.iter(|| layout(black_box(&big), &series)));
    group.bench_function("generated 100k, by layer", |b| b.iter(|| layout(black_box(&big), &by_layer)));
    group.bench_function("generated 100k, unfolded", |b| b.iter(|| layout(black_box(&big), &plain)));
    group.finish();

    let ours = median(|| drop(black_box(layout(&plan, &plain))), 5);
    let l = layout(&plan, &plain);
    println!(
        "\n{FILE}: {} nodes, {} edges -> {} items, {} ranks, {} virtual nodes, {} crossings",
        plan.nodes.len(),
        plan.edges.len(),
        l.items.len(),
        l.stats.ranks,
        l.stats.virtual_nodes,
        l.stats.crossings
    );
    for (name, opts) in [("series folded", &series), ("unfolded", &plain)] {
        let t = median(|| drop(black_box(layout(&big, opts))), 3);
        let l = layout(&big, opts);
        println!(
            "generated {} nodes / {} edges, {name}: {:.1} ms, {} items, {} virtual nodes, {} crossings",
            big.nodes.len(),
            big.edges.len(),
            ms(t),
            l.items.len(),
            l.stats.virtual_nodes,
            l.stats.crossings
        );
    }
    match time_dot(&path) {
        Ok(theirs) => println!(
            "planscope layout: {:.1} ms, dot -Tsvg: {:.1} ms, ratio {:.4} (planscope / dot, {FILE})",
            ms(ours),
            ms(theirs),
            ours.as_secs_f64() / theirs.as_secs_f64()
        ),
        Err(why) => println!("planscope layout: {:.1} ms; note: no dot comparison: {why}", ms(ours)),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
