//! Writes a generated plan as canonical JSON, for benchmarks of the page and the CLI:
//! `cargo run --release --example gen_plan -- [SIZE | STRATEGY LAYERS EXPERTS] [--gzip] > FILE`
//! SIZE is a preset: `100k` (the default: EP64_TP4_PP4_DP1, 52 layers × 256 experts on
//! 1,024 GPUs, 101,538 nodes, 53 MB) or `1m` (EP128_TP8_PP1_DP1, 61 layers × 1,664
//! experts on 1,024 GPUs, 1,018,066 nodes, 542 MB: past the input limit, so write it with
//! `--gzip`, about 20 MB, which the CLI reads streamed). Otherwise the strategy, layers and
//! experts per layer are given.

use flate2::Compression;
use flate2::write::GzEncoder;
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::Strategy;
use planscope_core::write::json::write_json;
use std::io::Write;

fn fail(message: &str) -> ! {
    eprintln!("gen_plan: {message}");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gzip = args.iter().any(|a| a == "--gzip");
    let args: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "--gzip").collect();
    let (strategy, layers, experts) = match args.as_slice() {
        [] | ["100k"] => ("EP64_TP4_PP4_DP1", 52, 256),
        ["1m"] => ("EP128_TP8_PP1_DP1", 61, 1664),
        [strategy, rest @ ..] => {
            let number = |i: usize, default: u32| match rest.get(i) {
                None => default,
                Some(a) => a.parse().unwrap_or_else(|_| fail(&format!("{a}: expected a whole number"))),
            };
            (*strategy, number(0, 52), number(1, 256))
        }
    };
    let strategy = Strategy::parse(strategy).unwrap_or_else(|e| fail(&format!("strategy {strategy}: {e}")));
    let plan = generate(&GenSpec::new(strategy, layers, experts));
    eprintln!("{} nodes, {} edges", plan.nodes.len(), plan.edges.len());
    let text = write_json(&plan);
    drop(plan);
    let out = std::io::stdout().lock();
    let written = if gzip {
        let mut gz = GzEncoder::new(out, Compression::fast());
        gz.write_all(text.as_bytes()).and_then(|()| gz.finish().map(drop))
    } else {
        let mut out = out;
        out.write_all(text.as_bytes())
    };
    written.unwrap_or_else(|e| fail(&format!("writing: {e}")));
}
