//! The layout engine on the real corpus and on generated plans: it never panics, boxes of
//! a rank never overlap, every edge runs down the ranks unless it is reported reversed,
//! cycles are reported, the domain key orders experts by GPU, series fold and unfold,
//! and a 100k-node chain needs no deep stack.

mod common;
use common::{corpus_dir, index};

use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::layout::{Direction, Grouping, Layout, LayoutOptions, LayoutSession, layout};
use planscope_core::model::{Edge, Format, Node, NodeKind, Placement, Plan, Strategy};
use planscope_core::read::read_plan;

/// The invariants every layout must hold; returns a description of the first violation.
fn check(plan: &Plan, l: &Layout) -> Result<(), String> {
    let horizontal = matches!(l.direction, Direction::LeftToRight | Direction::RightToLeft);
    let drawn_nodes: u32 = l.items.iter().map(|i| i.members).sum();
    if drawn_nodes as usize != plan.nodes.len() {
        return Err(format!("items stand for {drawn_nodes} nodes, the plan has {}", plan.nodes.len()));
    }
    for it in &l.items {
        let vals = [it.x, it.y, it.width, it.height];
        if vals.iter().any(|v| !v.is_finite()) || it.width <= 0.0 || it.height <= 0.0 {
            return Err(format!("bad geometry {it:?}"));
        }
    }
    // No two boxes of a rank overlap along the rank.
    let mut by_rank: Vec<Vec<(f32, f32)>> = Vec::new();
    for it in &l.items {
        let r = it.rank as usize;
        if by_rank.len() <= r {
            by_rank.resize(r + 1, Vec::new());
        }
        let (c, half) = if horizontal { (it.y, it.height / 2.0) } else { (it.x, it.width / 2.0) };
        by_rank[r].push((c - half, c + half));
    }
    for (r, spans) in by_rank.iter_mut().enumerate() {
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in spans.windows(2) {
            if w[1].0 < w[0].1 - 1e-3 {
                return Err(format!("rank {r}: boxes {:?} and {:?} overlap", w[0], w[1]));
            }
        }
    }
    for e in &l.edges {
        let (s, t) = (&l.items[e.source], &l.items[e.target]);
        if e.points.len() < 2 || e.points.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
            return Err(format!("bad polyline {e:?}"));
        }
        if e.reversed {
            if s.rank < t.rank {
                return Err(format!("reversed edge {e:?} runs down"));
            }
        } else if s.rank >= t.rank {
            return Err(format!("edge {} → {} goes from rank {} to rank {}", e.source, e.target, s.rank, t.rank));
        }
    }
    let b = l.bounds;
    for it in &l.items {
        if it.x - it.width / 2.0 < -1e-3
            || it.x + it.width / 2.0 > b.width + 1e-3
            || it.y + it.height / 2.0 > b.height + 1e-3
        {
            return Err(format!("{it:?} outside the bounds {b:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_corpus_file_lays_out_and_holds_the_invariants() {
    let mut failures = Vec::new();
    let mut laid = 0;
    // Each file is laid out plain and in one other mode, the modes taking turns, so every
    // mode and direction meets a varied share of the corpus without repeating the reads.
    let others = [
        LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() },
        LayoutOptions { grouping: Grouping::Cluster, direction: Direction::LeftToRight, ..LayoutOptions::default() },
        LayoutOptions { grouping: Grouping::Layer, direction: Direction::BottomToTop, ..LayoutOptions::default() },
        LayoutOptions { grouping: Grouping::Server, direction: Direction::RightToLeft, ..LayoutOptions::default() },
        LayoutOptions { grouping: Grouping::Stage, sweeps: 0, ..LayoutOptions::default() },
    ];
    for (i, entry) in index().iter().enumerate() {
        let file = entry["file"].as_str().unwrap();
        let Ok(text) = std::fs::read_to_string(corpus_dir().join(file)) else { continue };
        let Ok(plan) = read_plan(&text) else { continue };
        let other = &others[i % others.len()];
        if let Err(e) = check(&plan, &layout(&plan, other)) {
            failures.push(format!("{file} ({:?}, {:?}): {e}", other.grouping, other.direction));
        }
        let l = layout(&plan, &LayoutOptions::default());
        if let Err(e) = check(&plan, &l) {
            failures.push(format!("{file}: {e}"));
        }
        let cyclic = entry["acyclic"].as_bool() == Some(false);
        if cyclic && l.cycle_edges.is_empty() {
            failures.push(format!("{file}: cyclic, but no cycle edge reported"));
        }
        if !cyclic && !l.cycle_edges.is_empty() {
            failures.push(format!("{file}: acyclic, but {} cycle edges reported", l.cycle_edges.len()));
        }
        if cyclic && !l.edges.iter().any(|e| e.reversed) {
            failures.push(format!("{file}: cyclic, but no edge drawn reversed"));
        }
        laid += 1;
    }
    assert!(laid >= 34, "expected 34 readable DAG files, laid out {laid}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn layout_is_deterministic() {
    let text = std::fs::read_to_string(corpus_dir().join("2025-12-03-16-18-55__moe_parallel_strategy.dot")).unwrap();
    let plan = read_plan(&text).unwrap();
    let opts = LayoutOptions::default();
    assert_eq!(layout(&plan, &opts), layout(&plan, &opts));
}

fn regular(strategy: &str, layers: u32, experts: u32) -> Plan {
    generate(&GenSpec::new(Strategy::parse(strategy).unwrap(), layers, experts))
}

#[test]
fn experts_come_out_ordered_by_gpu() {
    let plan = regular("EP16_TP2_PP1_DP1", 2, 32);
    let l = layout(&plan, &LayoutOptions::default());
    check(&plan, &l).unwrap();
    let mut checked = 0;
    let max_rank = l.items.iter().map(|i| i.rank).max().unwrap();
    for r in 0..=max_rank {
        let mut experts: Vec<(f32, u32)> = l
            .items
            .iter()
            .filter(|i| i.rank == r)
            .filter_map(|i| {
                let n = &plan.nodes[i.node?.ix()];
                n.expert?;
                Some((i.x, n.placement.single()?))
            })
            .collect();
        if experts.len() < 2 {
            continue;
        }
        experts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let gpus: Vec<u32> = experts.iter().map(|e| e.1).collect();
        assert!(gpus.windows(2).all(|w| w[0] <= w[1]), "rank {r}: experts left to right on GPUs {gpus:?}");
        checked += 1;
    }
    assert!(checked >= 2, "no rank of experts found");
    // The seed is already good: sweeps may only improve on it.
    let seed_only = layout(&plan, &LayoutOptions { sweeps: 0, ..LayoutOptions::default() });
    assert!(l.stats.crossings <= seed_only.stats.crossings);
}

#[test]
fn a_series_of_64_experts_folds_and_unfolds() {
    let plan = regular("EP64_TP1_PP1_DP1", 1, 64);
    let experts = plan.nodes.iter().filter(|n| n.expert.is_some()).count();
    assert_eq!(experts, 64);
    let mut opts = LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() };
    let mut session = LayoutSession::new(&plan);
    let folded = session.layout(&opts).clone();
    check(&plan, &folded).unwrap();
    let series: Vec<_> = folded.groups.iter().filter(|g| g.id.contains("expert")).collect();
    assert_eq!(series.len(), 1, "{:?}", folded.groups.iter().map(|g| &g.id).collect::<Vec<_>>());
    let g = series[0];
    assert_eq!(g.members, 64);
    assert!(g.label.contains("[0–63]"), "{}", g.label);
    let item = &folded.items[g.item.unwrap()];
    assert_eq!(item.members, 64);
    assert!(folded.items.iter().all(|i| i.node.is_none_or(|v| plan.nodes[v.ix()].expert.is_none())));

    let id = g.id.clone();
    opts.toggle(&id);
    let open = session.layout(&opts).clone();
    check(&plan, &open).unwrap();
    let shown = open.items.iter().filter(|i| i.node.is_some_and(|v| plan.nodes[v.ix()].expert.is_some())).count();
    assert_eq!(shown, 64);
    let info = open.groups.iter().find(|g| g.id == id).unwrap();
    assert!(info.expanded && info.item.is_none() && info.bounds.is_some());
    opts.toggle(&id);
    assert_eq!(session.layout(&opts), &folded, "collapsing again gives the cached layout");
}

#[test]
fn grouping_by_layer_and_server_draws_few_items() {
    let plan = regular("EP8_TP2_PP2_DP1", 4, 16);
    for (mode, most) in [(Grouping::Layer, 60), (Grouping::Stage, 60), (Grouping::Server, 80)] {
        let l = layout(&plan, &LayoutOptions { grouping: mode, ..LayoutOptions::default() });
        check(&plan, &l).unwrap();
        assert!(l.items.len() <= most, "{mode:?}: {} items", l.items.len());
        assert!(!l.groups.is_empty());
    }
}

#[test]
fn chain_of_100k_nodes_with_a_cycle_and_junk() {
    let n = 100_000;
    let mut plan = Plan::new(Format::Json);
    for i in 0..n {
        let mut node = Node::new(format!("n{i}"), NodeKind::Compute);
        node.placement = Placement::gpu((i % 8) as u32);
        plan.nodes.push(node);
    }
    for i in 0..n - 1 {
        plan.edges.push(Edge::data(format!("n{i}"), format!("n{}", i + 1)));
    }
    plan.edges.push(Edge::data(format!("n{}", n - 1), "n0"));
    plan.edges.push(Edge::data("n5", "n5"));
    plan.edges.push(Edge::data("n5", "missing"));
    plan.nodes.push(Node::new("n7", NodeKind::Compute)); // duplicate id
    let l = layout(&plan, &LayoutOptions::default());
    check(&plan, &l).unwrap();
    assert_eq!(l.cycle_edges.len(), 2);
    assert_eq!(l.stats.dangling_edges, 1);
}

#[test]
fn empty_and_edgeless_plans() {
    let plan = Plan::new(Format::Json);
    let l = layout(&plan, &LayoutOptions::default());
    assert!(l.items.is_empty() && l.edges.is_empty());
    let mut plan = Plan::new(Format::Json);
    for i in 0..50 {
        plan.nodes.push(Node::new(format!("x{i}"), NodeKind::Compute));
    }
    let l = layout(&plan, &LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() });
    check(&plan, &l).unwrap();
    assert_eq!(l.items.len(), 1);
}

#[test]
fn options_and_layout_cross_a_worker_boundary() {
    let opts = LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() };
    let json = serde_json::to_string(&opts).unwrap();
    assert_eq!(serde_json::from_str::<LayoutOptions>(&json).unwrap(), opts);
    assert_eq!(serde_json::from_str::<LayoutOptions>("{}").unwrap(), LayoutOptions::default());
    let plan = regular("EP4_TP1_PP1_DP1", 1, 4);
    let l = layout(&plan, &opts);
    let back: Layout = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
    assert_eq!(back, l);
}

/// Width of the widest rank packed tight: its boxes side by side with the node gap.
fn widest_rank(l: &Layout, gap: f32) -> f32 {
    let mut per: Vec<(f32, u32)> = Vec::new();
    for it in &l.items {
        let r = it.rank as usize;
        if per.len() <= r {
            per.resize(r + 1, (0.0, 0));
        }
        per[r].0 += it.width;
        per[r].1 += 1;
    }
    per.iter().map(|&(w, k)| w + gap * k.saturating_sub(1) as f32).fold(0.0, f32::max)
}

fn seed_after() -> Plan {
    use planscope_core::analysis::{Request, analyze, rewrite_side};
    let plan = read_plan(planscope_core::examples::SEED_EP64_TP2.text).unwrap();
    let before = analyze(std::sync::Arc::new(plan), &Request::default());
    let s = before.strategy.unwrap();
    let after = rewrite_side(&before.plan, s, &Request::default()).unwrap();
    (*after.analysis.plan).clone()
}

#[test]
#[ignore]
fn print_layout_shapes() {
    let mut plans: Vec<(String, Plan)> = vec![("seed after".into(), seed_after())];
    for f in [
        "2025-12-03-16-18-55__moe_parallel_strategy_fixed.dot",
        "2025-12-04-11-03-13__llm_deployment_comprehensive.dot",
    ] {
        plans.push((f.into(), read_plan(&std::fs::read_to_string(corpus_dir().join(f)).unwrap()).unwrap()));
    }
    plans.push(("gen EP64_TP2 16x64".into(), regular("EP64_TP2_PP1_DP1", 16, 64)));
    for (name, plan) in &plans {
        for grouping in [Grouping::None, Grouping::Series] {
            let opts = LayoutOptions { grouping, ..LayoutOptions::default() };
            let t = std::time::Instant::now();
            let l = layout(plan, &opts);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let w = widest_rank(&l, opts.spacing.node);
            println!(
                "{name} {grouping:?}: {} nodes, {} items, {} ranks, bounds {:.0} x {:.0}, widest rank {:.0} \
                 (ratio {:.2}), {ms:.1} ms",
                plan.nodes.len(),
                l.items.len(),
                l.stats.ranks,
                l.bounds.width,
                l.bounds.height,
                w,
                l.bounds.width / w.max(1.0)
            );
        }
    }
}

/// The staircase: positions creeping sideways layer after layer made a rewritten EP64_TP2
/// plan a thin diagonal many times wider than its widest rank, and the fit zoom tiny.
#[test]
fn regular_plans_do_not_drift_sideways() {
    let plan = regular("EP64_TP2_PP1_DP1", 16, 64);
    let series = LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() };
    let folded = layout(&plan, &series);
    check(&plan, &folded).unwrap();
    let w = widest_rank(&folded, series.spacing.node);
    assert!(folded.bounds.width <= 1.5 * w, "series: {} wide for a {w}-wide widest rank", folded.bounds.width);
    let plain = layout(&plan, &LayoutOptions::default());
    let w = widest_rank(&plain, 24.0);
    assert!(plain.bounds.width <= 2.0 * w, "unfolded: {} wide for a {w}-wide widest rank", plain.bounds.width);
    // Series fold each layer's per-GPU copies of an op into one item.
    for it in &folded.items {
        if it.members == 1 {
            let id = &plan.nodes[it.node.unwrap().ix()].id;
            assert!(!id.contains("expert"), "{id} left unfolded");
        }
    }
    let attn3: Vec<_> = folded.groups.iter().filter(|g| g.label.starts_with("layer3_attn")).collect();
    assert_eq!(attn3.len(), 1, "{:?}", attn3.iter().map(|g| &g.label).collect::<Vec<_>>());
    assert_eq!(attn3[0].members, 128);
    for file in [
        "2025-12-03-16-18-55__moe_parallel_strategy_fixed.dot",
        "2025-12-04-11-03-13__llm_deployment_comprehensive.dot",
    ] {
        let plan = read_plan(&std::fs::read_to_string(corpus_dir().join(file)).unwrap()).unwrap();
        for (opts, most) in [(&series, 1.5), (&LayoutOptions::default(), 2.5)] {
            let l = layout(&plan, opts);
            let w = widest_rank(&l, 24.0);
            assert!(l.bounds.width <= most * w, "{file} {:?}: {} wide, widest rank {w}", opts.grouping, l.bounds.width);
        }
    }
}
