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
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Communication hops walked from an exchange to its experts: a hierarchical combine's
/// inter-server step ← its intra-server steps ← the TP all-reduce ← the experts.
const HOPS: usize = 3;

/// The busiest GPU's share of the exchange over the mean share (1: balanced, or unknown).
/// O(nodes within `HOPS` communication hops).
pub(super) fn skew(x: &SimInput<'_>, vi: usize, direction: Direction, gpus: &GpuSet) -> f64 {
    let next = |i: usize| -> &[u32] {
        match direction {
            Direction::Dispatch => &x.g.succ[i],
            Direction::Combine => &x.g.pred[i],
        }
    };
    let mut frontier = vec![vi as u32];
    let mut seen = HashSet::new();
    seen.insert(vi as u32);
    let mut rows: HashMap<u32, f64> = HashMap::new();
    for _ in 0..HOPS {
        let mut further = Vec::new();
        for &v in &frontier {
            for &j in next(v as usize) {
                if !seen.insert(j) {
                    continue;
                }
                let ju = j as usize;
                if op_of(x.plan, x.roles, ju) == Some(Op::Expert) {
                    let on = x.plan.nodes[ju].placement.gpu_set();
                    let k = on.len().max(1) as f64;
                    for g in on.iter().filter(|&g| gpus.contains(g)) {
                        *rows.entry(g).or_default() += x.work[ju].out_bytes / k;
                    }
                } else if x.comm[ju] {
                    further.push(j);
                }
            }
        }
        frontier = further;
    }
    if rows.len() < 2 {
        return 1.0;
    }
    let total: f64 = rows.values().sum();
    let mean = total / rows.len() as f64;
    let max = rows.values().copied().fold(0.0, f64::max);
    // Equal shares summed in another order can differ in the last bits: that is balanced.
    if mean <= 0.0 || max <= mean * (1.0 + 1e-9) { 1.0 } else { max / mean }
}
