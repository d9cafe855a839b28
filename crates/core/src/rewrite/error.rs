//! Why a target cannot be met, as data: what was asked for and every rule it breaks, each
//! with its numbers. The CLI prints the `Display` text; the page and the report list the
//! rules one by one, from the data.

use crate::cost::Parts;
use crate::limits::Capacity;
use crate::model::{SplitError, Strategy, Unbuilt, Uneven};
use crate::units::thousands_u64;
use serde::Serialize;
use std::fmt;

/// What the rewrite (or the advisor) was asked to reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Goal {
    Strategy(Strategy),
    /// The advisor's search, on this many GPUs when known.
    AnyStrategy {
        gpus: Option<u32>,
    },
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::Strategy(s) => write!(f, "{s}"),
            Goal::AnyStrategy { gpus: None } => f.write_str("any strategy"),
            Goal::AnyStrategy { gpus: Some(n) } => write!(f, "any strategy on {n} GPUs"),
        }
    }
}

/// One rule a target breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BrokenRule {
    /// EP·TP·PP·DP is more than the cluster's GPUs.
    TooFewGpus {
        strategy: Strategy,
        needs: u64,
        has: u64,
    },
    /// A size the plan or the overrides declare is past one of planscope's limits.
    Limit(crate::limits::LimitError),
    /// More GPUs than GPU ids planscope represents.
    TooManyGpus {
        gpus: u64,
    },
    /// EP above 1 on a model without experts.
    NoExperts {
        ep: u32,
    },
    /// A model size the degree does not split; `from_dag` when the size was counted in
    /// the DAG rather than declared.
    Uneven {
        rule: Uneven,
        from_dag: bool,
    },
    /// PP above the layer count.
    TooFewLayers {
        pp: u32,
        layers: u32,
    },
    /// The first and last stages' layers leave the others none.
    Stages(SplitError),
    TooManyMoeLayers {
        moe_layers: u32,
        layers: u32,
    },
    /// The output would be larger than planscope builds.
    TooLarge {
        strategy: Strategy,
        layers: u32,
        experts: u32,
        nodes: u64,
        /// Where it would be held (its limit: `Capacity::built_nodes`).
        capacity: Capacity,
    },
    ExpertLoadWithoutExperts,
    ExpertLoadRows {
        rows: usize,
        moe_layers: u32,
    },
    ExpertLoadRowLength {
        row: usize,
        entries: usize,
        experts: u32,
    },
    /// A token count that is negative or not finite.
    ExpertLoadValue {
        row: usize,
        value: f64,
    },
    /// The fullest GPU would hold more than its memory.
    OutOfMemory {
        strategy: Strategy,
        /// The fullest GPU's figures.
        worst: Box<Parts>,
        capacity_gb: f64,
        /// One copy of the model's weights, when the model declares its shapes: the lower
        /// bound on GPUs any strategy needs.
        model_weights_gb: Option<f64>,
    },
    /// The advisor: no GPU count to search.
    GpuCountUnknown,
    /// The advisor: no EP·TP·PP·DP factorisation of the GPU count.
    NoCandidate,
    /// The advisor: a candidate it weighed and refused, in the refusal's words.
    CandidateRefused(String),
    /// A part of the strategy `deploy` cannot build (CP, ETP apart from TP, VPP,
    /// DP-attention, redundant experts): refused rather than built without it.
    Unbuilt(Unbuilt),
}

impl BrokenRule {
    /// A rule about the expert load (its rows, entries or values), not the strategy.
    pub fn is_expert_load(&self) -> bool {
        matches!(
            self,
            BrokenRule::ExpertLoadWithoutExperts
                | BrokenRule::ExpertLoadRows { .. }
                | BrokenRule::ExpertLoadRowLength { .. }
                | BrokenRule::ExpertLoadValue { .. }
        )
    }
}

impl fmt::Display for BrokenRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::short_name;
        match self {
            BrokenRule::TooFewGpus { strategy, needs, has } => {
                let product = match (strategy.experts_folded(), strategy.cp.get() > 1) {
                    (true, _) => "TP·PP·DP·CP (its experts fold onto them)",
                    (false, true) => "EP·TP·PP·DP·CP",
                    (false, false) => "EP·TP·PP·DP",
                };
                write!(f, "{} needs {product} = {needs} GPUs but the cluster has {has}", short_name(*strategy))
            }
            BrokenRule::Limit(e) => write!(f, "{e}"),
            BrokenRule::TooManyGpus { gpus } => {
                let max = crate::limits::GPUS as u64;
                write!(f, "{}", crate::limits::LimitError { limit: crate::limits::Limit::Gpus, value: *gpus, max })
            }
            BrokenRule::NoExperts { ep } => write!(f, "EP{ep} needs an MoE model but the plan declares no experts"),
            BrokenRule::Uneven { rule, from_dag } => {
                write!(f, "{rule}")?;
                if *from_dag {
                    f.write_str(" (as the DAG shows them; declare the model's expert count)")?;
                }
                Ok(())
            }
            BrokenRule::Stages(e) => write!(f, "cannot split the layers: {e}"),
            BrokenRule::TooFewLayers { pp, layers } => {
                write!(f, "PP{pp} needs at least {pp} layers but the model has {layers}")
            }
            BrokenRule::TooManyMoeLayers { moe_layers, layers } => {
                write!(f, "{moe_layers} MoE layers are more than the model's {layers} layers")
            }
            BrokenRule::TooLarge { strategy, layers, experts, nodes, capacity } => write!(
                f,
                "{} over {layers} layers × {experts} experts would make about {} nodes, which exceeds {} (rewrite output nodes)",
                short_name(*strategy),
                thousands_u64(*nodes),
                capacity.limit_words(&format!("{} nodes", thousands_u64(capacity.built_nodes())))
            ),
            BrokenRule::ExpertLoadWithoutExperts => {
                f.write_str("an expert load was given but the model has no experts")
            }
            BrokenRule::ExpertLoadRows { rows, moe_layers } => {
                write!(f, "the expert load has {rows} rows but the model has {moe_layers} MoE layers")
            }
            BrokenRule::ExpertLoadRowLength { row, entries, experts } => {
                write!(f, "expert load row {row} has {entries} entries but each layer has {experts} experts")
            }
            BrokenRule::ExpertLoadValue { row, value } => {
                write!(f, "expert load row {row} holds {value}; token counts must be finite and not negative")
            }
            BrokenRule::OutOfMemory { strategy, worst, capacity_gb, model_weights_gb } => {
                let name = short_name(*strategy);
                let g = worst.gpu;
                write!(
                    f,
                    "{name} needs {:.1} GB on GPU {} ({worst}) but GPUs have {capacity_gb} GB",
                    g.total_gb, g.gpu
                )?;
                f.write_str("; raise TP, EP or PP")?;
                match model_weights_gb {
                    Some(w) if *capacity_gb > 0.0 => {
                        let least = (w / capacity_gb).ceil().max(1.0);
                        write!(
                            f,
                            ": one copy of the model's weights, {w:.1} GB, takes at least {least} GPUs of {capacity_gb} GB"
                        )
                    }
                    _ => Ok(()),
                }
            }
            BrokenRule::GpuCountUnknown => {
                f.write_str("the GPU count is unknown: give --gpus or a cluster.gpus in the conditions")
            }
            BrokenRule::NoCandidate => f.write_str("no EP·TP·PP·DP = GPU count candidate"),
            BrokenRule::CandidateRefused(why) => f.write_str(why),
            BrokenRule::Unbuilt(u) => {
                write!(f, "planscope cannot build {u} yet; {}", Unbuilt::WHAT_IS_BUILT)
            }
        }
    }
}

/// Why a target cannot be met: every rule it breaks (at least one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RewriteError {
    pub target: Goal,
    pub rules: Vec<BrokenRule>,
}

impl RewriteError {
    /// The head line, without the rules: `cannot rewrite to EP48_TP1_PP1_DP1`.
    pub fn head(&self) -> String {
        format!("cannot rewrite to {}", self.target)
    }
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.head())?;
        for (i, r) in self.rules.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RewriteError {}
