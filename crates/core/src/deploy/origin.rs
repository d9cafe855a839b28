//! Provenance: which source node each built node was built for. The builder records it as
//! it writes each node, so the before → after correspondence is data, never recovered
//! from how ids are spelled (ids may be renamed, deduplicated or chosen by the source).

use crate::model::Ranks;
use foldhash::HashMap;

/// The built plan's record of where its nodes came from, both ways. Indices are node
/// positions: `source` in the plan that was rewritten, `built` in the plan the builder wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins {
    /// Per built node: the source node it was built for (None: nothing in the source, e.g.
    /// a collective the source lacked, or every node of a generated plan).
    source: Vec<Option<u32>>,
    /// The inverse, grouped by source node: `built[start[s]..start[s + 1]]`, ascending.
    start: Vec<u32>,
    built: Vec<u32>,
    /// Per source node with no built node of its own: the source node it was folded into
    /// (per-GPU copies of one operator become one template; extra gates share the first's).
    folded: HashMap<u32, u32>,
}

impl Origins {
    /// `source[i]` is built node i's source among `sources` source nodes; `folded` lists
    /// (source node, the one whose built nodes stand for it). Out-of-range indices are dropped.
    pub fn new(mut source: Vec<Option<u32>>, sources: usize, folded: impl IntoIterator<Item = (u32, u32)>) -> Origins {
        for s in &mut source {
            if s.is_some_and(|s| s as usize >= sources) {
                *s = None;
            }
        }
        let mut start = vec![0u32; sources + 1];
        for s in source.iter().flatten() {
            start[*s as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut built = vec![0u32; start[sources] as usize];
        for (i, s) in source.iter().enumerate() {
            if let Some(s) = s {
                built[next[*s as usize] as usize] = i as u32;
                next[*s as usize] += 1;
            }
        }
        let folded = folded.into_iter().filter(|&(a, b)| (a as usize) < sources && (b as usize) < sources).collect();
        Origins { source, start, built, folded }
    }

    /// Nodes of the built plan.
    pub fn built_len(&self) -> usize {
        self.source.len()
    }

    /// Nodes of the source plan.
    pub fn source_len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// The source node built node `built` was built for.
    pub fn source_of(&self, built: u32) -> Option<u32> {
        self.source.get(built as usize).copied().flatten()
    }

    /// The built nodes standing for source node `source`, ascending: those built for it,
    /// else those built for the node it was folded into.
    pub fn built_from(&self, source: u32) -> &[u32] {
        let own = self.own(source);
        match self.folded.get(&source) {
            Some(&f) if own.is_empty() => self.own(f),
            _ => own,
        }
    }

    fn own(&self, s: u32) -> &[u32] {
        match (self.start.get(s as usize), self.start.get(s as usize + 1)) {
            (Some(&a), Some(&b)) => &self.built[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// What a built node of the MoE block, or a stage boundary, stands for: what the
/// rewriter looks its source node up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    Gate,
    Dispatch,
    /// A shard of expert n (None: the source names no expert number).
    Expert(Option<u32>),
    /// The TP all-reduce after attention, and the one after the experts.
    AllReduceAttn,
    AllReduceMoe,
    Combine,
    Aggregate,
    SendRecv,
}

/// A role in a layer (None: the source names no layer) on an EP and TP rank.
type OnRanks = (Role, Option<u32>, Option<u32>, Option<u32>);

/// The source's replaced nodes (gates, collectives, experts, aggregations, send/recv) by
/// role and target layer, for the builder to record as origins. Empty for the generator.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    /// (role, layer, EP rank, TP rank) → first source node: a per-GPU node finds its own.
    exact: HashMap<OnRanks, u32>,
    /// (role, layer) → first source node.
    any: HashMap<(Role, Option<u32>), u32>,
    /// (source node, the first of its role and layer), for nodes no built node may pick.
    folded: Vec<(u32, u32)>,
}

impl Sources {
    /// Records source node `index` as a `role` node of target layer `layer` (None: the
    /// source does not say, so it stands for every layer).
    pub fn add(&mut self, role: Role, layer: Option<u32>, ranks: Ranks, index: u32) {
        let first = *self.any.entry((role, layer)).or_insert(index);
        if first != index {
            self.folded.push((index, first));
        }
        self.exact.entry((role, layer, ranks.ep, ranks.tp)).or_insert(index);
    }

    /// The source node a built `role` node of `layer` on `ranks` was built for: the one on
    /// the same ranks, else the first of its role in that layer, else one that names no layer;
    /// an expert shard falls back to a source expert with no number.
    pub fn find(&self, role: Role, layer: Option<u32>, ranks: Ranks) -> Option<u32> {
        if self.any.is_empty() {
            return None;
        }
        let roles = match role {
            Role::Expert(Some(_)) => [Some(role), Some(Role::Expert(None))],
            _ => [Some(role), None],
        };
        for r in roles.into_iter().flatten() {
            for l in [layer, None] {
                if let Some(&i) = self.exact.get(&(r, l, ranks.ep, ranks.tp)).or_else(|| self.any.get(&(r, l))) {
                    return Some(i);
                }
                if l.is_none() {
                    break;
                }
            }
        }
        None
    }

    /// Records that source node `index` was merged into `into` (a second plan input).
    pub fn fold(&mut self, index: u32, into: u32) {
        self.folded.push((index, into));
    }

    pub fn folded(&self) -> &[(u32, u32)] {
        &self.folded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_groups_built_nodes_by_source() {
        let o = Origins::new(vec![Some(1), None, Some(1), Some(0), Some(9)], 3, [(2, 1)]);
        assert_eq!(o.built_from(1), &[0, 2]);
        assert_eq!(o.built_from(0), &[3]);
        assert_eq!(o.built_from(2), &[0, 2], "folded into 1");
        assert_eq!(o.built_from(7), &[] as &[u32]);
        assert_eq!(o.source_of(4), None, "out of range");
        assert_eq!(o.source_of(2), Some(1));
        assert_eq!((o.built_len(), o.source_len()), (5, 3));
    }

    #[test]
    fn sources_prefer_same_ranks_then_layer_then_unlayered() {
        let mut s = Sources::default();
        let r = |e, t| Ranks { ep: Some(e), tp: Some(t), ..Ranks::default() };
        s.add(Role::Gate, Some(0), r(0, 0), 10);
        s.add(Role::Gate, Some(0), r(1, 0), 11);
        s.add(Role::Expert(None), None, Ranks::default(), 20);
        assert_eq!(s.find(Role::Gate, Some(0), r(1, 0)), Some(11));
        assert_eq!(s.find(Role::Gate, Some(0), r(5, 1)), Some(10));
        assert_eq!(s.find(Role::Gate, Some(1), r(0, 0)), None);
        assert_eq!(s.find(Role::Expert(Some(3)), Some(4), r(0, 0)), Some(20));
        assert_eq!(s.folded(), &[(11, 10)]);
    }
}
