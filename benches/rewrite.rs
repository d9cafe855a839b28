//! Rewriter speed: a 61-layer × 256-expert model rewritten to EP64·TP4 on 256 GPUs (about
//! 117k output nodes), against its peer in the same run: `verify` of the same output plan
//! (both are linear passes). Prints "rewrite X ms, verify Y ms".

use criterion::{Criterion, criterion_group, criterion_main};
use planscope_core::check::{VerifyOptions, verify};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::Strategy;
use planscope_core::rewrite::{Target, rewrite};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn time_per_run(runs: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..runs {
        f();
    }
    t.elapsed() / runs
}

fn large(c: &mut Criterion) {
    let s = Strategy::parse("EP64_TP4").unwrap();
    // The source: the same model at a broken, smaller strategy (EP8·TP1 on 8 GPUs).
    let mut spec = GenSpec::new(Strategy::parse("EP8").unwrap(), 61, 256);
    spec.gpus = Some(256);
    let src = generate(&spec);
    let target = Target { gpus: Some(256), ..Target::new(s) };
    let out = rewrite(&src, &target).expect("valid target").plan;
    eprintln!("source {} nodes → rewrite {} nodes, {} edges", src.nodes.len(), out.nodes.len(), out.edges.len());
    let mut g = c.benchmark_group("rewrite");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("61x256_to_ep64_tp4_256gpus", |b| b.iter(|| rewrite(black_box(&src), &target)));
    g.finish();
    let ours = time_per_run(5, || {
        black_box(rewrite(&src, &target).ok());
    });
    let peer = time_per_run(5, || {
        black_box(verify(&out, &VerifyOptions::default()));
    });
    eprintln!(
        "rewrite {:.1} ms, verify {:.1} ms (same output plan, {} nodes); rewrite / verify = {:.2}",
        ours.as_secs_f64() * 1e3,
        peer.as_secs_f64() * 1e3,
        out.nodes.len(),
        ours.as_secs_f64() / peer.as_secs_f64()
    );
}

criterion_group!(benches, large);
criterion_main!(benches);
