//! Grouping: which plan nodes are drawn as one collapsed item. A series such as
//! expert_0 … expert_63 on the same rank (ids equal up to their numbers) folds into one
//! node, TensorBoard-style; or whole layers, pipeline stages, servers or DOT clusters
//! fold. Groups named in `expanded` are drawn member by member.
//!
//! Pass "group": O(V) hashing of one key per node, plus the labels (linear in the ids).

use super::index::{GroupIdx, IdxVec, ItemId, NodeIdx};
use super::{Grouping, LayoutOptions, prepare::Prepared};
use std::collections::HashMap;

/// What one drawn item stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemOf {
    Node(NodeIdx),
    /// One of `Assignment::groups`.
    Group(GroupIdx),
}

pub(crate) struct GroupSpec {
    pub id: String,
    pub label: String,
    pub members: Vec<NodeIdx>,
    pub expanded: bool,
}

pub(crate) struct Assignment {
    pub item_of_node: IdxVec<NodeIdx, ItemId>,
    pub items: IdxVec<ItemId, ItemOf>,
    pub groups: IdxVec<GroupIdx, GroupSpec>,
}

/// Groups with fewer members than this stay as plain nodes: folding two nodes saves little.
const MIN_MEMBERS: usize = 2;

pub(crate) fn assign(p: &Prepared, opts: &LayoutOptions) -> Assignment {
    let n = p.nodes.len();
    // Per node: its group key (as text, so the id is stable across runs), if any.
    let key_of = |v: NodeIdx| -> Option<String> {
        let info = &p.nodes[v];
        match opts.grouping {
            Grouping::None => None,
            Grouping::Series => {
                let rank = if p.isolated[v] { "isolated".to_string() } else { p.rank[v].to_string() };
                Some(format!("series:{rank}:{}", p.patterns[info.pattern as usize]))
            }
            Grouping::Layer => info.layer.map(|l| format!("layer:{l}")),
            Grouping::Stage => info.pp.map(|s| format!("stage:{s}")),
            Grouping::Server => info.server.map(|s| format!("server:{s}")),
            Grouping::Cluster => info.cluster.map(|c| format!("cluster:{}", p.clusters[c as usize].0)),
        }
    };
    // Candidate groups, numbered by position in `candidates` (not yet `GroupIdx`: the
    // small ones are dropped below).
    let mut candidate_index: HashMap<String, usize> = HashMap::new();
    let mut candidates: Vec<GroupSpec> = Vec::new();
    let mut candidate_of: IdxVec<NodeIdx, Option<usize>> = IdxVec::filled(None, n);
    for v in p.nodes.indices() {
        if let Some(key) = key_of(v) {
            let g = match candidate_index.get(&key) {
                Some(&g) => g,
                None => {
                    let g = candidates.len();
                    candidate_index.insert(key.clone(), g);
                    candidates.push(GroupSpec { id: key, label: String::new(), members: Vec::new(), expanded: false });
                    g
                }
            };
            candidates[g].members.push(v);
            candidate_of[v] = Some(g);
        }
    }
    // Keep only groups worth folding; renumber densely in first-member order.
    let min =
        if opts.grouping == Grouping::Series { opts.min_series.max(MIN_MEMBERS as u32) as usize } else { MIN_MEMBERS };
    let mut kept_as: Vec<Option<GroupIdx>> = vec![None; candidates.len()];
    let mut kept: IdxVec<GroupIdx, GroupSpec> = IdxVec::new();
    for (g, spec) in candidates.into_iter().enumerate() {
        if spec.members.len() >= min {
            kept_as[g] = Some(kept.push(spec));
        }
    }
    let node_group: IdxVec<NodeIdx, Option<GroupIdx>> =
        candidate_of.iter().map(|c| c.and_then(|g| kept_as[g])).collect();
    for spec in kept.iter_mut() {
        spec.expanded = opts.expanded.contains(&spec.id);
        spec.label = label(p, opts.grouping, spec);
    }
    let mut item_of_node: IdxVec<NodeIdx, ItemId> = IdxVec::filled(ItemId(0), n);
    let mut items = IdxVec::with_capacity(n);
    let mut group_item: IdxVec<GroupIdx, Option<ItemId>> = IdxVec::filled(None, kept.len());
    for v in p.nodes.indices() {
        match node_group[v] {
            Some(g) if !kept[g].expanded => {
                item_of_node[v] = *group_item[g].get_or_insert_with(|| items.push(ItemOf::Group(g)));
            }
            _ => item_of_node[v] = items.push(ItemOf::Node(v)),
        }
    }
    Assignment { item_of_node, items, groups: kept }
}

fn label(p: &Prepared, mode: Grouping, g: &GroupSpec) -> String {
    let count = g.members.len();
    let tail = g.id.split_once(':').map(|(_, t)| t).unwrap_or(&g.id);
    match mode {
        Grouping::Series => series_label(g.members.iter().map(|&v| p.ids[v].as_str()), count),
        Grouping::Layer => format!("layer {tail} ×{count}"),
        Grouping::Stage => format!("stage {tail} ×{count}"),
        Grouping::Server => format!("server {tail} ×{count}"),
        Grouping::Cluster => {
            let name = p.clusters.iter().find(|c| c.0 == tail).map(|c| c.1.as_str()).unwrap_or(tail);
            format!("{name} ×{count}")
        }
        Grouping::None => tail.to_string(),
    }
}

/// `expert_[0–63]_layer_3 ×64`: the numbers that differ across members become ranges.
/// Members share the id's pattern, so their digit runs line up one to one.
pub(crate) fn series_label<'a>(mut ids: impl Iterator<Item = &'a str>, count: usize) -> String {
    let Some(first) = ids.next() else { return String::new() };
    let parts = split_digits(first);
    let mut lo: Vec<Option<u64>> = parts.iter().map(|(d, t)| if *d { t.parse().ok() } else { None }).collect();
    let mut hi = lo.clone();
    for id in ids {
        for (i, (d, t)) in split_digits(id).into_iter().enumerate() {
            if d && i < lo.len() {
                let x: Option<u64> = t.parse().ok();
                lo[i] = match (lo[i], x) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    _ => None,
                };
                hi[i] = match (hi[i], x) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
        }
    }
    let mut out = String::new();
    for (i, (d, t)) in parts.iter().enumerate() {
        match (d, lo[i], hi[i]) {
            (true, Some(a), Some(b)) if a != b => out.push_str(&format!("[{a}–{b}]")),
            _ => out.push_str(t),
        }
    }
    format!("{out} ×{count}")
}

fn split_digits(s: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in s.char_indices() {
        let d = c.is_ascii_digit();
        if prev.is_some_and(|p| p != d) {
            parts.push((prev.unwrap_or(false), &s[start..i]));
            start = i;
        }
        prev = Some(d);
    }
    if let Some(d) = prev {
        parts.push((d, &s[start..]));
    }
    parts
}

/// The id with every run of digits replaced by `#`: members of a series share it.
pub(crate) fn pattern(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut in_digits = false;
    for c in id.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_labels_show_ranges() {
        let ids = ["expert_0_layer_3", "expert_7_layer_3", "expert_63_layer_3"];
        assert_eq!(series_label(ids.into_iter(), 3), "expert_[0–63]_layer_3 ×3");
        assert_eq!(pattern("expert_12_layer_3"), "expert_#_layer_#");
    }
}
