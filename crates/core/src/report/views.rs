//! The report's drawings of the graph and the step: the DAG before and after (the
//! `write::svg` drawing of the page's "DAG · SVG" export, folded as the page opens it and
//! past `limits::DRAWN_ITEMS` boxes, with a note saying so) and the simulated step of both
//! sides stacked (`step_svg`).

use super::escape::esc;
use super::step_svg::{StepSide, step_svg};
use crate::analysis::{After, Analysis};
use crate::write::svg::{Frame, dag_svg_as_opened};
use std::fmt::Write;

/// Inline SVG in HTML needs no namespace; leaving it out keeps the report free of any URL.
fn inline(svg: &str) -> &str {
    svg.strip_prefix("<svg xmlns=\"http://www.w3.org/2000/svg\"").unwrap_or(svg)
}

fn push_svg(out: &mut String, svg: &str) {
    let body = inline(svg);
    if body.len() != svg.len() {
        out.push_str("<svg");
    }
    out.push_str(body);
}

/// The DAG of each side, as written and rewritten.
pub fn dag_section(out: &mut String, before: &Analysis, after: Option<&After>) {
    out.push_str("<section class=\"card dag-views\" aria-label=\"DAG\" data-section=\"dag\">\n");
    out.push_str("<header class=\"section-head\"><h2>DAG</h2></header>\n");
    let mut figure = |side: &str, caption: &str, a: &Analysis| {
        let d = dag_svg_as_opened(&a.plan, Frame { title: None, legend: true });
        let _ = write!(out, "<figure class=\"dag-figure\" data-side=\"{side}\"><figcaption>{}", esc(caption));
        if let Some(n) = d.note() {
            let _ = write!(out, " <span class=\"muted\" data-note=\"folded\">· {}</span>", esc(&n));
        }
        out.push_str("</figcaption><div class=\"dag-scroll\">");
        push_svg(out, &d.svg);
        out.push_str("</div></figure>\n");
    };
    figure("before", "Before · as written", before);
    if let Some(a) = after {
        figure("after", "After · rewritten", &a.analysis);
    }
    out.push_str("</section>\n");
}

/// The simulated step of each side, stacked; a line saying why when there is none.
pub fn step_section(out: &mut String, before: &Analysis, after: Option<&After>) {
    out.push_str("<section class=\"card step-view\" aria-label=\"Simulated step\" data-section=\"step\">\n");
    out.push_str("<header class=\"section-head\"><h2>Simulated step</h2></header>\n");
    let mut sides = Vec::new();
    if let Some(sim) = &before.report.metrics.simulation {
        sides.push(StepSide { name: "before", plan: &before.plan, sim });
    }
    if let Some(a) = after
        && let Some(sim) = &a.analysis.report.metrics.simulation
    {
        sides.push(StepSide { name: "after", plan: &a.analysis.plan, sim });
    }
    match step_svg(&sides, None) {
        Some(svg) => {
            out.push_str("<div class=\"dag-scroll\">");
            push_svg(out, &svg.svg);
            out.push_str("</div>\n");
        }
        None => {
            let _ =
                writeln!(out, "<p class=\"muted\">No simulated step: the plan needs {}.</p>", crate::sim::STEP_NEEDS);
        }
    }
    out.push_str("</section>\n");
}
