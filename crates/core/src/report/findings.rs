//! The findings panel: verdict, tally and findings grouped by severity, each with its
//! code, message, nodes, GPUs and fix; the rewritten side's findings below, or why the
//! rewrite was refused.

use super::After;
use super::escape::esc;
use crate::analysis::Analysis;
use crate::check::report::gpu_ranges;
use crate::check::{Finding, Report, Severity, Verdict};
use crate::model::Strategy;
use crate::units::plural;
use std::fmt::Write;

/// Node ids shown per finding before "… +N".
const NODES_SHOWN: usize = 24;

pub fn render(out: &mut String, before: &Analysis, after: Option<&Result<After, String>>, target: Option<Strategy>) {
    out.push_str("<aside class=\"card findings\" aria-label=\"Findings\">\n");
    block(out, "Findings", &before.report, "before");
    match after {
        Some(Ok(a)) => {
            let title = format!("After rewrite to {}", target.map_or_else(String::new, |s| s.short()));
            block(out, &title, &a.analysis.report, "after");
        }
        Some(Err(why)) => refused(out, why),
        None => {}
    }
    out.push_str("</aside>\n");
}

/// The rewrite's refusal: each rule it names on its own line.
pub fn refused(out: &mut String, why: &str) {
    let (head, rules) = why.split_once(": ").unwrap_or((why, ""));
    out.push_str("<div class=\"refused\" data-testid=\"refused\">");
    let _ = write!(out, "<p class=\"refused-head\"><span class=\"banner-icon\">!</span>{}</p>", esc(head));
    if !rules.is_empty() {
        out.push_str("<ul>");
        for r in rules.split("; ") {
            let _ = write!(out, "<li>{}</li>", esc(r));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
}

fn block(out: &mut String, title: &str, report: &Report, side: &str) {
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    let (class, word) = match report.verdict {
        Verdict::Pass => ("verdict pass", "PASS"),
        Verdict::Fail => ("verdict fail", "FAIL"),
    };
    let _ = writeln!(
        out,
        "<section class=\"findings-side\" data-side=\"{side}\"><header class=\"findings-head\"><h2>{}</h2>\
         <span class=\"{class}\">{word}</span></header>",
        esc(title)
    );
    let _ = writeln!(
        out,
        "<p class=\"muted tally\">{} · {} · {}</p>",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "note")
    );
    for (sev, name, key) in [
        (Severity::Error, "Errors", "error"),
        (Severity::Warning, "Warnings", "warning"),
        (Severity::Info, "Notes", "info"),
    ] {
        let items: Vec<&Finding> = report.findings.iter().filter(|f| f.severity == sev).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<section class=\"finding-group {key}\"><h3>{name}<span class=\"count\">{}</span></h3>",
            items.len()
        );
        for f in items {
            finding(out, f);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

fn finding(out: &mut String, f: &Finding) {
    let _ = write!(
        out,
        "<article class=\"finding\" data-code=\"{0}\"><code class=\"finding-code\">{0}</code>\
         <p class=\"finding-message\">{1}</p>",
        f.code.as_str(),
        esc(&f.message)
    );
    if !f.nodes.is_empty() {
        let shown: Vec<String> = f.nodes.iter().take(NODES_SHOWN).map(|n| esc(n)).collect();
        let rest = f.nodes_count.saturating_sub(shown.len());
        let tail = if rest > 0 { format!(" <span class=\"muted\">… +{rest}</span>") } else { String::new() };
        let _ = write!(
            out,
            "<p class=\"finding-nodes\"><span class=\"muted\">nodes </span><code>{}</code>{tail}</p>",
            shown.join(", ")
        );
    }
    if f.gpus_count > 0 {
        let more = if f.gpus_count > f.gpus.len() { format!(" ({} in all)", f.gpus_count) } else { String::new() };
        let _ = write!(
            out,
            "<p class=\"finding-gpus\"><span class=\"muted\">GPUs </span><code>{}</code>{more}</p>",
            esc(&gpu_ranges(&f.gpus))
        );
    }
    if !f.fix.is_empty() {
        let _ = write!(out, "<p class=\"finding-fix\"><span class=\"fix-tag\">Fix</span>{}</p>", esc(&f.fix));
    }
    out.push_str("</article>\n");
}
