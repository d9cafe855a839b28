//! The plan as a graph: index-based adjacency built once per verification (node ids to
//! dense u32 indices, successor and predecessor lists, duplicate ids and dangling edges set
//! aside), and the graph algorithms the verifier and simulator share.

use crate::model::{EdgeKind, Node, Plan};
use foldhash::fast::RandomState;
use std::collections::HashMap;

/// A plan's edges resolved to node indices, once per plan: the verifier's graph and the
/// layout are both built from it, so a million ids are hashed once, not once per use (the
/// page analyses a plan, then lays it out). Duplicate ids resolve to their first node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EdgeIndex {
    /// Every edge whose endpoints both exist, in edge order: (from, to, index into
    /// `plan.edges`).
    pub links: Vec<(u32, u32, u32)>,
    /// Edges naming a node that is not declared, in edge order.
    pub dangling: Vec<Dangling>,
    /// (first index, repeated index) for every id seen again.
    pub duplicates: Vec<(u32, u32)>,
}

/// An edge naming a missing node: which edge, and which of its ends is missing (the
/// source when both are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dangling {
    pub edge: usize,
    pub missing_from: bool,
}

impl EdgeIndex {
    /// O(V + E) expected: one hash of each id, and a probe per edge end unless it is the
    /// node after the one looked up last (see `lookup`).
    pub fn of(plan: &Plan) -> EdgeIndex {
        let n = plan.nodes.len();
        let mut index: HashMap<&str, u32, RandomState> = HashMap::with_capacity_and_hasher(n, RandomState::default());
        let mut duplicates = Vec::new();
        for (i, node) in plan.nodes.iter().enumerate() {
            if let Some(&first) = index.get(node.id.as_str()) {
                duplicates.push((first, i as u32));
            } else {
                index.insert(node.id.as_str(), i as u32);
            }
        }
        let mut links = Vec::with_capacity(plan.edges.len());
        let mut dangling = Vec::new();
        let (mut last_from, mut last_to) = (Recent::default(), Recent::default());
        let unique = duplicates.is_empty();
        for (k, e) in plan.edges.iter().enumerate() {
            let (from, to) = (
                lookup(&index, &plan.nodes, unique, &mut last_from, &e.from),
                lookup(&index, &plan.nodes, unique, &mut last_to, &e.to),
            );
            match (from, to) {
                (Some(a), Some(b)) => links.push((a, b, k as u32)),
                _ => dangling.push(Dangling { edge: k, missing_from: from.is_none() }),
            }
        }
        EdgeIndex { links, dangling, duplicates }
    }
}

/// The plan as the verifier and simulator walk it.
pub struct Graph {
    pub succ: Adjacency,
    pub pred: Adjacency,
    /// (first index, repeated index) for every id seen again.
    pub duplicates: Vec<(u32, u32)>,
    /// Edges naming a missing node.
    pub dangling: Vec<Dangling>,
    /// Data edges between known nodes, as (from, to).
    pub data_edges: Vec<(u32, u32)>,
}

impl Graph {
    pub fn build(plan: &Plan) -> Graph {
        Graph::of(plan, &EdgeIndex::of(plan))
    }

    /// From the plan's edges as `edges` resolved them. O(V + E).
    pub fn of(plan: &Plan, edges: &EdgeIndex) -> Graph {
        let n = plan.nodes.len();
        let data_edges = edges
            .links
            .iter()
            .filter(|l| plan.edges.get(l.2 as usize).is_some_and(|e| e.kind == EdgeKind::Data))
            .map(|&(a, b, _)| (a, b))
            .collect();
        let succ = Adjacency::from_pairs(n, edges.links.iter().map(|&(a, b, _)| (a, b)));
        let pred = Adjacency::from_pairs(n, edges.links.iter().map(|&(a, b, _)| (b, a)));
        Graph { succ, pred, duplicates: edges.duplicates.clone(), dangling: edges.dangling.clone(), data_edges }
    }

    pub fn len(&self) -> usize {
        self.succ.len()
    }

    pub fn is_empty(&self) -> bool {
        self.succ.is_empty()
    }
}

/// Each node's neighbours in one flat array (compressed sparse rows): node `v`'s are
/// `adj[off[v]..off[v + 1]]`, in edge order. Two allocations for a whole plan, where a
/// `Vec` per node made two million for a million-node plan (most of building the graph,
/// in the page's profile).
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    off: Vec<usize>,
    adj: Vec<u32>,
}

impl Adjacency {
    /// From `(node, neighbour)` pairs (nodes below `n`; others are skipped), keeping their
    /// order within a node. O(n + pairs), by counting.
    pub fn from_pairs(n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Adjacency {
        let mut off = vec![0usize; n + 1];
        for (v, _) in pairs.clone() {
            if let Some(c) = off.get_mut(v as usize + 1).filter(|_| (v as usize) < n) {
                *c += 1;
            }
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut adj = vec![0u32; off[n]];
        for (v, w) in pairs {
            if let Some(slot) = fill.get_mut(v as usize).filter(|_| (v as usize) < n) {
                adj[*slot] = w;
                *slot += 1;
            }
        }
        Adjacency { off, adj }
    }

    /// Nodes covered.
    pub fn len(&self) -> usize {
        self.off.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every node's neighbours, by node.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.off.windows(2).map(|w| &self.adj[w[0]..w[1]])
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [u32];

    /// Node `v`'s neighbours (none for a node out of range).
    fn index(&self, v: usize) -> &[u32] {
        match (self.off.get(v), self.off.get(v + 1)) {
            (Some(&a), Some(&b)) => &self.adj[a..b],
            _ => &[],
        }
    }
}

/// The index of node `id`. Edges come in the order of their endpoints (a dispatch fans
/// out to experts listed one after another, a combine fans in, a layer's nodes repeat with
/// a fixed stride), so the node looked up last, the one after it and the one a stride
/// further are tried first, by comparing ids, before the map: a probe of a million-node map
/// is a cache miss (perf: most of `verify` on the 1M-node plan). On the generated 100k plan
/// these guesses answer 84% of the lookups (the first two alone: 74%). Only when ids are
/// unique, so the map's answer (an id's first node) is the only one. O(1).
fn lookup(
    index: &HashMap<&str, u32, RandomState>,
    nodes: &[Node],
    unique: bool,
    last: &mut Recent,
    id: &str,
) -> Option<u32> {
    if unique && let Some(prev) = last.at {
        for guess in [prev, prev.saturating_add(1), prev.saturating_add_signed(last.stride)] {
            if nodes.get(guess as usize).is_some_and(|n| n.id == id) {
                last.saw(guess);
                return Some(guess);
            }
        }
    }
    let at = index.get(id).copied();
    if let Some(i) = at {
        last.saw(i);
    }
    at
}

/// The node one end of the edges resolved to last, and the step from the one before.
#[derive(Default)]
struct Recent {
    at: Option<u32>,
    stride: i32,
}

impl Recent {
    fn saw(&mut self, i: u32) {
        if let Some(prev) = self.at
            && prev != i
        {
            self.stride = i32::try_from(i64::from(i) - i64::from(prev)).unwrap_or(0);
        }
        self.at = Some(i);
    }
}

/// One cycle as node indices in edge order (the last node has an edge back to the first),
/// found by an iterative depth-first search: no recursion, so a 100k-node chain cannot
/// overflow the stack. Linear in nodes plus edges.
pub fn find_cycle(succ: &Adjacency) -> Option<Vec<u32>> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let n = succ.len();
    let mut colour = vec![WHITE; n];
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for root in 0..n {
        if colour[root] != WHITE {
            continue;
        }
        colour[root] = GREY;
        stack.push((root as u32, 0));
        while let Some(top) = stack.last_mut() {
            let (v, next) = (top.0 as usize, top.1 as usize);
            if let Some(&w) = succ[v].get(next) {
                top.1 += 1;
                match colour[w as usize] {
                    WHITE => {
                        colour[w as usize] = GREY;
                        stack.push((w, 0));
                    }
                    GREY => {
                        let start = stack.iter().rposition(|&(x, _)| x == w).unwrap_or(0);
                        return Some(stack[start..].iter().map(|&(x, _)| x).collect());
                    }
                    _ => {}
                }
            } else {
                colour[v] = BLACK;
                stack.pop();
            }
        }
    }
    None
}

/// Kahn's topological order of the nodes not on or behind a cycle.
pub fn topo_order(succ: &Adjacency, pred: &Adjacency) -> Vec<u32> {
    let n = succ.len();
    let mut indeg: Vec<u32> = pred.iter().map(|p| p.len() as u32).collect();
    let mut order: Vec<u32> = (0..n as u32).filter(|&v| indeg[v as usize] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let v = order[head] as usize;
        head += 1;
        for &w in &succ[v] {
            let d = &mut indeg[w as usize];
            *d -= 1;
            if *d == 0 {
                order.push(w);
            }
        }
    }
    order
}

/// Weakly connected components: a component id per node, and the component count.
pub fn components(n: usize, succ: &Adjacency, extra: &[(u32, u32)]) -> (Vec<u32>, u32) {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut v: u32) -> u32 {
        while parent[v as usize] != v {
            let p = parent[parent[v as usize] as usize];
            parent[v as usize] = p;
            v = p;
        }
        v
    }
    let pairs = succ.iter().enumerate().flat_map(|(v, ws)| ws.iter().map(move |&w| (v as u32, w)));
    for (v, w) in pairs.chain(extra.iter().copied()) {
        {
            let (a, b) = (root(&mut parent, v), root(&mut parent, w));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut id = vec![u32::MAX; n];
    let mut comp = vec![0u32; n];
    let mut count = 0;
    for (v, c) in comp.iter_mut().enumerate() {
        let r = root(&mut parent, v as u32) as usize;
        if id[r] == u32::MAX {
            id[r] = count;
            count += 1;
        }
        *c = id[r];
    }
    (comp, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_keeps_edge_order_and_skips_strangers() {
        let pairs = [(2, 0), (0, 1), (2, 1), (0, 2), (9, 0)];
        let a = Adjacency::from_pairs(3, pairs.iter().copied());
        assert_eq!(a.len(), 3);
        assert_eq!(&a[0], &[1, 2]);
        assert_eq!(&a[1], &[] as &[u32]);
        assert_eq!(&a[2], &[0, 1]);
        assert_eq!(&a[7], &[] as &[u32]);
        assert_eq!(a.iter().map(<[u32]>::len).collect::<Vec<_>>(), [2, 0, 2]);
        assert!(Adjacency::from_pairs(0, std::iter::empty()).is_empty());
    }
}
