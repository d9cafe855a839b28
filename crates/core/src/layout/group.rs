//! Grouping: which plan nodes are drawn as one collapsed item. A series such as
//! expert_0 … expert_63 on the same rank (ids equal up to their numbers) folds into one
//! node, TensorBoard-style; or whole layers, pipeline stages, servers or DOT clusters
//! fold. Groups named in `expanded` are drawn member by member.
//!
//! Pass "group": O(V) hashing of one key per node, plus the labels (linear in the ids).

use super::index::{GroupIdx, IdxVec, ItemId, NodeIdx};
use super::{Grouping, LayoutOptions, prepare::Prepared};
use foldhash::fast::RandomState;
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

/// A node's group, before it is named: hashing these, not their ids as text, keeps
/// grouping a million nodes to a fraction of a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// A series: nodes of one rank (`None`: isolated) whose ids share a pattern.
    Series {
        rank: Option<u32>,
        pattern: u32,
    },
    Layer(u32),
    Stage(u32),
    Server(u32),
    Cluster(u32),
}

impl Key {
    fn of(p: &Prepared, grouping: Grouping, v: NodeIdx) -> Option<Key> {
        let info = &p.nodes[v];
        match grouping {
            Grouping::None => None,
            Grouping::Series => Some(Key::Series { rank: (!p.isolated[v]).then(|| p.rank[v]), pattern: info.pattern }),
            Grouping::Layer => info.layer.map(Key::Layer),
            Grouping::Stage => info.pp.map(Key::Stage),
            Grouping::Server => info.server.map(Key::Server),
            Grouping::Cluster => info.cluster.map(Key::Cluster),
        }
    }

    /// The group's id, stable across runs: what `LayoutOptions::expanded` names.
    fn id(self, p: &Prepared) -> String {
        let pattern = |i: u32| p.patterns.get(i as usize).map_or("", String::as_str);
        match self {
            Key::Series { rank: Some(r), pattern: i } => format!("series:{r}:{}", pattern(i)),
            Key::Series { rank: None, pattern: i } => format!("series:isolated:{}", pattern(i)),
            Key::Layer(l) => format!("layer:{l}"),
            Key::Stage(s) => format!("stage:{s}"),
            Key::Server(s) => format!("server:{s}"),
            Key::Cluster(c) => format!("cluster:{}", p.clusters.get(c as usize).map_or("", |c| c.0.as_str())),
        }
    }
}

pub(crate) fn assign(p: &Prepared, opts: &LayoutOptions) -> Assignment {
    let n = p.nodes.len();
    // Candidate groups, numbered by position in `candidates` (not yet `GroupIdx`: the
    // small ones are dropped below).
    let mut candidate_index: HashMap<Key, usize, RandomState> = HashMap::default();
    let mut candidates: Vec<(Key, Vec<NodeIdx>)> = Vec::new();
    let mut candidate_of: IdxVec<NodeIdx, Option<usize>> = IdxVec::filled(None, n);
    for v in p.nodes.indices() {
        if let Some(key) = Key::of(p, opts.grouping, v) {
            let g = *candidate_index.entry(key).or_insert_with(|| {
                candidates.push((key, Vec::new()));
                candidates.len() - 1
            });
            candidates[g].1.push(v);
            candidate_of[v] = Some(g);
        }
    }
    let candidates: Vec<GroupSpec> = candidates
        .into_iter()
        .map(|(key, members)| GroupSpec { id: key.id(p), label: String::new(), members, expanded: false })
        .collect();
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
    let parts: Vec<(bool, &str)> = digit_runs(first).collect();
    let mut lo: Vec<Option<u64>> = parts.iter().map(|(d, t)| if *d { t.parse().ok() } else { None }).collect();
    let mut hi = lo.clone();
    for id in ids {
        for (i, (d, t)) in digit_runs(id).enumerate() {
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

/// `s` cut into runs of ASCII digits and runs of anything else, as `(digits?, run)`. The
/// cuts fall between an ASCII byte and another byte, so always on a char boundary.
fn digit_runs(s: &str) -> impl Iterator<Item = (bool, &str)> {
    let bytes = s.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at;
        let digits = bytes.get(start)?.is_ascii_digit();
        while bytes.get(at).is_some_and(|b| b.is_ascii_digit() == digits) {
            at += 1;
        }
        Some((digits, s.get(start..at)?))
    })
}

/// The id with every run of digits replaced by `#`: members of a series share it.
/// Written into `out` (cleared first), so a caller walking many ids reuses one buffer.
pub(crate) fn pattern_into(id: &str, out: &mut String) {
    out.clear();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_labels_show_ranges() {
        let ids = ["expert_0_layer_3", "expert_7_layer_3", "expert_63_layer_3"];
        assert_eq!(series_label(ids.into_iter(), 3), "expert_[0–63]_layer_3 ×3");
        let mut pattern = String::from("left over");
        pattern_into("expert_12_layer_3", &mut pattern);
        assert_eq!(pattern, "expert_#_layer_#");
        assert_eq!(series_label(["é7ü", "é9ü"].into_iter(), 2), "é[7–9]ü ×2");
    }

    #[test]
    fn digit_runs_cover_the_text() {
        let runs: Vec<_> = digit_runs("ex12_ü3").collect();
        assert_eq!(runs, [(false, "ex"), (true, "12"), (false, "_ü"), (true, "3")]);
        assert_eq!(digit_runs("").count(), 0);
    }
}
