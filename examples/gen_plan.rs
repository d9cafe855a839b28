//! Writes a generated plan as canonical JSON, for benchmarks of the page:
//! `cargo run --release --example gen_plan -- EP64_TP4_PP4_DP1 52 256 > target/gen-100k.json`
//! (strategy, layers, experts per layer; those defaults give ~100k nodes).

use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::Strategy;
use planscope_core::write::json::write_json;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let strategy = args.first().map(String::as_str).unwrap_or("EP64_TP4_PP4_DP1");
    let layers = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(52);
    let experts = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(256);
    let strategy = match Strategy::parse(strategy) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("strategy {strategy}: {e}");
            std::process::exit(2);
        }
    };
    let plan = generate(&GenSpec::new(strategy, layers, experts));
    eprintln!("{} nodes, {} edges", plan.nodes.len(), plan.edges.len());
    print!("{}", write_json(&plan));
}
