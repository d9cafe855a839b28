//! A training step from one micro-batch's simulated forward pass (docs/cost-model.md, "The
//! training step"): the m micro-batches of an optimizer step through the pipeline under
//! 1F1B, then the gradients' reduction over the data-parallel ranks.
//!
//! - A micro-batch's backward pass on a GPU takes twice its forward's compute (the
//!   gradients of the inputs and of the weights, as Narayanan et al. 2021 count FLOPs) and
//!   its forward's communication once more (TP's all-reduces, EP's
//!   dispatch and combine and PP's sends carry the same bytes back): 3c + 2k in all.
//! - The pipeline: every stage once for the first micro-batch, then the slowest stage for
//!   each of the m − 1 others, Σ tᵢ + (m − 1)·max tᵢ (1F1B, Narayanan et al. 2021, §2.2;
//!   (p − 1)/(m + p − 1) of it idle when the stages are even; the interleaved schedule's v
//!   chunks divide that fill and drain by v, §2.2.2). A stage's time is its
//!   slowest GPU's, scaled by what the simulated forward spent beyond the stages' busy
//!   times (waiting inside a stage), at least 1.
//! - The gradients, after the last backward, over each weight's data-parallel ranks
//!   (DP·CP for dense weights, the expert group's copies for routed experts): an
//!   all-reduce (ZeRO 0), a reduce-scatter and the updated weights' all-gather (ZeRO 1 and
//!   2: Megatron-LM's distributed optimizer), and under ZeRO 3 the weights all-gathered
//!   again for each micro-batch's forward and backward (FSDP). Not overlapped with the
//!   backward: an upper bound where the framework overlaps them (Megatron-LM's
//!   `--overlap-grad-reduce`).

use crate::cost::comm::{Link, all_reduce_time};
use crate::cost::{Constants, Training};
use serde::Serialize;

/// An optimizer step of a training run, estimated from its forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainingStep {
    /// Micro-batches per step (`model.micro_batches`).
    pub micro_batches: u32,
    /// Pipeline stages found among the GPUs (their nodes' PP ranks; one when none is known).
    pub stages: u32,
    /// The simulated forward pass of one micro-batch this step is built on, seconds.
    pub forward_s: f64,
    /// One micro-batch's forward and backward on the slowest stage, seconds.
    pub stage_s: f64,
    /// The m micro-batches through the pipeline, seconds.
    pub pipeline_s: f64,
    /// The share of the pipeline the slowest stage idles: fill and drain.
    pub bubble: f64,
    /// The gradients' reduction (and ZeRO's all-gathers) on the GPU slowest at it, seconds.
    pub gradient_sync_s: f64,
    /// pipeline + gradient sync.
    pub step_s: f64,
    /// Tokens per second per GPU used for the whole model: m·batch·seq / (step / fraction) / GPUs.
    pub tokens_per_s_per_gpu: Option<f64>,
}

/// One GPU cell's share of a micro-batch's forward pass: what its GPUs each do.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellLoad {
    /// The pipeline stage of its nodes (the first node's that says one).
    pub stage: Option<u32>,
    pub compute_s: f64,
    pub comm_s: f64,
    /// Gradient and weight bytes per GPU, of dense weights and of routed experts.
    pub dense: Weights,
    pub expert: Weights,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Weights {
    pub grads: f64,
    pub weights: f64,
}

/// What a step's throughput counts: the tokens a micro-batch brings across the deployment,
/// the fraction of the model the plan draws, and the GPUs it uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tokens {
    pub per_micro_batch: Option<f64>,
    pub fraction: Option<f64>,
    pub gpus: usize,
}

/// The step, from the cells' loads and the simulated forward pass `forward_s`; None
/// without micro-batches. `replica_gpus`: the GPUs of one data-parallel replica (a GPU's
/// peers sit that far apart). O(cells).
pub fn step(
    cells: &[CellLoad],
    forward_s: f64,
    t: &Training,
    c: &Constants,
    replica_gpus: u32,
    tokens: Tokens,
) -> Option<TrainingStep> {
    let m = t.micro_batches?.max(1);
    // Stages by their nodes' PP rank, slot 0 for the cells saying none (or a rank past any
    // PP degree planscope accepts): a table of at most limits::DEGREE + 1 slots.
    let slot = |s: Option<u32>| s.filter(|&s| s < crate::limits::DEGREE).map_or(0, |s| s as usize + 1);
    let slots = cells.iter().map(|c| slot(c.stage) + 1).max().unwrap_or(1);
    // Each slot's slowest forward, and forward and backward; None where no cell is.
    let mut by_stage: Vec<Option<(f64, f64)>> = vec![None; slots];
    for cell in cells {
        let (f, fb) = by_stage[slot(cell.stage)].get_or_insert((0.0, 0.0));
        *f = f.max(cell.compute_s + cell.comm_s);
        *fb = fb.max(3.0 * cell.compute_s + 2.0 * cell.comm_s);
    }
    // Cells whose nodes name no stage (a PP send placed across two stages' GPUs) are no
    // stage of their own where others are named: their time counts once, in the fill.
    let unnamed = if by_stage.len() > 1 { by_stage[0].take() } else { None };
    let by_stage: Vec<(f64, f64)> = by_stage.into_iter().flatten().collect();
    let forward_busy: f64 = by_stage.iter().chain(&unnamed).map(|s| s.0).sum();
    let waits = if forward_busy > 0.0 { (forward_s / forward_busy).max(1.0) } else { 1.0 };
    let all = by_stage.iter().chain(&unnamed).map(|s| s.1).sum::<f64>() * waits;
    let stage_s = by_stage.iter().map(|s| s.1).fold(0.0, f64::max) * waits;
    let mf = f64::from(m);
    // The slowest stage busy m times, and the fill and drain around it; the interleaved
    // schedule's v chunks shrink the fill and drain v-fold (Narayanan et al. 2021, §2.2.2).
    let pipeline_s = mf * stage_s + (all - stage_s) / f64::from(t.chunks.max(1));
    let bubble = if pipeline_s > 0.0 { (1.0 - mf * stage_s / pipeline_s).max(0.0) } else { 0.0 };
    let gradient_sync_s = cells.iter().map(|cell| sync(cell, t, m, c, replica_gpus)).fold(0.0, f64::max);
    let step_s = pipeline_s + gradient_sync_s;
    let tokens_per_s_per_gpu = match (tokens.per_micro_batch, tokens.fraction) {
        (Some(n), Some(f)) if step_s > 0.0 && f > 0.0 && tokens.gpus > 0 => {
            Some(n * mf / (step_s / f) / tokens.gpus as f64)
        }
        _ => None,
    };
    Some(TrainingStep {
        micro_batches: m,
        stages: by_stage.len().max(1) as u32,
        forward_s,
        stage_s,
        pipeline_s,
        bubble,
        gradient_sync_s,
        step_s,
        tokens_per_s_per_gpu,
    })
}

/// Seconds one GPU of `cell` spends on its weights' data-parallel collectives in a step.
fn sync(cell: &CellLoad, t: &Training, m: u32, c: &Constants, replica_gpus: u32) -> f64 {
    let per_server = c.gpus_per_server.max(1);
    let group = |d: u32| {
        // Peers sit a replica apart: each on its own server once a replica fills one.
        let servers = if replica_gpus >= per_server {
            u64::from(d)
        } else {
            (u64::from(d) * u64::from(replica_gpus)).div_ceil(u64::from(per_server)).max(1)
        };
        (u64::from(d), servers)
    };
    let zero = t.zero.get();
    let one = |d: u32, w: Weights| {
        let (n, servers) = group(d);
        if n <= 1 {
            return 0.0;
        }
        match zero {
            0 => all_reduce_time(n, servers, w.grads, c).0,
            1 | 2 => ring(n, servers, w.grads, c) + ring(n, servers, w.weights, c),
            _ => ring(n, servers, w.grads, c) + 2.0 * f64::from(m) * ring(n, servers, w.weights, c),
        }
    };
    one(t.dense_dp, cell.dense) + one(t.expert_dp, cell.expert)
}

/// A ring reduce-scatter or all-gather of `bytes` per GPU among `n` (Thakur et al. 2005
/// §4): (n − 1)·α + (n − 1)/n · S/B, at the inter-server link when the ring leaves a server.
fn ring(n: u64, servers: u64, bytes: f64, c: &Constants) -> f64 {
    let link = if servers > 1 { Link::inter(c) } else { Link::intra(c) };
    let nf = n as f64;
    (nf - 1.0) * link.alpha_s + link.transfer((nf - 1.0) / nf * bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meta, Plan, ZeroStage};

    /// 8 GPUs a server, 100 GB/s across and 400 GB/s within (at link efficiency 1), no α.
    fn constants() -> Constants {
        let mut meta = Meta::default();
        meta.cluster.gpus_per_server = Some(8);
        meta.cluster.inter_server_gbs = Some(100.0);
        meta.cluster.intra_server_gbs = Some(400.0);
        meta.cluster.link_efficiency = Some(1.0);
        meta.cluster.alpha_intra_us = Some(0.0);
        meta.cluster.alpha_inter_us = Some(0.0);
        crate::cost::resolve(&meta, &Plan::new(crate::model::Format::Json), None)
    }

    fn training(pp: u32, vpp: u32, dp: u32, zero: u8, m: u32) -> Training {
        Training {
            zero: ZeroStage::try_from(zero).unwrap(),
            dense_dp: dp,
            expert_dp: dp,
            stages: pp,
            chunks: vpp,
            micro_batches: Some(m),
            sequence_parallel: false,
        }
    }

    fn cell(stage: u32, compute_s: f64, comm_s: f64) -> CellLoad {
        CellLoad { stage: Some(stage), compute_s, comm_s, ..CellLoad::default() }
    }

    const NONE: Tokens = Tokens { per_micro_batch: None, fraction: None, gpus: 0 };

    #[test]
    fn even_stages_idle_as_one_f_one_b_says() {
        let c = constants();
        // Four even stages, each 1 s of compute and 0.5 s of communication a forward pass:
        // 3 + 1 = 4 s forward and backward; the simulated forward is the stages in turn.
        let cells: Vec<CellLoad> = (0..4).map(|s| cell(s, 1.0, 0.5)).collect();
        let t = training(4, 1, 1, 0, 8);
        let s = step(&cells, 6.0, &t, &c, 1, NONE).unwrap();
        assert_eq!((s.stages, s.micro_batches, s.forward_s), (4, 8, 6.0));
        assert!((s.stage_s - 4.0).abs() < 1e-12);
        // (m + p − 1)·t = 11 × 4 s, (p − 1)/(m + p − 1) of it idle.
        assert!((s.pipeline_s - 44.0).abs() < 1e-9, "{}", s.pipeline_s);
        assert!((s.bubble - 3.0 / 11.0).abs() < 1e-12);
        assert_eq!(s.gradient_sync_s, 0.0);
        assert_eq!(s.step_s, s.pipeline_s);
        // The interleaved schedule's two chunks halve the fill and drain: 8 × 4 + 12 / 2.
        let v = step(&cells, 6.0, &training(4, 2, 1, 0, 8), &c, 1, NONE).unwrap();
        assert!((v.pipeline_s - 38.0).abs() < 1e-9, "{}", v.pipeline_s);
        // No micro-batches, no step.
        assert!(step(&cells, 6.0, &Training { micro_batches: None, ..t }, &c, 1, NONE).is_none());
    }

    #[test]
    fn the_slowest_stage_sets_the_pace_and_waits_stretch_it() {
        let c = constants();
        let cells = [cell(0, 1.0, 0.0), cell(0, 0.5, 0.0), cell(1, 2.0, 0.0)];
        let t = training(2, 1, 1, 0, 4);
        // Stages of 3 s and 6 s: 3 + 6 + 3 × 6.
        let s = step(&cells, 3.0, &t, &c, 1, NONE).unwrap();
        assert!((s.pipeline_s - 27.0).abs() < 1e-9, "{}", s.pipeline_s);
        // A send between them on GPUs naming no stage: once more in the fill, no third stage.
        let send = CellLoad { stage: None, comm_s: 0.5, ..CellLoad::default() };
        let with_send = [cells[0], cells[1], cells[2], send];
        let s = step(&with_send, 3.5, &t, &c, 1, NONE).unwrap();
        assert_eq!(s.stages, 2);
        assert!((s.pipeline_s - 28.0).abs() < 1e-9, "{}", s.pipeline_s);
        // A forward that took 4.5 s where the stages were busy 3 s: each stage 1.5× longer.
        let w = step(&cells, 4.5, &t, &c, 1, NONE).unwrap();
        assert!((w.pipeline_s - 40.5).abs() < 1e-9, "{}", w.pipeline_s);
        // With the tokens: 4 micro-batches of 1,000 tokens over 3 GPUs, the whole model.
        let tokens = Tokens { per_micro_batch: Some(1000.0), fraction: Some(1.0), gpus: 3 };
        let x = step(&cells, 3.0, &t, &c, 1, tokens).unwrap();
        assert!((x.tokens_per_s_per_gpu.unwrap() - 4000.0 / 27.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn gradients_reduce_as_the_zero_stage_moves_them() {
        let c = constants();
        let gb = 1e9;
        let load = CellLoad {
            stage: Some(0),
            compute_s: 1.0,
            dense: Weights { grads: 4.0 * gb, weights: 2.0 * gb },
            ..CellLoad::default()
        };
        // DP 4, a replica of 8 GPUs: every peer on its own server, 100 GB/s.
        let sync = |zero: u8, m: u32| step(&[load], 1.0, &training(1, 1, 4, zero, m), &c, 8, NONE).unwrap();
        // ZeRO 0: the ring all-reduce's 2 × 3/4 × 4 GB (the tree's 2 × 4 GB is slower).
        assert!((sync(0, 2).gradient_sync_s - 0.06).abs() < 1e-12);
        // ZeRO 1: reduce-scatter the gradients, all-gather the weights: 3/4 × (4 + 2) GB.
        assert!((sync(1, 2).gradient_sync_s - 0.045).abs() < 1e-12);
        // ZeRO 3: the weights gathered again for each micro-batch's forward and backward.
        assert!((sync(3, 2).gradient_sync_s - (0.03 + 4.0 * 0.015)).abs() < 1e-12);
        // A replica within one server (2 GPUs, DP 4: 8 GPUs): NVLink's 400 GB/s.
        let near = step(&[load], 1.0, &training(1, 1, 4, 1, 2), &c, 2, NONE).unwrap();
        assert!((near.gradient_sync_s - 0.045 / 4.0).abs() < 1e-12);
        // One data-parallel rank: nothing to reduce.
        assert_eq!(step(&[load], 1.0, &training(1, 1, 1, 0, 2), &c, 8, NONE).unwrap().gradient_sync_s, 0.0);
    }
}
