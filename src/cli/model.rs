//! `planscope model FILE_OR_PRESET [--json]`: what a model file or preset states (its
//! constants and layer pattern) and what follows from it (total and active parameters,
//! weight bytes per dtype, KV-cache bytes per token). Exit 0; 1 when a total cannot be
//! computed because a constant is missing (named); 2 for a file that cannot be read.

use super::conditions;
use super::out::say;
use super::{EXIT_OK, EXIT_UNREADABLE};
use planscope_core::arch::{self, Arch, KvCache, Missing, WeightShare};
use planscope_core::conditions::ConditionsKind;
use planscope_core::model::{LayerPattern, ModelSpec};
use planscope_core::units;
use serde_json::{Value, json};

const EXIT_MISSING: u8 = 1;

pub fn run(arg: &str, as_json: bool) -> u8 {
    let read = match conditions::load_one(arg) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    if read.kind == ConditionsKind::Hardware {
        eprintln!("{arg}: this is a hardware file ({}); `planscope model` reads a model", read.format.name());
        return EXIT_UNREADABLE;
    }
    let spec = read.meta.model;
    let derived = Arch::of(&spec).and_then(|a| Ok((a.clone(), arch::weight_bytes(&spec)?, KvCache::of(&spec)?)));
    if as_json {
        say!("{}", serde_json::to_string_pretty(&to_json(&spec, &derived)).unwrap_or_default());
    } else {
        print_text(arg, read.format.name(), &spec, &derived);
    }
    if derived.is_ok() { EXIT_OK } else { EXIT_MISSING }
}

type Derived = Result<(Arch, Vec<WeightShare>, KvCache), Missing>;

fn to_json(spec: &ModelSpec, derived: &Derived) -> Value {
    let mut v = serde_json::to_value(spec).unwrap_or_else(|_| json!({}));
    let Some(obj) = v.as_object_mut() else { return v };
    match derived {
        Ok((a, weights, kv)) => {
            let (p, act) = (a.params(), a.active());
            obj.insert("params_total".into(), json!(p.total()));
            obj.insert("params_active".into(), json!(act.total()));
            obj.insert("kv_bytes_per_token".into(), json!(kv.bytes_per_token()));
            obj.insert("moe_layer_count".into(), json!(a.moe_layers()));
            obj.insert("dense_layer_count".into(), json!(a.dense_layers()));
            obj.insert(
                "params_by_module".into(),
                json!({
                    "embedding": p.embedding, "lm_head": p.lm_head, "attention": p.attention, "norms": p.norms,
                    "router": p.router, "routed_experts": p.routed_experts, "shared_experts": p.shared_experts,
                    "dense_ffn": p.dense_ffn,
                }),
            );
            let w: Vec<Value> =
                weights.iter().map(|w| json!({"dtype": w.dtype, "params": w.params, "bytes": w.bytes})).collect();
            obj.insert("weight_bytes".into(), json!(w));
        }
        Err(missing) => {
            for k in ["params_total", "params_active", "kv_bytes_per_token"] {
                obj.insert(k.into(), Value::Null);
            }
            let names: Vec<&str> = missing.0.iter().map(|c| c.field()).collect();
            obj.insert("missing".into(), json!(names));
        }
    }
    v
}

fn print_text(arg: &str, format: &str, m: &ModelSpec, derived: &Derived) {
    say!("{} ({format})", m.name.as_deref().unwrap_or(arg));
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let n = |v: Option<u64>| opt(v.map(|x| x.to_string()));
    let n32 = |v: Option<u32>| n(v.map(u64::from));
    say!("  layers {}  hidden {}  vocab {}", n32(m.layers), n(m.hidden), n(m.vocab));
    match m.kv_lora_rank {
        Some(r) => say!(
            "  attention MLA: {} heads, q_lora_rank {}, kv_lora_rank {r}, rope {}, nope {}, v {}",
            n32(m.heads),
            n(m.q_lora_rank),
            n(m.qk_rope_head_dim),
            n(m.qk_nope_head_dim),
            n(m.v_head_dim)
        ),
        None => say!("  attention: {} heads, {} KV heads, head_dim {}", n32(m.heads), n32(m.kv_heads), n(m.head_dim)),
    }
    if let Some(w) = m.window {
        say!("  window {w} tokens on {} layers", n32(m.window_layers));
    }
    say!(
        "  experts {} (top-{}), expert width {}, gated {}",
        n32(m.experts),
        n32(m.top_k),
        n(m.expert_hidden),
        opt(m.gated.map(|g| g.to_string()))
    );
    if m.shared_experts.unwrap_or(0) > 0 {
        say!("  shared experts {} of width {}", n32(m.shared_experts), n(m.shared_expert_hidden));
    }
    if let Some(w) = m.dense_hidden {
        say!("  dense FFN width {w}");
    }
    say!("  layer pattern: {}", pattern_text(m.layer_pattern.as_ref()));
    if let Some(mtp) = m.mtp_layers.filter(|n| *n > 0) {
        say!("  MTP modules {mtp} (not counted below)");
    }
    match derived {
        Ok((a, weights, kv)) => {
            say!("  MoE layers {}, dense layers {}", a.moe_layers(), a.dense_layers());
            say!(
                "  parameters: {} total, {} active per token",
                billions(a.params().total()),
                billions(a.active().total())
            );
            for w in weights {
                say!("  weights in {:?}: {} params, {}", w.dtype, billions(w.params), units::gigabytes(w.bytes / 1e9));
            }
            say!("  KV cache: {} bytes per token ({:?})", kv.bytes_per_token(), kv.dtype);
        }
        Err(missing) => say!("  totals: {missing}"),
    }
}

fn pattern_text(p: Option<&LayerPattern>) -> String {
    match p {
        None => "every layer MoE (or the last moe_layers)".into(),
        Some(LayerPattern::FirstDense { first_dense }) => format!("first {first_dense} dense, then MoE"),
        Some(LayerPattern::Every { step, first_dense }) => format!("MoE every {step} layers from layer {first_dense}"),
        Some(LayerPattern::Listed { moe }) => format!("{} listed MoE layers", moe.len()),
    }
}

fn billions(n: u64) -> String {
    format!("{:.2}B", n as f64 / 1e9)
}
