//! Before and after by correspondence: selecting nodes on one side selects their
//! counterparts on the other (`planscope_core::counterpart`, from the rewrite's Origins),
//! and whatever is selected by a search, a finding or a node id is brought into view on
//! both sides. With "follow" on (the default), clicking a node also centres its
//! counterparts on the other side. Panning or zooming one pane never moves the other:
//! the two graphs differ in size, so a shared viewport showed unrelated parts.

use super::Ctx;
use super::frame::request_draw_all;
use crate::web::state::{Rewrite, Side};
use leptos::prelude::*;
use planscope_core::cluster::on_gpu::first_gpu;
use planscope_core::counterpart::{Counterparts, Direction};

/// Which nodes are selected on each side; `primary` is the one clicked or found.
/// `pending` holds node ids on a side still to be looked up (a finding's node id
/// clicked outside the view): the view resolves them into a selection and shows them.
#[derive(Clone, Default, PartialEq)]
pub struct Selection {
    pub primary: Option<(Side, u32)>,
    pub before: Vec<u32>,
    pub after: Vec<u32>,
    pub pending: Option<(Side, Vec<String>)>,
}

impl Selection {
    pub fn of(&self, pane: usize) -> &[u32] {
        if pane == 0 { &self.before } else { &self.after }
    }

    /// A request to select and show the nodes with these ids on `side`.
    pub fn ids(side: Side, ids: Vec<String>) -> Selection {
        Selection { pending: Some((side, ids)), ..Selection::default() }
    }
}

fn pane_of(side: Side) -> usize {
    if side == Side::Before { 0 } else { 1 }
}

/// The other side's nodes standing for `nodes` of pane `i`, ascending, once each.
fn counterparts(ctx: Ctx, i: usize, nodes: &[u32]) -> Vec<u32> {
    let plans = ctx.dag.try_with_value(|d| d.panes.iter().map(|p| (p.side, p.plan.clone())).collect::<Vec<_>>());
    let Some(plans) = plans else { return Vec::new() };
    let (Some((side, plan)), Some((_, other))) = (plans.get(i), plans.get(1 - i.min(1))) else { return Vec::new() };
    if plans.len() < 2 {
        return Vec::new();
    }
    let origins = ctx.session.after.with_untracked(|a| a.as_ref().and_then(Rewrite::ok)?.origins.clone());
    let dir = if *side == Side::Before { Direction::BeforeToAfter } else { Direction::AfterToBefore };
    let map = Counterparts::new(plan, other, origins.as_deref(), dir);
    let mut out: Vec<u32> = nodes.iter().flat_map(|&n| map.of(n)).collect();
    planscope_core::sort::unstable(&mut out);
    out.dedup();
    out
}

/// Selects `nodes` of pane `i` (the first is the primary) and their counterparts on
/// the other pane, and the first one's GPU in the cluster grids. Returns the selection.
fn select_nodes(ctx: Ctx, i: usize, nodes: &[u32]) -> Selection {
    let Some(&first) = nodes.first() else {
        ctx.focus.dag.set(Selection::default());
        return Selection::default();
    };
    let side = ctx.dag.try_with_value(|d| d.panes.get(i).map(|p| p.side)).flatten().unwrap_or(Side::Before);
    let there = counterparts(ctx, i, nodes);
    let mut here = nodes.to_vec();
    planscope_core::sort::unstable(&mut here);
    here.dedup();
    let sel = if i == 0 {
        Selection { primary: Some((side, first)), before: here, after: there, pending: None }
    } else {
        Selection { primary: Some((side, first)), before: there, after: here, pending: None }
    };
    ctx.focus.dag.set(sel.clone());
    let gpu = ctx
        .dag
        .try_with_value(|d| {
            d.panes.get(i).and_then(|p| p.plan.nodes.get(first as usize).map(|n| first_gpu(&n.placement)))
        })
        .flatten()
        .flatten();
    if let Some(g) = gpu {
        ctx.focus.selected_gpu.set(Some(g));
    }
    sel
}

/// Frames each pane on its selected nodes (`which`: the panes to move).
fn show(ctx: Ctx, sel: &Selection, which: &[usize]) {
    ctx.dag.update_value(|d| {
        for &k in which {
            if let Some(p) = d.panes.get_mut(k) {
                p.frame_nodes(sel.of(k));
            }
        }
    });
    request_draw_all(ctx.dag);
}

/// A click on node `node` of pane `i` (None clears): selects it and its counterparts;
/// with follow on, the other pane brings the counterparts into view.
pub fn select(ctx: Ctx, i: usize, node: Option<u32>) {
    let Some(node) = node else {
        ctx.focus.dag.set(Selection::default());
        return;
    };
    let sel = select_nodes(ctx, i, &[node]);
    if ctx.settings.sync.get_untracked() {
        show(ctx, &sel, &[1 - i.min(1)]);
    }
}

/// A search result, a finding or a node id: selects `nodes` of pane `i` and their
/// counterparts, and brings both into view on both sides.
pub fn reveal(ctx: Ctx, i: usize, nodes: &[u32]) {
    let sel = select_nodes(ctx, i, nodes);
    if sel.primary.is_some() {
        show(ctx, &sel, &[0, 1]);
    }
}

/// Looks node ids up on `side` (else on the other side) and reveals those found.
pub fn reveal_ids(ctx: Ctx, side: Side, ids: &[String]) {
    let look = |k: usize| -> Vec<u32> {
        ctx.dag
            .try_update_value(|d| {
                d.panes.get_mut(k).map(|p| ids.iter().filter_map(|id| p.node_index(id)).collect::<Vec<u32>>())
            })
            .flatten()
            .unwrap_or_default()
    };
    let k = pane_of(side);
    let found = look(k);
    if !found.is_empty() {
        reveal(ctx, k, &found);
        return;
    }
    let other = 1 - k;
    let found = look(other);
    if !found.is_empty() {
        reveal(ctx, other, &found);
    } else {
        ctx.focus.dag.set(Selection::default());
    }
}

/// Centres the counterparts of pane `from`'s centred selection: when a key or the
/// search moved one pane onto a node, the other follows by correspondence.
pub fn centre_counterparts(ctx: Ctx, from: usize) {
    if !ctx.settings.sync.get_untracked() {
        return;
    }
    let sel = ctx.focus.dag.get_untracked();
    if sel.of(from).is_empty() {
        return;
    }
    show(ctx, &sel, &[1 - from.min(1)]);
}
