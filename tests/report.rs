//! The HTML report: findings, both cluster grids, utilization and modifications for the
//! built-in example; hostile ids render as text; no external references; big plans render
//! quickly.

use planscope_core::analysis::Request;
use planscope_core::examples::SEED_EP64_TP2;
use planscope_core::model::Strategy;
use planscope_core::read::read_plan;
use planscope_core::report::{ReportInput, render_html};
use std::path::PathBuf;
use std::time::Instant;

fn example_report() -> (ReportInput, String) {
    let plan = read_plan(SEED_EP64_TP2.text).unwrap();
    let input = ReportInput::prepare(SEED_EP64_TP2.file_name, plan, &Request::default());
    let html = render_html(&input);
    (input, html)
}

/// The `<svg class="gpu-grid" data-side="{side}" ...> ... </svg>` element.
fn grid<'a>(html: &'a str, side: &str) -> &'a str {
    let start = html.find(&format!("<svg class=\"gpu-grid\" data-side=\"{side}\"")).expect("grid present");
    let end = html[start..].find("</svg>").unwrap();
    &html[start..start + end]
}

/// Every tag (`<...>`) of the document outside `<style>`; escaped text holds no raw `<`.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        out.push(&rest[i..i + j + 1]);
        rest = &rest[i + j + 1..];
    }
    out
}

fn style(html: &str) -> &str {
    let a = html.find("<style>").unwrap();
    let b = html.find("</style>").unwrap();
    &html[a..b]
}

/// No tag loads or links anything, no script runs, the CSS fetches nothing.
fn assert_self_contained(html: &str) {
    for t in tags(html) {
        let lower = t.to_ascii_lowercase();
        for bad in ["src=", "href=", "<script", "<link", "<iframe", "<object", "<embed", "<img", "http:", "https:"] {
            assert!(!lower.contains(bad), "tag {t:?} contains {bad}");
        }
        assert!(!lower.contains(" on"), "event handler attribute in {t:?}");
    }
    let css = style(html).to_ascii_lowercase();
    assert!(!css.contains("url(") && !css.contains("@import") && !css.contains("http"), "the CSS fetches something");
}

#[test]
fn the_example_report_shows_findings_grids_utilization_and_modifications() {
    let (input, html) = example_report();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Summary.
    assert!(html.contains("seed-ep64-tp2.json"));
    for fact in ["<dt>Format</dt><dd>json</dd>", "<dt>Nodes</dt><dd>7</dd>", "<dt>Edges</dt><dd>6</dd>"] {
        assert!(html.contains(fact), "missing {fact}");
    }
    assert!(html.contains("<dt>GPUs used</dt><dd>3 of 128</dd>"));
    assert!(html.contains("EP64_TP2"));
    // Verdicts and every finding code of the before side, grouped by severity.
    assert!(html.contains("verdict fail\">FAIL"));
    assert!(html.contains("verdict pass\">PASS"));
    let codes: Vec<&str> = input.before.report.findings.iter().map(|f| f.code.as_str()).collect();
    for code in ["GPU_UNDERUSE", "EP_INCOMPLETE", "TP_INCOMPLETE", "COMM_BOTTLENECK", "AGG_BOTTLENECK"] {
        assert!(codes.contains(&code), "the example should have {code}");
    }
    for code in &codes {
        assert!(html.contains(&format!("data-code=\"{code}\"")), "finding {code} missing");
    }
    assert!(html.contains("<h3>Errors<span class=\"count\">"));
    assert!(html.contains("class=\"fix-tag\">Fix</span>"));
    // Both grids: 128 cells each; 3 busy before, 128 after.
    let (b, a) = (grid(&html, "before"), grid(&html, "after"));
    assert_eq!(b.matches("data-gpu=").count(), 128);
    assert_eq!(b.matches("class=\"cell used").count(), 3);
    assert_eq!(b.matches("class=\"cell idle\"").count(), 125);
    assert!(b.contains("data-used=\"3\""));
    assert_eq!(a.matches("data-gpu=").count(), 128);
    assert_eq!(a.matches("class=\"cell used").count(), 128);
    assert_eq!(b.matches("class=\"server-box\"").count(), 16);
    assert!(html.contains("class=\"legend\"") && html.contains("idle-swatch"));
    // Utilization cards with deltas, and bars for both sides.
    for stat in ["gpus", "balance", "step", "memory"] {
        assert!(html.contains(&format!("data-stat=\"{stat}\"")), "card {stat} missing");
    }
    assert!(html.contains("<span class=\"stat-before\">3</span><span class=\"delta better\">→ 128</span>"));
    assert!(html.contains("data-testid=\"util-busy\"") && html.contains("data-testid=\"util-memory\""));
    assert!(html.contains("class=\"bar before") && html.contains("class=\"bar after"));
    // Required modifications.
    assert!(html.contains("Required modifications: "));
    assert!(html.contains("<li>remove expert shard expert_2 on GPU 1</li>"), "modifications list");
    // Themes and print.
    assert!(html.contains("prefers-color-scheme: dark") && html.contains("@media print"));
    assert_self_contained(&html);
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn hostile_ids_and_file_names_render_as_text() {
    let text = SEED_EP64_TP2
        .text
        .replace("expert_2", "<img src=x onerror=alert(1)>")
        .replace("agg_3", r#"</script><a href=\"https://evil.example/\">x</a>"#)
        .replace("comm_2", "\\u0000'\\\"&amp;");
    let plan = read_plan(&text).unwrap();
    let name = "<script>alert('file')</script>.json";
    let input = ReportInput::prepare(name, plan, &Request::default());
    let html = render_html(&input);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "the hostile id should show, escaped");
    assert!(html.contains("&lt;/script&gt;&lt;a href=&quot;https://evil.example/&quot;&gt;x&lt;/a&gt;"));
    assert!(html.contains("&lt;script&gt;alert(&#39;file&#39;)&lt;/script&gt;.json"));
    assert!(html.contains("&#39;&quot;&amp;amp;"));
    assert!(!html.contains("<img") && !html.contains("<script") && !html.contains("</script") && !html.contains("<a "));
    assert!(!html.contains('\0'));
    assert_self_contained(&html);
    // The only URL in the document is the plan's own text, escaped.
    for (i, _) in html.match_indices("https://") {
        assert!(html[..i].ends_with("href=&quot;"), "unescaped URL at {i}");
    }
}

#[test]
fn a_refused_rewrite_is_explained_on_the_after_side() {
    let plan = read_plan(SEED_EP64_TP2.text).unwrap();
    let req = Request { strategy: Some(Strategy::parse("EP7_TP3").unwrap()), ..Request::default() };
    let input = ReportInput::prepare("seed.json", plan, &req);
    let why = match &input.after {
        Some(Err(why)) => why.clone(),
        other => panic!("expected a refusal, got {:?}", other.as_ref().map(|r| r.is_ok())),
    };
    let html = render_html(&input);
    assert!(html.contains("REFUSED"));
    assert!(html.contains("data-testid=\"refused\""));
    assert!(html.contains("<li>64 experts are not divisible by EP7</li>"), "{why}");
    assert!(!html.contains("<svg class=\"gpu-grid\" data-side=\"after\""));
    assert!(!html.contains("Required modifications</h2>"));
    assert_self_contained(&html);
}

#[test]
fn a_plan_without_strategy_shows_the_before_side_only() {
    let plan =
        read_plan("digraph { in -> a -> b -> out; a [label=\"A\\nGPU: 0\"]; b [label=\"B\\nGPU: 1\"] }").unwrap();
    let input = ReportInput::prepare("tiny.dot", plan, &Request::default());
    assert!(input.after.is_none());
    let html = render_html(&input);
    assert!(html.contains("No target strategy"));
    assert!(grid(&html, "before").contains("data-used=\"2\""));
    assert_self_contained(&html);
}

#[test]
fn the_largest_corpus_plan_renders_quickly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("corpus not found; skipping");
        return;
    };
    let largest = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with("INDEX"))
        .max_by_key(|e| e.metadata().map_or(0, |m| m.len()))
        .unwrap();
    let text = std::fs::read_to_string(largest.path()).unwrap();
    let name = largest.file_name().to_string_lossy().into_owned();
    let t = Instant::now();
    let plan = read_plan(&text).unwrap();
    let input = ReportInput::prepare(&name, plan, &Request::default());
    let prepared = t.elapsed();
    let t = Instant::now();
    let html = render_html(&input);
    let rendered = t.elapsed();
    eprintln!(
        "{name}: {} nodes; read+analyse+rewrite {prepared:?}, render {rendered:?}, {} KB of HTML",
        input.before.report.metrics.nodes,
        html.len() / 1024
    );
    assert!(rendered.as_secs_f64() < 2.0, "render took {rendered:?}");
    assert!(html.contains(&name));
    assert_self_contained(&html);
}

#[test]
fn every_readable_corpus_plan_renders_self_contained() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lr-agent");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut slowest = (0.0f64, String::new());
    let mut rendered = 0;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("INDEX") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else { continue };
        let Ok(plan) = read_plan(&text) else { continue };
        let input = ReportInput::prepare(&name, plan, &Request::default());
        let t = Instant::now();
        let html = render_html(&input);
        let secs = t.elapsed().as_secs_f64();
        if secs > slowest.0 {
            slowest = (secs, format!("{name} ({} KB)", html.len() / 1024));
        }
        assert!(secs < 2.0, "{name}: render took {secs:.2} s");
        assert!(html.contains("data-side=\"before\""), "{name}");
        assert_self_contained(&html);
        rendered += 1;
    }
    eprintln!("{rendered} corpus reports; slowest render {:.1} ms: {}", slowest.0 * 1e3, slowest.1);
}

#[test]
fn the_required_modifications_are_headed_by_action_with_their_change_counts() {
    use planscope_core::analysis::Modifications;
    let (input, html) = example_report();
    let Some(Ok(after)) = &input.after else { panic!("the example rewrites") };
    let Modifications::Rewrite(d) = &after.modifications else { panic!("the example needs changes") };
    let head = |key: &str, title: &str, n: usize| {
        format!("<h3 class=\"mod-head\" data-action=\"{key}\">{title}<span class=\"count\">{n}</span></h3>")
    };
    assert!(html.contains(&head("remove", "Remove", d.removed.len())), "remove heading");
    assert!(html.contains(&head("add", "Add", d.added.len())), "add heading");
    assert!(html.contains(&head("rewire", "Rewire", d.edges_added + d.edges_removed)), "rewire heading");
    for g in &d.groups {
        let line = format!("<li>{}</li>", planscope_core::report::esc(&g.to_string()));
        assert!(html.contains(&line), "group {g} listed");
    }
}

#[test]
fn a_used_gpu_whose_value_is_unknown_is_hatched_as_on_the_page() {
    // The corpus's EP64_TP2 sketch gives no GPU memory: memory % is unknown on every GPU.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/lr-agent/2025-12-01-16-48-00__ep64_tp2_deployment.dot");
    let plan = read_plan(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut input = ReportInput::prepare("sketch.dot", plan, &Request::default());
    input.metric = Some(planscope_core::cluster::Metric::Memory);
    let html = render_html(&input);
    let before = grid(&html, "before");
    assert!(before.contains("<pattern id=\"cell-unknown-before\""), "{}", &before[..400.min(before.len())]);
    assert_eq!(before.matches("fill=\"url(#cell-unknown-before)\"").count(), 128);
    // A flat grey would read as cividis's middle (about half full).
    assert!(!style(&html).contains(".cell.unknown { fill"), "{}", style(&html));
}

/// A deployment's layers in one long column with 8 experts a layer side by side (corpus
/// #32, 1,791 nodes) drew 4,700 px wide, its column beyond a report's view, so the DAG
/// figure looked empty. The report draws it as the page opens it: folded into series.
#[test]
fn a_long_plan_is_drawn_as_the_page_opens_it() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/lr-agent/2026-01-04-10-46-16__qwen3_235b_parallel_strategy.dot");
    let plan = read_plan(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(plan.nodes.len(), 1791);
    let input = ReportInput::prepare("qwen3.dot", plan, &Request::default());
    let html = render_html(&input);
    let start = html.find("<figure class=\"dag-figure\" data-side=\"before\"").unwrap();
    let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
    assert!(
        figure.contains("1,791 nodes drawn folded by numbered series into 382 boxes (as the page opens"),
        "{}",
        &figure[..400]
    );
    let width: f32 =
        figure.split("class=\"dag-svg\" width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!(width < 1200.0, "{width} px wide");
}

#[test]
fn gpus_placed_past_the_declared_cluster_are_marked_and_counted_apart() {
    // Corpus #32 places nodes on 35 GPU ids; on the 32-GPU cluster its conditions declare,
    // the grid said "35 of 35 GPUs busy".
    let mut plan = read_plan(SEED_EP64_TP2.text).unwrap();
    plan.meta.cluster.gpus = Some(2);
    let input = ReportInput::prepare(SEED_EP64_TP2.file_name, plan, &Request::default());
    let html = render_html(&input);
    assert!(html.contains("2 of 2 GPUs busy · 1 more GPU placed beyond the cluster"), "{}", grid(&html, "before"));
    let before = grid(&html, "before");
    assert_eq!(before.matches(" beyond\" data-gpu=").count(), 1, "{before}");
    assert!(before.contains("data-gpu=\"2\""));
    assert!(before.contains("GPU 2 · server 0 · beyond the declared cluster"), "{before}");
}
