//! What each pass must leave behind, checked between passes in debug builds (the
//! `invariant!` calls in `run`; release builds skip them, so they cost nothing there).
//! A check returns the first violation it finds rather than panicking, so tests can
//! hand it a broken state and see it caught. Each is linear in what it reads.
//!
//! Comparisons are written so that NaN coordinates (from NaN spacing in the options)
//! are not reported: garbage in is not a broken pass.

use super::graph::Digraph;
use super::group::{Assignment, ItemOf};
use super::index::{GroupIdx, IdxVec, ItemId, LNode, LinkIdx, NodeIdx};
use super::layered::Layered;
use super::{EdgePath, Item};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Violation {
    /// After "group": a plan node whose item does not stand for it.
    Ungrouped { node: NodeIdx },
    /// After "rank": a link (reversed ones flipped) that does not run down the ranks.
    Upward { link: LinkIdx, from: u32, to: u32 },
    /// After "layer": a layered edge not joining adjacent ranks.
    Span { from: LNode, to: LNode, ranks: (u32, u32) },
    /// After "order": a rank that is not a permutation of the nodes of that rank.
    Order { node: LNode, rank: usize },
    /// After "order": layered nodes missing from every rank.
    Missing { placed: usize, nodes: usize },
    /// After "position": neighbours of a rank overlapping along it.
    Overlap { rank: usize, left: LNode, right: LNode },
    /// After "route": a polyline not starting on its source or not ending on its target.
    Detached { link: LinkIdx },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Ungrouped { node } => write!(f, "node {node} is not drawn by its item"),
            Violation::Upward { link, from, to } => write!(f, "link {link} runs from rank {from} to rank {to}"),
            Violation::Span { from, to, ranks } => {
                write!(f, "layered edge {from} → {to} joins ranks {} and {}", ranks.0, ranks.1)
            }
            Violation::Order { node, rank } => write!(f, "node {node} misplaced or repeated in rank {rank}"),
            Violation::Missing { placed, nodes } => write!(f, "{placed} of {nodes} layered nodes ordered"),
            Violation::Overlap { rank, left, right } => write!(f, "rank {rank}: {left} and {right} overlap"),
            Violation::Detached { link } => write!(f, "the route of link {link} misses its ends"),
        }
    }
}

/// After "group": every plan node is drawn by an item that stands for it: its own box,
/// or a collapsed group listing it as a member.
pub(crate) fn grouped(a: &Assignment) -> Result<(), Violation> {
    let mut member_of: IdxVec<NodeIdx, Option<GroupIdx>> = IdxVec::filled(None, a.item_of_node.len());
    for (g, spec) in a.groups.iter_enumerated() {
        for &v in &spec.members {
            if let Some(slot) = member_of.get_mut(v) {
                *slot = Some(g);
            }
        }
    }
    for (node, &item) in a.item_of_node.iter_enumerated() {
        let drawn = match a.items.get(item) {
            Some(&ItemOf::Node(v)) => v == node,
            Some(&ItemOf::Group(g)) => member_of[node] == Some(g) && !a.groups[g].expanded,
            None => false,
        };
        if !drawn {
            return Err(Violation::Ungrouped { node });
        }
    }
    Ok(())
}

/// After "rank": every link that is not a self-loop goes from a lower rank to a higher
/// one once the reversed links are flipped.
pub(crate) fn ranked(
    g: &Digraph<ItemId>,
    reversed: &IdxVec<LinkIdx, bool>,
    rank: &IdxVec<ItemId, u32>,
) -> Result<(), Violation> {
    for (link, &(a, b)) in g.edges.iter_enumerated() {
        let (a, b) = if reversed.get(link).copied().unwrap_or(false) { (b, a) } else { (a, b) };
        if a != b && rank[a] >= rank[b] {
            return Err(Violation::Upward { link, from: rank[a], to: rank[b] });
        }
    }
    Ok(())
}

/// After "layer": every edge of the layered graph joins a rank to the next.
pub(crate) fn layered(l: &Layered) -> Result<(), Violation> {
    for from in l.nodes() {
        for &to in l.down.of(from) {
            let ranks = (l.rank[from], l.rank[to]);
            if ranks.1 != ranks.0 + 1 {
                return Err(Violation::Span { from, to, ranks });
            }
        }
    }
    Ok(())
}

/// After "order": the ranks hold every layered node exactly once, each in its own rank.
pub(crate) fn ordered(l: &Layered, ranks: &[Vec<LNode>]) -> Result<(), Violation> {
    let mut seen: IdxVec<LNode, bool> = IdxVec::filled(false, l.len());
    let mut placed = 0;
    for (r, rank) in ranks.iter().enumerate() {
        for &node in rank {
            let fresh = seen.get_mut(node).map(|s| !std::mem::replace(s, true)).unwrap_or(false);
            if !fresh || l.rank[node] as usize != r {
                return Err(Violation::Order { node, rank: r });
            }
            placed += 1;
        }
    }
    if placed != l.len() {
        return Err(Violation::Missing { placed, nodes: l.len() });
    }
    Ok(())
}

/// Slack for coordinates rounded to `f32`.
fn tolerance(x: f32) -> f32 {
    1e-2 + 1e-5 * x.abs()
}

/// After "position": the nodes of a rank, in order, have increasing centres `along`,
/// far enough apart that their boxes (`size` along the rank) do not overlap. A negative
/// `gap` from the options is allowed to overlap by as much.
pub(crate) fn positioned(
    ranks: &[Vec<LNode>],
    along: &IdxVec<LNode, f32>,
    size: &IdxVec<LNode, f32>,
    gap: f32,
) -> Result<(), Violation> {
    for (rank, nodes) in ranks.iter().enumerate() {
        for w in nodes.windows(2) {
            let (left, right) = (w[0], w[1]);
            let need = (size[left] + size[right]) / 2.0 + gap.min(0.0);
            let have = along[right] - along[left];
            if have < need - tolerance(along[right]) {
                return Err(Violation::Overlap { rank, left, right });
            }
        }
    }
    Ok(())
}

/// After "route": every polyline starts on its source's box and ends on its target's.
pub(crate) fn routed(items: &IdxVec<ItemId, Item>, edges: &IdxVec<LinkIdx, EdgePath>) -> Result<(), Violation> {
    let off = |it: Option<&Item>, p: Option<&(f32, f32)>| match (it, p) {
        (Some(it), Some(&(x, y))) => {
            let (hw, hh, tx, ty) = (it.width / 2.0, it.height / 2.0, tolerance(x), tolerance(y));
            x < it.x - hw - tx || x > it.x + hw + tx || y < it.y - hh - ty || y > it.y + hh + ty
        }
        _ => true,
    };
    for (link, e) in edges.iter_enumerated() {
        if off(items.get(e.source), e.points.first()) || off(items.get(e.target), e.points.last()) {
            return Err(Violation::Detached { link });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::index::EdgeIdx;

    fn graph(n: usize, edges: &[(u32, u32)]) -> Digraph<ItemId> {
        Digraph::new(n, edges.iter().map(|&(a, b)| (ItemId(a), ItemId(b))).collect())
    }

    /// 0 → 1 → 2 and 0 → 2: the long link gets one virtual node (3).
    fn small() -> Layered {
        let rank: IdxVec<ItemId, u32> = IdxVec::from(vec![0, 1, 2]);
        let links: IdxVec<LinkIdx, (ItemId, ItemId)> =
            [(0, 1), (1, 2), (0, 2)].into_iter().map(|(a, b)| (ItemId(a), ItemId(b))).collect();
        Layered::build(&rank, &links, 100)
    }

    #[test]
    fn grouping_catches_a_node_drawn_by_the_wrong_item() {
        use crate::layout::group::GroupSpec;
        let spec =
            GroupSpec { id: "g".into(), label: "g ×2".into(), members: vec![NodeIdx(1), NodeIdx(2)], expanded: false };
        let mut a = Assignment {
            item_of_node: IdxVec::from(vec![ItemId(0), ItemId(1), ItemId(1)]),
            items: IdxVec::from(vec![ItemOf::Node(NodeIdx(0)), ItemOf::Group(GroupIdx(0))]),
            groups: IdxVec::from(vec![spec]),
        };
        assert_eq!(grouped(&a), Ok(()));
        a.item_of_node[NodeIdx(0)] = ItemId(1);
        assert_eq!(grouped(&a), Err(Violation::Ungrouped { node: NodeIdx(0) }));
        a.item_of_node[NodeIdx(0)] = ItemId(7);
        assert!(grouped(&a).is_err());
        a.item_of_node[NodeIdx(0)] = ItemId(0);
        a.groups[GroupIdx(0)].expanded = true;
        assert_eq!(grouped(&a), Err(Violation::Ungrouped { node: NodeIdx(1) }));
    }

    #[test]
    fn ranking_catches_an_upward_link() {
        let g = graph(3, &[(0, 1), (2, 1), (1, 1)]);
        let reversed = IdxVec::from(vec![false, true, true]);
        // 2 → 1 is reversed, so 1 must sit above 2; the self-loop is exempt.
        assert_eq!(ranked(&g, &reversed, &IdxVec::from(vec![0, 1, 2])), Ok(()));
        let broken = ranked(&g, &reversed, &IdxVec::from(vec![0, 2, 1]));
        assert_eq!(broken, Err(Violation::Upward { link: LinkIdx(1), from: 2, to: 1 }));
        assert!(ranked(&g, &IdxVec::filled(false, 3), &IdxVec::from(vec![0, 0, 1])).is_err());
    }

    #[test]
    fn layering_catches_a_long_edge() {
        let l = small();
        assert_eq!(l.len(), 4);
        assert_eq!(layered(&l), Ok(()));
        // Over the budget, the long link is left out rather than spanning two ranks.
        let rank: IdxVec<ItemId, u32> = IdxVec::from(vec![0, 2]);
        let no_room = Layered::build(&rank, &IdxVec::from(vec![(ItemId(0), ItemId(1))]), 0);
        assert_eq!(layered(&no_room), Ok(()));
        // A graph whose edge skips a rank is caught: ranks 0 and 2 joined directly.
        let mut bad = small();
        bad.rank[LNode(2)] = 3;
        assert!(matches!(layered(&bad), Err(Violation::Span { .. })));
    }

    #[test]
    fn ordering_catches_a_repeat_a_stray_and_a_loss() {
        let l = small();
        let good = vec![vec![LNode(0)], vec![LNode(1), LNode(3)], vec![LNode(2)]];
        assert_eq!(ordered(&l, &good), Ok(()));
        let repeated = vec![vec![LNode(0)], vec![LNode(1), LNode(1)], vec![LNode(2)]];
        assert_eq!(ordered(&l, &repeated), Err(Violation::Order { node: LNode(1), rank: 1 }));
        let stray = vec![vec![LNode(0), LNode(3)], vec![LNode(1)], vec![LNode(2)]];
        assert_eq!(ordered(&l, &stray), Err(Violation::Order { node: LNode(3), rank: 0 }));
        let lost = vec![vec![LNode(0)], vec![LNode(1)], vec![LNode(2)]];
        assert_eq!(ordered(&l, &lost), Err(Violation::Missing { placed: 3, nodes: 4 }));
        let unknown = vec![vec![LNode(9)]];
        assert!(ordered(&l, &unknown).is_err());
    }

    #[test]
    fn positioning_catches_overlapping_boxes() {
        let ranks = vec![vec![LNode(0), LNode(1)]];
        let size = IdxVec::from(vec![40.0, 60.0]);
        assert_eq!(positioned(&ranks, &IdxVec::from(vec![20.0, 74.0]), &size, 24.0), Ok(()));
        let broken = positioned(&ranks, &IdxVec::from(vec![20.0, 60.0]), &size, 24.0);
        assert_eq!(broken, Err(Violation::Overlap { rank: 0, left: LNode(0), right: LNode(1) }));
        // Out of order is an overlap too.
        assert!(positioned(&ranks, &IdxVec::from(vec![80.0, 20.0]), &size, 24.0).is_err());
        assert_eq!(positioned(&ranks, &IdxVec::from(vec![f32::NAN, 0.0]), &size, 24.0), Ok(()));
    }

    #[test]
    fn routing_catches_a_detached_polyline() {
        let item =
            |x: f32, y: f32| Item { node: None, group: None, members: 1, x, y, width: 40.0, height: 20.0, rank: 0 };
        let items: IdxVec<ItemId, Item> = IdxVec::from(vec![item(20.0, 10.0), item(20.0, 90.0)]);
        let path = |points: Vec<(f32, f32)>| EdgePath {
            source: ItemId(0),
            target: ItemId(1),
            points,
            reversed: false,
            edge: EdgeIdx(0),
            count: 1,
        };
        let good = IdxVec::from(vec![path(vec![(20.0, 20.0), (20.0, 80.0)])]);
        assert_eq!(routed(&items, &good), Ok(()));
        let loose = IdxVec::from(vec![path(vec![(20.0, 20.0), (20.0, 60.0)])]);
        assert_eq!(routed(&items, &loose), Err(Violation::Detached { link: LinkIdx(0) }));
        let empty = IdxVec::from(vec![path(Vec::new())]);
        assert!(routed(&items, &empty).is_err());
    }
}
