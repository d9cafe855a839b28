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
