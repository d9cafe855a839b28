//! Attention's weights, FLOPs and KV cache per token, for one node (a TP shard holds
//! 1/TP of the query heads).
//!
//! - MHA/GQA (Ainslie et al. 2023): Q and O are h·a·d each, K and V h·g·d each for g KV
//!   heads; a TP shard holds ⌈g/TP⌉ KV heads, at least one: when TP > g the KV heads are
//!   replicated (Megatron-LM and vLLM do so), so K, V and the KV cache do not shrink further.
//!   KV cache: 2·(KV heads held)·d values per token.
//! - MLA (DeepSeek-V2 §2.1, V3 §2.1.1): down-projections h·r_q and h·(r_kv + d_rope) are
//!   replicated across TP; the up-projections r_q·a·(d_nope + d_rope), r_kv·a·(d_nope + d_v)
//!   and the output a·d_v·h are split by heads. KV cache: r_kv + d_rope values per token,
//!   the same on every TP rank (not split).
//! - Scores: QKᵀ and AV cost 2·ctx per head-dimension each. Prefill is causal, so a token
//!   attends to (s+1)/2 ≈ s/2 positions on average; decode attends to its request's
//!   context. MLA decode runs "absorbed" (FlashMLA): scores over the r_kv + d_rope latent,
//!   values over r_kv.

use super::Constants;

/// How the node is split: its TP degree (1 for a whole node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttnShard {
    pub tp: u32,
}

/// Per token, for one shard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttnWork {
    /// Weight values (projections; 0 when the plan draws them as nodes of their own).
    pub weights: f64,
    /// FLOPs of QKᵀ and AV.
    pub score_flops_per_token: f64,
    /// KV-cache values stored per token.
    pub kv_per_token: f64,
}

/// Positions a new token attends to, on average over layers (windows cap theirs).
pub fn context(c: &Constants) -> f64 {
    let full = if c.decode() {
        c.context.unwrap_or(0) as f64
    } else {
        // Causal: (s + 1) / 2 on average.
        (c.seq.unwrap_or(0) as f64 + 1.0) / 2.0
    };
    match (c.window_layers_share(), c.window_tokens()) {
        (Some(share), Some(w)) => share * full.min(w) + (1.0 - share) * full,
        _ => full,
    }
}

pub fn work(c: &Constants, h: f64, s: AttnShard, proj: bool) -> AttnWork {
    let t = f64::from(s.tp.max(1));
    let ctx = context(c);
    let heads = c.heads.map(f64::from);
    if let Some(m) = c.mla {
        let a = heads.unwrap_or(1.0) / t;
        let (r_kv, rope, nope, v) = (m.kv_lora_rank as f64, m.rope as f64, m.nope as f64, m.v as f64);
        let q = match m.q_lora_rank {
            Some(r) => h * r as f64 + r as f64 * a * (nope + rope),
            None => h * a * (nope + rope),
        };
        let kv = h * (r_kv + rope) + r_kv * a * (nope + v);
        let o = a * v * h;
        let scores = if c.decode() {
            2.0 * ctx * a * (r_kv + rope) + 2.0 * ctx * a * r_kv
        } else {
            2.0 * ctx * a * (nope + rope + v)
        };
        return AttnWork {
            weights: if proj { 0.0 } else { q + kv + o },
            score_flops_per_token: scores,
            kv_per_token: r_kv + rope,
        };
    }
    // MHA/GQA. Without a head count, one head of width h (the totals are the same).
    let a = heads.unwrap_or(1.0);
    let d = c.head_dim.map_or(h / a, |d| d as f64);
    let g = c.kv_heads.map_or(a, f64::from);
    // Replicated when TP exceeds the KV heads, whenever a head count is known (query or KV:
    // a config may state the KV heads alone); without either, one pseudo-head of width h
    // splits evenly.
    let kv_held = match (c.heads.or(c.kv_heads), s.tp > 1) {
        (Some(_), true) => (g / t).ceil().max(1.0),
        _ => g / t,
    };
    let weights = 2.0 * h * (a / t) * d + 2.0 * h * kv_held * d;
    AttnWork {
        weights: if proj { 0.0 } else { weights },
        score_flops_per_token: 4.0 * ctx * (a / t) * d,
        kv_per_token: 2.0 * kv_held * d,
    }
}
