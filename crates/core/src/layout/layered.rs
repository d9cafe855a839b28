//! Pass "layer" (the proper layered graph): every link spanning k > 1 ranks becomes a
//! chain through k − 1 virtual nodes, one per rank crossed, so ordering and positioning
//! see only edges between adjacent ranks and long edges get bend points. The number of
//! virtual nodes is capped; links beyond the cap are drawn straight and ignored by
//! ordering. O(V + E + virtual nodes).

use super::graph::Csr;
use super::index::{Idx, IdxVec, ItemId, LNode, LinkIdx};

pub(crate) struct Layered {
    /// Items are `LNode(0..items)`; virtual nodes follow.
    pub items: usize,
    pub rank: IdxVec<LNode, u32>,
    pub ranks: usize,
    /// Neighbours one rank above / below.
    pub up: Csr<LNode, LNode>,
    pub down: Csr<LNode, LNode>,
    /// Virtual nodes of link `e`, top to bottom: `chain[chain_off[e]..chain_off[e + 1]]`.
    chain_off: IdxVec<LinkIdx, u32>,
    chain: Vec<LNode>,
    /// Per link: false when it was left out of the layered graph (self-loop or over the cap).
    pub layered: IdxVec<LinkIdx, bool>,
    /// For each virtual node (`LNode(items + i)` at `i`), the link it belongs to.
    pub owner: Vec<LinkIdx>,
}

impl Layered {
    /// `edges` are oriented top to bottom (`rank[a] < rank[b]`) or self-loops.
    pub(crate) fn build(
        item_rank: &IdxVec<ItemId, u32>,
        edges: &IdxVec<LinkIdx, (ItemId, ItemId)>,
        max_virtual: usize,
    ) -> Layered {
        let items = item_rank.len();
        let mut rank: IdxVec<LNode, u32> = item_rank.iter().copied().collect();
        let mut chain_off = IdxVec::with_capacity(edges.len() + 1);
        let mut chain = Vec::new();
        let mut owner = Vec::new();
        let mut layered = IdxVec::with_capacity(edges.len());
        let mut pairs: Vec<(LNode, LNode)> = Vec::with_capacity(edges.len());
        chain_off.push(0);
        for (e, &(a, b)) in edges.iter_enumerated() {
            let (ra, rb) = (item_rank[a], item_rank[b]);
            let span = rb.saturating_sub(ra) as usize;
            let ok = a != b && span >= 1 && chain.len() + span - 1 <= max_virtual;
            layered.push(ok);
            if ok {
                let mut prev = LNode::from(a);
                for r in ra + 1..rb {
                    let d = rank.push(r);
                    owner.push(e);
                    chain.push(d);
                    pairs.push((prev, d));
                    prev = d;
                }
                pairs.push((prev, LNode::from(b)));
            }
            chain_off.push(chain.len() as u32);
        }
        let n = rank.len();
        let ranks = rank.iter().copied().max().map_or(0, |m| m as usize + 1);
        let down = Csr::build(n, &pairs);
        let flipped: Vec<(LNode, LNode)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        let up = Csr::build(n, &flipped);
        Layered { items, rank, ranks, up, down, chain_off, chain, layered, owner }
    }

    pub(crate) fn len(&self) -> usize {
        self.rank.len()
    }

    /// Every layered node, ascending.
    pub(crate) fn nodes(&self) -> impl DoubleEndedIterator<Item = LNode> + ExactSizeIterator + use<> {
        (0..self.rank.len()).map(LNode::new)
    }

    pub(crate) fn chain(&self, e: LinkIdx) -> &[LNode] {
        match (self.chain_off.get(e), self.chain_off.get(LinkIdx(e.0 + 1))) {
            (Some(&a), Some(&b)) => &self.chain[a as usize..b as usize],
            _ => &[],
        }
    }

    #[inline]
    pub(crate) fn is_virtual(&self, v: LNode) -> bool {
        v.index() >= self.items
    }
}
