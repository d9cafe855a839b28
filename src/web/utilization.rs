//! The utilization view: summary cards with before→after deltas, and per-GPU memory
//! and busy bars for both sides on one scale; from the core's view model
//! (`planscope_core::view`), as the report draws them.

use super::state::Focus;
use leptos::prelude::*;
use planscope_core::analysis::Analysis;
use planscope_core::view::chart::{HEIGHT, WIDTH_PER_GPU};
use planscope_core::view::{self, Bar, Card, Chart};

fn card(c: Card) -> impl IntoView {
    let alerted = c.alert.is_some();
    let delta = c.after.map(|d| view! { <span class=format!("delta {}", d.change.class())>"→ "{d.value}</span> });
    view! {
        <div class="stat" class:alerted=alerted data-stat=c.key>
            <span class="stat-title">{c.title}</span>
            <span class="stat-before">{c.before}</span>
            {delta}
            {c.alert.map(|a| view! { <span class="stat-alert" role="note" data-testid="stat-alert">{a}</span> })}
            {c.note.map(|n| view! { <span class="stat-note muted" data-testid="stat-note">{n}</span> })}
        </div>
    }
}

#[component]
pub fn Utilization(before: Analysis, after: Option<Analysis>) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let cards = view::cards(&before, after.as_ref()).into_iter().map(card).collect_view();
    let charts = view::charts(&before, after.as_ref()).into_iter().map(|c| bars(focus, c)).collect_view();
    view! {
        <section class="card utilization" data-testid="utilization" aria-label="Utilization">
            <header class="section-head">
                <h2>"Utilization"</h2>
                <span class="legend">
                    <span class="swatch before-swatch"></span><span class="muted">"before"</span>
                    <span class="swatch after-swatch"></span><span class="muted">"after"</span>
                </span>
            </header>
            <div class="stats">{cards}</div>
            {charts}
        </section>
    }
}

/// One per-GPU bar chart, before and after side by side per GPU.
fn bars(focus: Focus, chart: Chart) -> AnyView {
    if chart.is_empty() {
        // An empty frame reads as "0%": say what is missing instead.
        return view! {
            <figure class="bars">
                <figcaption class="muted">{chart.title}</figcaption>
                <p class="muted bars-missing">{format!("No figures: the plan does not give {}.", chart.needs)}</p>
            </figure>
        }
        .into_any();
    }
    let (width, gpus) = (chart.width(), chart.gpus);
    let [top, half, zero] = chart.axis();
    // Static bars: one reactive element per bar made large clusters slow to open and
    // close; the highlight is one overlay path (below).
    let series = |bars: Vec<Bar>, class: &'static str| {
        bars.into_iter()
            .map(|b| view! { <rect class=class class:over=b.over x=b.x y=b.y width=b.width height=b.height /> })
            .collect_view()
    };
    let lit = move || {
        use std::fmt::Write;
        let mut d = String::new();
        let selected = focus.selected_gpu.get();
        focus.highlight.with(|hl| {
            for gpu in hl.gpus.iter().copied().chain(selected).filter(|&g| g < gpus) {
                let _ = write!(d, "M{:.1} 0h{WIDTH_PER_GPU}v{HEIGHT}h-{WIDTH_PER_GPU}z", gpu as f64 * WIDTH_PER_GPU);
            }
        });
        d
    };
    let ticks =
        chart.ticks().map(|y| view! { <line class="tick" x1="0" x2=width y1=y y2=y /> }).into_iter().collect_view();
    let last = chart.last_gpu();
    let (title, key) = (chart.title, chart.key);
    let b = series(chart.before, "bar before");
    let a = series(chart.after, "bar after");
    view! {
        <figure class="bars">
            <figcaption class="muted">{title}</figcaption>
            <div class="bars-body">
                <div class="bars-axis muted" aria-hidden="true">
                    <span>{top}</span>
                    <span>{half}</span>
                    <span>{zero}</span>
                </div>
                <svg
                    data-testid=key
                    viewBox=format!("0 0 {width:.0} {HEIGHT:.0}")
                    preserveAspectRatio="none"
                    role="img"
                    aria-label=title
                >
                    {ticks}
                    <path class="bar-lit" d=lit />
                    {b}
                    {a}
                </svg>
            </div>
            <div class="bars-foot muted" aria-hidden="true"><span>"GPU 0"</span><span>{format!("GPU {last}")}</span></div>
        </figure>
    }
    .into_any()
}
