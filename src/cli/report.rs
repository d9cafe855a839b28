//! `planscope report FILE [--strategy S] [--gpus N] [--conditions C.json] [-o report.html]`:
//! writes the self-contained HTML report (summary, findings, before/after cluster grids,
//! utilization, required modifications) to `-o` (default: standard output).
//!
//! Exit 0: the report is written and, when there is a target strategy (`--strategy`, else
//! the declared one), the plan was rewritten to it and the result verifies without error.
//! Exit 1: the report is written, but the target cannot be met: the rewrite was refused
//! (the rules it breaks are printed on stderr and shown in the report's after side), or
//! the rewritten plan still has error findings (their codes are printed). A CI job thus
//! fails on an unreachable target yet still has the report to upload as an artifact.
//! Exit 2: unreadable input (`FILE:LINE:COL: message`) or the report cannot be written.
//! A plan that fails verification as written does not by itself fail the command: that is
//! what `planscope verify` is for, and what the report explains.

use super::{EXIT_OK, EXIT_UNREADABLE, conditions, expert_load, input};
use planscope_core::analysis::Request;
use planscope_core::check::Verdict;
use planscope_core::cluster::Metric;
use planscope_core::limits::Capacity;
use planscope_core::model::Strategy;
use planscope_core::report::{ReportInput, render_html};
use std::io::Write;
use std::path::PathBuf;

pub const EXIT_TARGET_UNMET: u8 = 1;

pub struct Args {
    /// The plan file (JSON or DOT).
    pub file: PathBuf,
    /// The target strategy (default: what the file declares); the before side is also
    /// held to it, as in `verify --strategy`.
    pub strategy: Option<Strategy>,
    /// GPUs the cluster offers (default: what the file declares).
    pub gpus: Option<u32>,
    /// A JSON file of cluster/model constants shaped like a canonical plan's `meta`.
    pub conditions: Vec<String>,
    /// Where to write the HTML; `None` or `-` writes to standard output.
    pub output: Option<PathBuf>,
    /// Tokens per expert per MoE layer, as the page's Conditions panel takes it.
    pub expert_load: Option<PathBuf>,
    /// What colours the grid cells (default: busy % when a step is simulated, else memory %).
    pub color_by: Option<Metric>,
}

/// For clap: `busy`, `memory`, `compute`, `experts`, `ep`, `tp`, `pp`.
pub fn parse_metric(s: &str) -> Result<Metric, String> {
    Metric::from_key(s).ok_or_else(|| {
        let keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        format!("unknown metric {s:?}; expected one of {}", keys.join(", "))
    })
}

pub fn run(args: &Args) -> u8 {
    let overrides = match conditions::load(&args.conditions) {
        Ok(m) => m,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let plan = match input::load(&args.file) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let expert_load = match args.expert_load.as_deref().map(expert_load::load).transpose() {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let req = Request {
        strategy: args.strategy,
        gpus: args.gpus,
        overrides,
        expert_load,
        launch: None,
        capacity: Capacity::Native,
    };
    let file_name =
        args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into());
    let mut input = ReportInput::prepare(&file_name, plan, &req);
    input.metric = args.color_by;
    let html = render_html(&input);
    let to_stdout = args.output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let written = if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(html.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| format!("planscope: cannot write the report: {e}"))
    } else {
        let path = args.output.as_ref().map_or_else(PathBuf::new, |p| p.clone());
        std::fs::write(&path, html.as_bytes()).map_err(|e| format!("{}: cannot write the file: {e}", path.display()))
    };
    if let Err(msg) = written {
        eprintln!("{msg}");
        return EXIT_UNREADABLE;
    }
    let shown = if to_stdout {
        "standard output".to_string()
    } else {
        args.output.as_ref().map_or_else(String::new, |p| p.display().to_string())
    };
    match &input.after {
        None => {
            eprintln!("wrote {shown}: no target strategy (the plan declares none; pass --strategy), before side only");
            EXIT_OK
        }
        Some(Err(why)) => {
            eprintln!("{}: {why}", args.file.display());
            eprintln!("wrote {shown} with the refusal on its after side");
            EXIT_TARGET_UNMET
        }
        Some(Ok(after)) if after.analysis.report.verdict == Verdict::Fail => {
            let codes: Vec<&str> = after.analysis.report.errors().map(|f| f.code.as_str()).collect();
            eprintln!(
                "{}: the plan rewritten to {} still fails: {}",
                args.file.display(),
                target(&input),
                codes.join(", ")
            );
            eprintln!("wrote {shown}");
            EXIT_TARGET_UNMET
        }
        Some(Ok(_)) => {
            eprintln!("wrote {shown}: rewritten to {}", target(&input));
            EXIT_OK
        }
    }
}

fn target(input: &ReportInput) -> String {
    input.strategy.map_or_else(String::new, |s| s.short())
}
