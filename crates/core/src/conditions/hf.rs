//! A Hugging Face `config.json` → the model it states. Keys and defaults follow the
//! transformers configuration classes of each family (cited per key below); the model's own
//! `text_config` is read for multimodal wrappers (Llama-4).

use super::ConditionsError;
use super::keys::Obj;
use super::record::Record;
use crate::model::{Dtype, LayerPattern, ModelSpec, limits};
use serde_json::{Map, Value};

/// Aliases of the routed-expert count: Mixtral/gpt-oss/Llama-4, DeepSeek/Kimi, Qwen-MoE,
/// ERNIE-4.5.
const EXPERTS: &[&str] = &["num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts"];
/// Aliases of top-k: almost all, gpt-oss's original key, ERNIE-4.5.
const TOP_K: &[&str] = &["num_experts_per_tok", "experts_per_token", "moe_k"];
const SHARED: &[&str] = &["n_shared_experts", "num_shared_experts", "moe_num_shared_experts"];

/// Whether the object looks like a HF model config (top level or `text_config`).
pub(super) fn looks_like(top: &Map<String, Value>) -> bool {
    let probe = |m: &Map<String, Value>| {
        ["num_hidden_layers", "hidden_size", "num_attention_heads", "vocab_size", "model_type", "architectures"]
            .iter()
            .chain(EXPERTS)
            .any(|k| m.contains_key(*k))
    };
    probe(top) || top.get("text_config").is_some_and(Value::is_object)
}

pub(super) fn read(top: &Map<String, Value>, rec: &mut Record) -> Result<ModelSpec, ConditionsError> {
    let root = Obj::new(top, "");
    let (cfg, prefix) = match root.object("text_config")? {
        Some(text) => (text, "text_config."),
        None => (top, ""),
    };
    let c = Obj::new(cfg, prefix);
    let mut m = ModelSpec::default();

    rec.set(&mut m.layers, c.uint32("num_hidden_layers")?, "model.layers");
    rec.set(&mut m.hidden, c.uint("hidden_size")?, "model.hidden");
    rec.set(&mut m.vocab, c.uint("vocab_size")?, "model.vocab");
    let heads = c.uint32("num_attention_heads")?;
    rec.set(&mut m.heads, heads, "model.heads");
    // transformers: "If `num_key_value_heads` is not specified, will default to
    // `num_attention_heads`" (LlamaConfig, MixtralConfig, Qwen3MoeConfig docstrings).
    rec.set(&mut m.kv_heads, c.uint32("num_key_value_heads")?.or(heads), "model.kv_heads");
    read_mla(&c, &mut m, rec)?;
    // head_dim = hidden_size // num_attention_heads unless given (MixtralConfig.__init__).
    // MLA heads are sized by qk_nope/qk_rope/v_head_dim instead (DeepseekV3Config), so no
    // head_dim is derived for them: hidden/heads (56 for DeepSeek-V3) would be shown as a
    // constant the model does not have.
    let derived = match (m.hidden, heads, m.kv_lora_rank) {
        (Some(h), Some(n), None) if n > 0 => Some(h / u64::from(n)),
        _ => None,
    };
    rec.set(&mut m.head_dim, c.uint("head_dim")?.or(derived), "model.head_dim");

    read_moe(&c, &mut m, rec)?;
    read_pattern(&c, &mut m, rec)?;
    read_window(&c, &mut m, rec)?;

    // Gated FFNs: the LLaMA-family MLP is gate_proj/up_proj/down_proj with act_fn =
    // ACT2FN[hidden_act] (silu → SwiGLU); every MoE family here uses it for its experts.
    if let Some(act) = c.string("hidden_act")?.or(c.string("hidden_activation")?) {
        let gated = matches!(act, "silu" | "swish" | "swiglu" | "swigluoai" | "gelu_pytorch_tanh" | "geglu");
        rec.set(&mut m.gated, Some(gated), "model.gated");
    } else if gated_family(&root)?.is_some() {
        // The config leaves hidden_act to its class default, "silu" in each of these
        // families' configuration classes, whose MLPs are gate/up/down.
        rec.set(&mut m.gated, Some(true), "model.gated");
    }
    rec.set(
        &mut m.tie_embeddings,
        c.boolean("tie_word_embeddings")?.or(root.boolean("tie_word_embeddings")?),
        "model.tie_embeddings",
    );
    rec.set(&mut m.mtp_layers, c.uint32("num_nextn_predict_layers")?, "model.mtp_layers");
    if let Some(name) = root.string("_name_or_path")?.filter(|n| !n.is_empty()) {
        rec.set(&mut m.name, Some(name.to_string()), "model.name");
    } else if let Some(family) = root.string("model_type")?.filter(|n| !n.is_empty()) {
        // No checkpoint name (most configs): the family (`deepseek_v3`) names a plan generated
        // from it on the page, rather than "model". Not counted as a value read: a config
        // with nothing else still reads as nothing.
        m.name = Some(family.to_string());
    }
    read_dtypes(&root, &c, &mut m, rec)?;
    Ok(m)
}

/// The architecture when it is one whose configuration class defaults `hidden_act` to
/// "silu" with a gated MLP (DeepseekV3Config, MixtralConfig, Qwen3MoeConfig,
/// Llama4TextConfig, GptOssConfig).
fn gated_family<'a>(root: &Obj<'a>) -> Result<Option<&'a str>, ConditionsError> {
    const GATED: &[&str] = &[
        "DeepseekV2ForCausalLM",
        "DeepseekV3ForCausalLM",
        "MixtralForCausalLM",
        "Qwen2MoeForCausalLM",
        "Qwen3MoeForCausalLM",
        "Llama4ForConditionalGeneration",
        "Llama4ForCausalLM",
        "GptOssForCausalLM",
    ];
    let Some(list) = root.array("architectures")? else { return Ok(None) };
    Ok(list.iter().filter_map(Value::as_str).find(|a| GATED.contains(a)))
}

fn read_moe(c: &Obj<'_>, m: &mut ModelSpec, rec: &mut Record) -> Result<(), ConditionsError> {
    rec.set(&mut m.experts, narrow(c, c.uint_any(EXPERTS)?)?, "model.experts");
    rec.set(&mut m.top_k, narrow(c, c.uint_any(TOP_K)?)?, "model.top_k");
    let inter = c.uint("intermediate_size")?;
    let moe_inter = c.uint("moe_intermediate_size")?;
    let llama4 = c.string("model_type")? == Some("llama4_text");
    // Experts use moe_intermediate_size where the family has one (DeepSeek, Qwen-MoE);
    // Mixtral, gpt-oss and Llama-4 size their experts with intermediate_size.
    rec.set(&mut m.expert_hidden, moe_inter.or(inter), "model.expert_hidden");
    // The dense FFN: intermediate_size beside moe_intermediate_size; Llama-4's
    // intermediate_size_mlp (Llama4TextConfig).
    let dense = if llama4 {
        c.uint("intermediate_size_mlp")?
    } else if moe_inter.is_some() {
        inter
    } else {
        None
    };
    rec.set(&mut m.dense_hidden, dense, "model.dense_hidden");

    // Shared experts. DeepSeek: n_shared_experts of moe_intermediate_size each
    // (DeepseekV3MoE: one MLP of moe_intermediate_size × n_shared_experts). Qwen2-MoE: one
    // shared expert of shared_expert_intermediate_size. Llama-4: every MoE layer has one
    // shared expert of intermediate_size (Llama4TextMoe.shared_expert).
    if let Some((n, key)) = c.uint_any(SHARED)? {
        rec.set(&mut m.shared_experts, Some(to32(c, key, n)?), "model.shared_experts");
        let width =
            c.uint("shared_expert_intermediate_size")?.or(moe_inter).or(c.uint("moe_shared_expert_intermediate_size")?);
        rec.set(&mut m.shared_expert_hidden, width.filter(|_| n > 0), "model.shared_expert_hidden");
    } else if let Some(width) = c.uint("shared_expert_intermediate_size")?.filter(|w| *w > 0) {
        rec.set(&mut m.shared_experts, Some(1), "model.shared_experts");
        rec.set(&mut m.shared_expert_hidden, Some(width), "model.shared_expert_hidden");
    } else if llama4 && m.experts.is_some() {
        rec.set(&mut m.shared_experts, Some(1), "model.shared_experts");
        rec.set(&mut m.shared_expert_hidden, inter, "model.shared_expert_hidden");
    }
    rec.set(&mut m.expert_groups, c.uint32("n_group")?, "model.expert_groups");
    rec.set(&mut m.topk_groups, c.uint32("topk_group")?, "model.topk_groups");
    Ok(())
}

/// Which layers are MoE, after each family's modeling code:
/// - DeepSeek: layer l is MoE when `l >= first_k_dense_replace and l % moe_layer_freq == 0`;
/// - Qwen-MoE: when `l not in mlp_only_layers and (l + 1) % decoder_sparse_step == 0`;
/// - Llama-4: `moe_layers`, else `range(step - 1, layers, step)` for
///   `interleave_moe_layer_step`.
fn read_pattern(c: &Obj<'_>, m: &mut ModelSpec, rec: &mut Record) -> Result<(), ConditionsError> {
    let layers = m.layers;
    let listed = |pred: &dyn Fn(u32) -> bool| -> Result<LayerPattern, ConditionsError> {
        let n = layers.ok_or_else(|| c.err("num_hidden_layers", "needed to place the MoE layers"))?;
        limits::Limit::Layers.check(u64::from(n)).map_err(|e| c.err("num_hidden_layers", e.to_string()))?;
        Ok(LayerPattern::Listed { moe: (0..n).filter(|&l| pred(l)).collect() })
    };
    let pattern = if let Some(list) = c.array("moe_layers")? {
        let mut moe = layer_list(c, "moe_layers", list, layers)?;
        crate::sort::unstable(&mut moe);
        moe.dedup();
        Some(LayerPattern::Listed { moe })
    } else if let Some(step) = c.uint32("interleave_moe_layer_step")? {
        positive(c, "interleave_moe_layer_step", step)?;
        Some(LayerPattern::Every { step, first_dense: 0 })
    } else if c.has("first_k_dense_replace") || c.has("moe_layer_freq") {
        let k = c.uint32("first_k_dense_replace")?.unwrap_or(0);
        match c.array("moe_layer_freq").ok().flatten() {
            Some(flags) => {
                let flags: Vec<bool> =
                    flags.iter().map(|v| v.as_u64() == Some(1) || v.as_bool() == Some(true)).collect();
                Some(listed(&|l| l >= k && flags.get(l as usize).copied().unwrap_or(false))?)
            }
            None => match c.uint32("moe_layer_freq")?.unwrap_or(1) {
                1 => Some(LayerPattern::FirstDense { first_dense: k }),
                f => {
                    positive(c, "moe_layer_freq", f)?;
                    Some(listed(&|l| l >= k && l % f == 0)?)
                }
            },
        }
    } else if c.has("decoder_sparse_step") || c.has("mlp_only_layers") {
        let step = c.uint32("decoder_sparse_step")?.unwrap_or(1);
        positive(c, "decoder_sparse_step", step)?;
        let dense = match c.array("mlp_only_layers")? {
            Some(list) => layer_list(c, "mlp_only_layers", list, layers)?,
            None => Vec::new(),
        };
        if dense.is_empty() {
            Some(LayerPattern::Every { step, first_dense: 0 })
        } else {
            Some(listed(&|l| !dense.contains(&l) && (l + 1) % step == 0)?)
        }
    } else {
        None
    };
    if let Some(p) = pattern {
        if let Some(n) = layers {
            rec.set(&mut m.moe_layers, Some(p.moe_count(n)), "model.moe_layers");
        }
        rec.set(&mut m.layer_pattern, Some(p), "model.layer_pattern");
    }
    Ok(())
}

fn read_mla(c: &Obj<'_>, m: &mut ModelSpec, rec: &mut Record) -> Result<(), ConditionsError> {
    rec.set(&mut m.q_lora_rank, c.uint("q_lora_rank")?, "model.q_lora_rank");
    rec.set(&mut m.kv_lora_rank, c.uint("kv_lora_rank")?, "model.kv_lora_rank");
    rec.set(&mut m.qk_rope_head_dim, c.uint("qk_rope_head_dim")?, "model.qk_rope_head_dim");
    rec.set(&mut m.qk_nope_head_dim, c.uint("qk_nope_head_dim")?, "model.qk_nope_head_dim");
    rec.set(&mut m.v_head_dim, c.uint("v_head_dim")?, "model.v_head_dim");
    Ok(())
}

/// Sliding windows (Mistral, gpt-oss `layer_types`, Qwen `use_sliding_window`) and
/// Llama-4's chunked attention: chunks on the RoPE layers, full attention on the NoPE
/// ones (`no_rope_layers`, default every 4th layer NoPE: Llama4TextConfig).
fn read_window(c: &Obj<'_>, m: &mut ModelSpec, rec: &mut Record) -> Result<(), ConditionsError> {
    let layers = m.layers;
    if let Some(chunk) = c.uint("attention_chunk_size")? {
        let chunked = match c.array("no_rope_layers")? {
            Some(flags) => flags.iter().filter(|v| v.as_u64() == Some(1)).count() as u32,
            None => layers.map_or(0, |n| n - n / 4),
        };
        rec.set(&mut m.window, Some(chunk), "model.window");
        rec.set(&mut m.window_layers, Some(chunked), "model.window_layers");
        return Ok(());
    }
    let Some(window) = c.uint("sliding_window")? else { return Ok(()) };
    if c.boolean("use_sliding_window")? == Some(false) {
        return Ok(());
    }
    let windowed = match c.array("layer_types")? {
        Some(types) => types.iter().filter(|t| t.as_str() == Some("sliding_attention")).count() as u32,
        None => match layers {
            Some(n) => n,
            None => return Ok(()),
        },
    };
    rec.set(&mut m.window, Some(window), "model.window");
    rec.set(&mut m.window_layers, Some(windowed), "model.window_layers");
    Ok(())
}

/// `torch_dtype`/`dtype`, and `quantization_config`: FP8 block-quantized linears keep
/// embeddings and the KV cache in the checkpoint dtype (DeepSeek-V3); MXFP4 quantizes the
/// experts only (gpt-oss `modules_to_not_convert`: attention, router, embeddings, head).
fn read_dtypes(root: &Obj<'_>, c: &Obj<'_>, m: &mut ModelSpec, rec: &mut Record) -> Result<(), ConditionsError> {
    let mut base = None;
    for (o, key) in [(c, "torch_dtype"), (c, "dtype"), (root, "torch_dtype"), (root, "dtype")] {
        if let Some(text) = o.string(key)? {
            base =
                Some(Dtype::parse(text).ok_or_else(|| o.err(key, format!("`{text}` is not a dtype planscope knows")))?);
            break;
        }
    }
    rec.set(&mut m.dtype, base, "model.dtype");
    let Some(q) = root.object("quantization_config")?.or(c.object("quantization_config")?) else { return Ok(()) };
    let q = Obj::new(q, "quantization_config.");
    let method = q.string("quant_method")?.unwrap_or("");
    let d = &mut m.dtypes;
    match method {
        "fp8" => {
            d.experts = Some(Dtype::Fp8);
            d.dense = Some(Dtype::Fp8);
            d.embedding = base;
            d.kv_cache = base;
        }
        "mxfp4" => {
            d.experts = Some(Dtype::Mxfp4);
            d.dense = base;
            d.embedding = base;
            d.kv_cache = base;
        }
        other => {
            return Err(q.err(
                "quant_method",
                format!("`{other}` is not a quantization planscope reads (it reads fp8 and mxfp4); remove quantization_config to use the dtype alone"),
            ));
        }
    }
    rec.note("model.dtypes");
    Ok(())
}

fn layer_list(c: &Obj<'_>, key: &str, list: &[Value], layers: Option<u32>) -> Result<Vec<u32>, ConditionsError> {
    limits::Limit::Layers.check(list.len() as u64).map_err(|e| c.err(key, e.to_string()))?;
    list.iter()
        .map(|v| {
            let l = v
                .as_u64()
                .and_then(|l| u32::try_from(l).ok())
                .ok_or_else(|| c.err(key, format!("{v} is not a layer index")))?;
            match layers {
                Some(n) if l >= n => Err(c.err(key, format!("layer {l} is past the model's {n} layers"))),
                _ => Ok(l),
            }
        })
        .collect()
}

fn positive(c: &Obj<'_>, key: &str, v: u32) -> Result<(), ConditionsError> {
    if v == 0 { Err(c.err(key, "must be at least 1")) } else { Ok(()) }
}

fn to32(c: &Obj<'_>, key: &str, n: u64) -> Result<u32, ConditionsError> {
    u32::try_from(n).map_err(|_| c.err(key, format!("{n} is too large")))
}

fn narrow(c: &Obj<'_>, v: Option<(u64, &'static str)>) -> Result<Option<u32>, ConditionsError> {
    v.map(|(n, key)| to32(c, key, n)).transpose()
}
