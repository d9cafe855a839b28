//! The verifier on the shared lr-agent corpus: the seed's verdicts under the seed's
//! conditions, the 65-source/65-sink "after" DAG, real cycles, and no crash anywhere.
//! Only the two files the index marks MALFORMED may fail to read.

mod common;
use common::{corpus_dir, index};

use planscope_core::check::{Code, Report, VerifyOptions, verify};
use planscope_core::model::{Dtype, Meta, Plan, Strategy};

fn try_load(file: &str) -> Result<Plan, String> {
    let text = std::fs::read_to_string(corpus_dir().join(file)).map_err(|e| format!("{file}: {e}"))?;
    planscope_core::read::read_plan(&text).map_err(|e| e.with_file(file))
}

fn load(file: &str) -> Plan {
    try_load(file).unwrap_or_else(|e| panic!("{e}"))
}

/// The seed's conditions: EP64_TP2; 128 GPUs of 64 GB / 400 TFLOPS; 16 layers × 64 experts;
/// hidden 1024; expert hidden 2048; batch 128; seq 1024.
fn seed_options() -> VerifyOptions {
    let mut o = Meta::default();
    o.cluster.memory_gb = Some(64.0);
    o.cluster.tflops = Some(400.0);
    o.model.layers = Some(16);
    o.model.experts = Some(64);
    o.model.hidden = Some(1024);
    o.model.expert_hidden = Some(2048);
    o.model.batch = Some(128);
    o.model.seq_len = Some(1024);
    o.model.heads = Some(16);
    o.model.dtype = Some(Dtype::Fp16);
    VerifyOptions {
        strategy: Some(Strategy::parse("EP64_TP2").unwrap()),
        gpus: Some(128),
        overrides: o,
        ..Default::default()
    }
}

#[test]
fn seed_main_dag_underuse_and_incomplete_ep() {
    let plan = load("paper_to_dag__main_deployment_dag.json");
    let r = verify(&plan, &seed_options());
    let show = serde_json::to_string_pretty(&r).unwrap();
    let under = r.find(Code::GpuUnderuse).unwrap_or_else(|| panic!("no GPU_UNDERUSE:\n{show}"));
    assert!(under.message.contains("only 3 of 128"), "{}", under.message);
    assert_eq!(under.gpus_count, 125);
    let ep = r.find(Code::EpIncomplete).unwrap_or_else(|| panic!("no EP_INCOMPLETE:\n{show}"));
    assert!(
        ep.fix.contains("expert_2") && ep.fix.contains("expert_0_0") && ep.fix.contains("expert_63_1"),
        "{}",
        ep.fix
    );
    assert!(ep.fix.contains("0–127"), "{}", ep.fix);
    assert_eq!(r.metrics.gpus_total, Some(128));
    assert_eq!(r.metrics.gpus_used, 3);
    assert_eq!(serde_json::to_value(&r).unwrap()["verdict"], "fail");
    // The seed's "single communication nodes" and "single aggregation point".
    let comm = r.find(Code::CommBottleneck).unwrap_or_else(|| panic!("no COMM_BOTTLENECK:\n{show}"));
    assert_eq!(comm.nodes, ["comm_1", "comm_2"]);
    let agg = r.find(Code::AggBottleneck).unwrap_or_else(|| panic!("no AGG_BOTTLENECK:\n{show}"));
    assert_eq!(agg.nodes, ["agg_3"]);
}

#[test]
fn final_deployment_dag_names_its_65_sources_and_sinks() {
    let plan = load("2025-12-01-16-48-00__final_deployment_dag.json");
    let r = verify(&plan, &VerifyOptions::default());
    let no_in = r.find(Code::NoInput).expect("NO_INPUT");
    let no_out = r.find(Code::NoOutput).expect("NO_OUTPUT");
    // 65 sources = the plan input + 64 orphans; 65 sinks = the plan output + 64 dead ends.
    assert_eq!(no_in.nodes_count(), 64, "{:?}", no_in.nodes);
    assert_eq!(no_out.nodes_count(), 64, "{:?}", no_out.nodes);
    assert!(no_in.nodes.iter().all(|n| n.starts_with("aggregation_")), "{:?}", no_in.nodes);
    assert!(no_out.nodes.iter().all(|n| n.starts_with("ep_routing_")), "{:?}", no_out.nodes);
    assert!(no_in.fix.contains("ep_routing_") && no_in.fix.contains("-> aggregation_"), "{}", no_in.fix);
}

fn check_cycle(file: &str, plan: &Plan, r: &Report) {
    let f = r.find(Code::Cycle).unwrap_or_else(|| panic!("{file}: cyclic but no CYCLE finding"));
    let path = &f.nodes;
    assert!(!path.is_empty() && path.len() == f.nodes_count());
    let edges: std::collections::HashSet<(&str, &str)> =
        plan.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    for i in 0..path.len() {
        let (a, b) = (path[i].as_str(), path[(i + 1) % path.len()].as_str());
        assert!(edges.contains(&(a, b)), "{file}: cycle edge {a} -> {b} does not exist");
    }
}

#[test]
fn every_corpus_file_verifies_and_cycles_are_real() {
    let mut verified = 0;
    let mut cycles = 0;
    for entry in index() {
        let file = entry["file"].as_str().unwrap();
        let plan = match try_load(file) {
            Ok(p) => p,
            Err(_) if entry["format"].as_str().is_some_and(|f| f.contains("MALFORMED")) => continue,
            Err(e) => panic!("{e}"),
        };
        for opts in [VerifyOptions::default(), seed_options()] {
            let r = verify(&plan, &opts);
            serde_json::to_string(&r).unwrap();
            assert!(r.metrics.gpus_used as usize == plan.gpus_used().len());
            if entry["acyclic"].as_bool() == Some(false) {
                check_cycle(file, &plan, &r);
                cycles += 1;
            } else if entry["acyclic"].as_bool() == Some(true) {
                assert!(!r.has(Code::Cycle), "{file}: acyclic but CYCLE reported");
            }
            // Counts in the right number ("1 node … has", "752 nodes … have"), never "(s)".
            for f in &r.findings {
                for text in [&f.message, &f.fix] {
                    assert!(!text.contains("(s)") && !text.contains(" 1 nodes "), "{file}: {}: {text}", f.code);
                }
                // A finding names each node once (a cycle's path, in order, is its own).
                if f.code != Code::Cycle {
                    let mut seen = std::collections::HashSet::new();
                    let twice = f.nodes.iter().find(|n| !seen.insert(n.as_str()));
                    assert!(twice.is_none(), "{file}: {}: {twice:?} listed twice", f.code);
                }
            }
        }
        verified += 1;
    }
    assert_eq!(verified, 36, "34 DAG files and 2 plan-only files must verify");
    assert_eq!(cycles / 2, 3, "the index lists 3 cyclic files");
}

/// Sizes the conditions lack are read off the input nodes' shapes when they name them: the
/// most common shape of an MoE plan is a routed share (corpus #22: 1,024 nodes of batch=8,
/// seq=640 behind an input of batch=128, seq=10240; the seed's DOT: 4,128 shapes of
/// hidden=16 behind an input of hidden=1024).
#[test]
fn sizes_are_read_from_the_input_before_the_most_common_shape() {
    use planscope_core::cost::{ShapeSource, resolve};
    for (file, hidden, batch, seq) in [
        ("2025-12-03-16-18-55__moe_parallel_strategy_fixed.dot", 1024, 128, 10240),
        ("2025-12-01-16-48-00__ep64_tp2_deployment.dot", 1024, 4, 2048),
    ] {
        let plan = load(file);
        let c = resolve(&plan.meta, &plan, None);
        assert_eq!((c.hidden, c.batch, c.seq), (Some(hidden), Some(batch), Some(seq)), "{file}");
        assert!(c.inferred.iter().all(|i| i.from == ShapeSource::Input), "{file}: {:?}", c.inferred);
        let r = verify(&plan, &VerifyOptions::default());
        let note = r.findings.iter().find(|f| f.code == Code::MissingConstants).expect("a MISSING_CONSTANTS note");
        assert!(
            note.message.contains(&format!(
                "read from the input nodes' shapes: hidden = {hidden}, batch = {batch}, seq_len = {seq}"
            )),
            "{file}: {}",
            note.message
        );
    }
    // With no input node naming it, the most common size stands, and the note says so.
    let plan = load("2025-12-26-18-39-29__moe_parallel_dag.dot");
    let c = resolve(&plan.meta, &plan, None);
    assert_eq!((c.hidden, c.batch, c.seq), (Some(512), Some(128), Some(10240)));
    assert_eq!(c.inferred.iter().find(|i| i.name == "hidden").map(|i| i.from), Some(ShapeSource::Most));
}
