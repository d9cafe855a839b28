//! The seed's situation rewritten to EP64_TP2 on 128 GPUs: clean, every GPU used, one
//! expert shard per GPU per MoE layer; idempotent; invalid targets named by their rule.

use planscope_core::check::{Severity, VerifyOptions, verify};
use planscope_core::model::{Meta, Plan, Strategy};
use planscope_core::rewrite::{Target, rewrite};

fn example(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples").join(name);
    std::fs::read_to_string(p).expect("example file")
}

fn seed() -> (Plan, Meta) {
    let plan = planscope_core::read::read_plan(&example("seed-ep64-tp2.json")).expect("seed reads");
    let conditions: Meta = serde_json::from_str(&example("seed-conditions.json")).expect("conditions parse");
    (plan, conditions)
}

fn target(s: &str, gpus: Option<u32>, overrides: &Meta) -> Target {
    Target { gpus, overrides: overrides.clone(), ..Target::new(Strategy::parse(s).unwrap()) }
}

#[test]
fn seed_rewritten_to_ep64_tp2_verifies_clean() {
    let (plan, cond) = seed();
    let rw = rewrite(&plan, &target("EP64_TP2", Some(128), &cond)).expect("valid target");
    let report = verify(&rw.plan, &VerifyOptions::default());
    let errors: Vec<String> = report.errors().map(|f| format!("{}: {} | {}", f.code, f.message, f.fix)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let m = &report.metrics;
    assert_eq!(m.gpus_used, 128);
    assert_eq!(m.gpus_total, Some(128));
    let shards = m.expert_shards_per_gpu_per_layer.expect("expert shards");
    assert_eq!((shards.min, shards.max), (1.0, 1.0), "{shards:?}");
    // Expert e, TP shard t on GPU e·TP+t.
    let at = |id: &str| rw.plan.nodes.iter().find(|n| n.id == id).map(|n| n.placement.to_string());
    assert_eq!(at("expert_0_0_layer_0").as_deref(), Some("0"));
    assert_eq!(at("expert_63_1_layer_15").as_deref(), Some("127"));
    // Input and output keep their ids; the single-GPU nodes are gone.
    assert!(at("input_0").is_some() && at("output_4").is_some());
    for gone in ["expert_2", "comm_1", "comm_2", "agg_3"] {
        assert!(rw.diff.removed.iter().any(|r| r == gone), "{gone} not removed");
    }
    let text = rw.diff.render_text();
    assert!(text.contains("add 2048 expert shards expert_<e>_<t>_layer_<l>"), "{text}");
    assert!(text.contains("on GPUs 0–127"), "{text}");
    assert!(text.lines().count() < 60, "{text}");
    // Warnings too: a correct rewrite should not leave any.
    let warnings: Vec<String> =
        report.findings.iter().filter(|f| f.severity == Severity::Warning).map(|f| f.message.clone()).collect();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn rewrite_is_idempotent() {
    let (plan, cond) = seed();
    for s in ["EP64_TP2", "EP16_TP2_PP2_DP2", "EP8_TP1_PP4_DP4"] {
        let t = target(s, Some(128), &cond);
        let once = rewrite(&plan, &t).expect("valid");
        let twice = rewrite(&once.plan, &t).expect("valid");
        assert!(twice.diff.is_empty(), "{s}: {}", twice.diff.render_text());
        assert_eq!(twice.plan, once.plan, "{s}");
    }
}

#[test]
fn too_few_gpus_names_the_rule() {
    let (plan, cond) = seed();
    let e = rewrite(&plan, &target("EP64_TP2", Some(96), &cond)).unwrap_err();
    assert!(
        e.rules
            .iter()
            .map(ToString::to_string)
            .any(|r| r.contains("EP64×TP2 needs") && r.contains("128 GPUs but the cluster has 96")),
        "{e}"
    );
}

#[test]
fn experts_not_divisible_names_the_rule() {
    let (plan, cond) = seed();
    let e = rewrite(&plan, &target("EP48", Some(128), &cond)).unwrap_err();
    assert!(e.to_string().contains("64 experts are not divisible by EP48"), "{e}");
}

/// Layers PP does not divide are split as vLLM splits them: 16 over PP3 is 5, 6
/// and 5 (the remainder on the stages before the last). Given ends are kept, and ends that
/// leave the other stages no layer are refused by name.
#[test]
fn layers_pp_does_not_divide_split_as_vllm_splits_them() {
    let (plan, cond) = seed();
    let Ok(out) = rewrite(&plan, &target("EP64_TP2_PP3", Some(384), &cond)) else { panic!("EP64_TP2_PP3") };
    let stages = |p: &Plan| {
        let mut per = std::collections::BTreeMap::<u32, std::collections::BTreeSet<u32>>::new();
        for n in &p.nodes {
            if let (Some(l), Some(s)) = (n.layer, n.ranks.pp) {
                per.entry(s).or_default().insert(l);
            }
        }
        per.values().map(|l| (*l.first().unwrap(), l.len())).collect::<Vec<_>>()
    };
    assert_eq!(stages(&out.plan), vec![(0, 5), (5, 6), (11, 5)]);
    let report = verify(&out.plan, &VerifyOptions::default());
    let errors: Vec<String> = report.errors().map(|f| format!("{}: {}", f.code, f.message)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let Ok(out) = rewrite(&plan, &target("EP64_TP2_PP3_PPFIRST2", Some(384), &cond)) else { panic!("PPFIRST2") };
    assert_eq!(stages(&out.plan), vec![(0, 2), (2, 7), (9, 7)]);
    let e = rewrite(&plan, &target("EP64_TP2_PP2_PPFIRST10_PPLAST10", Some(256), &cond)).unwrap_err();
    assert!(e.to_string().contains("the first and last stages hold 20 layers, not the model's 16"), "{e}");
}

/// A target whose GPUs cannot hold the weights is refused with them, without a batch too,
/// and with the least GPUs one copy of the model's weights takes (Qwen3-235B: 470 GB in BF16,
/// 6 of 80 GB).
#[test]
fn a_target_too_small_for_the_weights_names_them_and_the_least_gpus() {
    use planscope_core::model::Dtype;
    use planscope_core::rewrite::BrokenRule;
    let mut meta = Meta::default();
    meta.model = planscope_core::conditions::preset("qwen3-235b-a22b").unwrap().meta.model;
    meta.model.batch = None;
    meta.model.dtype = Some(Dtype::Bf16);
    meta.cluster.memory_gb = Some(80.0);
    meta.strategy = Some(Strategy::parse("EP8_TP2").unwrap());
    let plan = planscope_core::r#gen::plan_from(&meta, planscope_core::limits::Capacity::Native).unwrap();
    let err = rewrite(&plan, &Target::new(Strategy::parse("EP4").unwrap())).unwrap_err();
    let rule = err.rules.iter().find(|r| matches!(r, BrokenRule::OutOfMemory { .. })).expect("out of memory");
    let said = rule.to_string();
    assert!(said.contains("(weights ") && said.contains("not counted: no batch is given"), "{said}");
    assert!(said.contains("takes at least 6 GPUs of 80 GB"), "{said}");
}
