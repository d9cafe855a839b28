//! The EP all-to-all (MoE dispatch and combine) as DeepEP moves it (deepseek-ai/DeepEP):
//! every GPU sends to all its peers at once, so the time is one α plus the busiest link's
//! bytes over its bandwidth, not (n−1) serial messages; NVLink within a server and RDMA
//! across servers run in parallel and the slower of the two sets the time.
//!
//! - **Normal kernels** (prefill and training): a token goes to each server holding one of
//!   its experts **once** over RDMA and is forwarded inside the server over NVLink to each
//!   GPU holding one of its experts, once per GPU. With group-limited routing a token
//!   reaches at most M servers (DeepSeek-V3: M = 4 = `topk_groups`, §2.1.2 of the paper).
//! - **Low-latency kernels** (decode): every (token, expert) copy goes straight to its GPU,
//!   RDMA across servers and NVLink within (DeepEP's low-latency kernels, README).
//!
//! Routing is uniform: for k experts drawn among D equally likely places, the expected
//! number of distinct places hit is D·(1 − (1 − 1/D)^k).
//! Payload: dispatch in `dtypes.dispatch` (FP8 carries one FP32 scale per 128 values,
//! DeepSeek-V3 §3.3.2), combine in `dtypes.combine` (BF16 in DeepEP). Defaults: defaults.rs.

use super::Link;
use crate::cost::Constants;
use serde::Serialize;

/// Which way the tokens go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Tokens to their experts.
    Dispatch,
    /// Expert outputs back to their tokens.
    Combine,
}

/// DeepEP's two kernel families, chosen by the phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum A2aMode {
    Normal,
    LowLatency,
}

/// One EP exchange, as a node of the plan states it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exchange {
    /// GPUs in the EP group.
    pub n: u64,
    /// Servers the group spans.
    pub servers: u64,
    /// Elements each GPU sends: (token, expert) copies × hidden. For the inter-server step of
    /// a hierarchical exchange, the copies that leave the server.
    pub elements: f64,
    pub direction: Direction,
    /// This node is only the RDMA step (its NVLink step is a node of its own).
    pub inter_step: bool,
}

/// Bytes per GPU each link carries in an exchange: (NVLink, RDMA).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    pub nvlink: f64,
    pub rdma: f64,
}

/// Expected distinct places hit by k draws among `d` equally likely ones.
pub fn distinct(d: f64, k: f64) -> f64 {
    if d <= 1.0 { d.max(0.0) } else { d * (1.0 - (1.0 - 1.0 / d).powf(k)) }
}

/// Bytes per element of the payload.
pub fn payload_bytes(direction: Direction, c: &Constants) -> f64 {
    match direction {
        Direction::Dispatch => c.dispatch_bytes,
        Direction::Combine => c.combine_bytes,
    }
}

/// What each link carries per GPU for `x` in `mode`.
pub fn traffic(x: &Exchange, mode: A2aMode, c: &Constants) -> Traffic {
    let k = f64::from(c.top_k.max(1));
    let servers = x.servers.max(1) as f64;
    let n = (x.n.max(1) as f64).max(servers);
    let g = n / servers;
    let b = payload_bytes(x.direction, c);
    // Token-hidden elements per GPU (each token once).
    let token_elems =
        if x.inter_step && servers > 1.0 { x.elements * servers / (servers - 1.0) / k } else { x.elements / k };
    let remote_share = (servers - 1.0) / servers;
    match mode {
        A2aMode::LowLatency => {
            Traffic { nvlink: token_elems * k * (g - 1.0) / n * b, rdma: token_elems * k * remote_share * b }
        }
        A2aMode::Normal => {
            let reach = servers.min(f64::from(c.node_limit.unwrap_or(u32::MAX)).max(1.0));
            let nodes = distinct(reach, k);
            let gpus = distinct(reach * g, k);
            Traffic {
                // Forwarded from the GPU that received it to each other GPU of its experts.
                nvlink: token_elems * gpus * (g - 1.0) / g * b,
                rdma: token_elems * nodes * remote_share * b,
            }
        }
    }
}

/// The mode the phase implies: low-latency kernels for decode, normal ones otherwise.
pub fn mode(c: &Constants) -> A2aMode {
    if c.decode() { A2aMode::LowLatency } else { A2aMode::Normal }
}

/// Seconds for one exchange with uniform routing.
pub fn all_to_all_time(x: &Exchange, c: &Constants) -> f64 {
    all_to_all_time_skewed(x, 1.0, c)
}

/// Seconds for one exchange whose busiest GPU receives (dispatch) or sends (combine)
/// `skew` times the mean volume, the tokens routed to the experts it hosts: every link
/// term scales by it, α does not. The slowest rank bounds the collective (DeepEP's dispatch
/// completes when every rank has received its `num_tokens_per_rank`, deepseek-ai/DeepEP
/// README; sim::a2a_load measures the skew, docs/calibration.md "Expert load").
pub fn all_to_all_time_skewed(x: &Exchange, skew: f64, c: &Constants) -> f64 {
    if x.n <= 1 {
        return 0.0;
    }
    let s = if skew.is_finite() { skew.max(1.0) } else { 1.0 };
    let t = traffic(x, mode(c), c);
    let t = Traffic { nvlink: t.nvlink * s, rdma: t.rdma * s };
    let (intra, inter) = (Link::intra(c), Link::inter(c));
    if x.servers <= 1 {
        return intra.alpha_s + intra.transfer(t.nvlink);
    }
    if x.inter_step {
        return inter.alpha_s + inter.transfer(t.rdma);
    }
    inter.alpha_s + intra.transfer(t.nvlink).max(inter.transfer(t.rdma))
}
