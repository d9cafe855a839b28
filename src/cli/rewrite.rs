//! `planscope rewrite FILE --strategy S [--gpus N] [-o OUT] [--expert-load LOAD.json] [--conditions C.json]`.
//! Exit 0: written (the modifications list on stdout, or stderr when the plan goes to stdout);
//! 1: the target breaks a rule (named; nothing written); 2: unreadable input.

use super::out::say;
use super::verify::EXIT_FINDINGS;
use super::{EXIT_OK, EXIT_UNREADABLE, conditions, expert_load, input};
use planscope_core::check::{VerifyOptions, verify};
use planscope_core::model::Strategy;
use planscope_core::rewrite::{Target, rewrite};
use planscope_core::write::{dot::write_dot, json::write_json};
use std::path::{Path, PathBuf};

pub struct Args {
    pub file: PathBuf,
    pub strategy: Strategy,
    pub gpus: Option<u32>,
    pub out: Option<PathBuf>,
    pub expert_load: Option<PathBuf>,
    pub conditions: Vec<String>,
}

pub fn run(args: &Args) -> u8 {
    match try_run(args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            EXIT_UNREADABLE
        }
    }
}

fn try_run(args: &Args) -> Result<u8, String> {
    let plan = input::load(&args.file)?;
    let mut target = Target::new(args.strategy);
    target.gpus = args.gpus;
    if !args.conditions.is_empty() {
        target.overrides = conditions::load(&args.conditions)?;
    }
    let load = args.expert_load.as_deref().map(expert_load::load).transpose()?;
    target.expert_load = load.as_ref().map(|l| l.rows().to_vec());
    let rw = match rewrite(&plan, &target) {
        Ok(rw) => rw,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return Ok(EXIT_FINDINGS);
        }
    };
    let text = match &args.out {
        Some(p) if is_dot(p) => write_dot(&rw.plan),
        _ => write_json(&rw.plan),
    };
    // The rewrite is verified under the load too (a no-op on its expert shards, which
    // already carry it: cost::load), as the page's after side is.
    let opts = VerifyOptions {
        strategy: Some(args.strategy),
        gpus: args.gpus,
        overrides: target.overrides.clone(),
        expert_load: load,
        ..VerifyOptions::default()
    };
    let report = verify(&rw.plan, &opts);
    let mut summary = format!(
        "rewrote {} to {}: {} nodes, {} edges, {} of {} GPUs used; verify: {}\n",
        args.file.display(),
        args.strategy.short(),
        rw.plan.nodes.len(),
        rw.plan.edges.len(),
        report.metrics.gpus_used,
        report.metrics.gpus_total.map_or_else(|| "?".into(), |t| t.to_string()),
        if report.errors().next().is_none() { "pass" } else { "fail" }
    );
    if let Some(b) = &rw.balance {
        summary.push_str(&format!(
            "balancedness (mean/max GPU load): {:.3} contiguous, {:.3} round-robin, {:.3} load-aware\n",
            b.before, b.round_robin, b.after
        ));
    }
    summary.push('\n');
    summary.push_str(&rw.diff.render_text());
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            say!("{summary}");
            say!("wrote {}", path.display());
        }
        None => {
            say!("{text}");
            eprintln!("{summary}");
        }
    }
    Ok(EXIT_OK)
}

fn is_dot(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("dot") || e.eq_ignore_ascii_case("gv"))
}
