//! A small piece of a plan to draw on its own: some nodes (a finding's, or their
//! counterparts) and their direct neighbours, as a plan of its own with the edges among
//! them. Review mode draws one per step and side. O(V + E) to index, then O(cap).

use crate::model::Plan;
use std::collections::HashMap;

/// At most this many nodes, seeds first: a review step stays readable at a glance.
pub const CAP: usize = 48;

pub struct Excerpt {
    pub plan: Plan,
    /// For each excerpt node, its index in the plan it was taken from.
    pub source: Vec<u32>,
    /// How many of the excerpt's nodes are seeds (they come first).
    pub seeds: usize,
    /// Seeds left out because of `cap`.
    pub seeds_left_out: usize,
}

/// `seeds` (indices into `plan`; out-of-range ones ignored, duplicates once) and, while
/// fewer than `cap` nodes are taken, their predecessors and successors, in plan order.
pub fn around(plan: &Plan, seeds: &[u32], cap: usize) -> Excerpt {
    let n = plan.nodes.len();
    let mut taken: Vec<u32> = Vec::new();
    let mut at: HashMap<u32, u32> = HashMap::new();
    let mut valid = 0usize;
    for &s in seeds {
        if (s as usize) < n && !at.contains_key(&s) {
            valid += 1;
            if taken.len() < cap {
                at.insert(s, taken.len() as u32);
                taken.push(s);
            }
        }
    }
    let seed_count = taken.len();
    let index: HashMap<&str, u32> = plan.nodes.iter().enumerate().map(|(i, v)| (v.id.as_str(), i as u32)).collect();
    let ends = |e: &crate::model::Edge| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?));
    // Neighbours: one pass over the edges, in edge order, until the cap.
    for e in &plan.edges {
        if taken.len() >= cap {
            break;
        }
        let Some((a, b)) = ends(e) else { continue };
        let other = match (
            at.get(&a).is_some_and(|&k| (k as usize) < seed_count),
            at.get(&b).is_some_and(|&k| (k as usize) < seed_count),
        ) {
            (true, false) => b,
            (false, true) => a,
            _ => continue,
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = at.entry(other) {
            slot.insert(taken.len() as u32);
            taken.push(other);
        }
    }
    let mut out = Plan::new(plan.format);
    out.meta = plan.meta.clone();
    out.nodes = taken.iter().map(|&i| plan.nodes[i as usize].clone()).collect();
    out.edges = plan
        .edges
        .iter()
        .filter(|e| ends(e).is_some_and(|(a, b)| at.contains_key(&a) && at.contains_key(&b)))
        .cloned()
        .collect();
    Excerpt { plan: out, source: taken, seeds: seed_count, seeds_left_out: valid - seed_count }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Format, Node, NodeKind};

    fn chain(n: usize) -> Plan {
        let mut p = Plan::new(Format::Json);
        for i in 0..n {
            p.nodes.push(Node::new(format!("n{i}"), NodeKind::Compute));
        }
        for i in 1..n {
            p.edges.push(Edge::data(format!("n{}", i - 1), format!("n{i}")));
        }
        p
    }

    #[test]
    fn seeds_come_with_their_neighbours_and_the_edges_between() {
        let p = chain(10);
        let x = around(&p, &[4, 4, 99], CAP);
        assert_eq!(x.source, vec![4, 3, 5]);
        assert_eq!((x.seeds, x.seeds_left_out), (1, 0));
        let ids: Vec<&str> = x.plan.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["n4", "n3", "n5"]);
        let edges: Vec<(&str, &str)> = x.plan.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
        assert_eq!(edges, [("n3", "n4"), ("n4", "n5")]);
    }

    #[test]
    fn the_cap_holds_and_says_what_it_left_out() {
        let p = chain(200);
        let seeds: Vec<u32> = (0..100).collect();
        let x = around(&p, &seeds, 10);
        assert_eq!(x.plan.nodes.len(), 10);
        assert_eq!((x.seeds, x.seeds_left_out), (10, 90));
        assert!(around(&p, &[], 10).plan.nodes.is_empty());
    }
}
