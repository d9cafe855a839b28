//! Parallel degrees as the DAG shows them (not as the plan declares them): how many
//! expert, tensor, pipeline and data-parallel ranks its nodes actually spread over.

use super::NodeRoles;
use crate::model::{Op, Plan};
use serde::Serialize;
// foldhash: these sets take every node's ranks, a million inserts on the largest plans.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Degrees seen in the DAG; None where the DAG gives no evidence either way.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Degrees {
    pub ep: Option<u32>,
    pub tp: Option<u32>,
    pub pp: Option<u32>,
    pub dp: Option<u32>,
    /// Most distinct experts any one layer holds.
    pub experts_per_layer: Option<u32>,
    /// Distinct layer indices.
    pub layers: Option<u32>,
    /// The expert count a router's output shape names (`num_experts=64` in a gate's
    /// label): a statement of the model's size, where `experts_per_layer` is a count of
    /// the expert nodes drawn.
    pub experts_named: Option<u32>,
}

/// Dimension names that count experts, as the corpus's gate shapes write them.
const EXPERT_DIMS: [&str; 4] = ["num_experts", "n_experts", "n_routed_experts", "experts"];

/// The expert count a gate's or router's output shape names.
fn named_experts(node: &crate::model::Node, r: &NodeRoles) -> Option<u32> {
    if !matches!(r.op, Some(Op::Gate | Op::Route)) {
        return None;
    }
    let dims = node.output.as_ref()?;
    dims.0.iter().find_map(|d| {
        let name = d.name.as_deref()?.to_ascii_lowercase();
        EXPERT_DIMS.contains(&name.as_str()).then_some(d.size).flatten().and_then(|n| u32::try_from(n).ok())
    })
}

/// Infers degrees from node roles (one entry per node of `plan`, as from `node_roles`).
pub fn infer_degrees(plan: &Plan, roles: &[NodeRoles]) -> Degrees {
    let mut tp = HashSet::new();
    let mut ep = HashSet::new();
    let mut pp = HashSet::new();
    let mut dp = HashSet::new();
    let mut layers = HashSet::new();
    // Per layer: distinct experts and distinct GPUs hosting expert shards.
    let mut experts: HashMap<Option<u32>, HashSet<u32>> = HashMap::new();
    let mut expert_gpus: HashMap<Option<u32>, HashSet<u32>> = HashMap::new();
    let mut named: Option<u32> = None;
    for (node, r) in plan.nodes.iter().zip(roles) {
        if let Some(n) = named_experts(node, r) {
            named = Some(named.map_or(n, |m| m.max(n)));
        }
        r.ranks.tp.map(|v| tp.insert(v));
        r.ranks.ep.map(|v| ep.insert(v));
        r.ranks.pp.map(|v| pp.insert(v));
        r.ranks.dp.map(|v| dp.insert(v));
        r.layer.map(|v| layers.insert(v));
        if r.op == Some(Op::Expert) {
            if let Some(e) = r.expert {
                experts.entry(r.layer).or_default().insert(e);
            }
            if let Some(g) = node.placement.single() {
                expert_gpus.entry(r.layer).or_default().insert(g);
            }
        }
    }
    let count = |s: &HashSet<u32>| if s.is_empty() { None } else { Some(s.len() as u32) };
    let tp_deg = count(&tp);
    // EP ranks: explicit ranks, else GPUs hosting experts in one layer divided by TP.
    let ep_deg = count(&ep).or_else(|| {
        let gpus = expert_gpus.values().map(HashSet::len).max()? as u32;
        Some((gpus / tp_deg.unwrap_or(1)).max(1))
    });
    Degrees {
        ep: ep_deg,
        tp: tp_deg,
        pp: count(&pp).or_else(|| stages_from_layers(plan, roles)),
        dp: count(&dp),
        experts_per_layer: experts.values().map(|s| s.len() as u32).max(),
        layers: count(&layers),
        experts_named: named,
    }
}

/// Pipeline stages without explicit ranks: runs of consecutive layers whose GPU sets
/// do not overlap the next layer's.
fn stages_from_layers(plan: &Plan, roles: &[NodeRoles]) -> Option<u32> {
    let mut first_gpu: HashMap<u32, (u32, u32)> = HashMap::new();
    for (node, r) in plan.nodes.iter().zip(roles) {
        let (Some(l), Some(g)) = (r.layer, node.placement.gpu_set().first()) else { continue };
        let e = first_gpu.entry(l).or_insert((g, g));
        e.0 = e.0.min(g);
        e.1 = e.1.max(g);
    }
    if first_gpu.len() < 2 {
        return None;
    }
    let mut ls: Vec<_> = first_gpu.into_iter().collect();
    crate::sort::unstable(&mut ls);
    let mut stages = 1;
    for w in ls.windows(2) {
        let ((_, a), (_, b)) = (w[0], w[1]);
        if b.0 > a.1 || b.1 < a.0 {
            stages += 1;
        }
    }
    Some(stages)
}
