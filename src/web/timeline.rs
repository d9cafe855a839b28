//! The simulated step as a per-GPU timeline (Gantt), zoomable with the wheel, buttons
//! and keys, pannable by dragging. Spans narrower than a pixel are merged so that a
//! 100k-node step still draws a bounded number of rectangles.

use super::state::Focus;
use leptos::prelude::*;
use planscope_core::analysis::Analysis;
use planscope_core::sim::time_window::TimeWindow;
use planscope_core::sim::timeline::{Rows, at, visible};
use planscope_core::units;

const WIDTH: f64 = 1000.0;
const ROW: f64 = 7.0;

/// Where the pointer is across the timeline (0..1, drawing area only), the drawing width in
/// pixels, and the pointer's height in drawing units.
fn pointer(ev: &web_sys::MouseEvent) -> Option<(f64, f64, f64)> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = ev.current_target()?.dyn_into().ok()?;
    let r = el.get_bounding_client_rect();
    // The viewBox starts 40 units left of time 0 for the GPU labels.
    let scale = r.width() / (WIDTH + 42.0);
    let left = r.left() + 40.0 * scale;
    let width = (WIDTH * scale).max(1.0);
    let y_units = (ev.client_y() as f64 - r.top()) / scale;
    Some((((ev.client_x() as f64 - left) / width).clamp(0.0, 1.0), width, y_units))
}

#[component]
pub fn Timeline(analysis: Analysis, title: &'static str) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let rows = analysis.report.metrics.simulation.as_ref().map(|sim| Rows::of(&analysis.plan, sim)).unwrap_or_default();
    if rows.is_empty() {
        return view! {
            <section class="card timeline" data-testid="timeline">
                <h2>{title}</h2>
                <p class="muted">"No simulated step: the plan needs the GPUs' TFLOPS and sizes for it."</p>
            </section>
        }
        .into_any();
    }
    let Rows { gpus, pieces, step_s: step, hidden: more } = rows;
    let window = RwSignal::new(TimeWindow::whole(step));
    let hovered = RwSignal::new(None::<(u32, u32, f64, f64, u32)>);
    let drag = RwSignal::new(None::<(f64, TimeWindow)>);
    let n_rows = gpus.len();
    let height = n_rows as f64 * ROW + 16.0;
    let zoom = move |factor: f64, at: f64| window.update(|w| *w = w.zoom(factor, at));
    let pan = move |frac: f64| window.update(|w| *w = w.pan(frac));
    let plan = analysis.plan.clone();
    let gpus_draw = gpus.clone();
    // Each row is two paths (compute, communication), not a rectangle per span: a large
    // plan has tens of thousands of spans, and a reactive element per span made opening
    // the next plan slow. Hover is one handler on the whole chart.
    let pieces = std::sync::Arc::new(pieces);
    let hover_pieces = pieces.clone();
    let drawn = move || {
        use std::fmt::Write;
        let TimeWindow { t0, t1, .. } = window.get();
        let sx = WIDTH / (t1 - t0);
        pieces
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let gpu = gpus_draw[r];
                let (mut compute, mut comm) = (String::new(), String::new());
                let (y, h) = (r as f64 * ROW + 1.0, ROW - 2.0);
                for p in visible(row, t0, t1, (t1 - t0) / WIDTH) {
                    let x = ((p.start - t0) * sx).max(0.0);
                    let w = ((p.end.min(t1) - p.start.max(t0)) * sx).max(0.8);
                    let d = if p.comm { &mut comm } else { &mut compute };
                    let _ = write!(d, "M{x:.2} {y:.2}h{w:.2}v{h:.2}h{:.2}z", -w);
                }
                view! {
                    <g class="gantt-row" class:lit=move || focus.highlight.with(|hl| hl.has_gpu(gpu))>
                        <path class="span compute" d=compute />
                        <path class="span comm" d=comm />
                    </g>
                }
            })
            .collect_view()
    };
    let gpus_hover = gpus.clone();
    let hover_at = move |ev: &web_sys::MouseEvent| {
        let Some((fx, _, y_units)) = pointer(ev) else { return };
        let r = (y_units / ROW).floor();
        let Some(row) = (r >= 0.0).then(|| hover_pieces.get(r as usize)).flatten() else {
            hovered.set(None);
            return;
        };
        let w = window.get_untracked();
        // The span under the pointer, or the nearest one within a pixel.
        let hit = at(row, w.time_at(fx), w.span() / WIDTH);
        hovered.set(hit.map(|p| (gpus_hover[r as usize], p.node, p.start, p.end, 1)));
    };
    // Rows are 7 units tall; label every row only when there are few of them.
    let every = n_rows.div_ceil(24).max(1);
    let labels = gpus
        .iter()
        .enumerate()
        .filter(|(r, _)| r % every == 0)
        .map(|(r, g)| view! { <text class="row-label" x="-4" y=r as f64 * ROW + ROW - 1.0>{format!("GPU {g}")}</text> })
        .collect_view();
    let axis = move || {
        let w = window.get();
        (0..=4)
            .map(|i| {
                let f = i as f64 / 4.0;
                let y = n_rows as f64 * ROW + 12.0;
                view! {
                    <text class="axis-label" x=f * WIDTH y=y text-anchor=if i == 0 { "start" } else if i == 4 { "end" } else { "middle" }>
                        {units::seconds(w.time_at(f))}
                    </text>
                }
            })
            .collect_view()
    };
    let info = move || {
        hovered.get().map(|(gpu, node, s, e, merged)| {
            let id = plan.nodes.get(node as usize).map_or("", |n| n.id.as_str()).to_string();
            let extra = if merged > 1 { format!(" (+{} merged at this zoom)", merged - 1) } else { String::new() };
            format!("GPU {gpu} · {id}{extra} · {} → {}", units::seconds(s), units::seconds(e))
        })
    };
    view! {
        <section class="card timeline" data-testid="timeline" aria-label=title>
            <header class="section-head">
                <h2>{title}</h2>
                <div class="zoom-controls">
                    <button class="button small" aria-label="Zoom in" on:click=move |_| zoom(0.5, 0.5)>"+"</button>
                    <button class="button small" aria-label="Zoom out" on:click=move |_| zoom(2.0, 0.5)>"−"</button>
                    <button class="button small" data-testid="timeline-fit" on:click=move |_| window.set(TimeWindow::whole(step))>"Fit"</button>
                </div>
            </header>
            <p class="muted timeline-info">
                {move || info().unwrap_or_else(|| format!("step {} · drag to pan, wheel or +/− to zoom", units::seconds(step)))}
            </p>
            <svg
                class="gantt"
                viewBox=format!("-40 0 {} {height:.0}", WIDTH + 42.0)
                tabindex="0"
                role="img"
                aria-label="Per-GPU timeline of the simulated step"
                on:wheel=move |ev| {
                    ev.prevent_default();
                    let at = pointer(&ev).map_or(0.5, |(f, _, _)| f);
                    zoom(if ev.delta_y() > 0.0 { 1.25 } else { 0.8 }, at);
                }
                on:mousedown=move |ev| drag.set(Some((ev.client_x() as f64, window.get_untracked())))
                on:mousemove=move |ev| {
                    if drag.get_untracked().is_none() {
                        hover_at(&ev);
                    }
                    if let Some((x0, from)) = drag.get_untracked() {
                        let w = pointer(&ev).map_or(1.0, |(_, w, _)| w);
                        let dt = (x0 - ev.client_x() as f64) / w * from.span();
                        window.set(from.starting_at(from.t0 + dt, from.span()));
                    }
                }
                on:mouseup=move |_| drag.set(None)
                on:mouseleave=move |_| {
                    drag.set(None);
                    hovered.set(None);
                }
                on:keydown=move |ev| match ev.key().as_str() {
                    "+" | "=" => zoom(0.5, 0.5),
                    "-" => zoom(2.0, 0.5),
                    "0" => window.set(TimeWindow::whole(step)),
                    "ArrowLeft" => pan(-0.2),
                    "ArrowRight" => pan(0.2),
                    _ => {}
                }
            >
                {labels}
                {drawn}
                {axis}
            </svg>
            {(more > 0).then(|| view! { <p class="muted">{format!("First {n_rows} GPUs shown; {more} more not drawn.")}</p> })}
        </section>
    }
    .into_any()
}
