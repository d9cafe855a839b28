//! The simulated step as a per-GPU timeline (Gantt), one per side, stacked. Every GPU
//! has a row, but only the rows scrolled into view are drawn (virtualised), so 1,024+
//! GPUs scroll smoothly; spans narrower than a pixel merge. Navigation as in Perfetto:
//! W/S zoom at the pointer, A/D pan, drag across the chart to zoom to that range,
//! Ctrl+wheel zooms and Shift+wheel pans. A click selects a slice: its details, and
//! the dispatch/combine flows into and out of it drawn as arrows.

use super::state::Focus;
use leptos::prelude::*;
use planscope_core::analysis::Analysis;
use planscope_core::sim::time_window::TimeWindow;
use planscope_core::sim::timeline::{Flow, StreamShares, at, flows, visible};
use planscope_core::units;
use std::sync::Arc;
use std::sync::OnceLock;

/// The least width of one interval of the time axis, in CSS pixels: room for a label.
const AXIS_STEP: f64 = 90.0;
/// Row height and the width of the GPU labels, in CSS pixels.
const ROW: f64 = 14.0;
const LABEL: f64 = 64.0;
/// The scroll area's height at most; fewer rows make it shorter.
const MAX_VIEW: f64 = 336.0;
/// Flows kept for arrows: an MoE step has two per expert and layer.
const MAX_FLOWS: usize = 200_000;
/// A drag shorter than this many pixels is a click.
const DRAG_PX: f64 = 4.0;

/// A selected slice: the row's GPU and the node that ran.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Selected {
    gpu: u32,
    node: u32,
}

/// The pointer over the drawing: fraction across the time area (0..1), its width in
/// pixels, and the pointer's y in pixels from the top of the rows (the drawing scrolls
/// with its rows, so its own top already accounts for the scroll).
fn pointer(ev: &web_sys::MouseEvent) -> Option<(f64, f64, f64)> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = ev.current_target()?.dyn_into().ok()?;
    let r = el.get_bounding_client_rect();
    let width = (r.width() - LABEL).max(1.0);
    let fx = (ev.client_x() as f64 - r.left() - LABEL) / width;
    Some((fx.clamp(0.0, 1.0), width, ev.client_y() as f64 - r.top()))
}

/// The dispatch/combine flows, drawn only for a selected slice: found on the first
/// selection rather than when the plan opens (they need the plan's whole graph, about a
/// second natively for a million nodes, and the page shows two timelines).
#[derive(Clone)]
struct LazyFlows {
    analysis: Analysis,
    flows: Arc<OnceLock<Vec<Flow>>>,
}

impl LazyFlows {
    fn get(&self) -> &[Flow] {
        self.flows.get_or_init(|| {
            let a = &self.analysis;
            a.report.metrics.simulation.as_ref().map(|sim| flows(&a.plan, sim, MAX_FLOWS)).unwrap_or_default()
        })
    }
}

#[component]
pub fn Timeline(analysis: Analysis, title: &'static str, side: &'static str) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let drawn = analysis.step_rows().filter(|s| !s.rows.is_empty());
    let (Some(drawn), Some(sim)) = (drawn, analysis.report.metrics.simulation.as_ref()) else {
        return view! {
            <section class="card timeline" data-testid="timeline-step" data-side=side>
                <h2>{title}</h2>
                <p class="muted">"No simulated step: the plan needs "{planscope_core::sim::STEP_NEEDS}"."</p>
            </section>
        }
        .into_any();
    };
    let shares = StreamShares::of(sim);
    let n_rows = drawn.rows.gpus.len();
    let step = drawn.rows.step_s;
    let (rows, spans) = (drawn.clone(), drawn);
    let all_flows = LazyFlows { analysis: analysis.clone(), flows: Arc::new(OnceLock::new()) };
    let plan = analysis.plan.clone();

    let window = RwSignal::new(TimeWindow::whole(step));
    let scroll_top = RwSignal::new(0.0f64);
    let width = RwSignal::new(800.0f64);
    let hovered = RwSignal::new(None::<(u32, u32, f64, f64, u32)>);
    let selected = RwSignal::new(None::<Selected>);
    // A drag in progress: where it began (fraction across) and where it is now.
    let drag = RwSignal::new(None::<(f64, f64, f64)>);
    let pointer_at = RwSignal::new(0.5f64);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let view_h = (n_rows as f64 * ROW).min(MAX_VIEW);

    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            width.set((el.client_width() as f64).max(LABEL + 100.0));
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let zoom = move |factor: f64, at: f64| window.update(|w| *w = w.zoom(factor, at));
    let pan = move |frac: f64| window.update(|w| *w = w.pan(frac));

    // Only the rows in view: two paths (compute, communication) per row.
    let rows_draw = rows.clone();
    let drawn = move || {
        use std::fmt::Write;
        let TimeWindow { t0, t1, .. } = window.get();
        let w = width.get() - LABEL;
        let sx = w / (t1 - t0);
        let first = (scroll_top.get() / ROW).floor().max(0.0) as usize;
        let last = (first + (view_h / ROW).ceil() as usize + 2).min(n_rows);
        (first..last)
            .map(|r| {
                let gpu = rows_draw.rows.gpus[r];
                let (mut compute, mut comm) = (String::new(), String::new());
                let (y, h) = (r as f64 * ROW + 2.0, ROW - 4.0);
                for p in visible(rows_draw.rows.row(r), t0, t1, (t1 - t0) / w) {
                    let x = LABEL + ((p.start - t0) * sx).max(0.0);
                    let pw = ((p.end.min(t1) - p.start.max(t0)) * sx).max(0.8);
                    let d = if p.comm { &mut comm } else { &mut compute };
                    let _ = write!(d, "M{x:.1} {y:.1}h{pw:.1}v{h:.1}h{:.1}z", -pw);
                }
                view! {
                    <g class="gantt-row" data-gpu=gpu class:lit=move || focus.highlight.with(|hl| hl.has_gpu(gpu))>
                        <text class="row-label" x=LABEL - 6.0 y=r as f64 * ROW + ROW - 3.5>{format!("GPU {gpu}")}</text>
                        <path class="span compute" d=compute />
                        <path class="span comm" d=comm />
                    </g>
                }
            })
            .collect_view()
    };

    // The selected slice's outline and its dispatch/combine arrows.
    let rows_sel = rows.clone();
    let spans_sel = spans.clone();
    let flows_sel = all_flows.clone();
    let marks = move || {
        let sel = selected.get()?;
        let TimeWindow { t0, t1, .. } = window.get();
        let w = width.get() - LABEL;
        let x_of = |t: f64| LABEL + (t - t0) / (t1 - t0) * w;
        let s = spans_sel.spans.get(sel.node as usize).copied().flatten()?;
        let row = rows_sel.rows.row_of(sel.gpu)?;
        let y_mid = |r: usize| r as f64 * ROW + ROW / 2.0;
        let box_ = view! {
            <rect
                class="slice-selected"
                x=x_of(s.start_s).max(LABEL)
                y=row as f64 * ROW + 1.0
                width=(x_of(s.end_s).min(LABEL + w) - x_of(s.start_s).max(LABEL)).max(2.0)
                height=ROW - 2.0
            />
        };
        let arrows = flows_sel
            .get()
            .iter()
            .filter(|f| f.from == sel.node || f.to == sel.node)
            .take(256)
            .filter_map(|f| {
                let (ra, rb) = (rows_sel.rows.row_of(f.from_gpu)?, rows_sel.rows.row_of(f.to_gpu)?);
                let (xa, ya, xb, yb) = (x_of(f.from_t), y_mid(ra), x_of(f.to_t), y_mid(rb));
                let d = format!("M{xa:.1} {ya:.1}C{:.1} {ya:.1} {:.1} {yb:.1} {xb:.1} {yb:.1}", xa + 12.0, xb - 12.0);
                Some(view! { <path class=format!("flow {}", f.kind.name()) d=d marker-end=format!("url(#flow-head-{side})") /> })
            })
            .collect_view();
        Some(view! { <g class="marks">{box_}{arrows}</g> })
    };

    let axis = move || {
        let tw = window.get();
        let w = width.get() - LABEL;
        // Up to four intervals, each wide enough for its label ("10.06 ms"): on a phone
        // the fourth and fifth labels would run into each other.
        let n = ((w / AXIS_STEP).floor() as usize).clamp(1, 4);
        (0..=n)
            .map(|i| {
                let f = i as f64 / n as f64;
                let anchor = if i == 0 { "start" } else if i == n { "end" } else { "middle" };
                view! { <text class="axis-label" x=LABEL + f * w y="12" text-anchor=anchor>{units::seconds(tw.time_at(f))}</text> }
            })
            .collect_view()
    };

    let rows_hit = rows.clone();
    let hit = move |fx: f64, y: f64| -> Option<(u32, planscope_core::sim::timeline::Piece)> {
        let r = (y / ROW).floor();
        if r < 0.0 || r as usize >= n_rows {
            return None;
        }
        let w = window.get_untracked();
        let px = w.span() / (width.get_untracked() - LABEL).max(1.0);
        at(rows_hit.rows.row(r as usize), w.time_at(fx), px * 2.0).map(|p| (rows_hit.rows.gpus[r as usize], *p))
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some(el) = scroller.get_untracked() {
            let _ = el.focus();
        }
        if let Some((fx, _, _)) = pointer(&ev) {
            drag.set(Some((fx, fx, ev.client_x() as f64)));
        }
    };
    let hit_move = hit.clone();
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some((fx, _, y)) = pointer(&ev) else { return };
        pointer_at.set(fx);
        if let Some((a, _, x0)) = drag.get_untracked() {
            drag.set(Some((a, fx, x0)));
            return;
        }
        hovered.set(hit_move(fx, y).map(|(gpu, p)| (gpu, p.node, p.start, p.end, p.merged)));
    };
    let on_up = move |ev: web_sys::MouseEvent| {
        let Some((a, _, x0)) = drag.get_untracked() else { return };
        drag.set(None);
        let Some((fx, _, y)) = pointer(&ev) else { return };
        if (ev.client_x() as f64 - x0).abs() >= DRAG_PX {
            // Drag-to-zoom: the dragged range fills the view.
            let w = window.get_untracked();
            let (lo, hi) = (w.time_at(a.min(fx)), w.time_at(a.max(fx)));
            window.set(w.starting_at(lo, (hi - lo).max(step * 1e-6)));
        } else {
            selected.set(hit(fx, y).map(|(gpu, p)| Selected { gpu, node: p.node }));
        }
    };
    let band = move || {
        let (a, b, _) = drag.get()?;
        let w = width.get() - LABEL;
        let (lo, hi) = (a.min(b), a.max(b));
        Some(view! {
            <rect class="zoom-band" x=LABEL + lo * w y=scroll_top.get() width=((hi - lo) * w).max(1.0) height=view_h />
        })
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let at = pointer(&ev).map_or(0.5, |(f, _, _)| f);
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            zoom(if ev.delta_y() > 0.0 { 1.25 } else { 0.8 }, at);
        } else if ev.shift_key() || ev.delta_x().abs() > ev.delta_y().abs() {
            ev.prevent_default();
            let d = if ev.delta_x().abs() > ev.delta_y().abs() { ev.delta_x() } else { ev.delta_y() };
            pan(d.signum() * 0.1);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "w" | "W" => zoom(0.8, pointer_at.get_untracked()),
            "s" | "S" => zoom(1.25, pointer_at.get_untracked()),
            "a" | "A" => pan(-0.1),
            "d" | "D" => pan(0.1),
            "+" | "=" => zoom(0.5, 0.5),
            "-" => zoom(2.0, 0.5),
            "0" => window.set(TimeWindow::whole(step)),
            "ArrowLeft" => pan(-0.2),
            "ArrowRight" => pan(0.2),
            "Escape" if selected.get_untracked().is_some() => selected.set(None),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };

    let plan_info = plan.clone();
    let info = move || {
        hovered.get().map(|(gpu, node, s, e, merged)| {
            let id = plan_info.nodes.get(node as usize).map_or("", |n| n.id.as_str()).to_string();
            let extra = if merged > 1 { format!(" (+{} merged at this zoom)", merged - 1) } else { String::new() };
            format!("GPU {gpu} · {id}{extra} · {} → {}", units::seconds(s), units::seconds(e))
        })
    };
    let spans_det = spans.clone();
    let flows_det = all_flows.clone();
    let details = move || {
        let sel = selected.get()?;
        let node = plan.nodes.get(sel.node as usize)?;
        let s = spans_det.spans.get(sel.node as usize).copied().flatten()?;
        let op = node.op.as_ref().map_or_else(|| node.kind.as_str().to_string(), |o| o.name().to_string());
        let (ins, outs) = flows_det
            .get()
            .iter()
            .fold((0, 0), |(i, o), f| (i + usize::from(f.to == sel.node), o + usize::from(f.from == sel.node)));
        let work = if s.comm {
            ("Message", units::bytes(s.bytes as usize))
        } else {
            ("FLOPs", format!("{} · {} moved", units::flops(s.flops), units::bytes(s.bytes as usize)))
        };
        let row = |k: &'static str, v: String, field: &'static str| view! { <div><dt>{k}</dt><dd data-field=field>{v}</dd></div> };
        Some(view! {
            <aside class="slice-details" data-testid="timeline-details" aria-label="Selected slice">
                <header class="section-head">
                    <h3>{node.label.clone().unwrap_or_else(|| node.id.clone())}</h3>
                    <button class="button small" aria-label="Close the details" on:click=move |_| selected.set(None)>"×"</button>
                </header>
                <dl class="facts">
                    {row("Node id", node.id.clone(), "node")}
                    {row("Operation", op, "op")}
                    {row("Stream", if s.comm { "communication" } else { "compute" }.to_string(), "stream")}
                    {row("GPU", sel.gpu.to_string(), "gpu")}
                    {row("Start", units::seconds(s.start_s), "start")}
                    {row("Duration", units::seconds(s.end_s - s.start_s), "duration")}
                    {row(work.0, work.1, "work")}
                    {row("Flows", format!("{ins} in · {outs} out (dispatch/combine)"), "flows")}
                </dl>
            </aside>
        })
    };
    let total_h = n_rows as f64 * ROW;
    // A training run's step card shows its optimizer step; this is the forward pass it is
    // built on, and says so.
    let training = sim.training.map(|t| {
        let many = units::count(u64::from(t.micro_batches), "micro-batch", "micro-batches");
        view! {
            <p class="muted" data-testid="timeline-training">
                {format!("One micro-batch's forward pass; the training step (Step time) runs {many}, with their backward passes.")}
            </p>
        }
    });
    view! {
        <section class="card timeline" data-testid="timeline-step" data-side=side aria-label=title>
            <header class="section-head">
                <h2>{title}</h2>
                <div class="zoom-controls">
                    <button class="button small" aria-label="Zoom in" on:click=move |_| zoom(0.5, 0.5)>"+"</button>
                    <button class="button small" aria-label="Zoom out" on:click=move |_| zoom(2.0, 0.5)>"−"</button>
                    <button class="button small" data-testid="timeline-fit" on:click=move |_| window.set(TimeWindow::whole(step))>"Fit"</button>
                </div>
            </header>
            {training}
            <div class="timeline-legend" data-testid="timeline-legend">
                <span class="key"><span class="swatch compute-swatch"></span>"compute "<b data-field="compute">{units::percent(shares.compute)}</b></span>
                <span class="key"><span class="swatch comm-swatch"></span>"communication "<b data-field="comm">{units::percent(shares.comm)}</b></span>
                <span class="key"><span class="swatch flow-swatch"></span>"dispatch / combine flow (select a slice)"</span>
                <span class="muted">{format!("mean per GPU, of the step {} · {} GPUs", units::seconds(step), units::thousands(n_rows))}</span>
            </div>
            <p class="muted timeline-info">
                {move || match info() {
                    Some(text) => view! { <span>{text}</span> }.into_any(),
                    // What the hands at hand can do: a touch screen has no keys or wheel, and a
                    // finger's drag scrolls the rows (the stylesheet shows one by pointer).
                    None => view! {
                        <span class="hint-fine">"W/S zoom · A/D pan · drag to zoom to a range · click a slice for details"</span>
                        <span class="hint-coarse">"+ and − zoom · Fit shows the whole step · tap a slice for details"</span>
                    }
                    .into_any(),
                }}
            </p>
            <svg class="gantt-axis" width="100%" height="16" aria-hidden="true">{axis}</svg>
            <div
                class="gantt-scroll"
                node_ref=scroller
                tabindex="0"
                role="group"
                aria-label=format!("Per-GPU timeline of the simulated step, {n_rows} GPUs: W/S zoom, A/D pan")
                style=format!("height:{view_h:.0}px")
                on:scroll=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        scroll_top.set(el.scroll_top() as f64);
                    }
                }
                on:keydown=on_key
            >
                <svg
                    class="gantt"
                    data-rows=n_rows
                    width="100%"
                    height=format!("{total_h:.0}")
                    on:mousedown=on_down
                    on:mousemove=on_move
                    on:mouseup=on_up
                    on:mouseleave=move |_| {
                        drag.set(None);
                        hovered.set(None);
                    }
                    on:wheel=on_wheel
                >
                    <defs>
                        <marker id=format!("flow-head-{side}") viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                            <path d="M0 0L10 5L0 10z" class="flow-head" />
                        </marker>
                    </defs>
                    {drawn}
                    {marks}
                    {band}
                </svg>
            </div>
            {details}
        </section>
    }
    .into_any()
}
