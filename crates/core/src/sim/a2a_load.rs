//! How unevenly an EP all-to-all's traffic falls on its GPUs: the busiest GPU's volume over
//! the mean. A dispatch delivers to each GPU the tokens routed to the experts (or replicas)
//! it hosts, and the combine sends their outputs back from there, so each GPU's volume
//! follows the token-rows of its expert nodes (their output, which an expert load has
//! re-spread: cost::load). DeepEP's dispatch lays the exchange out per rank
//! (`Buffer::get_dispatch_layout` → `num_tokens_per_rank`, deepseek-ai/DeepEP README,
//! "Example use in model training or inference prefilling") and the collective returns
//! when every rank has received its tokens, so the most loaded rank bounds it; EPLB exists
//! because of this ("it is important to keep the load of different GPUs balanced",
//! deepseek-ai/EPLB README). GPUs of the group that host no expert are left out of the
//! mean: the uniform exchange model already spreads the traffic over the group.

use super::{SimInput, op_of};
use crate::cost::comm::Direction;
use crate::model::{GpuSet, Op};

/// Communication hops walked from an exchange to its experts: a hierarchical combine's
/// inter-server step ← its intra-server steps ← the TP all-reduce ← the experts.
const HOPS: usize = 3;

/// What the step's walks reuse, so an exchange costs its walk and no allocation or hashing
/// (a million-node step walks from every dispatch and combine): which nodes and GPUs this
/// walk has reached (a stamp each, never cleared), the expert bytes per GPU, and the GPUs
/// reached in the order first reached (so the sum below is the same every run).
pub(super) struct Walks {
    seen: Vec<u32>,
    stamp: u32,
    gpu_seen: Vec<u32>,
    bytes: Vec<f64>,
    touched: Vec<u32>,
    frontier: Vec<u32>,
    further: Vec<u32>,
}

impl Walks {
    pub(super) fn new(nodes: usize) -> Walks {
        Walks {
            seen: vec![0; nodes],
            stamp: 0,
            gpu_seen: Vec::new(),
            bytes: Vec::new(),
            touched: Vec::new(),
            frontier: Vec::new(),
            further: Vec::new(),
        }
    }

    /// A new walk: nothing seen, no bytes.
    fn start(&mut self) {
        if self.stamp == u32::MAX {
            self.seen.iter_mut().chain(&mut self.gpu_seen).for_each(|s| *s = 0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.touched.clear();
    }

    /// Whether `v` is new to this walk (marking it seen).
    fn first_visit(&mut self, v: u32) -> bool {
        match self.seen.get_mut(v as usize) {
            Some(s) if *s != self.stamp => {
                *s = self.stamp;
                true
            }
            _ => false,
        }
    }

    fn add(&mut self, gpu: u32, b: f64) {
        let g = gpu as usize;
        if g >= self.bytes.len() {
            // GPU ids are below limits::GPUS (model::MAX_GPU_ID): bounded.
            self.bytes.resize(g + 1, 0.0);
            self.gpu_seen.resize(g + 1, 0);
        }
        if self.gpu_seen[g] != self.stamp {
            self.gpu_seen[g] = self.stamp;
            self.bytes[g] = 0.0;
            self.touched.push(gpu);
        }
        self.bytes[g] += b;
    }
}

/// The busiest GPU's share of the exchange over the mean share (1: balanced, or unknown).
/// O(nodes within `HOPS` communication hops).
pub(super) fn skew(x: &SimInput<'_>, w: &mut Walks, vi: usize, direction: Direction, gpus: &GpuSet) -> f64 {
    let next = |i: usize| -> &[u32] {
        match direction {
            Direction::Dispatch => &x.g.succ[i],
            Direction::Combine => &x.g.pred[i],
        }
    };
    w.start();
    w.first_visit(vi as u32);
    w.frontier.clear();
    w.frontier.push(vi as u32);
    for _ in 0..HOPS {
        w.further.clear();
        for f in 0..w.frontier.len() {
            let v = w.frontier[f];
            for &j in next(v as usize) {
                if !w.first_visit(j) {
                    continue;
                }
                let ju = j as usize;
                if op_of(x.plan, x.roles, ju) == Some(Op::Expert) {
                    let on = x.plan.nodes[ju].placement.gpu_set();
                    let k = on.len().max(1) as f64;
                    let b = x.work[ju].out_bytes / k;
                    // Loops over the ranges, not `on.iter()`: its flattening iterator was a
                    // quarter of the simulation in the page's (size-optimised) build.
                    for &(lo, hi) in on.ranges() {
                        for g in lo..=hi {
                            if gpus.contains(g) {
                                w.add(g, b);
                            }
                        }
                    }
                } else if x.comm[ju] {
                    w.further.push(j);
                }
            }
        }
        std::mem::swap(&mut w.frontier, &mut w.further);
    }
    if w.touched.len() < 2 {
        return 1.0;
    }
    let rows = || w.touched.iter().map(|&g| w.bytes[g as usize]);
    let total: f64 = rows().sum();
    let mean = total / w.touched.len() as f64;
    let max = rows().fold(0.0, f64::max);
    // Equal shares summed in another order can differ in the last bits: that is balanced.
    if mean <= 0.0 || max <= mean * (1.0 + 1e-9) { 1.0 } else { max / mean }
}
