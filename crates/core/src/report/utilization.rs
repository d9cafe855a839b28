//! Utilization: cards with before→after deltas (GPUs used, balancedness, step time, peak
//! memory), then per-GPU memory and busy bars for both sides on one scale; all from the
//! view model (`crate::view`), as the page draws them.

use super::escape::esc;
use crate::analysis::Analysis;
use crate::view::{self, Bar, Card, Chart, chart::HEIGHT};
use std::fmt::Write;

pub fn section(out: &mut String, before: &Analysis, after: Option<&Analysis>) {
    out.push_str("<section class=\"card utilization\" aria-label=\"Utilization\">\n<header class=\"section-head\">");
    out.push_str("<h2>Utilization</h2><span class=\"legend\"><span class=\"swatch before-swatch\"></span>");
    out.push_str("<span class=\"muted\">before</span>");
    if after.is_some() {
        out.push_str("<span class=\"swatch after-swatch\"></span><span class=\"muted\">after</span>");
    }
    out.push_str("</span></header>\n<div class=\"stats\">");
    for c in view::cards(before, after) {
        card(out, &c);
    }
    out.push_str("</div>\n");
    for c in view::charts(before, after) {
        bars(out, &c);
    }
    out.push_str("</section>\n");
}

fn card(out: &mut String, c: &Card) {
    let _ = write!(
        out,
        "<div class=\"stat\" data-stat=\"{}\"><span class=\"stat-title\">{}</span><span class=\"stat-before\">{}</span>",
        c.key, c.title, c.before
    );
    if let Some(d) = &c.after {
        let _ = write!(out, "<span class=\"delta {}\">→ {}</span>", d.change.class(), d.value);
    }
    if let Some(a) = &c.alert {
        let _ = write!(out, "<span class=\"stat-alert\" role=\"note\">{}</span>", esc(a));
    }
    if let Some(n) = &c.note {
        let _ = write!(out, "<span class=\"stat-note muted\">{}</span>", esc(n));
    }
    out.push_str("</div>");
}

fn bars(out: &mut String, c: &Chart) {
    let _ = write!(
        out,
        "<figure class=\"bars\" data-testid=\"{}\"><figcaption class=\"muted\">{}</figcaption>",
        c.key, c.title
    );
    if c.is_empty() {
        let _ =
            writeln!(out, "<p class=\"muted small\">No figures: the plan does not give {}.</p></figure>", esc(c.needs));
        return;
    }
    let width = c.width();
    let [top, half, zero] = c.axis();
    let _ = write!(
        out,
        "<div class=\"bars-body\"><div class=\"bars-axis muted\" aria-hidden=\"true\"><span>{top}</span><span>{half}</span>\
         <span>{zero}</span></div><svg viewBox=\"0 0 {width:.0} {HEIGHT:.0}\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"{}\">",
        c.title
    );
    for y in c.ticks() {
        let _ = write!(out, "<line class=\"tick\" x1=\"0\" x2=\"{width:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>");
    }
    let mut series = |bars: &[Bar], side: &str| {
        for b in bars {
            let over = if b.over { " over" } else { "" };
            let _ = write!(
                out,
                "<rect class=\"bar {side}{over}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\">\
                 <title>GPU {} {side}: {}</title></rect>",
                b.x, b.y, b.width, b.height, b.gpu, b.label
            );
        }
    };
    series(&c.before, "before");
    series(&c.after, "after");
    let _ = writeln!(
        out,
        "</svg></div><div class=\"bars-foot muted\" aria-hidden=\"true\"><span>GPU 0</span><span>GPU {}</span></div></figure>",
        c.last_gpu()
    );
}
