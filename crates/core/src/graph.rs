//! The plan as a graph: index-based adjacency built once per verification (node ids to
//! dense u32 indices, successor and predecessor lists, duplicate ids and dangling edges set
//! aside), and the graph algorithms the verifier and simulator share.

use crate::model::{EdgeKind, Node, Plan};
use foldhash::fast::RandomState;
use std::collections::HashMap;

pub struct Graph<'a> {
    pub index: HashMap<&'a str, u32, RandomState>,
    pub succ: Vec<Vec<u32>>,
    pub pred: Vec<Vec<u32>>,
    /// (first index, repeated index) for every id seen again.
    pub duplicates: Vec<(u32, u32)>,
    /// Indices into `plan.edges` of edges naming a missing node.
    pub dangling: Vec<usize>,
    /// Data edges between known nodes, as (from, to).
    pub data_edges: Vec<(u32, u32)>,
}

impl<'a> Graph<'a> {
    pub fn build(plan: &'a Plan) -> Graph<'a> {
        let n = plan.nodes.len();
        let mut index = HashMap::with_capacity_and_hasher(n, RandomState::default());
        let mut duplicates = Vec::new();
        for (i, node) in plan.nodes.iter().enumerate() {
            if let Some(&first) = index.get(node.id.as_str()) {
                duplicates.push((first, i as u32));
            } else {
                index.insert(node.id.as_str(), i as u32);
            }
        }
        let mut succ = vec![Vec::new(); n];
        let mut pred = vec![Vec::new(); n];
        let mut dangling = Vec::new();
        let mut data_edges = Vec::with_capacity(plan.edges.len());
        let (mut last_from, mut last_to) = (None, None);
        let unique = duplicates.is_empty();
        for (k, e) in plan.edges.iter().enumerate() {
            let (from, to) = (
                lookup(&index, &plan.nodes, unique, &mut last_from, &e.from),
                lookup(&index, &plan.nodes, unique, &mut last_to, &e.to),
            );
            match (from, to) {
                (Some(a), Some(b)) => {
                    succ[a as usize].push(b);
                    pred[b as usize].push(a);
                    if e.kind == EdgeKind::Data {
                        data_edges.push((a, b));
                    }
                }
                _ => dangling.push(k),
            }
        }
        Graph { index, succ, pred, duplicates, dangling, data_edges }
    }

    pub fn len(&self) -> usize {
        self.succ.len()
    }

    pub fn is_empty(&self) -> bool {
        self.succ.is_empty()
    }
}

/// The index of node `id`. Edges come in the order of their endpoints (a dispatch fans
/// out to experts listed one after another, a combine fans in), so the node looked up last
/// and the one after it are tried first, by comparing ids, before the map: a probe of a
/// million-node map is a cache miss (perf: most of `verify` on the 1M-node plan). Only
/// when ids are unique, so the map's answer (an id's first node) is the only one. O(1).
fn lookup(
    index: &HashMap<&str, u32, RandomState>,
    nodes: &[Node],
    unique: bool,
    last: &mut Option<u32>,
    id: &str,
) -> Option<u32> {
    if unique && let Some(prev) = *last {
        for guess in [prev, prev.saturating_add(1)] {
            if nodes.get(guess as usize).is_some_and(|n| n.id == id) {
                *last = Some(guess);
                return Some(guess);
            }
        }
    }
    let at = index.get(id).copied();
    if at.is_some() {
        *last = at;
    }
    at
}

/// One cycle as node indices in edge order (the last node has an edge back to the first),
/// found by an iterative depth-first search: no recursion, so a 100k-node chain cannot
/// overflow the stack. Linear in nodes plus edges.
pub fn find_cycle(succ: &[Vec<u32>]) -> Option<Vec<u32>> {
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
pub fn topo_order(succ: &[Vec<u32>], pred: &[Vec<u32>]) -> Vec<u32> {
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
pub fn components(n: usize, succ: &[Vec<u32>], extra: &[(u32, u32)]) -> (Vec<u32>, u32) {
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
