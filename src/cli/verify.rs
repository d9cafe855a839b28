//! `planscope verify FILE [--strategy S] [--gpus N] [--conditions C.json] [--json] [--trace T.json]`.
//! `--trace` also writes the simulated step as a Chrome trace (Trace Event Format) that
//! Perfetto (ui.perfetto.dev) and chrome://tracing open.
//! Exit 0: no error finding; 1: at least one; 2: unreadable input, or the trace cannot be
//! written (or there is no simulated step to trace).

use super::out::{say, say_raw};
use super::{EXIT_OK, EXIT_UNREADABLE, conditions, expert_load, input};
use planscope_core::check::{Report, Severity, VerifyOptions, verify};
use planscope_core::model::Strategy;
use planscope_core::view::{Capped, NODES_SHOWN};
use std::path::{Path, PathBuf};

pub const EXIT_FINDINGS: u8 = 1;

pub struct Args {
    pub file: PathBuf,
    pub strategy: Option<Strategy>,
    pub gpus: Option<u32>,
    pub conditions: Vec<String>,
    pub json: bool,
    /// Also simulate two-batch overlap.
    pub overlap: bool,
    /// Where to write the step as a Chrome trace.
    pub trace: Option<PathBuf>,
    /// Tokens per expert per MoE layer: the expert nodes' work and the dispatch/combine follow it.
    pub expert_load: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let opts = match options(args) {
        Ok(o) => o,
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
    let report = verify(&plan, &opts);
    if let Some(path) = &args.trace
        && let Err(msg) = write_trace(path, &plan, &report)
    {
        eprintln!("{msg}");
        return EXIT_UNREADABLE;
    }
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => say!("{text}"),
            Err(e) => {
                eprintln!("planscope: cannot write the report as JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        say_raw!("{}", render_text(&args.file, &report));
    }
    if report.errors().next().is_some() { EXIT_FINDINGS } else { EXIT_OK }
}

/// The simulated step of `plan` as a Chrome trace at `path`.
fn write_trace(path: &Path, plan: &planscope_core::model::Plan, report: &Report) -> Result<(), String> {
    use planscope_core::sim::trace::{Side, build};
    let Some(sim) = &report.metrics.simulation else {
        return Err(format!(
            "{}: no simulated step to trace: the plan (or --conditions) must give {}",
            path.display(),
            planscope_core::sim::STEP_NEEDS
        ));
    };
    let json = build(&[Side { name: "plan", plan, sim }]).to_json();
    std::fs::write(path, json).map_err(|e| format!("{}: cannot write the trace: {e}", path.display()))
}

pub fn options(args: &Args) -> Result<VerifyOptions, String> {
    let mut opts =
        VerifyOptions { strategy: args.strategy, gpus: args.gpus, overlap: args.overlap, ..VerifyOptions::default() };
    if !args.conditions.is_empty() {
        opts.overrides = conditions::load(&args.conditions)?;
    }
    opts.expert_load = args.expert_load.as_deref().map(expert_load::load).transpose()?;
    Ok(opts)
}

/// A report for people: verdict, then findings by severity with their nodes and fixes.
fn render_text(file: &Path, report: &Report) -> String {
    use std::fmt::Write;
    let m = &report.metrics;
    let mut out = String::new();
    let verdict = match report.verdict {
        planscope_core::check::Verdict::Pass => "PASS",
        planscope_core::check::Verdict::Fail => "FAIL",
    };
    let total = m.gpus_total.map_or_else(|| "?".to_string(), |t| t.to_string());
    let _ = writeln!(
        out,
        "{verdict}  {}  ({} nodes, {} edges, {} of {total} GPUs used)",
        file.display(),
        m.nodes,
        m.edges,
        m.gpus_used
    );
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        for f in report.findings.iter().filter(|f| f.severity == sev) {
            let _ = writeln!(out, "\n{:<7} {}  {}", sev.as_str(), f.code.as_str(), f.message);
            if !f.nodes.is_empty() {
                let nodes = Capped::of(&f.nodes, NODES_SHOWN);
                let tail = nodes.tail().map_or_else(String::new, |t| format!(" {t}"));
                let _ = writeln!(out, "        nodes: {}{tail}", nodes.shown.join(", "));
            }
            if !f.gpus.is_empty() {
                let shown = planscope_core::check::report::gpu_ranges(&f.gpus);
                let gpus =
                    if f.gpus_count > f.gpus.len() { format!("{shown} … ({} in all)", f.gpus_count) } else { shown };
                let _ = writeln!(out, "        gpus:  {gpus}");
            }
            if !f.fix.is_empty() {
                let _ = writeln!(out, "        fix:   {}", f.fix);
            }
        }
    }
    if m.memory.is_some() || m.simulation.is_some() {
        out.push('\n');
    }
    if let Some(mem) = &m.memory {
        memory_line(&mut out, mem);
    }
    if let Some(sim) = &m.simulation {
        let _ = writeln!(
            out,
            "simulated step {:.3} ms, balancedness {:.2}, busy {:.0}% mean computing, {:.0}% communicating",
            sim.step_time_s * 1e3,
            sim.balancedness,
            sim.busy_fraction.mean * 100.0,
            planscope_core::sim::timeline::StreamShares::of(sim).comm * 100.0
        );
        if let Some(t) = sim.overlapped_step_time_s {
            let _ = writeln!(out, "with two-batch overlap {:.3} ms", t * 1e3);
        }
        // The serial step's throughput, and the overlapped bound beside it: a measured
        // deployment falls between (docs/calibration.md).
        match sim.training {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "training step {:.3} s at best: {} micro-batches through {} stages, {:.3} s of pipeline ({:.0}% fill and drain) and {:.3} s of gradient reduction",
                    t.step_s,
                    t.micro_batches,
                    t.stages,
                    t.pipeline_s,
                    t.bubble * 100.0,
                    t.gradient_sync_s
                );
                if let Some(tps) = t.tokens_per_s_per_gpu {
                    let _ = writeln!(out, "training throughput {tps:.0} tokens/s per GPU (whole model) at best");
                }
            }
            None if sim.coverage.training => {
                let _ = writeln!(
                    out,
                    "training: the step is the forward pass; no throughput (model.micro_batches, in the plan or --conditions, gives the optimizer step)"
                );
            }
            None => {}
        }
        if let Some(t) = sim.serial_tokens_per_s_per_gpu() {
            let _ = match sim.bounds() {
                (step, Some(over)) if over > 0.0 => writeln!(
                    out,
                    "throughput {t:.0} tokens/s per GPU (whole model), {:.0} at best with two-batch overlap",
                    t * step / over
                ),
                _ => writeln!(out, "throughput {t:.0} tokens/s per GPU (whole model)"),
            };
        }
    }
    out
}

/// The fullest GPU's memory, against one GPU's capacity when known: what MEMORY_OVER weighs.
fn memory_line(out: &mut String, mem: &planscope_core::cost::MemoryMetrics) {
    use std::fmt::Write;
    let Some(worst) = mem.worst() else { return };
    let g = worst.gpu;
    let of = match (mem.capacity_gb, g.percent) {
        (Some(c), Some(p)) => format!(" of {c} GB ({p:.0}%)"),
        _ => String::new(),
    };
    let _ = writeln!(out, "peak memory {:.1} GB on GPU {}{of}: {worst}", g.total_gb, g.gpu);
}
