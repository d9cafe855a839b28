//! The DOT reader against Graphviz's `gc` on the largest corpus file (3.9 MB, 8,420
//! nodes, laid out). Both are timed in this one run; `gc` is spawned as a subprocess on
//! the same file, and the reader/gc ratio is printed. Without `gc` installed the
//! comparison is skipped with a note.

use criterion::{Criterion, criterion_group, criterion_main};
use planscope_core::read::read_dot;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const FILE: &str = "2025-12-04-11-03-13__llm_deployment_comprehensive.dot";

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent").join(FILE)
}

fn run_gc(path: &PathBuf) -> bool {
    Command::new("gc").arg(path).output().is_ok_and(|o| o.status.success())
}

/// Median times of `a` and `b`, run alternately so that load from other processes on
/// the machine falls on both alike.
fn medians(mut a: impl FnMut(), mut b: impl FnMut(), runs: usize) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        let t = Instant::now();
        a();
        ta.push(t.elapsed());
        let t = Instant::now();
        b();
        tb.push(t.elapsed());
    }
    ta.sort();
    tb.sort();
    (ta[runs / 2], tb[runs / 2])
}

fn bench(c: &mut Criterion) {
    let path = path();
    let text = std::fs::read_to_string(&path).expect("the shared corpus must sit at ../shared/corpus/lr-agent");
    let mut group = c.benchmark_group("largest_dot");
    group.sample_size(20);
    group.bench_function("planscope read_dot", |b| b.iter(|| read_dot(black_box(&text)).unwrap()));
    let have_gc = run_gc(&path);
    if have_gc {
        group.bench_function("graphviz gc (subprocess)", |b| b.iter(|| run_gc(black_box(&path))));
    }
    group.finish();

    if have_gc {
        let (ours, theirs) = medians(|| drop(black_box(read_dot(&text).unwrap())), || _ = run_gc(&path), 21);
        println!(
            "\nread_dot {:.1} ms, gc {:.1} ms (medians of 21 alternating runs): read_dot takes {:.2}x gc's time",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    } else {
        println!("\nnote: Graphviz `gc` is not installed (apt-get install graphviz), so there is no comparison");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
