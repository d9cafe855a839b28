//! Index adjacency: plan node ids resolved to dense indices once, and compact
//! successor/predecessor lists (CSR) that every later phase walks without hashing.

use crate::model::Plan;
use std::collections::HashMap;

/// Compressed adjacency: the neighbours of `v` are `adj[off[v]..off[v + 1]]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    off: Vec<u32>,
    adj: Vec<u32>,
}

impl Csr {
    /// Builds from `(owner, value)` pairs; values keep the pairs' order within an owner,
    /// so the result is deterministic.
    pub(crate) fn build(n: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut off = vec![0u32; n + 1];
        for &(o, _) in pairs {
            off[o as usize + 1] += 1;
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut adj = vec![0u32; pairs.len()];
        for &(o, v) in pairs {
            let slot = &mut fill[o as usize];
            adj[*slot as usize] = v;
            *slot += 1;
        }
        Csr { off, adj }
    }

    pub(crate) fn of(&self, v: u32) -> &[u32] {
        let v = v as usize;
        match (self.off.get(v), self.off.get(v + 1)) {
            (Some(&a), Some(&b)) => &self.adj[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// A directed multigraph over `0..n`; `out`/`inc` hold edge indices into `edges`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Digraph {
    pub n: usize,
    pub edges: Vec<(u32, u32)>,
    pub out: Csr,
    pub inc: Csr,
}

impl Digraph {
    pub(crate) fn new(n: usize, edges: Vec<(u32, u32)>) -> Digraph {
        let outs: Vec<(u32, u32)> = edges.iter().enumerate().map(|(i, &(a, _))| (a, i as u32)).collect();
        let ins: Vec<(u32, u32)> = edges.iter().enumerate().map(|(i, &(_, b))| (b, i as u32)).collect();
        Digraph { n, out: Csr::build(n, &outs), inc: Csr::build(n, &ins), edges }
    }
}

/// The plan's edges with both endpoints resolved. A duplicate id resolves to its first
/// node (the later ones are still drawn, just unconnected); an edge naming a missing
/// node is left out of the drawing, since there is nothing to attach it to.
pub(crate) struct PlanEdges {
    /// `(from, to, plan edge index)`.
    pub resolved: Vec<(u32, u32, u32)>,
    pub dangling: u32,
}

pub(crate) fn resolve(plan: &Plan) -> PlanEdges {
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(plan.nodes.len());
    for (i, n) in plan.nodes.iter().enumerate() {
        index.entry(n.id.as_str()).or_insert(i as u32);
    }
    let mut resolved = Vec::with_capacity(plan.edges.len());
    let mut dangling = 0;
    for (i, e) in plan.edges.iter().enumerate() {
        match (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            (Some(&a), Some(&b)) => resolved.push((a, b, i as u32)),
            _ => dangling += 1,
        }
    }
    PlanEdges { resolved, dangling }
}
