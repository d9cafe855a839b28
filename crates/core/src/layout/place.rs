//! Pass "place": the abstract coordinates (along the rank, across the ranks) turned
//! into the drawing's (x, y) for the chosen direction, the items built, and the bounds
//! taken around everything drawn. O(V + bend points).

use super::band::Bands;
use super::group::{Assignment, ItemOf};
use super::index::{IdxVec, ItemId, LNode};
use super::measure::Measured;
use super::{Direction, EdgePath, Item, Rect};

/// Maps (along, across) to (x, y).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub direction: Direction,
    /// The drawing's extent across the ranks, to flip bottom-to-top and right-to-left.
    pub across: f32,
}

impl Frame {
    pub(crate) fn map(self, (a, c): (f32, f32)) -> (f32, f32) {
        match self.direction {
            Direction::TopToBottom => (a, c),
            Direction::BottomToTop => (a, self.across - c),
            Direction::LeftToRight => (c, a),
            Direction::RightToLeft => (self.across - c, a),
        }
    }
}

/// The drawn items, in item order.
pub(crate) fn items(
    a: &Assignment,
    m: &Measured,
    rank: &IdxVec<ItemId, u32>,
    along: &IdxVec<LNode, f32>,
    bands: &Bands,
    frame: Frame,
) -> IdxVec<ItemId, Item> {
    let horizontal = frame.direction.horizontal();
    a.items
        .iter_enumerated()
        .map(|(i, it)| {
            let r = rank[i];
            let mid = bands.mid.get(r as usize).copied().unwrap_or(0.0);
            let (x, y) = frame.map((along[LNode::from(i)], mid));
            let s = m.size[i];
            let (width, height) = if horizontal { (s.1, s.0) } else { s };
            let (node, group, members) = match *it {
                ItemOf::Node(v) => (Some(v), None, 1),
                ItemOf::Group(g) => {
                    let spec = &a.groups[g];
                    (None, Some(spec.id.clone()), spec.members.len() as u32)
                }
            };
            Item { node, group, members, x, y, width, height, rank: r }
        })
        .collect()
}

/// From the origin to the far corner of every box and bend point.
pub(crate) fn bounds(items: &[Item], edges: &[EdgePath]) -> Rect {
    let mut bounds = Rect::default();
    let mut grow = |px: f32, py: f32| {
        bounds.width = bounds.width.max(px);
        bounds.height = bounds.height.max(py);
    };
    for it in items {
        grow(it.x + it.width / 2.0, it.y + it.height / 2.0);
    }
    for e in edges {
        for &(px, py) in &e.points {
            grow(px, py);
        }
    }
    bounds
}
