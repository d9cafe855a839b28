//! The layout engine against Graphviz. Criterion times planscope's layout of the largest
//! corpus file (8,420 nodes / 10,547 edges) and of a generated ~100k-node plan, folded
//! and not; `dot -Tsvg` on the corpus file is spawned once, outside criterion's loop
//! (it takes a minute or more; stopped after 120 s, reported then as a bound), and the ratio is printed. Without
//! Graphviz the comparison is skipped with a note.

use criterion::{Criterion, criterion_group, criterion_main};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::layout::{Grouping, ItemId, LayoutOptions, layout};
use planscope_core::model::{Plan, Strategy};
use planscope_core::read::read_plan;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILE: &str = "2025-12-04-11-03-13__llm_deployment_comprehensive.dot";
/// How long `dot -Tsvg` may run; `PLANSCOPE_DOT_TIMEOUT_S` overrides it on a slow machine.
fn dot_timeout() -> Duration {
    let secs = std::env::var("PLANSCOPE_DOT_TIMEOUT_S").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    Duration::from_secs(secs)
}
/// Smaller corpus files whose drawn crossings are compared with Graphviz's.
const CROSSING_FILES: [&str; 4] = [
    "2025-12-30-17-26-35__parallel_strategy_dag_fixed.dot",
    "2025-12-30-10-42-40__moe_parallel_dag.dot",
    "2025-12-26-18-39-29__moe_parallel_dag.dot",
    "2025-12-03-16-18-55__moe_parallel_strategy_fixed.dot",
];

fn corpus(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent").join(file)
}

fn read(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).expect("the shared corpus must sit at ../shared/corpus/lr-agent");
    read_plan(&text).expect("the corpus file reads")
}

/// A regular plan of about 100k nodes: 52 layers × 256 experts at EP64·TP4·PP4 on 1,024 GPUs.
fn big_plan() -> Plan {
    generate(&GenSpec::new(Strategy::parse("EP64_TP4_PP4_DP1").unwrap(), 52, 256))
}

enum DotTime {
    Done(Duration),
    /// Stopped at the time limit: only a lower bound.
    TimedOut(Duration),
    Unavailable(String),
}

/// Wall time of `dot -Tsvg`, or why there is none.
fn time_dot(path: &Path) -> DotTime {
    match run_dot(path) {
        Ok(t) if t >= dot_timeout() => DotTime::TimedOut(t),
        Ok(t) => DotTime::Done(t),
        Err(why) => DotTime::Unavailable(why),
    }
}

fn run_dot(path: &Path) -> Result<Duration, String> {
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
            Ok(None) if start.elapsed() > dot_timeout() => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(start.elapsed());
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
    compare_crossings();
    let ratio = |theirs: Duration| ours.as_secs_f64() / theirs.as_secs_f64();
    match time_dot(&path) {
        DotTime::Done(theirs) => println!(
            "planscope layout: {:.1} ms, dot -Tsvg: {:.1} ms, ratio {:.5} (planscope / dot, {FILE})",
            ms(ours),
            ms(theirs),
            ratio(theirs)
        ),
        DotTime::TimedOut(theirs) => println!(
            "planscope layout: {:.1} ms, dot -Tsvg: > {:.1} ms (stopped at the {} s limit), ratio < {:.5} ({FILE})",
            ms(ours),
            ms(theirs),
            dot_timeout().as_secs(),
            ratio(theirs)
        ),
        DotTime::Unavailable(why) => println!("planscope layout: {:.1} ms; note: no dot comparison: {why}", ms(ours)),
    }
}

/// Edge polylines of Graphviz's own layout (`dot -Tplain`: spline control points).
/// A drawn edge: tail id, head id, and its polyline.
type DrawnEdge = (String, String, Vec<(f32, f32)>);

fn dot_polylines(path: &Path) -> Option<Vec<DrawnEdge>> {
    let out = Command::new("timeout").arg("60").arg("dot").arg("-Tplain").arg(path).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut edges = Vec::new();
    for line in text.lines() {
        let t = tokens(line);
        if t.first().map(String::as_str) != Some("edge") || t.len() < 4 {
            continue;
        }
        let n: usize = t[3].parse().ok()?;
        let pts =
            (0..n).filter_map(|i| Some((t.get(4 + 2 * i)?.parse().ok()?, t.get(5 + 2 * i)?.parse().ok()?))).collect();
        edges.push((t[1].clone(), t[2].clone(), pts));
    }
    Some(edges)
}

fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => s.extend(chars.next()),
                    '"' => break,
                    c => s.push(c),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    out
}

/// Pairs of polyline segments that properly cross, between edges with no common end.
fn drawn_crossings(edges: &[DrawnEdge]) -> u64 {
    type Seg = (usize, (f32, f32), (f32, f32));
    let mut segs: Vec<Seg> = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        for w in e.2.windows(2) {
            segs.push((i, w[0], w[1]));
        }
    }
    segs.sort_by(|a, b| a.1.0.min(a.2.0).total_cmp(&b.1.0.min(b.2.0)));
    let cross = |p: (f32, f32), q: (f32, f32), r: (f32, f32)| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let mut count = 0;
    for (k, a) in segs.iter().enumerate() {
        let a_max = a.1.0.max(a.2.0);
        for b in &segs[k + 1..] {
            if b.1.0.min(b.2.0) > a_max {
                break;
            }
            let (ea, eb) = (&edges[a.0], &edges[b.0]);
            if a.0 == b.0 || ea.0 == eb.0 || ea.0 == eb.1 || ea.1 == eb.0 || ea.1 == eb.1 {
                continue;
            }
            let (d1, d2) = (cross(a.1, a.2, b.1), cross(a.1, a.2, b.2));
            let (d3, d4) = (cross(b.1, b.2, a.1), cross(b.1, b.2, a.2));
            if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
                count += 1;
            }
        }
    }
    count
}

fn compare_crossings() {
    for file in CROSSING_FILES {
        let path = corpus(file);
        let plan = read(&path);
        let l = layout(&plan, &LayoutOptions::default());
        let id = |item: ItemId| {
            let it = &l.items[item];
            it.node.map(|v| plan.nodes[v.ix()].id.clone()).unwrap_or_default()
        };
        let ours: Vec<_> = l.edges.iter().map(|e| (id(e.source), id(e.target), e.points.clone())).collect();
        match dot_polylines(&path) {
            Some(theirs) => println!(
                "{file}: drawn edge crossings: planscope {}, dot {} (segments through bend/control points)",
                drawn_crossings(&ours),
                drawn_crossings(&theirs)
            ),
            None => {
                println!("{file}: drawn edge crossings: planscope {}; dot -Tplain unavailable", drawn_crossings(&ours))
            }
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
