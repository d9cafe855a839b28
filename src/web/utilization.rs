//! The utilization view: summary cards with before→after deltas, and per-GPU memory
//! and busy bars for both sides on one scale.

use super::state::Focus;
use leptos::prelude::*;
use planscope_core::analysis::{Analysis, Better, Change, Figures};
use planscope_core::check::Report;
use planscope_core::units;

fn card(
    title: &'static str,
    key: &'static str,
    before: Option<f64>,
    after: Option<f64>,
    show: fn(f64) -> String,
    better: Better,
) -> impl IntoView {
    let b = before.map(show).unwrap_or_else(|| "—".into());
    let delta = after.map(|y| (show(y), format!("delta {}", Change::between(before, y, better).class())));
    view! {
        <div class="stat" data-stat=key>
            <span class="stat-title">{title}</span>
            <span class="stat-before">{b}</span>
            {delta.map(|(a, class)| view! { <span class=class>"→ "{a}</span> })}
        </div>
    }
}

#[component]
pub fn Utilization(before: Analysis, after: Option<Analysis>) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let fb = Figures::of(&before);
    let fa = after.as_ref().map(Figures::of);
    let cards = view! {
        <div class="stats">
            {card("GPUs used", "gpus", Some(fb.gpus_used), fa.as_ref().map(|f| f.gpus_used), |v| format!("{v:.0}"), Better::Higher)}
            {card("Balancedness", "balance", fb.balancedness, fa.as_ref().and_then(|f| f.balancedness), |v| format!("{v:.2}"), Better::Higher)}
            {card("Step time", "step", fb.step_s, fa.as_ref().and_then(|f| f.step_s), units::seconds, Better::Lower)}
            {card("Peak memory", "memory", fb.peak_mem_gb, fa.as_ref().and_then(|f| f.peak_mem_gb), units::gigabytes, Better::Lower)}
        </div>
    };
    let gpus = before.cluster.gpus.max(after.as_ref().map_or(0, |a| a.cluster.gpus));
    let mem = bars(
        focus,
        Chart {
            title: "Memory, % of capacity",
            needs: "the GPUs' memory capacity",
            testid: "util-memory",
            value: |r| r.memory_percent.map(|p| p / 100.0),
        },
        gpus,
        &before.report,
        after.as_ref().map(|a| &*a.report),
    );
    let busy = bars(
        focus,
        Chart {
            title: "Busy, % of the simulated step",
            needs: "the GPUs' TFLOPS, to simulate a step",
            testid: "util-busy",
            value: |r| r.busy_fraction,
        },
        gpus,
        &before.report,
        after.as_ref().map(|a| &*a.report),
    );
    view! {
        <section class="card utilization" data-testid="utilization" aria-label="Utilization">
            <header class="section-head">
                <h2>"Utilization"</h2>
                <span class="legend">
                    <span class="swatch before-swatch"></span><span class="muted">"before"</span>
                    <span class="swatch after-swatch"></span><span class="muted">"after"</span>
                </span>
            </header>
            {cards}
            {mem}
            {busy}
        </section>
    }
}

/// The top of a bar chart's scale: the next of 1, 2, 5 × 10^k at or above `max` (a
/// fraction), capped at 100%, so that 0.8% memory use is visible yet comparable across sides.
fn nice_top(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    (-4..=0).flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k))).find(|&top| top >= max).unwrap_or(1.0).min(1.0)
}

/// Per-GPU bars, before and after side by side per GPU, on one scale for both sides.
/// One per-GPU bar chart: what it shows, what it needs, and how to read a GPU's value.
struct Chart {
    title: &'static str,
    /// The constant the chart needs, named when no GPU has a value.
    needs: &'static str,
    testid: &'static str,
    value: fn(&planscope_core::check::GpuMetrics) -> Option<f64>,
}

fn bars(focus: Focus, chart: Chart, gpus: u32, before: &Report, after: Option<&Report>) -> AnyView {
    let Chart { title, needs, testid, value } = chart;
    const H: f64 = 80.0;
    let unit = 6.0;
    let width = (gpus.max(1) as f64 * unit).max(60.0);
    let max = [Some(before), after]
        .into_iter()
        .flatten()
        .flat_map(|r| r.metrics.per_gpu.iter().filter_map(value))
        .fold(0.0f64, f64::max);
    let has_data =
        [Some(before), after].into_iter().flatten().any(|r| r.metrics.per_gpu.iter().any(|row| value(row).is_some()));
    if !has_data {
        // An empty frame reads as "0%": say what is missing instead.
        return view! {
            <figure class="bars">
                <figcaption class="muted">{title}</figcaption>
                <p class="muted bars-missing">{format!("No figures: the plan does not give {needs}.")}</p>
            </figure>
        }
        .into_any();
    }
    let top = nice_top(max);
    let series = |r: &Report, offset: f64, class: &'static str| {
        r.metrics
            .per_gpu
            .iter()
            .filter(|row| row.gpu < gpus)
            .filter_map(|row| value(row).map(|v| (row.gpu, v)))
            .map(|(gpu, v)| {
                let h = ((v / top).clamp(0.0, 1.0) * H).max(0.5);
                let over = v > 1.0;
                // Static bars: one reactive element per bar made large clusters slow to open
                // and close; the highlight is one overlay path (below).
                view! {
                    <rect
                        class=class
                        class:over=over
                        x=gpu as f64 * unit + offset
                        y=H - h
                        width=unit * 0.42
                        height=h
                    />
                }
            })
            .collect_view()
    };
    let lit = move || {
        use std::fmt::Write;
        let mut d = String::new();
        let selected = focus.selected_gpu.get();
        focus.highlight.with(|hl| {
            for gpu in hl.gpus.iter().copied().chain(selected).filter(|&g| g < gpus) {
                let _ = write!(d, "M{:.1} 0h{unit}v{H}h-{unit}z", gpu as f64 * unit);
            }
        });
        d
    };
    let b = series(before, 0.3, "bar before");
    let a = after.map(|r| series(r, unit * 0.5, "bar after"));
    let ticks = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|t| view! { <line class="tick" x1="0" x2=width y1=H - t * H y2=H - t * H /> })
        .collect_view();
    view! {
        <figure class="bars">
            <figcaption class="muted">{title}</figcaption>
            <div class="bars-body">
                <div class="bars-axis muted" aria-hidden="true">
                    <span>{units::percent(top)}</span>
                    <span>{units::percent(top / 2.0)}</span>
                    <span>"0"</span>
                </div>
                <svg
                    data-testid=testid
                    viewBox=format!("0 0 {width:.0} {H:.0}")
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
            <div class="bars-foot muted" aria-hidden="true"><span>"GPU 0"</span><span>{format!("GPU {}", gpus.saturating_sub(1))}</span></div>
        </figure>
    }
    .into_any()
}
