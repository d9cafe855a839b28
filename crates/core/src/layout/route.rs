//! Pass "route": a polyline per link from the upper item's bottom through the virtual
//! nodes' positions (its bend points) to the lower item's top, turned around for
//! reversed links so that it always runs from the link's source to its target.
//! Self-loops get a small loop on the node's right. O(E + bend points).

use super::EdgePath;
use super::band::Bands;
use super::index::{IdxVec, ItemId, LNode, LinkIdx};
use super::layered::Layered;
use super::merge::Links;
use super::place::Frame;

/// Where things are, in (along the rank, across the ranks).
pub(crate) struct Geometry<'a> {
    pub along: &'a IdxVec<LNode, f32>,
    pub bands: &'a Bands,
    /// Item sizes (along, across).
    pub size: &'a IdxVec<ItemId, (f32, f32)>,
}

/// The drawn links, in link order, and how many long ones were drawn straight because
/// the virtual-node budget ran out.
pub(crate) fn edges(
    l: &Layered,
    links: &Links,
    oriented: &IdxVec<LinkIdx, (ItemId, ItemId)>,
    reversed: &IdxVec<LinkIdx, bool>,
    geo: &Geometry<'_>,
    frame: Frame,
) -> (IdxVec<LinkIdx, EdgePath>, u32) {
    let mut straight = 0;
    let paths = links
        .graph
        .edges
        .iter_enumerated()
        .map(|(e, &(source, target))| {
            if source != target && !l.layered[e] {
                straight += 1;
            }
            let (upper, lower) = oriented[e];
            let points = polyline(l, geo, e, upper, lower, reversed[e]).into_iter().map(|p| frame.map(p)).collect();
            EdgePath { source, target, points, reversed: reversed[e], edge: links.first_edge[e], count: links.count[e] }
        })
        .collect();
    (paths, straight)
}

/// `upper`/`lower` are the link's ends in rank order; `reversed` says the plan edge runs
/// from `lower` to `upper`.
fn polyline(
    l: &Layered,
    g: &Geometry<'_>,
    e: LinkIdx,
    upper: ItemId,
    lower: ItemId,
    reversed: bool,
) -> Vec<(f32, f32)> {
    let centre = |v: LNode| (g.along[v], g.bands.mid.get(l.rank[v] as usize).copied().unwrap_or(0.0));
    if upper == lower {
        let (x, y) = centre(upper.into());
        let (sa, sc) = g.size[upper];
        let (right, q) = (x + sa / 2.0, sc / 4.0);
        return vec![(right, y - q), (right + 16.0, y - q), (right + 16.0, y + q), (right, y + q)];
    }
    let (ux, uy) = centre(upper.into());
    let (wx, wy) = centre(lower.into());
    let mut pts = Vec::with_capacity(2 + l.chain(e).len());
    pts.push((ux, uy + g.size[upper].1 / 2.0));
    if l.layered.get(e).copied().unwrap_or(false) {
        pts.extend(l.chain(e).iter().map(|&d| centre(d)));
    }
    pts.push((wx, wy - g.size[lower].1 / 2.0));
    if reversed {
        pts.reverse();
    }
    pts
}
