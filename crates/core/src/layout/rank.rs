//! Layering: longest path from the sources (Kahn's order, linear), then sources are
//! pulled down next to their first consumer, so an input that joins late (a K/V
//! projection with no producer, a bias) does not sit at the top with a long edge.

use super::graph::Digraph;

/// Ranks for a graph whose edges, after flipping the `reversed` ones and dropping
/// self-loops, form a DAG. Every kept edge then goes from a lower to a higher rank.
/// Isolated nodes get rank 0; the caller places them separately.
pub(crate) fn longest_path(g: &Digraph, reversed: &[bool]) -> Vec<u32> {
    let oriented = |e: usize| {
        let (a, b) = g.edges[e];
        if reversed.get(e).copied().unwrap_or(false) { (b, a) } else { (a, b) }
    };
    let mut indeg = vec![0u32; g.n];
    for e in 0..g.edges.len() {
        let (a, b) = oriented(e);
        if a != b {
            indeg[b as usize] += 1;
        }
    }
    let mut rank = vec![0u32; g.n];
    let mut order: Vec<u32> = (0..g.n as u32).filter(|&v| indeg[v as usize] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let v = order[head];
        head += 1;
        let edges = g.out.of(v).iter().chain(g.inc.of(v));
        for &e in edges {
            let (a, b) = oriented(e as usize);
            if a != v || a == b {
                continue;
            }
            rank[b as usize] = rank[b as usize].max(rank[v as usize] + 1);
            indeg[b as usize] -= 1;
            if indeg[b as usize] == 0 {
                order.push(b);
            }
        }
    }
    // Should the reversal have left a cycle, its nodes keep the ranks reached so far
    // rather than failing the whole drawing.
    if order.len() < g.n {
        let mut seen = vec![false; g.n];
        for &v in &order {
            seen[v as usize] = true;
        }
        order.extend((0..g.n as u32).filter(|&v| !seen[v as usize]));
    }
    // Pull sources down: in reverse topological order a node with no producer moves to
    // one rank above its nearest consumer.
    for &v in order.iter().rev() {
        let mut has_pred = false;
        let mut min_succ = u32::MAX;
        for &e in g.out.of(v).iter().chain(g.inc.of(v)) {
            let (a, b) = oriented(e as usize);
            if a == b {
                continue;
            }
            if b == v {
                has_pred = true;
            } else {
                min_succ = min_succ.min(rank[b as usize]);
            }
        }
        if !has_pred && min_succ != u32::MAX && min_succ > 0 {
            rank[v as usize] = rank[v as usize].max(min_succ - 1);
        }
    }
    rank
}

/// Renumbers ranks so that the used ones are 0, 1, 2, … without gaps.
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

    #[test]
    fn late_source_sits_next_to_its_consumer() {
        // 0→1→2→3, and 4 feeds 3 only.
        let g = Digraph::new(5, vec![(0, 1), (1, 2), (2, 3), (4, 3)]);
        let r = longest_path(&g, &[false; 4]);
        assert_eq!(r, vec![0, 1, 2, 3, 2]);
    }

    #[test]
    fn reversed_edges_point_down() {
        let g = Digraph::new(2, vec![(0, 1), (1, 0)]);
        let r = longest_path(&g, &[false, true]);
        assert_eq!(r, vec![0, 1]);
    }
}
