//! Collective times, the way the libraries that run them move data (docs/cost-model.md,
//! "Collectives"): the EP all-to-all as DeepEP does it (all_to_all.rs), all-reduce as
//! NCCL's ring or tree (all_reduce.rs), and the others by the alpha-beta (Hockney) model
//! with the algorithms of Thakur et al. 2005 (this file). Links are NVLink within a
//! server and RDMA across servers, each with its own α and achieved bandwidth (link.rs).

mod all_reduce;
mod all_to_all;
mod link;

pub use all_reduce::{AllReduceAlgo, all_reduce_time};
pub use all_to_all::{
    A2aMode, Direction, Exchange, Traffic, all_to_all_time, all_to_all_time_skewed, distinct, payload_bytes, traffic,
};
pub use link::Link;

use super::Constants;
use crate::model::{GpuSet, Op};

/// Whether the GPUs span more than one server.
pub fn crosses_servers(gpus: &GpuSet, per_server: u32) -> bool {
    servers_spanned(gpus, per_server) > 1
}

/// How many servers the GPUs touch (GPU id ÷ GPUs per server). O(ranges + servers).
pub fn servers_spanned(gpus: &GpuSet, per_server: u32) -> u64 {
    let per = per_server.max(1);
    let mut n = 0u64;
    let mut last = None;
    for &(a, b) in gpus.ranges() {
        let (sa, sb) = (a / per, b / per);
        let first_new = if last == Some(sa) { sa + 1 } else { sa };
        if sb >= first_new {
            n += u64::from(sb - first_new) + 1;
        }
        last = Some(sb);
    }
    n
}

/// What a collective node is, as the simulator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollectiveCall {
    /// GPUs in the group.
    pub n: u64,
    /// Servers the group spans.
    pub servers: u64,
    /// Elements per GPU of the message (the node's shape, else its input's).
    pub elements: f64,
    /// For an all-to-all: which way the tokens go, and whether this node is the
    /// inter-server step of a hierarchical exchange (its intra-server step is its own node).
    pub a2a: Option<(Direction, bool)>,
    /// For an all-to-all: the busiest GPU's volume over the mean (1 when balanced), which
    /// bounds the exchange (sim::a2a_load).
    pub skew: f64,
}

/// Seconds for one collective `op` (None: an unnamed communication node).
pub fn collective_time(op: Option<&Op>, call: CollectiveCall, c: &Constants) -> f64 {
    let CollectiveCall { n, servers, elements, a2a, skew } = call;
    if n <= 1 {
        return 0.0;
    }
    let link = if servers > 1 { Link::inter(c) } else { Link::intra(c) };
    if link.bytes_per_s <= 0.0 {
        return 0.0;
    }
    let bytes = elements * c.dtype_bytes;
    let nf = n as f64;
    match op {
        Some(Op::AllReduce) => all_reduce_time(n, servers, bytes, c).0,
        Some(Op::AllToAll) => {
            let (direction, inter_step) = a2a.unwrap_or((Direction::Dispatch, false));
            all_to_all_time_skewed(&Exchange { n, servers, elements, direction, inter_step }, skew, c)
        }
        // Ring (Thakur et al. 2005 §4): n−1 steps of S/n each.
        Some(Op::AllGather | Op::ReduceScatter) => {
            (nf - 1.0) * link.alpha_s + (nf - 1.0) / nf * bytes / link.bytes_per_s
        }
        // Binomial tree, pipelined.
        Some(Op::Broadcast) => nf.log2().ceil() * link.alpha_s + bytes / link.bytes_per_s,
        Some(Op::SendRecv) => link.alpha_s + bytes / link.bytes_per_s,
        // An unnamed communication node: point to point between two GPUs, all-to-all among more.
        _ if n == 2 => link.alpha_s + bytes / link.bytes_per_s,
        _ => all_to_all_time(&Exchange { n, servers, elements, direction: Direction::Dispatch, inter_step: false }, c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_spanned_counts_each_server_once() {
        assert_eq!(servers_spanned(&GpuSet::range(0, 7), 8), 1);
        assert_eq!(servers_spanned(&GpuSet::range(0, 8), 8), 2);
        assert_eq!(servers_spanned(&GpuSet::range(0, 127), 8), 16);
        assert_eq!(servers_spanned(&GpuSet::from_ids([0, 2, 4, 9, 31]), 8), 3);
        assert_eq!(servers_spanned(&GpuSet::empty(), 8), 0);
    }
}
