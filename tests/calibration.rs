//! The calibration (docs/calibration.md): planscope's predictions beside published
//! measurements. Each row holds its prediction within the band the doc states (1.5× either
//! way unless the doc says why a row misses), so a change to the cost model that moves a
//! row out of its band fails here and must be documented.

use planscope_core::cost::comm::{Direction, Exchange, all_to_all_time, distinct, payload_bytes};
use planscope_core::cost::{Constants, NodeWork, Precision, resolve};
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

/// H100 SXM as planscope's `h100` hardware preset gives it (crates/core/src/conditions/
/// hardware_presets.rs: the H100 SXM datasheet and the DGX H100): 450 GB/s NVLink per
/// direction, one CX7 400 Gb/s (50 GB/s) NIC per GPU, 8 GPUs per node; 989 dense BF16
/// TFLOPS, 1979 FP8, 3.35 TB/s HBM3, 80 GB.
fn h100() -> ClusterSpec {
    let spec = planscope_core::conditions::hardware_preset("h100").expect("the h100 preset").spec();
    assert_eq!((spec.tflops, spec.tflops_fp8, spec.inter_server_gbs), (Some(989.0), Some(1979.0), Some(50.0)));
    spec
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
    constants_on(h800(), model)
}

fn constants_on(cluster: ClusterSpec, model: ModelSpec) -> Constants {
    let meta = Meta { cluster, model, ..Meta::default() };
    resolve(&meta, &Plan::new(Format::Json), None)
}

struct Row {
    what: String,
    measured: f64,
    predicted: f64,
}

fn check(rows: &[Row]) {
    check_within(rows, BAND);
}

/// `band`: the ratio docs/calibration.md states for these rows (1.5 unless it says why not).
fn check_within(rows: &[Row], band: f64) {
    let mut bad = Vec::new();
    for r in rows {
        let ratio = r.predicted / r.measured;
        eprintln!("{:<40} measured {:>10.3}  predicted {:>10.3}  ratio {:.2}", r.what, r.measured, r.predicted, ratio);
        if !(1.0 / band..=band).contains(&ratio) {
            bad.push(format!("{}: ratio {ratio:.2}", r.what));
        }
    }
    assert!(bad.is_empty(), "rows outside ×{band}: {bad:?}");
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

/// DeepGEMM README (H800, FP8 grouped GEMMs with BF16 output, the DeepSeek-V3 shapes):
/// achieved TFLOPS. The prediction is the roofline of 2·G·M·N·K FLOPs and
/// G·(M·K + N·K + 2·M·N) bytes at the FP8 peak × MFU.
#[test]
fn deepgemm_grouped() {
    let contiguous = [
        (4, 8192, 4096, 7168, 1297.0),
        (4, 8192, 7168, 2048, 1099.0),
        (8, 4096, 4096, 7168, 1288.0),
        (8, 4096, 7168, 2048, 1093.0),
    ];
    let masked = [
        (1, 1024, 4096, 7168, 1233.0),
        (1, 1024, 7168, 2048, 925.0),
        (2, 512, 4096, 7168, 1040.0),
        (2, 512, 7168, 2048, 916.0),
        (4, 256, 4096, 7168, 932.0),
        (4, 256, 7168, 2048, 815.0),
    ];
    let c = constants(deepseek_v3());
    let mut rows = Vec::new();
    for (layout, table) in [("contiguous", &contiguous[..]), ("masked", &masked[..])] {
        for &(g, m, n, k, tflops) in table {
            let (g, m, n, k) = (g as f64, m as f64, n as f64, k as f64);
            let flops = 2.0 * g * m * n * k;
            let bytes = g * (m * k + n * k + 2.0 * m * n);
            let gemm = NodeWork { flops, bytes, precision: Precision::Fp8, ..NodeWork::default() };
            let t = planscope_core::cost::roofline_time(&c, &gemm, 1.0);
            rows.push(Row {
                what: format!("DeepGEMM {layout} {g}x{m}x{n}x{k} (TFLOPS)"),
                measured: tflops,
                predicted: flops / t / 1e12,
            });
        }
    }
    check(&rows);
}

/// A DeepSeek-V3 deployment for [`deepseek_step`]: the strategy as planscope names it, the
/// GPUs it spans (each its own attention DP rank, so requests are counted per GPU), the
/// hardware, and DeepEP's dispatch payload (the combine is BF16 in both DeepEP modes).
struct Deployment {
    strategy: &'static str,
    gpus: u64,
    cluster: ClusterSpec,
    dispatch: Dtype,
}

/// One step of DeepSeek-V3 deployed as `d`, generated (`gen`), verified and simulated, with
/// `requests_per_gpu` requests of `seq` tokens each (1 in decode, over a KV `context`).
/// 256 routed + 32 redundant experts are modelled as 288 experts each taking 8/288 of the
/// tokens (the load EPLB's replicas aim for; planscope builds no replicas), one shared
/// expert per GPU, attention data-parallel (one DP rank per GPU). All 61 layers are
/// generated as MoE layers: the 3 dense layers' FFN (3·7168·18432) has the FLOPs of 9
/// experts of 2048 and weighs the same as one GPU's share in neither phase, so this
/// slightly under-counts them. Tokens per second per node: (serial, with two-batch overlap).
fn deepseek_step(d: &Deployment, requests_per_gpu: u64, seq: u64, phase: Phase, context: Option<u64>) -> (f64, f64) {
    use planscope_core::check::{VerifyOptions, verify};
    use planscope_core::r#gen::{GenSpec, generate};
    use planscope_core::model::Strategy;
    let s = Strategy::parse(d.strategy).unwrap();
    let mut spec = GenSpec::new(s, 61, 288);
    spec.top_k = 8;
    spec.shared_experts = 1;
    spec.hidden = 7168;
    spec.expert_hidden = 2048;
    spec.heads = 128;
    spec.batch = requests_per_gpu * d.gpus;
    spec.seq = seq;
    spec.dtype = Dtype::Bf16;
    spec.cluster = ClusterSpec { mfu: Some(0.6), bandwidth_utilization: Some(0.8), ..d.cluster.clone() };
    let plan = generate(&spec);
    assert_eq!(plan.meta.cluster.gpus.map(u64::from), Some(d.gpus), "{}", d.strategy);
    let mut model = ModelSpec { experts: Some(288), phase: Some(phase), context, layers: Some(61), ..deepseek_v3() };
    model.dtypes.dispatch = Some(d.dispatch);
    let opts =
        VerifyOptions { overrides: Meta { model, ..Meta::default() }, overlap: true, ..VerifyOptions::default() };
    let r = verify(&plan, &opts);
    let errors: Vec<_> = r.errors().map(|f| f.message.clone()).collect();
    assert!(errors.is_empty(), "{}: {errors:?}", d.strategy);
    let sim = r.metrics.simulation.expect("simulated");
    eprintln!(
        "{} {phase:?}: step {:.2} ms, overlapped {:?} ms, per layer {:?}",
        d.strategy,
        sim.step_time_s * 1e3,
        sim.overlapped_step_time_s.map(|t| t * 1e3),
        sim.per_layer
    );
    let overlapped = sim.coverage.tokens_per_s_per_gpu.expect("throughput") * 8.0;
    let serial = overlapped * sim.overlapped_step_time_s.expect("overlap asked") / sim.step_time_s;
    (serial, overlapped)
}

/// DeepSeek-V3/R1 Inference System Overview (deepseek-ai/open-infra-index, 2025-02, day 6):
/// per H800 node, ~73.7k input tokens/s in prefill (cache hits included; 56.3% of input
/// tokens hit the on-disk cache, so 43.7% of them, ~32.2k/s, were computed) and ~14.8k
/// output tokens/s in decode, at 20–22 tokens/s per user and an average KV length of 4,989.
/// Prefill: EP32 over 4 nodes; decode: EP144 over 18 nodes; FP8 dispatch; two-batch overlap.
fn deepseek_ep(strategy: &'static str, ep: u64) -> Deployment {
    Deployment { strategy, gpus: ep, cluster: h800(), dispatch: Dtype::Fp8 }
}

#[test]
fn deepseek_inference_per_node() {
    // Decode: ~88 requests per GPU (1,850 tokens/s per GPU at ~21 tokens/s per user).
    let decode = deepseek_step(&deepseek_ep("EP144", 144), 88, 1, Phase::Decode, Some(4989));
    // Prefill: 4 prompts of 4,096 tokens per GPU (DeepSeek's average input is ~4.4k).
    let prefill = deepseek_step(&deepseek_ep("EP32", 32), 4, 4096, Phase::Prefill, None);
    let computed = 73_700.0 * (1.0 - 0.563);
    check(&[
        Row { what: "DeepSeek decode tokens/s/node, serial".into(), measured: 14_800.0, predicted: decode.0 },
        Row { what: "DeepSeek prefill tokens/s/node, serial".into(), measured: computed, predicted: prefill.0 },
    ]);
    // Misses, with the reasons docs/calibration.md gives (a production 24-hour average at a
    // latency target; kernels planscope does not model; overlap taken as perfect).
    check_within(
        &[Row { what: "DeepSeek decode tokens/s/node, overlap".into(), measured: 14_800.0, predicted: decode.1 }],
        2.0,
    );
    check_within(
        &[Row { what: "DeepSeek prefill tokens/s/node, overlap".into(), measured: computed, predicted: prefill.1 }],
        3.5,
    );
}

/// The SGLang team, "Deploying DeepSeek with PD Disaggregation and Large-scale Expert
/// Parallelism on 96 H100 GPUs" (LMSYS blog, 2025-05-05; lm-sys/lm-sys.github.io
/// blog/2025-05-05-large-scale-ep.md), per H100 node of the phase's own servers, every
/// figure with two-batch overlap. Prefill on 4 nodes (EP32, DP attention), 16,384 tokens per
/// GPU: 57,674 / 54,543 / 50,302 tokens/s for 1K / 2K / 4K prompts, 59,337 at 4K with a
/// simulated perfect EPLB, and the headline 52.3k for 2,000-token inputs. Decode on 9 nodes
/// (EP72, DP attention), 256 requests per GPU at a KV length of 2,000: 22,282 tokens/s (no
/// MTP); the two-batch-overlap ablation gives 22,310 at 256 with a 25.5% speedup, so
/// 22,310 / 1.255 without it. SGLang's strategy as planscope reads `--tp N --dp N
/// --enable-dp-attention` with DeepEP's EP = TP, without the 32 redundant experts (modelled
/// as 288 experts); normal-mode dispatch in BF16 and low-latency dispatch in FP8, as
/// SGLang's DeepEP dispatcher at commit e148a506 sends them (the blog does not say; FP8
/// dispatch in prefill is shown beside it).
#[test]
fn sglang_large_scale_ep_per_node() {
    let prefill = |dispatch| Deployment { strategy: "EP32_TP32_DP32_ETP1_DPATTN", gpus: 32, cluster: h100(), dispatch };
    let decode = Deployment { strategy: "EP72_TP72_DP72_ETP1_DPATTN", gpus: 72, cluster: h100(), dispatch: Dtype::Fp8 };
    // 16,384 tokens per GPU (stated for 4K, assumed for 1K and 2K): 16 prompts of 1K, 8 of
    // 2K, 4 of 4K; the headline's 2,000-token prompts as 8 per GPU (16,000 tokens).
    let p1k = deepseek_step(&prefill(Dtype::Bf16), 16, 1024, Phase::Prefill, None);
    let p2k = deepseek_step(&prefill(Dtype::Bf16), 8, 2048, Phase::Prefill, None);
    let p4k = deepseek_step(&prefill(Dtype::Bf16), 4, 4096, Phase::Prefill, None);
    let p2000 = deepseek_step(&prefill(Dtype::Bf16), 8, 2000, Phase::Prefill, None);
    let p4k_fp8 = deepseek_step(&prefill(Dtype::Fp8), 4, 4096, Phase::Prefill, None);
    let d = deepseek_step(&decode, 256, 1, Phase::Decode, Some(2000));
    // One decode dispatch of a TBO micro-batch (128 of the 256 tokens) over EP72 on 9 nodes,
    // FP8: "~0.17ms per layer" in the blog's kernel breakdown.
    let c = constants_on(h100(), ModelSpec { phase: Some(Phase::Decode), experts: Some(288), ..deepseek_v3() });
    let x = Exchange {
        n: 72,
        servers: 9,
        elements: 128.0 * 8.0 * 7168.0,
        direction: Direction::Dispatch,
        inter_step: false,
    };
    let dispatch_us = all_to_all_time(&x, &c) * 1e6;
    let row = |what: &str, measured: f64, predicted: f64| Row { what: what.into(), measured, predicted };
    check(&[
        row("SGLang prefill 2000-token headline, serial", 52_300.0, p2000.0),
        row("SGLang prefill 2000-token headline, overlap", 52_300.0, p2000.1),
        row("SGLang prefill 1K, serial", 57_674.0, p1k.0),
        row("SGLang prefill 1K, overlap", 57_674.0, p1k.1),
        row("SGLang prefill 2K, serial", 54_543.0, p2k.0),
        row("SGLang prefill 2K, overlap", 54_543.0, p2k.1),
        row("SGLang prefill 4K, serial", 50_302.0, p4k.0),
        row("SGLang prefill 4K, overlap", 50_302.0, p4k.1),
        row("SGLang prefill 4K perfect EPLB, serial", 59_337.0, p4k.0),
        row("SGLang prefill 4K perfect EPLB, overlap", 59_337.0, p4k.1),
        row("SGLang prefill 4K FP8 dispatch, serial", 50_302.0, p4k_fp8.0),
        row("SGLang prefill 4K FP8 disp., perfect EPLB, serial", 59_337.0, p4k_fp8.0),
        row("SGLang decode (22.3k headline), serial", 22_282.0, d.0),
        row("SGLang decode without TBO, serial", 22_310.0 / 1.255, d.0),
        row("SGLang decode dispatch, 128 tokens (µs)", 170.0, dispatch_us),
    ]);
    // Misses, with the reasons docs/calibration.md gives (overlap taken as perfect; kernels,
    // SMs and stragglers planscope does not model).
    check_within(
        &[
            row("SGLang prefill 4K FP8 dispatch, overlap", 50_302.0, p4k_fp8.1),
            row("SGLang prefill 4K FP8 disp., perfect EPLB, overlap", 59_337.0, p4k_fp8.1),
            row("SGLang decode (22.3k headline), overlap", 22_282.0, d.1),
        ],
        2.0,
    );
}

/// Baseten, "Faster Mixtral inference with TensorRT-LLM and quantization" (2024): Mixtral
/// 8x7B with int8 weights on one A100 (80 GB SXM: 2,039 GB/s, 312 TFLOPS BF16), batch 1,
/// 512-token input, 128-token output: 81 tokens/s. Decode at batch 1 reads the weights of
/// the ~1.75 experts the token picks (of 8, top-2) per layer, attention (GQA, 8 KV heads)
/// and the LM head (FP16, TensorRT-LLM's weight-only quantisation keeps it so).
#[test]
fn mixtral_single_request_decode() {
    use planscope_core::check::{VerifyOptions, verify};
    use planscope_core::r#gen::{GenSpec, generate};
    use planscope_core::model::Strategy;
    let s = Strategy::parse("EP1").unwrap();
    let mut spec = GenSpec::new(s, 32, 8);
    spec.top_k = 2;
    spec.hidden = 4096;
    spec.expert_hidden = 14336;
    spec.heads = 32;
    spec.batch = 1;
    spec.seq = 1;
    spec.dtype = Dtype::Bf16;
    spec.cluster = ClusterSpec {
        tflops: Some(312.0),
        memory_bandwidth_gbs: Some(2039.0),
        memory_gb: Some(80.0),
        mfu: Some(0.6),
        bandwidth_utilization: Some(0.8),
        ..ClusterSpec::default()
    };
    let plan = generate(&spec);
    let model = ModelSpec {
        kv_heads: Some(8),
        head_dim: Some(128),
        vocab: Some(32000),
        gated: Some(true),
        phase: Some(Phase::Decode),
        // Mid-generation: 512 prompt tokens + half of 128 generated.
        context: Some(576),
        dtypes: ModuleDtypes {
            experts: Some(Dtype::Int8),
            dense: Some(Dtype::Int8),
            embedding: Some(Dtype::Fp16),
            ..ModuleDtypes::default()
        },
        ..ModelSpec::default()
    };
    let r = verify(&plan, &VerifyOptions { overrides: Meta { model, ..Meta::default() }, ..VerifyOptions::default() });
    let sim = r.metrics.simulation.expect("simulated");
    eprintln!("Mixtral batch 1: step {:.2} ms, per layer {:?}", sim.step_time_s * 1e3, sim.per_layer);
    let predicted = sim.coverage.tokens_per_s_per_gpu.expect("throughput");
    check_within(&[Row { what: "Mixtral-8x7B int8 A100 batch 1 (tokens/s)".into(), measured: 81.0, predicted }], 2.0);
}

/// ZeRO (Rajbhandari et al. 2020), Figure 1: a 7.5B-parameter model, mixed-precision Adam
/// (K = 12), 64 data-parallel GPUs: 120 GB per GPU unsharded, 31.4 with the optimizer
/// states sharded (P_os), 16.6 with the gradients too (P_os+g), 1.9 with the weights too.
/// planscope counts as Megatron-LM does (an FP32 copy of FP16 gradients: 20 bytes per
/// parameter, not 16), which docs/calibration.md says; one dense 7.5B node per GPU.
#[test]
fn zero_training_memory() {
    use planscope_core::check::{VerifyOptions, verify};
    use planscope_core::model::{Strategy, ZeroStage};
    let nodes: Vec<String> = (0..64).map(|g| format!(r#"{{"id": "mlp_dp{g}", "type": "mlp", "gpu": {g}}}"#)).collect();
    let plan = planscope_core::read::read_plan(&format!(r#"{{"nodes": [{}], "edges": []}}"#, nodes.join(","))).unwrap();
    let per_gpu = |stage: u8| {
        let model = ModelSpec {
            // 2 matrices of 5,000 × 750,000: 7.5B parameters.
            hidden: Some(5000),
            dense_hidden: Some(750_000),
            gated: Some(false),
            dtype: Some(Dtype::Fp16),
            phase: Some(Phase::Train),
            zero_stage: Some(ZeroStage::try_from(stage).unwrap()),
            ..ModelSpec::default()
        };
        let opts = VerifyOptions {
            overrides: Meta { model, ..Meta::default() },
            strategy: Some(Strategy::parse("EP1_TP1_PP1_DP64").unwrap()),
            ..VerifyOptions::default()
        };
        verify(&plan, &opts).metrics.memory.expect("memory").total_gb.max
    };
    let rows: Vec<Row> = [(0, "baseline", 120.0), (1, "P_os", 31.4), (2, "P_os+g", 16.6), (3, "P_os+g+p", 1.9)]
        .into_iter()
        .map(|(stage, name, measured)| Row {
            what: format!("ZeRO Fig. 1, 7.5B on DP64, {name} (GB)"),
            measured,
            predicted: per_gpu(stage),
        })
        .collect();
    assert!((rows[0].predicted - 150.0).abs() < 1e-6, "20 bytes per parameter: {}", rows[0].predicted);
    check(&rows);
}

/// Megatron-Core's Qwen3-235B-A22B training on 256 H100 (yanring/Megatron-MoE-ModelZoo,
/// `best_practice/Qwen3/readme.md`): BF16, sequences of 4,096, micro-batch 1, global batch
/// 2,048, the distributed optimizer; step time in seconds. planscope: the generated plan of
/// each layout with its micro-batches (GBS / DP), the `h100` preset at MFU 0.6, sequence
/// parallel, without the interleaved schedule (VPP) the runs used, which the generator does
/// not build.
#[test]
fn megatron_training_step() {
    use planscope_core::check::{VerifyOptions, verify};
    use planscope_core::model::{Strategy, ZeroStage};
    let step = |strategy: &str, dp: u64| {
        let mut meta = Meta::default();
        meta.model = planscope_core::conditions::preset("qwen3-235b-a22b").unwrap().meta.model;
        meta.cluster = ClusterSpec { gpus: Some(256), mfu: Some(0.6), bandwidth_utilization: Some(0.8), ..h100() };
        meta.strategy = Some(Strategy::parse(strategy).unwrap());
        meta.model.phase = Some(Phase::Train);
        meta.model.zero_stage = Some(ZeroStage::OPTIMIZER);
        meta.model.sequence_parallel = Some(true);
        meta.model.seq_len = Some(4096);
        meta.model.batch = Some(dp);
        meta.model.micro_batches = Some(u32::try_from(2048 / dp).unwrap());
        let plan = planscope_core::r#gen::plan_from(&meta, planscope_core::limits::Capacity::Native)
            .unwrap_or_else(|e| panic!("{strategy}: {e}"));
        let sim = verify(&plan, &VerifyOptions::default()).metrics.simulation.expect("simulated");
        sim.training.expect("micro-batches given").step_s
    };
    let row = |what: &str, measured: f64, strategy: &str, dp: u64| Row {
        what: format!("Qwen3-235B {what} (s)"),
        measured,
        predicted: step(strategy, dp),
    };
    // DeepEP across 4 servers: within the band, 12% short (its 1F1B-overlap run took 17.6 s).
    check(&[row("TP2 EP32 PP8 DeepEP", 19.7, "EP32_TP2_PP8_DP16_ETP1", 16)]);
    // EP within a server: the runs took 1.6× and 2.2× what planscope predicts, the order of
    // the three inverted (docs/calibration.md: GEMM efficiency by size is not modelled).
    check_within(
        &[
            row("TP2 EP8 PP32 all-to-all", 24.2, "EP8_TP2_PP32_DP4_ETP1", 4),
            row("TP4 EP8 PP8 DeepEP", 29.0, "EP8_TP4_PP8_DP8_ETP1", 8),
        ],
        2.5,
    );
}
