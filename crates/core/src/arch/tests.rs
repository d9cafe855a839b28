//! Totals against the public figures (../shared/real/SOURCES.md), on specs transcribed by
//! hand from the real config.json files there (the readers' own tests read the files).

use super::*;
use crate::model::ModuleDtypes;

/// DeepSeek-V3 config.json (deepseek-ai/DeepSeek-V3).
fn deepseek_v3() -> ModelSpec {
    ModelSpec {
        layers: Some(61),
        hidden: Some(7168),
        vocab: Some(129280),
        heads: Some(128),
        kv_heads: Some(128),
        q_lora_rank: Some(1536),
        kv_lora_rank: Some(512),
        qk_rope_head_dim: Some(64),
        qk_nope_head_dim: Some(128),
        v_head_dim: Some(128),
        experts: Some(256),
        top_k: Some(8),
        expert_hidden: Some(2048),
        shared_experts: Some(1),
        shared_expert_hidden: Some(2048),
        dense_hidden: Some(18432),
        layer_pattern: Some(LayerPattern::FirstDense { first_dense: 3 }),
        gated: Some(true),
        tie_embeddings: Some(false),
        mtp_layers: Some(1),
        dtype: Some(Dtype::Bf16),
        dtypes: ModuleDtypes { experts: Some(Dtype::Fp8), dense: Some(Dtype::Fp8), ..ModuleDtypes::default() },
        ..ModelSpec::default()
    }
}

/// Mixtral-8x7B-v0.1 config.json; head_dim = hidden / heads (transformers' MixtralConfig).
fn mixtral_8x7b() -> ModelSpec {
    ModelSpec {
        layers: Some(32),
        hidden: Some(4096),
        vocab: Some(32000),
        heads: Some(32),
        kv_heads: Some(8),
        head_dim: Some(128),
        experts: Some(8),
        top_k: Some(2),
        expert_hidden: Some(14336),
        gated: Some(true),
        tie_embeddings: Some(false),
        dtype: Some(Dtype::Bf16),
        ..ModelSpec::default()
    }
}

/// Qwen3-235B-A22B config.json.
fn qwen3_235b() -> ModelSpec {
    ModelSpec {
        layers: Some(94),
        hidden: Some(4096),
        vocab: Some(151936),
        heads: Some(64),
        kv_heads: Some(4),
        head_dim: Some(128),
        experts: Some(128),
        top_k: Some(8),
        expert_hidden: Some(1536),
        gated: Some(true),
        tie_embeddings: Some(false),
        dtype: Some(Dtype::Bf16),
        ..ModelSpec::default()
    }
}

fn within(got: u64, want: f64, tol: f64) -> bool {
    ((got as f64 - want) / want).abs() <= tol
}

#[test]
fn deepseek_v3_is_671b_total_37b_active() {
    let s = deepseek_v3();
    let (total, active) = (params_total(&s).unwrap(), params_active(&s).unwrap());
    assert!(within(total, 671e9, 0.01), "{total}");
    // "37B" is rounded; this count (37.55B, embedding and LM head included) is 1.5% above.
    assert!(within(active, 37e9, 0.02), "{active}");
    // MLA attention of one layer, by hand from inference/model.py: wq_a, q_norm, wq_b,
    // wkv_a, kv_norm, wkv_b, wo.
    let attn = 7168 * 1536 + 1536 + 1536 * 128 * 192 + 7168 * 576 + 512 + 512 * 128 * 256 + 128 * 128 * 7168;
    assert_eq!(Arch::of(&s).unwrap().attention_params(), attn);
    assert_eq!((Arch::of(&s).unwrap().moe_layers(), Arch::of(&s).unwrap().dense_layers()), (58, 3));
}

#[test]
fn deepseek_v3_kv_cache_is_the_latent_and_rope_key() {
    let mut s = deepseek_v3();
    s.dtypes.kv_cache = Some(Dtype::Bf16);
    // (512 + 64) values × 61 layers × 2 bytes = 70,272 bytes per token.
    assert_eq!(kv_bytes_per_token(&s).unwrap(), 70_272.0);
}

#[test]
fn deepseek_v3_weights_are_fp8_but_its_embeddings() {
    let shares = weight_bytes(&deepseek_v3()).unwrap();
    assert_eq!(shares.iter().map(|w| w.dtype).collect::<Vec<_>>(), vec![Dtype::Fp8, Dtype::Bf16]);
    assert_eq!(shares[1].params, 2 * 129280 * 7168);
    let total: u64 = shares.iter().map(|w| w.params).sum();
    assert_eq!(total, params_total(&deepseek_v3()).unwrap());
}

#[test]
fn mixtral_8x7b_is_46_7b_total_12_9b_active() {
    let s = mixtral_8x7b();
    assert!(within(params_total(&s).unwrap(), 46.7e9, 0.01));
    assert!(within(params_active(&s).unwrap(), 12.9e9, 0.01));
    // GQA: 2 × 8 KV heads × 128 × 32 layers × 2 bytes.
    assert_eq!(kv_bytes_per_token(&s).unwrap(), 131_072.0);
}

#[test]
fn qwen3_235b_is_235b_total_22b_active() {
    let s = qwen3_235b();
    assert!(within(params_total(&s).unwrap(), 235e9, 0.01));
    assert!(within(params_active(&s).unwrap(), 22e9, 0.01));
}

#[test]
fn tied_embeddings_count_once_and_two_matrix_ffns_are_smaller() {
    let s = mixtral_8x7b();
    let tied = ModelSpec { tie_embeddings: Some(true), ..s.clone() };
    assert_eq!(params_total(&s).unwrap() - params_total(&tied).unwrap(), 32000 * 4096);
    let plain = ModelSpec { gated: Some(false), ..s.clone() };
    assert_eq!(Arch::of(&plain).unwrap().expert_params(), 2 * 4096 * 14336);
}

#[test]
fn missing_constants_are_named_not_guessed() {
    let s = ModelSpec { head_dim: None, gated: None, ..mixtral_8x7b() };
    assert_eq!(Arch::of(&s).unwrap_err(), Missing(vec![Constant::HeadDim, Constant::Gated]));
    // A dense layer needs the dense FFN width; MLA needs its head dimensions.
    let s = ModelSpec { dense_hidden: None, v_head_dim: None, ..deepseek_v3() };
    assert_eq!(Arch::of(&s).unwrap_err(), Missing(vec![Constant::DenseHidden, Constant::VHeadDim]));
    let s = ModelSpec { dtype: None, ..mixtral_8x7b() };
    assert_eq!(weight_bytes(&s).unwrap_err().to_string(), "the model does not state dtype");
}

#[test]
fn windows_cap_what_windowed_layers_cache() {
    let s = ModelSpec { window: Some(128), window_layers: Some(16), ..mixtral_8x7b() };
    let kv = KvCache::of(&s).unwrap();
    let per = 2.0 * 8.0 * 128.0 * 2.0;
    assert_eq!(kv.bytes_for_context(100), per * 32.0 * 100.0);
    assert_eq!(kv.bytes_for_context(1000), per * (16.0 * 1000.0 + 16.0 * 128.0));
}

#[test]
fn huge_sizes_saturate_instead_of_panicking() {
    let s = ModelSpec { hidden: Some(u64::MAX), vocab: Some(u64::MAX), ..mixtral_8x7b() };
    assert_eq!(params_total(&s).unwrap(), u64::MAX);
}
