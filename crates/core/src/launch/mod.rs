//! Strategies as people write them: a launch line or script (vLLM, SGLang, Megatron-LM,
//! torchtitan, DeepSpeed), a config file (NeMo/Megatron YAML, torchtitan TOML, DeepSpeed
//! JSON, vLLM/SGLang YAML), or a planscope name (`EP64_TP2`), read into a [`Strategy`]
//! with the GPU count the framework needs and every rule of that framework the launch
//! breaks, in the framework's words. One file per framework holds its spellings and its
//! rules, each citing where the framework states them; docs/strategies.md lists them.
//!
//! A flag or key that names a parallel degree the reader does not understand is an error
//! naming it with its line:col, never dropped; other flags (learning rates, ports) are
//! not the strategy's and are passed over. A text with no strategy in it is an error.

mod deepspeed;
mod detect;
mod entry;
mod megatron;
mod rule;
mod sglang;
pub mod shell;
mod structured;
mod torchtitan;
mod vllm;

pub use entry::Entry;
pub use rule::FrameworkRule;

use crate::limits::{self, Limit, LimitError};
use crate::model::{Strategy, StrategyError, ZeroStage};
use entry::Said;
use serde::Serialize;
use std::fmt;

/// Who wrote the strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Vllm,
    Sglang,
    /// Megatron-LM flags, or NeMo / Megatron-Bridge YAML of the same names.
    Megatron,
    Torchtitan,
    Deepspeed,
    /// planscope's own `EP64_TP2`-style name.
    Planscope,
}

impl Framework {
    /// Whether the launch itself starts the GPUs it needs: a vLLM or SGLang server spawns
    /// one worker per GPU of TP·PP·DP (TP·PP with DP attention), so its line fixes the
    /// count. Training launches take theirs from the launcher (torchrun), stated or not.
    pub fn starts_its_gpus(self) -> bool {
        matches!(self, Framework::Vllm | Framework::Sglang)
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Framework::Vllm => "vLLM",
            Framework::Sglang => "SGLang",
            Framework::Megatron => "Megatron-LM",
            Framework::Torchtitan => "torchtitan",
            Framework::Deepspeed => "DeepSpeed",
            Framework::Planscope => "planscope",
        })
    }
}

/// The notation the strategy was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Notation {
    Flags,
    Yaml,
    Toml,
    Json,
    Name,
}

/// A strategy read from a launch: the degrees, the GPUs the framework needs for them,
/// and the framework's rules the launch breaks (empty when it holds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaunchStrategy {
    pub framework: Framework,
    pub notation: Notation,
    /// The line the command (or the file) starts on.
    pub line: u32,
    pub strategy: Strategy,
    /// GPUs the launch needs, by the framework's rule (e.g. vLLM: TP·PP·DP; SGLang with
    /// DP-attention: TP·PP; Megatron-LM: the world size).
    pub gpus: u64,
    /// GPUs the launch itself states (`--nnodes` × `--nproc-per-node`, `trainer.devices`),
    /// when it does.
    pub world: Option<u64>,
    /// Transformer layers the launch states (`--num-layers`), when it does.
    pub layers: Option<u32>,
    /// What a training launch states of its run; None for a serving launch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingRun>,
    pub broken: Vec<FrameworkRule>,
}

/// A training launch: the step is a training micro-batch (`phase: train`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrainingRun {
    /// How its weights' training states are sharded, when the launch says (Megatron-LM's
    /// `--use-distributed-optimizer`, DeepSpeed's `zero_optimization.stage`, torchtitan's
    /// FSDP); None when it cannot be told.
    pub zero: Option<ZeroStage>,
    /// The copies of the sharded states across the data-parallel ranks, when more than one
    /// (torchtitan's HSDP replicate degree, Megatron-LM's
    /// `--num-distributed-optimizer-instances`).
    pub zero_copies: Option<u32>,
    /// Whether the activations between the TP blocks are split over the sequence
    /// (Megatron-LM's `--sequence-parallel`, on only with TP > 1; torchtitan's TP always);
    /// None when the launch's framework is not read for it (DeepSpeed).
    pub sequence_parallel: Option<bool>,
    /// The micro-batches of an optimizer step on each data-parallel replica, when the
    /// launch states them apart from the batch (DeepSpeed's `gradient_accumulation_steps`;
    /// Megatron-LM's follow from its global batch, read with the batch: conditions/detect.rs).
    pub micro_batches: Option<u32>,
}

/// Why a text gave no strategy, with where (1-based line:col; 0:0 when the whole text).
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub kind: LaunchErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LaunchErrorKind {
    Limit(LimitError),
    /// The YAML, TOML or JSON (or shell quoting) is not well formed.
    Syntax {
        notation: &'static str,
        message: String,
    },
    NoStrategy,
    /// A parallel flag or key this framework's reader does not know.
    Unknown {
        framework: Framework,
        flag: String,
    },
    /// A degree that is not a whole number (or not a switch's true/false).
    BadValue {
        flag: String,
        value: String,
        expected: &'static str,
    },
    /// A degree's value uses a variable the script never sets.
    Unset {
        flag: String,
        variable: String,
    },
    /// Flags of two frameworks in one command.
    Mixed {
        first: Framework,
        first_flag: String,
        second: Framework,
        second_flag: String,
    },
    /// Only flags vLLM and SGLang share: the program must be named.
    Ambiguous {
        flag: String,
    },
    /// Several launch commands where one was asked for.
    Several {
        lines: Vec<u32>,
    },
    /// A value the framework derives from another that the launch does not give.
    Needs {
        flag: String,
        needs: &'static str,
    },
    Strategy(StrategyError),
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.col)?;
        } else {
            write!(f, "{}: ", self.file)?;
        }
        match &self.kind {
            LaunchErrorKind::Limit(e) => write!(f, "{e}"),
            LaunchErrorKind::Syntax { notation, message } => write!(f, "not valid {notation}: {message}"),
            LaunchErrorKind::NoStrategy => f.write_str(
                "no parallel strategy found: expected a launch line (vllm serve …, python -m sglang.launch_server …, Megatron-LM or torchtitan flags), a NeMo/Megatron YAML, a torchtitan TOML, a DeepSpeed JSON or a name like EP64_TP2",
            ),
            LaunchErrorKind::Unknown { framework, flag } => {
                write!(f, "{flag} is a parallel setting planscope does not read for {framework}; it is not dropped: remove it or ask for it to be supported")
            }
            LaunchErrorKind::BadValue { flag, value, expected } => write!(f, "{flag} is `{value}`, expected {expected}"),
            LaunchErrorKind::Unset { flag, variable } => {
                write!(f, "{flag} is {variable}, which the script never sets; give the number")
            }
            LaunchErrorKind::Mixed { first, first_flag, second, second_flag } => write!(
                f,
                "mixes {first} ({first_flag}) and {second} ({second_flag}) flags in one command"
            ),
            LaunchErrorKind::Ambiguous { flag } => write!(
                f,
                "{flag} is spelled alike by vLLM and SGLang: name the program (vllm serve … or python -m sglang.launch_server …)"
            ),
            LaunchErrorKind::Several { lines } => {
                let l: Vec<String> = lines.iter().map(u32::to_string).collect();
                write!(f, "{} launch commands (lines {}): give one", lines.len(), l.join(", "))
            }
            LaunchErrorKind::Needs { flag, needs } => write!(f, "{flag} needs {needs}"),
            LaunchErrorKind::Strategy(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LaunchError {}

/// The one strategy in `text` (see [`read_all`]); a text with several launch commands is
/// an error naming their lines.
pub fn read(file_name: &str, text: &str) -> Result<LaunchStrategy, LaunchError> {
    read_with(file_name, text, None)
}

/// [`read`], checked against `gpus` GPUs (the cluster's) when given.
pub fn read_with(file_name: &str, text: &str, gpus: Option<u64>) -> Result<LaunchStrategy, LaunchError> {
    the_one(file_name, read_all(file_name, text, gpus)?)
}

/// A strategy written on one line, as a plan declares it: a launch command (with its
/// flags) or a name, never a config notation (YAML, TOML, JSON: those are files, for
/// [`read_with`]). This is what the verifier reads; calling no config parser keeps
/// them out of the page's first download (their readers load with the first config
/// file, README "Page size"). Otherwise as [`read_with`].
pub fn read_line(label: &str, text: &str, gpus: Option<u64>) -> Result<LaunchStrategy, LaunchError> {
    let err = |line, col, kind| LaunchError { file: label.into(), line, col, kind };
    held_to_limits(label, text, gpus)?;
    let notation = structured::notation(label, text);
    if !matches!(notation, Notation::Flags | Notation::Name) {
        return Err(err(0, 0, LaunchErrorKind::NoStrategy));
    }
    let found = detect::commands(text).map_err(|(line, col, kind)| err(line, col, kind))?;
    if found.is_empty() {
        return planscope_name(label, text, gpus);
    }
    the_one(label, finish(label, found, notation, gpus)?)
}

/// The single strategy of `all`; several launch commands are an error naming their lines.
fn the_one(file_name: &str, mut all: Vec<LaunchStrategy>) -> Result<LaunchStrategy, LaunchError> {
    if all.len() > 1 {
        let lines = all.iter().map(|s| s.line).collect();
        return Err(LaunchError { file: file_name.into(), line: 0, col: 0, kind: LaunchErrorKind::Several { lines } });
    }
    all.pop().ok_or_else(|| LaunchError { file: file_name.into(), line: 0, col: 0, kind: LaunchErrorKind::NoStrategy })
}

/// The text's size and the GPU count, held to `limits` before any reading.
fn held_to_limits(file_name: &str, text: &str, gpus: Option<u64>) -> Result<(), LaunchError> {
    let err = |kind| LaunchError { file: file_name.into(), line: 0, col: 0, kind };
    Limit::InputBytes.check(text.len() as u64).map_err(|e| err(LaunchErrorKind::Limit(e)))?;
    if let Some(g) = gpus {
        Limit::Gpus.check(g).map_err(|e| err(LaunchErrorKind::Limit(e)))?;
    }
    Ok(())
}

/// Every strategy in `text`: one per launch command of a script (a documentation page
/// often shows several), or the one of a config file or name. The notation is told by the
/// file name's extension, else by the text. `gpus`, when given, is the GPU count the
/// rules hold the launch to (else the count the launch states, if any). Never empty: no
/// strategy is an error. O(n) in the text (shell expansion held to `limits`).
pub fn read_all(file_name: &str, text: &str, gpus: Option<u64>) -> Result<Vec<LaunchStrategy>, LaunchError> {
    let err = |line, col, kind| LaunchError { file: file_name.into(), line, col, kind };
    held_to_limits(file_name, text, gpus)?;
    let notation = structured::notation(file_name, text);
    let found: Vec<(Said, u32)> = match notation {
        Notation::Flags | Notation::Name => {
            let found = detect::commands(text).map_err(|(line, col, kind)| err(line, col, kind))?;
            if found.is_empty() {
                // A config file without an extension: YAML when it reads as a mapping.
                if let Ok(entries) = structured::entries(Notation::Yaml, text)
                    && !entries.is_empty()
                    && let Ok(Some(said)) = detect::interpret(entries, None)
                {
                    return finish(file_name, vec![(said, 1)], Notation::Yaml, gpus);
                }
                return planscope_name(file_name, text, gpus).map(|s| vec![s]);
            }
            found
        }
        _ => {
            let entries = structured::entries(notation, text).map_err(|(line, col, kind)| err(line, col, kind))?;
            if let Some(name) = structured::planscope_strategy(&entries) {
                let mut s = planscope_name(file_name, &name, gpus)?;
                s.notation = notation;
                return Ok(vec![s]);
            }
            let said = detect::interpret(entries, None).map_err(|(line, col, kind)| err(line, col, kind))?;
            match said {
                Some(s) => vec![(s, 1)],
                None => return Err(err(0, 0, LaunchErrorKind::NoStrategy)),
            }
        }
    };
    finish(file_name, found, notation, gpus)
}

/// Each framework's reading of what was said.
fn finish(
    file_name: &str,
    found: Vec<(Said, u32)>,
    notation: Notation,
    gpus: Option<u64>,
) -> Result<Vec<LaunchStrategy>, LaunchError> {
    let err = |line, col, kind| LaunchError { file: file_name.into(), line, col, kind };
    let mut out = Vec::new();
    for (said, line) in found {
        let read = match said.framework {
            Framework::Vllm => vllm::read(&said, gpus),
            Framework::Sglang => sglang::read(&said, gpus),
            Framework::Megatron => megatron::read(&said, gpus),
            Framework::Torchtitan => torchtitan::read(&said, gpus),
            Framework::Deepspeed => deepspeed::read(&said, gpus),
            Framework::Planscope => unreachable_planscope(),
        };
        let r = read.map_err(|(line, col, kind)| err(line, col, kind))?;
        out.push(LaunchStrategy {
            framework: said.framework,
            notation: if notation == Notation::Name { Notation::Flags } else { notation },
            line,
            strategy: r.strategy,
            gpus: r.gpus,
            world: r.world,
            layers: r.layers,
            training: r.training,
            broken: r.broken,
        });
    }
    Ok(out)
}

/// Planscope is never detected from flags; a typed result keeps the match total.
fn unreachable_planscope() -> Result<Read, (u32, u32, LaunchErrorKind)> {
    Err((0, 0, LaunchErrorKind::NoStrategy))
}

/// What a framework's reader makes of the settings.
pub(crate) struct Read {
    pub strategy: Strategy,
    pub gpus: u64,
    pub world: Option<u64>,
    pub layers: Option<u32>,
    pub training: Option<TrainingRun>,
    pub broken: Vec<FrameworkRule>,
}

fn planscope_name(file_name: &str, text: &str, gpus: Option<u64>) -> Result<LaunchStrategy, LaunchError> {
    let err = |kind| LaunchError { file: file_name.into(), line: 0, col: 0, kind };
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.lines().count() > 1 {
        return Err(err(LaunchErrorKind::NoStrategy));
    }
    let strategy = Strategy::parse(trimmed).map_err(|e| {
        if e.0.starts_with("no parallel degree") {
            err(LaunchErrorKind::NoStrategy)
        } else {
            err(LaunchErrorKind::Strategy(e))
        }
    })?;
    let needs = strategy.gpus();
    let mut broken = Vec::new();
    if let Some(has) = gpus
        && needs > has
    {
        broken.push(rule::too_few_gpus(
            Framework::Planscope,
            if strategy.experts_folded() {
                "TP·PP·DP·CP (the experts, with an ETP, fold onto them)"
            } else {
                "EP·TP·PP·DP·CP"
            },
            needs,
            has,
            "planscope's conventions: every degree spans its own GPUs, or with an ETP the experts share the attention's (docs/cost-model.md)",
        ));
    }
    Ok(LaunchStrategy {
        framework: Framework::Planscope,
        notation: Notation::Name,
        line: 1,
        strategy,
        gpus: needs,
        world: None,
        layers: None,
        training: None,
        broken,
    })
}

/// `a·b·…` in u64, saturating past every limit, then held to `limits::GPUS`.
pub(crate) fn gpus_of(factors: &[u64]) -> u64 {
    limits::product(factors.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line reads as a file of that line does; a config notation is not a line.
    #[test]
    fn read_line_reads_lines_and_names_only() {
        for line in [
            "vllm serve m -tp 2 -dp 64 -ep",
            "EP64_TP2",
            "torchrun --nproc_per_node 8 pretrain_gpt.py --tensor-model-parallel-size 2 --expert-model-parallel-size 4",
        ] {
            let by_line = read_line("strategy", line, Some(128)).unwrap_or_else(|e| panic!("{line}: {e}"));
            let by_file = read_with("strategy", line, Some(128)).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(by_line, by_file, "{line}");
        }
        for config in [
            "{\"tensor_parallel_size\": 2}",
            "[parallelism]\ntensor_parallel_degree = 2",
            "tensor_model_parallel_size: 2\nexpert_model_parallel_size: 4",
        ] {
            let e = read_line("strategy", config, None).unwrap_err();
            assert!(matches!(e.kind, LaunchErrorKind::NoStrategy), "{config}: {e}");
        }
    }
}
