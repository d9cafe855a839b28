//! Pass "break cycles": a depth-first search (iterative, so a 100k-node chain cannot
//! overflow the stack) marks back edges; the layout draws them reversed and reports them
//! so the view can flag them. Roots are tried sources first, so edges that already point
//! "down" the dataflow are the ones kept. O(V + E).

use super::graph::Digraph;
use super::index::{Idx, IdxVec, LinkIdx};

/// Per link of `g`: true when it must be reversed to make the graph acyclic.
/// Self-loops are always marked.
pub(crate) fn back_edges<N: Idx>(g: &Digraph<N>) -> IdxVec<LinkIdx, bool> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let mut reversed = IdxVec::filled(false, g.edges.len());
    let mut colour: IdxVec<N, u8> = IdxVec::filled(WHITE, g.n);
    // (node, how many of its out-edges were already followed)
    let mut stack: Vec<(N, u32)> = Vec::new();
    let roots = g.nodes().filter(|&v| g.inc.of(v).is_empty()).chain(g.nodes());
    for root in roots {
        if colour[root] != WHITE {
            continue;
        }
        colour[root] = GREY;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            let outs = g.out.of(v);
            if let Some(&e) = outs.get(next as usize) {
                top.1 += 1;
                let w = g.edges[e].1;
                match colour[w] {
                    WHITE => {
                        colour[w] = GREY;
                        stack.push((w, 0));
                    }
                    GREY => reversed[e] = true,
                    _ => {}
                }
            } else {
                colour[v] = BLACK;
                stack.pop();
            }
        }
    }
    reversed
}

/// The links turned to run down the ranks: reversed ones flipped. O(E).
pub(crate) fn orient<N: Idx>(g: &Digraph<N>, reversed: &IdxVec<LinkIdx, bool>) -> IdxVec<LinkIdx, (N, N)> {
    g.edges.iter().zip(reversed).map(|(&(x, y), &r)| if r { (y, x) } else { (x, y) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::index::ItemId;

    fn graph(n: usize, edges: impl IntoIterator<Item = (u32, u32)>) -> Digraph<ItemId> {
        Digraph::new(n, edges.into_iter().map(|(a, b)| (ItemId(a), ItemId(b))).collect())
    }

    #[test]
    fn marks_one_edge_per_simple_cycle() {
        let g = graph(3, [(0, 1), (1, 2), (2, 0), (1, 1)]);
        assert_eq!(back_edges(&g).as_slice(), &[false, false, true, true]);
    }

    #[test]
    fn long_chain_without_recursion() {
        let n = 200_000u32;
        let g = graph(n as usize, (0..n - 1).map(|i| (i, i + 1)).chain([(n - 1, 0)]));
        let r = back_edges(&g);
        assert_eq!(r.iter().filter(|&&b| b).count(), 1);
    }
}
