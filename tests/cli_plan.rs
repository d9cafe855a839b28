//! `planscope model` and `planscope plan` as a user runs them: presets and real files in,
//! JSON keys out, plans that `verify` passes, and exit 2 / 1 with the reason.

use std::path::PathBuf;
use std::process::{Command, Output};

#[path = "json_reader/schema_check.rs"]
mod schema_check;

fn planscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn real(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real").join(file).display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("planscope-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn model_json_has_the_totals_and_the_constants() {
    let out = planscope(&["model", &real("deepseek-v3__config.json"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = v["params_total"].as_u64().unwrap() as f64;
    assert!((total / 671e9 - 1.0).abs() < 0.01, "{total}");
    assert!((v["params_active"].as_u64().unwrap() as f64 / 37e9 - 1.0).abs() < 0.02);
    assert_eq!(v["kv_bytes_per_token"], 70272.0);
    assert_eq!(
        (v["layers"].as_u64(), v["kv_lora_rank"].as_u64(), v["experts"].as_u64()),
        (Some(61), Some(512), Some(256))
    );
    let weights = v["weight_bytes"].as_array().unwrap();
    assert_eq!(weights[0]["dtype"], "fp8");
}

#[test]
fn model_text_of_a_preset_and_errors() {
    let out = planscope(&["model", "Mixtral-8x7B"]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    assert!(t.contains("46.7") && t.contains("12.8"), "{t}");
    // A Megatron script states no vocabulary: the totals name what is missing (exit 1).
    let out = planscope(&["model", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["params_total"].clone(), v["missing"].clone()),
        (serde_json::Value::Null, serde_json::json!(["vocab"]))
    );
    // Unknown names and hardware files are refused with the reason.
    let out = planscope(&["model", "no-such-model"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a preset (models: deepseek-v3"), "{}", text(&out.stderr));
    let out = planscope(&["model", &real("aiconfigurator__h200_sxm.yaml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("hardware file"));
}

#[test]
fn conditions_take_configs_and_presets_and_refuse_the_rest() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples/seed-ep64-tp2.json").display().to_string();
    let out = planscope(&[
        "verify",
        &seed,
        "--conditions",
        &real("qwen3-235b-a22b__config.json"),
        "--conditions",
        "h200",
        "--json",
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // A launch file is a strategy; one with several commands must say which.
    let out = planscope(&["verify", &seed, "--conditions", &real("vllm__expert_parallel_deployment__launch_lines.sh")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("launch commands (lines"), "{}", text(&out.stderr));
    // One launch line holds the plan to its strategy (vLLM: EP = TP × DP = 16 here).
    let line = scratch("serve.sh");
    std::fs::write(&line, "vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 2 --enable-expert-parallel\n").unwrap();
    let out = planscope(&["verify", &seed, "--conditions", line.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("EP16"), "{}", text(&out.stdout));
    let bad = scratch("bad.yaml");
    std::fs::write(&bad, "gpu:\n  mem_bw: 4800\n").unwrap();
    let out = planscope(&["verify", &seed, "--conditions", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("gpu.mem_bw: 4800 looks like GB/s"), "{}", text(&out.stderr));
}

#[test]
fn plan_writes_deployments_that_verify_passes() {
    let cases: [&[&str]; 5] = [
        &[
            "--model",
            &real("deepseek-v3__config.json"),
            "--strategy",
            "EP8_TP2",
            "--hardware",
            "h800",
            "--batch",
            "64",
            "--seq-len",
            "1024",
        ],
        &[
            "--model",
            "llama-4-maverick",
            "--strategy",
            "EP16_TP2_PP2",
            "--hardware",
            &real("aiconfigurator__h200_sxm.yaml"),
            "--phase",
            "decode",
            "--batch",
            "256",
            "--context",
            "8192",
        ],
        &["--model", "mixtral-8x7b", "--strategy", "EP8_PP4_DP2", "--gpus", "64", "--batch", "16", "--seq-len", "4096"],
        // Experts folded over the attention's TP and DP (a refinement in the strategy's name).
        &[
            "--model",
            "qwen3-30b-a3b",
            "--strategy",
            "EP8_TP2_DP4_ETP1",
            "--gpus",
            "8",
            "--batch",
            "8",
            "--seq-len",
            "1024",
        ],
        // Every training field the meta can carry.
        &[
            "--model",
            "mixtral-8x7b",
            "--strategy",
            "EP8_TP2_PP4",
            "--hardware",
            "h100",
            "--phase",
            "train",
            "--batch",
            "2",
            "--seq-len",
            "4096",
            "--zero-stage",
            "1",
            "--zero-copies",
            "2",
            "--micro-batches",
            "8",
            "--sequence-parallel",
            "on",
        ],
    ];
    for (i, case) in cases.iter().enumerate() {
        let file = scratch(&format!("plan{i}.json"));
        let mut args = vec!["plan"];
        args.extend_from_slice(case);
        args.extend_from_slice(&["-o", file.to_str().unwrap()]);
        let out = planscope(&args);
        assert_eq!(out.status.code(), Some(0), "{case:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("verify: pass"), "{}", text(&out.stdout));
        let v = planscope(&["verify", file.to_str().unwrap(), "--json"]);
        assert_eq!(v.status.code(), Some(0), "{case:?}: {}", text(&v.stdout));
        let plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(plan["meta"]["model"]["layers"].as_u64().is_some());
        // The filled-in meta (MLA ranks, layer pattern, dtypes, phase) is in the schema.
        let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/planscope.schema.json");
        let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let errors = schema_check::validate(&schema, &plan);
        assert!(errors.is_empty(), "{case:?}: {}", errors.join("\n"));
    }
    // Maverick: 24 MoE layers of 128 experts, a shared expert per MoE layer and GPU, dense
    // FFNs on the other 24 layers.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scratch("plan1.json")).unwrap()).unwrap();
    let nodes = plan["nodes"].as_array().unwrap();
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
    assert!(ids.iter().any(|i| i.starts_with("layer1_shared_expert_")));
    assert!(!ids.iter().any(|i| i.starts_with("layer0_shared_expert_") || i.starts_with("layer0_gate")));
    assert!(ids.iter().any(|i| i.starts_with("layer0_mlp_")));
    assert_eq!(ids.iter().filter(|i| i.starts_with("expert_") && i.ends_with("_layer_1")).count(), 128 * 2);
}

#[test]
fn plan_refuses_what_does_not_fit_with_the_rule() {
    let cases = [
        (&["--model", "gpt-oss-120b", "--strategy", "EP6_TP2"][..], "EP6 does not divide the 128 experts"),
        (&["--model", "qwen3-235b-a22b", "--strategy", "EP8_TP3"][..], "TP3 does not divide the 64 attention heads"),
        (&["--model", "kimi-k2", "--strategy", "EP8", "--gpus", "4"][..], "needs 8 GPUs and the cluster has 4"),
        (&["--model", "mixtral-8x7b", "--strategy", "EP8_PP64"][..], "PP64 is more than the 32 layers"),
    ];
    for (args, want) in cases {
        let mut a = vec!["plan"];
        a.extend_from_slice(args);
        let out = planscope(&a);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains(want), "{args:?}: {}", text(&out.stderr));
    }
    let out = planscope(&["plan", "--model", "h100", "--strategy", "EP8"]);
    assert_eq!(out.status.code(), Some(2));
    let out =
        planscope(&["plan", "--model", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"), "--strategy", "EP8"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not state vocab"), "{}", text(&out.stderr));
}

/// `verify` says the serial step's throughput, and the overlapped one beside it as its best
/// case, when communication could hide behind compute (DeepSeek-V3's all-to-alls over 16
/// GPUs of two servers).
#[test]
fn verify_says_the_throughput_between_serial_and_overlapped() {
    let plan = scratch("ep16.json");
    let p = plan.to_str().unwrap();
    let args = ["plan", "--model", "deepseek-v3", "--strategy", "EP16", "--hardware", "h200", "--phase", "prefill"];
    let out = planscope(&[&args[..], &["--batch", "32", "--seq-len", "2048", "-o", p]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&planscope(&["verify", p]).stdout);
    let line = said.lines().find(|l| l.starts_with("throughput ")).expect("a throughput line");
    let number = |s: &str| s.split(' ').next().and_then(|n| n.parse::<f64>().ok()).unwrap();
    let (serial, rest) = line["throughput ".len()..].split_once(" tokens/s per GPU (whole model), ").expect(line);
    assert!(rest.ends_with(" at best with two-batch overlap"), "{line}");
    let (serial, best) = (number(serial), number(rest));
    assert!(best > serial && best <= 2.0 * serial, "{line}");
}

#[test]
fn a_launch_line_as_the_strategy_means_what_its_framework_runs() {
    // The name parser alone would find TP8 and DP2 in it and miss the EP the flag implies.
    let line = "vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 2 --enable-expert-parallel";
    let out = planscope(&["plan", "--model", "deepseek-v3", "--strategy", line]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("as EP16_TP8_DP2_ETP1:") && said.contains("16 GPUs; verify: pass"), "{said}");
    // vLLM's one-node wide EP: its ETP1 equals TP1 and still folds the experts onto the DP
    // ranks' 8 GPUs (it was built as EP8_DP8 on 64).
    let line = "vllm serve deepseek-ai/DeepSeek-V3 -tp 1 -dp 8 --enable-expert-parallel";
    let out = planscope(&["plan", "--model", "deepseek-v3", "--strategy", line]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("as EP8_DP8_ETP1:") && said.contains(" 8 GPUs; verify: pass"), "{said}");
    // A training script leaves DP to the world size (`--nnodes ${SLURM_NNODES:-1}`: one node
    // of 8 as written); `--gpus` gives it, so Megatron-LM's Mixtral script on 32 GPUs runs
    // DP8 with the experts over each stage's 8 GPUs.
    let script = std::fs::read_to_string(real("megatron-lm__train_mixtral_8x7b_distributed.sh")).unwrap();
    let mixtral = real("mixtral-8x7b-v0.1__config.json");
    let out = planscope(&["plan", "--model", &mixtral, "--strategy", &script, "--gpus", "32"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("as EP8_PP4_DP8_ETP1:") && said.contains(" 32 GPUs; verify: pass"), "{said}");
    // Without it, one node: DP2 under PP4, which Megatron-LM refuses (too few GPUs for the
    // EP8 expert group); its rule is said and nothing is planned.
    let out = planscope(&["plan", "--model", &mixtral, "--strategy", &script]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.starts_with("--strategy: the launch breaks Megatron-LM: ")
            && said.contains("world_size % (ETP × EP × PP) == 0 (here world_size = 8"),
        "{said}"
    );
    assert!(!said.contains("planned"), "{said}");
    // verify checks the user's plan all the same, saying the rule first.
    let plan = scratch("mixtral-32.json");
    let p = plan.to_str().unwrap();
    let out = planscope(&["plan", "--model", &mixtral, "--strategy", &script, "--gpus", "32", "-o", p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = planscope(&["verify", p, "--strategy", &script]);
    assert!(text(&out.stderr).starts_with("--strategy: the launch breaks Megatron-LM: "), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(p), "{}", text(&out.stdout));
    // A launch its reader cannot read says where, and plans nothing.
    let out = planscope(&["plan", "--model", "deepseek-v3", "--strategy", "vllm serve m -tp 8 -dcp 2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-dcp"), "{}", text(&out.stderr));
}

/// Without a batch the weights still fill the GPUs: Qwen3-235B (470 GB in BF16) on EP4 holds
/// over 117 GB per H100. `plan` writes the plan to inspect, names MEMORY_OVER and exits 1,
/// and no step is simulated from link latencies alone.
#[test]
fn plan_without_a_batch_is_held_to_its_weights() {
    let qwen3 = |strategy: &str, out: &std::path::Path| {
        planscope(&[
            "plan",
            "--model",
            &real("qwen3-235b-a22b__config.json"),
            "--hardware",
            &real("llm-analysis__h100-sxm-80gb.json"),
            "--strategy",
            strategy,
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let out_file = scratch("qwen3-ep4.json");
    let out = qwen3("EP4", &out_file);
    let (said, err) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{said}{err}");
    assert!(said.contains("verify: fail") && out_file.exists(), "{said}");
    assert!(err.contains("MEMORY_OVER") && err.contains("weights alone"), "{err}");
    // The readable report says what the fullest GPU holds, and what is not counted.
    let said = text(&planscope(&["verify", out_file.to_str().unwrap()]).stdout);
    assert!(
        said.contains(
            "\npeak memory 129.5 GB on GPU 3 of 80 GB (162%): weights 129.5; activations and KV cache not counted"
        ),
        "{said}"
    );
    let v = planscope(&["verify", out_file.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(report["metrics"]["memory"]["counted"], "weights_only");
    assert!(report["metrics"]["memory"]["weights_gb"]["max"].as_f64().unwrap() > 117.0);
    assert!(report["metrics"]["simulation"].is_null(), "{}", report["metrics"]["simulation"]);
    // Twice the GPUs per expert and TP2 attention hold them.
    let out = qwen3("EP8_TP2", &scratch("qwen3-ep8.json"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A launch file given as conditions is read as written; the framework rules it breaks are
/// said on stderr, since its strategy is kept as degrees that no finding can trace back.
#[test]
fn conditions_from_a_launch_file_that_breaks_its_rules_say_so() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples/seed-ep64-tp2.json");
    let script = real("megatron-lm__train_mixtral_8x7b_distributed.sh");
    let out = planscope(&["verify", seed.to_str().unwrap(), "--conditions", &script]);
    let err = text(&out.stderr);
    assert!(err.contains("the launch breaks Megatron-LM: ") && err.contains("(here world_size = 8"), "{err}");
    assert!(err.contains("its strategy is read as written"), "{err}");
    // Files that hold no launch say nothing of it.
    let out = planscope(&["verify", seed.to_str().unwrap(), "--conditions", &real("mixtral-8x7b-v0.1__config.json")]);
    assert!(!text(&out.stderr).contains("launch breaks"), "{}", text(&out.stderr));
}

/// `plan --phase train --zero-stage N`: the plan carries the training run, and `verify`
/// weighs its gradients and optimizer states, and claims no throughput from a forward pass.
#[test]
fn plan_for_training_carries_its_zero_stage() {
    let out_file = scratch("mixtral-train.json");
    let (path, at) = (out_file.to_str().unwrap(), ["--phase", "train", "--batch", "2", "--seq-len", "4096"]);
    let base = ["plan", "--model", "mixtral-8x7b", "--strategy", "EP8_PP4_DP2", "--hardware", "h100", "-o", path];
    let out = planscope(&[&base[..], &at[..], &["--zero-stage", "1"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(
        (plan["meta"]["model"]["phase"].as_str(), plan["meta"]["model"]["zero_stage"].as_u64()),
        (Some("train"), Some(1))
    );
    let said = text(&planscope(&["verify", path]).stdout);
    assert!(said.contains("gradients and optimizer states 18.8, activations 4.3"), "{said}");
    assert!(
        said.contains("training: the step is the forward pass; no throughput") && !said.contains("tokens/s"),
        "{said}"
    );
    // With its micro-batches, the optimizer step and its throughput, said as a best case.
    let out = planscope(&[&base[..], &at[..], &["--zero-stage", "1", "--micro-batches", "16"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let said = text(&planscope(&["verify", path]).stdout);
    assert!(said.contains(" at best: 16 micro-batches through 4 stages, "), "{said}");
    assert!(said.contains("training throughput ") && said.contains("tokens/s per GPU (whole model) at best"), "{said}");
    let bad = planscope(&[&base[..], &["--zero-stage", "4"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("expected 0, 1, 2 or 3"), "{}", text(&bad.stderr));
}
