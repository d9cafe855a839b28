//! The cluster view's data: every GPU of the cluster as a cell in its server, with the
//! numbers a cell can be coloured by. Pure data from a plan and its report; the page
//! only draws it.

pub mod caption;
pub mod geometry;
pub mod navigate;
pub mod on_gpu;
mod palette;
mod shade;

pub use palette::{CATEGORICAL, categorical, sequential};
pub use shade::{Metric, Shade, unknown_pattern_id};

use crate::check::Report;
use crate::infer::node_roles;
use crate::model::{Op, Plan, Strategy};
use serde::Serialize;

/// Servers wider than this are unusual; a plan claiming more is drawn 8 to a row.
const MAX_PER_SERVER: u32 = 64;
/// The view draws at most this many GPUs; the range is 8 to 1,024.
pub const MAX_DRAWN_GPUS: u32 = 4096;
/// Node ids kept per cell for the hover card.
const SAMPLE_NODES: usize = 8;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GpuCell {
    pub gpu: u32,
    pub server: u32,
    /// Some node is placed on this GPU.
    pub used: bool,
    pub nodes: u32,
    pub sample_nodes: Vec<String>,
    pub expert_shards: u32,
    pub memory_gb: Option<f64>,
    pub memory_percent: Option<f64>,
    pub flops: f64,
    pub busy_fraction: Option<f64>,
    /// The GPU's ranks under the strategy's layout (GPU = ((dp·PP + pp)·EP + ep)·TP + tp).
    pub ep: Option<u32>,
    pub tp: Option<u32>,
    pub pp: Option<u32>,
    pub dp: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClusterModel {
    pub gpus: u32,
    pub per_server: u32,
    pub cells: Vec<GpuCell>,
    /// Cells left out because the cluster is larger than `MAX_DRAWN_GPUS`.
    pub hidden_gpus: u32,
    /// The cluster's own GPUs: fewer than `gpus + hidden_gpus` when the plan places nodes
    /// on GPU ids past the cluster it declares (GPU_OUT_OF_RANGE); those cells are drawn
    /// after the cluster's and marked as beyond it.
    pub cluster_gpus: u32,
    pub max_flops: f64,
    pub max_experts: u32,
}

impl ClusterModel {
    pub fn servers(&self) -> u32 {
        self.gpus.div_ceil(self.per_server.max(1))
    }

    pub fn used(&self) -> usize {
        self.cells.iter().filter(|c| c.used).count()
    }

    pub fn cell(&self, gpu: u32) -> Option<&GpuCell> {
        self.cells.get(gpu as usize)
    }

    /// The GPU id is past the cluster the plan declares.
    pub fn beyond_cluster(&self, gpu: u32) -> bool {
        gpu >= self.cluster_gpus
    }

    /// Drawn cells past the cluster the plan declares.
    pub fn beyond(&self) -> u32 {
        self.gpus.saturating_sub(self.cluster_gpus)
    }
}

/// Builds the grid for a plan and its report. GPUs: the report's total, else the
/// highest GPU used + 1. GPUs per server: the plan's, else 8 (DGX/HGX servers).
/// O(drawn GPUs + Σ placed GPUs per node, each clipped to the drawn ones): the drawn
/// cells stop at `MAX_DRAWN_GPUS` whatever the file declares.
pub fn build(plan: &Plan, report: &Report, strategy: Option<Strategy>) -> ClusterModel {
    let m = &report.metrics;
    let highest = m.per_gpu.last().map_or(0, |r| r.gpu + 1);
    let total = m.gpus_total.unwrap_or(highest).max(highest);
    let drawn = total.min(MAX_DRAWN_GPUS);
    let per_server = plan.meta.cluster.gpus_per_server.filter(|&n| (1..=MAX_PER_SERVER).contains(&n)).unwrap_or(8);
    let mut cells: Vec<GpuCell> =
        (0..drawn).map(|gpu| GpuCell { gpu, server: gpu / per_server, ..GpuCell::default() }).collect();
    for row in &m.per_gpu {
        if let Some(c) = cells.get_mut(row.gpu as usize) {
            c.used = true;
            c.nodes = row.nodes;
            c.flops = row.flops;
            c.memory_gb = row.memory_gb;
            c.memory_percent = row.memory_percent;
            c.busy_fraction = row.busy_fraction;
        }
    }
    for node in &plan.nodes {
        let is_expert = node.op.as_ref().or(node_roles(node).op.as_ref()) == Some(&Op::Expert);
        for (a, b) in node.placement.gpu_set().ranges().iter().copied() {
            for gpu in a..=b.min(drawn.saturating_sub(1)) {
                let c = &mut cells[gpu as usize];
                if c.sample_nodes.len() < SAMPLE_NODES {
                    c.sample_nodes.push(node.id.clone());
                }
                if is_expert {
                    c.expert_shards += 1;
                }
            }
        }
    }
    if let Some(s) = strategy {
        // In u64 with saturating products: in 32 bits TP·EP can wrap to zero (EP65536_TP65536)
        // and divide by it. Every rank is below a u32 degree or the GPU id, so it fits back.
        let (ep, tp, pp, dp) = (s.ep.get() as u64, s.tp.get() as u64, s.pp.get() as u64, s.dp.get() as u64);
        let rank = |v: u64| Some(v as u32);
        let span = s.gpus();
        if s.experts_folded() {
            // The experts on the attention's GPUs (vLLM, SGLang, Megatron-Core with ETP): TP
            // innermost, then DP (inside TP with DP attention), then PP; a stage's GPUs hold
            // its EP ranks of ETP GPUs each.
            let etp = s.expert_tp().get() as u64;
            let stage = (span / pp).max(1);
            for c in cells.iter_mut().filter(|c| (c.gpu as u64) < span) {
                let g = c.gpu as u64;
                c.tp = rank(g % tp);
                c.dp = rank(if s.dp_attention { (g % tp) / (tp / dp).max(1) } else { (g / tp) % dp });
                c.pp = rank(g / stage);
                c.ep = rank((g % stage) / etp % ep);
            }
        } else {
            let (tp_ep, tp_ep_pp) = (tp.saturating_mul(ep), tp.saturating_mul(ep).saturating_mul(pp));
            for c in cells.iter_mut().filter(|c| (c.gpu as u64) < span) {
                let g = c.gpu as u64;
                c.tp = rank(g % tp);
                c.ep = rank((g / tp) % ep);
                c.pp = rank((g / tp_ep) % pp);
                c.dp = rank(g / tp_ep_pp);
            }
        }
    }
    let max_flops = cells.iter().map(|c| c.flops).fold(0.0, f64::max);
    let max_experts = cells.iter().map(|c| c.expert_shards).max().unwrap_or(0);
    let cluster_gpus = m.gpus_total.unwrap_or(total).min(total);
    ClusterModel { gpus: drawn, per_server, cells, hidden_gpus: total - drawn, cluster_gpus, max_flops, max_experts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{VerifyOptions, verify};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    #[test]
    fn degrees_whose_product_wraps_32_bits_do_not_divide_by_zero() {
        // Strategy::new refuses EP65536_TP65536 (2^32 GPUs, zero in 32 bits); a strategy
        // set by hand must still not panic here.
        use std::num::NonZeroU32;
        let d = |v: u32| NonZeroU32::new(v).unwrap();
        let s = Strategy { ep: d(65_536), tp: d(65_536), pp: d(65_536), dp: d(1), ..Strategy::default() };
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let report = verify(&plan, &VerifyOptions::default());
        let c = build(&plan, &report, Some(s));
        let g5 = c.cell(5).unwrap();
        assert_eq!((g5.ep, g5.tp, g5.pp, g5.dp), (Some(0), Some(5), Some(0), Some(0)));
    }

    #[test]
    fn seed_example_uses_3_of_128_in_16_servers() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let report = verify(&plan, &VerifyOptions::default());
        let c = build(&plan, &report, plan.meta.strategy);
        assert_eq!((c.gpus, c.per_server, c.servers()), (128, 8, 16));
        assert_eq!(c.used(), 3);
        assert_eq!(c.cell(1).unwrap().expert_shards, 1);
        assert_eq!(c.cell(1).unwrap().sample_nodes, ["expert_2", "comm_2"]);
        // EP64_TP2: GPU 5 is TP rank 1 of EP rank 2.
        let g5 = c.cell(5).unwrap();
        assert_eq!((g5.ep, g5.tp, g5.pp, g5.dp), (Some(2), Some(1), Some(0), Some(0)));
        assert_eq!(Shade::of(g5, Metric::Busy, &c), Shade::Idle);
        assert!(matches!(Shade::of(c.cell(1).unwrap(), Metric::Busy, &c), Shade::Scale(t) if t > 0.0));
    }
}
