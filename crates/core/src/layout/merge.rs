//! Pass "merge" (the item graph): plan edges lifted to the items drawing their ends,
//! merged per ordered item pair (drawn once, with a count); edges inside a collapsed
//! group vanish. O(E log E) for the sort that brings a pair's edges together.

use super::graph::Digraph;
use super::group::{Assignment, ItemOf};
use super::index::{EdgeIdx, IdxVec, ItemId, LinkIdx};
use super::prepare::Prepared;

pub(crate) struct Links {
    pub graph: Digraph<ItemId>,
    /// Per link: the first plan edge it stands for, and how many it stands for.
    pub first_edge: IdxVec<LinkIdx, EdgeIdx>,
    pub count: IdxVec<LinkIdx, u32>,
}

pub(crate) fn links(p: &Prepared, a: &Assignment) -> Links {
    let mut lifted: Vec<(ItemId, ItemId, EdgeIdx)> = Vec::with_capacity(p.edges.len());
    for &(u, v, e) in &p.edges {
        let (x, y) = (a.item_of_node[u], a.item_of_node[v]);
        if x == y && matches!(a.items[x], ItemOf::Group(_)) {
            continue;
        }
        lifted.push((x, y, e));
    }
    crate::sort::unstable(&mut lifted);
    let mut pairs: IdxVec<LinkIdx, (ItemId, ItemId)> = IdxVec::with_capacity(lifted.len());
    let mut first_edge = IdxVec::with_capacity(lifted.len());
    let mut count: IdxVec<LinkIdx, u32> = IdxVec::with_capacity(lifted.len());
    for &(x, y, e) in &lifted {
        if pairs.as_slice().last() == Some(&(x, y)) {
            if let Some(c) = count.as_mut_slice().last_mut() {
                *c += 1;
            }
        } else {
            pairs.push((x, y));
            first_edge.push(e);
            count.push(1);
        }
    }
    Links { graph: Digraph::new(a.items.len(), pairs), first_edge, count }
}
