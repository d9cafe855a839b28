//! The self-contained HTML report: one document with inline CSS and inline SVG, no
//! scripts and no remote resources, that opens offline and prints. It shows what the
//! page shows: the summary, the verdict and findings, the before/after cluster grids,
//! utilization with deltas, and the required modifications. Every string from a plan is
//! escaped (`escape::esc`).

mod escape;
mod findings;
mod grid_svg;
mod modifications;
mod style;
mod units;
mod utilization;

pub use escape::esc;

use crate::analysis::{Analysis, Request, analyze};
use crate::check::Verdict;
use crate::cluster::Metric;
use crate::model::{Plan, Strategy};
use crate::rewrite::{Target, rewrite};
use std::fmt::Write;
use std::sync::Arc;

/// The rewritten side.
#[derive(Debug, Clone)]
pub struct After {
    pub analysis: Analysis,
    /// The required modifications, one line each (`Diff::render_text`).
    pub modifications: Vec<String>,
}

/// What a report shows.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub file_name: String,
    pub before: Analysis,
    /// `None`: no target strategy; `Some(Err(why))`: the rewrite was refused, and why.
    pub after: Option<Result<After, String>>,
    /// The target strategy of the rewrite.
    pub strategy: Option<Strategy>,
    /// What colours the grid cells; `None` picks busy % when a step was simulated,
    /// else memory %, else compute.
    pub metric: Option<Metric>,
}

impl ReportInput {
    /// Analyses `plan` as the request says and rewrites it to the request's strategy
    /// (else the declared one), as `planscope report` and the page do.
    pub fn prepare(file_name: &str, plan: Plan, req: &Request) -> ReportInput {
        let plan = Arc::new(plan);
        let before = analyze(plan.clone(), req);
        let strategy = req.strategy.or(plan.meta.strategy);
        let after = strategy.map(|s| rewrite_side(&plan, s, req));
        ReportInput { file_name: file_name.to_string(), before, after, strategy, metric: None }
    }
}

/// Rewrites `plan` to `strategy` and analyses the result against it.
pub fn rewrite_side(plan: &Plan, strategy: Strategy, req: &Request) -> Result<After, String> {
    let target = Target { gpus: req.gpus, overrides: req.overrides.clone(), ..Target::new(strategy) };
    let rewritten = rewrite(plan, &target).map_err(|e| e.to_string())?;
    let modifications = rewritten.diff.render_text().lines().map(str::to_string).collect();
    let after_req = Request { strategy: Some(strategy), ..req.clone() };
    Ok(After { analysis: analyze(Arc::new(rewritten.plan), &after_req), modifications })
}

/// Busy % when a step could be simulated; otherwise the first metric with data.
pub fn default_metric(a: &Analysis) -> Metric {
    let c = &a.cluster;
    if a.report.metrics.simulation.is_some() {
        Metric::Busy
    } else if c.cells.iter().any(|cell| cell.memory_percent.is_some()) {
        Metric::Memory
    } else if c.max_flops > 0.0 {
        Metric::Compute
    } else if c.max_experts > 0 {
        Metric::ExpertShards
    } else {
        Metric::EpGroup
    }
}

/// The whole report as one HTML document.
pub fn render_html(input: &ReportInput) -> String {
    let after = match &input.after {
        Some(Ok(a)) => Some(a),
        _ => None,
    };
    let metric = input.metric.unwrap_or_else(|| default_metric(&input.before));
    let file = esc(&input.file_name);
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    out.push_str("<meta name=\"generator\" content=\"planscope ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("\">\n");
    let _ = writeln!(out, "<title>{file} — planscope report</title>");
    out.push_str("<style>\n");
    out.push_str(style::CSS);
    out.push_str("</style>\n</head>\n<body>\n<div class=\"page\">\n");
    out.push_str("<header class=\"masthead\"><div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\">◈</span>");
    out.push_str("<h1>planscope</h1><span class=\"tagline\">deployment plan report</span></div>");
    let _ = writeln!(out, "<span class=\"file-chip\" title=\"{file}\">{file}</span></header>");
    out.push_str("<main class=\"content\">\n");
    summary(&mut out, input, after);
    out.push_str("<div class=\"workspace\">\n");
    findings::render(&mut out, &input.before, input.after.as_ref(), input.strategy);
    out.push_str("<div class=\"main-area\">\n");
    grid_svg::section(&mut out, &input.before, input.after.as_ref(), input.strategy, metric);
    utilization::section(&mut out, &input.before, after.map(|a| &a.analysis));
    if let Some(a) = after {
        modifications::section(&mut out, &a.modifications, input.strategy);
    }
    out.push_str("</div>\n</div>\n</main>\n");
    let _ = writeln!(
        out,
        "<footer class=\"foot muted\">Generated by planscope {} · a self-contained report: no scripts, no network</footer>",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn summary(out: &mut String, input: &ReportInput, after: Option<&After>) {
    let a = &input.before;
    let m = &a.report.metrics;
    let total = m.gpus_total.map_or_else(|| "?".to_string(), |t| t.to_string());
    let declared = a.plan.meta.strategy.map_or_else(|| "—".to_string(), |s| s.short());
    let target = input.strategy.map_or_else(|| "—".to_string(), |s| s.short());
    let verdict = |v: Verdict| match v {
        Verdict::Pass => "<span class=\"verdict pass\">PASS</span>",
        Verdict::Fail => "<span class=\"verdict fail\">FAIL</span>",
    };
    out.push_str("<section class=\"card summary\" aria-label=\"Summary\">\n<div class=\"summary-head\">");
    let _ = write!(out, "<div><div class=\"file-name\">{}</div>", esc(&input.file_name));
    let _ = write!(out, "<p class=\"muted verdict-line\">Before {}", verdict(a.report.verdict));
    match &input.after {
        Some(Ok(af)) => {
            let _ = write!(
                out,
                " · after rewrite to <code>{}</code> {}",
                esc(&target),
                verdict(af.analysis.report.verdict)
            );
        }
        Some(Err(_)) => {
            let _ =
                write!(out, " · rewrite to <code>{}</code> <span class=\"verdict fail\">REFUSED</span>", esc(&target));
        }
        None => out.push_str(" · no target strategy"),
    }
    out.push_str("</p></div></div>\n<dl class=\"facts\">");
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    };
    fact("Format", esc(a.plan.format.as_str()));
    fact("Nodes", m.nodes.to_string());
    fact("Edges", m.edges.to_string());
    fact("GPUs used", format!("{} <span class=\"of\">of {total}</span>", m.gpus_used));
    fact("Declared", format!("<span class=\"mono\">{}</span>", esc(&declared)));
    fact("Target", format!("<span class=\"mono\">{}</span>", esc(&target)));
    if let Some(af) = after {
        let am = &af.analysis.report.metrics;
        let atotal = am.gpus_total.map_or_else(|| "?".to_string(), |t| t.to_string());
        fact("GPUs used after", format!("{} <span class=\"of\">of {atotal}</span>", am.gpus_used));
    }
    out.push_str("</dl>\n</section>\n");
}
