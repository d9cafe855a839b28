//! Hostile input: small crafted texts that used to amplify into gigabytes, recurse past the
//! stack or take minutes. Each must be refused with an error naming the limit, or be
//! handled in bounded time and memory; none may panic. Each runs in well under two
//! seconds in a debug build.

use planscope_core::check::{VerifyOptions, verify};
use planscope_core::model::{Format, Group, Node, NodeKind, Placement, Plan};
use planscope_core::read::{read_dot, read_plan};
use planscope_core::write::dot::write_dot;
use std::time::{Duration, Instant};

/// Runs `f`, failing when it takes far longer than it should. Each takes under a second
/// alone in a debug build; the guard leaves room for a loaded machine running the tests
/// in parallel, while the quadratic and exponential paths these replace took minutes.
fn fast<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    assert!(took < Duration::from_secs(15), "{what} took {took:?}");
    out
}

fn nodes(n: usize, prefix: &str) -> String {
    (0..n).map(|i| format!("{prefix}{i};")).collect()
}

#[test]
fn big_default_attributes_on_many_nodes_are_refused() {
    let big = "x".repeat(1 << 20);
    let text = format!("digraph {{\n node [comment=\"{big}\"]\n {} }}", nodes(4000, "n"));
    let e = fast("defaults", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.col.is_some());

    // The same defaults on a few nodes are fine: the budget scales with the file.
    let text = format!("digraph {{ node [comment=\"{big}\"] a; b; c }}");
    let plan = fast("few nodes", || read_dot(&text)).unwrap();
    assert_eq!(plan.nodes.len(), 3);
}

#[test]
fn label_escapes_in_defaults_are_bounded() {
    let escapes = "\\N".repeat(100_000);
    let long_id = "i".repeat(1000);
    let ids: String = (0..500).map(|i| format!("{long_id}{i};")).collect();
    let text = format!("digraph g {{ node [label=\"{escapes}\"] {ids} }}");
    let e = fast("\\N", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");

    let text = format!("digraph {long_id} {{ node [label=\"{}\"] {} }}", "\\G".repeat(100_000), nodes(500, "n"));
    let e = fast("\\G", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");

    let text =
        format!("digraph {long_id} {{ subgraph cluster_{long_id} {{ label=\"{}\" a }} }}", "\\G".repeat(100_000));
    let e = fast("cluster \\G", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");
}

#[test]
fn cross_products_are_counted_before_they_are_made() {
    let side = |p: &str| (0..3000).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" ");
    let text = format!("digraph {{\n{{{}}} -> {{{}}} }}", side("a"), side("b"));
    let e = fast("3000 x 3000", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("(edges)"), "{e}");
    assert_eq!(e.line, Some(2), "{e}");

    // Under the edge limit, long ids repeated in every edge still amplify.
    let long = "q".repeat(2000);
    let side = |p: &str| (0..1000).map(|i| format!("{p}{long}{i}")).collect::<Vec<_>>().join(" ");
    let text = format!("digraph {{ {{{}}} -> {{{}}} }}", side("a"), side("b"));
    let e = fast("long ids", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");

    // So does a long port, copied into every edge of the product.
    let text = format!("digraph {{ a:{} -> {{{}}} }}", "p".repeat(100_000), nodes(3000, "b"));
    let e = fast("long port", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");

    // Many small cross products, each under the limits, share the budget.
    let text = format!(
        "digraph {{ edge [comment=\"{}\"] {} }}",
        "c".repeat(100_000),
        (0..200).map(|i| format!("{{a{i} b{i} c{i}}} -> {{d{i} e{i} f{i}}}\n")).collect::<String>()
    );
    let e = fast("edge defaults", || read_dot(&text)).unwrap_err();
    assert!(e.message.contains("ATTRIBUTE_BYTES"), "{e}");
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let deep = format!("digraph {{ {} a {} }}", "subgraph {".repeat(10_000), "}".repeat(10_000));
    let e = fast("10,000 deep", || read_dot(&deep)).unwrap_err();
    assert!(e.message.contains("nested more than"), "{e}");
    let deep = format!("digraph {{ a -> {} b {} }}", "{".repeat(10_000), "}".repeat(10_000));
    assert!(fast("edge into deep", || read_dot(&deep)).is_err());
    // Many sibling subgraphs, each setting a default, reuse nothing of each other.
    let siblings: String = (0..20_000).map(|i| format!("subgraph s{i} {{ node [k{i}=v] n{i} }}")).collect();
    let plan = fast("siblings", || read_dot(&format!("digraph {{ node [a=b] {siblings} }}"))).unwrap();
    assert_eq!(plan.nodes.len(), 20_000);
    assert_eq!(plan.nodes[7].attrs.len(), 2);
}

fn json_plan(nodes: &[(String, serde_json::Value)], edges: &[(String, String)]) -> String {
    let nodes: Vec<serde_json::Value> =
        nodes.iter().map(|(id, gpu)| serde_json::json!({"id": id, "type": "compute", "gpu": gpu})).collect();
    let edges: Vec<serde_json::Value> = edges.iter().map(|(a, b)| serde_json::json!({"from": a, "to": b})).collect();
    serde_json::json!({"nodes": nodes, "edges": edges}).to_string()
}

#[test]
fn descending_gpu_lists_read_in_n_log_n() {
    let down: Vec<u32> = (0..100_000).rev().collect();
    let gaps: Vec<u32> = (0..100_000).rev().map(|g| g * 2).collect();
    let text = json_plan(
        &[("a".into(), serde_json::json!(down)), ("b".into(), serde_json::json!(gaps))],
        &[("a".into(), "b".into())],
    );
    let plan = fast("read", || read_plan(&text)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.nodes[0].placement.gpu_set().ranges(), &[(0, 99_999)]);
    assert_eq!(plan.nodes[1].placement.gpu_set().ranges().len(), 100_000);
    fast("verify", || verify(&plan, &VerifyOptions::default()));

    // The same in a DOT label, written descending.
    let list: Vec<String> = (0..50_000).rev().map(|g| (g * 2).to_string()).collect();
    let text = format!("digraph {{ a [label=\"Attn\\nGPU: {}\"] }}", list.join(","));
    let plan = fast("dot", || read_dot(&text)).unwrap();
    assert_eq!(plan.nodes[0].placement.gpu_set().len(), 50_000);
}

#[test]
fn wide_gpu_ranges_are_refused_or_walked_as_ranges() {
    let text = json_plan(&[("a".into(), serde_json::json!("0-4000000000"))], &[]);
    let e = fast("huge range", || read_plan(&text)).unwrap_err();
    assert!(e.message.contains("4000000000"), "{e}");
    let text = "digraph { a [label=\"GPU: 0-4000000000\"] }";
    let plan = fast("huge range in DOT", || read_dot(text)).unwrap();
    assert!(!plan.nodes[0].placement.is_assigned() || plan.nodes[0].placement.gpu_set().len() < 1 << 21);

    // The widest accepted range on 400 nodes: verified and simulated per range, not per
    // GPU (that was 400 million steps per pass).
    let wide = serde_json::json!(format!("0-{}", planscope_core::model::MAX_GPU_ID));
    // Half of them expert shards, whose per-GPU balance is checked too.
    let name = |i: usize| if i.is_multiple_of(2) { format!("n{i}") } else { format!("layer_0_expert_{i}") };
    let nodes: Vec<(String, serde_json::Value)> = (0..400).map(|i| (name(i), wide.clone())).collect();
    let edges: Vec<(String, String)> = (0..399).map(|i| (name(i), name(i + 1))).collect();
    let plan = fast("read wide", || read_plan(&json_plan(&nodes, &edges))).unwrap();
    let report = fast("verify wide", || verify(&plan, &VerifyOptions::default()));
    assert_eq!(report.metrics.gpus_used, planscope_core::model::MAX_GPU_ID + 1);
}

#[test]
fn many_disjoint_gpu_sets_merge_once() {
    // 50k nodes, each on its own GPU, listed from the highest GPU down, each pair of
    // neighbours on disjoint GPUs: the GPU union and the missing-comm check stay linear.
    let n = 50_000;
    let nodes: Vec<(String, serde_json::Value)> =
        (0..n).map(|i| (format!("n{i}"), serde_json::json!((n - i) * 2))).collect();
    let edges: Vec<(String, String)> = (0..n - 1).map(|i| (format!("n{i}"), format!("n{}", i + 1))).collect();
    let plan = fast("read", || read_plan(&json_plan(&nodes, &edges))).unwrap();
    assert_eq!(plan.gpus_used().len(), n);
    fast("verify", || verify(&plan, &VerifyOptions { simulate: false, ..Default::default() }));
}

fn group(id: &str, parent: Option<&str>) -> Group {
    Group { id: id.into(), label: None, parent: parent.map(Into::into), attrs: Default::default() }
}

#[test]
fn nested_groups_write_to_dot_in_linear_time() {
    // Ten groups per id at each of twelve levels: every `l{k}` group names `l{k-1}` as its
    // parent, which used to write 10¹² subgraphs.
    let mut plan = Plan::new(Format::Json);
    plan.groups.push(group("cluster_root", None));
    for level in 0..12 {
        let parent = if level == 0 { "cluster_root".to_string() } else { format!("cluster_l{}", level - 1) };
        for _ in 0..10 {
            plan.groups.push(group(&format!("cluster_l{level}"), Some(&parent)));
        }
    }
    let mut node = Node::new("a", NodeKind::Compute);
    node.group = Some("cluster_l11".into());
    node.placement = Placement::gpu(0);
    plan.nodes.push(node);
    let text = fast("write", || write_dot(&plan));
    assert!(text.len() < 100_000, "{} bytes", text.len());
    let back = fast("read back", || read_dot(&text)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.nodes[0].group.as_deref(), Some("cluster_l11"));

    // A chain of 10,000 nested groups stops at the reader's depth.
    let mut plan = Plan::new(Format::Json);
    for i in 0..10_000 {
        let parent = (i > 0).then(|| format!("cluster_{}", i - 1));
        plan.groups.push(group(&format!("cluster_{i}"), parent.as_deref()));
    }
    let text = fast("deep write", || write_dot(&plan));
    assert!(read_dot(&text).is_ok());
}

#[test]
fn experts_on_every_gpu_behind_many_all_to_alls_simulate_per_range() {
    // 20 dispatches, each to the same 300 experts, every one on all 2^20 GPUs: the
    // all-to-all load walk added each expert's share GPU by GPU (6·10⁹ steps, 17 s in a
    // release build for this 250 kB file, minutes with more dispatches); it sweeps ranges now.
    let wide = format!("0-{}", planscope_core::model::MAX_GPU_ID);
    let mut nodes = vec![serde_json::json!({"id": "in", "kind": "input", "gpu": "host"})];
    let mut edges = Vec::new();
    for k in 0..20 {
        let id = format!("dispatch{k}");
        nodes.push(serde_json::json!({"id": id, "kind": "communication", "op": "all_to_all", "gpu": wide, "output": [4096, 1024]}));
        edges.push(serde_json::json!({"from": "in", "to": id}));
        for i in 0..300 {
            edges.push(serde_json::json!({"from": id, "to": format!("e{i}")}));
        }
    }
    for i in 0..300 {
        let id = format!("e{i}");
        nodes.push(serde_json::json!({"id": id, "kind": "compute", "op": "expert", "gpu": wide, "expert": i, "layer": 0, "output": [4096, 1024]}));
        edges.push(serde_json::json!({"from": id, "to": "out"}));
    }
    nodes.push(serde_json::json!({"id": "out", "kind": "output", "gpu": "host"}));
    let meta = serde_json::json!({
        "cluster": {"gpus": 1_048_576, "gpus_per_server": 8, "memory_gb": 80.0, "tflops": 400.0, "memory_bandwidth_gbs": 1800.0},
        "model": {"layers": 1, "experts": 300, "top_k": 2, "hidden": 1024, "expert_hidden": 2048, "dtype": "fp16", "batch": 4, "seq_len": 1024}
    });
    let text =
        serde_json::json!({"planscope": 1, "format": "json", "meta": meta, "nodes": nodes, "edges": edges}).to_string();
    let plan = fast("read", || read_plan(&text)).unwrap_or_else(|e| panic!("{e}"));
    let report = fast("verify and simulate", || verify(&plan, &VerifyOptions::default()));
    assert!(report.metrics.simulation.as_ref().is_some_and(|s| s.step_time_s > 0.0), "simulated");
}

#[test]
fn many_nodes_on_every_gpu_beside_many_on_one_skip_the_per_gpu_figures() {
    // 20,000 nodes each on a GPU of its own cut the GPUs into 40,000 cells, and 20,000 nodes
    // on every GPU cross all of them: 800 million steps for memory, the simulation and the
    // step view (38 s in a release build, gigabytes of step view). Past
    // limits::PLACEMENT_CELLS those are skipped, and a finding names the limit.
    let n = 20_000;
    let wide = format!("0-{}", planscope_core::model::MAX_GPU_ID);
    let mut nodes: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"id": format!("s{i}"), "kind": "compute", "op": "mlp", "gpu": i * 2, "output": [4096, 1024]}))
        .collect();
    nodes.extend((0..n).map(|i| serde_json::json!({"id": format!("w{i}"), "kind": "compute", "op": "mlp", "gpu": wide, "output": [4096, 1024]})));
    let edges: Vec<serde_json::Value> =
        nodes.windows(2).map(|w| serde_json::json!({"from": w[0]["id"], "to": w[1]["id"]})).collect();
    let meta = serde_json::json!({
        "cluster": {"gpus": 1_048_576, "memory_gb": 80.0, "tflops": 400.0, "memory_bandwidth_gbs": 1800.0},
        "model": {"layers": 1, "hidden": 1024, "dtype": "fp16", "batch": 4, "seq_len": 1024}
    });
    let text =
        serde_json::json!({"planscope": 1, "format": "json", "meta": meta, "nodes": nodes, "edges": edges}).to_string();
    let plan = fast("read", || read_plan(&text)).unwrap_or_else(|e| panic!("{e}"));
    let report = fast("verify", || verify(&plan, &VerifyOptions::default()));
    let f = report.findings.iter().find(|f| f.code.as_str() == "COST_SKIPPED").expect("COST_SKIPPED");
    assert!(f.message.contains("GPU cells crossed by placements"), "{}", f.message);
    assert!(report.metrics.simulation.is_none() && report.metrics.memory.is_none());
}
