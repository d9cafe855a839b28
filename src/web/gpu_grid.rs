//! The cluster view: servers as blocks, every GPU a cell coloured by the chosen metric.
//! Drawn as SVG from the core's `ClusterModel`; scales from 8 to thousands of GPUs by
//! wrapping servers into rows and letting the viewBox shrink the cells.

use super::state::{Chrome, Focus, Side};
use leptos::prelude::*;
use planscope_core::cluster::caption::caption;
use planscope_core::cluster::geometry::{CELL, Geometry, LABEL, PAD};
use planscope_core::cluster::navigate::{Move, next_gpu};
use planscope_core::cluster::{ClusterModel, GpuCell, Metric, Shade, categorical, sequential, unknown_pattern_id};
use planscope_core::units;
use std::sync::Arc;

/// Where the dark theme's scale starts in cividis: its darkest blues are as dark as the
/// dark theme's idle cells (contrast 1.0:1); from here the lowest value has 3.3:1 against
/// them (WCAG 2.2 SC 1.4.11 asks 3:1 for graphics), and the scale keeps its order.
const DARK_FLOOR: f64 = 0.45;

/// A value on the sequential scale, in the theme's range of it.
fn scale(t: f64, dark: bool) -> String {
    sequential(if dark { DARK_FLOOR + (1.0 - DARK_FLOOR) * t.clamp(0.0, 1.0) } else { t })
}

pub fn fill(shade: Shade, dark: bool, side: Side) -> String {
    match shade {
        Shade::Idle => "var(--idle)".into(),
        Shade::Unknown => format!("url(#{})", unknown_pattern_id(side.key())),
        Shade::Scale(t) => scale(t, dark),
        Shade::Category(i) => categorical(i).into(),
    }
}

#[component]
pub fn GpuGrid(side: Side, cluster: Arc<ClusterModel>) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let metric = expect_context::<Chrome>().metric;
    let dark = expect_context::<Chrome>().dark;
    let geo = Geometry::of(&cluster);
    let hovered = RwSignal::new(None::<(u32, f64, f64)>);
    // The grid's width as a multiple of its box: thousands of GPUs make cells of a few
    // pixels on a phone, so the grid zooms and its box scrolls.
    let zoom = RwSignal::new(1u32);
    let grid_box = NodeRef::<leptos::html::Div>::new();
    // Named: a `>` inside `view!` attributes would close the tag.
    let at_min = move || zoom.get() <= 1;
    let at_max = move || zoom.get() >= MAX_ZOOM;
    // Where the pointer is in the box (which does not scroll), for the hover card.
    let in_box = move |ev: &web_sys::MouseEvent| {
        let r = grid_box.get_untracked().map(|b| b.get_bounding_client_rect());
        let (left, top) = r.map_or((0.0, 0.0), |r| (r.left(), r.top()));
        (ev.client_x() as f64 - left, ev.client_y() as f64 - top)
    };
    let servers = (0..cluster.servers())
        .map(|s| {
            let (x, y) = geo.block_origin(s);
            view! {
                <g class="server">
                    <rect class="server-box" x=x y=y width=geo.block_w height=geo.block_h rx="4" />
                    <text class="server-label" x=x + PAD y=y + LABEL - 2.0>{format!("server {s}")}</text>
                </g>
            }
        })
        .collect_view();
    let cells = cluster
        .cells
        .iter()
        .map(|cell| {
            let (x, y) = geo.cell_origin(cell.gpu);
            let gpu = cell.gpu;
            let model = cluster.clone();
            let model_hover = cluster.clone();
            let shade_fill = move || {
                let metric = metric.get();
                let dark = dark.get();
                model
                    .cell(gpu)
                    .map_or_else(|| "var(--idle)".to_string(), |c| fill(Shade::of(c, metric, &model), dark, side))
            };
            let _ = &model_hover;
            view! {
                <rect
                    class="cell"
                    class:idle=!cell.used
                    class:beyond=cluster.beyond_cluster(gpu)
                    class:lit=move || focus.highlight.with(|h| h.has_gpu(gpu))
                    class:selected=move || focus.selected_gpu.get() == Some(gpu)
                    data-gpu=gpu
                    x=x
                    y=y
                    width=CELL
                    height=CELL
                    rx="2.5"
                    fill=shade_fill
                    on:mouseenter=move |ev| {
                        let (x, y) = in_box(&ev);
                        hovered.set(Some((gpu, x, y)))
                    }
                    on:mouseleave=move |_| hovered.set(None)
                    on:click=move |_| {
                        let now = focus.selected_gpu.get_untracked();
                        focus.select_gpu(if now == Some(gpu) { None } else { Some(gpu) });
                    }
                />
            }
        })
        .collect_view();
    let total = cluster.cells.len() as u32;
    let per_row_gpus = cluster.per_server.max(1) * geo.per_row;
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" {
            focus.select_gpu(None);
            return;
        }
        if let Some(z) = zoom_key(&key, zoom.get_untracked()) {
            ev.prevent_default();
            zoom.set(z);
            return;
        }
        let Some(mv) = Move::from_key(&key) else { return };
        ev.prevent_default();
        focus.select_gpu(Some(next_gpu(focus.selected_gpu.get_untracked(), mv, per_row_gpus, total)));
    };
    let used = cluster.used();
    let caption = caption(&cluster);
    let card_model = cluster.clone();
    view! {
        <figure class="gpu-grid-wrap">
            <figcaption class="grid-head">
                <span class="muted">{caption}</span>
                <span class="grid-zoom" role="group" aria-label="Zoom the grid">
                    <button
                        class="button small"
                        data-testid="grid-zoom-out"
                        title="Zoom the grid out (−)"
                        disabled=at_min
                        on:click=move |_| zoom.update(|z| *z = (*z / 2).max(1))
                    >
                        "−"
                        <span class="visually-hidden">" zoom the grid out"</span>
                    </button>
                    <span class="muted" data-testid="grid-zoom">{move || format!("{}×", zoom.get())}</span>
                    <button
                        class="button small"
                        data-testid="grid-zoom-in"
                        title="Zoom the grid in (+)"
                        disabled=at_max
                        on:click=move |_| zoom.update(|z| *z = (*z * 2).min(MAX_ZOOM))
                    >
                        "+"
                        <span class="visually-hidden">" zoom the grid in"</span>
                    </button>
                </span>
            </figcaption>
            <div class="gpu-grid-box" node_ref=grid_box>
                <div class="gpu-grid-scroll" data-testid="gpu-grid-scroll">
                <svg
                    style:width=move || format!("{}%", zoom.get() * 100)
                    class="gpu-grid"
                    data-testid="gpu-grid"
                    data-side=side.key()
                    data-used=used
                    viewBox=format!("0 0 {:.0} {:.0}", geo.width, geo.height)
                    preserveAspectRatio="xMidYMin meet"
                    role="img"
                    aria-label=format!("GPU cluster, {} side: {} in use", side.key(), units::count(used as u64, "GPU", "GPUs"))
                    tabindex="0"
                    on:keydown=on_key
                >
                    <defs>
                        <pattern
                            id=unknown_pattern_id(side.key())
                            width="4"
                            height="4"
                            patternUnits="userSpaceOnUse"
                            patternTransform="rotate(45)"
                        >
                            <rect width="4" height="4" fill="var(--idle)" />
                            <rect width="1.5" height="4" fill="var(--unknown)" />
                        </pattern>
                    </defs>
                    {servers}
                    {cells}
                </svg>
                </div>
                {move || {
                    hovered
                        .get()
                        .and_then(|(gpu, x, y)| {
                            card_model.cell(gpu).map(|c| hover_card(c, card_model.beyond_cluster(gpu), x, y))
                        })
                }}
            </div>
        </figure>
    }
}

/// The largest zoom: on a 390 px phone the 3,715-GPU corpus plan's cells go from 2 px to 17 px.
const MAX_ZOOM: u32 = 8;

/// `+` and `-` on the focused grid double or halve its zoom, within 1× to `MAX_ZOOM`.
fn zoom_key(key: &str, now: u32) -> Option<u32> {
    match key {
        "+" | "=" => Some((now * 2).min(MAX_ZOOM)),
        "-" | "_" => Some((now / 2).max(1)),
        _ => None,
    }
}

fn hover_card(c: &GpuCell, beyond: bool, x: f64, y: f64) -> impl IntoView + use<> {
    let mut lines: Vec<(&'static str, String)> = Vec::new();
    lines.push(("server", c.server.to_string()));
    if beyond {
        lines.push(("cluster", "beyond the declared cluster".into()));
    }
    if !c.used {
        lines.push(("state", "idle".into()));
    }
    lines.push(("nodes", c.nodes.to_string()));
    if c.expert_shards > 0 {
        lines.push(("expert shards", c.expert_shards.to_string()));
    }
    if let Some(m) = c.memory_gb {
        let pct = c.memory_percent.map(|p| format!(" ({})", units::percent(p / 100.0))).unwrap_or_default();
        lines.push(("memory", format!("{}{pct}", units::gigabytes(m))));
    }
    if c.flops > 0.0 {
        lines.push(("compute", units::flops(c.flops)));
    }
    if let Some(b) = c.busy_fraction {
        lines.push(("busy", units::percent(b)));
    }
    if let (Some(ep), Some(tp)) = (c.ep, c.tp) {
        lines.push(("ranks", format!("EP {ep} · TP {tp} · PP {} · DP {}", c.pp.unwrap_or(0), c.dp.unwrap_or(0))));
    }
    let nodes = c.sample_nodes.join(", ");
    let more = c.nodes as usize > c.sample_nodes.len();
    view! {
        <div class="hover-card" style=format!("left:{:.0}px;top:{:.0}px", x + 14.0, y + 14.0) role="tooltip">
            <strong>{format!("GPU {}", c.gpu)}</strong>
            <dl>
                {lines.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
            {(!nodes.is_empty()).then(|| view! { <p class="hover-nodes"><code>{nodes}</code>{more.then_some(" …")}</p> })}
        </div>
    }
}

#[component]
pub fn Legend() -> impl IntoView {
    let chrome = expect_context::<Chrome>();
    let body = move || {
        let metric = chrome.metric.get();
        if metric.is_categorical() {
            let swatches = (0..9u32)
                .map(|i| view! { <span class="swatch" style=format!("background:{}", categorical(i))></span> })
                .collect_view();
            view! {
                <span class="legend-scale">{swatches}</span>
                <span class="muted">{format!("{} (colours repeat after 9)", metric.label())}</span>
            }
            .into_any()
        } else {
            let dark = chrome.dark.get();
            let stops: Vec<String> = (0..=8).map(|i| scale(i as f64 / 8.0, dark)).collect();
            let max = match metric {
                Metric::Memory | Metric::Busy => "100%",
                _ => "max",
            };
            view! {
                <span class="muted">"0"</span>
                <span class="legend-gradient" style=format!("background:linear-gradient(90deg,{})", stops.join(","))></span>
                <span class="muted">{max}</span>
            }
            .into_any()
        }
    };
    view! {
        <div class="legend" aria-label="Colour scale">
            {body}
            <span class="swatch idle-swatch"></span>
            <span class="muted">"idle"</span>
            <span class="swatch unknown-swatch"></span>
            <span class="muted">"unknown"</span>
        </div>
    }
}

#[component]
pub fn MetricPicker() -> impl IntoView {
    let metric = expect_context::<Chrome>().metric;
    view! {
        <label class="metric-picker">
            <span class="muted">"Colour by"</span>
            <select
                data-testid="metric"
                prop:value=move || metric.get().key()
                on:change=move |ev| {
                    if let Some(m) = Metric::from_key(&event_target_value(&ev)) {
                        metric.set(m);
                    }
                }
            >
                {Metric::ALL
                    .into_iter()
                    .map(|m| view! { <option value=m.key()>{m.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
