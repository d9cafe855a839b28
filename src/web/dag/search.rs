//! Finding nodes: Ctrl/Cmd+F (while the pointer is over the view or it has focus)
//! opens the box; typing lists matches by id or label, lit on the canvas; Enter jumps
//! to and selects the next one, Shift+Enter the previous, Escape closes.

use super::Ctx;
use super::frame::yield_now;
use super::sync::{follow, select};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::layout::search::{MAX_MATCHES, matching_nodes};

pub fn find(ctx: Ctx, query: &str) {
    let pane = ctx.active.get_untracked();
    let found = ctx
        .dag
        .try_with_value(|d| d.panes.get(pane).map(|p| matching_nodes(&p.plan, query)).unwrap_or_default())
        .unwrap_or_default();
    ctx.cursor.set(None);
    ctx.matches.set(found);
}

/// Moves to the next (or previous) match: selects it and centres the view on it.
pub fn step(ctx: Ctx, forward: bool) {
    let m = ctx.matches.get_untracked();
    let Some(next) = planscope_core::layout::search::step(ctx.cursor.get_untracked(), m.len(), forward) else {
        return;
    };
    let Some(&node) = m.get(next) else { return };
    ctx.cursor.set(Some(next));
    let pane = ctx.active.get_untracked();
    let node = node.0;
    select(ctx, pane, Some(node));
    ctx.dag.update_value(|d| {
        if let Some(p) = d.panes.get_mut(pane) {
            p.focus_node(node);
        }
    });
    follow(ctx, pane);
}

pub fn open(ctx: Ctx, input: NodeRef<Input>) {
    ctx.search_open.set(true);
    spawn_local(async move {
        yield_now().await;
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
            el.select();
        }
    });
}

#[component]
pub fn SearchBox(ctx: Ctx, input: NodeRef<Input>) -> impl IntoView {
    let count = move || {
        let n = ctx.matches.get().len();
        match ctx.cursor.get() {
            Some(c) if n > 0 => format!("{} / {n}", c + 1),
            _ if n >= MAX_MATCHES => format!("{MAX_MATCHES}+ matches"),
            _ => format!("{n} match{}", if n == 1 { "" } else { "es" }),
        }
    };
    view! {
        <div class="dag-search" class:dag-hidden=move || !ctx.search_open.get() role="search">
            <input
                node_ref=input
                type="search"
                placeholder="Find node by id or label"
                aria-label="Find node"
                data-testid="dag-search"
                on:input=move |ev| find(ctx, &event_target_value(&ev))
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    ev.stop_propagation();
                    match ev.key().as_str() {
                        "Enter" => {
                            ev.prevent_default();
                            step(ctx, !ev.shift_key());
                        }
                        "Escape" => {
                            ctx.search_open.set(false);
                            ctx.matches.set(Vec::new());
                        }
                        _ => {}
                    }
                }
            />
            <span class="dag-search-count muted" data-testid="dag-search-count">{count}</span>
        </div>
    }
}
