//! `planscope strategy`: a quoted launch line that begins with dashes, a script, a config
//! file; JSON keys; exit codes 0 (rules hold), 1 (a rule broken), 2 (unreadable input).

use std::path::PathBuf;
use std::process::{Command, Output};

fn planscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn real(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real").join(file).display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn quoted_args_beginning_with_dashes_print_the_degrees_as_json() {
    let out = planscope(&["strategy", "--tp 8 --ep 8 --dp 8 --enable-dp-attention", "--gpus", "8", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (k, want) in [
        ("framework", serde_json::json!("sglang")),
        ("ep", 8.into()),
        ("tp", 8.into()),
        ("pp", 1.into()),
        ("dp", 8.into()),
        ("cp", 1.into()),
        ("etp", 1.into()),
        ("vpp", 1.into()),
        ("dp_attention", true.into()),
        ("redundant_experts", 0.into()),
        ("gpus", 8.into()),
        ("broken", serde_json::json!([])),
    ] {
        assert_eq!(v[k], want, "{k} in {v}");
    }
}

#[test]
fn a_broken_rule_exits_1_and_names_it() {
    let out = planscope(&["strategy", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["framework"].as_str(), v["ep"].as_u64(), v["pp"].as_u64(), v["gpus"].as_u64()),
        (Some("megatron"), Some(8), Some(4), Some(8))
    );
    let rule = &v["broken"][0];
    assert_eq!(rule["numbers"]["expert_model_parallel_size"], 8);
    assert!(rule["source"].as_str().unwrap().contains("parallel_state.py"));
    // Held to 32 GPUs, the same script is fine.
    let out = planscope(&["strategy", &real("megatron-lm__train_mixtral_8x7b_distributed.sh"), "--gpus", "32"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("Megatron-LM's rules hold"));
}

#[test]
fn a_page_of_commands_prints_each() {
    let out = planscope(&["strategy", &real("vllm__expert_parallel_deployment__launch_lines.sh"), "--json"]);
    // Two of vLLM's documented EPLB examples break vLLM's own EPLB rule.
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eps: Vec<u64> = v.as_array().unwrap().iter().map(|c| c["ep"].as_u64().unwrap()).collect();
    assert_eq!(eps, [8, 16, 16, 1, 1, 8]);
    let out = planscope(&["strategy", &real("vllm__expert_parallel_deployment__launch_lines.sh")]);
    assert!(text(&out.stdout).contains("enable_expert_parallel must be True to use EPLB"));
}

#[test]
fn unreadable_input_exits_2_with_line_col() {
    let out = planscope(&["strategy", "vllm serve m -tp 8 --prefill-context-parallel-size 2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("strategy:1:20: --prefill-context-parallel-size"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let out = planscope(&["strategy", "hello"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no parallel strategy found"));
    let out = planscope(&["strategy", "EP8_TP2", "--gpus", "99999999"]);
    assert_eq!(out.status.code(), Some(2));
}
