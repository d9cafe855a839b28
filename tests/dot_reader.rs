//! DOT reader and writer: Graphviz's counts on the corpus, exact error positions on the
//! malformed files, the grammar corners, limits, no panics on mangled input, and round
//! trips through `write_dot`.

use planscope_core::model::{EdgeKind, NodeKind, Placement, Plan, Shape};
use planscope_core::read::{MAX_INPUT_BYTES, read_dot};
use planscope_core::write::dot::write_dot;
use proptest::prelude::*;
use std::path::PathBuf;

fn corpus(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(text: &str) -> Plan {
    read_dot(text).unwrap_or_else(|e| panic!("{e}"))
}

fn ids(plan: &Plan) -> Vec<&str> {
    plan.nodes.iter().map(|n| n.id.as_str()).collect()
}

fn edges(plan: &Plan) -> Vec<(&str, &str)> {
    plan.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect()
}

#[test]
fn corpus_dot_files_have_graphviz_counts() {
    let index: Vec<serde_json::Value> = serde_json::from_str(&corpus("INDEX.json")).unwrap();
    let mut checked = 0;
    for entry in &index {
        let file = entry["file"].as_str().unwrap();
        let (Some(nodes), Some(edges)) = (entry["nodes"].as_u64(), entry["edges"].as_u64()) else { continue };
        if !(file.ends_with(".dot") || file.ends_with(".gv")) || file.ends_with("comprehensive.dot") {
            continue; // the 3.9 MB file has its own test
        }
        let plan = read_dot(&corpus(file)).unwrap_or_else(|e| panic!("{}", e.with_file(file)));
        assert_eq!((plan.nodes.len() as u64, plan.edges.len() as u64), (nodes, edges), "{file}");
        checked += 1;
    }
    assert_eq!(checked, 23);
}

#[test]
fn largest_file_reads_with_graphviz_counts() {
    let start = std::time::Instant::now();
    let plan = read(&corpus("2025-12-04-11-03-13__llm_deployment_comprehensive.dot"));
    assert_eq!((plan.nodes.len(), plan.edges.len()), (8420, 10547));
    // Laid-out file: tab-indented multi-line attribute lists, `label="\N"` default.
    assert!(plan.nodes.iter().all(|n| n.attrs.contains_key("pos")), "every node keeps its laid-out position");
    assert!(plan.attrs.contains_key("bb"));
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

fn error_of(file: &str) -> planscope_core::read::ReadError {
    match read_dot(&corpus(file)) {
        Ok(_) => panic!("{file} must not read"),
        Err(e) => e,
    }
}

#[test]
fn corrupted_header_points_at_the_stray_name() {
    let e = error_of("2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment.dot");
    let line1 = corpus("2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment.dot");
    let line1 = line1.lines().next().unwrap();
    // Graphviz: "syntax error in line 1 near 'Qwen3'" (the second one, after the first string ends).
    let col = line1.rfind("Qwen3").map(|b| line1[..b].chars().count() as u32 + 1);
    assert_eq!((e.line, e.col), (Some(1), col), "{e}");
    assert!(e.message.starts_with("expected `{` after the graph name, found `Qwen3`"), "{e}");
}

#[test]
fn literal_backslash_n_file_points_at_the_first_backslash() {
    let e = error_of("2025-10-29-14-21-46__megatron_8_3b_baseline.dot");
    let col = "digraph megatron_8_3b_baseline_baseline {".len() as u32 + 1;
    assert_eq!((e.line, e.col), (Some(1), Some(col)), "{e}");
    assert!(e.message.starts_with("expected a statement"), "{e}");
    assert!(e.message.contains("literal `\\n`"), "{e}");
}

#[test]
fn errors_say_where_and_what() {
    let cases = [
        ("digraph {\n  a -> ;\n}", (2, 8), "expected a node or a subgraph after `->`"),
        ("digraph {\n  a [color]\n}", (2, 11), "expected `=` after the attribute name `color`"),
        ("digraph {\n  a -> b\n", (3, 1), "expected `}` to close the graph"),
        ("digraph { a [label=\"x] }", (1, 20), "never closed"),
        ("graph { a -> b }", (1, 11), "expected `--`"),
        ("digraph { a } b", (1, 15), "expected the end of the file"),
        ("node { }", (1, 1), "expected `digraph` or `graph`"),
    ];
    for (text, (line, col), msg) in cases {
        let e = read_dot(text).expect_err(text);
        assert_eq!((e.line, e.col), (Some(line), Some(col)), "{text}: {e}");
        assert!(e.message.contains(msg), "{text}: {e}");
    }
}

#[test]
fn grammar_corners() {
    let plan = read(
        r#"/* head */ strict DiGraph "my \"graph\"" {
        # preprocessor line
        graph [rankdir=LR]; size = "4,4"
        node [shape=ellipse]
        a; b [label="x" + "y"] [color=red; style=filled]
        a -> b -> c [label=e]   // chain: 2 edges
        a -> b                  // strict: merged
        d:p1:n -> {e f}         // port stripped, one edge per node
        subgraph cluster_outer {
            label = "Outer\nGroup"
            node [shape=box]
            g
            subgraph cluster_inner { h -> i }
            { rank=same; j }
        }
        k [label=<<b>bold</b>>]
        b [color=blue]
        -1.5 -> .5
        }"#,
    );
    assert_eq!(plan.name.as_deref(), Some("my \"graph\""));
    assert_eq!(ids(&plan), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "-1.5", ".5"]);
    assert_eq!(
        edges(&plan),
        [("a", "b"), ("b", "c"), ("d", "e"), ("d", "f"), ("h", "i"), ("-1.5", ".5")],
        "strict merges the repeated a -> b"
    );
    let node = |id: &str| plan.nodes.iter().find(|n| n.id == id).unwrap();
    assert_eq!(node("b").label.as_deref(), Some("xy"));
    assert_eq!(node("b").attrs["color"], "blue", "later statements win");
    assert_eq!(node("b").attrs["style"], "filled");
    assert_eq!(node("a").attrs["shape"], "ellipse");
    assert_eq!(node("g").attrs["shape"], "box", "cluster default");
    assert_eq!(node("k").attrs["shape"], "ellipse", "cluster defaults end with the cluster");
    assert_eq!(node("k").label.as_deref(), Some("<b>bold</b>"));
    assert_eq!(node("g").group.as_deref(), Some("cluster_outer"));
    assert_eq!(node("h").group.as_deref(), Some("cluster_inner"));
    assert_eq!(node("j").group.as_deref(), Some("cluster_outer"), "plain subgraphs are no groups");
    assert_eq!(plan.groups.len(), 2);
    assert_eq!(plan.groups[0].label.as_deref(), Some("Outer\nGroup"));
    assert_eq!(plan.groups[1].parent.as_deref(), Some("cluster_outer"));
    assert_eq!(plan.attrs["rankdir"], "LR");
    assert_eq!(plan.attrs["size"], "4,4");
    assert_eq!(plan.edges[1].attrs["label"], "e");
    assert_eq!(plan.edges[2].attrs["tailport"], "p1:n");
}

#[test]
fn label_without_equals_is_tolerated() {
    // As in the DOT embedded in 2026-01-04-09-49-07__final_dag.json (Graphviz refuses it).
    let plan = read("digraph { a [label\"GPU0: All-Reduce\" shape=ellipse] }");
    assert_eq!(plan.nodes[0].label.as_deref(), Some("GPU0: All-Reduce"));
    assert_eq!(plan.nodes[0].placement, Placement::gpu(0));
    assert!(read_dot("digraph { a [color\"red\"] }").is_err(), "only `label` is forgiven");
}

#[test]
fn edge_defaults_and_subgraph_sources() {
    let plan = read("digraph { edge [color=red] {a b} -> c; edge [color=blue]; subgraph s { x -> y } }");
    assert_eq!(edges(&plan), [("a", "c"), ("b", "c"), ("x", "y")]);
    assert_eq!(plan.edges[0].attrs["color"], "red");
    assert_eq!(plan.edges[2].attrs["color"], "blue");
}

#[test]
fn kinds_placements_and_shapes_from_a_corpus_file() {
    let plan = read(&corpus("2025-12-22-14-17-26__llm_final_dag.dot"));
    let node = |id: &str| plan.nodes.iter().find(|n| n.id == id).unwrap();
    let input = node("input");
    assert_eq!(input.kind, NodeKind::Input);
    assert_eq!(input.placement, Placement::All);
    assert_eq!(input.output, Shape::parse("[batch_size=128, seq_len=1024, hidden=1024]"));
    let ln = node("layer0_ln1");
    assert_eq!(ln.placement, Placement::parse("0-1023").unwrap());
    assert_eq!(ln.inputs, vec![Shape::from_sizes(&[128, 1024, 1024])]);
    assert_eq!(ln.op, Some(planscope_core::model::Op::LayerNorm));
    assert!(plan.nodes.iter().any(|n| n.kind == NodeKind::Output));

    let plan = read(&corpus("2025-11-26-11-58-22__moe_large_scale_deployment.dot"));
    assert!(plan.nodes.iter().any(|n| n.placement == Placement::gpu(3712)), "GPU: 3712 (Node 464, GPU 0)");
    assert!(plan.nodes.iter().all(|n| n.attrs["shape"] == "record" || n.attrs.contains_key("shape")));

    let plan = read(&corpus("2026-01-04-17-39-40__decode_dag.dot"));
    assert!(
        plan.nodes
            .iter()
            .any(|n| n.label.as_deref().is_some_and(|l| l.starts_with("GPU0:")) && n.placement == Placement::gpu(0))
    );
}

#[test]
fn control_edges_need_dashes_and_a_reason() {
    let plan = read(
        "digraph { a -> b [style=dashed, label=tokens]; b -> a [style=dashed, label=\"Next Iteration\"]; a -> c }",
    );
    let kinds: Vec<EdgeKind> = plan.edges.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EdgeKind::Data, EdgeKind::Control, EdgeKind::Data]);
    assert_eq!(plan.edges[0].style.as_deref(), Some("dashed"));
    assert!(!plan.edges[0].attrs.contains_key("style"));
}

#[test]
fn limits_give_errors_not_crashes() {
    let deep = format!("digraph {{ {} a {} }}", "subgraph {".repeat(200), "}".repeat(200));
    let e = read_dot(&deep).unwrap_err();
    assert!(e.message.contains("nested more than"), "{e}");

    let side = |p: &str| (0..2300).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" ");
    let e = read_dot(&format!("digraph {{ {{{}}} -> {{{}}} }}", side("a"), side("b"))).unwrap_err();
    assert!(e.message.contains("exceeds planscope's limit of 5000000 (edges)"), "{e}");

    let huge = " ".repeat(MAX_INPUT_BYTES + 1);
    assert!(read_dot(&huge).unwrap_err().message.contains("MB"));
}

const SAMPLE: &str = r#"strict digraph "g" {
    graph [rankdir=TB]; node [shape=box, style=filled]
    subgraph cluster_0 { label="Stage 0"; a [label="Attn\nGPU: 0-3\nInput: [4, 8]\nOutput: [b=4, s=8]"] }
    a -> b:p -> {c d} [style=dashed, label="sync"]
    e [label=<<i>x</i>>]; f = "1" + "2"; /* c */ // d
}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mangled_dot_never_panics(cuts in proptest::collection::vec((0usize..SAMPLE.len(), 0usize..8, any::<char>()), 0..6)) {
        let mut text = SAMPLE.to_string();
        for (at, len, c) in cuts {
            let at = (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (at..=(at + len).min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(at);
            text.replace_range(at..end, &c.to_string());
        }
        let _ = read_dot(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\\n\\t{}\\[\\]<>\"\\\\;:,=-]{0,200}") {
        let _ = read_dot(&text);
        let _ = read_dot(&format!("digraph {{ {text} }}"));
    }
}

/// What a round trip must keep of a node.
fn essence(plan: &Plan) -> Vec<String> {
    plan.nodes
        .iter()
        .map(|n| {
            format!(
                "{} {:?} {:?} {} {:?} {:?} {:?} {:?} {:?}",
                n.id, n.kind, n.op, n.placement, n.inputs, n.output, n.group, n.label, n.attrs
            )
        })
        .collect()
}

fn edge_essence(plan: &Plan) -> Vec<String> {
    plan.edges.iter().map(|e| format!("{} {} {:?} {:?} {:?}", e.from, e.to, e.kind, e.style, e.attrs)).collect()
}

#[test]
fn corpus_files_round_trip_through_write_dot() {
    for file in [
        "2025-12-22-14-17-26__llm_final_dag.dot",
        "2025-12-04-15-51-54__moe_deployment_dag.dot",
        "2026-01-04-17-39-40__prefill_dag.dot",
        "2025-12-30-17-26-35__parallel_strategy_dag.dot",
        "2026-01-05-10-27-44__final_corrected_dag.dot",
        "2025-12-01-14-11-15__gpu_mapping_dag.dot",
    ] {
        let plan = read(&corpus(file));
        let text = write_dot(&plan);
        let back = read_dot(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(essence(&back), essence(&plan), "{file}");
        assert_eq!(edge_essence(&back), edge_essence(&plan), "{file}");
        assert_eq!(back.groups, plan.groups, "{file}");
        assert_eq!(back.attrs, plan.attrs, "{file}");
        assert_eq!(back.name, plan.name, "{file}");
    }
}

fn generated(n: usize) -> Plan {
    use planscope_core::model::{Edge, Group, Node, Op};
    let mut plan = Plan::new(planscope_core::model::Format::Json);
    plan.name = Some("gen \"plan\" \\ <x>".into());
    plan.groups.push(Group {
        id: "stage0".into(),
        label: Some("Stage 0\nGPUs".into()),
        parent: None,
        attrs: Default::default(),
    });
    plan.groups.push(Group {
        id: "cluster_l1".into(),
        label: None,
        parent: Some("stage0".into()),
        attrs: Default::default(),
    });
    let kinds = [NodeKind::Compute, NodeKind::Communication, NodeKind::Aggregation];
    for i in 0..n {
        let kind = if i == 0 {
            NodeKind::Input
        } else if i == n - 1 {
            NodeKind::Output
        } else {
            kinds[i % 3]
        };
        let id = match i % 4 {
            0 => format!("n{i}"),
            1 => format!("q\"uote{i}\\"),
            2 => format!("<img src=x onerror=alert({i})>"),
            _ => format!("back\\slash {i}"),
        };
        let mut node = Node::new(id, kind);
        node.placement = match i % 5 {
            0 => Placement::gpu(i as u32),
            1 => Placement::parse("0-7").unwrap(),
            2 => Placement::Host,
            3 => Placement::parse("0-1→2-3").unwrap(),
            _ => Placement::Unassigned,
        };
        if i % 2 == 0 {
            node.inputs = vec![Shape::from_sizes(&[4, i as u64 + 1]), Shape::parse("[batch=4, seq]").unwrap()];
            node.output = Shape::parse("[batch=4, hidden=1024]");
        }
        if i % 3 == 0 {
            node.label = Some(format!("Layer \"{i}\"\nGPU: 99\\n"));
        }
        node.op = if i % 3 == 1 { Some(Op::Attention) } else { None };
        node.group = match i % 3 {
            0 => Some("stage0".into()),
            1 => Some("cluster_l1".into()),
            _ => None,
        };
        node.attrs.insert("fillcolor".into(), "light\"blue".into());
        plan.nodes.push(node);
    }
    for i in 1..n {
        let mut e = Edge::data(plan.nodes[i - 1].id.clone(), plan.nodes[i].id.clone());
        if i % 4 == 0 {
            e.kind = EdgeKind::Control;
        }
        if i % 3 == 0 {
            e.style = Some("dashed".into());
            e.attrs.insert("label".into(), "sync".into());
        }
        plan.edges.push(e);
    }
    plan
}

#[test]
fn generated_plans_round_trip() {
    let plan = generated(24);
    let back = read(&write_dot(&plan));
    assert_eq!(back.name, plan.name);
    assert_eq!(ids(&back), ids(&plan));
    for (a, b) in back.nodes.iter().zip(&plan.nodes) {
        assert_eq!(
            (a.kind, &a.placement, &a.inputs, &a.output),
            (b.kind, &b.placement, &b.inputs, &b.output),
            "{}",
            b.id
        );
        assert_eq!(a.attrs["fillcolor"], b.attrs["fillcolor"]);
        let group = b.group.as_ref().map(|g| if g.starts_with("cluster") { g.clone() } else { format!("cluster_{g}") });
        assert_eq!(a.group, group, "{}", b.id);
        if b.label.is_some() {
            assert!(a.label.as_deref().unwrap().starts_with(b.label.as_deref().unwrap()));
        }
        if b.op.is_some() {
            assert_eq!(a.op, b.op, "{}", b.id);
        }
    }
    assert_eq!(edge_essence(&back), edge_essence(&plan));
    // Stable: writing what was read back changes nothing more.
    assert_eq!(write_dot(&read(&write_dot(&back))), write_dot(&back));
}

#[test]
fn graphviz_renders_what_write_dot_writes() {
    let Ok(out) = std::process::Command::new("dot").arg("-V").output() else {
        eprintln!("note: Graphviz `dot` is not installed; skipping the render check");
        return;
    };
    assert!(out.status.success());
    for plan in [generated(13), read(&corpus("2025-12-30-17-26-35__parallel_strategy_dag.dot"))] {
        let text = write_dot(&plan);
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !stderr.contains("rror"), "{stderr}\n{text}");
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("<svg") && svg.contains("class=\"cluster\""), "clusters drawn");
        // Each node id reaches the SVG as a title, escaped (so `<img ...>` stays text).
        assert!(!svg.contains("<img"));
    }
}

/// Text that does not start as a graph (YAML, TOML, a launch script) is no plan, and the
/// message says what planscope reads it as; a graph with a fault, even at its first
/// token after `strict`, and the corpus's malformed files are faulty plans.
#[test]
fn configs_and_scripts_are_not_plans() {
    use planscope_core::read::Fault;
    for text in ["gpu:\n  mem_gb: 80\n", "[model]\nhidden = 7168\n", "vllm serve x --tensor-parallel-size 8\n", "---\n"]
    {
        let e = read_dot(text).expect_err(text);
        assert_eq!(e.fault, Fault::NotAPlan, "{text}: {e}");
        assert_eq!((e.line, e.col), (Some(1), Some(1)), "{e}");
        assert!(e.message.contains("neither JSON nor a Graphviz graph"), "{e}");
    }
    for text in ["strict x {}", "digraph { a -> }", "digraph"] {
        assert_eq!(read_dot(text).expect_err(text).fault, Fault::InPlan, "{text}");
    }
    for file in [
        "2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment.dot",
        "2025-10-29-14-21-46__megatron_8_3b_baseline.dot",
    ] {
        assert_eq!(error_of(file).fault, Fault::InPlan, "{file}");
    }
}
