//! The cost model: per-node FLOPs, bytes and weights (flops.rs), per-GPU memory
//! (memory.rs), alpha-beta collective times (comm.rs) and the constants they use
//! (defaults.rs). Formulas and sources: docs/cost-model.md.

pub mod attention;
pub mod comm;
pub mod defaults;
pub mod flops;
pub mod load;
pub mod memory;

pub use defaults::{Constants, Inferred, Mla, ModuleBytes, ShapeSource, Training, resolve};
pub use flops::{NodeWork, Precision, TpSplit, flops_per_gpu, is_shared_expert, model_flops, node_work, tokens_known};
pub use memory::{Counted, GpuMemory, Lacking, MemoryMetrics, Parts, memory_per_gpu};

use serde::Serialize;

/// What a step holds in memory: inference, weights, a working set and a KV cache;
/// training (`phase: train`), weights with their gradients and optimizer states, and
/// stored activations (Korthikanti et al. 2022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    #[default]
    Inference,
    Training,
}

impl Workload {
    pub fn of(c: &Constants) -> Workload {
        match c.training {
            Some(_) => Workload::Training,
            None => Workload::Inference,
        }
    }
}

/// Achieved FLOP/s at precision `p`: its peak (FP8/FP4 where the hardware gives one, else
/// the 16-bit peak) × MFU.
pub fn peak_flops(c: &Constants, p: Precision) -> f64 {
    let base = c.tflops.unwrap_or(0.0);
    let t = match p {
        Precision::Bf16 => base,
        Precision::Fp8 => c.tflops_fp8.unwrap_or(base),
        Precision::Fp4 => c.tflops_fp4.or(c.tflops_fp8).unwrap_or(base),
    };
    t * 1e12 * c.mfu
}

/// Roofline seconds (Williams et al. 2009) of a `share` of node work `w` (1/k for each of
/// its k GPUs): max(FLOPs / achieved peak, bytes / achieved memory bandwidth); a term whose
/// constant is missing is left out.
pub fn roofline_time(c: &Constants, w: &NodeWork, share: f64) -> f64 {
    let t_m = c.mem_bw_gbs.filter(|&b| b > 0.0).map_or(0.0, |b| w.bytes * share / (b * 1e9 * c.bw_util));
    compute_time(c, w, share).max(t_m)
}

/// Seconds of a `share` of node work `w` at the achieved peaks: its matrices at their
/// weights' precision, the attention's QKᵀ and AV (`NodeWork::bf16_flops`) at the 16-bit one.
pub fn compute_time(c: &Constants, w: &NodeWork, share: f64) -> f64 {
    let at = |flops: f64, p: Precision| {
        let pk = peak_flops(c, p);
        if pk > 0.0 { flops * share / pk } else { 0.0 }
    };
    let bf16 = w.bf16_flops.min(w.flops);
    at(w.flops - bf16, w.precision) + at(bf16, Precision::Bf16)
}
