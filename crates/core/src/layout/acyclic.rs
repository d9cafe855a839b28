//! Cycle breaking for layering: a depth-first search (iterative, so a 100k-node chain
//! cannot overflow the stack) marks back edges; the layout draws them reversed and
//! reports them so the view can flag them. Roots are tried sources first, so edges that
//! already point "down" the dataflow are the ones kept.

use super::graph::Digraph;

/// Per edge of `g`: true when it must be reversed to make the graph acyclic.
/// Self-loops are always marked.
pub(crate) fn back_edges(g: &Digraph) -> Vec<bool> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let mut reversed = vec![false; g.edges.len()];
    let mut colour = vec![WHITE; g.n];
    // (node, how many of its out-edges were already followed)
    let mut stack: Vec<(u32, u32)> = Vec::new();
    let roots = (0..g.n as u32).filter(|&v| g.inc.of(v).is_empty()).chain(0..g.n as u32);
    for root in roots {
        if colour[root as usize] != WHITE {
            continue;
        }
        colour[root as usize] = GREY;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            let outs = g.out.of(v);
            if let Some(&e) = outs.get(next as usize) {
                top.1 += 1;
                let w = g.edges[e as usize].1;
                match colour[w as usize] {
                    WHITE => {
                        colour[w as usize] = GREY;
                        stack.push((w, 0));
                    }
                    GREY => reversed[e as usize] = true,
                    _ => {}
                }
            } else {
                colour[v as usize] = BLACK;
                stack.pop();
            }
        }
    }
    reversed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_one_edge_per_simple_cycle() {
        let g = Digraph::new(3, vec![(0, 1), (1, 2), (2, 0), (1, 1)]);
        assert_eq!(back_edges(&g), vec![false, false, true, true]);
    }

    #[test]
    fn long_chain_without_recursion() {
        let n = 200_000u32;
        let g = Digraph::new(n as usize, (0..n - 1).map(|i| (i, i + 1)).chain([(n - 1, 0)]).collect());
        let r = back_edges(&g);
        assert_eq!(r.iter().filter(|&&b| b).count(), 1);
    }
}
