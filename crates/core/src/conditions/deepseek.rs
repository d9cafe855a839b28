//! DeepSeek-V3's reference-inference config (`inference/configs/config_671B.json`, read by
//! `inference/model.py` `ModelArgs`) → the model it states.

use super::ConditionsError;
use super::keys::Obj;
use super::record::Record;
use crate::model::{Dtype, LayerPattern, ModelSpec};
use serde_json::{Map, Value};

/// `ModelArgs` keys no HF config uses.
pub(super) fn looks_like(top: &Map<String, Value>) -> bool {
    ["dim", "n_layers", "n_heads"].iter().all(|k| top.contains_key(*k))
}

pub(super) fn read(top: &Map<String, Value>, rec: &mut Record) -> Result<ModelSpec, ConditionsError> {
    let c = Obj::new(top, "");
    let mut m = ModelSpec::default();
    rec.set(&mut m.vocab, c.uint("vocab_size")?, "model.vocab");
    rec.set(&mut m.hidden, c.uint("dim")?, "model.hidden");
    rec.set(&mut m.dense_hidden, c.uint("inter_dim")?, "model.dense_hidden");
    rec.set(&mut m.expert_hidden, c.uint("moe_inter_dim")?, "model.expert_hidden");
    let layers = c.uint32("n_layers")?;
    rec.set(&mut m.layers, layers, "model.layers");
    // model.py Transformer: layer l is an MoE layer when l >= n_dense_layers.
    if let Some(k) = c.uint32("n_dense_layers")? {
        rec.set(&mut m.layer_pattern, Some(LayerPattern::FirstDense { first_dense: k }), "model.layer_pattern");
        rec.set(&mut m.moe_layers, layers.map(|n| n.saturating_sub(k)), "model.moe_layers");
    }
    let heads = c.uint32("n_heads")?;
    rec.set(&mut m.heads, heads, "model.heads");
    // MLA: every head has its own K and V once decompressed.
    rec.set(&mut m.kv_heads, heads, "model.kv_heads");
    rec.set(&mut m.experts, c.uint32("n_routed_experts")?, "model.experts");
    let shared = c.uint32("n_shared_experts")?;
    rec.set(&mut m.shared_experts, shared, "model.shared_experts");
    // MoE.shared_experts = MLP(dim, n_shared_experts * moe_inter_dim).
    rec.set(&mut m.shared_expert_hidden, shared.filter(|n| *n > 0).and(m.expert_hidden), "model.shared_expert_hidden");
    rec.set(&mut m.top_k, c.uint32("n_activated_experts")?, "model.top_k");
    rec.set(&mut m.expert_groups, c.uint32("n_expert_groups")?, "model.expert_groups");
    rec.set(&mut m.topk_groups, c.uint32("n_limited_groups")?, "model.topk_groups");
    // q_lora_rank 0 means no query compression (MLA.__init__: `if self.q_lora_rank == 0`).
    rec.set(&mut m.q_lora_rank, c.uint("q_lora_rank")?.filter(|r| *r > 0), "model.q_lora_rank");
    rec.set(&mut m.kv_lora_rank, c.uint("kv_lora_rank")?, "model.kv_lora_rank");
    rec.set(&mut m.qk_nope_head_dim, c.uint("qk_nope_head_dim")?, "model.qk_nope_head_dim");
    rec.set(&mut m.qk_rope_head_dim, c.uint("qk_rope_head_dim")?, "model.qk_rope_head_dim");
    rec.set(&mut m.v_head_dim, c.uint("v_head_dim")?, "model.v_head_dim");
    if !rec.0.is_empty() {
        // model.py: MLP and Expert are w1/w2/w3 with silu (SwiGLU); the head is its own
        // ColumnParallelLinear, not tied to the embedding.
        rec.set(&mut m.gated, Some(true), "model.gated");
        rec.set(&mut m.tie_embeddings, Some(false), "model.tie_embeddings");
    }
    // dtype "fp8": Linear weights are float8_e4m3fn with 128×128 block scales; embedding,
    // head and KV cache stay BF16 (model.py: Linear.dtype, ParallelEmbedding, kv_cache).
    if let Some(text) = c.string("dtype")? {
        let d = match text {
            "fp8" => Dtype::Fp8,
            "bf16" => Dtype::Bf16,
            other => return Err(c.err("dtype", format!("`{other}` is neither fp8 nor bf16"))),
        };
        rec.set(&mut m.dtype, Some(Dtype::Bf16), "model.dtype");
        m.dtypes.experts = Some(d);
        m.dtypes.dense = Some(d);
        rec.note("model.dtypes");
    }
    Ok(m)
}
