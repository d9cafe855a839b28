//! `planscope plan --model CONFIG_OR_PRESET --strategy S [--hardware FILE_OR_PRESET]
//! [--gpus N] [--phase prefill|decode|train] [--batch B] [--seq-len S] [--context C] [--zero-stage Z] [-o plan.json]`:
//! a correct deployment from a config, no DAG needed (`gen::plan_from`), verified before it
//! is written. Exit 0: written; 1: the strategy does not fit the model or cluster (named);
//! 2: unreadable input.

use super::out::say;
use super::verify::EXIT_FINDINGS;
use super::{EXIT_OK, EXIT_UNREADABLE, conditions};
use planscope_core::check::{VerifyOptions, verify};
use planscope_core::conditions::ConditionsKind;
use planscope_core::r#gen::plan_from;
use planscope_core::limits::Capacity;
use planscope_core::model::{Meta, ModelSpec, Phase, Strategy, ZeroStage};
use planscope_core::write::json::write_json;
use std::path::PathBuf;

pub struct Args {
    pub model: String,
    pub strategy: Strategy,
    pub hardware: Option<String>,
    pub gpus: Option<u32>,
    pub workload: Workload,
    pub out: Option<PathBuf>,
}

/// What the deployment runs, as `plan`'s flags state it.
#[derive(clap::Args, Debug)]
pub struct Workload {
    /// prefill (each request brings --seq-len tokens), decode (one token each over --context) or
    /// train (one micro-batch of --batch sequences; memory holds gradients, optimizer states and stored activations).
    #[arg(long, value_parser = parse_phase)]
    phase: Option<Phase>,
    /// Requests (sequences) across the whole deployment.
    #[arg(long)]
    batch: Option<u64>,
    /// Prompt length of each request, tokens (prefill).
    #[arg(long)]
    seq_len: Option<u64>,
    /// KV context of each request, tokens (decode).
    #[arg(long)]
    context: Option<u64>,
    /// Training: how the weights' gradients and optimizer states are sharded over the
    /// data-parallel ranks, as ZeRO's stages (1: Megatron-LM's distributed optimizer; 3: FSDP).
    #[arg(long, value_parser = parse_zero_stage)]
    zero_stage: Option<ZeroStage>,
    /// Training: copies of the sharded states across the data-parallel ranks, each sharded
    /// over DP / this (HSDP's replicate degree; Megatron-LM's --num-distributed-optimizer-instances).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    zero_copies: Option<u32>,
    /// Training: micro-batches per optimizer step on each data-parallel replica (Megatron-LM's
    /// global batch / (micro-batch × DP)); fewer than PP caps the activations a stage holds.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    micro_batches: Option<u32>,
    /// Training with TP: `on` when the activations between the TP blocks are split over
    /// the sequence too (Megatron-LM's --sequence-parallel); taken as off when not given.
    #[arg(long, value_parser = parse_switch)]
    sequence_parallel: Option<bool>,
}

impl Workload {
    /// The flags as the model fields they state; one not given stays unset, so the
    /// model's own value stands when merged.
    fn state(&self, m: &mut ModelSpec) {
        m.phase = self.phase;
        m.batch = self.batch;
        m.seq_len = self.seq_len;
        m.context = self.context;
        m.zero_stage = self.zero_stage;
        m.zero_copies = self.zero_copies;
        m.micro_batches = self.micro_batches;
        m.sequence_parallel = self.sequence_parallel;
    }
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

/// For clap: a ZeRO stage, 0 to 3.
pub fn parse_zero_stage(s: &str) -> Result<ZeroStage, String> {
    ZeroStage::parse(s).ok_or_else(|| format!("expected 0, 1, 2 or 3, found {s:?}"))
}

/// For clap: `on` or `off`.
pub fn parse_switch(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("expected on or off, found {s:?}")),
    }
}

/// For clap: `prefill`, `decode` or `train`.
pub fn parse_phase(s: &str) -> Result<Phase, String> {
    Phase::parse(s).ok_or_else(|| format!("expected prefill, decode or train, found {s:?}"))
}

fn try_run(args: &Args) -> Result<u8, String> {
    let model = conditions::load_one(&args.model)?;
    if !matches!(model.kind, ConditionsKind::Model | ConditionsKind::Meta) {
        return Err(format!("{}: --model takes a model config or preset; this is {}", args.model, model.format.name()));
    }
    let mut meta = model.meta;
    if let Some(h) = &args.hardware {
        let hw = conditions::load_one(h)?;
        if hw.kind != ConditionsKind::Hardware {
            return Err(format!("{h}: --hardware takes a GPU file or preset; this is {}", hw.format.name()));
        }
        meta = meta.merged_with(&hw.meta);
    }
    let mut given = Meta { strategy: Some(args.strategy), ..Meta::default() };
    given.cluster.gpus = args.gpus;
    args.workload.state(&mut given.model);
    let meta = meta.merged_with(&given);
    let plan = match plan_from(&meta, Capacity::Native) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}: {e}", args.model);
            return Ok(EXIT_FINDINGS);
        }
    };
    let report = verify(&plan, &VerifyOptions::default());
    let summary = format!(
        "planned {} as {}: {} nodes, {} edges, {} GPUs; verify: {}",
        meta.model.name.as_deref().unwrap_or(&args.model),
        args.strategy.short(),
        plan.nodes.len(),
        plan.edges.len(),
        report.metrics.gpus_total.map_or_else(|| "?".into(), |t| t.to_string()),
        if report.errors().next().is_none() { "pass" } else { "fail" }
    );
    let text = write_json(&plan);
    match &args.out {
        Some(path) => {
            let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
            let bytes = if gz { gzip(text.as_bytes()) } else { text.into_bytes() };
            std::fs::write(path, &bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            say!("{summary}");
            say!("wrote {}", path.display());
            if !gz && bytes.len() > planscope_core::limits::INPUT_BYTES {
                eprintln!(
                    "note: {} MB is past the {} MB planscope reads as text; write it as {}.gz to read it back",
                    bytes.len() / (1 << 20),
                    planscope_core::limits::INPUT_BYTES / (1 << 20),
                    path.display()
                );
            }
        }
        None => {
            say!("{text}");
            eprintln!("{summary}");
        }
    }
    // The plan is written either way, to inspect; a CI step must not take a failing one as done.
    let errors: Vec<_> = report.errors().collect();
    for f in &errors {
        eprintln!("error {}: {}", f.code.as_str(), f.message);
    }
    Ok(if errors.is_empty() { EXIT_OK } else { EXIT_FINDINGS })
}

/// `bytes` gzip-compressed (level 6: the size of `gzip`'s default at a fraction of -9's time).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}
