//! Conditions readers on the real files of ../shared/real (sources: SOURCES.md) and on every
//! preset: what each states, the public parameter counts, aliases, and errors with where.

use planscope_core::arch::{self, Arch};
use planscope_core::conditions::{self, ConditionsError, ConditionsKind, Format};
use planscope_core::model::{Dtype, LayerPattern, ModelSpec};
use std::path::PathBuf;

fn real(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (../shared/real must be there)", path.display()))
}

fn model(file: &str) -> ModelSpec {
    let c = conditions::read(file, &real(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(c.kind, ConditionsKind::Model, "{file}");
    c.meta.model
}

fn near(got: u64, want: f64, tol: f64) -> bool {
    ((got as f64 - want) / want).abs() <= tol
}

#[test]
fn deepseek_v3_config_states_mla_fp8_and_three_dense_layers() {
    let m = model("deepseek-v3__config.json");
    assert_eq!(
        (m.layers, m.experts, m.top_k, m.expert_hidden, m.dense_hidden),
        (Some(61), Some(256), Some(8), Some(2048), Some(18432))
    );
    assert_eq!(m.layer_pattern, Some(LayerPattern::FirstDense { first_dense: 3 }));
    assert_eq!((m.moe_layers, m.shared_experts, m.shared_expert_hidden), (Some(58), Some(1), Some(2048)));
    assert_eq!((m.kv_lora_rank, m.q_lora_rank, m.qk_rope_head_dim), (Some(512), Some(1536), Some(64)));
    // MLA has no single head width: hidden/heads (56) is not derived as one.
    assert_eq!(m.head_dim, None);
    assert_eq!((m.expert_groups, m.topk_groups, m.mtp_layers, m.gated), (Some(8), Some(4), Some(1), Some(true)));
    assert_eq!(
        (m.dtype, m.dtypes.experts, m.dtypes.embedding, m.dtypes.kv_cache),
        (Some(Dtype::Bf16), Some(Dtype::Fp8), Some(Dtype::Bf16), Some(Dtype::Bf16))
    );
    // 671B without the MTP module, 37B active (SOURCES.md).
    assert!(near(arch::params_total(&m).unwrap(), 671e9, 0.01));
    assert!(near(arch::params_active(&m).unwrap(), 37e9, 0.02));
    // (512 + 64) × 61 layers × 2 bytes (BF16 cache).
    assert_eq!(arch::kv_bytes_per_token(&m).unwrap(), 70_272.0);
}

#[test]
fn mixtral_and_qwen_configs_give_their_public_totals() {
    let mixtral = model("mixtral-8x7b-v0.1__config.json");
    assert_eq!(
        (mixtral.experts, mixtral.kv_heads, mixtral.head_dim, mixtral.window),
        (Some(8), Some(8), Some(128), None)
    );
    assert!(near(arch::params_total(&mixtral).unwrap(), 46.7e9, 0.01));
    assert!(near(arch::params_active(&mixtral).unwrap(), 12.9e9, 0.01));
    let qwen = model("qwen3-235b-a22b__config.json");
    assert_eq!((qwen.experts, qwen.expert_hidden, qwen.dense_hidden), (Some(128), Some(1536), Some(12288)));
    assert_eq!(qwen.layer_pattern, Some(LayerPattern::Every { step: 1, first_dense: 0 }));
    assert!(near(arch::params_total(&qwen).unwrap(), 235e9, 0.01));
    assert!(near(arch::params_active(&qwen).unwrap(), 22e9, 0.01));
}

#[test]
fn megatron_script_states_mixtral_through_its_variables_and_arrays() {
    let c = conditions::read("train.sh", &real("megatron-lm__train_mixtral_8x7b_distributed.sh")).unwrap();
    assert_eq!(c.format, Format::MegatronFlags);
    let m = c.meta.model;
    assert_eq!((m.layers, m.hidden, m.heads, m.kv_heads), (Some(32), Some(4096), Some(32), Some(8)));
    assert_eq!((m.experts, m.top_k, m.expert_hidden, m.gated), (Some(8), Some(2), Some(14336), Some(true)));
    assert_eq!((m.tie_embeddings, m.seq_len, m.dtype), (Some(false), Some(4096), Some(Dtype::Bf16)));
    // The script names a tokenizer, not a vocabulary size: the total says so.
    assert_eq!(arch::params_total(&m).unwrap_err().to_string(), "the model does not state vocab");
}

#[test]
fn hardware_files_in_both_units() {
    let c = conditions::read("h100-sxm-80gb.json", &real("llm-analysis__h100-sxm-80gb.json")).unwrap();
    assert_eq!((c.kind, c.format), (ConditionsKind::Hardware, Format::LlmAnalysis));
    let h = c.meta.cluster;
    assert_eq!(
        (h.memory_gb, h.tflops, h.memory_bandwidth_gbs, h.intra_server_gbs),
        (Some(80.0), Some(989.0), Some(3350.0), Some(450.0))
    );
    assert!((h.alpha_intra_us.unwrap() - 8.0).abs() < 1e-9);
    let c = conditions::read("h200_sxm.yaml", &real("aiconfigurator__h200_sxm.yaml")).unwrap();
    assert_eq!(c.format, Format::AiConfigurator);
    let h = c.meta.cluster;
    assert_eq!((h.tflops, h.tflops_fp8, h.memory_bandwidth_gbs), (Some(989.0), Some(1978.0), Some(4800.0)));
    assert!((h.memory_gb.unwrap() - 151.397597184).abs() < 1e-9, "141 GiB in GB");
    assert_eq!(
        (h.intra_server_gbs, h.inter_server_gbs, h.gpus_per_server, h.bandwidth_utilization),
        (Some(450.0), Some(50.0), Some(8), Some(0.8))
    );
}

#[test]
fn values_off_by_powers_of_ten_name_their_key() {
    let bytes_as_gb = real("llm-analysis__h100-sxm-80gb.json")
        .replace("\"mem_per_GPU_in_GB\": 80", "\"mem_per_GPU_in_GB\": 80000000000");
    let e = conditions::read("gpu.json", &bytes_as_gb).unwrap_err();
    assert!(matches!(&e, ConditionsError::Units { key, found: "bytes", .. } if key == "mem_per_GPU_in_GB"), "{e}");
    let tflops_as_flops =
        real("aiconfigurator__h200_sxm.yaml").replace("bfloat16_tc_flops: 989000000000000", "bfloat16_tc_flops: 989");
    let e = conditions::read("sys.yaml", &tflops_as_flops).unwrap_err();
    assert!(e.to_string().starts_with("gpu.bfloat16_tc_flops: 989 looks like TFLOPS"), "{e}");
    let gbs_as_bs = real("aiconfigurator__h200_sxm.yaml").replace("mem_bw: 4800000000000", "mem_bw: 4800");
    assert!(
        conditions::read("sys.yaml", &gbs_as_bs)
            .unwrap_err()
            .to_string()
            .starts_with("gpu.mem_bw: 4800 looks like GB/s")
    );
}

#[test]
fn every_preset_reads_and_gives_its_public_totals() {
    // (id, total, active, tolerance): model cards (DeepSeek-V3 README, Kimi-K2 README "1T
    // total, 32B activated", Mistral's 141B/39B, Qwen3 cards 30.5B/3.3B and 235B/22B, the
    // gpt-oss model card 20.9B/3.6B and 116.8B/5.1B, Meta's 109B/17B and 400B/17B). The
    // gpt-oss card counts active parameters without the input embedding (a lookup): its
    // Table 1 gives 5.13B = MLP 114.71B·4/128 + attention 0.96B + unembedding 0.58B.
    let facts = [
        ("deepseek-v3", 671e9, 37e9, 0.02),
        ("kimi-k2", 1.0e12, 32e9, 0.04),
        ("mixtral-8x7b", 46.7e9, 12.9e9, 0.01),
        ("mixtral-8x22b", 141e9, 39e9, 0.01),
        ("qwen3-30b-a3b", 30.5e9, 3.3e9, 0.02),
        ("qwen3-235b-a22b", 235e9, 22e9, 0.01),
        ("gpt-oss-20b", 20.9e9, 3.6e9, 0.02),
        ("gpt-oss-120b", 116.8e9, 5.1e9, 0.02),
        ("llama-4-scout", 109e9, 17e9, 0.02),
        ("llama-4-maverick", 400e9, 17e9, 0.02),
    ];
    assert_eq!(conditions::model_presets().len(), facts.len());
    for (id, total, active, tol) in facts {
        let p = conditions::model_preset(id).unwrap_or_else(|| panic!("{id}"));
        let c = conditions::read("config.json", p.config()).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(c.format, Format::HfConfig, "{id}");
        let spec = p.spec();
        let (t, mut a) = (arch::params_total(&spec).unwrap(), arch::params_active(&spec).unwrap());
        if id.starts_with("gpt-oss") {
            a -= Arch::of(&spec).unwrap().active().embedding;
        }
        assert!(near(t, total, tol), "{id}: total {t}");
        assert!(near(a, active, tol), "{id}: active {a}");
        assert!(arch::kv_bytes_per_token(&spec).unwrap() > 0.0, "{id}");
    }
}

#[test]
fn presets_read_each_alias_and_pattern() {
    let spec = |id: &str| conditions::model_preset(id).unwrap().spec();
    // Llama-4: text_config, interleave step, chunked attention on 3 of 4 layers, a shared expert.
    let maverick = spec("Llama-4 Maverick");
    assert_eq!(maverick.layer_pattern, Some(LayerPattern::Every { step: 2, first_dense: 0 }));
    assert_eq!((maverick.moe_layers, maverick.dense_hidden, maverick.shared_experts), (Some(24), Some(16384), Some(1)));
    assert_eq!((maverick.window, maverick.window_layers), (Some(8192), Some(36)));
    // gpt-oss: experts_per_token, MXFP4 experts, every other layer a 128-token window.
    let oss = spec("gpt-oss-120b");
    assert_eq!(
        (oss.dtypes.experts, oss.dtype, oss.window, oss.window_layers),
        (Some(Dtype::Mxfp4), Some(Dtype::Bf16), Some(128), Some(18))
    );
    let weights = arch::weight_bytes(&oss).unwrap();
    assert_eq!(weights[0].dtype, Dtype::Mxfp4);
    // Kimi-K2: one dense layer, MLA with 64 heads.
    let kimi = spec("KIMI_K2");
    assert_eq!((kimi.moe_layers, kimi.heads, kimi.experts), (Some(60), Some(64), Some(384)));
    assert_eq!(Arch::of(&kimi).unwrap().dense_layers(), 1);
    // Its checkpoint is FP8 (the preset restores the quantization_config its source drops):
    // experts at one byte a parameter, so about 1 TB of weights, not 2 TB.
    assert_eq!((kimi.dtypes.experts, kimi.dtype), (Some(Dtype::Fp8), Some(Dtype::Bf16)));
    let kimi_weights: f64 = arch::weight_bytes(&kimi).unwrap().iter().map(|w| w.bytes).sum();
    assert!((1.0e12..1.1e12).contains(&kimi_weights), "{kimi_weights}");
    assert!(conditions::model_preset("gpt-5").is_none());
}

#[test]
fn hardware_presets_are_dense_peaks_in_planscope_units() {
    let ids = ["a100", "h100", "h800", "h200", "b200", "mi300x"];
    assert_eq!(conditions::hardware_presets().iter().map(|p| p.id).collect::<Vec<_>>(), ids);
    let h100 = conditions::hardware_preset("H100").unwrap().spec();
    assert_eq!(
        (h100.tflops, h100.tflops_fp8, h100.memory_gb, h100.memory_bandwidth_gbs),
        (Some(989.0), Some(1979.0), Some(80.0), Some(3350.0))
    );
    let b200 = conditions::hardware_preset("b200").unwrap().spec();
    assert_eq!((b200.tflops_fp4, b200.gpus_per_server), (Some(9000.0), Some(8)));
    assert_eq!(conditions::hardware_preset("a100").unwrap().tflops_fp8, None);
    let c = conditions::preset("mi300x").unwrap();
    assert_eq!(c.kind, ConditionsKind::Hardware);
    assert!(c.fields.contains(&"cluster.memory_gb"));
}

#[test]
fn hf_aliases_and_defaults() {
    let c = conditions::read(
        "config.json",
        r#"{"num_hidden_layers": 4, "hidden_size": 64, "num_attention_heads": 8, "moe_num_experts": 16,
            "moe_k": 2, "moe_intermediate_size": 32, "intermediate_size": 128, "dtype": "bfloat16",
            "mlp_only_layers": [0], "decoder_sparse_step": 1, "n_shared_experts": 2}"#,
    )
    .unwrap();
    let m = c.meta.model;
    assert_eq!((m.experts, m.top_k, m.kv_heads, m.head_dim), (Some(16), Some(2), Some(8), Some(8)));
    assert_eq!((m.layer_pattern, m.moe_layers), (Some(LayerPattern::Listed { moe: vec![1, 2, 3] }), Some(3)));
    assert_eq!((m.shared_experts, m.shared_expert_hidden, m.dtype), (Some(2), Some(32), Some(Dtype::Bf16)));
    let ds = conditions::read(
        "config.json",
        r#"{"num_hidden_layers": 6, "first_k_dense_replace": 1, "moe_layer_freq": 2, "n_routed_experts": 4}"#,
    )
    .unwrap();
    assert_eq!(ds.meta.model.layer_pattern, Some(LayerPattern::Listed { moe: vec![2, 4] }));
}

#[test]
fn deepseek_reference_config() {
    let text = r#"{"vocab_size": 129280, "dim": 7168, "inter_dim": 18432, "moe_inter_dim": 2048, "n_layers": 61,
        "n_dense_layers": 3, "n_heads": 128, "n_routed_experts": 256, "n_shared_experts": 1, "n_activated_experts": 8,
        "n_expert_groups": 8, "n_limited_groups": 4, "route_scale": 2.5, "score_func": "sigmoid", "q_lora_rank": 1536,
        "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "dtype": "fp8"}"#;
    let c = conditions::read("config_671B.json", text).unwrap();
    assert_eq!(c.format, Format::DeepSeekReference);
    let hf = model("deepseek-v3__config.json");
    assert_eq!(arch::params_total(&c.meta.model).unwrap(), arch::params_total(&hf).unwrap());
    assert_eq!(arch::params_active(&c.meta.model).unwrap(), arch::params_active(&hf).unwrap());
}

#[test]
fn errors_say_what_and_where() {
    let e = conditions::read("config.json", "{\n  \"hidden_size\": 7168,\n  oops\n}").unwrap_err();
    assert!(matches!(e, ConditionsError::Syntax { line: 3, col: 3, .. }), "{e}");
    let e = conditions::read("sys.yaml", "gpu:\n  mem_bw: [1\n").unwrap_err();
    assert!(matches!(e, ConditionsError::Syntax { format: "YAML", line: 3, .. }), "{e}");
    let e = conditions::read("c.json", r#"{"num_hidden_layers": "sixty"}"#).unwrap_err();
    assert_eq!(e.to_string(), "num_hidden_layers: expected a non-negative integer, found \"sixty\"");
    let e = conditions::read("c.json", r#"{"text_config": {"num_local_experts": -1}}"#).unwrap_err();
    assert!(e.to_string().starts_with("text_config.num_local_experts:"), "{e}");
    let e = conditions::read("c.json", r#"{"model_type": "x", "quantization_config": {"quant_method": "gptq"}}"#)
        .unwrap_err();
    assert!(e.to_string().starts_with("quantization_config.quant_method: `gptq`"), "{e}");
    // Recognised but nothing read, and not recognised: errors, never an empty success.
    assert!(matches!(conditions::read("c.json", r#"{"model_type": "x"}"#), Err(ConditionsError::NothingRead { .. })));
    assert!(matches!(conditions::read("c.json", r#"{"foo": 1}"#), Err(ConditionsError::NotUnderstood { .. })));
    assert!(matches!(conditions::read("notes.txt", "hello"), Err(ConditionsError::NotUnderstood { .. })));
    // Launch lines and launch files are strategies, read by `launch`: a file of several
    // commands must say which, with their lines.
    let vllm = real("vllm__expert_parallel_deployment__launch_lines.sh");
    let e = conditions::read("launch.sh", &vllm).unwrap_err();
    assert!(matches!(e, ConditionsError::Launch(_)) && e.to_string().contains("launch commands"), "{e}");
    let c = conditions::read("t.toml", "[parallelism]\ntensor_parallel_degree = 8\n").unwrap();
    assert_eq!((c.kind, c.meta.strategy.map(|s| s.tp.get())), (ConditionsKind::Strategy, Some(8)));
    // An unknown parallel flag is an error where it stands, never dropped.
    let e = conditions::read("launch.sh", "vllm serve m -tp 8 -dcp 2").unwrap_err();
    assert!(e.to_string().contains("-dcp"), "{e}");
    let e = conditions::read("t.toml", "[parallelism\n").unwrap_err();
    assert!(matches!(e, ConditionsError::Syntax { format: "TOML", line: 1, .. }), "{e}");
    // A layer past the model's end.
    let e = conditions::read("c.json", r#"{"num_hidden_layers": 4, "mlp_only_layers": [9], "num_experts": 4}"#)
        .unwrap_err();
    assert_eq!(e.to_string(), "mlp_only_layers: layer 9 is past the model's 4 layers");
}

#[test]
fn planscope_meta_json_is_read_as_is() {
    let c = conditions::read("c.json", r#"{"strategy": "EP8_TP2", "cluster": {"gpus": 16}, "model": {"layers": 4}}"#)
        .unwrap();
    assert_eq!(c.kind, ConditionsKind::Meta);
    assert_eq!((c.meta.cluster.gpus, c.meta.model.layers), (Some(16), Some(4)));
    assert!(c.fields.contains(&"cluster.gpus") && c.fields.contains(&"strategy.strategy"));
    let e = conditions::read("c.json", r#"{"cluster": {"gpus": "x"}}"#).unwrap_err();
    assert!(matches!(e, ConditionsError::Syntax { line: 1, .. }), "{e}");
}

#[test]
fn hostile_text_is_refused_without_panic() {
    for text in ["", "{", "[]", "null", "--num-layers", "--num-layers 99999999999999999999", "gpu: 3", "x=${", "\u{0}"]
    {
        assert!(conditions::read("f", text).is_err(), "{text:?}");
        assert!(conditions::read("f.yaml", text).is_err(), "{text:?}");
    }
    let huge = r#"{"num_hidden_layers": 4000000000, "num_experts": 4}"#;
    assert!(conditions::read("c.json", huge).is_err());
}

/// `--conditions` and the page's panel take strategies as frameworks write them: a one-line
/// launch stays the strategy's name (so the verifier holds the plan to that framework's
/// rules), and a Megatron-LM script states both the model and the strategy.
#[test]
fn launches_are_strategy_conditions() {
    let line = "python -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --ep 8 --enable-dp-attention --dp 8";
    let c = conditions::read("launch.sh", line).unwrap();
    assert_eq!(c.kind, ConditionsKind::Strategy);
    assert!(matches!(c.format, Format::Launch(planscope_core::launch::Framework::Sglang)), "{:?}", c.format);
    let s = c.meta.strategy.unwrap();
    assert_eq!((s.ep.get(), s.tp.get(), s.dp_attention), (8, 8, true), "{s}");
    assert_eq!(c.meta.strategy_name.as_deref(), Some(line));
    let m = conditions::read("train.sh", &real("megatron-lm__train_mixtral_8x7b_distributed.sh")).unwrap();
    assert_eq!(m.kind, ConditionsKind::Model);
    let s = m.meta.strategy.expect("the script's strategy");
    assert_eq!((s.ep.get(), s.tp.get(), s.pp.get()), (8, 1, 4), "{s}");
    assert!(m.fields.contains(&"strategy"));
    // As written it runs on one node of 8 GPUs, which Megatron-LM refuses for EP8 × PP4: the
    // rule is kept with the read, since the strategy is kept as degrees (the one-line
    // launch above is re-read by the verifier, so it carries none).
    assert_eq!(m.launch_broken.len(), 1, "{:?}", m.launch_broken);
    assert!(m.launch_broken[0].starts_with("Megatron-LM: ") && m.launch_broken[0].contains("world_size = 8"));
    assert!(c.launch_broken.is_empty());
    // Its --micro-batch-size 1 is per replica: on those 8 GPUs, TP1·PP4 leaves DP 2, so the
    // micro-batch across the deployment is 2 sequences.
    assert_eq!((s.dp.get(), m.meta.model.batch), (2, Some(2)));
    assert!(m.fields.contains(&"model.batch"));
    // Without the GPUs it starts, DP is unknown and the batch is left to the user.
    let script = "pretrain_gpt.py --num-layers 4 --hidden-size 1024 --num-attention-heads 16 \\\n  --tensor-model-parallel-size 2 --micro-batch-size 4";
    let m = conditions::read("train.sh", script).unwrap();
    assert_eq!(m.meta.strategy.map(|s| s.tp.get()), Some(2));
    assert_eq!(m.meta.model.batch, None);
    let m = conditions::read("train.sh", &format!("torchrun --nproc_per_node 8 {script}")).unwrap();
    assert_eq!(m.meta.model.batch, Some(16), "micro-batch 4 × DP 4");
}

#[test]
fn a_vllm_launch_read_as_conditions_holds_a_plan_to_the_gpus_it_starts() {
    use planscope_core::check::{Code, VerifyOptions, verify};
    use planscope_core::model::Strategy;
    use planscope_core::read::read_plan;
    let line = "vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 2 --enable-expert-parallel\n";
    let c = conditions::read("serve.sh", line).unwrap_or_else(|e| panic!("{e}"));
    // vLLM starts TP·PP·DP = 16 workers; its EP16 experts share their GPUs (ETP1).
    assert_eq!(c.meta.cluster.gpus, Some(16));
    assert!(c.fields.contains(&"cluster.gpus"), "{:?}", c.fields);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/lr-agent/paper_to_dag__expert_parallelism_dag.json");
    let plan = read_plan(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let report = verify(&plan, &VerifyOptions { overrides: c.meta, ..VerifyOptions::default() });
    assert_eq!(report.metrics.gpus_total, Some(16));
    let said: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(!said.iter().any(|m| m.contains("256") || m.contains("128")), "{said:?}");
    assert!(!report.findings.iter().any(|f| f.code == Code::StrategyMismatch), "{said:?}");
    let ep = report.findings.iter().find(|f| f.code == Code::EpIncomplete).expect("EP_INCOMPLETE");
    assert!(ep.message.contains("where EP16×ETP1 needs 16 (one GPU per EP rank)"), "{}", ep.message);
    assert!(ep.fix.contains("(expert e on GPU e)"), "{:?}", ep.fix);
    // The name alone, with no GPU count: the same 16.
    let strategy = Strategy::parse("EP16_TP8_DP2_ETP1").ok();
    let report = verify(&plan, &VerifyOptions { strategy, ..VerifyOptions::default() });
    assert_eq!((report.metrics.gpus_total, report.metrics.gpus_total_source), (Some(16), "strategy"));
    // Too few GPUs for the attention's TP·DP: said in those terms.
    let report = verify(&plan, &VerifyOptions { strategy, gpus: Some(8), ..VerifyOptions::default() });
    let mismatch = report.findings.iter().find(|f| f.code == Code::StrategyMismatch).expect("STRATEGY_MISMATCH");
    assert!(
        mismatch
            .message
            .contains("needs TP·PP·DP = 16 GPUs (its EP16×ETP1 expert ranks share them) but the cluster has 8"),
        "{}",
        mismatch.message
    );
    // SGLang's DP attention runs TP1 attention: no TP all-reduce is asked for.
    let strategy = Strategy::parse("EP8_TP8_DP8_ETP1_DPATTN").ok();
    let report = verify(&plan, &VerifyOptions { strategy, ..VerifyOptions::default() });
    let idle = report.findings.iter().find(|f| f.code == Code::GpuUnderuse).expect("GPU_UNDERUSE");
    assert!(idle.message.contains("only 5 of 8 GPUs"), "{}", idle.message);
    assert!(!idle.fix.contains("all-reduce"), "{}", idle.fix);
    assert!(!report.findings.iter().any(|f| f.code == Code::TpIncomplete), "{:?}", report.findings);
    // Megatron-Core's EP inside DP (EP8 on TP1·DP16: two copies of the expert group): the fix
    // places the experts in each copy and counts the shards of both.
    let strategy = Strategy::parse("EP8_DP16_ETP1").ok();
    let report = verify(&plan, &VerifyOptions { strategy, ..VerifyOptions::default() });
    assert_eq!(report.metrics.gpus_total, Some(16));
    let ep = report.findings.iter().find(|f| f.code == Code::EpIncomplete).expect("EP_INCOMPLETE");
    assert!(
        ep.fix.contains("on GPUs 0–7 (expert e on GPU e), and again in each of the 2 copies of the expert group (each serving 8 DP groups)")
            && ep.fix.contains("(16 expert shard nodes in all"),
        "{}",
        ep.fix
    );
}
