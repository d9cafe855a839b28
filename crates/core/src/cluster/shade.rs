//! What colour a GPU cell gets for the metric the user picked.

use super::{ClusterModel, GpuCell};
use serde::{Deserialize, Serialize};

/// The id of a grid's hatch for a used GPU whose value is unknown (`Shade::Unknown`), one
/// per side drawn, in the page and the report alike. Hatched, not a flat grey: cividis runs
/// through grey at its middle (50 % busy is #7c7b78), so unknowns read as half busy.
pub fn unknown_pattern_id(side: &str) -> String {
    format!("cell-unknown-{side}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Memory,
    Compute,
    Busy,
    ExpertShards,
    EpGroup,
    TpGroup,
    PpStage,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::Busy,
        Metric::Memory,
        Metric::Compute,
        Metric::ExpertShards,
        Metric::EpGroup,
        Metric::TpGroup,
        Metric::PpStage,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Metric::Memory => "memory",
            Metric::Compute => "compute",
            Metric::Busy => "busy",
            Metric::ExpertShards => "experts",
            Metric::EpGroup => "ep",
            Metric::TpGroup => "tp",
            Metric::PpStage => "pp",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Memory => "Memory %",
            Metric::Compute => "Compute (FLOPs)",
            Metric::Busy => "Busy %",
            Metric::ExpertShards => "Expert shards",
            Metric::EpGroup => "EP group",
            Metric::TpGroup => "TP rank",
            Metric::PpStage => "PP stage",
        }
    }

    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }

    pub fn is_categorical(self) -> bool {
        matches!(self, Metric::EpGroup | Metric::TpGroup | Metric::PpStage)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shade {
    /// Nothing runs here.
    Idle,
    /// 0..=1 along a sequential scale.
    Scale(f64),
    /// A group index, for categorical palettes.
    Category(u32),
    /// Used, but the value is unknown (e.g. no memory capacity given).
    Unknown,
}

impl Shade {
    pub fn of(cell: &GpuCell, metric: Metric, model: &ClusterModel) -> Shade {
        if !cell.used {
            return Shade::Idle;
        }
        let scale =
            |v: Option<f64>| v.filter(|x| x.is_finite()).map_or(Shade::Unknown, |x| Shade::Scale(x.clamp(0.0, 1.0)));
        match metric {
            Metric::Memory => scale(cell.memory_percent.map(|p| p / 100.0)),
            Metric::Busy => scale(cell.busy_fraction),
            Metric::Compute => scale((model.max_flops > 0.0).then(|| cell.flops / model.max_flops)),
            Metric::ExpertShards => {
                scale((model.max_experts > 0).then(|| cell.expert_shards as f64 / model.max_experts as f64))
            }
            Metric::EpGroup => cell.ep.map_or(Shade::Unknown, Shade::Category),
            Metric::TpGroup => cell.tp.map_or(Shade::Unknown, Shade::Category),
            Metric::PpStage => cell.pp.map_or(Shade::Unknown, Shade::Category),
        }
    }
}
