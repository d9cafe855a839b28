//! Parallel degrees as the DAG shows them (not as the plan declares them): how many
//! expert, tensor, pipeline and data-parallel ranks its nodes actually spread over.

use super::NodeRoles;
use crate::model::{Op, Plan};
use serde::Serialize;
// foldhash: these sets take every node's ranks, a million inserts on the largest plans.
use foldhash::{HashMap, HashMapExt, HashSet};

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
    /// Distinct layer indices of expert nodes: the MoE layers drawn. Layers are counted
    /// from the experts because the experts' ids name them (`expert_3_1_layer_0`); a
    /// communication node's trailing number (`ep_routing_63`) may be its group's.
    pub moe_layers: Option<u32>,
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
    let [mut tp, mut ep, mut pp, mut dp, mut layers, mut moe_layers]: [Distinct; 6] = Default::default();
    // Per layer: distinct experts and distinct GPUs hosting expert shards.
    let mut experts: HashMap<Option<u32>, Distinct> = HashMap::new();
    let mut expert_gpus: HashMap<Option<u32>, Distinct> = HashMap::new();
    let mut named: Option<u32> = None;
    for (node, r) in plan.nodes.iter().zip(roles) {
        if let Some(n) = named_experts(node, r) {
            named = Some(named.map_or(n, |m| m.max(n)));
        }
        for (value, set) in [(r.ranks.tp, &mut tp), (r.ranks.ep, &mut ep), (r.ranks.pp, &mut pp), (r.ranks.dp, &mut dp)]
        {
            if let Some(v) = value {
                set.insert(v);
            }
        }
        if let Some(l) = r.layer {
            layers.insert(l);
        }
        if r.op == Some(Op::Expert) {
            if let Some(l) = r.layer {
                moe_layers.insert(l);
            }
            if let Some(e) = r.expert {
                experts.entry(r.layer).or_default().insert(e);
            }
            if let Some(g) = node.placement.single() {
                expert_gpus.entry(r.layer).or_default().insert(g);
            }
        }
    }
    let count = |s: &Distinct| if s.len() == 0 { None } else { Some(s.len() as u32) };
    let tp_deg = count(&tp);
    // EP ranks: explicit ranks, else GPUs hosting experts in one layer divided by TP.
    let ep_deg = count(&ep).or_else(|| {
        let gpus = expert_gpus.values().map(Distinct::len).max()? as u32;
        Some((gpus / tp_deg.unwrap_or(1)).max(1))
    });
    Degrees {
        ep: ep_deg,
        tp: tp_deg,
        pp: count(&pp).or_else(|| stages_from_layers(plan, roles)),
        dp: count(&dp),
        experts_per_layer: experts.values().map(|s| s.len() as u32).max(),
        layers: count(&layers),
        moe_layers: count(&moe_layers),
        experts_named: named,
    }
}

/// Distinct values: a bit each below 2^16 (ranks, layers, experts and most GPU ids are
/// small), a set for the rest. A million nodes' ranks are counted without hashing them
/// (hashing was most of `infer_degrees` in the page's profile). O(1) per insert.
#[derive(Default)]
struct Distinct {
    bits: Vec<u64>,
    small: usize,
    rest: HashSet<u32>,
}

impl Distinct {
    fn insert(&mut self, v: u32) {
        if v >= 1 << 16 {
            self.rest.insert(v);
            return;
        }
        let (word, bit) = ((v / 64) as usize, v % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & (1 << bit) == 0 {
            self.bits[word] |= 1 << bit;
            self.small += 1;
        }
    }

    fn len(&self) -> usize {
        self.small + self.rest.len()
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

#[cfg(test)]
mod distinct_tests {
    use super::Distinct;

    #[test]
    fn counts_each_value_once_small_or_large() {
        let mut d = Distinct::default();
        for v in [0, 63, 64, 0, 65_535, 65_536, 65_536, u32::MAX, 7, 63] {
            d.insert(v);
        }
        assert_eq!(d.len(), 7);
    }
}
