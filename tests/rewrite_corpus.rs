//! Every readable corpus DAG rewritten to a strategy derived from it (declared, else
//! inferred from the DAG) either verifies with no error or is refused with the rule named.

mod common;

use planscope_core::check::{VerifyOptions, verify};
use planscope_core::infer::{infer_degrees, node_roles};
use planscope_core::model::{Plan, Strategy};
use planscope_core::rewrite::{Target, rewrite};

/// The corpus plans that read (the two malformed files don't).
fn corpus() -> Vec<(String, Plan)> {
    common::corpus_files()
        .into_iter()
        .filter_map(|(name, text)| Some((name, planscope_core::read::read_plan(&text).ok()?)))
        .collect()
}

fn derived(plan: &Plan) -> Strategy {
    if let Some(s) = plan.meta.strategy {
        return s;
    }
    let roles: Vec<_> = plan.nodes.iter().map(node_roles).collect();
    let d = infer_degrees(plan, &roles);
    let v = |x: Option<u32>| x.unwrap_or(1).clamp(1, 1024);
    Strategy::new(v(d.ep), v(d.tp), v(d.pp), v(d.dp)).unwrap_or_default()
}

#[test]
fn corpus_rewrites_verify_clean_or_explain() {
    let files = corpus();
    let (mut clean, mut refused) = (0, 0);
    for (name, plan) in &files {
        let s = derived(plan);
        match rewrite(plan, &Target::new(s)) {
            Ok(rw) => {
                let r = verify(&rw.plan, &VerifyOptions { simulate: false, ..Default::default() });
                let errors: Vec<String> = r.errors().map(|f| format!("{}: {}", f.code, f.message)).collect();
                assert!(errors.is_empty(), "{name} → {s}: {}", errors.join("\n"));
                clean += 1;
            }
            Err(e) => {
                assert!(
                    !e.rules.is_empty() && e.rules.iter().all(|r| !r.to_string().trim().is_empty()),
                    "{name}: {e:?}"
                );
                eprintln!("{name} → {s}: refused: {e}");
                refused += 1;
            }
        }
    }
    eprintln!("{} corpus files: {clean} rewritten clean, {refused} refused with a reason", files.len());
}

/// The rewrite's provenance record fits both plans, and each node points back at a source
/// node doing the same kind of work: an expert shard at an expert, a copy at the operator
/// it copies; and each source node's built nodes point back at it (or at its stand-in).
#[test]
fn corpus_rewrites_record_where_each_node_came_from() {
    use planscope_core::model::Op;
    for (name, plan) in &corpus() {
        let Ok(rw) = rewrite(plan, &Target::new(derived(plan))) else { continue };
        let o = &rw.origins;
        assert_eq!((o.source_len(), o.built_len()), (plan.nodes.len(), rw.plan.nodes.len()), "{name}");
        let mut recorded = 0;
        for (j, n) in rw.plan.nodes.iter().enumerate() {
            let Some(s) = o.source_of(j as u32) else { continue };
            recorded += 1;
            let src = node_roles(&plan.nodes[s as usize]);
            if n.op == Some(Op::Expert) {
                assert_eq!(src.op, Some(Op::Expert), "{name}: {} ← {}", n.id, plan.nodes[s as usize].id);
            }
            assert!(o.built_from(s).contains(&(j as u32)), "{name}: {} ← {}", n.id, plan.nodes[s as usize].id);
        }
        assert!(recorded > 0 || plan.nodes.is_empty(), "{name}: nothing recorded");
    }
}

/// Issue 14 item 6: the 8,420-node file names its experts `expert_<layer>_<e>_*_gpu<g>` and
/// its gates' shapes say `num_experts=64`, so it holds 64 experts per layer (not 16, its
/// layer count) and rewrites to EP64_TP2.
#[test]
fn the_largest_dot_reads_64_experts_and_rewrites_to_ep64_tp2() {
    let text = common::corpus_text("2025-12-04-11-03-13__llm_deployment_comprehensive.dot");
    let plan = planscope_core::read::read_plan(&text).unwrap();
    assert_eq!(plan.nodes.len(), 8420);
    let roles: Vec<_> = plan.nodes.iter().map(node_roles).collect();
    let d = infer_degrees(&plan, &roles);
    assert_eq!((d.experts_per_layer, d.experts_named, d.layers), (Some(64), Some(64), Some(16)));
    let s = Strategy::parse("EP64_TP2").unwrap();
    let rw = rewrite(&plan, &Target::new(s)).unwrap_or_else(|e| panic!("{e}"));
    let r = verify(&rw.plan, &VerifyOptions { strategy: Some(s), simulate: false, ..Default::default() });
    assert!(r.errors().next().is_none(), "{:?}", r.errors().collect::<Vec<_>>());
    assert_eq!(rw.plan.meta.model.experts, Some(64));
}
