//! Command-line shell: argument parsing, file reading and exit codes. The work itself
//! happens in the library.

mod capped;
mod conditions;
mod expert_load;
mod input;
mod inspect;
mod model;
mod out;
mod plan;
mod report;
mod rewrite;
mod strategy;
mod strategy_arg;
mod suggest;
mod verify;

use clap::{Parser, Subcommand};
use planscope_core::limits::Limit;
use std::path::PathBuf;
use std::process::ExitCode;
use strategy_arg::{Broken, StrategyArg};

/// Exit codes shared by every subcommand.
pub const EXIT_OK: u8 = 0;
pub const EXIT_UNREADABLE: u8 = 2;

#[derive(Parser)]
#[command(name = "planscope", version, about = "Verify, repair and draw parallel deployment plans for MoE models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a plan's format, node and edge counts, and GPUs used.
    Inspect {
        /// A plan file: JSON (any corpus dialect or planscope's own) or Graphviz DOT.
        file: PathBuf,
        /// Print `{"format","nodes","edges","gpus_used"}` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a plan against its strategy and the cost model; exit 1 on any error finding.
    Verify {
        file: PathBuf,
        /// The strategy to hold the plan to, e.g. EP64_TP2 (default: what the file declares).
        #[arg(long, value_parser = StrategyArg::parse)]
        strategy: Option<StrategyArg>,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Print the report as JSON: {"verdict","metrics","findings"}.
        #[arg(long)]
        json: bool,
        /// Also simulate two-batch overlap (communication behind the other micro-batch's compute).
        #[arg(long)]
        overlap: bool,
        /// Also write the simulated step as a Chrome trace (Trace Event Format JSON) that Perfetto opens.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Per-expert token counts, `[[layer 0: expert 0, 1, …], …]`: the experts' work and the dispatch/combine follow it.
        #[arg(long)]
        expert_load: Option<PathBuf>,
    },
    /// Rewrite a plan into a correct deployment of a strategy; prints the required modifications.
    Rewrite {
        file: PathBuf,
        /// The target strategy, e.g. EP64_TP2.
        #[arg(long, value_parser = StrategyArg::parse)]
        strategy: StrategyArg,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Where to write the plan: .dot/.gv for Graphviz, anything else for planscope JSON (default: stdout, JSON).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Per-expert token counts, `[[layer 0: expert 0, 1, …], …]`, for load-aware (EPLB-style) placement.
        #[arg(long)]
        expert_load: Option<PathBuf>,
    },
    /// Write a self-contained HTML report (summary, findings, before/after grids, utilization).
    /// Exit 1 when the target strategy cannot be reached (the report is still written).
    Report {
        file: PathBuf,
        /// The target strategy of the rewrite (default: what the file declares).
        #[arg(long, value_parser = StrategyArg::parse)]
        strategy: Option<StrategyArg>,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Where to write the HTML (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// What colours the GPU cells: busy, memory, compute, experts, ep, tp or pp.
        #[arg(long, value_parser = report::parse_metric)]
        color_by: Option<planscope_core::cluster::Metric>,
        /// Per-expert token counts, `[[layer 0: expert 0, 1, …], …]`: the rewrite places experts by it and both sides follow it.
        #[arg(long)]
        expert_load: Option<PathBuf>,
    },
    /// Print what a model config or preset states: constants, layer pattern, total and
    /// active parameters, weight bytes per dtype, KV-cache bytes per token.
    Model {
        /// A HF config.json, DeepSeek reference config, Megatron launch script, planscope
        /// meta JSON, or a preset name (deepseek-v3, kimi-k2, mixtral-8x7b, ...).
        model: String,
        /// Print JSON: the constants plus params_total, params_active, kv_bytes_per_token.
        #[arg(long)]
        json: bool,
    },
    /// Write a correct deployment of a model config or preset under a strategy, no DAG needed.
    Plan {
        /// A model config (HF config.json, DeepSeek, Megatron, planscope meta) or preset name.
        #[arg(long)]
        model: String,
        /// The strategy, e.g. EP64_TP2.
        #[arg(long, value_parser = StrategyArg::parse)]
        strategy: StrategyArg,
        /// A GPU file (llm-analysis JSON, aiconfigurator YAML) or preset (h100, h800, ...).
        #[arg(long)]
        hardware: Option<String>,
        /// GPUs the cluster offers (default: exactly what the strategy needs).
        #[arg(long, value_parser = parse_gpus)]
        gpus: Option<u32>,
        #[command(flatten)]
        workload: plan::Workload,
        /// Where to write the plan JSON (default: standard output).
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Read a launch line, launch script or config file (vLLM, SGLang, Megatron-LM/NeMo,
    /// torchtitan, DeepSpeed) or a name like EP64_TP2: print the degrees, the GPUs needed and
    /// the framework's rules it breaks. Exit 1 when a rule is broken, 2 on unreadable input.
    Strategy {
        /// The launch line in quotes (it may begin with dashes), or a file.
        #[arg(allow_hyphen_values = true)]
        input: String,
        /// GPUs to hold the launch to (default: what the launch states, if anything).
        #[arg(long, value_parser = parse_gpus)]
        gpus: Option<u32>,
        /// Print {"framework","ep","tp","pp","dp","cp","etp","vpp","dp_attention","redundant_experts","gpus","broken",…} (an array for several commands).
        #[arg(long)]
        json: bool,
    },
    /// Rank the valid EP×TP×PP×DP choices for the plan's model and cluster; show the best five.
    Suggest {
        file: PathBuf,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Print the suggestions as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// What the cluster and model are, beyond what the plan file declares.
#[derive(clap::Args)]
struct ClusterArgs {
    /// GPUs the cluster offers (default: what the file declares); at most planscope's GPU limit.
    #[arg(long, value_parser = parse_gpus)]
    gpus: Option<u32>,
    /// Model and hardware constants: a HF config.json, DeepSeek or Megatron model config,
    /// an llm-analysis or aiconfigurator GPU file, planscope meta JSON, or a preset name
    /// (deepseek-v3, h100, ...). Repeatable; later ones win field by field.
    #[arg(long)]
    conditions: Vec<String>,
}

/// A GPU count within `limits::GPUS`, checked before any per-GPU table is made.
fn parse_gpus(s: &str) -> Result<u32, String> {
    let n: u64 = s.trim().parse().map_err(|e| format!("expected a whole number of GPUs: {e}"))?;
    Limit::Gpus.check(n).map_err(|e| e.to_string())?;
    Ok(n as u32)
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Inspect { file, json } => inspect::run(&file, json),
        Command::Verify {
            file,
            strategy,
            cluster: ClusterArgs { gpus, conditions },
            json,
            overlap,
            trace,
            expert_load,
        } => match strategy.map(|s| s.on(gpus, Broken::Warn)).transpose() {
            Ok(strategy) => {
                verify::run(&verify::Args { file, strategy, gpus, conditions, json, overlap, trace, expert_load })
            }
            Err(code) => code,
        },
        Command::Rewrite { file, strategy, cluster: ClusterArgs { gpus, conditions }, out, expert_load } => {
            match strategy.on(gpus, Broken::Refuse) {
                Ok(strategy) => rewrite::run(&rewrite::Args { file, strategy, gpus, out, expert_load, conditions }),
                Err(code) => code,
            }
        }
        Command::Report {
            file,
            strategy,
            cluster: ClusterArgs { gpus, conditions },
            output,
            color_by,
            expert_load,
        } => match strategy.map(|s| s.on(gpus, Broken::Warn)).transpose() {
            Ok(strategy) => {
                report::run(&report::Args { file, strategy, gpus, conditions, output, color_by, expert_load })
            }
            Err(code) => code,
        },
        Command::Model { model, json } => model::run(&model, json),
        Command::Plan { model, strategy, hardware, gpus, workload, out } => match strategy.on(gpus, Broken::Refuse) {
            Ok(strategy) => plan::run(&plan::Args { model, strategy, hardware, gpus, workload, out }),
            Err(code) => code,
        },
        Command::Strategy { input, gpus, json } => strategy::run(&strategy::Args { input, gpus, json }),
        Command::Suggest { file, cluster: ClusterArgs { gpus, conditions }, json } => {
            suggest::run(&suggest::Args { file, gpus, conditions, json })
        }
    };
    ExitCode::from(code)
}
