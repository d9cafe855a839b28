//! The fuzz targets. Each takes arbitrary bytes and must not panic (a panic is a crash);
//! some also check a property that must hold for every input. Adding a target is one line
//! in `TARGETS` (plus its function). `tests/fuzz_regressions.rs` replays every saved crash
//! (fuzz/regressions/TARGET/) through these same functions in `cargo test`.

use base64::Engine as _;
use planscope_core::analysis::{Request, analyze, rewrite_side};
use planscope_core::model::{Meta, Plan, Strategy};
use planscope_core::read::{read_dot, read_gzip, read_json, read_plan, read_streamed};
use planscope_core::share::{self, permalink};
use std::sync::Arc;

/// A fuzz target: its name on the command line and the function run on each input.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, one line each.
pub const TARGETS: &[Target] = &[
    Target { name: "json", run: json },
    Target { name: "stream", run: stream },
    Target { name: "gzip", run: gzip },
    Target { name: "dot", run: dot },
    Target { name: "permalink", run: permalink },
    Target { name: "strategy", run: strategy },
    Target { name: "conditions", run: conditions },
    Target { name: "expert_load", run: expert_load },
    Target { name: "launch", run: launch },
    Target { name: "verify", run: verify },
    Target { name: "rewrite", run: rewrite },
];

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Plans larger than this are only read by `verify` and `rewrite`: the fuzzer needs many
/// small inputs per second, and the analyses are benchmarked on large plans elsewhere.
const SMALL_NODES: usize = 256;
const SMALL_EDGES: usize = 1024;

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The JSON reader, every dialect.
fn json(data: &[u8]) {
    let _ = read_json(&text(data));
}

/// The streamed reader that huge gzip plans go through (only past 4 MB inflated, so the
/// fuzzer reaches it only here), held to the text reader: a plan it reads, `read_plan`
/// reads the same. The allowed differences: serde's nesting limit counts from each element
/// in the stream (read/stream.rs), so a text the whole reader refuses as too deep may
/// stream; and non-UTF-8 bytes in an ignored value (below).
fn stream(data: &[u8]) {
    let Some(streamed) = read_streamed(data) else { return };
    // Bytes that are not UTF-8 inside a value the plan ignores (an unknown key's string)
    // stream, as serde skips ignored strings unchecked; nothing of them reaches the plan.
    let Ok(text) = std::str::from_utf8(data) else { return };
    match read_plan(text) {
        Ok(whole) => assert!(whole == streamed, "the streamed plan differs from the one read whole"),
        Err(e) if e.to_string().contains("recursion limit") => {}
        Err(e) => panic!("streamed a plan that read_plan refuses: {e}"),
    }
}

/// The gzip reader (read/gzip/members.rs: headers, deflate data, trailers, members one
/// after another), twice: the bytes as a compressed file, and behind a member header, so
/// the fuzzer reaches the deflate data without finding the magic first.
fn gzip(data: &[u8]) {
    let _ = read_gzip(data);
    let mut member = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    member.extend_from_slice(data);
    let _ = read_gzip(&member);
}

/// The DOT reader.
fn dot(data: &[u8]) {
    let _ = read_dot(&text(data));
}

/// The permalink decoder, twice: the bytes as a link, and the bytes as a link's payload
/// (header line + plan) deflated under a valid checksum, so the fuzzer reaches the header,
/// view and plan readers behind the CRC.
fn permalink(data: &[u8]) {
    let _ = share::decode(&text(data));
    let mut blob = permalink::crc32(data).to_be_bytes().to_vec();
    blob.extend(miniz_oxide::deflate::compress_to_vec(data, 1));
    let link = format!("#v{}.{}", permalink::VERSION, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(blob));
    let _ = share::decode(&link);
}

/// The expert-load reader (`--expert-load`, the page's Conditions panel); a load that reads
/// is rectangular and its hottest expert is at least the mean.
fn expert_load(data: &[u8]) {
    if let Ok(l) = planscope_core::expert_load::ExpertLoad::read(&text(data)) {
        assert!(l.rows().iter().all(|r| r.len() == l.experts() && !r.is_empty()), "a ragged load read");
        assert!(l.hottest_over_mean() >= 1.0, "hottest below the mean");
    }
}

/// The strategy reader; a strategy read back from its own name is the same strategy.
fn strategy(data: &[u8]) {
    if let Ok(s) = Strategy::parse(&text(data)) {
        let again = Strategy::parse(&s.to_string());
        assert_eq!(again, Ok(s), "{s} does not read back as itself");
    }
}

/// The launch reader (vLLM, SGLang, Megatron-LM, torchtitan, DeepSpeed; flags, YAML, TOML,
/// JSON): the first byte picks the file name, the rest is the text; every command read
/// must name a strategy within the limits.
fn launch(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = ["launch.sh", "nemo.yaml", "train.toml", "ds_config.json", "strategy"][pick as usize % 5];
    if let Ok(all) = planscope_core::launch::read_all(name, &text(rest), None) {
        for s in all {
            assert!(s.strategy.product() >= 1, "{name}: a strategy of no GPUs");
        }
    }
}

/// The conditions readers (HF config, DeepSeek reference config, Megatron and vLLM launch
/// lines, llm-analysis and aiconfigurator hardware files, planscope meta): the first byte
/// picks the file name's extension, which helps tell the format; the rest is the text.
fn conditions(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = ["config.json", "system.yaml", "train.toml", "launch.sh", "conditions"][pick as usize % 5];
    let _ = planscope_core::conditions::read(name, &text(rest));
}

/// A small plan read by either reader, then verified (structure, placement, strategy,
/// resources, constants, simulation, cluster view).
fn verify(data: &[u8]) {
    if let Some(plan) = small_plan(data) {
        let _ = analyze(Arc::new(plan), &Request::default());
    }
}

/// A small plan rewritten to a small strategy chosen by the first byte, with the model's
/// layers and experts held small (the rewrite's size is its output's, not its input's),
/// and the rewrite verified.
fn rewrite(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Some(plan) = small_plan(rest) else { return };
    let (ep, tp, pp) = (1 << (pick & 3), 1 << ((pick >> 2) & 1), 1 + ((pick >> 3) & 1) as u32);
    let Ok(strategy) = Strategy::new(ep, tp, pp, 1) else { return };
    let mut overrides = Meta::default();
    overrides.model.layers = Some(plan.meta.model.layers.unwrap_or(2).clamp(1, 2));
    overrides.model.experts = Some(plan.meta.model.experts.unwrap_or(8).clamp(1, 8));
    let req = Request { overrides, ..Request::default() };
    let _ = rewrite_side(&plan, strategy, &req);
}

fn small_plan(data: &[u8]) -> Option<Plan> {
    let plan = read_plan(&text(data)).ok()?;
    (plan.nodes.len() <= SMALL_NODES && plan.edges.len() <= SMALL_EDGES).then_some(plan)
}
