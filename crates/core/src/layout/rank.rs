//! Pass "rank" (layering): longest path from the sources (Kahn's order, linear), then
//! sources are pulled down next to their first consumer, so an input that joins late (a
//! K/V projection with no producer, a bias) does not sit at the top with a long edge.
//! Items with no link but self-loops go in a grid of ranks below the graph instead of
//! stretching rank 0. O(V + E), plus O(I log I) to sort the I isolated items.

use super::graph::Digraph;
use super::index::{Idx, IdxVec, ItemId, LinkIdx};
use super::order::SeedKey;

/// Ranks of the item graph `g`, `reversed` links flipped: the connected items on ranks
/// `0..k` without gaps, the isolated ones in rows of ranks `k..` under them, ordered by
/// GPU column.
pub(crate) fn items(
    g: &Digraph<ItemId>,
    reversed: &IdxVec<LinkIdx, bool>,
    keys: &IdxVec<ItemId, SeedKey>,
) -> IdxVec<ItemId, u32> {
    let mut rank = longest_path(g, reversed);
    let isolated = g.isolated();
    let connected: Vec<ItemId> = g.nodes().filter(|&v| !isolated[v]).collect();
    let mut sub: Vec<u32> = connected.iter().map(|&v| rank[v]).collect();
    let used = compact(&mut sub);
    for (&v, &r) in connected.iter().zip(&sub) {
        rank[v] = r;
    }
    let mut lonely: Vec<ItemId> = g.nodes().filter(|&v| isolated[v]).collect();
    if !lonely.is_empty() {
        let mut widest = vec![0usize; used as usize];
        for &r in &sub {
            widest[r as usize] += 1;
        }
        let wrap = widest.iter().copied().max().unwrap_or(0).max((lonely.len() as f64).sqrt().ceil() as usize).max(1);
        crate::sort::sort_by(&mut lonely, |&x, &y| {
            let (kx, ky) = (&keys[x], &keys[y]);
            kx.col.unwrap_or(f32::MAX).total_cmp(&ky.col.unwrap_or(f32::MAX)).then(x.cmp(&y))
        });
        for (i, &v) in lonely.iter().enumerate() {
            rank[v] = used + (i / wrap) as u32;
        }
    }
    rank
}

/// Ranks for a graph whose edges, after flipping the `reversed` ones and dropping
/// self-loops, form a DAG. Every kept edge then goes from a lower to a higher rank.
/// Isolated nodes get rank 0; the caller places them separately. O(V + E).
pub(crate) fn longest_path<N: Idx>(g: &Digraph<N>, reversed: &IdxVec<LinkIdx, bool>) -> IdxVec<N, u32> {
    let oriented = |e: LinkIdx| {
        let (a, b) = g.edges[e];
        if reversed.get(e).copied().unwrap_or(false) { (b, a) } else { (a, b) }
    };
    let mut indeg: IdxVec<N, u32> = IdxVec::filled(0, g.n);
    for e in g.edges.indices() {
        let (a, b) = oriented(e);
        if a != b {
            indeg[b] += 1;
        }
    }
    let mut rank: IdxVec<N, u32> = IdxVec::filled(0, g.n);
    let mut order: Vec<N> = g.nodes().filter(|&v| indeg[v] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let v = order[head];
        head += 1;
        let edges = g.out.of(v).iter().chain(g.inc.of(v));
        for &e in edges {
            let (a, b) = oriented(e);
            if a != v || a == b {
                continue;
            }
            rank[b] = rank[b].max(rank[v] + 1);
            indeg[b] -= 1;
            if indeg[b] == 0 {
                order.push(b);
            }
        }
    }
    // Should the reversal have left a cycle, its nodes keep the ranks reached so far
    // rather than failing the whole drawing.
    if order.len() < g.n {
        let mut seen: IdxVec<N, bool> = IdxVec::filled(false, g.n);
        for &v in &order {
            seen[v] = true;
        }
        order.extend(g.nodes().filter(|&v| !seen[v]));
    }
    // Pull sources down: in reverse topological order a node with no producer moves to
    // one rank above its nearest consumer.
    for &v in order.iter().rev() {
        let mut has_pred = false;
        let mut min_succ = u32::MAX;
        for &e in g.out.of(v).iter().chain(g.inc.of(v)) {
            let (a, b) = oriented(e);
            if a == b {
                continue;
            }
            if b == v {
                has_pred = true;
            } else {
                min_succ = min_succ.min(rank[b]);
            }
        }
        if !has_pred && min_succ != u32::MAX && min_succ > 0 {
            rank[v] = rank[v].max(min_succ - 1);
        }
    }
    rank
}

/// Renumbers ranks so that the used ones are 0, 1, 2, … without gaps. O(n + max rank).
pub(crate) fn compact(rank: &mut [u32]) -> u32 {
    let max = rank.iter().copied().max().unwrap_or(0) as usize;
    let mut used = vec![false; max + 1];
    for &r in rank.iter() {
        used[r as usize] = true;
    }
    let mut map = vec![0u32; max + 1];
    let mut next = 0;
    for r in 0..=max {
        map[r] = next;
        if used[r] {
            next += 1;
        }
    }
    for r in rank.iter_mut() {
        *r = map[*r as usize];
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(u32, u32)]) -> Digraph<ItemId> {
        Digraph::new(n, edges.iter().map(|&(a, b)| (ItemId(a), ItemId(b))).collect())
    }

    #[test]
    fn late_source_sits_next_to_its_consumer() {
        // 0→1→2→3, and 4 feeds 3 only.
        let g = graph(5, &[(0, 1), (1, 2), (2, 3), (4, 3)]);
        let r = longest_path(&g, &IdxVec::filled(false, 4));
        assert_eq!(r.as_slice(), &[0, 1, 2, 3, 2]);
    }

    #[test]
    fn reversed_edges_point_down() {
        let g = graph(2, &[(0, 1), (1, 0)]);
        let r = longest_path(&g, &IdxVec::from(vec![false, true]));
        assert_eq!(r.as_slice(), &[0, 1]);
    }

    #[test]
    fn isolated_items_go_in_a_grid_below() {
        // 0→1, and 2, 3, 4 alone (4 with a self-loop).
        let g = graph(5, &[(0, 1), (4, 4)]);
        let keys = IdxVec::filled(SeedKey::default(), 5);
        let r = items(&g, &IdxVec::from(vec![false, true]), &keys);
        assert_eq!(&r.as_slice()[..2], &[0, 1]);
        assert!(r.as_slice()[2..].iter().all(|&x| x >= 2));
    }
}
