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
    /// The GPU ranges reached, each with the bytes per GPU of its expert.
    pieces: Vec<(u32, u32, f64)>,
    /// Where pieces start (+1) and end (-1), with their bytes, for `swept`.
    events: Vec<(u64, i8, f64)>,
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
            pieces: Vec::new(),
            events: Vec::new(),
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
/// O(nodes within `HOPS` communication hops + the pieces of their GPU ranges inside the
/// group), times log of the pieces when they span many more GPUs than there are pieces.
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
    w.pieces.clear();
    let mut spanned = 0u64;
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
                    let b = x.work[ju].out_bytes / on.len().max(1) as f64;
                    for (lo, hi) in within(&on, gpus) {
                        spanned = spanned.saturating_add(u64::from(hi - lo) + 1);
                        w.pieces.push((lo, hi, b));
                    }
                } else if x.comm[ju] {
                    w.further.push(j);
                }
            }
        }
        std::mem::swap(&mut w.frontier, &mut w.further);
    }
    let (max, total, touched) = if spanned <= 4 * w.pieces.len() as u64 + 1024 { w.per_gpu() } else { w.swept() };
    if touched < 2 {
        return 1.0;
    }
    let mean = total / touched as f64;
    // Equal shares summed in another order can differ in the last bits: that is balanced.
    if mean <= 0.0 || max <= mean * (1.0 + 1e-9) { 1.0 } else { max / mean }
}

/// The ranges of `on` inside `set`, ascending. O(log |set| + pieces) per range of `on`.
fn within<'s>(on: &'s GpuSet, set: &'s GpuSet) -> impl Iterator<Item = (u32, u32)> + 's {
    let ranges = set.ranges();
    on.ranges().iter().flat_map(move |&(lo, hi)| {
        let first = ranges.partition_point(|r| r.1 < lo);
        ranges[first..].iter().take_while(move |r| r.0 <= hi).map(move |r| (r.0.max(lo), r.1.min(hi)))
    })
}

impl Walks {
    /// The busiest GPU's bytes, the total and the GPUs reached, adding each piece's share to
    /// each of its GPUs, in the order reached (so the sum is the same every run). O(GPUs
    /// spanned): for pieces that span few GPUs each, as a real plan's experts do.
    fn per_gpu(&mut self) -> (f64, f64, usize) {
        for p in 0..self.pieces.len() {
            let (lo, hi, b) = self.pieces[p];
            for g in lo..=hi {
                self.add(g, b);
            }
        }
        let rows = || self.touched.iter().map(|&g| self.bytes[g as usize]);
        (rows().fold(0.0, f64::max), rows().sum(), self.touched.len())
    }

    /// As `per_gpu`, by sweeping the pieces' ends in order: O(p log p) in the pieces
    /// however many GPUs they span (experts placed on a million GPUs each would make
    /// `per_gpu` walk a million GPUs per expert per exchange).
    fn swept(&mut self) -> (f64, f64, usize) {
        self.events.clear();
        let mut total = 0.0;
        for &(lo, hi, b) in &self.pieces {
            total += b * f64::from(hi - lo + 1);
            self.events.push((u64::from(lo), 1, b));
            self.events.push((u64::from(hi) + 1, -1, -b));
        }
        crate::sort::unstable_by(&mut self.events, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut cover, mut bytes, mut max, mut touched) = (0i64, 0.0f64, 0.0f64, 0u64);
        for (i, &(at, delta, b)) in self.events.iter().enumerate() {
            cover += i64::from(delta);
            // No residue of added and taken shares where nothing covers.
            bytes = if cover == 0 { 0.0 } else { bytes + b };
            let next = self.events.get(i + 1).map_or(at, |e| e.0);
            if next > at && cover > 0 {
                max = max.max(bytes);
                touched += next - at;
            }
        }
        (max, total, touched as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sweeping the pieces gives what adding them GPU by GPU gives.
    #[test]
    fn swept_and_per_gpu_agree() {
        let mut next = crate::seeded::below(3);
        let mut w = Walks::new(0);
        for _ in 0..300 {
            w.start();
            w.pieces.clear();
            for _ in 0..1 + next(12) {
                let lo = next(40);
                w.pieces.push((lo, lo + next(6), f64::from(1 + next(4))));
            }
            let (a, b) = (w.per_gpu(), w.swept());
            assert_eq!(a.2, b.2, "{:?}", w.pieces);
            assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9, "{a:?} {b:?} {:?}", w.pieces);
        }
    }

    /// Experts on a million GPUs each are swept, not walked GPU by GPU.
    #[test]
    fn wide_experts_are_swept() {
        let all = GpuSet::range(0, crate::model::MAX_GPU_ID);
        let pieces: Vec<_> = within(&all, &GpuSet::from_ranges(vec![(5, 9), (100, 200)])).collect();
        assert_eq!(pieces, [(5, 9), (100, 200)]);
        let mut w = Walks::new(0);
        w.pieces = vec![(0, crate::model::MAX_GPU_ID, 2.0); 2000];
        w.pieces.push((0, 0, 1.0));
        let (max, total, touched) = w.swept();
        assert_eq!((max, touched), (4001.0, crate::model::MAX_GPU_ID as usize + 1));
        assert_eq!(total, 2.0 * 2000.0 * f64::from(crate::model::MAX_GPU_ID + 1) + 1.0);
    }
}
