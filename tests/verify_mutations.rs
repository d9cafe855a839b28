//! Every finding code, triggered by one defect introduced into a correct generated plan.

use planscope_core::check::{Code, Report, Severity, VerifyOptions, verify};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::{Edge, GpuSet, Node, NodeKind, Op, Placement, Plan, Strategy};

fn base() -> Plan {
    generate(&GenSpec::new(Strategy::parse("EP4_TP2_PP2").unwrap(), 4, 8))
}

fn run(plan: &Plan, opts: &VerifyOptions) -> Report {
    verify(plan, opts)
}

fn errors(r: &Report) -> Vec<Code> {
    let mut v: Vec<Code> = r.errors().map(|f| f.code).collect();
    v.dedup();
    v
}

/// The defect gives exactly this error (and no other error).
fn only(r: &Report, code: Code) {
    assert_eq!(errors(r), vec![code], "{}", serde_json::to_string_pretty(&r.findings).unwrap());
    let f = r.find(code).unwrap();
    assert!(!f.message.is_empty() && !f.fix.is_empty());
}

fn has(r: &Report, code: Code, sev: Severity) {
    let f = r
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code}: {}", serde_json::to_string_pretty(&r.findings).unwrap()));
    assert_eq!(f.severity, sev, "{code}");
    assert!(!f.message.is_empty() && !f.fix.is_empty(), "{code}");
}

fn idx(p: &Plan, id: &str) -> usize {
    p.nodes.iter().position(|n| n.id == id).unwrap_or_else(|| panic!("no node {id}"))
}

fn remove_nodes(p: &mut Plan, keep: impl Fn(&Node) -> bool) {
    p.nodes.retain(|n| keep(n));
    let ids: std::collections::HashSet<String> = p.nodes.iter().map(|n| n.id.clone()).collect();
    p.edges.retain(|e| ids.contains(&e.from) && ids.contains(&e.to));
}

/// Removes a node, wiring each predecessor straight to each successor.
fn bypass(p: &mut Plan, keep: impl Fn(&Node) -> bool) {
    let gone: std::collections::HashSet<String> = p.nodes.iter().filter(|n| !keep(n)).map(|n| n.id.clone()).collect();
    let mut preds: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut succs: std::collections::HashMap<String, Vec<String>> = Default::default();
    for e in &p.edges {
        succs.entry(e.from.clone()).or_default().push(e.to.clone());
        preds.entry(e.to.clone()).or_default().push(e.from.clone());
    }
    let mut new = Vec::new();
    for g in &gone {
        for a in preds.get(g).into_iter().flatten() {
            for b in succs.get(g).into_iter().flatten() {
                new.push(Edge::data(a.clone(), b.clone()));
            }
        }
    }
    remove_nodes(p, keep);
    p.edges.extend(new);
}

#[test]
fn base_is_clean() {
    let r = run(&base(), &VerifyOptions::default());
    assert!(errors(&r).is_empty(), "{:?}", r.findings);
}

#[test]
fn cycle() {
    let mut p = base();
    p.edges.push(Edge::data("layer1_attn_ep0_tp0", "layer0_attn_ep0_tp0"));
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::Cycle, Severity::Error);
    let f = r.find(Code::Cycle).unwrap();
    assert!(f.nodes.contains(&"layer0_attn_ep0_tp0".to_string()));
    assert!(f.message.contains(" -> "));
}

#[test]
fn dangling_edge() {
    let mut p = base();
    p.edges.push(Edge::data("layer0_gate_ep0_tp0", "ghost"));
    only(&run(&p, &VerifyOptions::default()), Code::DanglingEdge);
}

#[test]
fn duplicate_id() {
    let mut p = base();
    let n = p.nodes[idx(&p, "layer0_gate_ep0_tp0")].clone();
    p.nodes.push(n);
    only(&run(&p, &VerifyOptions::default()), Code::DuplicateId);
}

#[test]
fn no_input() {
    let mut p = base();
    p.edges.retain(|e| e.to != "layer2_gate_ep1_tp1");
    let r = run(&p, &VerifyOptions::default());
    only(&r, Code::NoInput);
    assert_eq!(r.find(Code::NoInput).unwrap().nodes, vec!["layer2_gate_ep1_tp1"]);
}

#[test]
fn no_output() {
    let mut p = base();
    p.edges.retain(|e| e.from != "expert_3_0_layer_1");
    let r = run(&p, &VerifyOptions::default());
    only(&r, Code::NoOutput);
    assert_eq!(r.find(Code::NoOutput).unwrap().nodes, vec!["expert_3_0_layer_1"]);
}

#[test]
fn disconnected() {
    let mut p = base();
    p.nodes.push(Node::new("input2", NodeKind::Input));
    let mut x = Node::new("stray_compute", NodeKind::Compute);
    x.placement = Placement::gpu(0);
    p.nodes.push(x);
    p.nodes.push(Node::new("output2", NodeKind::Output));
    p.edges.push(Edge::data("input2", "stray_compute"));
    p.edges.push(Edge::data("stray_compute", "output2"));
    only(&run(&p, &VerifyOptions::default()), Code::Disconnected);
}

#[test]
fn gpu_unassigned() {
    let mut p = base();
    let i = idx(&p, "layer1_gate_ep2_tp0");
    p.nodes[i].placement = Placement::Unassigned;
    let r = run(&p, &VerifyOptions::default());
    only(&r, Code::GpuUnassigned);
    assert!(r.find(Code::GpuUnassigned).unwrap().fix.contains("layer1_gate_ep2_tp0 → GPU"));
}

#[test]
fn gpu_out_of_range() {
    let mut p = base();
    let i = idx(&p, "expert_0_0_layer_0");
    p.nodes[i].placement = Placement::gpu(999);
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::GpuOutOfRange, Severity::Error);
    assert_eq!(r.find(Code::GpuOutOfRange).unwrap().gpus, vec![999]);
}

#[test]
fn gpu_underuse() {
    // A cluster of 16 GPUs for EP4_TP2_PP2, but every node of GPU 15 moved to GPU 14.
    let mut p = base();
    let remap = |s: &GpuSet| GpuSet::from_ids(s.iter().map(|g| if g == 15 { 14 } else { g }));
    for n in &mut p.nodes {
        n.placement = match &n.placement {
            Placement::Gpus(s) => Placement::Gpus(remap(s)),
            Placement::Transfer { from, to } => Placement::Transfer { from: remap(from), to: remap(to) },
            other => other.clone(),
        };
    }
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::GpuUnderuse, Severity::Error);
    assert_eq!(r.find(Code::GpuUnderuse).unwrap().gpus, vec![15]);
}

#[test]
fn missing_comm() {
    let mut p = base();
    p.edges.push(Edge::data("layer0_attn_ep0_tp0", "layer0_moe_agg_ep1_tp0"));
    only(&run(&p, &VerifyOptions::default()), Code::MissingComm);
}

#[test]
fn expert_imbalance() {
    let mut p = base();
    // expert_0_0 of layer 0 moves from GPU 0 (EP rank 0) to GPU 2 (EP rank 1).
    let i = idx(&p, "expert_0_0_layer_0");
    p.nodes[i].placement = Placement::gpu(2);
    let r = run(&p, &VerifyOptions::default());
    only(&r, Code::ExpertImbalance);
}

#[test]
fn strategy_mismatch() {
    let mut o = VerifyOptions::default();
    o.overrides.model.heads = Some(15);
    only(&run(&base(), &o), Code::StrategyMismatch);
}

#[test]
fn ep_incomplete() {
    let mut p = base();
    remove_nodes(&mut p, |n| n.expert.is_none_or(|e| e < 4));
    let r = run(&p, &VerifyOptions::default());
    // The TP all-reduces of the emptied EP ranks lose their inputs too.
    has(&r, Code::EpIncomplete, Severity::Error);
    assert!(r.find(Code::EpIncomplete).unwrap().fix.contains("expert_7_1"));
}

#[test]
fn tp_incomplete() {
    let mut p = base();
    bypass(&mut p, |n| n.op != Some(Op::AllReduce));
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::TpIncomplete, Severity::Error);
}

#[test]
fn pp_missing() {
    // Generated as DP2 (two replicas, no stages), held to PP2 on the same 16 GPUs.
    let p = generate(&GenSpec::new(Strategy::parse("EP4_TP2_DP2").unwrap(), 4, 8));
    let o = VerifyOptions { strategy: Some(Strategy::parse("EP4_TP2_PP2").unwrap()), ..Default::default() };
    only(&run(&p, &o), Code::PpMissing);
}

#[test]
fn memory_over() {
    let mut o = VerifyOptions::default();
    o.overrides.cluster.memory_gb = Some(0.05);
    let r = run(&base(), &o);
    only(&r, Code::MemoryOver);
    assert_eq!(r.find(Code::MemoryOver).unwrap().gpus_count, 16);
}

#[test]
fn comm_bottleneck() {
    let mut p = base();
    let i = idx(&p, "layer0_ep_dispatch_tp0");
    p.nodes[i].placement = Placement::gpu(0);
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::CommBottleneck, Severity::Warning);
    assert!(errors(&r).is_empty(), "{:?}", errors(&r));
}

#[test]
fn agg_bottleneck() {
    let mut p = base();
    for e in 1..4 {
        p.edges.push(Edge::data(format!("layer0_attn_ep{e}_tp0"), "layer0_moe_agg_ep0_tp0".to_string()));
    }
    has(&run(&p, &VerifyOptions::default()), Code::AggBottleneck, Severity::Warning);
}

#[test]
fn load_imbalance() {
    let mut p = base();
    let i = idx(&p, "layer0_attn_ep0_tp0");
    let shape = p.nodes[i].output.clone().unwrap();
    let mut sizes: Vec<u64> = shape.0.iter().map(|d| d.size.unwrap()).collect();
    sizes[0] *= 40;
    p.nodes[i].output = Some(planscope_core::model::Shape::from_sizes(&sizes));
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::LoadImbalance, Severity::Warning);
    assert!(errors(&r).is_empty(), "{:?}", errors(&r));
    assert!(r.metrics.simulation.as_ref().unwrap().balancedness < 0.7);
}

#[test]
fn gpu_convention_megatron() {
    // EP folded into DP: 8 GPUs = TP2·DP4 with EP4 dividing DP4.
    let p = generate(&GenSpec::new(Strategy::parse("TP2_DP4").unwrap(), 2, 8));
    let o = VerifyOptions { strategy: Some(Strategy::parse("EP4_TP2_DP4").unwrap()), ..Default::default() };
    let r = run(&p, &o);
    has(&r, Code::GpuConvention, Severity::Info);
    assert!(!r.has(Code::StrategyMismatch) && !r.has(Code::GpuUnderuse), "{:?}", r.findings);
}

#[test]
fn missing_constants() {
    let mut p = base();
    p.meta.cluster.tflops = None;
    let r = run(&p, &VerifyOptions::default());
    has(&r, Code::MissingConstants, Severity::Info);
    assert!(r.metrics.simulation.is_none());
    assert!(errors(&r).is_empty());
}

#[test]
fn deep_chain_does_not_overflow() {
    let mut p = Plan::new(planscope_core::model::Format::Json);
    for i in 0..200_000 {
        let mut n = Node::new(format!("n{i}"), if i == 0 { NodeKind::Input } else { NodeKind::Compute });
        n.placement = Placement::Gpus(GpuSet::single(0));
        p.nodes.push(n);
        if i > 0 {
            p.edges.push(Edge::data(format!("n{}", i - 1), format!("n{i}")));
        }
    }
    p.edges.push(Edge::data("n199999", "n0"));
    let r = run(&p, &VerifyOptions::default());
    assert_eq!(r.find(Code::Cycle).unwrap().nodes_count(), 200_000);
}

#[test]
fn one_node_without_input_is_said_in_the_singular() {
    let mut plan = planscope_core::read::read_plan(planscope_core::examples::SEED_EP64_TP2.text).unwrap();
    plan.nodes.push(Node::new("stray", NodeKind::Compute));
    let r = verify(&plan, &VerifyOptions::default());
    let f = r.find(Code::NoInput).expect("NO_INPUT");
    assert_eq!(
        f.message,
        "1 node other than the plan input has no predecessor, so it never receives data (it has no edge at all)"
    );
}
