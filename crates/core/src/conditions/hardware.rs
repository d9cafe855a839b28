//! Hardware files → the cluster they state: cli99/llm-analysis `gpu_configs/*.json` (GB,
//! GB/s, TFLOPS, seconds) and ai-dynamo/aiconfigurator `systems/*.yaml` (bytes, B/s,
//! FLOP/s, seconds). Every value's magnitude is checked against its stated unit.

use super::ConditionsError;
use super::keys::Obj;
use super::magnitude::{Quantity, check};
use super::record::Record;
use crate::model::ClusterSpec;
use serde_json::{Map, Value};

pub(super) fn looks_like_llm_analysis(top: &Map<String, Value>) -> bool {
    top.keys().any(|k| k.starts_with("peak_") || k.ends_with("_in_GB") || k.contains("_in_GB_per_sec"))
}

pub(super) fn looks_like_aiconfigurator(top: &Map<String, Value>) -> bool {
    top.get("gpu")
        .and_then(Value::as_object)
        .is_some_and(|g| g.contains_key("mem_bw") || g.contains_key("mem_capacity"))
}

/// One key: its value in the stated unit, scaled and checked.
fn q(
    o: &Obj<'_>,
    key: &str,
    stated: &'static str,
    scale: f64,
    quantity: Quantity,
) -> Result<Option<f64>, ConditionsError> {
    o.float(key)?.map(|v| check(&format!("{}{key}", o.prefix), v, stated, scale, quantity)).transpose()
}

pub(super) fn read_llm_analysis(top: &Map<String, Value>, rec: &mut Record) -> Result<ClusterSpec, ConditionsError> {
    let o = Obj::new(top, "");
    let mut c = ClusterSpec::default();
    rec.set(&mut c.gpu_name, o.string("name")?.map(str::to_string), "cluster.gpu_name");
    rec.set(&mut c.memory_gb, q(&o, "mem_per_GPU_in_GB", "GB", 1.0, Quantity::MemoryGb)?, "cluster.memory_gb");
    rec.set(
        &mut c.memory_bandwidth_gbs,
        q(&o, "hbm_bandwidth_in_GB_per_sec", "GB/s", 1.0, Quantity::MemoryGbs)?,
        "cluster.memory_bandwidth_gbs",
    );
    rec.set(
        &mut c.intra_server_gbs,
        q(&o, "intra_node_bandwidth_in_GB_per_sec", "GB/s", 1.0, Quantity::LinkGbs)?,
        "cluster.intra_server_gbs",
    );
    rec.set(
        &mut c.inter_server_gbs,
        q(&o, "inter_node_bandwidth_in_GB_per_sec", "GB/s", 1.0, Quantity::LinkGbs)?,
        "cluster.inter_server_gbs",
    );
    let alpha = q(&o, "intra_node_min_message_latency", "seconds", 1.0, Quantity::LatencySeconds)?;
    rec.set(&mut c.alpha_intra_us, alpha.map(|s| s * 1e6), "cluster.alpha_intra_us");
    let bf16 = q(&o, "peak_fp16_TFLOPS", "TFLOPS", 1.0, Quantity::Tflops)?.or(q(
        &o,
        "peak_bf16_TFLOPS",
        "TFLOPS",
        1.0,
        Quantity::Tflops,
    )?);
    rec.set(&mut c.tflops, bf16, "cluster.tflops");
    rec.set(&mut c.tflops_fp8, q(&o, "peak_fp8_TFLOPS", "TFLOPS", 1.0, Quantity::Tflops)?, "cluster.tflops_fp8");
    rec.set(&mut c.tflops_fp4, q(&o, "peak_fp4_TFLOPS", "TFLOPS", 1.0, Quantity::Tflops)?, "cluster.tflops_fp4");
    // peak_i8/i4_TFLOPS are integer peaks: not FP8/FP4 (an A100 has INT8 and no FP8).
    Ok(c)
}

pub(super) fn read_aiconfigurator(top: &Map<String, Value>, rec: &mut Record) -> Result<ClusterSpec, ConditionsError> {
    let root = Obj::new(top, "");
    let mut c = ClusterSpec::default();
    if let Some(gpu) = root.object("gpu")? {
        let g = Obj::new(gpu, "gpu.");
        rec.set(
            &mut c.memory_bandwidth_gbs,
            q(&g, "mem_bw", "B/s", 1e-9, Quantity::MemoryGbs)?,
            "cluster.memory_bandwidth_gbs",
        );
        rec.set(&mut c.memory_gb, q(&g, "mem_capacity", "bytes", 1e-9, Quantity::MemoryGb)?, "cluster.memory_gb");
        rec.set(&mut c.tflops, q(&g, "bfloat16_tc_flops", "FLOP/s", 1e-12, Quantity::Tflops)?, "cluster.tflops");
        rec.set(&mut c.tflops_fp8, q(&g, "fp8_tc_flops", "FLOP/s", 1e-12, Quantity::Tflops)?, "cluster.tflops_fp8");
        rec.set(&mut c.tflops_fp4, q(&g, "fp4_tc_flops", "FLOP/s", 1e-12, Quantity::Tflops)?, "cluster.tflops_fp4");
        let eff = q(&g, "mem_bw_empirical_scaling_factor", "a fraction", 1.0, Quantity::Fraction)?;
        rec.set(&mut c.bandwidth_utilization, eff, "cluster.bandwidth_utilization");
    }
    if let Some(node) = root.object("node")? {
        let n = Obj::new(node, "node.");
        rec.set(&mut c.gpus_per_server, n.uint32("num_gpus_per_node")?, "cluster.gpus_per_server");
        // Both per GPU, one direction (the file's own comments).
        rec.set(
            &mut c.inter_server_gbs,
            q(&n, "inter_node_bw", "B/s", 1e-9, Quantity::LinkGbs)?,
            "cluster.inter_server_gbs",
        );
        rec.set(
            &mut c.intra_server_gbs,
            q(&n, "intra_node_bw", "B/s", 1e-9, Quantity::LinkGbs)?,
            "cluster.intra_server_gbs",
        );
    }
    if let Some(dir) = root.string("data_dir")? {
        // `data_dir: data/h200_sxm`: the system's name, for display.
        let name = dir.rsplit('/').next().unwrap_or(dir).replace('_', " ").to_uppercase();
        rec.set(&mut c.gpu_name, Some(name), "cluster.gpu_name");
    }
    Ok(c)
}
