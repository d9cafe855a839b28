//! Pass "band" (positions across the ranks): each rank is a band as thick as its
//! thickest item, bands separated by the rank gap; items sit on their band's centre
//! line. O(V).

use super::index::{IdxVec, ItemId};
use super::layered::Layered;

pub(crate) struct Bands {
    /// Centre of each rank, across.
    pub mid: Vec<f32>,
    /// From the first band's near side to the last band's far side.
    pub total: f32,
}

/// `size` is (along, across) per item; virtual nodes are lines, of no thickness.
pub(crate) fn across(l: &Layered, size: &IdxVec<ItemId, (f32, f32)>, gap: f32) -> Bands {
    let mut thick = vec![0.0f32; l.ranks];
    // Items are the first layered nodes, so the zip stops at the last item.
    for (s, &r) in size.iter().zip(&l.rank) {
        thick[r as usize] = thick[r as usize].max(s.1);
    }
    let mut mid = Vec::with_capacity(l.ranks);
    let mut at = 0.0f32;
    for (r, &t) in thick.iter().enumerate() {
        if r > 0 {
            at += gap;
        }
        mid.push(at + t / 2.0);
        at += t;
    }
    Bands { mid, total: at }
}
