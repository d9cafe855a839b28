//! Per-GPU memory: weights, activations and KV cache, against capacity; in training the
//! weights' gradients and optimizer states and the stored activations. Weights are counted
//! per node, so every layer and every expert shard placed on a GPU is counted.

use super::{Constants, NodeWork, Workload};
use crate::model::{GpuCells, Placement, Plan};
use crate::stats::MinMeanMax;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GpuMemory {
    pub gpu: u32,
    pub weights_gb: f64,
    pub activations_gb: f64,
    pub kv_cache_gb: f64,
    /// Training: the weights' gradients and optimizer states (0 in inference).
    pub states_gb: f64,
    pub total_gb: f64,
    /// total / capacity · 100, when capacity is known.
    pub percent: Option<f64>,
}

/// What the per-GPU figures count. Written `all` or `weights_only` in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "&'static str")]
pub enum Counted {
    /// Weights, activations and KV cache (training: with gradients and optimizer states).
    All,
    /// The weights alone (training: with their gradients and optimizer states): no node's
    /// tokens are known (no tensor shapes, and the workload lacks what `lacking` says), so
    /// the activations and the KV cache are not counted, and the totals are a lower bound.
    WeightsOnly { lacking: Lacking },
}

impl From<Counted> for &'static str {
    fn from(c: Counted) -> &'static str {
        match c {
            Counted::All => "all",
            Counted::WeightsOnly { .. } => "weights_only",
        }
    }
}

/// What the workload lacks for its tokens to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lacking {
    Batch,
    /// A prefill or training batch is given, its sequences' length not (a Hugging Face
    /// config states none).
    SeqLen,
    /// Both are given, yet no node is sized by them (no node computes on tokens).
    Tokens,
}

impl Lacking {
    fn of(c: &Constants) -> Lacking {
        match (c.batch, c.seq) {
            (None, _) => Lacking::Batch,
            (Some(_), None) if !c.decode() => Lacking::SeqLen,
            _ => Lacking::Tokens,
        }
    }
}

impl std::fmt::Display for Lacking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Lacking::Batch => "no batch is given",
            Lacking::SeqLen => "no sequence length is given",
            Lacking::Tokens => "no node's tokens are known",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryMetrics {
    pub workload: Workload,
    pub counted: Counted,
    pub capacity_gb: Option<f64>,
    pub weights_gb: MinMeanMax,
    pub activations_gb: MinMeanMax,
    pub kv_cache_gb: MinMeanMax,
    pub states_gb: MinMeanMax,
    pub total_gb: MinMeanMax,
    pub max_percent: Option<f64>,
    /// One entry per GPU used.
    pub per_gpu: Vec<GpuMemory>,
}

/// What one GPU's memory is made of, as every message says it: "weights 81.2, activations
/// 3.1, KV cache 0.5", or in training "weights 2.0, gradients and optimizer states 9.1,
/// activations 12.0"; without a batch, the weights (and their states) and what was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parts {
    pub gpu: GpuMemory,
    pub workload: Workload,
    pub counted: Counted,
}

impl std::fmt::Display for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = &self.gpu;
        write!(f, "weights {:.1}", m.weights_gb)?;
        if self.workload == Workload::Training {
            write!(f, ", gradients and optimizer states {:.1}", m.states_gb)?;
        }
        match (self.counted, self.workload) {
            (Counted::All, Workload::Inference) => {
                write!(f, ", activations {:.1}, KV cache {:.1}", m.activations_gb, m.kv_cache_gb)
            }
            (Counted::All, Workload::Training) => write!(f, ", activations {:.1}", m.activations_gb),
            (Counted::WeightsOnly { lacking }, Workload::Inference) => {
                write!(f, "; activations and KV cache not counted: {lacking}")
            }
            (Counted::WeightsOnly { lacking }, Workload::Training) => {
                write!(f, "; activations not counted: {lacking}")
            }
        }
    }
}

impl MemoryMetrics {
    /// The fullest GPU's figures.
    pub fn worst(&self) -> Option<Parts> {
        let gpu = *self.per_gpu.iter().max_by(|a, b| a.total_gb.total_cmp(&b.total_gb))?;
        Some(self.parts(gpu))
    }

    pub fn parts(&self, gpu: GpuMemory) -> Parts {
        Parts { gpu, workload: self.workload, counted: self.counted }
    }
}

/// Memory per GPU used, kept per cell of GPUs placed alike (`cells`: the plan's placements
/// cut up to its last GPU used, as the verifier counts them against
/// `limits::PLACEMENT_CELLS`): O(ranges) per node, not O(GPUs). O(n·c) in nodes n and the
/// cells c a node covers (one for a single range, however wide), plus the GPUs used.
pub fn memory_per_gpu(
    plan: &Plan,
    used: &[u32],
    cells: &GpuCells,
    work: &[NodeWork],
    c: &Constants,
) -> Option<MemoryMetrics> {
    let workload = Workload::of(c);
    used.last()?;
    // No node with a size (no tensor shapes, no model constants): the memory is unknown,
    // not zero, and no figure is shown rather than "0.00 GB".
    let sized = |w: &NodeWork| w.bytes > 0.0 || w.weight_bytes > 0.0 || w.kv_bytes > 0.0 || w.stored_act_bytes > 0.0;
    if !work.iter().any(sized) {
        return None;
    }
    let counted =
        if super::tokens_known(work) { Counted::All } else { Counted::WeightsOnly { lacking: Lacking::of(c) } };
    let n = cells.len();
    let (mut wts, mut act, mut kv, mut states) = (vec![0.0; n], vec![0.0f64; n], vec![0.0; n], vec![0.0; n]);
    for (node, w) in plan.nodes.iter().zip(work) {
        let Placement::Gpus(s) = &node.placement else { continue };
        let k = s.len() as f64;
        for g in cells.of(s) {
            wts[g] += w.weight_bytes * w.held_share / k;
            kv[g] += w.kv_bytes / k;
            states[g] += w.state_bytes / k;
            act[g] = match workload {
                // Inference frees activations as it goes: the peak is the largest working set.
                Workload::Inference => act[g].max((w.bytes - w.weight_bytes - w.kv_bytes) / k),
                // Each node's, times the micro-batches its stage holds (`NodeWork`).
                Workload::Training => act[g] + w.stored_act_bytes / k,
            };
        }
    }
    let gb = 1e9;
    let per_gpu: Vec<GpuMemory> = used
        .iter()
        .filter_map(|&g| Some((g, cells.cell(g)?)))
        .map(|(g, i)| {
            let total = (wts[i] + act[i] + kv[i] + states[i]) / gb;
            GpuMemory {
                gpu: g,
                weights_gb: wts[i] / gb,
                activations_gb: act[i] / gb,
                kv_cache_gb: kv[i] / gb,
                states_gb: states[i] / gb,
                total_gb: total,
                percent: c.memory_gb.filter(|&m| m > 0.0).map(|m| total / m * 100.0),
            }
        })
        .collect();
    let stat = |f: fn(&GpuMemory) -> f64| MinMeanMax::of(per_gpu.iter().map(f)).unwrap_or_default();
    Some(MemoryMetrics {
        workload,
        counted,
        capacity_gb: c.memory_gb,
        weights_gb: stat(|m| m.weights_gb),
        activations_gb: stat(|m| m.activations_gb),
        kv_cache_gb: stat(|m| m.kv_cache_gb),
        states_gb: stat(|m| m.states_gb),
        total_gb: stat(|m| m.total_gb),
        max_percent: per_gpu.iter().filter_map(|m| m.percent).reduce(f64::max),
        per_gpu,
    })
}
