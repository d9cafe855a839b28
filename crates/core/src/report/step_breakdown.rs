//! Where the step goes: one stacked SVG bar per side from the view model
//! (`crate::view::step_breakdown`), as the page draws it.

use crate::analysis::Analysis;
use crate::view::step_breakdown::{BAR_HEIGHT, WIDTH, step_breakdown};
use std::fmt::Write;

pub fn section(out: &mut String, before: &Analysis, after: Option<&Analysis>) {
    let Some(v) = step_breakdown(before, after) else { return };
    out.push_str("<section class=\"card step-breakdown\" aria-label=\"Where the step goes\">\n");
    out.push_str("<header class=\"section-head\"><h2>Where the step goes</h2>");
    out.push_str("<span class=\"muted small\">mean per layer on the busiest GPU</span></header>\n");
    for s in &v.sides {
        let _ = write!(
            out,
            "<figure class=\"step-side\" data-side=\"{}\"><figcaption><b>{}</b> · {} per layer · {} · {}</figcaption>",
            s.side, s.side, s.per_layer, s.throughput, s.coverage
        );
        let _ = write!(
            out,
            "<svg viewBox=\"0 0 {WIDTH:.0} {BAR_HEIGHT:.0}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{} step breakdown\">",
            s.side
        );
        for g in &s.segments {
            let _ = write!(
                out,
                "<rect class=\"part-{}\" x=\"{:.2}\" y=\"0\" width=\"{:.2}\" height=\"{BAR_HEIGHT:.0}\" fill=\"{}\"><title>{}</title></rect>",
                g.part, g.x, g.width, g.fill, g.title
            );
        }
        out.push_str("</svg></figure>\n");
    }
    out.push_str("<p class=\"legend small\">");
    for (label, fill) in &v.legend {
        let _ = write!(
            out,
            "<span class=\"legend-item\"><svg width=\"10\" height=\"10\" aria-hidden=\"true\"><rect width=\"10\" height=\"10\" fill=\"{fill}\"/></svg> {label}</span> "
        );
    }
    out.push_str("</p>\n</section>\n");
}
