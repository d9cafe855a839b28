//! Finding nodes in both graphs: Ctrl/Cmd+F (while the pointer is over the view or it
//! has focus) opens the box; typing lists matches by id or label in the before pane, then
//! the after pane, lit on both canvases; Enter brings the next one and its counterparts
//! into view on both sides and selects them, Shift+Enter the previous, Escape closes.

use super::Ctx;
use super::frame::yield_now;
use super::sync::reveal;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::layout::NodeIdx;
use planscope_core::layout::search::{MAX_MATCHES, matching_in};

/// A match: the pane it is in and the node.
pub type Match = (usize, NodeIdx);

pub fn find(ctx: Ctx, query: &str) {
    let found: Vec<Match> = ctx
        .dag
        .try_with_value(|d| matching_in(&d.panes.iter().map(|p| p.plan.as_ref()).collect::<Vec<_>>(), query))
        .unwrap_or_default();
    ctx.cursor.set(None);
    ctx.matches.set(found);
}

/// Moves to the next (or previous) match: selects it and its counterparts and shows them.
pub fn step(ctx: Ctx, forward: bool) {
    let m = ctx.matches.get_untracked();
    let Some(next) = planscope_core::layout::search::step(ctx.cursor.get_untracked(), m.len(), forward) else {
        return;
    };
    let Some(&(pane, node)) = m.get(next) else { return };
    ctx.cursor.set(Some(next));
    ctx.active.set(pane);
    reveal(ctx, pane, &[node.0]);
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

/// "3 / 12 · 4 before · 8 after": where the cursor is, and how many each side holds.
fn count_text(matches: &[Match], cursor: Option<usize>, panes: usize) -> String {
    let n = matches.len();
    let before = matches.iter().filter(|m| m.0 == 0).count();
    let head = match cursor {
        Some(c) if n > 0 => format!("{} / {n}", c + 1),
        _ if before >= MAX_MATCHES || n - before >= MAX_MATCHES => format!("{n}+ matches"),
        _ => format!("{n} match{}", if n == 1 { "" } else { "es" }),
    };
    if panes > 1 && n > 0 { format!("{head} · {before} before · {} after", n - before) } else { head }
}

#[component]
pub fn SearchBox(ctx: Ctx, input: NodeRef<Input>) -> impl IntoView {
    let count = move || {
        ctx.version.get();
        let panes = ctx.dag.try_with_value(|d| d.panes.len()).unwrap_or(1);
        ctx.matches.with(|m| count_text(m, ctx.cursor.get(), panes))
    };
    view! {
        <div class="dag-search" class:dag-hidden=move || !ctx.search_open.get() role="search">
            <input
                node_ref=input
                type="search"
                placeholder="Find node by id or label (both sides)"
                aria-label="Find node in both graphs"
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
            <span class="dag-search-count muted" data-testid="dag-search-count" aria-live="polite">{count}</span>
        </div>
    }
}
