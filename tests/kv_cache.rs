//! KV-cache bytes per token and per GPU for the three attention kinds, on the real
//! configs in ../shared/real: MLA (DeepSeek-V3) caches kv_lora_rank + qk_rope_head_dim
//! values per layer, the same on every TP rank; GQA splits its KV heads over TP until TP
//! passes them, then each GPU keeps one (heads replicated, Megatron-LM and vLLM); MHA
//! splits all heads. Formulas: crates/core/src/cost/attention.rs, docs/cost-model.md.

use planscope_core::arch::KvCache;
use planscope_core::cost::attention::{AttnShard, work};
use planscope_core::cost::{Constants, TpSplit, node_work, resolve};
use planscope_core::infer::node_roles;
use planscope_core::model::{Format, Meta, Node, NodeKind, Op, Placement, Plan, Ranks, Shape};

fn real(file: &str) -> Meta {
    let path = format!("{}/../shared/real/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (../shared/real is needed)"));
    planscope_core::conditions::read(file, &text).unwrap_or_else(|e| panic!("{file}: {e}")).meta
}

fn constants(meta: &Meta) -> Constants {
    resolve(meta, &Plan::new(Format::Json), None)
}

/// KV values one GPU caches per token per layer at `tp`.
fn per_gpu_values(c: &Constants, tp: u32) -> f64 {
    work(c, c.hidden.unwrap() as f64, AttnShard { tp }, false).kv_per_token
}

/// KV-cache bytes of one attention node, TP shard 0 of `tp`, for `tokens` tokens (prefill
/// writes each token's KV): what the memory per GPU counts for one layer.
fn node_kv_bytes(meta: &Meta, tp: u32, tokens: u64) -> f64 {
    let mut plan = Plan::new(Format::Json);
    let mut n = Node::new("layer0_attn", NodeKind::Compute);
    n.op = Some(Op::Attention);
    n.placement = Placement::gpu(0);
    n.layer = Some(0);
    n.ranks = Ranks { tp: Some(0), ..Ranks::default() };
    n.output = Some(Shape::from_sizes(&[tokens, meta.model.hidden.unwrap()]));
    plan.nodes.push(n);
    plan.meta = meta.clone();
    let c = constants(meta);
    let roles: Vec<_> = plan.nodes.iter().map(node_roles).collect();
    node_work(&plan, &roles, &c, TpSplit { tp, expert_tp: tp })[0].kv_bytes
}

#[test]
fn mla_caches_the_latent_and_rope_key_whatever_the_tp() {
    let meta = real("deepseek-v3__config.json");
    let c = constants(&meta);
    // kv_lora_rank 512 + qk_rope_head_dim 64 (config.json), not 2·hidden = 14336.
    let kv = KvCache::of(&meta.model).unwrap();
    assert_eq!(kv.values_per_layer, 512 + 64);
    assert_eq!(kv.layers, 61);
    // BF16 (torch_dtype bfloat16): 576 values × 61 layers × 2 bytes.
    assert_eq!(kv.bytes_per_token(), 576.0 * 61.0 * 2.0);
    for tp in [1, 2, 8, 16, 128] {
        assert_eq!(per_gpu_values(&c, tp), 576.0, "TP{tp}: MLA's cache is not split by TP");
        assert_eq!(node_kv_bytes(&meta, tp, 1000), 1000.0 * 576.0 * 2.0, "TP{tp}");
    }
}

#[test]
fn gqa_splits_kv_heads_until_tp_passes_them_then_keeps_one() {
    // Mixtral-8x7B: 32 query heads, 8 KV heads of 4096/32 = 128.
    let meta = real("mixtral-8x7b-v0.1__config.json");
    let c = constants(&meta);
    assert_eq!((c.heads, c.kv_heads), (Some(32), Some(8)));
    assert_eq!(KvCache::of(&meta.model).unwrap().values_per_layer, 2 * 8 * 128);
    for (tp, heads_held) in [(1, 8.0), (2, 4.0), (4, 2.0), (8, 1.0), (16, 1.0), (32, 1.0)] {
        assert_eq!(per_gpu_values(&c, tp), 2.0 * heads_held * 128.0, "TP{tp}");
        assert_eq!(node_kv_bytes(&meta, tp, 100), 100.0 * 2.0 * heads_held * 128.0 * 2.0, "TP{tp}");
    }
    // Qwen3-235B-A22B: 64 query heads, 4 KV heads of head_dim 128 (stated apart from hidden).
    let meta = real("qwen3-235b-a22b__config.json");
    let c = constants(&meta);
    assert_eq!((c.heads, c.kv_heads, c.head_dim), (Some(64), Some(4), Some(128)));
    assert_eq!(KvCache::of(&meta.model).unwrap().values_per_layer, 2 * 4 * 128);
    for (tp, heads_held) in [(1, 4.0), (2, 2.0), (4, 1.0), (8, 1.0)] {
        assert_eq!(per_gpu_values(&c, tp), 2.0 * heads_held * 128.0, "TP{tp}");
    }
}

#[test]
fn mha_splits_every_head() {
    // Mixtral's shapes with as many KV heads as query heads: multi-head attention.
    let mut meta = real("mixtral-8x7b-v0.1__config.json");
    meta.model.kv_heads = Some(32);
    let c = constants(&meta);
    assert_eq!(KvCache::of(&meta.model).unwrap().values_per_layer, 2 * 4096);
    for tp in [1u32, 2, 4, 8, 32] {
        assert_eq!(per_gpu_values(&c, tp), 2.0 * 4096.0 / f64::from(tp), "TP{tp}");
    }
}

#[test]
fn kv_heads_stated_without_query_heads_still_replicate() {
    // A config giving KV heads and their width but no query-head count: at TP16 each GPU
    // still keeps one of the 8 KV heads (not half of one).
    let mut meta = real("mixtral-8x7b-v0.1__config.json");
    meta.model.heads = None;
    meta.model.head_dim = Some(128);
    let c = constants(&meta);
    assert_eq!((c.heads, c.kv_heads), (None, Some(8)));
    assert_eq!(per_gpu_values(&c, 16), 2.0 * 128.0);
    assert_eq!(per_gpu_values(&c, 4), 2.0 * 2.0 * 128.0);
}
