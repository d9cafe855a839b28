//! The generated step: host input → per-GPU embedding → for each layer, per-GPU attention
//! (TP-sharded, batch split over EP ranks) and the MoE block `deploy` writes (or, with no
//! experts, a per-GPU MLP, its TP all-reduce and a residual); PP send/recv per GPU at
//! stage boundaries; per-GPU LM head → host output. DP replicas repeat it on their own
//! GPUs. Experts sit in contiguous blocks of experts / EP per rank; collectives are one
//! node per group.

use super::{GenSpec, Layout};
use crate::deploy::{self, CopyIds, DenseFfn, Design, Operator, Operators, Sources, Style};
use crate::model::{ClusterSpec, Format, Meta, ModelSpec, Op, Plan, Unbuilt};

/// Generates a correct plan for `spec`. Node counts grow as layers × (GPUs × (4 + experts/EP) + groups),
/// e.g. 61 layers × 256 experts at EP64·TP4 on 256 GPUs gives about 117k nodes.
/// The strategy's refinements that `deploy` cannot build (`Strategy::unbuilt`) are not
/// built here: callers with a strategy from outside use [`try_generate`], which refuses them.
pub fn generate(spec: &GenSpec) -> Plan {
    let lay = Layout::of(spec.strategy);
    let e_total = spec.experts;
    let moe = e_total > 0;
    let mut header = Plan::new(Format::Json);
    header.name = Some(format!("generated_{}", spec.strategy));
    header.meta = Meta {
        strategy: Some(spec.strategy),
        strategy_name: Some(spec.strategy.to_string()),
        cluster: ClusterSpec {
            gpus: Some(spec.gpus.unwrap_or(lay.gpus())),
            gpus_per_server: Some(spec.gpus_per_server),
            ..spec.cluster.clone()
        },
        model: ModelSpec {
            layers: Some(spec.layers),
            experts: moe.then_some(e_total),
            top_k: moe.then_some(spec.top_k),
            hidden: Some(spec.hidden),
            expert_hidden: Some(spec.expert_hidden),
            heads: Some(spec.heads),
            dtype: Some(spec.dtype),
            batch: Some(spec.batch),
            seq_len: Some(spec.seq),
            ..ModelSpec::default()
        },
    };
    let operators = Operators {
        prelude: vec![Operator::compute("embed".into(), Op::Embedding)],
        epilogue: vec![Operator::compute("lm_head".into(), Op::LmHead)],
        pre: (0..spec.layers).map(|l| vec![Operator::compute(format!("layer{l}_attn"), Op::Attention)]).collect(),
        post: Vec::new(),
    };
    // Contiguous blocks: expert x on the rank `Layout::ep_rank_of` names.
    let mut ranks: Vec<Vec<(u32, u32)>> = vec![Vec::new(); lay.ep as usize];
    for x in 0..e_total {
        ranks[lay.ep_rank_of(x, e_total) as usize].push((x, 0));
    }
    let placement = if moe { vec![ranks; spec.layers as usize] } else { Vec::new() };
    let sources = Sources::default();
    let design = Design {
        layout: lay,
        layers: spec.layers,
        first_moe: 0,
        moe_slots: None,
        experts: e_total,
        top_k: spec.top_k,
        batch: Some(spec.batch),
        seq: Some(spec.seq),
        hidden: Some(spec.hidden),
        placement: &placement,
        shared_experts: if moe { spec.shared_experts } else { 0 },
        expert_share: None,
        operators: &operators,
        input: None,
        output: None,
        sources: &sources,
        style: Style { gpus_per_server: None, copy_ids: CopyIds::Always, dense: DenseFfn::Mlp },
    };
    deploy::build(header, &design).0
}

/// [`generate`], or every refinement of the strategy `deploy` cannot build (CP, ETP apart
/// from TP, VPP, DP-attention, redundant experts), never a plan without them.
pub fn try_generate(spec: &GenSpec) -> Result<Plan, Vec<Unbuilt>> {
    let unbuilt = spec.strategy.unbuilt();
    if unbuilt.is_empty() { Ok(generate(spec)) } else { Err(unbuilt) }
}
