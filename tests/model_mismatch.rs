//! MODEL_MISMATCH: a plan checked against a model it was not drawn for (the corpus's
//! 64-expert, 16-layer EP64_TP2 sketch with DeepSeek-V3's and Mixtral's real configs).

use planscope_core::check::{Code, Finding, Severity, VerifyOptions, verify};
use planscope_core::conditions;
use planscope_core::model::{Plan, Strategy};
use planscope_core::read::read_plan;
use std::path::PathBuf;

fn shared(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (../shared must be there)", path.display()))
}

fn sketch() -> Plan {
    read_plan(&shared("corpus/lr-agent/2025-12-01-16-48-00__ep64_tp2_deployment.dot")).unwrap_or_else(|e| panic!("{e}"))
}

fn findings(plan: &Plan, config: &str, strategy: Option<&str>) -> Vec<Finding> {
    let meta = conditions::read(config, &shared(&format!("real/{config}"))).unwrap_or_else(|e| panic!("{e}")).meta;
    let strategy = strategy.map(|s| Strategy::parse(s).unwrap_or_else(|e| panic!("{e}")));
    verify(plan, &VerifyOptions { overrides: meta, strategy, ..VerifyOptions::default() }).findings
}

fn mismatch(found: &[Finding]) -> Option<&Finding> {
    found.iter().find(|f| f.code == Code::ModelMismatch)
}

#[test]
fn fewer_experts_and_layers_than_the_declared_model_are_said_without_a_strategy() {
    let found = findings(&sketch(), "deepseek-v3__config.json", None);
    let f = mismatch(&found).expect("MODEL_MISMATCH");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains("at most 64 distinct experts in a MoE layer where deepseek_v3 has 256"),
        "{}",
        f.message
    );
    // DeepSeek-V3's first 3 of 61 layers are dense: its MoE layers are what the experts show.
    assert!(f.message.contains("experts in 16 layers where deepseek_v3 has 58 MoE layers"), "{}", f.message);
    // Nothing is beyond the model's experts: no node is named.
    assert!(f.nodes.is_empty(), "{:?}", f.nodes);
}

#[test]
fn experts_beyond_the_model_are_named_node_by_node() {
    let found = findings(&sketch(), "mixtral-8x7b-v0.1__config.json", None);
    let f = mismatch(&found).expect("MODEL_MISMATCH");
    assert!(f.message.contains("64 distinct experts in a MoE layer where mixtral has 8"), "{}", f.message);
    assert!(f.message.contains("experts in 16 layers where mixtral has 32 MoE layers"), "{}", f.message);
    // Experts 8…63 of each of the 16 layers, on two TP shards each.
    assert_eq!(f.nodes.len(), 56 * 16 * 2, "{:?}", &f.nodes[..4.min(f.nodes.len())]);
}

#[test]
fn with_an_ep_strategy_the_shortfall_is_ep_incompletes_alone() {
    let found = findings(&sketch(), "deepseek-v3__config.json", Some("EP64_TP2"));
    assert!(found.iter().any(|f| f.code == Code::EpIncomplete), "{found:?}");
    assert!(mismatch(&found).is_none(), "{:?}", mismatch(&found));
    // Too many experts is never EP_INCOMPLETE's to say.
    let found = findings(&sketch(), "mixtral-8x7b-v0.1__config.json", Some("EP8_TP2_DP8"));
    let f = mismatch(&found).expect("MODEL_MISMATCH");
    assert!(f.message.contains("where mixtral has 8") && !f.message.contains("MoE layers"), "{}", f.message);
}

#[test]
fn a_plan_drawn_for_its_own_declared_model_raises_nothing() {
    // It declares 16 layers of 64 experts and draws them; its 64 `ep_routing_<g>` nodes'
    // trailing numbers are EP groups, not layers, so MoE layers are counted from experts.
    let plan = read_plan(&shared("corpus/lr-agent/2025-12-01-16-48-00__final_deployment_dag.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((plan.meta.model.layers, plan.meta.model.experts), (Some(16), Some(64)));
    let found = verify(&plan, &VerifyOptions::default()).findings;
    assert!(mismatch(&found).is_none(), "{:?}", mismatch(&found));
}

#[test]
fn the_step_counts_the_layers_the_plan_draws() {
    // Its `ep_routing_<g>` and `tp_allreduce_<g>` nodes number EP groups 0…63: the step's
    // breakdown once read them as 64 layers of DeepSeek-V3's 61.
    let plan = read_plan(&shared("corpus/lr-agent/2025-12-01-16-48-00__final_deployment_dag.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let meta = conditions::read("config.json", &shared("real/deepseek-v3__config.json")).unwrap().meta;
    let report = verify(&plan, &VerifyOptions { overrides: meta, ..VerifyOptions::default() });
    let sim = report.metrics.simulation.expect("simulated: the plan gives TFLOPS and shapes");
    assert_eq!((sim.coverage.plan_layers, sim.coverage.model_layers), (16, Some(61)));
    // It declares EP64 (`EP64_TP2_PP1_CORRECTED`): EP_INCOMPLETE says the missing layers.
    let ep = report.findings.iter().find(|f| f.code == Code::EpIncomplete).expect("EP_INCOMPLETE");
    assert!(ep.message.contains("expert nodes in 16 of 58 layers"), "{}", ep.message);
    assert!(mismatch(&report.findings).is_none(), "{:?}", mismatch(&report.findings));
}

#[test]
fn a_plan_computing_more_than_its_model_is_not_said_to_cover_all_of_it() {
    // 16 of DeepSeek-V3's 61 layers whose nodes' shapes compute more than the whole model
    // for the same tokens: once capped to "16 of 61 layers, 100% of the model's work".
    let plan = read_plan(&shared("corpus/lr-agent/2025-12-01-16-48-00__final_deployment_dag.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let meta = conditions::read("config.json", &shared("real/deepseek-v3__config.json")).unwrap().meta;
    let analysis = planscope_core::analysis::analyze(
        std::sync::Arc::new(plan),
        &planscope_core::analysis::Request { overrides: meta, ..Default::default() },
    );
    let sim = analysis.report.metrics.simulation.as_ref().expect("simulated");
    let excess = sim.coverage.excess_work.expect("more FLOPs than the model's");
    assert!(excess > 1.05, "{excess}");
    // What it covers is then measured by its layers.
    assert_eq!(sim.coverage.fraction, Some(16.0 / 61.0));
    let view = planscope_core::view::step_breakdown(&analysis, None).expect("a breakdown");
    let said = &view.sides[0].coverage;
    assert!(said.starts_with("16 of 61 layers, yet ") && said.contains("× the whole model's FLOPs"), "{said}");
    assert!(!said.contains("100%"), "{said}");
}
