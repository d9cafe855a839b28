//! The proper layered graph: every edge spanning k > 1 ranks becomes a chain through
//! k − 1 virtual nodes, one per rank crossed, so ordering and positioning see only
//! edges between adjacent ranks and long edges get bend points. The number of virtual
//! nodes is capped; edges beyond the cap are drawn straight and ignored by ordering.

use super::graph::Csr;

pub(crate) struct Layered {
    /// Items are `0..items`; virtual nodes follow.
    pub items: usize,
    pub rank: Vec<u32>,
    pub ranks: usize,
    /// Neighbours one rank above / below.
    pub up: Csr,
    pub down: Csr,
    /// Virtual nodes of edge `e`, top to bottom: `chain[chain_off[e]..chain_off[e + 1]]`.
    chain_off: Vec<u32>,
    chain: Vec<u32>,
    /// Per edge: false when it was left out of the layered graph (self-loop or over the cap).
    pub layered: Vec<bool>,
    /// For each virtual node, the edge it belongs to.
    pub owner: Vec<u32>,
}

impl Layered {
    /// `edges` are oriented top to bottom (`rank[a] < rank[b]`) or self-loops.
    pub(crate) fn build(item_rank: &[u32], edges: &[(u32, u32)], max_virtual: usize) -> Layered {
        let items = item_rank.len();
        let mut rank = item_rank.to_vec();
        let mut chain_off = Vec::with_capacity(edges.len() + 1);
        let mut chain = Vec::new();
        let mut owner = Vec::new();
        let mut layered = Vec::with_capacity(edges.len());
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(edges.len());
        chain_off.push(0);
        for (e, &(a, b)) in edges.iter().enumerate() {
            let (ra, rb) = (rank[a as usize], rank[b as usize]);
            let span = rb.saturating_sub(ra) as usize;
            let ok = a != b && span >= 1 && chain.len() + span - 1 <= max_virtual;
            layered.push(ok);
            if ok {
                let mut prev = a;
                for r in ra + 1..rb {
                    let d = rank.len() as u32;
                    rank.push(r);
                    owner.push(e as u32);
                    chain.push(d);
                    pairs.push((prev, d));
                    prev = d;
                }
                pairs.push((prev, b));
            }
            chain_off.push(chain.len() as u32);
        }
        let n = rank.len();
        let ranks = rank.iter().copied().max().map_or(0, |m| m as usize + 1);
        let down = Csr::build(n, &pairs);
        let flipped: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        let up = Csr::build(n, &flipped);
        Layered { items, rank, ranks, up, down, chain_off, chain, layered, owner }
    }

    pub(crate) fn len(&self) -> usize {
        self.rank.len()
    }

    pub(crate) fn chain(&self, e: usize) -> &[u32] {
        match (self.chain_off.get(e), self.chain_off.get(e + 1)) {
            (Some(&a), Some(&b)) => &self.chain[a as usize..b as usize],
            _ => &[],
        }
    }

    pub(crate) fn is_virtual(&self, v: u32) -> bool {
        v as usize >= self.items
    }
}
