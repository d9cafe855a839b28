//! `--strategy` as given: a name (`EP64_TP2`), or a launch line read as its framework means
//! it (`vllm serve m -tp 8 -dp 2 --enable-expert-parallel`: EP16_TP8_DP2_ETP1). A launch line
//! is read when the arguments are parsed, so a bad one fails there with its line:col, and
//! read again with the command's `--gpus`: a training launch (Megatron-LM, torchtitan) leaves
//! DP to the world size, which the line itself may not state (`--nnodes ${SLURM_NNODES:-1}`).

use super::EXIT_UNREADABLE;
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

impl StrategyArg {
    /// For clap.
    pub fn parse(s: &str) -> Result<StrategyArg, String> {
        if reads_as_launch(s) {
            let strategy = read_line("--strategy", s, None).map_err(|e| e.to_string())?.strategy;
            return Ok(StrategyArg { launch: Some(s.to_string()), strategy });
        }
        Strategy::parse(s).map(|strategy| StrategyArg { launch: None, strategy }).map_err(|e| e.to_string())
    }

    /// The strategy on a cluster of `gpus`, when given; else, having said why the launch
    /// line cannot be read on that many GPUs, the exit code for unreadable input.
    pub fn on(&self, gpus: Option<u32>) -> Result<Strategy, u8> {
        match (&self.launch, gpus) {
            (Some(line), Some(g)) => {
                read_line("--strategy", line, Some(u64::from(g))).map(|l| l.strategy).map_err(|e| {
                    eprintln!("--strategy: {e}");
                    EXIT_UNREADABLE
                })
            }
            _ => Ok(self.strategy),
        }
    }
}
