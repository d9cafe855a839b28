//! Utilization: cards with before→after deltas (GPUs used, balancedness, step time, peak
//! memory), then per-GPU memory and busy bars for both sides on one scale.

use crate::analysis::{Analysis, Better, Change, Figures};
use crate::check::{GpuMetrics, Report};
use crate::units;
use std::fmt::Write;

fn card(
    out: &mut String,
    title: &str,
    key: &str,
    before: Option<f64>,
    after: Option<f64>,
    show: fn(f64) -> String,
    better: Better,
) {
    let b = before.filter(|v| v.is_finite()).map(show).unwrap_or_else(|| "—".into());
    let _ = write!(
        out,
        "<div class=\"stat\" data-stat=\"{key}\"><span class=\"stat-title\">{title}</span>\
         <span class=\"stat-before\">{b}</span>"
    );
    if let Some(y) = after.filter(|y| y.is_finite()) {
        let class = Change::between(before, y, better).class();
        let _ = write!(out, "<span class=\"delta {class}\">→ {}</span>", show(y));
    }
    out.push_str("</div>");
}

pub fn section(out: &mut String, before: &Analysis, after: Option<&Analysis>) {
    let fb = Figures::of(before);
    let fa = after.map(Figures::of);
    out.push_str("<section class=\"card utilization\" aria-label=\"Utilization\">\n<header class=\"section-head\">");
    out.push_str("<h2>Utilization</h2><span class=\"legend\"><span class=\"swatch before-swatch\"></span>");
    out.push_str("<span class=\"muted\">before</span>");
    if after.is_some() {
        out.push_str("<span class=\"swatch after-swatch\"></span><span class=\"muted\">after</span>");
    }
    out.push_str("</span></header>\n<div class=\"stats\">");
    let fmt_count: fn(f64) -> String = |v| format!("{v:.0}");
    let fmt_ratio: fn(f64) -> String = |v| format!("{v:.2}");
    card(out, "GPUs used", "gpus", Some(fb.gpus_used), fa.as_ref().map(|f| f.gpus_used), fmt_count, Better::Higher);
    let ab = fa.as_ref().and_then(|f| f.balancedness);
    card(out, "Balancedness", "balance", fb.balancedness, ab, fmt_ratio, Better::Higher);
    let step = fa.as_ref().and_then(|f| f.step_s);
    card(out, "Step time", "step", fb.step_s, step, units::seconds, Better::Lower);
    let mem = fa.as_ref().and_then(|f| f.peak_mem_gb);
    card(out, "Peak memory", "memory", fb.peak_mem_gb, mem, units::gigabytes, Better::Lower);
    out.push_str("</div>\n");
    let gpus = before.cluster.gpus.max(after.map_or(0, |a| a.cluster.gpus));
    let (rb, ra) = (&*before.report, after.map(|a| &*a.report));
    bars(out, "Memory, % of capacity", "util-memory", gpus, rb, ra, |r| r.memory_percent.map(|p| p / 100.0));
    bars(out, "Busy, % of the simulated step", "util-busy", gpus, rb, ra, |r| r.busy_fraction);
    out.push_str("</section>\n");
}

/// The next of 1, 2, 5 × 10^k at or above `max` (a fraction), capped at 100%.
fn nice_top(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    (-4..=0).flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k))).find(|&top| top >= max).unwrap_or(1.0).min(1.0)
}

fn bars(
    out: &mut String,
    title: &str,
    testid: &str,
    gpus: u32,
    before: &Report,
    after: Option<&Report>,
    value: fn(&GpuMetrics) -> Option<f64>,
) {
    const H: f64 = 80.0;
    const UNIT: f64 = 6.0;
    let rows = |r: &Report| -> Vec<(u32, f64)> {
        r.metrics
            .per_gpu
            .iter()
            .filter(|row| row.gpu < gpus)
            .filter_map(|row| value(row).map(|v| (row.gpu, v)))
            .collect()
    };
    let b = rows(before);
    let a = after.map(rows);
    let _ =
        write!(out, "<figure class=\"bars\" data-testid=\"{testid}\"><figcaption class=\"muted\">{title}</figcaption>");
    if b.is_empty() && a.as_ref().is_none_or(|a| a.is_empty()) {
        out.push_str("<p class=\"muted small\">No per-GPU figures: the cost model lacks the constants.</p></figure>\n");
        return;
    }
    let max = b.iter().chain(a.iter().flatten()).map(|&(_, v)| v).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let top = nice_top(max);
    let width = (gpus.max(1) as f64 * UNIT).max(60.0);
    let _ = write!(
        out,
        "<div class=\"bars-body\"><div class=\"bars-axis muted\" aria-hidden=\"true\"><span>{}</span><span>{}</span>\
         <span>0</span></div><svg viewBox=\"0 0 {width:.0} {H:.0}\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"{title}\">",
        units::percent(top),
        units::percent(top / 2.0)
    );
    for t in [0.0, 0.5, 1.0] {
        let y = H - t * H;
        let _ = write!(out, "<line class=\"tick\" x1=\"0\" x2=\"{width:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>");
    }
    let mut series = |rows: &[(u32, f64)], offset: f64, class: &str, side: &str| {
        for &(gpu, v) in rows {
            let v = if v.is_finite() { v } else { 0.0 };
            let h = ((v / top).clamp(0.0, 1.0) * H).max(0.5);
            let over = if v > 1.0 { " over" } else { "" };
            let _ = write!(
                out,
                "<rect class=\"bar {class}{over}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{h:.2}\">\
                 <title>GPU {gpu} {side}: {}</title></rect>",
                gpu as f64 * UNIT + offset,
                H - h,
                UNIT * 0.42,
                units::percent(v)
            );
        }
    };
    series(&b, 0.3, "before", "before");
    if let Some(a) = &a {
        series(a, UNIT * 0.5, "after", "after");
    }
    let _ = writeln!(
        out,
        "</svg></div><div class=\"bars-foot muted\" aria-hidden=\"true\"><span>GPU 0</span><span>GPU {}</span></div></figure>",
        gpus.saturating_sub(1)
    );
}
