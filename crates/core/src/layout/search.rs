//! Finding nodes in a drawn plan: which nodes a query matches (by id or label, ignoring
//! ASCII case: ids are ASCII, and Unicode's case tables would cost the page's wasm
//! kilobytes), and which match the view steps to next. The page keeps only the box and its
//! keys; this is the part that can be tested natively. Matching is O(total text).

use super::index::NodeIdx;
use crate::model::Plan;

/// More matches than this are not all lit; the count still says how many.
pub const MAX_MATCHES: usize = 20_000;

/// The nodes whose id or label contains `query` (trimmed, any case), in plan order, at
/// most `MAX_MATCHES`. An empty query matches nothing.
pub fn matching_nodes(plan: &Plan, query: &str) -> Vec<NodeIdx> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    plan.nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.id.to_ascii_lowercase().contains(&q)
                || n.label.as_ref().is_some_and(|l| l.to_ascii_lowercase().contains(&q))
        })
        .map(|(i, _)| NodeIdx(i as u32))
        .take(MAX_MATCHES)
        .collect()
}

/// The matches in each of `plans` (the view's before and after sides), as (plan, node):
/// the first plan's in order, then the next's; each plan's capped at `MAX_MATCHES`.
pub fn matching_in(plans: &[&Plan], query: &str) -> Vec<(usize, NodeIdx)> {
    plans.iter().enumerate().flat_map(|(k, p)| matching_nodes(p, query).into_iter().map(move |n| (k, n))).collect()
}

/// The match to show after `cursor` among `count` matches, forward or back, wrapping
/// around; from no cursor, the first (forward) or the last (back). None when there are
/// no matches.
pub fn step(cursor: Option<usize>, count: usize, forward: bool) -> Option<usize> {
    if count == 0 {
        return None;
    }
    Some(match (cursor, forward) {
        (None, true) => 0,
        (None, false) => count - 1,
        (Some(c), true) => (c + 1) % count,
        (Some(c), false) => (c + count - 1) % count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Node, NodeKind};

    fn plan() -> Plan {
        let mut plan = Plan::new(Format::Json);
        for id in ["embed", "Expert_0", "expert_1", "lm_head"] {
            plan.nodes.push(Node::new(id, NodeKind::Compute));
        }
        plan.nodes[3].label = Some("Output EXPERT mix".into());
        plan
    }

    #[test]
    fn matches_ids_and_labels_in_any_case() {
        let p = plan();
        assert_eq!(matching_nodes(&p, "  expert "), vec![NodeIdx(1), NodeIdx(2), NodeIdx(3)]);
        assert_eq!(matching_nodes(&p, "EMB"), vec![NodeIdx(0)]);
        assert!(matching_nodes(&p, "").is_empty());
        assert!(matching_nodes(&p, "   ").is_empty());
        assert!(matching_nodes(&p, "absent").is_empty());
    }

    #[test]
    fn both_sides_are_searched_before_first() {
        let before = plan();
        let mut after = Plan::new(Format::Json);
        for id in ["layer0_attn_ep0_tp0", "layer0_attn_ep0_tp1", "expert_0_0_layer_0"] {
            after.nodes.push(Node::new(id, NodeKind::Compute));
        }
        assert_eq!(matching_in(&[&before, &after], "layer0_attn"), vec![(1, NodeIdx(0)), (1, NodeIdx(1))]);
        assert_eq!(matching_in(&[&before, &after], "expert_"), vec![(0, NodeIdx(1)), (0, NodeIdx(2)), (1, NodeIdx(2))]);
        assert!(matching_in(&[], "x").is_empty());
    }

    #[test]
    fn matches_are_capped() {
        let mut p = Plan::new(Format::Json);
        for i in 0..MAX_MATCHES + 5 {
            p.nodes.push(Node::new(format!("n{i}"), NodeKind::Compute));
        }
        assert_eq!(matching_nodes(&p, "n").len(), MAX_MATCHES);
    }

    #[test]
    fn steps_wrap_both_ways() {
        assert_eq!(step(None, 0, true), None);
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(Some(1), 3, true), Some(2));
    }
}
