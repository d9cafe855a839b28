//! The reviewable difference between the source plan and the rewrite: nodes added,
//! removed, moved between GPUs or changed in place, and edges rewired; grouped by id
//! pattern (`expert_<e>_<t>_layer_<l>`) so 2048 new shards read as one line.

use crate::check::report::{gpu_ranges, span_names};
use crate::infer::node_roles;
use crate::model::{GpuSet, Node, Placement, Plan};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub id: String,
    pub from: String,
    pub to: String,
}

/// One line of the required-modifications list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffGroup {
    /// `add`, `remove`, `move`, `change` or `rewire`.
    pub action: &'static str,
    /// Ids with numbers named by what they count: `expert_<e>_<t>_layer_<l>`.
    pub pattern: String,
    /// What the nodes are (`expert shard`, `all-to-all`), from their op.
    pub what: String,
    pub count: usize,
    /// GPUs involved, as ranges (`0–127`); for moves, `from → to`.
    pub gpus: String,
    /// First ids of the group (at most 3) and the last.
    pub examples: Vec<String>,
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
    /// What the rewriter did that the lists do not show: source nodes folded into
    /// per-GPU copies, nodes that could not be kept.
    pub notes: Vec<String>,
    /// Meta fields (strategy, GPU count, layers, experts) that changed, as `field: old → new`.
    pub meta: Vec<String>,
}

const SAMPLE: usize = 64;

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

    /// The required-modifications list: one line per group of like nodes, then edges.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Required modifications: {} node(s) added, {} removed, {} moved, {} changed; {} edge(s) added, {} removed\n",
            self.added.len(),
            self.removed.len(),
            self.moved.len(),
            self.changed.len(),
            self.edges_added,
            self.edges_removed
        ));
        if self.is_empty() {
            out.push_str("  (none: the plan already has this form)\n");
            return out;
        }
        for m in &self.meta {
            out.push_str(&format!("  - set {m}\n"));
        }
        for (action, title) in [
            ("remove", "Remove"),
            ("add", "Add"),
            ("move", "Move"),
            ("change", "Change in place"),
            ("rewire", "Rewire"),
        ] {
            let groups: Vec<&DiffGroup> = self.groups.iter().filter(|g| g.action == action).collect();
            if groups.is_empty() {
                continue;
            }
            out.push_str(&format!("{title}:\n"));
            for g in groups {
                out.push_str("  - ");
                out.push_str(&render_group(g));
                out.push('\n');
            }
        }
        if !self.notes.is_empty() {
            out.push_str("Notes:\n");
            for n in &self.notes {
                out.push_str(&format!("  - {n}\n"));
            }
        }
        out
    }
}

fn render_group(g: &DiffGroup) -> String {
    let what = if g.count == 1 { g.what.clone() } else { plural(&g.what) };
    let ids = if g.count == 1 {
        g.examples.first().cloned().unwrap_or_default()
    } else {
        format!("{} ({})", g.pattern, g.examples.join(", "))
    };
    let count = if g.count == 1 { String::new() } else { format!("{} ", g.count) };
    let on = if g.gpus.is_empty() { String::new() } else { format!(" on GPUs {}", g.gpus) };
    match g.action {
        "move" => format!("move {count}{what} {ids}: GPUs {}", g.gpus),
        "rewire" => format!("{} {count}edge(s) {}", if g.what == "added" { "add" } else { "remove" }, g.pattern),
        a => format!("{a} {count}{what} {ids}{on}"),
    }
}

fn plural(w: &str) -> String {
    match w {
        "expert shard" => "expert shards".into(),
        "send/recv" => "send/recv nodes".into(),
        "all-to-all" => "all-to-all nodes".into(),
        "all-reduce" => "all-reduce nodes".into(),
        w if w.ends_with("node") || w.ends_with("head") || w.ends_with("gate") || w.ends_with("copy") => {
            if let Some(s) = w.strip_suffix("copy") { format!("{s}copies") } else { format!("{w}s") }
        }
        w => format!("{w} nodes"),
    }
}

fn what(n: &Node) -> String {
    // The rewriter sets every op it writes; only source nodes need their roles inferred.
    let op = if n.op.is_some() { n.op.clone() } else { node_roles(n).op };
    match op.as_ref().map(|o| o.name()) {
        Some("expert") => "expert shard".into(),
        Some("all_to_all") => "all-to-all".into(),
        Some("all_reduce") => "all-reduce".into(),
        Some("send_recv") => "send/recv".into(),
        Some("aggregate") => "aggregation node".into(),
        Some("gate") => "gate".into(),
        Some("lm_head") => "LM head".into(),
        Some(name) if !matches!(op, Some(crate::model::Op::Other(_))) => format!("{} node", name.replace('_', " ")),
        _ => format!("{} node", n.kind.as_str()),
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

#[derive(Default)]
struct Acc {
    count: usize,
    first: Vec<String>,
    last: Option<String>,
    gpus: GpuSet,
    to: GpuSet,
    ranges: Vec<(u32, u32)>,
    to_ranges: Vec<(u32, u32)>,
}

impl Acc {
    fn add(&mut self, id: &str, from: &Placement, to: Option<&Placement>) {
        self.count += 1;
        if self.first.len() < 3 {
            self.first.push(id.to_string());
        } else {
            self.last = Some(id.to_string());
        }
        push_ranges(&mut self.ranges, from);
        if let Some(t) = to {
            push_ranges(&mut self.to_ranges, t);
        }
    }

    fn finish(mut self) -> (usize, Vec<String>, String, String) {
        for (r, set) in [(&mut self.ranges, &mut self.gpus), (&mut self.to_ranges, &mut self.to)] {
            r.sort_unstable();
            for &(a, b) in r.iter() {
                set.insert_range(a, b);
            }
        }
        let mut ex = self.first;
        if let Some(l) = self.last {
            ex.push(format!("… {l}"));
        }
        let fmt = |s: &GpuSet| gpu_ranges(&s.iter().collect::<Vec<_>>());
        (self.count, ex, fmt(&self.gpus), fmt(&self.to))
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

pub fn diff(src: &Plan, out: &Plan, notes: Vec<String>) -> Diff {
    let src_by_id: HashMap<&str, &Node> = src.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let out_ids: HashSet<&str> = out.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut d = Diff { notes, ..Diff::default() };
    // Groups keyed by (action, pattern, what), in first-seen order; patterns are
    // computed once per node and interned, so edges group by two integers.
    let mut group_of: HashMap<(u8, u32, String), usize> = HashMap::new();
    let mut groups: Vec<((u8, u32, String), Acc)> = Vec::new();
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
    let mut add = |action: u8, pat: u32, n: &Node, to: Option<&Placement>| {
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
            add(0, p, n, None);
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
                add(1, p, n, None);
            }
            Some(old) if old.placement != n.placement => {
                d.moved.push(Moved { id: n.id.clone(), from: old.placement.to_string(), to: n.placement.to_string() });
                add(2, p, old, Some(&n.placement));
            }
            Some(old) if !same_except_placement(old, n) => {
                d.changed.push(n.id.clone());
                add(3, p, n, None);
            }
            Some(_) => {}
        }
    }
    let key = |e: &crate::model::Edge| (e.from.clone(), e.to.clone());
    let src_edges: HashSet<(&str, &str)> = src.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let out_edges: HashSet<(&str, &str)> = out.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let pat_of = |id: &str| node_pat.get(id).copied();
    let mut edge_groups: HashMap<(u8, Option<u32>, Option<u32>), usize> = HashMap::new();
    for e in &out.edges {
        if !src_edges.contains(&(e.from.as_str(), e.to.as_str())) {
            d.edges_added += 1;
            if d.edges_added_sample.len() < SAMPLE {
                d.edges_added_sample.push(key(e));
            }
            *edge_groups.entry((1, pat_of(&e.from), pat_of(&e.to))).or_default() += 1;
        }
    }
    for e in &src.edges {
        if !out_edges.contains(&(e.from.as_str(), e.to.as_str())) {
            d.edges_removed += 1;
            if d.edges_removed_sample.len() < SAMPLE {
                d.edges_removed_sample.push(key(e));
            }
            *edge_groups.entry((0, pat_of(&e.from), pat_of(&e.to))).or_default() += 1;
        }
    }
    let name = |p: Option<u32>| p.and_then(|i| pats.get(i as usize)).map_or("(missing node)", String::as_str);
    let mut rewired: BTreeMap<(u8, String), usize> = BTreeMap::new();
    for ((k, a, b), c) in edge_groups {
        *rewired.entry((k, format!("{} → {}", name(a), name(b)))).or_default() += c;
    }
    let groups: Vec<((u8, String, String), Acc)> = groups
        .into_iter()
        .map(|((a, p, w), acc)| ((a, pats.get(p as usize).cloned().unwrap_or_default(), w), acc))
        .collect();
    for ((action, pat, what), acc) in groups {
        let (count, examples, gpus, to) = acc.finish();
        let gpus = if action == 2 { format!("{} → {}", or_none(&gpus), or_none(&to)) } else { gpus };
        let action = ["remove", "add", "move", "change"][action as usize];
        d.groups.push(DiffGroup { action, pattern: pat, what, count, gpus, examples });
    }
    // Edge groups: the largest twelve of each kind, then one line for the rest.
    for kind in [0u8, 1] {
        let mut v: Vec<(&String, &usize)> =
            rewired.iter().filter(|((k, _), _)| *k == kind).map(|((_, p), c)| (p, c)).collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let what = if kind == 1 { "added" } else { "removed" };
        for &(p, &c) in v.iter().take(12) {
            d.groups.push(DiffGroup {
                action: "rewire",
                pattern: p.to_string(),
                what: what.into(),
                count: c,
                gpus: String::new(),
                examples: Vec::new(),
            });
        }
        if v.len() > 12 {
            let rest: usize = v[12..].iter().map(|x| *x.1).sum();
            let names: Vec<String> = v[12..].iter().map(|x| x.0.clone()).collect();
            d.groups.push(DiffGroup {
                action: "rewire",
                pattern: format!("of {} other kinds ({})", v.len() - 12, span_names(&names)),
                what: what.into(),
                count: rest,
                gpus: String::new(),
                examples: Vec::new(),
            });
        }
    }
    d.meta = meta_changes(src, out);
    d
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}

fn meta_changes(src: &Plan, out: &Plan) -> Vec<String> {
    let (a, b) = (&src.meta, &out.meta);
    let show = |v: Option<String>| v.unwrap_or_else(|| "unset".into());
    let mut v = Vec::new();
    let mut cmp = |name: &str, x: Option<String>, y: Option<String>| {
        if x != y {
            v.push(format!("{name}: {} → {}", show(x), show(y)));
        }
    };
    cmp("strategy", a.strategy.map(|s| s.to_string()), b.strategy.map(|s| s.to_string()));
    cmp("cluster.gpus", a.cluster.gpus.map(|x| x.to_string()), b.cluster.gpus.map(|x| x.to_string()));
    cmp("model.layers", a.model.layers.map(|x| x.to_string()), b.model.layers.map(|x| x.to_string()));
    cmp("model.experts", a.model.experts.map(|x| x.to_string()), b.model.experts.map(|x| x.to_string()));
    if v.is_empty() && a != b {
        v.push("other meta fields (the given constants)".into());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_their_numbers() {
        assert_eq!(pattern("expert_3_1_layer_0"), "expert_<e>_<t>_layer_<l>");
        assert_eq!(pattern("pp_send_s0_ep2_tp1_dp1"), "pp_send_s<s>_ep<e>_tp<t>_dp<d>");
        assert_eq!(pattern("comm_1"), "comm_<n>");
    }
}
