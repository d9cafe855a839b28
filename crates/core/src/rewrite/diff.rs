//! The reviewable difference between the source plan and the rewrite, as data: nodes
//! added, removed, moved between GPUs or changed in place, and edges rewired; grouped by id
//! pattern (`expert_<e>_<t>_layer_<l>`) so 2048 new shards are one group. Each group keeps
//! all its node ids; how many to show is the views' business (`crate::view`). The text the
//! CLI prints is a renderer over this data (`diff_text.rs`).

use crate::model::{GpuSet, Node, NodeKind, Placement, Plan};
// foldhash: a million-node rewrite's diff hashes every id and edge of both plans (std's
// SipHash there was a fifth of rewriting the generated 1M-node plan).
use foldhash::{HashMap, HashMapExt, HashSet};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub id: String,
    pub from: String,
    pub to: String,
}

/// What a group of the required modifications does, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Remove,
    Add,
    Move,
    Change,
    Rewire,
}

impl Action {
    pub const ALL: [Action; 5] = [Action::Remove, Action::Add, Action::Move, Action::Change, Action::Rewire];

    /// The heading of the action's groups.
    pub fn title(self) -> &'static str {
        match self {
            Action::Remove => "Remove",
            Action::Add => "Add",
            Action::Move => "Move",
            Action::Change => "Change in place",
            Action::Rewire => "Rewire",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Action::Remove => "remove",
            Action::Add => "add",
            Action::Move => "move",
            Action::Change => "change",
            Action::Rewire => "rewire",
        }
    }
}

/// What the nodes of a group are, named from their op (else their kind).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum What {
    ExpertShard,
    AllToAll,
    AllReduce,
    SendRecv,
    Aggregation,
    Gate,
    LmHead,
    /// Any other op (`attention`, `layer norm`) or, without an op, the node kind.
    Other(String),
}

/// Whether a rewire group's edges were added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeChange {
    Removed,
    Added,
}

/// Like nodes under one action, or like edges rewired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DiffGroup {
    /// Nodes removed, added or changed in place (`action` is never `Move` or `Rewire`),
    /// with the GPUs they run on.
    Nodes {
        action: Action,
        pattern: String,
        what: What,
        nodes: Vec<String>,
        #[serde(serialize_with = "gpu_ranges")]
        gpus: GpuSet,
    },
    /// Nodes moved from the GPUs in `from` to those in `to`.
    Moved {
        pattern: String,
        what: What,
        nodes: Vec<String>,
        #[serde(serialize_with = "gpu_ranges")]
        from: GpuSet,
        #[serde(serialize_with = "gpu_ranges")]
        to: GpuSet,
    },
    /// Edges between two id patterns (`(missing node)` for an end that is not a node).
    Edges { change: EdgeChange, from: String, to: String, count: usize },
    /// The edges of the kinds past the largest `EDGE_KINDS`, in one group; `kinds` names
    /// each as `from → to`.
    OtherEdges { change: EdgeChange, kinds: Vec<String>, count: usize },
}

impl DiffGroup {
    pub fn action(&self) -> Action {
        match self {
            DiffGroup::Nodes { action, .. } => *action,
            DiffGroup::Moved { .. } => Action::Move,
            DiffGroup::Edges { .. } | DiffGroup::OtherEdges { .. } => Action::Rewire,
        }
    }

    /// Changes the group stands for: its nodes, or its edges.
    pub fn count(&self) -> usize {
        match self {
            DiffGroup::Nodes { nodes, .. } | DiffGroup::Moved { nodes, .. } => nodes.len(),
            DiffGroup::Edges { count, .. } | DiffGroup::OtherEdges { count, .. } => *count,
        }
    }

    /// The node ids of the group (none for edges).
    pub fn nodes(&self) -> &[String] {
        match self {
            DiffGroup::Nodes { nodes, .. } | DiffGroup::Moved { nodes, .. } => nodes,
            DiffGroup::Edges { .. } | DiffGroup::OtherEdges { .. } => &[],
        }
    }
}

fn gpu_ranges<S: Serializer>(set: &GpuSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(set.ranges())
}

/// A meta field the rewrite sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MetaField {
    Strategy,
    ClusterGpus,
    ModelLayers,
    ModelExperts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MetaChange {
    /// `None` where the field was or becomes unset.
    Field { field: MetaField, old: Option<String>, new: Option<String> },
    /// Only the given constants (cluster and model figures) changed.
    Constants,
}

/// What the rewriter did that the groups do not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Note {
    /// A second input or output node, merged into the first.
    SecondEnd { id: String, kind: NodeKind },
    /// A node of a layer the target does not have.
    LayerDropped { id: String, layer: u32, layers: u32 },
    /// Source nodes folded into one copy per GPU of their stage, named
    /// `{template}_ep<e>_tp<t>` (and `_dp<d>` with `dp`), or `{template}_dp<d>_tp<t>` with
    /// `folded` experts (and `_edp<c>` with `dp`: several copies of the experts;
    /// `deploy::Layout::gpu_tag`, `step::dp_suffix`).
    PerGpuCopies { sources: Vec<String>, template: String, dp: bool, folded: bool },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub moved: Vec<Moved>,
    /// Same id and GPU, other fields changed (op, kind, shape, label, ranks, attrs).
    pub changed: Vec<String>,
    pub edges_added: usize,
    pub edges_removed: usize,
    /// The first edges added and removed (at most 64 each), as (from, to).
    pub edges_added_sample: Vec<(String, String)>,
    pub edges_removed_sample: Vec<(String, String)>,
    pub groups: Vec<DiffGroup>,
    pub notes: Vec<Note>,
    /// Meta fields (strategy, GPU count, layers, experts) that changed.
    pub meta: Vec<MetaChange>,
}

const SAMPLE: usize = 64;
/// Rewire groups listed one by one per change (added, removed); the rest are one group.
pub const EDGE_KINDS: usize = 12;

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.moved.is_empty()
            && self.changed.is_empty()
            && self.edges_added == 0
            && self.edges_removed == 0
            && self.meta.is_empty()
    }

    /// Every change: nodes added, removed, moved and changed, edges added and removed,
    /// meta fields set.
    pub fn changes(&self) -> usize {
        self.added.len()
            + self.removed.len()
            + self.moved.len()
            + self.changed.len()
            + self.edges_added
            + self.edges_removed
            + self.meta.len()
    }

    /// The groups of one action, in the order they were found.
    pub fn groups_of(&self, action: Action) -> impl Iterator<Item = &DiffGroup> {
        self.groups.iter().filter(move |g| g.action() == action)
    }
}

fn what(n: &Node) -> What {
    // The rewriter sets every op it writes; only source nodes need their roles inferred.
    let op = if n.op.is_some() { n.op.clone() } else { crate::infer::node_roles(n).op };
    match op.as_ref().map(|o| o.name()) {
        Some("expert") => What::ExpertShard,
        Some("all_to_all") => What::AllToAll,
        Some("all_reduce") => What::AllReduce,
        Some("send_recv") => What::SendRecv,
        Some("aggregate") => What::Aggregation,
        Some("gate") => What::Gate,
        Some("lm_head") => What::LmHead,
        Some(name) if !matches!(op, Some(crate::model::Op::Other(_))) => What::Other(name.replace('_', " ")),
        _ => What::Other(n.kind.as_str().to_string()),
    }
}

/// `expert_3_1_layer_0` → `expert_<e>_<t>_layer_<l>`; `pp_send_s0_ep2_tp1` → `pp_send_s<s>_ep<e>_tp<t>`.
pub fn pattern(id: &str) -> String {
    let b = id.as_bytes();
    let mut out = String::with_capacity(id.len() + 8);
    let mut word = String::new();
    let mut nums_after_word = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let name = match (word.as_str(), nums_after_word) {
                ("expert" | "experts" | "exp", 0) => "e",
                ("expert" | "experts" | "exp", 1) => "t",
                ("layer" | "l", 0) => "l",
                ("ep", 0) => "e",
                ("tp", 0) => "t",
                ("dp", 0) => "d",
                ("pp" | "s" | "stage", 0) => "s",
                ("r", 0) => "r",
                ("gpu" | "g", 0) => "g",
                _ => "n",
            };
            nums_after_word += 1;
            out.push('<');
            out.push_str(name);
            out.push('>');
        } else if b[i].is_ascii_alphabetic() {
            let s = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            word = id[s..i].to_ascii_lowercase();
            nums_after_word = 0;
            out.push_str(&id[s..i]);
        } else {
            let ch = id[i..].chars().next().unwrap_or('_');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// A group being collected: its node ids and the GPU ranges they run on (and move to).
#[derive(Default)]
struct Acc {
    nodes: Vec<String>,
    ranges: Vec<(u32, u32)>,
    to_ranges: Vec<(u32, u32)>,
}

impl Acc {
    fn add(&mut self, id: &str, from: &Placement, to: Option<&Placement>) {
        self.nodes.push(id.to_string());
        push_ranges(&mut self.ranges, from);
        if let Some(t) = to {
            push_ranges(&mut self.to_ranges, t);
        }
    }

    fn finish(self, action: Action, pattern: String, what: What) -> DiffGroup {
        let set = |mut r: Vec<(u32, u32)>| {
            crate::sort::unstable(&mut r);
            let mut s = GpuSet::empty();
            for (a, b) in r {
                s.insert_range(a, b);
            }
            s
        };
        let nodes = self.nodes;
        match action {
            Action::Move => DiffGroup::Moved { pattern, what, nodes, from: set(self.ranges), to: set(self.to_ranges) },
            action => DiffGroup::Nodes { action, pattern, what, nodes, gpus: set(self.ranges) },
        }
    }
}

fn push_ranges(v: &mut Vec<(u32, u32)>, p: &Placement) {
    match p {
        Placement::Gpus(s) => v.extend_from_slice(s.ranges()),
        Placement::Transfer { from, to } => {
            v.extend_from_slice(from.ranges());
            v.extend_from_slice(to.ranges());
        }
        _ => {}
    }
}

fn same_except_placement(a: &Node, b: &Node) -> bool {
    a.kind == b.kind
        && a.op == b.op
        && a.label == b.label
        && a.inputs == b.inputs
        && a.output == b.output
        && a.layer == b.layer
        && a.expert == b.expert
        && a.ranks == b.ranks
        && a.group == b.group
        && a.attrs == b.attrs
}

pub fn diff(src: &Plan, out: &Plan, notes: Vec<Note>) -> Diff {
    let src_by_id: HashMap<&str, &Node> = src.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let out_ids: HashSet<&str> = out.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut d = Diff { notes, ..Diff::default() };
    // Groups keyed by (action, pattern, what), in first-seen order; patterns are
    // computed once per node and interned, so edges group by two integers.
    let mut group_of: HashMap<(Action, u32, What), usize> = HashMap::new();
    let mut groups: Vec<((Action, u32, What), Acc)> = Vec::new();
    let mut pat_index: HashMap<String, u32> = HashMap::new();
    let mut pats: Vec<String> = Vec::new();
    let mut node_pat: HashMap<&str, u32> = HashMap::with_capacity(src.nodes.len() + out.nodes.len());
    let mut intern = |id: &str| -> u32 {
        let p = pattern(id);
        match pat_index.get(&p) {
            Some(&i) => i,
            None => {
                let i = pats.len() as u32;
                pats.push(p.clone());
                pat_index.insert(p, i);
                i
            }
        }
    };
    let mut add = |action: Action, pat: u32, n: &Node, to: Option<&Placement>| {
        let key = (action, pat, what(n));
        let pos = match group_of.get(&key) {
            Some(&p) => p,
            None => {
                group_of.insert(key.clone(), groups.len());
                groups.push((key, Acc::default()));
                groups.len() - 1
            }
        };
        groups[pos].1.add(&n.id, &n.placement, to);
    };
    for n in &src.nodes {
        let p = intern(&n.id);
        node_pat.insert(n.id.as_str(), p);
        if !out_ids.contains(n.id.as_str()) {
            d.removed.push(n.id.clone());
            add(Action::Remove, p, n, None);
        }
    }
    for n in &out.nodes {
        let old = src_by_id.get(n.id.as_str());
        let p = match old {
            Some(_) => node_pat.get(n.id.as_str()).copied().unwrap_or(0),
            None => intern(&n.id),
        };
        node_pat.insert(n.id.as_str(), p);
        match old {
            None => {
                d.added.push(n.id.clone());
                add(Action::Add, p, n, None);
            }
            Some(old) if old.placement != n.placement => {
                d.moved.push(Moved { id: n.id.clone(), from: old.placement.to_string(), to: n.placement.to_string() });
                add(Action::Move, p, old, Some(&n.placement));
            }
            Some(old) if !same_except_placement(old, n) => {
                d.changed.push(n.id.clone());
                add(Action::Change, p, n, None);
            }
            Some(_) => {}
        }
    }
    let key = |e: &crate::model::Edge| (e.from.clone(), e.to.clone());
    let src_edges: HashSet<(&str, &str)> = src.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let out_edges: HashSet<(&str, &str)> = out.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let pat_of = |id: &str| node_pat.get(id).copied();
    let mut edge_groups: HashMap<(EdgeChange, Option<u32>, Option<u32>), usize> = HashMap::new();
    for e in &out.edges {
        if !src_edges.contains(&(e.from.as_str(), e.to.as_str())) {
            d.edges_added += 1;
            if d.edges_added_sample.len() < SAMPLE {
                d.edges_added_sample.push(key(e));
            }
            *edge_groups.entry((EdgeChange::Added, pat_of(&e.from), pat_of(&e.to))).or_default() += 1;
        }
    }
    for e in &src.edges {
        if !out_edges.contains(&(e.from.as_str(), e.to.as_str())) {
            d.edges_removed += 1;
            if d.edges_removed_sample.len() < SAMPLE {
                d.edges_removed_sample.push(key(e));
            }
            *edge_groups.entry((EdgeChange::Removed, pat_of(&e.from), pat_of(&e.to))).or_default() += 1;
        }
    }
    let name = |p: Option<u32>| p.and_then(|i| pats.get(i as usize)).map_or("(missing node)", String::as_str);
    let mut rewired: BTreeMap<(EdgeChange, String, String), usize> = BTreeMap::new();
    for ((k, a, b), c) in edge_groups {
        *rewired.entry((k, name(a).to_string(), name(b).to_string())).or_default() += c;
    }
    for ((action, p, what), acc) in groups {
        d.groups.push(acc.finish(action, pats.get(p as usize).cloned().unwrap_or_default(), what));
    }
    // Edge groups: the largest few of each change, then one group for the rest.
    for change in [EdgeChange::Removed, EdgeChange::Added] {
        let mut v: Vec<(&String, &String, usize)> =
            rewired.iter().filter(|((k, _, _), _)| *k == change).map(|((_, a, b), &c)| (a, b, c)).collect();
        crate::sort::sort_by(&mut v, |x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        for &(from, to, count) in v.iter().take(EDGE_KINDS) {
            d.groups.push(DiffGroup::Edges { change, from: from.clone(), to: to.clone(), count });
        }
        if v.len() > EDGE_KINDS {
            let rest = &v[EDGE_KINDS..];
            d.groups.push(DiffGroup::OtherEdges {
                change,
                kinds: rest.iter().map(|(a, b, _)| format!("{a} → {b}")).collect(),
                count: rest.iter().map(|x| x.2).sum(),
            });
        }
    }
    d.meta = meta_changes(src, out);
    d
}

fn meta_changes(src: &Plan, out: &Plan) -> Vec<MetaChange> {
    let (a, b) = (&src.meta, &out.meta);
    let mut v = Vec::new();
    let mut cmp = |field: MetaField, old: Option<String>, new: Option<String>| {
        if old != new {
            v.push(MetaChange::Field { field, old, new });
        }
    };
    let text = |x: Option<u32>| x.map(|x| x.to_string());
    cmp(MetaField::Strategy, a.strategy.map(|s| s.to_string()), b.strategy.map(|s| s.to_string()));
    cmp(MetaField::ClusterGpus, text(a.cluster.gpus), text(b.cluster.gpus));
    cmp(MetaField::ModelLayers, text(a.model.layers), text(b.model.layers));
    cmp(MetaField::ModelExperts, text(a.model.experts), text(b.model.experts));
    if v.is_empty() && a != b {
        v.push(MetaChange::Constants);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::model::Strategy;
    use crate::read::read_plan;
    use crate::rewrite::{Target, rewrite};

    fn counted(d: &Diff, action: Action) -> usize {
        d.groups_of(action).map(DiffGroup::count).sum()
    }

    fn ids(d: &Diff, action: Action) -> Vec<String> {
        d.groups_of(action).flat_map(|g| g.nodes().iter().cloned()).collect()
    }

    #[test]
    fn the_seed_rewritten_to_ep64_tp2_is_typed_groups_that_count_every_node() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let d = rewrite(&plan, &Target::new(Strategy::parse("EP64_TP2").unwrap())).unwrap().diff;
        // Every node added, removed or moved is in exactly one group of its action.
        assert_eq!(counted(&d, Action::Add), d.added.len());
        assert_eq!(counted(&d, Action::Remove), d.removed.len());
        assert_eq!(counted(&d, Action::Move), d.moved.len());
        assert_eq!(counted(&d, Action::Change), d.changed.len());
        assert_eq!(counted(&d, Action::Rewire), d.edges_added + d.edges_removed);
        let mut added = ids(&d, Action::Add);
        added.sort();
        let mut expected = d.added.clone();
        expected.sort();
        assert_eq!(added, expected);
        assert_eq!(d.changes(), d.added.len() + d.removed.len() + d.edges_added + d.edges_removed + d.meta.len());
        // The 2048 expert shards are one group that keeps every id and names its GPUs.
        let shards = d
            .groups
            .iter()
            .find(|g| matches!(g, DiffGroup::Nodes { action: Action::Add, what: What::ExpertShard, .. }))
            .expect("a group of added expert shards");
        let DiffGroup::Nodes { pattern, nodes, gpus, .. } = shards else { unreachable!() };
        assert_eq!(pattern, "expert_<e>_<t>_layer_<l>");
        assert_eq!(nodes.len(), 2048);
        assert_eq!((gpus.first(), gpus.last(), gpus.len()), (Some(0), Some(127), 128));
        assert!(d.groups.iter().any(|g| matches!(
            g,
            DiffGroup::Nodes { action: Action::Remove, what: What::ExpertShard, nodes, .. } if nodes == &["expert_2"]
        )));
        assert!(d.notes.iter().any(|n| matches!(n, Note::PerGpuCopies { template, .. } if template == "embed_1")));
        // The CLI's text is a rendering of those groups.
        assert!(d.render_text().contains(&format!("  - {shards}\n")));
        assert!(
            shards.to_string().starts_with("add 2048 expert shards expert_<e>_<t>_layer_<l> (expert_0_0_layer_0, ")
        );
    }

    #[test]
    fn a_node_on_another_gpu_is_a_move_group_from_to() {
        let src = read_plan("digraph { in -> a -> out; a [label=\"A\\nGPU: 0\"] }").unwrap();
        let out = read_plan("digraph { in -> a -> out; a [label=\"A\\nGPU: 3\"] }").unwrap();
        let d = diff(&src, &out, Vec::new());
        assert_eq!(d.moved.len(), 1);
        assert_eq!(counted(&d, Action::Move), 1);
        let g = d.groups_of(Action::Move).next().unwrap();
        assert!(
            matches!(g, DiffGroup::Moved { from, to, .. } if from == &GpuSet::single(0) && to == &GpuSet::single(3))
        );
        assert!(g.to_string().ends_with(": GPUs 0 → 3"), "{g}");
    }

    #[test]
    fn patterns_name_their_numbers() {
        assert_eq!(pattern("expert_3_1_layer_0"), "expert_<e>_<t>_layer_<l>");
        assert_eq!(pattern("pp_send_s0_ep2_tp1_dp1"), "pp_send_s<s>_ep<e>_tp<t>_dp<d>");
        assert_eq!(pattern("comm_1"), "comm_<n>");
    }
}
