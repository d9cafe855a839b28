//! The JSON reader on every corpus JSON file and on hand-made edge cases; the canonical
//! writer's round trip (corpus files and generated plans); its conformance to
//! www/planscope.schema.json; and no panic on random or mutated input.

#[path = "json_reader/schema_check.rs"]
mod schema_check;

mod common;
use common::{corpus_dir, corpus_text};

use planscope_core::model::{EdgeKind, NodeKind, Op, Placement, Plan};
use planscope_core::read::{ReadError, read_json};
use planscope_core::write::json::write_json;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Every JSON file of the corpus but INDEX.json, sorted.
fn corpus_json_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "INDEX.json")
        .collect();
    files.sort();
    files
}

/// The files whose DAG is a DOT string in `dag_content`: they need the DOT reader.
fn is_wrapper(file: &str) -> bool {
    file.starts_with("2026-01-04-")
}

fn load(file: &str) -> Plan {
    read_json(&corpus_text(file)).unwrap_or_else(|e| panic!("{}", e.with_file(file)))
}

fn node<'a>(plan: &'a Plan, id: &str) -> &'a planscope_core::model::Node {
    plan.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| panic!("no node {id}"))
}

fn err(text: &str) -> ReadError {
    read_json(text).expect_err("expected a read error")
}

#[test]
fn corpus_has_the_twelve_json_files() {
    let files = corpus_json_files();
    assert_eq!(files.len(), 12, "{files:?}");
    assert_eq!(files.iter().filter(|f| is_wrapper(f)).count(), 2);
}

#[test]
fn seed_dialect_roles_and_control_edges() {
    let plan = load("2025-12-01-16-48-00__final_deployment_dag.json");
    let expert = node(&plan, "expert_0_0_layer_0");
    assert_eq!((expert.kind, expert.layer, expert.expert), (NodeKind::Compute, Some(0), Some(0)));
    assert_eq!(expert.op, Some(Op::Expert));
    assert_eq!((expert.ranks.ep, expert.ranks.tp), (Some(0), Some(0)));
    assert_eq!(expert.attrs["expert_module"], json!("layer_0_expert_0"));
    assert_eq!(expert.placement, Placement::gpu(0));
    assert_eq!(expert.output.as_ref().unwrap().to_string(), "[128, 1024, 512]");
    let input = node(&plan, "input_aggregation");
    assert_eq!((input.kind, &input.placement), (NodeKind::Aggregation, &Placement::Unassigned));
    let comm =
        plan.nodes.iter().find(|n| n.attrs.get("communication_type") == Some(&json!("tensor_parallel_allreduce")));
    let comm = comm.expect("a TP all-reduce node");
    assert_eq!((comm.kind, comm.op.clone()), (NodeKind::Communication, Some(Op::AllReduce)));
    assert_eq!(comm.attrs["style"], json!("dashed"));
    assert_eq!(plan.edges.iter().filter(|e| e.kind == EdgeKind::Control).count(), 64);
    assert_eq!(plan.edges[0].attrs["type"], json!("data_flow"));
    // The blocks are read into meta and also kept verbatim.
    let m = &plan.meta;
    assert_eq!(m.strategy.unwrap().to_string(), "EP64_TP2_PP1_DP1");
    assert_eq!(m.strategy_name.as_deref(), Some("EP64_TP2_PP1_CORRECTED"));
    assert_eq!((m.cluster.gpus, m.cluster.memory_gb, m.cluster.tflops), (Some(128), Some(64.0), Some(400.0)));
    assert_eq!((m.model.layers, m.model.experts, m.model.hidden), (Some(16), Some(64), Some(1024)));
    assert_eq!((m.model.expert_hidden, m.model.batch, m.model.seq_len), (Some(2048), Some(128), Some(1024)));
    for block in ["deployment_strategy", "hardware_configuration", "model_configuration", "parallel_strategy"] {
        assert!(plan.attrs.contains_key(block), "{block} kept");
    }
    assert_eq!(plan.attrs["expert_distribution"]["experts_per_ep_group"], json!(16.0));
}

#[test]
fn name_keyed_dialect_with_input_shapes() {
    let plan = load("2025-11-28-17-19-06__dag.json");
    assert_eq!(node(&plan, "input").placement, Placement::Host);
    assert_eq!(node(&plan, "input").kind, NodeKind::Input);
    let qkv = node(&plan, "gpu0_mha_qkv");
    assert_eq!((qkv.kind, qkv.op.clone()), (NodeKind::Compute, Some(Op::Projection)));
    assert_eq!(qkv.inputs.len(), 1);
    assert_eq!(qkv.output.as_ref().unwrap().to_string(), "[128, 10000, 32, 128]");
    assert_eq!(qkv.attrs["type"], json!("mha_projection"));
    let residual = plan.nodes.iter().find(|n| n.attrs["type"] == json!("residual_add")).unwrap();
    assert_eq!(residual.op, Some(Op::Residual));
    assert_eq!(residual.inputs.len(), 2, "input_shapes gives one shape per input");
    assert!(plan.attrs.contains_key("metadata"));
}

#[test]
fn string_gpu_ranges_and_transfers() {
    let plan = load("2025-12-22-14-07-06__main_deployment_dag.json");
    // `[0.5, 1024, 4096]`: the half is not truncated to a size 0.
    assert_eq!(node(&plan, "expert_0_0").output.as_ref().unwrap().to_string(), "[0.5, 1024, 4096]");
    assert_eq!(node(&plan, "expert_0_0").output.as_ref().unwrap().elements(), None);
    assert_eq!(node(&plan, "expert_0_0").attrs["shape"], json!([0.5, 1024, 4096]));
    assert_eq!(node(&plan, "tp_allreduce_0").placement.to_string(), "0-1");
    let transfer = plan.nodes.iter().find(|n| matches!(n.placement, Placement::Transfer { .. })).unwrap();
    assert_eq!(transfer.placement.to_string(), "0-1→2-3");
    assert_eq!(plan.meta.strategy.unwrap().to_string(), "EP4_TP2_PP2_DP2");
    assert_eq!(plan.meta.cluster.gpus, Some(16));
    assert_eq!(node(&plan, "embed_tp0").attrs["parallelism"], json!("TP"));
}

#[test]
fn pair_edges_and_kind_words() {
    let plan = load("paper_to_dag__combined_parallel_dag.json");
    let kinds: Vec<NodeKind> = plan.nodes.iter().map(|n| n.kind).collect();
    use NodeKind::*;
    assert_eq!(
        kinds,
        [Input, Aggregation, Compute, Communication, Compute, Aggregation, Communication, Compute, Output]
    );
    assert_eq!(node(&plan, "ep_dispatch").op, Some(Op::AllToAll));
    assert_eq!(plan.edges[0].from, "dp_input");
    assert_eq!(plan.edges[0].to, "dp_split");
}

#[test]
fn plan_only_files_load_with_full_meta() {
    for file in [
        "2026-01-05-10-27-44__prefill_parallel_strategy_deployment_corrected.json",
        "2026-01-05-10-27-44__decode_parallel_strategy_deployment_corrected.json",
    ] {
        let plan = load(file);
        assert!(plan.nodes.is_empty() && plan.edges.is_empty());
        let (c, m) = (&plan.meta.cluster, &plan.meta.model);
        assert_eq!(plan.meta.strategy.unwrap().to_string(), "EP32_TP1_PP1_DP1", "{file}");
        assert_eq!((c.gpus, c.memory_gb, c.tflops), (Some(32), Some(64.0), Some(400.0)));
        assert_eq!((c.mfu, c.memory_bandwidth_gbs, c.bandwidth_utilization), (Some(0.6), Some(1800.0), Some(0.8)));
        assert_eq!((m.layers, m.experts, m.top_k, m.hidden), (Some(94), Some(128), Some(8), Some(4096)));
        assert_eq!((m.expert_hidden, m.heads, m.kv_heads, m.head_dim), (Some(1536), Some(64), Some(4), Some(64)));
        assert_eq!(
            (m.vocab, m.dtype, m.batch, m.seq_len),
            (Some(151936), Some(planscope_core::model::Dtype::Fp8), Some(128), Some(2048))
        );
        assert_eq!(plan.attrs["phase"], plan.attrs["phase"].clone());
        assert!(plan.attrs.contains_key("optimization_notes"));
    }
}

/// read -> canonical -> read gives an equal plan, and writing is stable.
fn assert_round_trip(plan: &Plan, what: &str) {
    let text = write_json(plan);
    let back = read_json(&text).unwrap_or_else(|e| panic!("{what}: canonical output does not read back: {e}"));
    assert!(back == *plan, "{what}: the round trip changed the plan");
    assert_eq!(write_json(&back), text, "{what}: writing is not stable");
}

#[test]
fn every_corpus_json_file_round_trips() {
    let mut checked = 0;
    for file in corpus_json_files() {
        match read_json(&corpus_text(&file)) {
            Ok(plan) => {
                assert_round_trip(&plan, &file);
                checked += 1;
            }
            // Only a wrapper may fail, and only inside its DOT (the DOT reader's concern).
            Err(e) => assert!(is_wrapper(&file) && e.message.contains("dag_content"), "{}", e.with_file(&file)),
        }
    }
    assert!(checked >= 10, "only {checked} files round-tripped");
}

#[test]
fn canonical_output_has_version_and_keeps_every_source_field() {
    let file = "2025-12-22-14-07-06__main_deployment_dag.json";
    let source: Value = serde_json::from_str(&corpus_text(file)).unwrap();
    let out: Value = serde_json::from_str(&write_json(&load(file))).unwrap();
    assert_eq!(out["planscope"], json!(1));
    assert_eq!(out["format"], json!("json"));
    for (src, canon) in source["nodes"].as_array().unwrap().iter().zip(out["nodes"].as_array().unwrap()) {
        for (key, value) in src.as_object().unwrap() {
            let kept = match key.as_str() {
                "id" => &canon["id"],
                "gpu" => &canon["gpu"],
                // A shape with a fractional size is also kept verbatim in attrs.
                "shape" if canon["attrs"].get("shape").is_none() => &canon["output"],
                _ => &canon["attrs"][key],
            };
            assert_eq!(kept, value, "node {} field {key}", src["id"]);
        }
    }
    for key in source.as_object().unwrap().keys().filter(|k| *k != "nodes" && *k != "edges") {
        assert_eq!(out["attrs"][key], source[key], "top-level {key}");
    }
}

#[test]
fn canonical_output_matches_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/planscope.schema.json")).unwrap(),
    )
    .unwrap();
    for file in [
        "2025-12-01-16-48-00__final_deployment_dag.json",
        "2025-11-28-17-19-06__dag.json",
        "2025-12-22-14-07-06__main_deployment_dag.json",
        "paper_to_dag__combined_parallel_dag.json",
        "2026-01-05-10-27-44__decode_parallel_strategy_deployment_corrected.json",
    ] {
        let out: Value = serde_json::from_str(&write_json(&load(file))).unwrap();
        let errors = schema_check::validate(&schema, &out);
        assert!(errors.is_empty(), "{file}: {}", errors.join("\n"));
    }
}

#[test]
fn schema_check_rejects_what_the_schema_forbids() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/planscope.schema.json")).unwrap(),
    )
    .unwrap();
    let good: Value = serde_json::from_str(&write_json(&load("paper_to_dag__main_deployment_dag.json"))).unwrap();
    assert!(schema_check::validate(&schema, &good).is_empty());
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        edit(&mut doc);
        schema_check::validate(&schema, &doc)
    };
    assert!(!bad(&|d| d.as_object_mut().unwrap().retain(|k, _| k != "planscope")).is_empty());
    assert!(!bad(&|d| d["nodes"][0].as_object_mut().unwrap().retain(|k, _| k != "id")).is_empty());
    assert!(!bad(&|d| d["nodes"][1]["kind"] = json!("gpu")).is_empty());
    assert!(!bad(&|d| d["nodes"][1]["gpu"] = json!(-1)).is_empty());
    assert!(!bad(&|d| d["edges"][0]["kind"] = json!("maybe")).is_empty());
    assert!(!bad(&|d| d["nodes"][1]["output"] = json!([1.5])).is_empty());
    assert!(!bad(&|d| d["meta"] = json!({"cluster": {"mfu": 2}})).is_empty());
}

// ---- errors: what was expected, and where ----

#[test]
fn syntax_errors_keep_line_and_column() {
    let e = err("{\n  \"nodes\": [\n    {\"id\": \"a\",}\n  ]\n}");
    assert_eq!((e.line, e.col), (Some(3), Some(16)), "{e}");
    assert!(e.message.starts_with("invalid JSON"), "{e}");
    let e = err("{\"nodes\": [");
    assert!(e.message.contains("ends before"), "{e}");
    // Columns count characters, not bytes.
    let e = err("{\"é\": 1,, }");
    assert_eq!((e.line, e.col), (Some(1), Some(9)), "{e}");
}

#[test]
fn semantic_errors_name_the_node_and_the_place() {
    let text = "{\"nodes\": [\n {\"id\": \"a\"},\n {\"id\": \"b\", \"gpu\": \"GPU banana\"}\n], \"edges\": []}";
    let e = err(text);
    assert_eq!((e.line, e.col, e.node.as_deref()), (Some(3), Some(21), Some("b")), "{e}");
    assert!(e.message.contains("banana") && e.message.contains("expected"), "{e}");
    assert_eq!(e.to_string().lines().count(), 1);

    let e = err("{\"nodes\": [{\"id\": \"a\"},\n  {\"type\": \"compute\"}]}");
    assert_eq!((e.line, e.col), (Some(2), Some(3)), "{e}");
    assert!(e.message.contains("no `id` or `name`"), "{e}");

    let e = err("{\"nodes\": [], \"edges\": [[\"a\", \"b\"],\n [\"a\", \"b\", \"c\"]]}");
    assert_eq!((e.line, e.col), (Some(2), Some(2)), "{e}");
    assert!(e.message.contains("expected an edge") && e.message.contains("3 items"), "{e}");

    let e = err("{\"edges\": [{\"from\": \"a\"}]}");
    assert!(e.message.contains("no `to`"), "{e}");
    let e = err("{\"nodes\": [{\"id\": \"a\", \"shape\": [1, null]}]}");
    assert!(e.message.contains("expected a shape") && e.node.as_deref() == Some("a"), "{e}");
    let e = err("{\"nodes\": {\"a\": 1}}");
    assert!(e.message.contains("`nodes`: expected a list"), "{e}");
    let e = err("[1, 2]");
    assert!(e.message.contains("expected a JSON object"), "{e}");
    let e = err("{\"planscope\": 7, \"format\": \"json\", \"nodes\": [], \"edges\": []}");
    assert!(e.message.contains("version 1"), "{e}");
}

#[test]
fn canonical_errors_carry_serde_positions() {
    let text = "{\"planscope\": 1, \"format\": \"json\",\n\"nodes\": [{\"id\": \"a\", \"kind\": \"compute\", \"gpu\": \"x-y\"}],\n\"edges\": []}";
    let e = err(text);
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("GPU"), "{e}");
}

#[test]
fn depth_and_size_limits_give_messages() {
    let deep = format!("{{\"nodes\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let e = err(&deep);
    assert!(e.message.contains("nested more than 128"), "{e}");
    assert!(e.line.is_some());
    let huge = " ".repeat(planscope_core::read::MAX_INPUT_BYTES + 1);
    assert!(err(&huge).message.contains("up to 64 MB"));
}

// ---- the dag_content wrapper ----

#[test]
fn wrapper_fields_go_to_attrs_and_dot_errors_point_into_the_outer_file() {
    let ok = r#"{"dag_content": "digraph g {\n  a -> b\n}", "dag_analysis": {"has_cycle": false}}"#;
    match read_json(ok) {
        Ok(plan) => {
            assert_eq!(plan.format, planscope_core::model::Format::JsonDot);
            assert_eq!((plan.nodes.len(), plan.edges.len()), (2, 1));
            assert_eq!(plan.attrs["dag_analysis"], json!({"has_cycle": false}));
        }
        Err(e) => assert!(e.message.starts_with("in dag_content"), "{e}"),
    }
    // A broken DOT statement on DOT line 3: the error must land inside the string.
    let bad = "{\n  \"x\": 1,\n  \"dag_content\": \"digraph {\\n  a -> b\\n  c [shape box]\\n}\"\n}";
    let e = err(bad);
    assert!(e.message.contains("dag_content"), "{e}");
    if e.message.contains("DOT line") {
        let open = bad.find("\"digraph").unwrap();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.col.unwrap() as usize > open - bad[..open].rfind('\n').unwrap(), "{e}");
    }
}

#[test]
fn wrapper_with_a_json_dag_inside() {
    let text =
        r#"{"dag_content": {"nodes": [{"id": "a"}, {"id": "b", "gpu": 1}], "edges": [["a", "b"]]}, "notes": "x"}"#;
    let plan = read_json(text).unwrap();
    assert_eq!((plan.nodes.len(), plan.edges.len()), (2, 1));
    assert_eq!(plan.attrs["notes"], json!("x"));
    let bad = "{\"dag_content\": {\"nodes\": [{\"id\": \"a\",\n \"gpu\": true}]}}";
    let e = err(bad);
    assert_eq!((e.line, e.col, e.node.as_deref()), (Some(2), Some(9), Some("a")), "{e}");
}

#[test]
fn corpus_wrappers_read_their_fields_or_fail_inside_the_dot() {
    for file in corpus_json_files().into_iter().filter(|f| is_wrapper(f)) {
        match read_json(&corpus_text(&file)) {
            Ok(plan) => {
                assert_eq!(plan.format, planscope_core::model::Format::JsonDot);
                assert!(plan.attrs.contains_key("dag_analysis") || plan.attrs.contains_key("analysis_results"));
            }
            Err(e) => {
                assert!(e.message.starts_with("in dag_content"), "{}", e.with_file(&file));
                assert!(e.line.is_some(), "{}", e.with_file(&file));
            }
        }
    }
}

// ---- generated input ----

fn arb_placement() -> impl Strategy<Value = Placement> {
    use planscope_core::model::GpuSet;
    let set = prop::collection::vec(0u32..64, 1..4).prop_map(GpuSet::from_ids);
    prop_oneof![
        Just(Placement::Unassigned),
        Just(Placement::Host),
        Just(Placement::All),
        set.clone().prop_map(Placement::Gpus),
        (set.clone(), set).prop_map(|(from, to)| Placement::Transfer { from, to }),
    ]
}

fn arb_shape() -> impl Strategy<Value = planscope_core::model::Shape> {
    use planscope_core::model::{Dim, Shape};
    let dim = prop_oneof![
        (1u64..1 << 20).prop_map(|s| Dim { name: None, size: Some(s) }),
        // Names start with a letter: `_0` would read back as the size 0 (Shape's rule).
        "[a-z][a-z0-9_]{0,6}".prop_map(|n| Dim { name: Some(n), size: None }),
        ("[a-z][a-z0-9_]{0,6}", 1u64..4096).prop_map(|(n, s)| Dim { name: Some(n), size: Some(s) }),
    ];
    prop::collection::vec(dim, 1..4).prop_map(Shape)
}

fn arb_attrs() -> impl Strategy<Value = planscope_core::model::Attrs> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1000i32..1000).prop_map(|n| Value::from(n as f64 / 8.0)),
        ".{0,12}".prop_map(Value::from),
        prop::collection::vec(any::<u16>(), 0..3).prop_map(|v| json!(v)),
    ];
    prop::collection::vec(("[a-z_]{1,8}", value), 0..4).prop_map(|kv| kv.into_iter().collect())
}

fn arb_node() -> impl Strategy<Value = planscope_core::model::Node> {
    use planscope_core::model::{Node, Ranks};
    let kind = prop_oneof![
        Just(NodeKind::Compute),
        Just(NodeKind::Communication),
        Just(NodeKind::Aggregation),
        Just(NodeKind::Input),
        Just(NodeKind::Output)
    ];
    let op = prop_oneof![
        Just(None),
        Just(Some(Op::AllToAll)),
        Just(Some(Op::Expert)),
        ".{1,8}".prop_map(|s| Some(Op::Other(s)))
    ];
    (
        (".{0,10}", kind, op, prop::option::of(".{0,10}"), arb_placement()),
        (prop::collection::vec(arb_shape(), 0..3), prop::option::of(arb_shape())),
        (prop::option::of(0u32..100), prop::option::of(0u32..300), prop::array::uniform4(prop::option::of(0u32..64))),
        (prop::option::of("[a-z]{1,6}"), arb_attrs()),
    )
        .prop_map(|((id, kind, op, label, placement), (inputs, output), (layer, expert, r), (group, attrs))| {
            Node {
                id,
                kind,
                op,
                label,
                placement,
                inputs,
                output,
                layer,
                expert,
                ranks: Ranks { ep: r[0], tp: r[1], pp: r[2], dp: r[3] },
                group,
                attrs,
            }
        })
}

fn arb_plan() -> impl Strategy<Value = Plan> {
    use planscope_core::model::{Edge, Format, Group, Meta, Strategy as Degrees};
    let edge = (".{0,6}", ".{0,6}", any::<bool>(), prop::option::of("[a-z]{1,6}"), arb_attrs()).prop_map(
        |(from, to, control, style, attrs)| Edge {
            from,
            to,
            kind: if control { EdgeKind::Control } else { EdgeKind::Data },
            style,
            attrs,
        },
    );
    let group = ("[a-z]{1,6}", prop::option::of(".{0,6}"), prop::option::of("[a-z]{1,6}"), arb_attrs())
        .prop_map(|(id, label, parent, attrs)| Group { id, label, parent, attrs });
    let meta = (
        prop::option::of((1u32..128, 1u32..16, 1u32..8, 1u32..8)),
        prop::option::of(".{0,12}"),
        prop::option::of(1u32..4096),
        prop::option::of(1u64..1 << 16),
    )
        .prop_map(|(degrees, name, gpus, hidden)| {
            let mut m = Meta {
                strategy: degrees.map(|(e, t, p, d)| Degrees::new(e, t, p, d).unwrap()),
                strategy_name: name,
                ..Meta::default()
            };
            m.cluster.gpus = gpus;
            m.cluster.memory_gb = gpus.map(|g| g as f64 / 4.0);
            m.model.hidden = hidden;
            m
        });
    let format = prop_oneof![Just(Format::Json), Just(Format::Dot), Just(Format::JsonDot)];
    (
        prop::option::of(".{0,8}"),
        format,
        meta,
        prop::collection::vec(arb_node(), 0..6),
        prop::collection::vec(edge, 0..6),
        prop::collection::vec(group, 0..3),
        arb_attrs(),
    )
        .prop_map(|(name, format, meta, nodes, edges, groups, attrs)| Plan {
            name,
            format,
            meta,
            nodes,
            edges,
            groups,
            attrs,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_plans_round_trip(plan in arb_plan()) {
        let text = write_json(&plan);
        let back = read_json(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, plan);
    }

    #[test]
    fn random_text_never_panics(text in ".{0,200}") {
        let _ = read_json(&text);
        let _ = read_json(&format!("{{\"nodes\": [{text}]}}"));
    }

    #[test]
    fn mutated_corpus_json_never_panics(
        file in 0usize..6,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "[\\[\\]{}\",:0-9a-z\\\\ ]{0,3}"), 1..6),
    ) {
        const SMALL: [&str; 6] = [
            "paper_to_dag__main_deployment_dag.json",
            "paper_to_dag__combined_parallel_dag.json",
            "2025-11-28-17-19-06__dag.json",
            "2025-12-22-14-07-06__main_deployment_dag.json",
            "2026-01-04-14-37-35__dag.json",
            "2026-01-05-10-27-44__decode_parallel_strategy_deployment_corrected.json",
        ];
        let mut text: Vec<char> = corpus_text(SMALL[file]).chars().collect();
        for (at, how, insert) in edits {
            let i = at.index(text.len().max(1)).min(text.len());
            match how {
                0 => { text.truncate(i); }
                1 => { text.splice(i..i, insert.chars()); }
                2 => { let end = (i + insert.len()).min(text.len()); text.splice(i..end, insert.chars()); }
                _ => { if i < text.len() { text.remove(i); } }
            }
        }
        let text: String = text.into_iter().collect();
        if let Err(e) = read_json(&text) {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn mutated_values_never_panic(v in value_tree()) {
        let doc = json!({"nodes": [v.clone(), {"id": "a", "gpu": v.clone(), "shape": v.clone(), "layer": v.clone()}],
                         "edges": [v.clone(), ["a", v.clone()]], "hardware_configuration": v.clone(),
                         "model_configuration": v.clone(), "parallel_strategy": v.clone(), "deployment_strategy": v.clone()});
        let _ = read_json(&doc.to_string());
        let _ = read_json(&json!({"dag_content": v.clone()}).to_string());
        let _ = read_json(&json!({"planscope": 1, "format": "json", "nodes": [v.clone()], "edges": [v]}).to_string());
    }
}

fn value_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "(GPU|gpu|host|all|[0-9]{1,12}|-|→|,|~|%|GB|TB/s| ){0,5}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("(id|name|from|to|gpu|degree|ep|type|[a-z]{1,3})", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[test]
fn the_documented_example_reads_and_matches_the_schema() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/formats.md")).unwrap();
    let example = doc.split("```json\n").nth(1).and_then(|s| s.split("```").next()).expect("a JSON example");
    let plan = read_json(example).unwrap_or_else(|e| panic!("docs/formats.md example: {e}"));
    assert_eq!(plan.nodes[3].placement.to_string(), "0-1→2-3");
    assert_eq!(plan.nodes[3].op, Some(Op::Other("p2p_copy".into())));
    assert_eq!(plan.edges[1].kind, EdgeKind::Control);
    assert_round_trip(&plan, "docs example");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("www/planscope.schema.json")).unwrap()).unwrap();
    let errors = schema_check::validate(&schema, &serde_json::from_str(example).unwrap());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// A JSON object with no graph and nothing a plan declares is no plan (a model's
/// config.json dropped as one), and says so; one with a graph, even an empty one, or with
/// a plan's metadata and no graph (the corpus's plan-only files) is a plan.
#[test]
fn model_configs_and_graphless_objects_are_not_plans() {
    use planscope_core::conditions::model_presets;
    use planscope_core::read::Fault;
    for p in model_presets() {
        let e = err(p.file.text());
        assert_eq!(e.fault, Fault::NotAPlan, "{}: {e}", p.name);
        assert!(e.message.starts_with("this JSON is a model's configuration (`model_type`: "), "{}: {e}", p.name);
    }
    for text in [r#"{}"#, r#"{"name": "x", "nodes": null}"#, r#"{"mem_per_GPU_in_GB": 80}"#] {
        let e = err(text);
        assert_eq!(e.fault, Fault::NotAPlan, "{text}: {e}");
        assert!(e.message.starts_with("this JSON object holds no plan: no `nodes`"), "{e}");
    }
    for text in [r#"{"nodes": []}"#, r#"{"links": []}"#, r#"{"parallel_strategy": "EP4_TP2"}"#] {
        assert!(read_json(text).is_ok(), "{text} is a plan");
    }
    // A plan's fault stays one.
    assert_eq!(err(r#"{"nodes": 3}"#).fault, Fault::InPlan);
    assert_eq!(err(r#"{"nodes": [], "#).fault, Fault::InPlan);
    let file = "2026-01-05-10-27-44__prefill_parallel_strategy_deployment_corrected.json";
    assert!(load(file).nodes.is_empty(), "{file} reads as a plan with no DAG");
}

/// Every meta field the Conditions panel can set is one the schema allows: a plan planscope
/// writes with it (`plan --zero-copies`, `--micro-batches`, `--sequence-parallel`) validates.
#[test]
fn the_schema_allows_every_field_the_conditions_set() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("www/planscope.schema.json")).unwrap()).unwrap();
    let defs = &schema["$defs"];
    let missing: Vec<&str> = planscope_core::conditions_form::FIELDS
        .iter()
        .map(|f| f.key)
        .filter(|key| {
            let (block, name) = key.split_once('.').unwrap();
            let props = if block == "strategy" { &defs["meta"]["properties"] } else { &defs[block]["properties"] };
            props.get(name).is_none()
        })
        .collect();
    assert!(missing.is_empty(), "not in www/planscope.schema.json: {missing:?}");
}
