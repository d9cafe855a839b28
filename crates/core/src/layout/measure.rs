//! Pass "measure": each item's box and its seed key for ordering. A node has its label's
//! box and its own domain key; a collapsed group has its caption's box, the mean GPU
//! column of its members and its first member's ranks. Sizes are turned to
//! (along the rank, across the ranks), so later passes need not know the direction.
//! O(V), each node read once (as itself or as a group member).

use super::group::{Assignment, ItemOf};
use super::index::{IdxVec, ItemId};
use super::order::SeedKey;
use super::prepare::{self, Prepared};

pub(crate) struct Measured {
    /// Per item: (along, across).
    pub size: IdxVec<ItemId, (f32, f32)>,
    pub keys: IdxVec<ItemId, SeedKey>,
}

pub(crate) fn items(p: &Prepared, a: &Assignment, horizontal: bool) -> Measured {
    let n = a.items.len();
    let mut size = IdxVec::with_capacity(n);
    let mut keys = IdxVec::with_capacity(n);
    for it in &a.items {
        match *it {
            ItemOf::Node(v) => {
                let info = &p.nodes[v];
                size.push((info.width, info.height));
                keys.push(SeedKey { col: info.col, ep: info.ep, tp: info.tp, expert: info.expert, layer: info.layer });
            }
            ItemOf::Group(g) => {
                let spec = &a.groups[g];
                size.push(prepare::text_size(&spec.label));
                let cols: Vec<f32> = spec.members.iter().filter_map(|&v| p.nodes[v].col).collect();
                let first = spec.members.first().map(|&v| &p.nodes[v]);
                keys.push(SeedKey {
                    col: (!cols.is_empty()).then(|| cols.iter().sum::<f32>() / cols.len() as f32),
                    ep: first.and_then(|f| f.ep),
                    tp: first.and_then(|f| f.tp),
                    expert: first.and_then(|f| f.expert),
                    layer: first.and_then(|f| f.layer),
                });
            }
        }
    }
    if horizontal {
        for s in size.iter_mut() {
            *s = (s.1, s.0);
        }
    }
    Measured { size, keys }
}
