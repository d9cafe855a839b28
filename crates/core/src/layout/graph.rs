//! Index adjacency: plan node ids resolved to dense indices once, and compact
//! successor/predecessor lists (CSR) that every later pass walks without hashing.

use super::index::{EdgeIdx, Idx, IdxVec, LinkIdx, NodeIdx};
use crate::graph::EdgeIndex;
use std::marker::PhantomData;

/// Compressed adjacency: the values owned by `k` are `adj[off[k]..off[k + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Csr<K, V> {
    off: Vec<u32>,
    adj: Vec<V>,
    _key: PhantomData<fn(K) -> K>,
}

impl<K: Idx, V: Copy + Default> Csr<K, V> {
    /// Builds from `(owner, value)` pairs in O(n + pairs); values keep the pairs' order
    /// within an owner, so the result is deterministic.
    pub(crate) fn build(n: usize, pairs: &[(K, V)]) -> Csr<K, V> {
        let mut off = vec![0u32; n + 1];
        for &(o, _) in pairs {
            off[o.index() + 1] += 1;
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut adj = vec![V::default(); pairs.len()];
        for &(o, v) in pairs {
            let slot = &mut fill[o.index()];
            adj[*slot as usize] = v;
            *slot += 1;
        }
        Csr { off, adj, _key: PhantomData }
    }
}

impl<K: Idx, V> Csr<K, V> {
    #[inline]
    pub(crate) fn of(&self, k: K) -> &[V] {
        let k = k.index();
        match (self.off.get(k), self.off.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.adj[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// A directed multigraph over the nodes `N` (`0..n`); `out`/`inc` hold link indices
/// into `edges`.
#[derive(Debug, Clone)]
pub(crate) struct Digraph<N> {
    pub n: usize,
    pub edges: IdxVec<LinkIdx, (N, N)>,
    pub out: Csr<N, LinkIdx>,
    pub inc: Csr<N, LinkIdx>,
}

impl<N: Idx> Digraph<N> {
    pub(crate) fn new(n: usize, edges: IdxVec<LinkIdx, (N, N)>) -> Digraph<N> {
        let outs: Vec<(N, LinkIdx)> = edges.iter_enumerated().map(|(i, &(a, _))| (a, i)).collect();
        let ins: Vec<(N, LinkIdx)> = edges.iter_enumerated().map(|(i, &(_, b))| (b, i)).collect();
        Digraph { n, out: Csr::build(n, &outs), inc: Csr::build(n, &ins), edges }
    }

    /// Every node, ascending.
    pub(crate) fn nodes(&self) -> impl DoubleEndedIterator<Item = N> + use<N> {
        (0..self.n).map(N::new)
    }

    /// Per node: whether every link touching it is a self-loop (or there is none).
    pub(crate) fn isolated(&self) -> IdxVec<N, bool> {
        self.nodes()
            .map(|v| {
                self.out.of(v).iter().chain(self.inc.of(v)).all(|&e| {
                    let (a, b) = self.edges[e];
                    a == b
                })
            })
            .collect()
    }
}

/// The plan's edges with both endpoints resolved, as the layout indexes them. A duplicate
/// id resolves to its first node (the later ones are still drawn, just unconnected); an
/// edge naming a missing node is left out of the drawing, since there is nothing to
/// attach it to.
pub(crate) struct PlanEdges {
    pub resolved: Vec<(NodeIdx, NodeIdx, EdgeIdx)>,
    pub dangling: u32,
}

/// From the plan's [`EdgeIndex`] (resolved once per plan, shared with the verifier).
pub(crate) fn resolve(edges: &EdgeIndex) -> PlanEdges {
    let resolved = edges.links.iter().map(|&(a, b, k)| (NodeIdx(a), NodeIdx(b), EdgeIdx(k))).collect();
    PlanEdges { resolved, dangling: u32::try_from(edges.dangling.len()).unwrap_or(u32::MAX) }
}
