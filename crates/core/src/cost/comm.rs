//! Collective times by the alpha-beta (Hockney) model, with the ring and pairwise
//! algorithms of Thakur et al. 2005: for n GPUs and S bytes per GPU over bandwidth B,
//! all-reduce 2(n−1)·α + 2(n−1)/n·S/B; all-to-all, all-gather and reduce-scatter
//! (n−1)·α + (n−1)/n·S/B; broadcast ⌈log2 n⌉·α + S/B; send/recv α + S/B.
//! B is the intra-server bandwidth when all n GPUs share a server, else inter-server.

use super::Constants;
use crate::model::{GpuSet, Op};

/// Whether the GPUs span more than one server.
pub fn crosses_servers(gpus: &GpuSet, per_server: u32) -> bool {
    match (gpus.first(), gpus.last()) {
        (Some(a), Some(b)) => a / per_server.max(1) != b / per_server.max(1),
        _ => false,
    }
}

/// Seconds for one collective of `bytes` per GPU among `n` GPUs.
pub fn collective_time(op: Option<&Op>, n: u64, bytes: f64, cross: bool, c: &Constants) -> f64 {
    let (alpha, bw) = if cross { (c.alpha_inter_s, c.inter_gbs * 1e9) } else { (c.alpha_intra_s, c.intra_gbs * 1e9) };
    if n <= 1 || bw <= 0.0 {
        return 0.0;
    }
    let nf = n as f64;
    match op {
        Some(Op::AllReduce) => 2.0 * (nf - 1.0) * alpha + 2.0 * (nf - 1.0) / nf * bytes / bw,
        Some(Op::AllToAll | Op::AllGather | Op::ReduceScatter) => (nf - 1.0) * alpha + (nf - 1.0) / nf * bytes / bw,
        Some(Op::Broadcast) => nf.log2().ceil() * alpha + bytes / bw,
        Some(Op::SendRecv) => alpha + bytes / bw,
        // An unnamed communication node: point to point between two GPUs, all-to-all among more.
        _ if n == 2 => alpha + bytes / bw,
        _ => (nf - 1.0) * alpha + (nf - 1.0) / nf * bytes / bw,
    }
}
