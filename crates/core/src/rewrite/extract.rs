//! What survives from the source plan. Plan input and output keep their ids and fields;
//! every compute operator that is not part of the MoE block (embedding, norms, attention,
//! projections, residuals, heads, unknown ops) becomes a *template* that the builder
//! copies onto every GPU of its stage. Experts, gates, routers, aggregations and
//! collectives are rebuilt from the strategy, so they are not kept.
//!
//! Per-GPU copies of one operator in the source (`gpu3_mha_qkv`, `layer0_attn_ep2_tp1`)
//! collapse into one template: numbers after rank words are ignored when comparing.
//! The output's copies collapse back to the same templates, which makes the rewrite
//! idempotent.
//!
//! The replaced nodes are indexed by their role in the MoE block (`Sources`), so each node
//! the builder writes in their place can record the one it was built for.

use super::target::Dims;
use crate::deploy::{Role, Sources};
use crate::infer::{NodeRoles, node_roles};
use crate::model::{Node, NodeKind, Op, Placement, Plan};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub(crate) struct Template {
    /// The id copies are named after (`<id>_ep<e>_tp<t>`), rank numbers removed.
    pub id: String,
    /// The first source node of the template: kind, op, label, group and attrs.
    pub node: Node,
    /// Indices of the source nodes folded into this template; the first is `node`.
    pub sources: Vec<u32>,
}

#[derive(Debug, Default)]
pub(crate) struct Kept {
    /// The plan's ends, with their index in the source.
    pub input: Option<(Node, u32)>,
    pub output: Option<(Node, u32)>,
    /// Before the first layer (embedding) and after the last (LM head).
    pub prelude: Vec<Template>,
    pub epilogue: Vec<Template>,
    /// Per target layer: operators before the MoE block and after it.
    pub pre: Vec<Vec<Template>>,
    pub post: Vec<Vec<Template>>,
    /// Source nodes that could not be kept, with why (shown in the diff).
    pub notes: Vec<super::Note>,
    /// The replaced nodes (gates, collectives, experts, aggregations) by role and layer.
    pub sources: Sources,
}

impl Kept {
    /// Every template, prelude to epilogue.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.prelude.iter().chain(&self.epilogue).chain(self.pre.iter().flatten()).chain(self.post.iter().flatten())
    }
}

/// Words whose following number is a rank or GPU index, not part of an operator's name.
const RANK_WORDS: &[&str] = &["gpu", "gpus", "ep", "tp", "dp", "rank", "device", "dev", "replica", "shard", "card"];

fn is_replaced(node: &Node, r: &NodeRoles) -> bool {
    matches!(node.kind, NodeKind::Communication | NodeKind::Aggregation)
        || matches!(node.placement, Placement::Transfer { .. })
        || r.op.as_ref().is_some_and(|op| {
            op.is_collective() || matches!(op, Op::Expert | Op::Gate | Op::Route | Op::Split | Op::Aggregate)
        })
}

fn first_line(node: &Node) -> &str {
    node.label.as_deref().and_then(|l| l.lines().next()).unwrap_or("").trim()
}

fn io_kind(node: &Node) -> Option<NodeKind> {
    if matches!(node.kind, NodeKind::Input | NodeKind::Output) {
        return Some(node.kind);
    }
    if !matches!(node.placement, Placement::Host | Placement::Unassigned) {
        return None;
    }
    let text = format!("{} {}", node.id, first_line(node)).to_ascii_lowercase();
    if text.contains("input") {
        Some(NodeKind::Input)
    } else if text.contains("output") {
        Some(NodeKind::Output)
    } else {
        None
    }
}

/// Splits text into (word, number) runs and replaces numbers after rank words by `#`
/// (`mode = Hash`) or drops the pair with its separator (`mode = Drop`).
fn strip_ranks(text: &str, drop: bool) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() {
            let s = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &text[s..i];
            // Optional `:`/space/`=` between word and number (`GPU: 3`, `TP=1`).
            let mut j = i;
            while j < b.len() && matches!(b[j], b':' | b' ' | b'=') {
                j += 1;
            }
            let ds = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let ends = j == b.len() || !b[j].is_ascii_alphabetic();
            if j > ds && ends && RANK_WORDS.contains(&word.to_ascii_lowercase().as_str()) {
                if drop {
                    while out.ends_with(['_', '-']) {
                        out.pop();
                    }
                } else {
                    out.push_str(word);
                    out.push('#');
                }
                i = j;
            } else {
                out.push_str(word);
            }
        } else {
            // Multi-byte characters are copied whole.
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The id copies are named after: rank and GPU numbers removed (`gpu3_mha_qkv` → `mha_qkv`,
/// `layer0_attn_ep2_tp1` → `layer0_attn`); the id itself when nothing would remain.
pub(crate) fn base_id(id: &str) -> String {
    let s = strip_ranks(id, true);
    let s = s.trim_matches(['_', '-', ' ']);
    if s.is_empty() || !s.chars().any(|c| c.is_ascii_alphanumeric()) { id.to_string() } else { s.to_string() }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Slot {
    Prelude,
    Pre(u32),
    Post(u32),
    Epilogue,
}

pub(crate) fn extract(plan: &Plan, dims: &Dims) -> Kept {
    let roles: Vec<NodeRoles> = plan.nodes.iter().map(node_roles).collect();
    let mut kept = Kept {
        pre: vec![Vec::new(); dims.layers as usize],
        post: vec![Vec::new(); dims.layers as usize],
        ..Kept::default()
    };
    // Source layer numbers onto target layers: by rank when the counts match
    // (files number layers from 1), else as written.
    // Inserted, not collected: `collect` into a set links a sort of its own (crate::sort).
    let mut src_layers = BTreeSet::new();
    src_layers.extend(roles.iter().filter_map(|r| r.layer));
    let by_rank = src_layers.len() as u32 == dims.layers;
    let rank_of: HashMap<u32, u32> = src_layers.iter().enumerate().map(|(i, &l)| (l, i as u32)).collect();
    let map_layer =
        |l: u32| -> Option<u32> { if by_rank { rank_of.get(&l).copied() } else { (l < dims.layers).then_some(l) } };
    // Where each source layer's MoE block starts (first gate, router, dispatch or expert),
    // per DP replica (replicas follow one another in a file), and where the layered part
    // of the file starts, in file order.
    let mut moe_start: HashMap<(Option<u32>, Option<u32>), usize> = HashMap::new();
    let mut first_expert: HashMap<(Option<u32>, Option<u32>), usize> = HashMap::new();
    let mut first_layered = usize::MAX;
    for (i, r) in roles.iter().enumerate() {
        if r.layer.is_some() {
            first_layered = first_layered.min(i);
        }
        if r.op == Some(Op::Expert) {
            first_expert.entry((r.layer, r.ranks.dp)).or_insert(i);
        }
        if matches!(r.op, Some(Op::Expert | Op::Gate | Op::Route | Op::AllToAll)) {
            moe_start.entry((r.layer, r.ranks.dp)).or_insert(i);
            if r.layer.is_none() {
                first_layered = first_layered.min(i);
            }
        }
    }
    let (first_moe, first_x) = (moe_start.values().min().copied(), first_expert.values().min().copied());
    let mut index: HashMap<(Slot, String, String), usize> = HashMap::new();
    let mut slots: Vec<(Slot, Template)> = Vec::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    for (i, (node, r)) in plan.nodes.iter().zip(&roles).enumerate() {
        if let Some(kind) = io_kind(node) {
            let slot = if kind == NodeKind::Input { &mut kept.input } else { &mut kept.output };
            if slot.is_none() {
                let mut n = node.clone();
                // The plan's ends run on the host: GPUs named here may not exist in the target.
                if !matches!(n.placement, Placement::Host | Placement::Unassigned) {
                    n.placement = Placement::Host;
                }
                *slot = Some((n, i as u32));
            } else if let Some((_, first)) = slot {
                kept.sources.fold(i as u32, *first);
                kept.notes.push(super::Note::SecondEnd { id: node.id.clone(), kind });
            }
            continue;
        }
        if is_replaced(node, r) {
            let layer = match r.layer {
                Some(l) => match map_layer(l) {
                    Some(t) => Some(t),
                    None => continue,
                },
                None => None,
            };
            // Before the MoE block of its own layer, else of the unlayered one, else of the first.
            let before = |m: &HashMap<(Option<u32>, Option<u32>), usize>, first: Option<&usize>| {
                m.get(&(r.layer, r.ranks.dp)).or(m.get(&(None, r.ranks.dp))).or(first).is_none_or(|&m| i < m)
            };
            let role =
                role_of(node, r, before(&moe_start, first_moe.as_ref()), before(&first_expert, first_x.as_ref()));
            kept.sources.add(role, if role == Role::SendRecv { None } else { layer }, r.ranks, i as u32);
            continue;
        }
        let slot = match r.layer {
            _ if r.op == Some(Op::Embedding) => Slot::Prelude,
            _ if r.op == Some(Op::LmHead) => Slot::Epilogue,
            Some(l) => match map_layer(l) {
                Some(t) if moe_start.get(&(Some(l), r.ranks.dp)).is_some_and(|&m| i > m) => Slot::Post(t),
                Some(t) => Slot::Pre(t),
                None => {
                    kept.notes.push(super::Note::LayerDropped { id: node.id.clone(), layer: l, layers: dims.layers });
                    continue;
                }
            },
            None if i < first_layered => Slot::Prelude,
            None => Slot::Epilogue,
        };
        let text = match first_line(node) {
            "" => base_id(&node.id),
            l => strip_ranks(l, false),
        };
        let op = r.op.as_ref().map_or(String::new(), |o| o.name().to_string());
        let key = (slot, op, text);
        if let Some(&k) = index.get(&key) {
            slots[k].1.sources.push(i as u32);
            continue;
        }
        let mut id = base_id(&node.id);
        let mut n = 2;
        while used_ids.contains(&id) {
            id = format!("{}_{n}", base_id(&node.id));
            n += 1;
        }
        used_ids.insert(id.clone());
        let mut t = node.clone();
        t.op = r.op.clone();
        t.kind = NodeKind::Compute;
        index.insert(key, slots.len());
        slots.push((slot, Template { id, node: t, sources: vec![i as u32] }));
    }
    for (slot, t) in slots {
        match slot {
            Slot::Prelude => kept.prelude.push(t),
            Slot::Epilogue => kept.epilogue.push(t),
            Slot::Pre(l) => kept.pre[l as usize].push(t),
            Slot::Post(l) => kept.post[l as usize].push(t),
        }
    }
    kept
}

/// A replaced node's role in the MoE block: collectives before the layer's experts
/// dispatch, after them combine; all-reduces before the gate join attention shards.
fn role_of(node: &Node, r: &NodeRoles, before_moe: bool, before_experts: bool) -> Role {
    match &r.op {
        Some(Op::Expert) => Role::Expert(r.expert),
        Some(Op::Gate | Op::Route) => Role::Gate,
        Some(Op::Aggregate) => Role::Aggregate,
        Some(Op::SendRecv) => Role::SendRecv,
        _ if matches!(node.placement, Placement::Transfer { .. }) => Role::SendRecv,
        _ if node.kind == NodeKind::Aggregation => Role::Aggregate,
        Some(Op::AllReduce) if before_moe => Role::AllReduceAttn,
        Some(Op::AllReduce) => Role::AllReduceMoe,
        _ if before_experts => Role::Dispatch,
        _ => Role::Combine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_numbers_are_not_names() {
        assert_eq!(base_id("gpu3_mha_qkv"), "mha_qkv");
        assert_eq!(base_id("layer0_attn_ep2_tp1"), "layer0_attn");
        assert_eq!(base_id("layer1_ln1"), "layer1_ln1");
        assert_eq!(base_id("embed_ep0_tp0_dp1"), "embed");
        assert_eq!(base_id("gpu0"), "gpu0");
        assert_eq!(strip_ranks("GPU0: Q Linear (TP0)", false), "GPU#: Q Linear (TP#)");
        assert_eq!(strip_ranks("Layer 3 GPU: 5 é", false), "Layer 3 GPU# é");
    }
}
