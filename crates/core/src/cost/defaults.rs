//! Constants for the cost model: from the (merged) plan meta, else inferred from tensor
//! shapes, else a documented default (listed as assumed), else missing (listed, and the
//! quantities needing it are not computed). Sources in docs/cost-model.md.

use crate::model::{Meta, Plan, Strategy};
use std::collections::HashMap;

/// GPUs per server (DGX/HGX nodes carry 8).
pub const GPUS_PER_SERVER: u32 = 8;
/// Intra-server GPU-to-GPU bandwidth per direction, GB/s (NVLink-class, e.g. H100 NVLink 4 450 GB/s).
pub const INTRA_SERVER_GBS: f64 = 400.0;
/// Inter-server bandwidth per GPU, GB/s (one 400 Gb/s InfiniBand NDR NIC per GPU = 50 GB/s).
pub const INTER_SERVER_GBS: f64 = 50.0;
/// Per-message latency (alpha), seconds: a few microseconds within a server...
pub const ALPHA_INTRA_S: f64 = 5e-6;
/// ... and about twice that across servers (NCCL base latencies).
pub const ALPHA_INTER_S: f64 = 10e-6;
/// Model FLOPs utilisation (the corpus' deployment conditions; PaLM reports 46–58%).
pub const MFU: f64 = 0.6;
/// Achievable fraction of memory bandwidth (the corpus' deployment conditions; STREAM-style 80%).
pub const BANDWIDTH_UTILIZATION: f64 = 0.8;
/// Bytes per value when the plan gives no dtype: 16-bit (bf16/fp16), the usual serving dtype.
pub const DTYPE_BYTES: f64 = 2.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Constants {
    pub gpus_per_server: u32,
    pub intra_gbs: f64,
    pub inter_gbs: f64,
    pub alpha_intra_s: f64,
    pub alpha_inter_s: f64,
    /// Peak dense TFLOPS per GPU; without it no time is computed.
    pub tflops: Option<f64>,
    pub mfu: f64,
    pub mem_bw_gbs: Option<f64>,
    pub bw_util: f64,
    pub memory_gb: Option<f64>,
    pub dtype_bytes: f64,
    pub hidden: Option<u64>,
    pub expert_hidden: Option<u64>,
    pub heads: Option<u32>,
    pub kv_heads: Option<u32>,
    pub head_dim: Option<u64>,
    pub vocab: Option<u64>,
    pub batch: Option<u64>,
    pub seq: Option<u64>,
    pub top_k: u32,
    pub experts: Option<u32>,
    pub layers: Option<u32>,
    pub dp: u32,
    /// Constants taken from a default, as "name = value (why)".
    pub assumed: Vec<String>,
    /// Constants nobody gave and nothing implied; the quantities they feed are omitted.
    pub missing: Vec<String>,
    /// Constants read off tensor shapes.
    pub inferred: Vec<String>,
}

impl Constants {
    /// The KV width per token: kv_heads·head_dim, else the hidden size (MHA). Both come
    /// from the file, so the product saturates instead of overflowing.
    pub fn kv_dim(&self) -> Option<u64> {
        match (self.kv_heads, self.head_dim) {
            (Some(k), Some(d)) => Some(u64::from(k).saturating_mul(d)),
            _ => self.hidden,
        }
    }
}

/// Most common size of dimensions named like one of `names`, over all node shapes.
fn named_dim(plan: &Plan, names: &[&str]) -> Option<u64> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for n in &plan.nodes {
        for s in n.inputs.iter().chain(&n.output) {
            for d in &s.0 {
                if let (Some(name), Some(size)) = (&d.name, d.size)
                    && names.iter().any(|w| name.eq_ignore_ascii_case(w))
                {
                    *seen.entry(size).or_default() += 1;
                }
            }
        }
    }
    seen.into_iter().max_by_key(|&(s, c)| (c, s)).map(|(s, _)| s)
}

pub fn resolve(meta: &Meta, plan: &Plan, strategy: Option<Strategy>) -> Constants {
    let c = &meta.cluster;
    let m = &meta.model;
    let mut assumed = Vec::new();
    let mut missing = Vec::new();
    let mut inferred = Vec::new();
    let mut dflt = |v: Option<f64>, d: f64, name: &str| {
        v.unwrap_or_else(|| {
            assumed.push(format!("{name} = {d}"));
            d
        })
    };
    let gps = c.gpus_per_server.map(f64::from);
    let gpus_per_server = dflt(gps, GPUS_PER_SERVER as f64, "gpus_per_server") as u32;
    let intra_gbs = dflt(c.intra_server_gbs, INTRA_SERVER_GBS, "intra_server_gbs");
    let inter_gbs = dflt(c.inter_server_gbs, INTER_SERVER_GBS, "inter_server_gbs");
    let mfu = dflt(c.mfu, MFU, "mfu");
    let bw_util = dflt(c.bandwidth_utilization, BANDWIDTH_UTILIZATION, "bandwidth_utilization");
    let dtype_bytes = dflt(m.dtype.map(|d| d.bytes()), DTYPE_BYTES, "dtype_bytes");
    let top_k = match m.top_k {
        Some(k) => k,
        None if m.experts.is_some_and(|e| e > 1) => {
            assumed.push("top_k = 1 (expert FLOPs are a lower bound)".into());
            1
        }
        None => 1,
    };
    let mut infer = |v: Option<u64>, names: &[&str], label: &str, missing: &mut Vec<String>| {
        v.or_else(|| {
            let s = named_dim(plan, names);
            match s {
                Some(s) => inferred.push(format!("{label} = {s}")),
                None => missing.push(label.to_string()),
            }
            s
        })
    };
    let hidden =
        infer(m.hidden, &["hidden", "hidden_size", "d_model", "token_dim", "hidden_dim"], "hidden", &mut missing);
    let batch = infer(m.batch, &["batch", "batch_size", "b"], "batch", &mut missing);
    let seq = infer(m.seq_len, &["seq", "seq_len", "sequence_length", "seq_length", "s"], "seq_len", &mut missing);
    let tflops = c.tflops;
    if tflops.is_none() {
        missing.push("tflops (no step time is simulated)".into());
    }
    if c.memory_gb.is_none() {
        missing.push("memory_gb (capacity not checked)".into());
    }
    if c.memory_bandwidth_gbs.is_none() {
        missing.push("memory_bandwidth_gbs (memory-bound time omitted)".into());
    }
    if m.expert_hidden.is_none() && m.experts.is_some() {
        missing.push("expert_hidden".into());
    }
    Constants {
        gpus_per_server: gpus_per_server.max(1),
        intra_gbs,
        inter_gbs,
        alpha_intra_s: ALPHA_INTRA_S,
        alpha_inter_s: ALPHA_INTER_S,
        tflops,
        mfu,
        mem_bw_gbs: c.memory_bandwidth_gbs,
        bw_util,
        memory_gb: c.memory_gb,
        dtype_bytes,
        hidden,
        expert_hidden: m.expert_hidden,
        heads: m.heads,
        kv_heads: m.kv_heads,
        head_dim: m.head_dim,
        vocab: m.vocab,
        batch,
        seq,
        top_k,
        experts: m.experts,
        layers: m.layers,
        dp: strategy.map_or(1, |s| s.dp.get()),
        assumed,
        missing,
        inferred,
    }
}
