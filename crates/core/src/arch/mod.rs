//! The model's architecture as arithmetic: parameters per module, totals and per-token
//! active counts, weight bytes per dtype, KV-cache bytes per token. Pure functions of a
//! `ModelSpec`; a constant the spec does not state is a `Missing` naming it, never a guess.
//! Formulas and their sources: docs/conditions.md ("Parameters").

mod attention;
mod count;
mod kv;
mod missing;
mod weights;

pub use attention::Attention;
pub use kv::KvCache;
pub use missing::{Constant, Missing};
pub use weights::WeightShare;

use crate::model::{Dtype, LayerPattern, ModelSpec};
use count::{add, mul};
use missing::Needs;

/// What the arithmetic needs from a `ModelSpec`, all present.
#[derive(Debug, Clone, PartialEq)]
pub struct Arch {
    pub layers: u32,
    pub hidden: u64,
    pub vocab: u64,
    /// Input embedding and LM head share one matrix (absent in the spec = not tied).
    pub tied: bool,
    pub attention: Attention,
    /// SwiGLU-style FFNs with three matrices (gate, up, down) rather than two.
    pub gated: bool,
    pub experts: u64,
    pub top_k: u64,
    pub expert_hidden: u64,
    /// Shared experts per MoE layer (absent in the spec = none) and each one's width.
    pub shared_experts: u64,
    pub shared_expert_hidden: u64,
    /// Which layers are MoE; the others are dense with `dense_hidden`.
    pub pattern: LayerPattern,
    /// The dense FFN width; 0 when every layer is MoE and the spec gives none.
    pub dense_hidden: u64,
    /// Multi-token-prediction modules, outside every total here (DeepSeek-V3 reports 671B
    /// without its MTP module, 685B with it: its README, "Model Summary").
    pub mtp_layers: u32,
}

/// Parameters by module, summed over the model (or over what one token uses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Params {
    pub embedding: u64,
    /// 0 when tied to the embedding.
    pub lm_head: u64,
    pub attention: u64,
    /// RMSNorm weights: two per layer and the final one (MLA's latent norms are in
    /// `attention`).
    pub norms: u64,
    pub router: u64,
    pub routed_experts: u64,
    pub shared_experts: u64,
    pub dense_ffn: u64,
}

impl Params {
    pub fn total(&self) -> u64 {
        add(&[
            self.embedding,
            self.lm_head,
            self.attention,
            self.norms,
            self.router,
            self.routed_experts,
            self.shared_experts,
            self.dense_ffn,
        ])
    }
}

impl Arch {
    /// The architecture `spec` states, or every constant it lacks.
    ///
    /// The MoE layers: `layer_pattern`, else the last `moe_layers` of `layers`, else all of
    /// them (the convention of `ModelSpec::moe_layers`).
    pub fn of(spec: &ModelSpec) -> Result<Arch, Missing> {
        // Each `need` records its constant when absent and stands in a zero that is never
        // used: `done` returns the error first.
        let mut n = Needs::default();
        let layers = n.need(spec.layers, Constant::Layers);
        let hidden = n.need(spec.hidden, Constant::Hidden);
        let vocab = n.need(spec.vocab, Constant::Vocab);
        let heads = u64::from(n.need(spec.heads, Constant::Heads));
        let attention = match spec.kv_lora_rank {
            Some(kv_lora_rank) => Attention::Mla {
                heads,
                q_lora_rank: spec.q_lora_rank,
                kv_lora_rank,
                qk_rope_head_dim: n.need(spec.qk_rope_head_dim, Constant::QkRopeHeadDim),
                qk_nope_head_dim: n.need(spec.qk_nope_head_dim, Constant::QkNopeHeadDim),
                v_head_dim: n.need(spec.v_head_dim, Constant::VHeadDim),
            },
            None => Attention::Gqa {
                heads,
                kv_heads: u64::from(n.need(spec.kv_heads, Constant::KvHeads)),
                head_dim: n.need(spec.head_dim, Constant::HeadDim),
            },
        };
        let gated = n.need(spec.gated, Constant::Gated);
        let experts = u64::from(n.need(spec.experts, Constant::Experts));
        let top_k = u64::from(n.need(spec.top_k, Constant::TopK));
        let expert_hidden = n.need(spec.expert_hidden, Constant::ExpertHidden);
        let shared_experts = u64::from(spec.shared_experts.unwrap_or(0));
        let shared_expert_hidden =
            if shared_experts > 0 { n.need(spec.shared_expert_hidden, Constant::SharedExpertHidden) } else { 0 };
        let pattern = spec.layer_pattern.clone().unwrap_or(LayerPattern::FirstDense {
            first_dense: spec.moe_layers.map_or(0, |m| layers.saturating_sub(m)),
        });
        let dense_hidden = if pattern.moe_count(layers) < layers {
            n.need(spec.dense_hidden, Constant::DenseHidden)
        } else {
            spec.dense_hidden.unwrap_or(0)
        };
        n.done()?;
        Ok(Arch {
            layers,
            hidden,
            vocab,
            tied: spec.tie_embeddings.unwrap_or(false),
            attention,
            gated,
            experts,
            top_k,
            expert_hidden,
            shared_experts,
            shared_expert_hidden,
            pattern,
            dense_hidden,
            mtp_layers: spec.mtp_layers.unwrap_or(0),
        })
    }

    pub fn moe_layers(&self) -> u32 {
        self.pattern.moe_count(self.layers)
    }

    pub fn dense_layers(&self) -> u32 {
        self.layers - self.moe_layers()
    }

    /// An FFN of intermediate width `inner`: gate, up and down (gated) or up and down.
    fn ffn(&self, inner: u64) -> u64 {
        mul(&[if self.gated { 3 } else { 2 }, self.hidden, inner])
    }

    /// One routed expert's weights.
    pub fn expert_params(&self) -> u64 {
        self.ffn(self.expert_hidden)
    }

    /// All shared experts of one MoE layer.
    pub fn shared_expert_params(&self) -> u64 {
        mul(&[self.shared_experts, self.ffn(self.shared_expert_hidden)])
    }

    /// The FFN of one dense layer.
    pub fn dense_ffn_params(&self) -> u64 {
        self.ffn(self.dense_hidden)
    }

    /// One layer's attention.
    pub fn attention_params(&self) -> u64 {
        self.attention.params(self.hidden)
    }

    /// One MoE layer's router: a hidden × experts matrix.
    pub fn router_params(&self) -> u64 {
        mul(&[self.hidden, self.experts])
    }

    /// Every weight of the model, without its MTP modules.
    pub fn params(&self) -> Params {
        self.params_with(self.experts)
    }

    /// The weights one token goes through: `top_k` routed experts per MoE layer and all the
    /// rest (attention, shared experts, dense FFNs, routers, norms, embedding and LM head).
    pub fn active(&self) -> Params {
        self.params_with(self.top_k.min(self.experts))
    }

    fn params_with(&self, experts_used: u64) -> Params {
        let (layers, moe, dense) =
            (u64::from(self.layers), u64::from(self.moe_layers()), u64::from(self.dense_layers()));
        Params {
            embedding: mul(&[self.vocab, self.hidden]),
            lm_head: if self.tied { 0 } else { mul(&[self.vocab, self.hidden]) },
            attention: mul(&[layers, self.attention_params()]),
            norms: add(&[mul(&[2, layers, self.hidden]), self.hidden]),
            router: mul(&[moe, self.router_params()]),
            routed_experts: mul(&[moe, experts_used, self.expert_params()]),
            shared_experts: mul(&[moe, self.shared_expert_params()]),
            dense_ffn: mul(&[dense, self.dense_ffn_params()]),
        }
    }
}

/// Total parameters without MTP modules.
pub fn params_total(spec: &ModelSpec) -> Result<u64, Missing> {
    Arch::of(spec).map(|a| a.params().total())
}

/// Parameters one token activates.
pub fn params_active(spec: &ModelSpec) -> Result<u64, Missing> {
    Arch::of(spec).map(|a| a.active().total())
}

/// Weight bytes per dtype (experts, dense modules and embeddings each in their own dtype).
pub fn weight_bytes(spec: &ModelSpec) -> Result<Vec<WeightShare>, Missing> {
    weights::by_dtype(&Arch::of(spec)?, spec)
}

/// KV-cache bytes per token of context, over all layers.
pub fn kv_bytes_per_token(spec: &ModelSpec) -> Result<f64, Missing> {
    KvCache::of(spec).map(|k| k.bytes_per_token())
}

fn dtype_of(module: Option<Dtype>, spec: &ModelSpec) -> Result<Dtype, Missing> {
    module.or(spec.dtype).ok_or(Missing(vec![Constant::Dtype]))
}

#[cfg(test)]
mod tests;
