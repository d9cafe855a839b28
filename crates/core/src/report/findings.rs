//! The findings panel: verdict, tally and findings grouped by severity, each with its
//! code, message, nodes, GPUs and fix; the rewritten side's findings below, or why the
//! rewrite was refused.

use super::After;
use super::escape::esc;
use crate::analysis::Analysis;
use crate::check::Report;
use crate::model::Strategy;
use crate::rewrite::RewriteError;
use crate::view::{FindingView, Refusal, findings_panel};
use std::fmt::Write;

pub fn render(
    out: &mut String,
    before: &Analysis,
    after: Option<&Result<After, RewriteError>>,
    target: Option<Strategy>,
) {
    out.push_str("<aside class=\"card findings\" aria-label=\"Findings\">\n");
    block(out, "Findings", &before.report, "before");
    match after {
        Some(Ok(a)) => {
            let title = format!("After rewrite to {}", target.map_or_else(String::new, |s| s.short()));
            block(out, &title, &a.analysis.report, "after");
        }
        Some(Err(e)) => refused(out, &Refusal::of(e)),
        None => {}
    }
    out.push_str("</aside>\n");
}

/// The rewrite's refusal: each rule it names on its own line.
pub fn refused(out: &mut String, r: &Refusal) {
    out.push_str("<div class=\"refused\" data-testid=\"refused\">");
    let _ = write!(out, "<p class=\"refused-head\"><span class=\"banner-icon\">!</span>{}</p>", esc(&r.head));
    if !r.rules.is_empty() {
        out.push_str("<ul>");
        for rule in &r.rules {
            let _ = write!(out, "<li>{}</li>", esc(rule));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
}

fn block(out: &mut String, title: &str, report: &Report, side: &str) {
    let panel = findings_panel(report);
    let _ = writeln!(
        out,
        "<section class=\"findings-side\" data-side=\"{side}\"><header class=\"findings-head\"><h2>{}</h2>\
         <span class=\"{}\">{}</span></header>",
        esc(title),
        panel.verdict.class(),
        panel.verdict.word()
    );
    let _ = writeln!(out, "<p class=\"muted tally\">{}</p>", panel.tally);
    for group in &panel.groups {
        let _ = writeln!(
            out,
            "<section class=\"finding-group {}\"><h3>{}<span class=\"count\">{}</span></h3>",
            group.key,
            group.title,
            group.items.len()
        );
        for f in &group.items {
            finding(out, f);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

fn finding(out: &mut String, f: &FindingView) {
    let _ = write!(
        out,
        "<article class=\"finding\" data-code=\"{0}\"><code class=\"finding-code\">{0}</code>\
         <p class=\"finding-message\">{1}</p>",
        f.code,
        esc(&f.message)
    );
    if !f.nodes.shown.is_empty() {
        let shown: Vec<String> = f.nodes.shown.iter().map(|n| esc(n)).collect();
        let tail = f.nodes.tail().map_or_else(String::new, |t| format!(" <span class=\"muted\">{t}</span>"));
        let _ = write!(
            out,
            "<p class=\"finding-nodes\"><span class=\"muted\">nodes </span><code>{}</code>{tail}</p>",
            shown.join(", ")
        );
    }
    if let Some(gpus) = &f.gpus {
        let _ = write!(
            out,
            "<p class=\"finding-gpus\"><span class=\"muted\">GPUs </span><code>{}</code>{}</p>",
            esc(&gpus.ranges),
            gpus.tail()
        );
    }
    if let Some(fix) = &f.fix {
        let _ = write!(out, "<p class=\"finding-fix\"><span class=\"fix-tag\">Fix</span>{}</p>", esc(fix));
    }
    out.push_str("</article>\n");
}
