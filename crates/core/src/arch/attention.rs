//! The attention block's weights and cache, by kind: multi-head or grouped-query attention
//! (MHA is GQA with as many KV heads as heads), or DeepSeek's multi-head latent attention.

use super::count::{add, mul};

/// The attention of every layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    /// Q, K, V and O projections: `heads` query heads, `kv_heads` key/value heads.
    Gqa { heads: u64, kv_heads: u64, head_dim: u64 },
    /// MLA (DeepSeek-V2 paper §2.1, DeepSeek-V3 `inference/model.py` `MLA`): queries through
    /// an optional LoRA of rank `q_lora_rank`; keys and values from one compressed latent of
    /// `kv_lora_rank` plus a shared rope key of `qk_rope_head_dim`.
    Mla {
        heads: u64,
        q_lora_rank: Option<u64>,
        kv_lora_rank: u64,
        qk_rope_head_dim: u64,
        qk_nope_head_dim: u64,
        v_head_dim: u64,
    },
}

impl Attention {
    /// Weights of one layer's attention (no biases: none of the presets' attention has any
    /// but gpt-oss, whose biases are 0.01% of its weights).
    ///
    /// GQA: `hidden·heads·head_dim` (Q) + `2·hidden·kv_heads·head_dim` (K, V) +
    /// `heads·head_dim·hidden` (O).
    /// MLA, after DeepSeek-V3 `inference/model.py`: `wq_a` hidden×q_lora_rank, its RMSNorm
    /// (q_lora_rank), `wq_b` q_lora_rank×heads·(nope+rope) (or `wq` hidden×heads·(nope+rope)
    /// without a query LoRA); `wkv_a` hidden×(kv_lora_rank+rope), its RMSNorm (kv_lora_rank),
    /// `wkv_b` kv_lora_rank×heads·(nope+v); `wo` heads·v×hidden.
    pub fn params(&self, hidden: u64) -> u64 {
        match *self {
            Attention::Gqa { heads, kv_heads, head_dim } => add(&[
                mul(&[hidden, heads, head_dim]),
                mul(&[2, hidden, kv_heads, head_dim]),
                mul(&[heads, head_dim, hidden]),
            ]),
            Attention::Mla { heads, q_lora_rank, kv_lora_rank, qk_rope_head_dim, qk_nope_head_dim, v_head_dim } => {
                let qk = add(&[qk_nope_head_dim, qk_rope_head_dim]);
                let q = match q_lora_rank {
                    Some(r) => add(&[mul(&[hidden, r]), r, mul(&[r, heads, qk])]),
                    None => mul(&[hidden, heads, qk]),
                };
                add(&[
                    q,
                    mul(&[hidden, add(&[kv_lora_rank, qk_rope_head_dim])]),
                    kv_lora_rank,
                    mul(&[kv_lora_rank, heads, add(&[qk_nope_head_dim, v_head_dim])]),
                    mul(&[heads, v_head_dim, hidden]),
                ])
            }
        }
    }

    /// Values one token keeps in the KV cache of one layer. GQA: a key and a value per KV
    /// head, `2·kv_heads·head_dim`. MLA caches the latent and the rope key only,
    /// `kv_lora_rank + qk_rope_head_dim` (DeepSeek-V2 §2.1.2, Table 1), the same on every
    /// TP rank: it is not split by heads.
    pub fn kv_values_per_token(&self) -> u64 {
        match *self {
            Attention::Gqa { kv_heads, head_dim, .. } => mul(&[2, kv_heads, head_dim]),
            Attention::Mla { kv_lora_rank, qk_rope_head_dim, .. } => add(&[kv_lora_rank, qk_rope_head_dim]),
        }
    }

    pub fn heads(&self) -> u64 {
        match *self {
            Attention::Gqa { heads, .. } | Attention::Mla { heads, .. } => heads,
        }
    }
}
