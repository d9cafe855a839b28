//! Pass "group captions": what the view says about each group of the current grouping
//! mode: its label and size, the item drawing it when collapsed, the box around its
//! members when expanded. O(V).

use super::group::{Assignment, ItemOf};
use super::index::{IdxVec, ItemId};
use super::{GroupInfo, Item, Rect};

pub(crate) fn groups(a: &Assignment, items: &IdxVec<ItemId, Item>) -> Vec<GroupInfo> {
    let mut groups: Vec<GroupInfo> = a
        .groups
        .iter()
        .map(|s| GroupInfo {
            id: s.id.clone(),
            label: s.label.clone(),
            members: s.members.len() as u32,
            expanded: s.expanded,
            item: None,
            bounds: None,
        })
        .collect();
    for (i, it) in a.items.iter_enumerated() {
        if let ItemOf::Group(g) = *it
            && let Some(info) = groups.get_mut(g.ix())
        {
            info.item = Some(i);
        }
    }
    for (info, spec) in groups.iter_mut().zip(&a.groups) {
        if spec.expanded {
            info.bounds = Rect::around(spec.members.iter().map(|&v| &items[a.item_of_node[v]]));
        }
    }
    groups
}
