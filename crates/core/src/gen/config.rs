//! A plan from conditions alone: the model a config states, a strategy, optionally the
//! hardware, the phase and the load, deployed by the one builder (`deploy`) with every
//! layer as the layer pattern says (dense layers get the dense FFN), the routed experts in
//! contiguous blocks per EP rank, shared experts on every GPU, the collectives, and a meta
//! filled with all of it. `planscope plan` calls it; `verify` reads its output like any plan.

use crate::arch::{Arch, Missing};
use crate::deploy::{self, CopyIds, DenseFfn, Design, Layout, Operator, Operators, Sources, Style};
use crate::limits::{Capacity, Limit, LimitError};
use crate::model::{Format, Meta, Op, Phase, Plan, SplitError, StageSplit, Unbuilt};
use crate::units::thousands_u64;
use std::fmt;

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// No strategy was given.
    MissingStrategy,
    /// The model lacks constants the deployment needs.
    Missing(Missing),
    /// A degree that does not divide what it splits.
    Indivisible { what: &'static str, count: u64, degree: &'static str, by: u32 },
    /// The strategy needs more GPUs than the cluster has.
    TooFewGpus { needed: u64, have: u32 },
    /// More pipeline stages than layers, or more DP replicas than requests.
    TooMany { degree: &'static str, by: u32, what: &'static str, count: u64 },
    /// The first and last stages' layers leave the others none.
    Stages(SplitError),
    /// The plan would pass one of planscope's limits.
    Limit(LimitError),
    /// The plan would hold more nodes than where it is built holds (`Capacity`).
    TooLarge { nodes: u64, capacity: Capacity },
    /// Refinements of the strategy `deploy` cannot build (ETP apart from TP, CP, VPP,
    /// DP-attention, redundant experts): never a plan without them.
    Unbuilt(Vec<Unbuilt>),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::MissingStrategy => f.write_str("no strategy: give one (e.g. EP64_TP2) to plan a deployment"),
            PlanError::Missing(m) => write!(f, "cannot plan: {m}"),
            PlanError::Indivisible { what, count, degree, by } => {
                write!(f, "{degree}{by} does not divide the {count} {what}")
            }
            PlanError::TooFewGpus { needed, have } => {
                write!(f, "the strategy needs {needed} GPUs and the cluster has {have}")
            }
            PlanError::TooMany { degree, by, what, count } => {
                write!(f, "{degree}{by} is more than the {count} {what}")
            }
            PlanError::Stages(e) => write!(f, "cannot split the layers: {e}"),
            PlanError::Limit(e) => write!(f, "the plan would be too large: {e}"),
            PlanError::TooLarge { nodes, capacity } => write!(
                f,
                "the plan would hold about {} nodes, past {} (rewrite output nodes)",
                thousands_u64(*nodes),
                capacity.limit_words(&format!("{} nodes", thousands_u64(capacity.built_nodes())))
            ),
            PlanError::Unbuilt(u) => {
                let list: Vec<String> = u.iter().map(ToString::to_string).collect();
                write!(f, "planscope cannot build {} yet; {}", list.join(", "), Unbuilt::WHAT_IS_BUILT)
            }
        }
    }
}

impl std::error::Error for PlanError {}

/// The deployment `meta` describes: `meta.strategy` over `meta.model`, on `meta.cluster`
/// (its GPU count, when given, must cover the strategy). `model.batch` counts requests
/// across the deployment; in prefill each brings `seq_len` tokens, in decode one token
/// over a KV context of `context`. Node count grows as DP × layers × (EP·TP·~6 +
/// experts·TP); refused past what `capacity` builds (`Capacity::built_nodes`).
pub fn plan_from(meta: &Meta, capacity: Capacity) -> Result<Plan, PlanError> {
    let strategy = meta.strategy.ok_or(PlanError::MissingStrategy)?;
    let unbuilt = strategy.unbuilt();
    if !unbuilt.is_empty() {
        return Err(PlanError::Unbuilt(unbuilt));
    }
    meta.within_limits().map_err(PlanError::Limit)?;
    let arch = Arch::of(&meta.model).map_err(PlanError::Missing)?;
    let lay = Layout::of(strategy);
    check(&arch, &lay, meta, capacity)?;

    // Per layer, its slot among the MoE layers.
    let mut slots = Vec::with_capacity(arch.layers as usize);
    let mut next = 0u32;
    for l in 0..arch.layers {
        if arch.pattern.is_moe(l) {
            slots.push(Some(next));
            next += 1;
        } else {
            slots.push(None);
        }
    }
    let experts = arch.experts as u32;
    let mut ranks: Vec<Vec<(u32, u32)>> = vec![Vec::new(); lay.ep as usize];
    for x in 0..experts {
        ranks[lay.ep_rank_of(x, experts) as usize].push((x, 0));
    }
    let placement = vec![ranks; next as usize];
    let operators = Operators {
        prelude: vec![Operator::compute("embed".into(), Op::Embedding)],
        epilogue: vec![Operator::compute("lm_head".into(), Op::LmHead)],
        pre: (0..arch.layers).map(|l| vec![Operator::compute(format!("layer{l}_attn"), Op::Attention)]).collect(),
        post: Vec::new(),
    };
    let decode = meta.model.phase == Some(Phase::Decode);
    // Tokens each request brings to this step: its prompt in prefill, one in decode.
    let seq = if decode { Some(1) } else { meta.model.seq_len };

    let mut header = Plan::new(Format::Json);
    header.name = Some(format!("{}_{}", meta.model.name.as_deref().unwrap_or("model"), strategy));
    header.meta = filled_meta(meta, &arch, &lay);
    let sources = Sources::default();
    let design = Design {
        layout: lay,
        layers: arch.layers,
        first_moe: 0,
        moe_slots: Some(&slots),
        shared_experts: arch.shared_experts as u32,
        expert_share: None,
        experts,
        top_k: arch.top_k as u32,
        batch: meta.model.batch,
        seq,
        hidden: Some(arch.hidden),
        placement: &placement,
        operators: &operators,
        input: None,
        output: None,
        sources: &sources,
        style: Style { gpus_per_server: None, copy_ids: CopyIds::Always, dense: DenseFfn::Mlp },
    };
    Ok(deploy::build(header, &design).0)
}

/// The strategy's rules against the model and cluster, and the size of the result.
fn check(arch: &Arch, lay: &Layout, meta: &Meta, capacity: Capacity) -> Result<(), PlanError> {
    let needed = u64::from(lay.gpus());
    Limit::Gpus.check(needed).map_err(PlanError::Limit)?;
    if let Some(have) = meta.cluster.gpus.filter(|&g| u64::from(g) < needed) {
        return Err(PlanError::TooFewGpus { needed, have });
    }
    if !arch.experts.is_multiple_of(u64::from(lay.ep)) {
        return Err(PlanError::Indivisible { what: "experts", count: arch.experts, degree: "EP", by: lay.ep });
    }
    let heads = arch.attention.heads();
    if !heads.is_multiple_of(u64::from(lay.tp)) {
        return Err(PlanError::Indivisible { what: "attention heads", count: heads, degree: "TP", by: lay.tp });
    }
    // The experts are split over their own TP (ETP, or TP).
    if !arch.expert_hidden.is_multiple_of(u64::from(lay.etp)) {
        return Err(PlanError::Indivisible {
            what: "expert width",
            count: arch.expert_hidden,
            degree: if lay.folded { "ETP" } else { "TP" },
            by: lay.etp,
        });
    }
    if lay.pp > arch.layers {
        return Err(PlanError::TooMany { degree: "PP", by: lay.pp, what: "layers", count: u64::from(arch.layers) });
    }
    // Layers PP does not divide are split as vLLM splits them (`StageSplit`).
    StageSplit::of(arch.layers, lay.pp, lay.stages).map_err(PlanError::Stages)?;
    // Every DP rank needs a request: the replicas', or with folded experts the attention
    // groups' of every copy of the experts.
    let dp = if lay.folded { lay.groups.saturating_mul(lay.dp) } else { lay.dp };
    if let Some(batch) = meta.model.batch.filter(|&b| b < u64::from(dp)) {
        return Err(PlanError::TooMany { degree: "DP", by: dp, what: "requests", count: batch });
    }
    // Nodes: per replica and layer ~6 per GPU of the stage (operators, gate, aggregation,
    // collectives), plus every expert shard of the MoE layers.
    let stage_gpus = u64::from(lay.stage());
    let per_layer = stage_gpus.saturating_mul(6);
    let shards = arch.experts.saturating_mul(u64::from(lay.etp)).saturating_mul(u64::from(arch.moe_layers()));
    let nodes =
        u64::from(lay.dp).saturating_mul(per_layer.saturating_mul(u64::from(arch.layers)).saturating_add(shards));
    if nodes > capacity.built_nodes() {
        return Err(PlanError::TooLarge { nodes, capacity });
    }
    Ok(())
}

/// The meta written into the plan: what was given, with the strategy, the GPU count and
/// the layer counts filled in.
fn filled_meta(meta: &Meta, arch: &Arch, lay: &Layout) -> Meta {
    let mut m = meta.clone();
    m.strategy_name = m.strategy.map(|s| s.to_string());
    m.cluster.gpus = Some(meta.cluster.gpus.unwrap_or(lay.gpus()));
    m.model.moe_layers = Some(arch.moe_layers());
    if m.model.layer_pattern.is_none() {
        m.model.layer_pattern = Some(arch.pattern.clone());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::model_preset;
    use crate::model::Strategy;

    fn meta(strategy: Option<&str>) -> Meta {
        let mut m = Meta { strategy: strategy.map(|s| Strategy::parse(s).unwrap()), ..Meta::default() };
        m.model = model_preset("qwen3-30b-a3b").unwrap().spec();
        m
    }

    #[test]
    fn refusals_are_typed() {
        assert_eq!(plan_from(&meta(None), Capacity::Native).unwrap_err(), PlanError::MissingStrategy);
        let mut m = meta(Some("EP8"));
        m.model.vocab = None;
        assert!(matches!(plan_from(&m, Capacity::Native), Err(PlanError::Missing(_))));
        let mut m = meta(Some("EP8"));
        m.model.layers = Some(u32::MAX);
        assert!(matches!(plan_from(&m, Capacity::Native), Err(PlanError::Limit(_))));
        let mut m = meta(Some("EP8_DP4"));
        m.model.batch = Some(2);
        assert_eq!(plan_from(&m, Capacity::Native).unwrap_err().to_string(), "DP4 is more than the 2 requests");
        // With two copies of the folded experts, DP counts the groups of both copies.
        let mut m = meta(Some("EP2_TP2_DP4_ETP2"));
        m.model.batch = Some(3);
        assert_eq!(plan_from(&m, Capacity::Native).unwrap_err().to_string(), "DP4 is more than the 3 requests");
        // DeepSeek-V3 over EP64·TP8·DP8 (4,096 GPUs) is about 2 million nodes: the command
        // builds it, a page (4 GB of wasm memory in all) refuses it before building.
        let mut m = meta(Some("EP64_TP8_DP8"));
        m.model = model_preset("deepseek-v3").unwrap().spec();
        assert_eq!(
            plan_from(&m, Capacity::PAGE).unwrap_err().to_string(),
            "the plan would hold about 2,449,408 nodes, past the 1,333,333 nodes a browser page holds (the command \
             goes further) (rewrite output nodes)"
        );
        // Folded experts (an ETP) whose EP·ETP GPUs do not tile a stage's TP·DP in whole DP
        // groups: refused, as the rewriter refuses them.
        let m = meta(Some("EP16_TP8_ETP1"));
        assert_eq!(
            plan_from(&m, Capacity::Native).unwrap_err().to_string(),
            "planscope cannot build expert TP ETP1 with EP·ETP = 16 expert GPUs on a stage of TP·DP = 8 (it \
             builds them when EP·ETP divides the stage into whole DP groups) yet; it builds EP·TP·PP·DP deployments, \
             and experts folded onto TP·DP (ETP) in whole DP groups"
        );
    }

    /// DeepSeek-V3 deployed as `strategy`, which verifies clean.
    fn deepseek_v3(strategy: &str) -> Plan {
        let mut m = meta(Some(strategy));
        m.model = model_preset("deepseek-v3").unwrap().spec();
        let plan = plan_from(&m, Capacity::Native).unwrap();
        let report = crate::check::verify(&plan, &crate::check::VerifyOptions::default());
        assert!(report.errors().next().is_none(), "{strategy}: {:?}", report.findings);
        plan
    }

    #[test]
    fn vllm_expert_parallel_folds_the_experts_onto_the_attentions_gpus() {
        // vllm serve … -tp 8 -dp 2 --enable-expert-parallel: 16 GPUs, two TP8 attention
        // groups, 16 EP ranks of whole experts on the same GPUs.
        let plan = deepseek_v3("EP16_TP8_DP2_ETP1");
        assert_eq!(plan.meta.cluster.gpus, Some(16));
        let layer = |op: Op, l: u32| plan.nodes.iter().filter(move |n| n.op == Some(op.clone()) && n.layer == Some(l));
        // Layer 3 is DeepSeek-V3's first MoE layer: 256 whole experts, 16 per GPU.
        let experts: Vec<_> = layer(Op::Expert, 3).collect();
        assert_eq!(experts.len(), 256);
        let gpu_of = |n: &crate::model::Node| n.placement.gpu_set().ranges()[0].0;
        assert_eq!((gpu_of(experts[0]), gpu_of(experts[255])), (0, 15));
        // One dispatch and one combine over all 16 GPUs, a TP all-reduce per DP group, and
        // the all-gather that restores each group's tokens.
        let a2a: Vec<_> = layer(Op::AllToAll, 3).map(|n| n.placement.gpu_set().len()).collect();
        assert_eq!(a2a, [16, 16]);
        assert_eq!(layer(Op::AllGather, 3).count(), 2);
        assert!(layer(Op::AllReduce, 3).all(|n| n.placement.gpu_set().len() == 8));
    }

    #[test]
    fn expert_data_parallel_holds_a_copy_of_the_experts_per_group_of_dp_ranks() {
        // Megatron-Core's EP inside DP: EP32 on a stage of TP8·DP8 = 64 GPUs is two copies of
        // the experts, each serving four DP groups (32 GPUs) with its own all-to-alls.
        let plan = deepseek_v3("EP32_TP8_DP8_ETP1");
        assert_eq!(plan.meta.cluster.gpus, Some(64));
        let layer = |op: Op| plan.nodes.iter().filter(move |n| n.op == Some(op.clone()) && n.layer == Some(3));
        let gpu_of = |n: &crate::model::Node| n.placement.gpu_set().ranges()[0].0;
        let experts: Vec<_> = layer(Op::Expert).collect();
        assert_eq!(experts.len(), 2 * 256);
        // Expert 0 on GPU 0 in the first copy and on GPU 32 in the second.
        let e0: Vec<u32> = experts.iter().filter(|n| n.expert == Some(0)).map(|n| gpu_of(n)).collect();
        assert_eq!(e0, [0, 32]);
        let a2a: Vec<_> = layer(Op::AllToAll).map(|n| (n.placement.gpu_set().len(), gpu_of(n))).collect();
        assert_eq!(a2a, [(32, 0), (32, 0), (32, 32), (32, 32)]);
        // Eight DP groups in all, each with its attention all-reduce, ranked by the global DP
        // rank; copy 1's first group is DP rank 4.
        let ar: Vec<_> =
            layer(Op::AllReduce).filter(|n| n.id.contains("allreduce_attn")).filter_map(|n| n.ranks.dp).collect();
        assert_eq!(ar, (0..8).collect::<Vec<u32>>());
        let gate = layer(Op::Gate).find(|n| gpu_of(n) == 32).unwrap();
        assert_eq!((gate.ranks.dp, gate.id.as_str()), (Some(4), "layer3_gate_dp0_tp0_edp1"));
    }

    #[test]
    fn the_cluster_view_ranks_each_gpu_as_the_built_nodes_on_it_say() {
        // Two copies of the experts on each of two pipeline stages; the cluster view reads
        // the GPU's ranks from the strategy alone.
        for strategy in ["EP4_TP2_PP2_DP4_ETP1", "EP8_TP2_PP2_DP4_ETP1", "EP4_TP2_PP2", "EP2_TP8_DP4_ETP1_DPATTN"] {
            let plan = plan_from(&meta(Some(strategy)), Capacity::Native).unwrap();
            let s = plan.meta.strategy;
            let report = crate::check::verify(&plan, &crate::check::VerifyOptions::default());
            assert!(report.errors().next().is_none(), "{strategy}: {:?}", report.findings);
            let grid = crate::cluster::build(&plan, &report, s);
            for n in plan.nodes.iter().filter(|n| n.op == Some(Op::Gate)) {
                let g = n.placement.gpu_set().ranges()[0].0;
                let c = grid.cell(g).unwrap();
                assert_eq!((c.dp, c.pp, c.ep), (n.ranks.dp, n.ranks.pp, n.ranks.ep), "{strategy}: {}", n.id);
            }
        }
    }

    #[test]
    fn sglang_dp_attention_runs_one_dp_rank_per_gpu_beside_the_experts() {
        // --tp 8 --dp 8 --enable-dp-attention --ep 8: 8 GPUs, each its own DP rank of attention
        // (TP1: no attention all-reduce), 32 whole experts each, one dispatch over all 8.
        let plan = deepseek_v3("EP8_TP8_DP8_ETP1_DPATTN");
        assert_eq!(plan.meta.cluster.gpus, Some(8));
        let count = |op: Op| plan.nodes.iter().filter(|n| n.op == Some(op.clone()) && n.layer == Some(3)).count();
        assert_eq!((count(Op::Attention), count(Op::Expert), count(Op::AllToAll)), (8, 256, 2));
        assert_eq!((count(Op::AllReduce), count(Op::AllGather)), (0, 0));
        // DP attention with experts split over TP (no ETP) is not built.
        let m = meta(Some("EP1_TP8_DP8_DPATTN"));
        assert!(plan_from(&m, Capacity::Native).unwrap_err().to_string().contains("DP-attention (DP8 inside TP8)"));
    }

    #[test]
    fn every_layer_and_expert_is_deployed() {
        let plan = plan_from(&meta(Some("EP8_TP2")), Capacity::Native).unwrap();
        let experts = plan.nodes.iter().filter(|n| n.op == Some(Op::Expert)).count();
        // 48 MoE layers × 128 experts × TP2 shards.
        assert_eq!(experts, 48 * 128 * 2);
        assert_eq!(plan.meta.cluster.gpus, Some(16));
        assert_eq!(plan.meta.model.moe_layers, Some(48));
    }
}
