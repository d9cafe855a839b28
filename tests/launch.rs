//! Strategies as people write them (planscope_core::launch): every real launch line in
//! ../shared/real, each framework and notation, errors with their line:col, the
//! frameworks' rules with their numbers, and names that round-trip.

use planscope_core::launch::{
    Framework, LaunchError, LaunchErrorKind, LaunchStrategy, Notation, read, read_all, read_with,
};
use planscope_core::model::Strategy;
use std::path::PathBuf;

fn real(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("the real launch files must sit at {}: {e}", p.display()))
}

fn one(text: &str) -> LaunchStrategy {
    read("args", text).unwrap_or_else(|e| panic!("{e}"))
}

fn err(name: &str, text: &str) -> LaunchError {
    read(name, text).expect_err("expected an error")
}

fn rules(s: &LaunchStrategy) -> Vec<String> {
    s.broken.iter().map(ToString::to_string).collect()
}

#[test]
fn vllm_expert_parallel_page_every_command() {
    let all = read_all(
        "vllm__expert_parallel_deployment__launch_lines.sh",
        &real("vllm__expert_parallel_deployment__launch_lines.sh"),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<(u32, String, u64, usize)> =
        all.iter().map(|s| (s.line, s.strategy.to_string(), s.gpus, s.broken.len())).collect();
    assert_eq!(
        seen,
        [
            // Single node: TP1 × DP8 with EP: EP = TP × DP = 8, experts whole and on the
            // attention's GPUs (ETP1, kept though it equals TP1: the name alone says 8
            // GPUs). Lines are those of the `vllm serve` word.
            (6, "EP8_TP1_PP1_DP8_ETP1".to_string(), 8, 0),
            // Two nodes of DP16 (8 local each): EP16 over 16 GPUs.
            (13, "EP16_TP1_PP1_DP16_ETP1".to_string(), 16, 0),
            (24, "EP16_TP1_PP1_DP16_ETP1".to_string(), 16, 0),
            // The EPLB examples for Qwen3-30B-A3B leave out --enable-expert-parallel, which
            // vLLM refuses, and run on one GPU, which EPLB refuses too.
            (34, "EP1_TP1_PP1_DP1_REDUNDANT2".to_string(), 1, 2),
            (38, "EP1_TP1_PP1_DP1_REDUNDANT2".to_string(), 1, 2),
            (46, "EP8_TP1_PP1_DP8_ETP1_REDUNDANT2".to_string(), 8, 0),
        ]
    );
    // The strategy names its GPUs itself, as the launch does: read back from its name, it
    // spans the 8 (16) GPUs vLLM starts, not EP·TP·DP.
    for s in &all {
        let named = Strategy::parse(&s.strategy.to_string()).unwrap();
        assert_eq!((named, named.gpus()), (s.strategy, s.gpus), "line {}", s.line);
    }
    assert!(all.iter().all(|s| s.framework == Framework::Vllm && s.notation == Notation::Flags));
    let r = rules(&all[3]);
    assert!(r[0].contains("enable_expert_parallel must be True to use EPLB"), "{r:?}");
    assert!(r[1].contains("tensor_parallel_size = 1, data_parallel_size = 1"), "{r:?}");
    // One file, several commands: `read` asks for one and names the lines.
    let e = read("page.sh", &real("vllm__expert_parallel_deployment__launch_lines.sh")).unwrap_err();
    assert!(matches!(&e.kind, LaunchErrorKind::Several { lines } if lines.len() == 6), "{e}");
}

#[test]
fn megatron_mixtral_script_with_arrays_and_variables() {
    let s =
        read("megatron-lm__train_mixtral_8x7b_distributed.sh", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.framework, Framework::Megatron);
    // torchrun --nproc_per_node 8 --nnodes ${SLURM_NNODES:-1}: 8 GPUs; TP1 PP4 EP8.
    assert_eq!(s.world, Some(8));
    assert_eq!(s.layers, Some(32));
    // Megatron-Core lays the experts over the attention's GPUs: ETP defaults to TP and is
    // stated, so the name alone spans the script's 8 GPUs.
    assert_eq!((s.strategy.to_string(), s.strategy.gpus()), ("EP8_TP1_PP4_DP2_ETP1".to_string(), 8));
    // 8 % (TP·PP·CP = 4) holds, but 8 % (ETP·EP·PP = 1·8·4 = 32) does not: Megatron-LM
    // refuses this script on one node.
    let r = rules(&s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].contains("world_size % (ETP × EP × PP) == 0") && r[0].contains("world_size = 8"), "{r:?}");
    // On four nodes (32 GPUs) it holds.
    let s = read_with("m.sh", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"), Some(32)).unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    assert_eq!((s.strategy.to_string(), s.strategy.gpus()), ("EP8_TP1_PP4_DP8_ETP1".to_string(), 32));
}

#[test]
fn sglang_dp_attention_and_its_rules() {
    let s = one("--tp 8 --ep 8 --dp 8 --enable-dp-attention");
    assert_eq!(s.framework, Framework::Sglang);
    assert_eq!(s.gpus, 8);
    assert!(s.strategy.dp_attention);
    assert_eq!(s.strategy.expert_tp().get(), 1);
    assert!(s.broken.is_empty());
    // DP-attention runs on the TP GPUs: DP must divide TP.
    let s = one("python -m sglang.launch_server --model-path m --tp 8 --dp 3 --enable-dp-attention");
    assert!(
        rules(&s).iter().any(|r| r.contains("tp_size % dp_size == 0") && r.contains("dp_size = 3")),
        "{:?}",
        rules(&s)
    );
    // EP must divide TP; multi-node DP needs DP-attention; too few GPUs.
    let s = read_with("a", "--tp 8 --ep 3 --dp 2 --nnodes 2", Some(8)).unwrap();
    let r = rules(&s);
    assert!(r.iter().any(|x| x.contains("tp_size must be divisible by ep_size")), "{r:?}");
    assert!(r.iter().any(|x| x.contains("multi-node data parallel is not supported unless dp attention")), "{r:?}");
    assert!(r.iter().any(|x| x.contains("needs TP × PP × DP = 16 GPUs but 8 are given")), "{r:?}");
    // --dp 1 turns DP-attention off, as SGLang does.
    assert!(!one("--tp 4 --dp 1 --enable-dp-attention").strategy.dp_attention);
    let s = one("--tp 16 --ep 16 --dp 16 --enable-dp-attention --ep-num-redundant-experts 32 --moe-dense-tp-size 2");
    assert_eq!(s.strategy.redundant_experts, 32);
    assert!(rules(&s).iter().any(|r| r.contains("moe_dense_tp_size only support 1")));
    // DeepEP (and the other all-to-all backends) sets EP = TP whatever --ep-size says: the
    // LMSYS 96-H100 decode servers, 72 GPUs of DP attention, and the older flag.
    let decode = "python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp-size 72 --dp-size 72 \
                  --enable-dp-attention --moe-a2a-backend deepep --nnodes 9";
    let s = one(decode);
    assert_eq!((s.strategy.to_string(), s.gpus), ("EP72_TP72_PP1_DP72_ETP1_DPATTN".to_string(), 72));
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    let s = one("--tp 16 --dp 16 --enable-dp-attention --enable-deepep-moe --ep-size 4 --nnodes 2");
    assert_eq!(s.strategy.ep.get(), 16);
    assert_eq!(one("--tp 8 --moe-a2a-backend none").strategy.ep.get(), 1);
    let e = err("a", "--tp 8 --moe-a2a-backend fancy");
    assert!(e.to_string().contains("expected none, deepep, mooncake or flashinfer"), "{e}");
    assert_eq!((e.line, e.col), (1, 8));
}

#[test]
fn vllm_short_flags_and_eplb_config() {
    let s = one("vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 16 -ep");
    assert_eq!(s.strategy.to_string(), "EP128_TP8_PP1_DP16_ETP1");
    assert_eq!(s.gpus, 128);
    let s = one(
        "vllm serve m --tensor-parallel-size=2 -pp 2 --enable-expert-parallel --enable-eplb --eplb-config.num_redundant_experts 4",
    );
    assert_eq!((s.strategy.ep.get(), s.strategy.redundant_experts, s.gpus), (2, 4, 4));
    let e = err("a", "vllm serve m -tp 2 --eplb-config '{not json'");
    assert!(e.to_string().contains("expected a JSON object"), "{e}");
    // vLLM's decode context parallel is not modelled: an error naming it, not a drop.
    let e = err("a", "vllm serve m -tp 8 -dcp 2");
    assert_eq!((e.line, e.col), (1, 20));
    assert!(e.to_string().contains("-dcp is a parallel setting planscope does not read for vLLM"), "{e}");
}

#[test]
fn megatron_model_sizes_against_the_degrees() {
    // TP 3 does not split 32 heads, nor 8 query groups (with --group-query-attention);
    // 4100 tokens are not 2 × CP = 6 even chunks; 4100 is not 32 heads of whole width.
    let line = "--tensor-model-parallel-size 3 --context-parallel-size 3 --num-attention-heads 32 \
        --group-query-attention --num-query-groups 8 --hidden-size 4100 --seq-length 4100";
    let r = rules(&read_with("a", line, Some(9)).unwrap());
    let has = |needle: &str| r.iter().any(|x| x.contains(needle));
    assert!(
        has(
            "num_attention_heads must be a multiple of tensor_model_parallel_size (here num_attention_heads = 32, tensor_model_parallel_size = 3)"
        ),
        "{r:?}"
    );
    assert!(has("num_query_groups = 8"), "{r:?}");
    assert!(has("hidden_size = 4100, num_attention_heads = 32"), "{r:?}");
    assert!(has("seq_length = 4100, context_parallel_size = 3"), "{r:?}");
    assert_eq!(r.len(), 4, "{r:?}");
    // The same sizes at TP 4, CP 2, with each head's width stated: every rule holds. Query
    // groups count only with --group-query-attention; an unset variable leaves its rule
    // unchecked rather than failing the read.
    let s = read_with(
        "a",
        "--tensor-model-parallel-size 4 --context-parallel-size 2 --num-attention-heads 32 --num-query-groups 2 \
         --hidden-size 4100 --kv-channels 128 --seq-length 4100 --ffn-hidden-size $FFN",
        Some(8),
    )
    .unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    let s = read_with("a", "--tensor-model-parallel-size 4 --num-attention-heads $HEADS", Some(8)).unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
}

#[test]
fn megatron_cp_etp_vpp_and_uneven_stages() {
    let s = read_with(
        "a",
        "--tensor-model-parallel-size 2 --pipeline-model-parallel-size 4 --context-parallel-size 2 --expert-model-parallel-size 8 --expert-tensor-parallel-size 1 --num-layers 32 --num-layers-per-virtual-pipeline-stage 2 --sequence-parallel",
        Some(64),
    )
    .unwrap();
    assert_eq!(s.strategy.to_string(), "EP8_TP2_PP4_DP4_CP2_ETP1_VPP4");
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    // 61 layers over 8 stages: 7 of 8 and a last of 5 (Kimi-K2 on Megatron-LM).
    let s = read_with("a", "--pipeline-model-parallel-size 8 --expert-model-parallel-size 4 --num-layers 61 --decoder-last-pipeline-num-layers 5", Some(32)).unwrap();
    assert_eq!(s.strategy.stages.last.map(|v| v.get()), Some(5));
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    let s = read_with(
        "a",
        "--pipeline-model-parallel-size 8 --num-layers 61 --decoder-last-pipeline-num-layers 4",
        Some(8),
    )
    .unwrap();
    assert!(
        rules(&s)
            .iter()
            .any(|r| r.contains("middle pipeline model parallel size") && r.contains("middle_stage_layers = 57")),
        "{:?}",
        rules(&s)
    );
    // Uneven layers without uneven stages; VPP on two stages.
    let s = read_with(
        "a",
        "--pipeline-model-parallel-size 2 --num-layers 61 --num-virtual-stages-per-pipeline-rank 2",
        Some(2),
    )
    .unwrap();
    assert!(rules(&s).iter().any(|r| r.contains("should be greater than 2")), "{:?}", rules(&s));
    let s = read_with("a", "--pipeline-model-parallel-size 4 --num-layers 30", Some(4)).unwrap();
    assert!(rules(&s).iter().any(|r| r.contains("Number of layers should be divisible")), "{:?}", rules(&s));
    // The embedding and the loss counted as layers: 30 + 2 over 4 stages.
    let both = "--account-for-embedding-in-pipeline-split --account-for-loss-in-pipeline-split";
    let s = read_with("a", &format!("--pipeline-model-parallel-size 4 --num-layers 30 {both}"), Some(4)).unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    // World % (TP·PP·CP).
    let s = read_with("a", "--tensor-model-parallel-size 4 --context-parallel-size 2", Some(12)).unwrap();
    assert!(rules(&s).iter().any(|r| r.contains("world_size % (TP × PP × CP) == 0")), "{:?}", rules(&s));
    let s = read_with("a", "--expert-model-parallel-size 16 --num-experts 8", Some(16)).unwrap();
    assert!(
        rules(&s).iter().any(|r| r.contains("Number of experts should be a multiple of expert model parallel_size")),
        "{:?}",
        rules(&s)
    );
    let e = err("a", "--tensor-model-parallel-size 2 --num-layers-per-virtual-pipeline-stage 2");
    assert!(e.to_string().contains("needs --num-layers"), "{e}");
}

#[test]
fn nemo_yaml_torchtitan_toml_deepspeed_json() {
    let yaml = "trainer:\n  devices: 8\n  num_nodes: 4\nmodel:\n  tensor_model_parallel_size: 2\n  pipeline_model_parallel_size: 2\n  expert_model_parallel_size: 8\n  sequence_parallel: true\n  num_layers: 32\n";
    let s = read("nemo.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.framework, s.notation, s.world), (Framework::Megatron, Notation::Yaml, Some(32)));
    assert_eq!((s.strategy.to_string(), s.strategy.gpus()), ("EP8_TP2_PP2_DP8_ETP2".to_string(), 32));
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    let toml = "[job]\ndump_folder = \"./out\"\n\n[parallelism]\ndata_parallel_replicate_degree = 1\ndata_parallel_shard_degree = -1\ntensor_parallel_degree = 2\npipeline_parallel_degree = 1\ncontext_parallel_degree = 1\nexpert_parallel_degree = 8\nexpert_tensor_parallel_degree = 1\n";
    let e = read("t.toml", toml).unwrap_err();
    assert!(e.to_string().contains("needs the GPU count"), "{e}");
    assert_eq!((e.line, e.col), (6, 1));
    let s = read_with("t.toml", toml, Some(16)).unwrap();
    assert_eq!(
        (s.framework, s.strategy.to_string(), s.gpus),
        (Framework::Torchtitan, "EP8_TP2_PP1_DP8_ETP1".into(), 16)
    );
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    // etp = 1 lets EP borrow TP: ep % (cp·tp) must hold.
    let bad = toml.replace("expert_parallel_degree = 8", "expert_parallel_degree = 3");
    let s = read_with("t.toml", &bad, Some(16)).unwrap();
    assert!(rules(&s).iter().any(|r| r.contains("ep % (cp * tp) == 0")), "{:?}", rules(&s));
    let s = read_with("t.toml", &toml.replace("-1", "4"), Some(16)).unwrap();
    assert!(rules(&s).iter().any(|r| r.contains("!= WORLD_SIZE") && r.contains("world_size = 16")), "{:?}", rules(&s));
    let unknown = format!("{toml}pipeline_parallel_layers_per_stage = 4\n");
    let e = read_with("t.toml", &unknown, Some(16)).unwrap_err();
    assert_eq!((e.line, e.col), (12, 1));
    assert!(e.to_string().contains("pipeline_parallel_layers_per_stage is a parallel setting"), "{e}");
    let s = read_with(
        "ds.json",
        r#"{"train_batch_size": 64, "tensor_parallel": {"autotp_size": 4}, "moe": {"enabled": true, "ep_size": 3}}"#,
        Some(16),
    )
    .unwrap();
    assert_eq!(s.framework, Framework::Deepspeed);
    assert!(rules(&s).iter().any(|r| r.contains("not divisible by ep_size")), "{:?}", rules(&s));
    // Expert groups carved out of the data-parallel ranks: the experts share the GPUs, and
    // the name alone says so (16, not EP·TP·DP = 128).
    let s = read_with("ds.json", r#"{"tensor_parallel": {"tp_size": 2}, "moe": {"ep_size": 8}}"#, Some(16)).unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    assert_eq!((s.strategy.to_string(), s.strategy.gpus()), ("EP8_TP2_PP1_DP8_ETP2".to_string(), 16));
    // Training keeps a whole expert on each TP rank: ETP 1, the TP ranks hold copies of the
    // 8-GPU expert group.
    let s = read_with(
        "ds.json",
        r#"{"train_batch_size": 64, "tensor_parallel": {"tp_size": 2}, "moe": {"ep_size": 8}}"#,
        Some(16),
    )
    .unwrap();
    assert!(s.broken.is_empty(), "{:?}", rules(&s));
    assert_eq!((s.strategy.to_string(), s.strategy.gpus()), ("EP8_TP2_PP1_DP8_ETP1".to_string(), 16));
    assert_eq!(s.strategy.expert_copies(), Some(2));
    // torchtitan overrides on the command line.
    let s = one(
        "torchrun --nproc_per_node 8 -m torchtitan.train --parallelism.tensor_parallel_degree=2 --parallelism.data_parallel_shard_degree=4",
    );
    assert_eq!((s.framework, s.strategy.to_string()), (Framework::Torchtitan, "EP1_TP2_PP1_DP4".into()));
}

#[test]
fn names_and_planscope_meta() {
    let s = one("EP64_TP2");
    assert_eq!((s.framework, s.gpus), (Framework::Planscope, 128));
    let s = read("c.json", r#"{"strategy": "EP8_TP2_CP2", "cluster": {"gpus": 32}}"#).unwrap();
    assert_eq!(
        (s.framework, s.notation, s.strategy.to_string()),
        (Framework::Planscope, Notation::Json, "EP8_TP2_PP1_DP1_CP2".into())
    );
    let st = Strategy::parse("EP16_TP4_PP2_DP2_CP2_ETP1_VPP2_PPFIRST3_DPATTN_REDUNDANT16").unwrap();
    assert_eq!(one(&st.to_string()).strategy, st);
}

#[test]
fn bad_input_says_what_and_where() {
    // A degree that is no number, an unset variable, mixed frameworks, shared spellings.
    let e = err("a", "vllm serve m \\\n  --tensor-parallel-size eight");
    assert_eq!((e.line, e.col), (2, 3));
    assert!(e.to_string().starts_with("a:2:3: --tensor-parallel-size is `eight`"), "{e}");
    let e = err("run.sh", "torchrun pretrain_gpt.py --tensor-model-parallel-size $TP");
    assert!(e.to_string().contains("$TP, which the script never sets"), "{e}");
    let e = err("a", "-tp 2 --enable-dp-attention");
    assert!(matches!(e.kind, LaunchErrorKind::Mixed { .. }), "{e}");
    let e = err("a", "--tensor-parallel-size 2");
    assert!(matches!(e.kind, LaunchErrorKind::Ambiguous { .. }), "{e}");
    // Nothing to read.
    for t in ["", "hello world", "echo --verbose", "{}"] {
        let e = err("a", t);
        assert!(matches!(e.kind, LaunchErrorKind::NoStrategy), "{t:?}: {e}");
    }
    let e = err("a.yaml", "a: [1, 2\n");
    assert!(e.to_string().contains("not valid YAML"), "{e}");
    let e = err("a.toml", "[parallelism\n");
    assert!(e.to_string().contains("not valid TOML") && e.line == 1, "{e}");
    let e = err("a", "vllm serve 'unclosed");
    assert_eq!((e.line, e.col), (1, 12));
    // Degrees past planscope's limits name them.
    let e = err("a", "--tp 4294967296 --ep 1");
    assert!(e.to_string().contains("whole number of at least 1"), "{e}");
    let e = err("a", "--tp 65536 --dp 65536");
    assert!(e.to_string().contains("(GPUs)"), "{e}");
}

#[test]
fn random_text_never_panics() {
    let pieces = [
        "--tp",
        "8",
        "-ep",
        "$((",
        "${A[@]}",
        "A=(",
        ")",
        "'",
        "\"",
        "\\\n",
        "#",
        "=",
        "{",
        "[parallelism]",
        "-1",
        "vllm",
        "serve",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut t = String::new();
        for _ in 0..(seed % 12) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            t.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            t.push(' ');
        }
        let _ = read_all("fuzz", &t, Some(8));
    }
}

#[test]
fn the_verifier_states_a_declared_launch_lines_rules() {
    use planscope_core::check::{VerifyOptions, verify};
    use planscope_core::examples::SEED_EP64_TP2;
    use planscope_core::read::read_plan;
    let mut plan = read_plan(SEED_EP64_TP2.text).unwrap();
    // A Qwen EPLB line from vLLM's page, without --enable-expert-parallel.
    plan.meta.strategy_name =
        Some("vllm serve Qwen/Qwen3-30B-A3B --enable-eplb --eplb-config.num_redundant_experts 2".into());
    let report = verify(&plan, &VerifyOptions::default());
    let said: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("breaks a rule of vLLM")
                && m.contains("enable_expert_parallel must be True to use EPLB")),
        "{said:?}"
    );
    // Its fix names what to change, not the rule's (often negative) text as a condition.
    let fix = report.findings.iter().find(|f| f.message.contains("breaks a rule of vLLM")).map(|f| f.fix.as_str());
    assert_eq!(
        fix,
        Some(
            "change the launch's parallel settings (or its GPU count) until vLLM accepts them: the rule above is its own check"
        )
    );
    // A launch meaning other degrees than the name reads (vLLM's -ep makes EP = TP × DP).
    plan.meta.strategy_name = Some("vllm serve m -tp 2 -dp 64 -ep".into());
    let report = verify(&plan, &VerifyOptions::default());
    assert!(
        report.findings.iter().any(|f| f.message.contains("meaning EP128_TP2_PP1_DP64_ETP1")),
        "{:?}",
        report.findings
    );
    // Plain names are not launches: nothing new.
    plan.meta.strategy_name = Some("EP64_TP2".into());
    let report = verify(&plan, &VerifyOptions::default());
    assert!(!report.findings.iter().any(|f| f.message.contains("launch")));
}

#[test]
fn a_config_without_an_extension_is_read_as_yaml() {
    let s = read("config", "tensor_model_parallel_size: 4\npipeline_model_parallel_size: 2\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (s.framework, s.notation, s.strategy.to_string()),
        (Framework::Megatron, Notation::Yaml, "EP1_TP4_PP2_DP1".into())
    );
}

#[test]
fn hostile_config_files_are_refused_without_a_crash() {
    let deep = |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
    let json = format!("{{\"a\": {}}}", deep("[", "]", 100_000));
    assert!(read("x.json", &json).is_err());
    let yaml = format!("a: {}\n", deep("[", "]", 100_000));
    assert!(read("x.yaml", &yaml).is_err());
    let toml = format!("a = {}\n", deep("[", "]", 100_000));
    assert!(read("x.toml", &toml).is_err());
    let nested: String = (0..200).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
    assert!(read("x.yaml", &nested).is_err());
    // A shell array doubled on every line stops at planscope's limit, named.
    let mut sh = String::from("A=(--tp 8)\n");
    for _ in 0..40 {
        sh.push_str("A=(${A[@]} ${A[@]})\n");
    }
    sh.push_str("python -m sglang.launch_server ${A[@]}\n");
    let e = read("x.sh", &sh).unwrap_err();
    assert!(e.to_string().contains("(words of a launch command)"), "{e}");
}

mod random {
    use proptest::prelude::*;
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn any_text_in_any_notation_never_panics(text in "(\\PC|\n|\\\\|\\$|\\(|\\)|-){0,300}") {
            for name in ["a", "a.sh", "a.yaml", "a.toml", "a.json"] {
                let _ = planscope_core::launch::read_all(name, &text, Some(64));
            }
        }
    }
}

#[test]
fn a_strategy_with_an_expert_tp_spans_the_gpus_its_framework_starts() {
    // A stated expert TP (ETP) folds the experts onto the attention's GPUs: the strategy
    // spans what the framework launches, not EP·TP·PP·DP.
    for (text, gpus, group) in [
        ("vllm serve m -tp 8 -dp 2 --enable-expert-parallel", 16, "EP16×ETP1"),
        ("vllm serve m -tp 2 -dp 64 -ep", 128, "EP128×ETP1"),
        ("python -m sglang.launch_server --model-path m --tp 8 --ep 8 --dp 8 --enable-dp-attention", 8, "EP8×ETP1"),
        ("python -m sglang.launch_server --model-path m --tp 8 --ep 4", 8, "EP4×ETP2"),
    ] {
        let s = one(text);
        assert!(s.strategy.experts_folded(), "{text}");
        assert_eq!((s.strategy.gpus(), s.gpus), (gpus, gpus), "{text}");
        assert_eq!(s.strategy.expert_group_name(), group, "{text}");
        assert!(s.strategy.experts_fit_stage(), "{text}");
    }
    // Megatron-LM with CP, ETP and a stated world: the same count.
    let s = one("torchrun --nproc-per-node 8 --nnodes 8 pretrain_gpt.py --tensor-model-parallel-size 2 \
         --pipeline-model-parallel-size 4 --context-parallel-size 2 --expert-model-parallel-size 8 \
         --expert-tensor-parallel-size 1 --num-layers 32");
    assert_eq!((s.strategy.gpus(), s.gpus), (64, 64), "{}", s.strategy);
    // planscope's own names: every degree on GPUs of its own; a name with an ETP folds.
    let named = |t: &str| Strategy::parse(t).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(named("EP64_TP2").gpus(), 128);
    assert_eq!(named("EP64_TP2").expert_group_name(), "EP64×TP2");
    assert_eq!(named("EP16_TP8_DP2_ETP1").gpus(), 16);
    let planscope = read_with("name", "EP16_TP8_DP2_ETP1", Some(8)).unwrap();
    assert!(rules(&planscope)[0].contains("16"), "{:?}", rules(&planscope));
    // Expert ranks that do not divide a stage's attention GPUs cannot fold onto them.
    assert!(!named("EP3_TP8_DP2_ETP1").experts_fit_stage());
}
