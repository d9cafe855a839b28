//! `--strategy` as given: a name (`EP64_TP2`), or a launch line read as its framework means
//! it (`vllm serve m -tp 8 -dp 2 --enable-expert-parallel`: EP16_TP8_DP2_ETP1). A launch line
//! is read when the arguments are parsed, so a bad one fails there with its line:col, and
//! read again with the command's `--gpus`: a training launch (Megatron-LM, torchtitan) leaves
//! DP to the world size, which the line itself may not state (`--nnodes ${SLURM_NNODES:-1}`).
//! The framework's rules the launch breaks are said: `plan` and `rewrite` build nothing
//! the framework would refuse to run; `verify` and `report` go on, since the plan is theirs.

use super::EXIT_UNREADABLE;
use super::verify::EXIT_FINDINGS;
use planscope_core::check::declared::reads_as_launch;
use planscope_core::launch::read_line;
use planscope_core::model::Strategy;

#[derive(Debug, Clone)]
pub struct StrategyArg {
    /// The launch line, when the argument is one.
    launch: Option<String>,
    /// The strategy as read without a GPU count.
    strategy: Strategy,
}

/// What the command does with a launch its framework would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// Say the rules and go on (the command checks a plan of the user's).
    Warn,
    /// Say the rules and build nothing (exit 1).
    Refuse,
}

impl StrategyArg {
    /// For clap.
    pub fn parse(s: &str) -> Result<StrategyArg, String> {
        if reads_as_launch(s) {
            let strategy = read_line("--strategy", s, None).map_err(|e| e.to_string())?.strategy;
            return Ok(StrategyArg { launch: Some(s.to_string()), strategy });
        }
        Strategy::parse(s).map(|strategy| StrategyArg { launch: None, strategy }).map_err(|e| e.to_string())
    }

    /// The strategy on a cluster of `gpus` (the launch's own count when none is given), or,
    /// having said why, the exit code: 2 for a launch line unreadable on that many GPUs, 1
    /// for one whose framework refuses it when `broken` is `Refuse`.
    pub fn on(&self, gpus: Option<u32>, broken: Broken) -> Result<Strategy, u8> {
        let Some(line) = &self.launch else { return Ok(self.strategy) };
        let read = read_line("--strategy", line, gpus.map(u64::from)).map_err(|e| {
            eprintln!("--strategy: {e}");
            EXIT_UNREADABLE
        })?;
        for rule in &read.broken {
            eprintln!("--strategy: the launch breaks {rule}");
        }
        match (broken, read.broken.is_empty()) {
            (Broken::Refuse, false) => Err(EXIT_FINDINGS),
            _ => Ok(read.strategy),
        }
    }
}
