//! The simulated step as a static SVG (the report's step view and the page's timeline
//! export): one block per side, stacked, each with a row per GPU (at most
//! `limits::REPORT_TIMELINE_ROWS`, the rest counted), compute and communication in two
//! colours, the time axis, a title and a legend with each stream's share of the step.
//! Spans narrower than a pixel merge (`sim::timeline::visible`), so the file stays small.

use super::escape::esc;
use crate::limits::REPORT_TIMELINE_ROWS;
use crate::model::Plan;
use crate::sim::SimResult;
use crate::sim::timeline::{Rows, StreamShares, visible};
use crate::units;
use std::fmt::Write;

/// One side to draw.
#[derive(Debug, Clone, Copy)]
pub struct StepSide<'a> {
    pub name: &'a str,
    pub plan: &'a Plan,
    pub sim: &'a SimResult,
}

const LABEL: f64 = 64.0;
const WIDTH: f64 = 960.0;
const ROW: f64 = 10.0;
/// Okabe–Ito blue and orange (Okabe & Ito 2008), as the page's timeline.
const COMPUTE: &str = "#0072b2";
const COMM: &str = "#e69f00";

const STYLE: &str = ".step-svg text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;fill:#17212b;font-size:11px}\
.step-svg .title{font-size:16px;font-weight:600}.step-svg .side{font-size:13px;font-weight:600}\
.step-svg .lbl{font-size:8px;fill:#4a5866;text-anchor:end}.step-svg .ax{fill:#4a5866}\
.step-svg .note{fill:#7a4b00}";

/// A drawing of the step and its size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDrawing {
    pub svg: String,
    pub width: f64,
    pub height: f64,
}

/// Every side's step in one SVG document; `None` when no side has a simulated step.
pub fn step_svg(sides: &[StepSide<'_>], title: Option<&str>) -> Option<StepDrawing> {
    let drawn: Vec<(StepSide<'_>, Rows)> =
        sides.iter().map(|s| (*s, Rows::of(s.plan, s.sim))).filter(|(_, r)| !r.is_empty()).collect();
    if drawn.is_empty() {
        return None;
    }
    let mut body = String::new();
    let mut y = 8.0;
    if let Some(t) = title {
        let _ = write!(body, "<text class=\"title\" x=\"8\" y=\"{:.0}\">{}</text>", y + 14.0, esc(t));
        y += 26.0;
    }
    // The legend, once: the colours; each side's shares are in its heading.
    let _ = write!(
        body,
        "<g class=\"legend\"><rect x=\"8\" y=\"{y:.0}\" width=\"14\" height=\"10\" fill=\"{COMPUTE}\"/>\
         <text x=\"28\" y=\"{:.0}\">compute</text><rect x=\"96\" y=\"{y:.0}\" width=\"14\" height=\"10\" fill=\"{COMM}\"/>\
         <text x=\"116\" y=\"{:.0}\">communication (overlaps compute: each counted apart, as a share of the step)</text></g>",
        y + 9.0,
        y + 9.0
    );
    y += 22.0;
    for (side, rows) in &drawn {
        y = block(&mut body, side, rows, y);
    }
    let total_w = LABEL + WIDTH + 16.0;
    let mut s = String::with_capacity(body.len() + 512);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"step-svg\" width=\"{total_w:.0}\" height=\"{y:.0}\" \
         viewBox=\"0 0 {total_w:.0} {y:.0}\" role=\"img\" aria-label=\"{}\"><style>{STYLE}</style>\
         <rect width=\"{total_w:.0}\" height=\"{y:.0}\" fill=\"#ffffff\"/>",
        esc(title.unwrap_or("Simulated step, per GPU"))
    );
    s.push_str(&body);
    s.push_str("</svg>\n");
    Some(StepDrawing { svg: s, width: total_w, height: y })
}

/// One side's block from `y`; returns where the next starts.
fn block(out: &mut String, side: &StepSide<'_>, rows: &Rows, mut y: f64) -> f64 {
    let sh = StreamShares::of(side.sim);
    let step = rows.step_s;
    let _ = write!(
        out,
        "<g class=\"step-side\" data-side=\"{}\" data-gpus=\"{}\"><text class=\"side\" x=\"8\" y=\"{:.0}\">{} · step {} · \
         compute {} · communication {} (mean per GPU)</text>",
        esc(side.name),
        rows.gpus.len(),
        y + 12.0,
        esc(side.name),
        units::seconds(step),
        units::percent(sh.compute),
        units::percent(sh.comm)
    );
    y += 20.0;
    let shown = rows.gpus.len().min(REPORT_TIMELINE_ROWS);
    let px = step / WIDTH;
    for r in 0..shown {
        let ry = y + r as f64 * ROW;
        let (mut compute, mut comm) = (String::new(), String::new());
        for p in visible(rows.row(r), 0.0, step, px) {
            let x = LABEL + p.start / step * WIDTH;
            let w = ((p.end - p.start) / step * WIDTH).max(0.6);
            let d = if p.comm { &mut comm } else { &mut compute };
            let _ = write!(d, "M{x:.1} {:.1}h{w:.1}v{:.1}h{:.1}z", ry + 1.0, ROW - 2.0, -w);
        }
        let _ = write!(
            out,
            "<g class=\"step-row\" data-gpu=\"{g}\"><text class=\"lbl\" x=\"{:.0}\" y=\"{:.1}\">GPU {g}</text>\
             <path fill=\"{COMPUTE}\" d=\"{compute}\"/><path fill=\"{COMM}\" d=\"{comm}\"/></g>",
            LABEL - 4.0,
            ry + ROW - 2.0,
            g = rows.gpus[r]
        );
    }
    y += shown as f64 * ROW + 12.0;
    for i in 0..=4 {
        let f = i as f64 / 4.0;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            "<text class=\"ax\" x=\"{:.0}\" y=\"{y:.0}\" text-anchor=\"{anchor}\">{}</text>",
            LABEL + f * WIDTH,
            units::seconds(step * f)
        );
    }
    y += 8.0;
    if shown < rows.gpus.len() {
        let _ = write!(
            out,
            "<text class=\"note\" x=\"8\" y=\"{:.0}\">First {shown} of {} GPUs drawn (the page's timeline scrolls through all).</text>",
            y + 10.0,
            units::thousands(rows.gpus.len())
        );
        y += 16.0;
    }
    out.push_str("</g>");
    y + 14.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;
    use std::sync::Arc;

    #[test]
    fn both_sides_stack_with_a_row_per_gpu_and_the_shares() {
        let b = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let a = after_side(&b, b.strategy.unwrap(), &Request::default()).unwrap();
        let (bs, as_) =
            (b.report.metrics.simulation.as_ref().unwrap(), a.analysis.report.metrics.simulation.as_ref().unwrap());
        let svg = step_svg(
            &[
                StepSide { name: "before", plan: &b.plan, sim: bs },
                StepSide { name: "after", plan: &a.analysis.plan, sim: as_ },
            ],
            Some("seed & step"),
        )
        .unwrap()
        .svg;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("class=\"step-row\"").count(), bs.per_gpu.len() + 128);
        assert!(svg.contains("data-side=\"before\"") && svg.contains("data-side=\"after\""));
        assert!(svg.contains("seed &amp; step"));
        assert!(svg.contains(&format!("communication {}", units::percent(StreamShares::of(as_).comm))));
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    }

    #[test]
    fn no_simulated_step_draws_nothing() {
        let b = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let mut sim = b.report.metrics.simulation.clone().unwrap();
        sim.step_time_s = 0.0;
        assert_eq!(step_svg(&[StepSide { name: "before", plan: &b.plan, sim: &sim }], None), None);
    }
}
