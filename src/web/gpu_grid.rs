//! The cluster view: servers as blocks, every GPU a cell coloured by the chosen metric.
//! Drawn as SVG from the core's `ClusterModel`; scales from 8 to thousands of GPUs by
//! wrapping servers into rows and letting the viewBox shrink the cells.

use super::state::{Chrome, Focus, Side};
use leptos::prelude::*;
use planscope_core::cluster::caption::caption;
use planscope_core::cluster::geometry::{CELL, Geometry, LABEL, PAD};
use planscope_core::cluster::navigate::{Move, next_gpu};
use planscope_core::cluster::{ClusterModel, GpuCell, Metric, Shade, categorical, sequential};
use planscope_core::units;
use std::sync::Arc;

pub fn fill(shade: Shade) -> String {
    match shade {
        Shade::Idle => "var(--idle)".into(),
        Shade::Unknown => "var(--unknown)".into(),
        Shade::Scale(t) => sequential(t),
        Shade::Category(i) => categorical(i).into(),
    }
}

#[component]
pub fn GpuGrid(side: Side, cluster: Arc<ClusterModel>) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let metric = expect_context::<Chrome>().metric;
    let geo = Geometry::of(&cluster);
    let hovered = RwSignal::new(None::<(u32, f64, f64)>);
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
                model.cell(gpu).map_or_else(|| "var(--idle)".to_string(), |c| fill(Shade::of(c, metric, &model)))
            };
            let _ = &model_hover;
            view! {
                <rect
                    class="cell"
                    class:idle=!cell.used
                    class:lit=move || focus.highlight.with(|h| h.has_gpu(gpu))
                    class:selected=move || focus.selected_gpu.get() == Some(gpu)
                    data-gpu=gpu
                    x=x
                    y=y
                    width=CELL
                    height=CELL
                    rx="2.5"
                    fill=shade_fill
                    on:mouseenter=move |ev| hovered.set(Some((gpu, ev.offset_x() as f64, ev.offset_y() as f64)))
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
        let Some(mv) = Move::from_key(&key) else { return };
        ev.prevent_default();
        focus.select_gpu(Some(next_gpu(focus.selected_gpu.get_untracked(), mv, per_row_gpus, total)));
    };
    let used = cluster.used();
    let caption = caption(&cluster);
    let card_model = cluster.clone();
    view! {
        <figure class="gpu-grid-wrap">
            <figcaption class="muted">{caption}</figcaption>
            <div class="gpu-grid-box">
                <svg
                    class="gpu-grid"
                    data-testid="gpu-grid"
                    data-side=side.key()
                    data-used=used
                    viewBox=format!("0 0 {:.0} {:.0}", geo.width, geo.height)
                    preserveAspectRatio="xMidYMin meet"
                    role="img"
                    aria-label=format!("GPU cluster, {} side: {used} GPUs in use", side.key())
                    tabindex="0"
                    on:keydown=on_key
                >
                    {servers}
                    {cells}
                </svg>
                {move || hovered.get().and_then(|(gpu, x, y)| card_model.cell(gpu).map(|c| hover_card(c, x, y)))}
            </div>
        </figure>
    }
}

fn hover_card(c: &GpuCell, x: f64, y: f64) -> impl IntoView + use<> {
    let mut lines: Vec<(String, String)> = Vec::new();
    lines.push(("server".into(), c.server.to_string()));
    if !c.used {
        lines.push(("state".into(), "idle".into()));
    }
    lines.push(("nodes".into(), c.nodes.to_string()));
    if c.expert_shards > 0 {
        lines.push(("expert shards".into(), c.expert_shards.to_string()));
    }
    if let Some(m) = c.memory_gb {
        let pct = c.memory_percent.map(|p| format!(" ({p:.1}%)")).unwrap_or_default();
        lines.push(("memory".into(), format!("{}{pct}", units::gigabytes(m))));
    }
    if c.flops > 0.0 {
        lines.push(("compute".into(), units::flops(c.flops)));
    }
    if let Some(b) = c.busy_fraction {
        lines.push(("busy".into(), units::percent(b)));
    }
    if let (Some(ep), Some(tp)) = (c.ep, c.tp) {
        lines
            .push(("ranks".into(), format!("EP {ep} · TP {tp} · PP {} · DP {}", c.pp.unwrap_or(0), c.dp.unwrap_or(0))));
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
            let stops: Vec<String> = (0..=8).map(|i| sequential(i as f64 / 8.0)).collect();
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
