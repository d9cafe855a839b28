//! The target strategy against the cluster and the model: every rule the verifier's
//! STRATEGY_MISMATCH holds a plan to, checked before anything is built, so a target that
//! cannot be met produces an error naming the rule and no half-made plan.

use super::{BrokenRule, Goal, RewriteError};
use crate::infer::{infer_degrees, node_roles};
use crate::limits::{self, Capacity};
use crate::model::{Degree, Meta, Plan, Size, SplitError, StageSplit, Strategy, Uneven};

/// GPUs per server when the plan does not say (DGX/HGX servers carry 8).
const DEFAULT_GPUS_PER_SERVER: u32 = 8;

/// Everything the builder needs, resolved from target, overrides, plan meta and the DAG.
#[derive(Debug, Clone)]
pub(crate) struct Dims {
    pub strategy: Strategy,
    pub gpus_per_server: u32,
    pub layers: u32,
    /// Layers before this index are dense (ModelSpec::moe_layers counts the MoE ones, last).
    pub first_moe: u32,
    pub experts: u32,
    pub top_k: u32,
    pub hidden: Option<u64>,
    pub batch: Option<u64>,
    pub seq: Option<u64>,
    /// The merged meta, with the target strategy, GPU count, layers and experts written in.
    pub meta: Meta,
}

impl Dims {
    pub fn is_moe(&self, layer: u32) -> bool {
        self.experts > 0 && layer >= self.first_moe
    }

    pub fn moe_layers(&self) -> u32 {
        self.layers - self.first_moe
    }
}

/// `EP64×TP2`, `EP8×TP2×PP2`: the degrees above 1 (EP always), as the rules name them.
pub fn short_name(s: Strategy) -> String {
    let mut parts = vec![format!("EP{}", s.ep)];
    for (name, v) in [("TP", s.tp), ("PP", s.pp), ("DP", s.dp)] {
        if v.get() > 1 {
            parts.push(format!("{name}{v}"));
        }
    }
    parts.extend(s.refinement_tokens());
    parts.join("×")
}

/// Resolves and checks the target. Layers and experts come from the merged meta, else
/// from what the DAG shows; a size nobody gave stays unknown (shapes are then left out).
/// O(nodes) (roles and degrees seen in the DAG); the output size is estimated in
/// saturating u64 and refused past `limits::REWRITE_NODES` before anything is built.
pub(crate) fn resolve(
    plan: &Plan,
    strategy: Strategy,
    gpus: Option<u32>,
    overrides: &Meta,
    capacity: Capacity,
) -> Result<Dims, RewriteError> {
    let meta = plan.meta.merged_with(overrides);
    let roles: Vec<_> = plan.nodes.iter().map(node_roles).collect();
    let seen = infer_degrees(plan, &roles);
    let (ep, pp) = (strategy.ep.get(), strategy.pp.get());
    // The GPUs it spans: EP·TP·PP·DP, or the attention's when its experts fold onto them
    // (an unbuilt refinement, refused below, but its GPU count is still its own).
    let needs = strategy.gpus();
    let mut rules: Vec<BrokenRule> = strategy.unbuilt().into_iter().map(BrokenRule::Unbuilt).collect();
    let gpus_total = gpus.or(meta.cluster.gpus).map(u64::from).unwrap_or(needs);
    if needs > gpus_total {
        rules.push(BrokenRule::TooFewGpus { strategy, needs, has: gpus_total });
    }
    if limits::Limit::Gpus.check(gpus_total).is_err() {
        rules.push(BrokenRule::TooManyGpus { gpus: gpus_total });
    }
    // Declared sizes past a limit (overrides are not read through a reader) are refused
    // before anything is sized by them.
    if let Err(e) = meta.within_limits() {
        return Err(RewriteError { target: Goal::Strategy(strategy), rules: vec![BrokenRule::Limit(e)] });
    }
    let layers = meta.model.layers.or(seen.layers).unwrap_or(1).max(1);
    // A count a gate's shape states beats a count of the expert nodes drawn.
    let experts = match (meta.model.experts.or(seen.experts_named), seen.experts_per_layer) {
        (Some(e), _) => e,
        (None, Some(e)) if e > 1 || ep == 1 => e,
        _ if ep > 1 => ep,
        _ => 0,
    };
    if experts == 0 && ep > 1 {
        rules.push(BrokenRule::NoExperts { ep });
    } else if experts > 0 && experts % ep != 0 {
        let rule = Uneven { size: Size::Experts, value: experts as u64, degree: Degree::Ep, by: ep };
        rules.push(BrokenRule::Uneven { rule, from_dag: meta.model.experts.is_none() });
    }
    // Layers PP does not divide are split as vLLM splits them (`StageSplit`).
    match StageSplit::of(layers, pp, strategy.stages) {
        Ok(_) => {}
        Err(SplitError::TooFewLayers { .. }) => rules.push(BrokenRule::TooFewLayers { pp, layers }),
        Err(e) => rules.push(BrokenRule::Stages(e)),
    }
    let moe_layers = meta.model.moe_layers.unwrap_or(layers);
    if moe_layers > layers {
        rules.push(BrokenRule::TooManyMoeLayers { moe_layers, layers });
    }
    let m = &meta.model;
    rules.extend(strategy.shard_rules(m).into_iter().map(|rule| BrokenRule::Uneven { rule, from_dag: false }));
    // Nodes per layer: ~6 per GPU of a stage plus the expert shards of every replica (one
    // copy with folded experts, whose DP ranks share them); refuse absurd sizes.
    // Saturating: a wrapped estimate would let the builder try to allocate terabytes.
    let per_layer = (needs / pp as u64).saturating_mul(6).saturating_add(limits::product([
        strategy.expert_replicas() as u64,
        experts as u64,
        2,
        strategy.expert_tp().get() as u64,
    ]));
    let est = (layers as u64).saturating_mul(per_layer);
    if rules.is_empty() && est > capacity.built_nodes() {
        rules.push(BrokenRule::TooLarge { strategy, layers, experts, nodes: est, capacity });
    }
    if !rules.is_empty() {
        return Err(RewriteError { target: Goal::Strategy(strategy), rules });
    }
    let gpus_per_server = meta.cluster.gpus_per_server.filter(|&g| g > 0).unwrap_or(DEFAULT_GPUS_PER_SERVER);
    let mut out_meta = meta.clone();
    out_meta.strategy = Some(strategy);
    out_meta.strategy_name = Some(strategy.to_string());
    out_meta.cluster.gpus = Some(gpus_total as u32);
    out_meta.model.layers = Some(layers);
    out_meta.model.experts = (experts > 0).then_some(experts);
    Ok(Dims {
        strategy,

        gpus_per_server,
        layers,
        first_moe: layers.saturating_sub(moe_layers),
        experts,
        top_k: meta.model.top_k.unwrap_or(if experts >= 2 { 2 } else { 1 }).max(1),
        hidden: m.hidden,
        batch: m.batch,
        seq: m.seq_len,
        meta: out_meta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    #[test]
    fn refinements_deploy_cannot_build_are_refused_by_name() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        for (name, said) in [
            ("EP64_TP2_CP2", "context parallel CP2"),
            ("EP64_TP2_ETP1", "expert TP ETP1 with EP·ETP = 64 expert GPUs on a stage of TP·DP = 2"),
            ("EP64_TP2_PP2_VPP2", "virtual pipeline stages VPP2"),
            ("EP64_TP2_DP2_DPATTN", "DP-attention"),
            ("EP64_TP2_REDUNDANT8", "8 redundant experts"),
        ] {
            let st = Strategy::parse(name).unwrap();
            let e = resolve(&plan, st, Some(4096), &Meta::default(), Capacity::Native).unwrap_err();
            assert!(e.rules.iter().any(|r| matches!(r, BrokenRule::Unbuilt(_))), "{name}: {e}");
            assert!(e.to_string().contains(said), "{name}: {e}");
        }
        // The plain strategy still resolves.
        assert!(resolve(&plan, Strategy::parse("EP64_TP2").unwrap(), None, &Meta::default(), Capacity::Native).is_ok());
    }

    #[test]
    fn declared_sizes_past_the_limits_are_refused_not_wrapped() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let st = Strategy::parse("EP64_TP2").unwrap();
        // Overrides are not read through a reader: u32::MAX layers and experts would make
        // the old size guard wrap around (a debug-build panic, a huge allocation in release).
        let mut over = Meta::default();
        over.model.layers = Some(u32::MAX);
        over.model.experts = Some(u32::MAX - 63);
        let e = resolve(&plan, st, None, &over, Capacity::Native).unwrap_err();
        assert!(e.to_string().contains("exceeds planscope's limit of 16384 (layers)"), "{e}");
        // Within the limits, the largest sizes are refused by the estimate, without overflow.
        over.model.layers = Some(limits::LAYERS);
        over.model.experts = Some(limits::EXPERTS);
        let e = resolve(&plan, st, None, &over, Capacity::Native).unwrap_err();
        assert!(e.to_string().contains("(rewrite output nodes)"), "{e}");
    }
}
