//! The plan model: the typed core every other module reads and writes.
//!
//! A `Plan` is what a file said, parsed once at the edge: nodes keep their ids
//! as strings (so a dangling edge or a duplicate id stays representable and the
//! verifier can report it), typed fields for what planscope understands, and
//! `attrs` for every other field exactly as it came.

mod edge;
mod gpu_cells;
mod layer_pattern;
pub mod limits;
mod meta;
mod node;
mod placement;
mod shape;
pub mod sort;
mod stages;
mod strategy;
mod strategy_name;

pub use edge::{Edge, EdgeKind};
pub use gpu_cells::GpuCells;
pub use layer_pattern::LayerPattern;
pub use meta::{ClusterSpec, Dtype, Meta, ModelSpec, ModuleDtypes, Phase, ZeroStage};
pub use node::{Node, NodeKind, Op, Ranks};
pub use placement::{GpuSet, MAX_GPU_ID, Placement, PlacementError, union_gpus};
pub use shape::{Dim, Shape};
pub use stages::{SplitError, StageSplit};
pub use strategy::{Degree, Extra, Size, StageLayers, Strategy, StrategyError, Unbuilt, Uneven};

use serde::{Deserialize, Serialize};

/// Fields planscope does not interpret, kept in source order for round trips.
pub type Attrs = serde_json::Map<String, serde_json::Value>;

/// The notation a plan was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A JSON node/edge list, in any of the corpus dialects or planscope's own.
    Json,
    /// Graphviz DOT.
    Dot,
    /// A JSON wrapper whose `dag_content` holds a DOT string.
    JsonDot,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Dot => "dot",
            Format::JsonDot => "json+dot",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DOT cluster (or a JSON grouping): a named set of nodes such as a layer or a pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The enclosing group, for nested clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

/// A deployment plan: a DAG of operators placed on GPUs, plus what the file says about
/// the strategy, the cluster and the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The graph's own name (DOT `digraph NAME`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub format: Format,
    #[serde(default)]
    pub meta: Meta,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Top-level fields not interpreted (graph attributes in DOT).
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

impl Plan {
    pub fn new(format: Format) -> Plan {
        Plan {
            name: None,
            format,
            meta: Meta::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
            groups: Vec::new(),
            attrs: Attrs::new(),
        }
    }

    /// Its nodes and edges, what a page's capacity counts (`limits::Capacity`).
    pub fn elements(&self) -> u64 {
        (self.nodes.len() as u64).saturating_add(self.edges.len() as u64)
    }

    /// Distinct GPU ids that some node is explicitly placed on, ascending.
    /// `host`, `all` and unassigned nodes name no GPU and are not counted.
    /// O(k log k + g) in the placements' ranges k and the GPUs named g (at most
    /// [`MAX_GPU_ID`] + 1).
    pub fn gpus_used(&self) -> Vec<u32> {
        union_gpus(self.nodes.iter().map(|n| &n.placement)).iter().collect()
    }
}

/// Small plans for the core's unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use super::{Format, Node, NodeKind, Placement, Plan};

    /// A plan of compute nodes `n0`, `n1`, … with these placements and no edges.
    pub fn placed(placements: Vec<Placement>) -> Plan {
        let mut p = Plan::new(Format::Json);
        for (i, placement) in placements.into_iter().enumerate() {
            let mut n = Node::new(format!("n{i}"), NodeKind::Compute);
            n.placement = placement;
            p.nodes.push(n);
        }
        p
    }
}
