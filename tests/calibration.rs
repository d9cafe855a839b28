//! The calibration (docs/calibration.md): planscope's predictions beside published
//! measurements. Each row holds its prediction within the band the doc states (1.5× either
//! way unless the doc says why a row misses), so a change to the cost model that moves a
//! row out of its band fails here and must be documented.

use planscope_core::cost::comm::{Direction, Exchange, all_to_all_time, distinct, payload_bytes};
use planscope_core::cost::{Constants, resolve};
use planscope_core::model::{ClusterSpec, Dtype, Format, Meta, ModelSpec, ModuleDtypes, Phase, Plan};

const BAND: f64 = 1.5;

/// H800 as DeepEP's README states its test bed: ~160 GB/s NVLink, one CX7 400 Gb/s
/// (~50 GB/s) NIC per GPU, 8 GPUs per node; 989 dense BF16 TFLOPS, 1979 FP8 (H800 SXM
/// datasheet, same tensor cores as H100 SXM), 3.35 TB/s HBM3, 80 GB.
fn h800() -> ClusterSpec {
    ClusterSpec {
        gpus_per_server: Some(8),
        intra_server_gbs: Some(160.0),
        inter_server_gbs: Some(50.0),
        tflops: Some(989.0),
        tflops_fp8: Some(1979.0),
        memory_bandwidth_gbs: Some(3350.0),
        memory_gb: Some(80.0),
        ..ClusterSpec::default()
    }
}

/// DeepSeek-V3's config.json (../shared/real/deepseek-v3__config.json) as ModelSpec.
fn deepseek_v3() -> ModelSpec {
    ModelSpec {
        layers: Some(61),
        moe_layers: Some(58),
        experts: Some(256),
        top_k: Some(8),
        hidden: Some(7168),
        expert_hidden: Some(2048),
        dense_hidden: Some(18432),
        heads: Some(128),
        vocab: Some(129280),
        gated: Some(true),
        shared_experts: Some(1),
        shared_expert_hidden: Some(2048),
        expert_groups: Some(8),
        topk_groups: Some(4),
        q_lora_rank: Some(1536),
        kv_lora_rank: Some(512),
        qk_rope_head_dim: Some(64),
        qk_nope_head_dim: Some(128),
        v_head_dim: Some(128),
        dtype: Some(Dtype::Bf16),
        dtypes: ModuleDtypes {
            experts: Some(Dtype::Fp8),
            dense: Some(Dtype::Fp8),
            dispatch: Some(Dtype::Fp8),
            combine: Some(Dtype::Bf16),
            ..ModuleDtypes::default()
        },
        ..ModelSpec::default()
    }
}

fn constants(model: ModelSpec) -> Constants {
    let meta = Meta { cluster: h800(), model, ..Meta::default() };
    resolve(&meta, &Plan::new(Format::Json), None)
}

struct Row {
    what: String,
    measured: f64,
    predicted: f64,
}

fn check(rows: &[Row]) {
    let mut bad = Vec::new();
    for r in rows {
        let ratio = r.predicted / r.measured;
        eprintln!("{:<40} measured {:>10.3}  predicted {:>10.3}  ratio {:.2}", r.what, r.measured, r.predicted, ratio);
        if !(1.0 / BAND..=BAND).contains(&ratio) {
            bad.push(format!("{}: ratio {ratio:.2}", r.what));
        }
    }
    assert!(bad.is_empty(), "rows outside ×{BAND}: {bad:?}");
}

/// DeepEP README, low-latency kernels: 128 tokens per GPU, hidden 7168, top-8, FP8
/// dispatch, BF16 combine; latency in µs.
#[test]
fn deepep_low_latency() {
    let dispatch = [(8, 77.0), (16, 118.0), (32, 155.0), (64, 173.0), (128, 192.0), (256, 194.0)];
    let combine = [(8, 114.0), (16, 195.0), (32, 273.0), (64, 314.0), (128, 369.0), (256, 360.0)];
    let c = constants(ModelSpec { phase: Some(Phase::Decode), ..deepseek_v3() });
    let mut rows = Vec::new();
    for (direction, table) in [(Direction::Dispatch, dispatch), (Direction::Combine, combine)] {
        for (ep, us) in table {
            let x = Exchange {
                n: ep,
                servers: (ep / 8).max(1),
                elements: 128.0 * 8.0 * 7168.0,
                direction,
                inter_step: false,
            };
            rows.push(Row {
                what: format!("DeepEP LL {direction:?} EP{ep} (µs)"),
                measured: us,
                predicted: all_to_all_time(&x, &c) * 1e6,
            });
        }
    }
    check(&rows);
}

/// DeepEP README, normal kernels: 4096 tokens per GPU, hidden 7168, top-4 groups, top-8,
/// FP8 dispatch, BF16 combine; "bottleneck bandwidth" in GB/s, NVLink at EP8, RDMA beyond.
/// DeepEP's test counts the bytes a GPU receives (EP8) or sends per RDMA rank (distinct
/// nodes per token, its own node included); the prediction divides the same bytes by the
/// predicted time.
#[test]
fn deepep_normal() {
    let dispatch = [(8, 153.0), (16, 43.0), (32, 58.0), (64, 51.0)];
    let combine = [(8, 158.0), (16, 43.0), (32, 57.0), (64, 50.0)];
    let c = constants(ModelSpec { phase: Some(Phase::Prefill), ..deepseek_v3() });
    let mut rows = Vec::new();
    for (direction, table) in [(Direction::Dispatch, dispatch), (Direction::Combine, combine)] {
        for (ep, gbs) in table {
            let servers = (ep / 8).max(1);
            let tokens = 4096.0;
            let x = Exchange { n: ep, servers, elements: tokens * 8.0 * 7168.0, direction, inter_step: false };
            let t = all_to_all_time(&x, &c);
            let b = payload_bytes(direction, &c);
            let counted = if servers == 1 {
                // Tokens received per GPU: one copy per distinct GPU, own included.
                tokens * distinct(ep as f64, 8.0) * 7168.0 * b
            } else {
                let reach = (servers as f64).min(4.0);
                tokens * distinct(reach, 8.0) * 7168.0 * b
            };
            rows.push(Row {
                what: format!("DeepEP normal {direction:?} EP{ep} (GB/s)"),
                measured: gbs,
                predicted: counted / t / 1e9,
            });
        }
    }
    check(&rows);
}
