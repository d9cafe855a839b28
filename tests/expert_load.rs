//! The expert load end to end: the same files through the core path both shells use
//! (the CLI's `verify/rewrite --expert-load`, the page's `analysis::sides` with
//! `Request::expert_load`) give the same numbers; and the EP dispatch/combine follow the
//! load, the busiest GPU's exchange growing by its share of the tokens.

use planscope_core::analysis::{Request, sides};
use planscope_core::check::{Report, VerifyOptions, verify};
use planscope_core::cost::comm::Link;
use planscope_core::cost::resolve;
use planscope_core::expert_load::ExpertLoad;
use planscope_core::model::{ClusterSpec, Meta, ModelSpec, Plan, Strategy};
use planscope_core::read::read_plan;
use planscope_core::rewrite::{Target, rewrite};
use std::process::Command;
use std::sync::Arc;

const CORPUS_PLAN: &str = "2025-12-01-16-48-00__ep64_tp2_deployment.dot";
const LOAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/expert-load-16x64-zipf.json");

fn corpus(file: &str) -> String {
    format!("{}/../shared/corpus/lr-agent/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-30)
}

#[test]
fn the_page_and_the_cli_agree_on_a_load() {
    let plan_path = corpus(CORPUS_PLAN);
    let tmp = std::env::temp_dir().join(format!("planscope-load-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let out = tmp.join("rewritten.json");
    let out_s = out.to_str().unwrap();
    // The core path the page takes: one Request for both sides.
    let plan = Arc::new(read_plan(&std::fs::read_to_string(&plan_path).unwrap()).unwrap());
    let load = Arc::new(ExpertLoad::read(&std::fs::read_to_string(LOAD).unwrap()).unwrap());
    let strategy = Strategy::parse("EP64_TP2").unwrap();
    let overrides = planscope_core::conditions::preset("h800").unwrap().meta;
    let req = Request {
        strategy: Some(strategy),
        gpus: None,
        overrides,
        expert_load: Some(load.clone()),
        launch: None,
        capacity: Default::default(),
    };
    let (before, after) = sides(plan, &req);
    let after = after.unwrap().unwrap();
    let (bs, as_) = (
        before.report.metrics.simulation.as_ref().unwrap(),
        after.analysis.report.metrics.simulation.as_ref().unwrap(),
    );
    // The CLI on the same files.
    let v = json(&cli(&[
        "verify",
        &plan_path,
        "--strategy",
        "EP64_TP2",
        "--conditions",
        "h800",
        "--expert-load",
        LOAD,
        "--json",
    ]));
    let sim = &v["metrics"]["simulation"];
    assert!(
        close(sim["step_time_s"].as_f64().unwrap(), bs.step_time_s),
        "{} vs {}",
        sim["step_time_s"],
        bs.step_time_s
    );
    assert!(close(sim["balancedness"].as_f64().unwrap(), bs.balancedness));
    let r = cli(&[
        "rewrite",
        &plan_path,
        "--strategy",
        "EP64_TP2",
        "--conditions",
        "h800",
        "--expert-load",
        LOAD,
        "-o",
        out_s,
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    let said = String::from_utf8_lossy(&r.stdout);
    let b = after.balance.as_ref().expect("a load gives the EPLB balance");
    let line = format!("{:.3} contiguous, {:.3} round-robin, {:.3} load-aware", b.before, b.round_robin, b.after);
    assert!(said.contains(&line), "{line} not in {said}");
    // The load moves the placement: far better balanced than contiguous blocks.
    assert!(b.after > 0.9 && b.before < 0.5, "{b:?}");
    let va = json(&cli(&[
        "verify",
        out_s,
        "--strategy",
        "EP64_TP2",
        "--conditions",
        "h800",
        "--expert-load",
        LOAD,
        "--json",
    ]));
    let sa = &va["metrics"]["simulation"];
    assert!(
        close(sa["step_time_s"].as_f64().unwrap(), as_.step_time_s),
        "{} vs {}",
        sa["step_time_s"],
        as_.step_time_s
    );
    assert!(close(sa["balancedness"].as_f64().unwrap(), as_.balancedness));
    // A malformed load: exit 2, the file, line and column, the same words as the page's.
    let bad = tmp.join("bad-load.json");
    std::fs::write(&bad, "[[1, 2],\n [3, oops]]").unwrap();
    let e = cli(&["verify", &plan_path, "--expert-load", bad.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(2));
    let core = ExpertLoad::read("[[1, 2],\n [3, oops]]").unwrap_err();
    assert_eq!(String::from_utf8_lossy(&e.stderr).trim(), format!("{}:{core}", bad.display()));
    std::fs::remove_dir_all(&tmp).ok();
}

/// A one-server EP8 deployment of a small MoE on H800s, written by the rewriter with
/// contiguous expert blocks (no load), so a load can skew it.
fn ep8_plan() -> (Plan, Meta) {
    let model = ModelSpec {
        layers: Some(2),
        experts: Some(16),
        top_k: Some(2),
        hidden: Some(4096),
        expert_hidden: Some(1408),
        heads: Some(32),
        batch: Some(64),
        seq_len: Some(512),
        ..ModelSpec::default()
    };
    let cluster = planscope_core::conditions::preset("h800").unwrap().meta.cluster;
    let meta = Meta { model, cluster: ClusterSpec { gpus_per_server: Some(8), ..cluster }, ..Meta::default() };
    let seed = read_plan(planscope_core::examples::SEED_EP64_TP2.text).unwrap();
    let target = Target { overrides: meta.clone(), ..Target::new(Strategy::parse("EP8").unwrap()) };
    (rewrite(&seed, &target).unwrap().plan, meta)
}

/// Seconds of each dispatch and combine node, by id.
fn exchanges(plan: &Plan, r: &Report) -> Vec<(String, f64)> {
    let sim = r.metrics.simulation.as_ref().expect("simulated");
    let mut v: Vec<(String, f64)> = sim
        .spans
        .iter()
        .map(|s| (plan.nodes[s.node as usize].id.clone(), s.end_s - s.start_s))
        .filter(|(id, _)| id.contains("_ep_dispatch") || id.contains("_ep_combine"))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn the_busiest_gpu_bounds_dispatch_and_combine() {
    let (plan, meta) = ep8_plan();
    let opts = |load: Option<ExpertLoad>| VerifyOptions {
        overrides: meta.clone(),
        expert_load: load.map(Arc::new),
        ..VerifyOptions::default()
    };
    let uniform = exchanges(&plan, &verify(&plan, &opts(None)));
    assert_eq!(uniform.len(), 4, "{uniform:?}");
    // A balanced load changes nothing, to the last bit.
    let balanced = ExpertLoad::new(vec![vec![100.0; 16]; 2]).unwrap();
    assert_eq!(exchanges(&plan, &verify(&plan, &opts(Some(balanced)))), uniform);
    // Skewed: experts 0 and 1 (EP rank 0, contiguous blocks of 2) get 9 and 5 shares of
    // the 28, the other 14 one each. Rank 0 receives (9 + 5)/28 of the tokens against a
    // mean of 1/8: the exchange's link time grows 4×, α does not.
    let mut row = vec![1.0; 16];
    row[0] = 9.0;
    row[1] = 5.0;
    let skewed = ExpertLoad::new(vec![row; 2]).unwrap();
    let factor = (14.0 / 28.0) / (1.0 / 8.0);
    let c = resolve(&plan.meta.merged_with(&meta), &plan, None);
    let alpha = Link::intra(&c).alpha_s;
    let got = exchanges(&plan, &verify(&plan, &opts(Some(skewed))));
    for ((id, t0), (_, t1)) in uniform.iter().zip(&got) {
        let ratio = (t1 - alpha) / (t0 - alpha);
        assert!((ratio - factor).abs() < 1e-9, "{id}: {ratio} (expected {factor})");
    }
    // Placed by the same load (EPLB with a spare slot per rank), the exchange is nearly
    // balanced again.
    let seed = read_plan(planscope_core::examples::SEED_EP64_TP2.text).unwrap();
    let mut row = vec![1.0; 16];
    row[0] = 9.0;
    row[1] = 5.0;
    let target = Target {
        overrides: meta.clone(),
        expert_load: Some(vec![row.clone(), row.clone()]),
        ..Target::new(Strategy::parse("EP8").unwrap())
    };
    let placed = rewrite(&seed, &target).unwrap().plan;
    let load = ExpertLoad::new(vec![row.clone(), row]).unwrap();
    let eplb = exchanges(&placed, &verify(&placed, &opts(Some(load))));
    for ((id, t0), (_, t1)) in uniform.iter().zip(&eplb) {
        let ratio = (t1 - alpha) / (t0 - alpha);
        assert!(ratio < factor / 2.0, "{id}: {ratio} with EPLB placement against {factor} without");
    }
}

#[test]
fn report_takes_the_load_as_verify_and_rewrite_do() {
    let plan = corpus("paper_to_dag__main_deployment_dag.json");
    let conditions = concat!(env!("CARGO_MANIFEST_DIR"), "/www/examples/seed-conditions.json");
    let out = std::env::temp_dir().join(format!("planscope-load-report-{}.html", std::process::id()));
    let r = cli(&["report", &plan, "--conditions", conditions, "--expert-load", LOAD, "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().contains("<html"));
    std::fs::remove_file(&out).ok();
    let e = cli(&["report", &plan, "--expert-load", "/nonexistent/load.json"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("/nonexistent/load.json"));
}

#[test]
fn a_load_that_does_not_fit_the_model_is_named_and_not_applied() {
    use planscope_core::check::Code;
    let (plan, meta) = ep8_plan();
    let run = |load: Option<ExpertLoad>| {
        verify(
            &plan,
            &VerifyOptions { overrides: meta.clone(), expert_load: load.map(Arc::new), ..VerifyOptions::default() },
        )
    };
    let plain = run(None);
    // 3 rows for 2 MoE layers, then rows of 15 entries for 16 experts.
    for (rows, said) in [
        (vec![vec![1.0; 16]; 3], "the expert load has 3 rows; the model has 2 MoE layers (of 2)"),
        (vec![vec![1.0; 15]; 2], "expert load row 0 has 15 entries for 16 experts"),
    ] {
        let r = run(Some(ExpertLoad::new(rows).unwrap()));
        let f = r.findings.iter().find(|f| f.code == Code::ExpertLoadMismatch).expect("EXPERT_LOAD_MISMATCH");
        assert!(f.message.starts_with(said), "{}", f.message);
        assert_eq!(exchanges(&plan, &r), exchanges(&plan, &plain));
        let step = |r: &Report| r.metrics.simulation.as_ref().map(|s| s.step_time_s);
        assert_eq!(step(&r), step(&plain));
    }
}
