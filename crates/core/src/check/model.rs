//! The plan against the declared model: the experts its MoE layers hold and the layers it
//! draws. A 64-expert, 16-layer sketch checked with DeepSeek-V3's config would otherwise
//! pass, and its memory and step time be read as DeepSeek-V3's.

use super::{Code, Ctx, Finding};
use crate::infer::Degrees;
use crate::units::plural;

/// `shortfall_said`: the strategy's EP check already ran (EP_INCOMPLETE says too few
/// experts or MoE layers, with what to build), so only what it does not say is said here.
pub(crate) fn check(ctx: &Ctx<'_>, seen: &Degrees, shortfall_said: bool, out: &mut Vec<Finding>) {
    let m = &ctx.meta.model;
    let model = m.name.as_deref().unwrap_or("the declared model");
    let mut what = Vec::new();
    let mut beyond = Vec::new();
    if let Some(e) = m.experts.filter(|&e| e > 1) {
        if let Some(drawn) = seen.experts_per_layer
            && (drawn > e || (drawn < e && !shortfall_said))
        {
            let most = if drawn > e { "" } else { "at most " };
            what.push(format!(
                "{most}{} in a MoE layer where {model} has {e}",
                plural(drawn as usize, "distinct expert")
            ));
        }
        // A router naming what the nodes already show adds nothing.
        if let Some(named) = seen.experts_named.filter(|&n| n != e && Some(n) != seen.experts_per_layer) {
            what.push(format!("its router's output names {named} experts where {model} has {e}"));
        }
        beyond = (0..ctx.plan.nodes.len())
            .filter(|&i| ctx.roles[i].expert.is_some_and(|x| x >= e))
            .map(|i| ctx.plan.nodes[i].id.clone())
            .collect();
    }
    if let (Some(l), Some(drawn)) = (m.moe_layers.or(m.layers), seen.moe_layers)
        && m.experts.is_some_and(|e| e > 1)
        && (drawn > l || (drawn < l && !shortfall_said))
    {
        what.push(format!("experts in {} where {model} has {l} MoE layers", plural(drawn as usize, "layer")));
    }
    if what.is_empty() {
        return;
    }
    out.push(
        Finding::warning(Code::ModelMismatch, format!("the plan is not drawn for the declared model: {}", what.join("; ")))
            .nodes(&beyond)
            .fix(format!(
                "declare this plan's own model in the Conditions panel (or with `--conditions FILE`), or rewrite the plan to a target: the rewrite builds every layer and expert of {model}"
            )),
    );
}
