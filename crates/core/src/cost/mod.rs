//! The cost model: per-node FLOPs, bytes and weights (flops.rs), per-GPU memory
//! (memory.rs), alpha-beta collective times (comm.rs) and the constants they use
//! (defaults.rs). Formulas and sources: docs/cost-model.md.

pub mod attention;
pub mod comm;
pub mod defaults;
pub mod flops;
pub mod memory;

pub use defaults::{Constants, Mla, ModuleBytes, resolve};
pub use flops::{NodeWork, Precision, flops_per_gpu, is_shared_expert, node_work};
pub use memory::{GpuMemory, MemoryMetrics, memory_per_gpu};

use serde::Serialize;

/// What a step does: inference holds weights, a working set and a KV cache;
/// training holds weights and stored activations (Korthikanti et al. 2022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    #[default]
    Inference,
    Training,
}
