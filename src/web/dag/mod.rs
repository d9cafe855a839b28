//! The DAG view: before and after plans drawn side by side on canvases, laid out by
//! `planscope_core::layout` after yielding to the event loop, with grouping, colouring,
//! search over both graphs, a properties panel, minimaps, the rewrite's changes marked,
//! and navigation by correspondence (`sync`): what is selected on one side is selected
//! and shown on the other.

mod canvas;
mod changes;
mod excerpt;
mod frame;
mod input;
mod labels;
mod minimap;
mod pane;
mod panel;
mod props;
mod search;
mod sync;
mod theme;

use crate::web::state::{Chrome, Focus, Rewrite, Session, Side};
pub use excerpt::ExcerptGraph;
use frame::{request_draw, request_draw_all, yield_now};
use leptos::ev;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pane::{Dag, Pane, Panes};
use panel::DagPane;
use planscope_core::analysis::Analysis;
use planscope_core::layout::{Grouping, NodeIdx};
use planscope_core::model::Plan;
use planscope_core::units::thousands;
use props::Props;
use search::{Match, SearchBox};
use std::sync::Arc;
pub use sync::Selection;
use theme::ColorBy;

/// The view's settings, kept in `Chrome` so they survive opening another file. (The
/// selection is the user's focus: `Focus::dag`.)
#[derive(Clone, Copy)]
pub struct DagSettings {
    /// None: series above ``Grouping::SERIES_ABOVE`` nodes, else no grouping.
    pub grouping: RwSignal<Option<Grouping>>,
    pub color: RwSignal<ColorBy>,
    /// Clicking a node brings its counterparts into view on the other side.
    pub sync: RwSignal<bool>,
}

impl DagSettings {
    pub fn new() -> DagSettings {
        DagSettings { grouping: RwSignal::new(None), color: RwSignal::new(ColorBy::Gpu), sync: RwSignal::new(true) }
    }
}

impl Default for DagSettings {
    fn default() -> DagSettings {
        DagSettings::new()
    }
}

/// Everything the view's parts share; all handles, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub dag: Dag,
    /// The open session: the after side's provenance record maps nodes across the panes.
    pub session: Session,
    pub settings: DagSettings,
    /// The selected nodes (`focus.dag`), the selected GPU and the finding's highlight.
    pub focus: Focus,
    /// Bumped when a layout changes, so marks are recomputed for the new items.
    pub version: RwSignal<u32>,
    /// The pane keys and search act on.
    pub active: RwSignal<usize>,
    /// Search matches in both panes, before's first.
    pub matches: RwSignal<Vec<Match>>,
    pub cursor: RwSignal<Option<usize>>,
    pub search_open: RwSignal<bool>,
}

fn grouping_key(g: Option<Grouping>) -> &'static str {
    match g {
        None => "auto",
        Some(Grouping::None) => "none",
        Some(Grouping::Series) => "series",
        Some(Grouping::Layer) => "layer",
        Some(Grouping::Stage) => "stage",
        Some(Grouping::Server) => "server",
        Some(Grouping::Cluster) => "cluster",
    }
}

fn grouping_from(key: &str) -> Option<Grouping> {
    match key {
        "none" => Some(Grouping::None),
        "series" => Some(Grouping::Series),
        "layer" => Some(Grouping::Layer),
        "stage" => Some(Grouping::Stage),
        "server" => Some(Grouping::Server),
        "cluster" => Some(Grouping::Cluster),
        _ => None,
    }
}

/// Lays out every pane, one per macrotask, then fits and draws it.
fn layout_all(ctx: Ctx, grouping: Option<Grouping>) {
    let n = ctx.dag.try_with_value(|d| d.panes.len()).unwrap_or(0);
    layout_panes(ctx, (0..n).collect(), grouping);
}

/// Lays out panes `which`, one per macrotask, then fits and draws each. A pane replaced
/// meanwhile (a newer rewrite) is left to its own layout.
fn layout_panes(ctx: Ctx, which: Vec<usize>, grouping: Option<Grouping>) {
    let jobs: Vec<(usize, Arc<Plan>, RwSignal<bool>)> = ctx
        .dag
        .try_with_value(|d| {
            which.iter().filter_map(|&i| d.panes.get(i).map(|p| (i, p.plan.clone(), p.ready))).collect()
        })
        .unwrap_or_default();
    for (_, _, ready) in &jobs {
        ready.set(false);
    }
    let color = ctx.settings.color.get_untracked();
    spawn_local(async move {
        for (i, plan, _) in jobs {
            yield_now().await;
            let done = ctx.dag.try_update_value(|d| {
                // The same plan in another pane (the after side of a clean plan): start from
                // its session, whose layouts are cached, rather than lay it out again.
                let fresh = d.panes.get(i).is_some_and(|p| p.session.is_none());
                let twin =
                    d.panes.iter().filter(|_| fresh).find(|q| Arc::ptr_eq(&q.plan, &plan) && q.session.is_some());
                let twin = twin.and_then(|q| q.session.clone());
                if let Some(p) = d.panes.get_mut(i).filter(|p| Arc::ptr_eq(&p.plan, &plan)) {
                    if p.session.is_none() {
                        p.session = twin;
                    }
                    p.prepare();
                }
            });
            if done.is_none() {
                return;
            }
            // Preparing a million-node plan and laying it out are about a second each in
            // wasm: the browser gets the thread back between them.
            yield_now().await;
            let done = ctx.dag.try_update_value(|d| {
                if let Some(p) = d.panes.get_mut(i).filter(|p| Arc::ptr_eq(&p.plan, &plan)) {
                    let g = grouping.unwrap_or_else(|| p.auto_grouping());
                    p.relayout(g, color);
                    p.measure();
                    p.open_view();
                }
            });
            if done.is_none() {
                return;
            }
            let _ = ctx.version.try_update(|v| *v += 1);
            request_draw(ctx.dag, i);
        }
    });
}

/// Fits pane `i` again after the page has laid out its new size.
fn refit_after_paint(ctx: Ctx, i: usize) {
    spawn_local(async move {
        yield_now().await;
        let fitted = ctx.dag.try_update_value(|d| {
            if let Some(p) = d.panes.get_mut(i) {
                p.measure();
                p.open_view();
            }
        });
        if fitted.is_some() {
            request_draw(ctx.dag, i);
        }
    });
}

/// Fit: both panes show their whole graph.
fn fit_all(ctx: Ctx) {
    ctx.dag.update_value(|d| {
        for p in d.panes.iter_mut() {
            p.measure();
            p.fit();
        }
    });
    request_draw_all(ctx.dag);
}

/// `c`: collapses the expanded stack holding the primary selection, else the one
/// expanded last, in the active pane.
fn collapse_key(ctx: Ctx, i: usize) {
    let sel = ctx.focus.dag.get_untracked();
    let target = ctx
        .dag
        .try_with_value(|d| {
            let p = d.panes.get(i)?;
            let v = p.view.as_ref()?;
            let holding = sel.of(i).first().and_then(|&n| {
                let it = v.layout.item_of_node.get(NodeIdx(n)).and_then(|&k| v.layout.items.get(k))?;
                v.layout
                    .groups
                    .iter()
                    .filter(|g| {
                        g.bounds.is_some_and(|b| {
                            it.x >= b.x && it.x <= b.x + b.width && it.y >= b.y && it.y <= b.y + b.height
                        })
                    })
                    .min_by(|a, b| a.members.cmp(&b.members))
                    .map(|g| g.id.clone())
            });
            holding.or_else(|| p.expanded_order.last().cloned())
        })
        .flatten();
    if let Some(g) = target {
        panel::toggle_group(ctx, i, g, None, 0.0, 0.0);
    }
}

/// Scrolls the view onto the screen when most of it is off it (a finding chosen further
/// up the page brings its nodes into view, and the view with them).
fn scroll_into_view(root: NodeRef<leptos::html::Section>) {
    let Some(el) = root.get_untracked() else { return };
    let h = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|v| v.as_f64()).unwrap_or(0.0);
    let r = el.get_bounding_client_rect();
    let visible = (r.bottom().min(h) - r.top().max(0.0)).max(0.0);
    if visible < (r.height().min(h)) * 0.5 {
        el.scroll_into_view_with_bool(r.top() < 0.0);
    }
}

/// Selects the next (or previous) node of pane `i` in the plan's order and centres on it:
/// the keyboard's way to every node; the properties panel (a live region) reads it out.
fn step_node(ctx: Ctx, i: usize, back: bool) {
    let Some(Some((side, n))) = ctx.dag.try_with_value(|d| d.panes.get(i).map(|p| (p.side, p.plan.nodes.len()))) else {
        return;
    };
    if n == 0 {
        return;
    }
    let n = n as u32;
    let current = ctx.focus.dag.with_untracked(|s| s.primary.filter(|(s, _)| *s == side).map(|(_, k)| k));
    let next = match (current, back) {
        (Some(k), false) => (k + 1) % n,
        (Some(k), true) => (k + n - 1) % n,
        (None, false) => 0,
        (None, true) => n - 1,
    };
    sync::select(ctx, i, Some(next));
    ctx.dag.update_value(|d| {
        if let Some(p) = d.panes.get_mut(i) {
            p.frame_nodes(&[next]);
        }
    });
}

/// The view over the open plan's before side, built once per opened plan; the after
/// pane follows the session's rewrite, so a rewrite never lays the before pane out again.
#[component]
pub fn DagView(before: Analysis) -> impl IntoView {
    let session = expect_context::<Session>();
    let focus = expect_context::<Focus>();
    let settings = expect_context::<Chrome>().dag;
    let ready_before = RwSignal::new(false);
    let ready_after = RwSignal::new(false);
    let dag: Dag = StoredValue::new_local(Panes {
        panes: vec![Pane::new(Side::Before, before.plan.clone(), Some(before.edges.clone()), ready_before)],
    });
    let ctx = Ctx {
        dag,
        session,
        settings,
        focus,
        version: RwSignal::new(0),
        active: RwSignal::new(0),
        matches: RwSignal::new(Vec::new()),
        cursor: RwSignal::new(None),
        search_open: RwSignal::new(false),
    };
    let after_plan = move || session.after.with(|a| a.as_ref().and_then(Rewrite::ok).map(|a| a.analysis.plan.clone()));
    let has_after = move || session.after.with(|a| a.as_ref().and_then(Rewrite::ok).is_some());
    let all_ready = move || ready_before.get() && (!has_after() || ready_after.get());
    // The first layout of both panes is `layout_all`'s; later after panes lay out alone.
    let first_after = StoredValue::new(true);
    // The after pane: replaced on each rewrite, alone. A new plan (or rewrite) starts with
    // nothing selected and no search.
    let after_pane = move || {
        let plan = after_plan();
        untrack(|| {
            focus.dag.set(Selection::default());
            ctx.matches.set(Vec::new());
            ctx.cursor.set(None);
            ctx.active.set(0);
            ctx.search_open.set(false);
            let had_after = dag.with_value(|d| d.panes.len() > 1);
            let diff = changes::diff(session);
            dag.update_value(|d| {
                d.panes.truncate(1);
                if let Some(p) = &plan {
                    let edges = session
                        .after
                        .with_untracked(|a| a.as_ref().and_then(Rewrite::ok).map(|a| a.analysis.edges.clone()));
                    let mut pane = Pane::new(Side::After, p.clone(), edges, ready_after);
                    if let Some(diff) = &diff {
                        pane.set_changes(planscope_core::rewrite::node_marks::after_marks(diff, p));
                    }
                    d.panes.push(pane);
                }
                if let Some(before) = d.panes.first_mut() {
                    let marks =
                        diff.as_ref().map(|x| planscope_core::rewrite::node_marks::before_marks(x, &before.plan));
                    before.set_changes(marks.unwrap_or_default());
                }
            });
            if had_after || plan.is_some() {
                request_draw(dag, 0);
            }
            if !first_after.get_value() && plan.is_some() {
                layout_panes(ctx, vec![1], settings.grouping.get_untracked());
            }
            // The before pane keeps its layout, but an after pane coming or going changes
            // its width: fit it again once the panes have their new sizes.
            if !first_after.get_value() && had_after != plan.is_some() {
                refit_after_paint(ctx, 0);
            }
            first_after.set_value(false);
            plan.map(|p| {
                let n = p.nodes.len();
                view! { <DagPane ctx=ctx index=1 side_key="after" title=format!("After · {} nodes", thousands(n)) nodes=n /> }
            })
        })
    };

    Effect::new(move |_| layout_all(ctx, settings.grouping.get()));
    Effect::new(move |prev: Option<ColorBy>| {
        let c = settings.color.get();
        if prev.is_some() {
            dag.update_value(|d| d.panes.iter_mut().for_each(|p| p.recolor(c)));
            request_draw_all(dag);
        }
        c
    });
    Effect::new(move |_| {
        let sel = focus.dag.get();
        let hl = focus.highlight.get();
        let gpu = focus.selected_gpu.get();
        let matches = ctx.matches.get();
        let active = ctx.active.get();
        ctx.version.get();
        let _ = active;
        dag.update_value(|d| {
            for (k, p) in d.panes.iter_mut().enumerate() {
                let m: Vec<NodeIdx> = matches.iter().filter(|m| m.0 == k).map(|m| m.1).collect();
                // A finding names nodes of the plan as written; the after side lights
                // their counterparts through the selection.
                let hl_nodes: &[String] = if k == 0 { &hl.nodes } else { &[] };
                p.remark(sel.of(k), hl_nodes, gpu, &m);
            }
        });
        request_draw_all(dag);
    });

    let root = NodeRef::<leptos::html::Section>::new();
    // A node id clicked outside the view (in a finding): look it up, select and show it.
    Effect::new(move |_| {
        let pending = focus.dag.with(|s| s.pending.clone());
        if let Some((side, ids)) = pending {
            untrack(|| sync::reveal_ids(ctx, side, &ids));
            scroll_into_view(root);
        }
    });
    // A finding chosen (in the panel or by the review walk): its nodes and their
    // counterparts are selected and brought into view on both sides.
    Effect::new(move |prev: Option<Option<usize>>| {
        let finding = focus.highlight.with(|h| h.finding);
        if prev.is_some() && finding.is_some() && prev != Some(finding) {
            let nodes = focus.highlight.with_untracked(|h| h.nodes.clone());
            untrack(|| sync::reveal_ids(ctx, Side::Before, &nodes));
            scroll_into_view(root);
        }
        finding
    });

    let search_input = NodeRef::<Input>::new();
    let hovered = RwSignal::new(false);
    // Ctrl/Cmd+F: ours while the pointer is over the view or focus is inside it.
    let handle = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if !(e.ctrl_key() || e.meta_key()) || !e.key().eq_ignore_ascii_case("f") {
            return;
        }
        let focused = root.try_get_untracked().flatten().is_some_and(|r| {
            let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            active.is_some_and(|a| r.contains(Some(&a)))
        });
        if hovered.try_get_untracked() == Some(true) || focused {
            e.prevent_default();
            search::open(ctx, search_input);
        }
    });
    // A resized window resizes the canvases: redraw them at the new size.
    let resize = window_event_listener(ev::resize, move |_| request_draw_all(dag));
    on_cleanup(move || {
        handle.remove();
        resize.remove();
    });

    let on_key = move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let tag = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .map(|el| el.tag_name())
            .unwrap_or_default();
        if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON") {
            return;
        }
        let i = ctx.active.get_untracked();
        let act = |f: &dyn Fn(&mut Pane)| {
            dag.update_value(|d| {
                if let Some(p) = d.panes.get_mut(i) {
                    f(p)
                }
            })
        };
        match e.key().as_str() {
            "f" | "F" => fit_all(ctx),
            "ArrowLeft" => act(&|p| p.camera.pan(input::KEY_PAN, 0.0)),
            "ArrowRight" => act(&|p| p.camera.pan(-input::KEY_PAN, 0.0)),
            "ArrowUp" => act(&|p| p.camera.pan(0.0, input::KEY_PAN)),
            "ArrowDown" => act(&|p| p.camera.pan(0.0, -input::KEY_PAN)),
            "+" | "=" => act(&|p| input::zoom_center(p, input::KEY_ZOOM)),
            "-" | "_" => act(&|p| input::zoom_center(p, 1.0 / input::KEY_ZOOM)),
            "Escape" => focus.dag.set(Selection::default()),
            "c" | "C" => collapse_key(ctx, i),
            "z" | "Z" => {
                let sel = focus.dag.get_untracked();
                act(&|p| p.frame_nodes(sel.of(i)));
                sync::centre_counterparts(ctx, i);
            }
            "n" | "N" => step_node(ctx, i, e.shift_key()),
            _ => return,
        }
        e.prevent_default();
        request_draw(dag, i);
    };

    let before_plan = before.plan.clone();
    let before_title = format!("Before · {} nodes", thousands(before.plan.nodes.len()));
    let before_nodes = before.plan.nodes.len();
    view! {
        <section
            class="card dag"
            aria-label="Plan graph"
            data-testid="dag-view"
            data-ready=move || if all_ready() { "true" } else { "false" }
            tabindex="0"
            node_ref=root
            on:keydown=on_key
            on:pointerenter=move |_| hovered.set(true)
            on:pointerleave=move |_| hovered.set(false)
        >
            <header class="dag-bar">
                <h2>"Graph"</h2>
                <label class="dag-control">
                    "Group "
                    <select
                        data-testid="dag-grouping"
                        on:change=move |ev| settings.grouping.set(grouping_from(&event_target_value(&ev)))
                        prop:value=move || grouping_key(settings.grouping.get())
                    >
                        <option value="auto">"auto"</option>
                        <option value="none">"none"</option>
                        <option value="series">"series"</option>
                        <option value="layer">"layer"</option>
                        <option value="stage">"stage"</option>
                        <option value="server">"server"</option>
                    </select>
                </label>
                <label class="dag-control">
                    "Colour "
                    <select
                        data-testid="dag-color"
                        on:change=move |ev| {
                            settings.color.set(if event_target_value(&ev) == "stage" { ColorBy::Stage } else { ColorBy::Gpu })
                        }
                        prop:value=move || settings.color.get().key()
                    >
                        <option value="gpu">"by GPU"</option>
                        <option value="stage">"by PP stage"</option>
                    </select>
                </label>
                <label class="dag-control">
                    <input
                        type="checkbox"
                        data-testid="dag-sync"
                        prop:checked=move || settings.sync.get()
                        on:change=move |ev| settings.sync.set(event_target_checked(&ev))
                    />
                    " follow counterparts"
                </label>
                <button class="dag-button" data-testid="dag-fit" on:click=move |_| fit_all(ctx) title="Fit (f)">
                    "Fit"
                </button>
                <button class="dag-button" on:click=move |_| search::open(ctx, search_input) title="Find (Ctrl+F)">
                    "Find"
                </button>
                <SearchBox ctx=ctx input=search_input />
                <span class="dag-hint muted">
                    <span class="hint-fine">"drag to pan · wheel to zoom · f fits · z shows the selection · n steps through nodes · click a stack to expand, c collapses"</span>
                    <span class="hint-coarse">"two fingers pan and pinch to zoom · Fit shows the whole graph · tap a node for its properties, a stack to expand it"</span>
                </span>
            </header>
            <changes::Legend session=session />
            <div class="dag-body">
                <div class="dag-panes" class:dag-single=move || !has_after()>
                    <DagPane ctx=ctx index=0 side_key="before" title=before_title nodes=before_nodes />
                    {after_pane}
                </div>
                <Props selection=focus.dag before=before_plan after=Signal::derive(after_plan) />
            </div>
        </section>
    }
}
