//! Top-level blocks (`deployment_strategy`, `hardware_configuration`, `model_configuration`,
//! `parallel_strategy`, ...) -> `Meta`. Lenient by design: these blocks are free-form agent
//! prose, so a value that cannot be read is skipped, never an error; the blocks themselves
//! stay verbatim in `plan.attrs`, so nothing is lost.

use super::units;
use crate::model::{Attrs, Dtype, Meta, Strategy};
use serde_json::Value;

/// Blocks whose fields describe the hardware. Sizes elsewhere (e.g. `memory_per_gpu_gb`
/// under `performance_characteristics`) are usage estimates, not capacity.
const HARDWARE_BLOCKS: &[&str] =
    &["hardware_configuration", "hardware_environment", "hardware", "hardware_config", "cluster", "gpu_allocation"];
const MODEL_BLOCKS: &[&str] =
    &["model_configuration", "model_config", "model", "model_spec", "input_requirements", "input_configuration"];
const STRATEGY_BLOCKS: &[&str] = &["parallel_strategy", "parallelism_configuration", "parallelism", "parallel_config"];

/// Strategy name fields, most specific first.
const STRATEGY_NAMES: &[&str] = &["deployment_strategy", "strategy", "parallel_strategy", "strategy_name"];

/// Fills the fields of `meta` still unset from the top-level fields of a file.
pub fn read_meta(top: &Attrs, meta: &mut Meta) {
    read_strategy(top, meta);
    let mut hardware: Vec<&Attrs> = vec![top];
    hardware.extend(blocks(top, HARDWARE_BLOCKS));
    for block in hardware {
        read_cluster(block, meta);
    }
    for block in blocks(top, MODEL_BLOCKS) {
        read_model(block, meta);
    }
}

fn blocks<'a>(top: &'a Attrs, names: &'a [&str]) -> impl Iterator<Item = &'a Attrs> {
    names.iter().filter_map(|n| top.get(*n)).filter_map(Value::as_object)
}

/// The first of `keys` present in `block` that `read` accepts.
fn pick<T>(block: &Attrs, keys: &[&str], read: impl Fn(&Value) -> Option<T>) -> Option<T> {
    keys.iter().filter_map(|k| block.get(*k)).find_map(read)
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn read_strategy(top: &Attrs, meta: &mut Meta) {
    let name = STRATEGY_NAMES.iter().filter_map(|k| top.get(*k)).find_map(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    });
    // Structured degrees are preferred to a name: `EP64_TP2_PP1_CORRECTED` is prose.
    let degrees = blocks(top, STRATEGY_BLOCKS).find_map(degrees);
    let parsed = name.as_deref().and_then(|n| Strategy::parse(n).ok());
    set(&mut meta.strategy, degrees.or(parsed));
    set(&mut meta.strategy_name, name);
}

/// EP/TP/PP/DP degrees from a block such as `{"expert_parallelism": 64, ...}`,
/// `{"expert_parallel": {"ep": 32}}` or `{"tensor_parallelism": {"degree": 2}}`.
fn degrees(block: &Attrs) -> Option<Strategy> {
    const NAMES: [&[&str]; 4] = [
        &["expert_parallelism", "expert_parallel", "ep", "ep_degree", "ep_size", "expert_parallel_size"],
        &["tensor_parallelism", "tensor_parallel", "tp", "tp_degree", "tp_size", "tensor_parallel_size"],
        &["pipeline_parallelism", "pipeline_parallel", "pp", "pp_degree", "pp_size", "pipeline_parallel_size"],
        &["data_parallelism", "data_parallel", "dp", "dp_degree", "dp_size", "data_parallel_size"],
    ];
    let found = NAMES.map(|keys| {
        pick(block, keys, |v| match v {
            Value::Object(inner) => {
                let mut inner_keys = vec!["degree", "size"];
                inner_keys.extend_from_slice(keys);
                pick(inner, &inner_keys, units::count32)
            }
            v => units::count32(v),
        })
    });
    if found.iter().all(Option::is_none) {
        return None;
    }
    let [ep, tp, pp, dp] = found.map(|d| d.unwrap_or(1));
    Strategy::new(ep, tp, pp, dp).ok()
}

fn read_cluster(block: &Attrs, meta: &mut Meta) {
    let c = &mut meta.cluster;
    set(&mut c.gpus, pick(block, &["total_gpus", "num_gpus", "gpu_count", "gpus", "world_size"], units::count32));
    set(
        &mut c.gpus_per_server,
        pick(block, &["gpus_per_server", "gpus_per_node", "gpus_per_host", "devices_per_node"], units::count32),
    );
    let memory = ["gpu_memory_gb", "single_gpu_memory", "gpu_memory", "memory_per_gpu", "vram", "memory_gb", "memory"];
    set(&mut c.memory_gb, pick(block, &memory, units::gigabytes));
    let compute =
        ["gpu_compute_tflops", "single_gpu_compute", "gpu_compute", "compute_tflops", "tflops", "peak_tflops"];
    set(&mut c.tflops, pick(block, &compute, units::teraflops));
    set(&mut c.mfu, pick(block, &["mfu", "mfu_utilization", "model_flops_utilization"], units::fraction));
    let bandwidth = ["memory_bandwidth", "memory_bandwidth_gbs", "vram_bandwidth", "hbm_bandwidth", "gpu_bandwidth"];
    set(&mut c.memory_bandwidth_gbs, pick(block, &bandwidth, units::gigabytes_per_second));
    let utilization = ["bandwidth_utilization", "memory_bandwidth_utilization"];
    set(&mut c.bandwidth_utilization, pick(block, &utilization, units::fraction));
    let intra = ["intra_server_bandwidth", "intra_node_bandwidth", "nvlink_bandwidth", "intra_bandwidth"];
    set(&mut c.intra_server_gbs, pick(block, &intra, units::gigabytes_per_second));
    let inter = ["inter_server_bandwidth", "inter_node_bandwidth", "network_bandwidth", "inter_bandwidth"];
    set(&mut c.inter_server_gbs, pick(block, &inter, units::gigabytes_per_second));
}

fn read_model(block: &Attrs, meta: &mut Meta) {
    let m = &mut meta.model;
    set(&mut m.layers, pick(block, &["layers", "num_layers", "num_hidden_layers", "n_layers"], units::count32));
    set(&mut m.moe_layers, pick(block, &["moe_layers", "num_moe_layers"], units::count32));
    let experts = ["experts_per_layer", "num_experts", "experts", "n_experts", "n_routed_experts"];
    set(&mut m.experts, pick(block, &experts, units::count32));
    let top_k = ["top_k", "top_k_gate", "topk", "num_experts_per_tok", "experts_per_token"];
    set(&mut m.top_k, pick(block, &top_k, units::count32));
    let hidden = ["hidden_size", "token_dimension", "hidden", "d_model", "hidden_dim", "hidden_dimension"];
    set(&mut m.hidden, pick(block, &hidden, units::count));
    let expert_hidden =
        ["moe_hidden_size", "expert_hidden", "expert_hidden_size", "moe_intermediate_size", "ffn_hidden_size"];
    set(&mut m.expert_hidden, pick(block, &expert_hidden, units::count));
    let heads = ["attention_heads", "num_attention_heads", "num_heads", "heads", "n_heads"];
    set(&mut m.heads, pick(block, &heads, units::count32));
    let kv_heads = ["gqa_kv_heads", "kv_heads", "num_key_value_heads", "num_kv_heads"];
    set(&mut m.kv_heads, pick(block, &kv_heads, units::count32));
    set(&mut m.head_dim, pick(block, &["head_dimension", "head_dim", "head_size"], units::count));
    set(&mut m.vocab, pick(block, &["vocabulary_size", "vocab_size", "vocab"], units::count));
    set(&mut m.dtype, pick(block, &["precision", "dtype", "data_type"], |v| v.as_str().and_then(Dtype::parse)));
    set(&mut m.batch, pick(block, &["batch_size", "batch", "global_batch_size"], units::count));
    // `input_sequence` is the prefill length: used only when no plain length is given.
    let seq = ["sequence_length", "seq_len", "seq_length", "max_seq_len", "input_sequence"];
    set(&mut m.seq_len, pick(block, &seq, units::count));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta_of(v: Value) -> Meta {
        let mut meta = Meta::default();
        read_meta(v.as_object().unwrap(), &mut meta);
        meta
    }

    #[test]
    fn degrees_win_over_a_name() {
        let m = meta_of(json!({"deployment_strategy": "EP8_TP2", "parallel_strategy": {"expert_parallelism": 16}}));
        assert_eq!(m.strategy.unwrap().to_string(), "EP16_TP1_PP1_DP1");
        assert_eq!(m.strategy_name.as_deref(), Some("EP8_TP2"));
    }

    #[test]
    fn nested_degree_objects() {
        let m = meta_of(json!({"parallelism_configuration": {
            "tensor_parallelism": {"degree": 2}, "expert_parallelism": {"degree": 4, "total_experts": 64}}}));
        assert_eq!(m.strategy.unwrap().to_string(), "EP4_TP2_PP1_DP1");
        let m = meta_of(json!({"parallel_strategy": {"expert_parallel": {"ep": 32}, "data_parallel": {"dp": 1}}}));
        assert_eq!(m.strategy.unwrap().to_string(), "EP32_TP1_PP1_DP1");
    }

    #[test]
    fn usage_estimates_are_not_capacity() {
        let m = meta_of(json!({"performance_characteristics": {"memory_per_gpu_gb": "33.0"}}));
        assert_eq!(m.cluster.memory_gb, None);
    }
}
