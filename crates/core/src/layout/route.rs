//! Edge routing: a polyline from the upper item's bottom through the virtual nodes'
//! positions (its bend points) to the lower item's top, turned around for reversed edges
//! so that it always runs from the edge's source to its target. Self-loops get a small
//! loop on the node's right. Coordinates are abstract: (along the rank, across ranks).

use super::layered::Layered;

pub(crate) struct Geometry<'a> {
    pub along: &'a [f32],
    /// Centre of each rank across.
    pub rank_mid: &'a [f32],
    /// Item sizes (along, across).
    pub size: &'a [(f32, f32)],
}

/// `upper`/`lower` are the edge's ends in rank order; `reversed` says the plan edge runs
/// from `lower` to `upper`.
pub(crate) fn polyline(
    l: &Layered,
    g: &Geometry<'_>,
    e: usize,
    upper: u32,
    lower: u32,
    reversed: bool,
) -> Vec<(f32, f32)> {
    let (u, w) = (upper as usize, lower as usize);
    let centre = |v: usize| (g.along[v], g.rank_mid.get(l.rank[v] as usize).copied().unwrap_or(0.0));
    if u == w {
        let (x, y) = centre(u);
        let (sa, sc) = g.size[u];
        let (right, q) = (x + sa / 2.0, sc / 4.0);
        return vec![(right, y - q), (right + 16.0, y - q), (right + 16.0, y + q), (right, y + q)];
    }
    let (ux, uy) = centre(u);
    let (wx, wy) = centre(w);
    let mut pts = Vec::with_capacity(2 + l.chain(e).len());
    pts.push((ux, uy + g.size[u].1 / 2.0));
    if l.layered.get(e).copied().unwrap_or(false) {
        pts.extend(l.chain(e).iter().map(|&d| centre(d as usize)));
    }
    pts.push((wx, wy - g.size[w].1 / 2.0));
    if reversed {
        pts.reverse();
    }
    pts
}
