//! The `planscope` binary as CI pipelines use it: outputs, exit codes and error format.

use std::path::PathBuf;
use std::process::{Command, Output};

fn planscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn corpus(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent").join(file).display().to_string()
}

fn example(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples").join(file).display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn inspect_json_has_the_four_keys() {
    let out = planscope(&["inspect", &corpus("paper_to_dag__main_deployment_dag.json"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"format": "json", "nodes": 7, "edges": 6, "gpus_used": 3}));
}

#[test]
fn unreadable_input_exits_2_with_file_line_col() {
    let file = corpus("2025-10-29-14-21-46__megatron_8_3b_baseline.dot");
    for cmd in ["inspect", "verify"] {
        let out = planscope(&[cmd, &file]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = text(&out.stderr);
        assert!(err.starts_with(&format!("{file}:1:")), "{cmd}: {err}");
        assert!(out.stdout.is_empty());
    }
    // A model's config.json is no plan (not an empty one that "fails"): exit 2, naming
    // the commands that read it.
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/core/src/conditions/presets/deepseek-v3.json");
    let out = planscope(&["verify", &config.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("is a model's configuration (`model_type`: \"deepseek_v3\"), not a plan"), "{err}");
    assert!(err.contains("--conditions") && err.contains("`planscope plan --model "), "{err}");
    let missing = planscope(&["inspect", "/nonexistent/plan.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/plan.json"));
}

#[test]
fn verify_exit_codes_follow_the_verdict() {
    let seed = example("seed-ep64-tp2.json");
    let out = planscope(&["verify", &seed, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["metrics"]["gpus_total"], 128);
    assert_eq!(v["metrics"]["gpus_used"], 3);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"GPU_UNDERUSE") && codes.contains(&"EP_INCOMPLETE"), "{codes:?}");

    // The rewrite of the same plan passes.
    let dir = std::env::temp_dir().join(format!("planscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let after = dir.join("after.json");
    let out = planscope(&["rewrite", &seed, "--strategy", "EP64_TP2", "-o", after.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("add 2048 expert shards"), "{}", text(&out.stdout));
    let out = planscope(&["verify", after.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("PASS"));

    // DOT output by extension, readable again.
    let dot = dir.join("after.dot");
    let out = planscope(&["rewrite", &seed, "--strategy", "EP64_TP2", "-o", dot.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let out = planscope(&["inspect", dot.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["format"].as_str(), v["gpus_used"].as_u64()), (Some("dot"), Some(128)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_targets_name_the_rule_and_write_nothing() {
    let seed = example("seed-ep64-tp2.json");
    let out_path = std::env::temp_dir().join(format!("planscope-invalid-{}.json", std::process::id()));
    let out =
        planscope(&["rewrite", &seed, "--strategy", "EP64_TP2", "--gpus", "96", "-o", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("needs EP·TP·PP·DP = 128 GPUs but the cluster has 96"), "{}", text(&out.stderr));
    assert!(!out_path.exists());
    let out = planscope(&["rewrite", &seed, "--strategy", "EP48"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not divisible by EP48"), "{}", text(&out.stderr));
    let out = planscope(&["verify", &seed, "--strategy", "banana"]);
    assert_eq!(out.status.code(), Some(2), "clap rejects a strategy it cannot parse");
}

#[test]
fn suggest_ranks_five_strategies() {
    let out = planscope(&["suggest", &example("seed-ep64-tp2.json"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| !r["reason"].as_str().unwrap().is_empty()));
    let steps: Vec<f64> = rows.iter().filter(|r| r["fits"] == true).filter_map(|r| r["step_time_s"].as_f64()).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "ranked by step time: {steps:?}");
}

#[test]
fn seed_conditions_file_supplies_the_constants() {
    let out = planscope(&[
        "verify",
        &corpus("paper_to_dag__main_deployment_dag.json"),
        "--conditions",
        &example("seed-conditions.json"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["metrics"]["gpus_total"], 128);
    let bad = std::env::temp_dir().join(format!("planscope-cond-{}.json", std::process::id()));
    std::fs::write(&bad, "{\n  \"cluster\": {\"gpus\": \"many\"}\n}").unwrap();
    let out = planscope(&["verify", &example("seed-ep64-tp2.json"), "--conditions", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(":2:"), "{}", text(&out.stderr));
    let _ = std::fs::remove_file(&bad);
}

#[test]
fn report_writes_one_self_contained_html_file() {
    let dir = std::env::temp_dir().join(format!("planscope-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let out = planscope(&["report", &example("seed-ep64-tp2.json"), "-o", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc = std::fs::read_to_string(&html).unwrap();
    assert!(doc.starts_with("<!doctype html>") || doc.starts_with("<!DOCTYPE html>"), "{}", &doc[..40]);
    for code in ["GPU_UNDERUSE", "EP_INCOMPLETE", "COMM_BOTTLENECK"] {
        assert!(doc.contains(code), "{code}");
    }
    assert!(!doc.contains("http://") && !doc.contains("https://"), "no remote resources");
    // An unreachable target still writes the report, explains why, and exits 1.
    let out =
        planscope(&["report", &example("seed-ep64-tp2.json"), "--strategy", "EP48", "-o", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::fs::read_to_string(&html).unwrap().contains("not divisible by EP48"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_planscope"))
        .args(["rewrite", &example("seed-ep64-tp2.json"), "--strategy", "EP64_TP2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let out = child.wait_with_output().unwrap();
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

/// `verify --json` says where the step goes (mean seconds per layer per part on the busiest
/// GPU), what fraction of the model the plan covers and its throughput; `--overlap` adds
/// the two-batch-overlap step, never longer than the serial one.
#[test]
fn verify_json_breaks_the_step_down_per_layer() {
    let file = corpus("paper_to_dag__main_deployment_dag.json");
    let cond = example("seed-conditions.json");
    let out = planscope(&["verify", &file, "--conditions", &cond, "--json", "--overlap"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sim = &v["metrics"]["simulation"];
    let per = &sim["per_layer"];
    for key in
        ["attention", "gate", "expert", "shared_expert", "dense_mlp", "dispatch", "combine", "all_reduce", "send_recv"]
    {
        assert!(per[key].as_f64().is_some_and(|s| s >= 0.0), "{key}: {per}");
    }
    assert!(per["expert"].as_f64().unwrap() > 0.0, "{per}");
    assert!(sim["coverage"]["plan_layers"].as_u64().unwrap() >= 1, "{}", sim["coverage"]);
    let (step, overlapped) = (sim["step_time_s"].as_f64().unwrap(), sim["overlapped_step_time_s"].as_f64().unwrap());
    assert!(overlapped > 0.0 && overlapped <= step, "{overlapped} vs {step}");
}

#[test]
fn verify_writes_the_step_as_a_chrome_trace() {
    let dir = std::env::temp_dir().join(format!("planscope-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("step.json");
    let out = planscope(&["verify", &example("seed-ep64-tp2.json"), "--trace", trace.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "the seed fails verification; the trace is still written");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let ev = v["traceEvents"].as_array().unwrap();
    let gpus = ev.iter().filter(|e| e["ph"] == "M" && e["name"] == "process_name").count();
    assert_eq!(gpus, 3, "one process per GPU used");
    assert!(ev.iter().any(|e| e["ph"] == "X" && e["args"]["node"] == "expert_2"));
    assert!(text(&out.stdout).contains("communicating"));
    assert!(text(&out.stdout).contains("\npeak memory "), "{}", text(&out.stdout));
    // No simulated step (no TFLOPS): a clear message and exit 2.
    let bare = dir.join("bare.json");
    std::fs::write(&bare, r#"{"nodes":[{"id":"a","type":"compute","gpu":0}],"edges":[]}"#).unwrap();
    let out = planscope(&["verify", bare.to_str().unwrap(), "--trace", trace.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no simulated step"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
