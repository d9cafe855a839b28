//! Before/after together: a node selected on one side selects its counterparts on the
//! other (`planscope_core::counterpart`), and with sync on both panes show the same part of
//! their graphs (the same relative view, since the two layouts differ in size).

use super::Ctx;
use super::frame::request_draw_all;
use crate::web::state::{Rewrite, Side};
use leptos::prelude::*;
use planscope_core::cluster::on_gpu::first_gpu;
use planscope_core::counterpart::{Counterparts, Direction};
use planscope_core::layout::viewport::Camera;

/// Which nodes are selected on each side; `primary` is the one clicked or found.
#[derive(Clone, Default, PartialEq)]
pub struct Selection {
    pub primary: Option<(Side, u32)>,
    pub before: Vec<u32>,
    pub after: Vec<u32>,
}

impl Selection {
    pub fn of(&self, pane: usize) -> &[u32] {
        if pane == 0 { &self.before } else { &self.after }
    }
}

/// Selects `node` of pane `i` (None clears), its counterparts on the other pane, and
/// its GPU in the cluster grids; with sync on, the other pane centres on the counterpart.
pub fn select(ctx: Ctx, i: usize, node: Option<u32>) {
    let Some(node) = node else {
        ctx.focus.dag.set(Selection::default());
        return;
    };
    let plans = ctx.dag.try_with_value(|d| d.panes.iter().map(|p| (p.side, p.plan.clone())).collect::<Vec<_>>());
    let Some(plans) = plans else { return };
    let Some((side, plan)) = plans.get(i).cloned() else { return };
    let mut sel = Selection { primary: Some((side, node)), ..Selection::default() };
    let mut other_first = None;
    if let Some((_, other)) = plans.get(1 - i.min(1)).filter(|_| plans.len() > 1) {
        let origins = ctx.session.after.with_untracked(|a| a.as_ref().and_then(Rewrite::ok)?.origins.clone());
        let dir = if side == Side::Before { Direction::BeforeToAfter } else { Direction::AfterToBefore };
        let found = Counterparts::new(&plan, other, origins.as_deref(), dir).of(node);
        other_first = found.first().copied();
        if i == 0 {
            sel.after = found;
        } else {
            sel.before = found;
        }
    }
    if i == 0 {
        sel.before = vec![node];
    } else {
        sel.after = vec![node];
    }
    ctx.focus.dag.set(sel);
    if let Some(gpu) = plan.nodes.get(node as usize).and_then(|n| first_gpu(&n.placement)) {
        ctx.focus.selected_gpu.set(Some(gpu));
    }
    if let Some(n) = other_first
        && ctx.settings.sync.get_untracked()
    {
        let other = 1 - i.min(1);
        ctx.dag.update_value(|d| {
            if let Some(p) = d.panes.get_mut(other) {
                let scale = p.camera.scale;
                p.focus_node(n);
                p.camera.scale = p.camera.scale.min(scale.max(1.0));
                p.focus_node(n);
            }
        });
        request_draw_all(ctx.dag);
    }
}

/// After pane `from` moved: with sync on, the other panes take the same relative view.
pub fn follow(ctx: Ctx, from: usize) {
    if ctx.settings.sync.get_untracked() {
        ctx.dag.update_value(|d| {
            let Some(src) = d.panes.get(from) else { return };
            let Some(v) = &src.view else { return };
            let rel = src.camera.relative(v.layout.bounds, src.size.0, src.size.1);
            for (k, p) in d.panes.iter_mut().enumerate() {
                if k != from
                    && let Some(pv) = &p.view
                {
                    p.camera = Camera::from_relative(rel, pv.layout.bounds, p.size.0, p.size.1);
                }
            }
        });
    }
    request_draw_all(ctx.dag);
}
