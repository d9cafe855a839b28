//! Strategy: declared degrees against the GPU count and model sizes (the divisibility
//! rules torchtitan, Megatron-LM and DeepSpeed enforce), and against what the DAG holds.

use super::declared::{DeclaredLaunch, launch_key};
use super::report::{gpu_ranges, span_names};
use super::{Code, Ctx, Finding};
use crate::infer::infer_degrees;
use crate::model::{GpuSet, MAX_GPU_ID, NodeKind, Op, Placement, StageSplit, Strategy};
use crate::units::{agree, count};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    launch_rules(ctx, out);
    let Some(s) = ctx.strategy else { return };
    let (ep, pp, dp) = (s.ep.get(), s.pp.get(), s.dp.get());
    let m = &ctx.meta.model;
    let mut rules: Vec<String> = Vec::new();
    if let Some(total) = ctx.gpus_total {
        let total = u64::from(total);
        let product = s.product();
        // The attention's GPUs, with the experts' EP·ETP ranks folded onto each stage's share.
        let folded = s.attention_gpus();
        let group = s.expert_group_name();
        if s.experts_folded() {
            if folded > total {
                rules.push(format!(
                    "{s} needs TP·PP·DP = {folded} GPUs (its {group} expert ranks share them) but the cluster has {total}"
                ));
            }
            if !s.experts_fit_stage() {
                rules.push(format!(
                    "its {group} = {} expert ranks do not divide the {} attention GPUs of a pipeline stage",
                    s.expert_group(),
                    folded / u64::from(pp)
                ));
            }
        } else if product == total {
            if ep > 1 && folded != product && s.experts_fit_stage() {
                out.push(Finding::info(
                    Code::GpuConvention,
                    format!(
                        "{total} GPUs = EP·TP·PP·DP: experts are read as getting their own GPUs (EP not folded into DP)"
                    ),
                ).fix(format!("if EP{ep} is meant to be folded into DP (Megatron-Core), declare DP{} so that TP·PP·DP = {total}", u64::from(dp) * u64::from(ep))));
            }
        } else if folded == total && s.experts_fit_stage() {
            out.push(Finding::info(
                Code::GpuConvention,
                format!(
                    "{total} GPUs = TP·PP·DP with EP{ep} folded into DP{dp} (the Megatron-Core convention); checked that way"
                ),
            ).fix(format!("if experts are meant to get their own GPUs, the cluster needs EP·TP·PP·DP = {product} GPUs")));
        } else if product > total {
            rules.push(format!(
                "{s} needs EP·TP·PP·DP = {product} GPUs (or TP·PP·DP = {folded} with EP dividing DP) but the cluster has {total}"
            ));
        }
    }
    if let Some(e) = m.experts
        && e % ep != 0
    {
        rules.push(format!("{e} experts do not divide evenly over EP{ep}"));
    }
    // vLLM and SGLang run layers PP does not divide (`StageSplit`); Megatron-LM's rule that
    // they divide is its launch's (launch/megatron.rs).
    if let Some(Err(e)) = m.layers.map(|l| StageSplit::of(l, pp, s.stages)) {
        rules.push(e.to_string());
    }
    rules.extend(s.shard_rules(m).iter().map(ToString::to_string));
    if !rules.is_empty() {
        out.push(
            Finding::error(Code::StrategyMismatch, format!("{s} does not fit: {}", rules.join("; ")))
                .fix("choose degrees whose product matches the GPU count and that divide the experts (EP), hidden size and heads (TP) and batch (DP), with at least one layer per PP stage"),
        );
    }
    if ep > 1 {
        ep_complete(ctx, s, out);
    }
    // The attention's TP: with DP attention its DP ranks partition the TP GPUs.
    if s.attention_tp() > 1 {
        tp_complete(ctx, s.attention_tp(), out);
    }
    if pp > 1 {
        pp_present(ctx, pp, out);
    }
}

/// A strategy written as a framework's launch line (`"strategy": "vllm serve m -tp 8 -dp 16
/// -ep"`): the framework's rules, in its words, against the GPUs the plan or the options
/// declare; and the degrees the framework means where they differ from the name's. The
/// line is read by `opts.launch` (`declared`).
fn launch_rules(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((name, gpus)) = launch_key(ctx.plan, ctx.opts.gpus, &ctx.opts.overrides) else { return };
    let (framework, meant, broken) = match ctx.opts.launch.declared(&name, gpus) {
        DeclaredLaunch::NotLaunch => return,
        DeclaredLaunch::Launch { framework, strategy, broken } => (framework, strategy, broken),
        DeclaredLaunch::Unreadable(e) => {
            out.push(Finding::warning(Code::StrategyMismatch, format!("the declared strategy could not be read: {e}")));
            return;
        }
        DeclaredLaunch::Unread => {
            out.push(
                Finding::warning(
                    Code::StrategyMismatch,
                    format!(
                        "the declared strategy `{name}` was not read as a launch line: the launch readers did not load"
                    ),
                )
                .fix("reload the page, or verify with `planscope verify`"),
            );
            return;
        }
    };
    for rule in &broken {
        out.push(
            Finding::error(
                Code::StrategyMismatch,
                // The rule names its framework: `vLLM: enable_expert_parallel must be …`.
                format!("the declared launch breaks a rule of {}", rule.text),
            )
            // Not "so that <rule> holds": many rules are the framework's own error text
            // ("world_size is not divisible by …").
            .fix(format!(
                "change the launch's parallel settings (or its GPU count) until {framework} accepts them: the rule above is its own check"
            )),
        );
    }
    if let Some(s) = ctx.strategy
        && s != meant
    {
        out.push(
            Finding::warning(
                Code::StrategyMismatch,
                format!(
                    "the declared strategy is a {framework} launch meaning {meant}, not {s} as its name reads; checked as {s}"
                ),
            )
            .fix(format!("declare the strategy as {meant} (or verify with --strategy {meant})")),
        );
    }
}

/// Whether every layer holds all experts on every rank of the expert group (EP ranks of
/// the experts' TP each: EP·ETP GPUs).
fn ep_complete(ctx: &Ctx<'_>, s: Strategy, out: &mut Vec<Finding>) {
    let (ep, tp) = (s.ep.get(), s.expert_tp().get());
    let experts_needed = ctx.meta.model.experts.unwrap_or(ep);
    let layers_needed = ctx.meta.model.moe_layers.or(ctx.meta.model.layers);
    let mut ids: BTreeMap<Option<u32>, BTreeSet<u32>> = BTreeMap::new();
    let mut nodes_per_layer: BTreeMap<Option<u32>, u32> = BTreeMap::new();
    // Ranges per layer, merged once at the end: a wide range costs one entry, not one per GPU.
    let mut ranges: BTreeMap<Option<u32>, Vec<(u32, u32)>> = BTreeMap::new();
    let mut expert_nodes = Vec::new();
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        if ctx.comm[i] || ctx.op(i) != Some(&Op::Expert) || n.kind != NodeKind::Compute {
            continue;
        }
        let l = ctx.roles[i].layer;
        expert_nodes.push(n.id.clone());
        *nodes_per_layer.entry(l).or_default() += 1;
        if let Some(e) = ctx.roles[i].expert {
            ids.entry(l).or_default().insert(e);
        }
        ranges.entry(l).or_default().extend_from_slice(n.placement.gpu_set().ranges());
    }
    // Each layer's GPUs, in layer order (a Vec: collecting into a map links a sort of its own
    // into the page's wasm, crate::sort).
    let gpus: Vec<GpuSet> = ranges.into_values().map(GpuSet::from_ranges).collect();
    let seen_experts = nodes_per_layer
        .keys()
        .map(|l| ids.get(l).map_or(0, |s| s.len() as u32).max(nodes_per_layer[l] / tp).max(1))
        .min()
        .unwrap_or(0);
    let seen_ranks = gpus.iter().map(|s| s.len() / u64::from(tp)).min().unwrap_or(0);
    let layers_seen = nodes_per_layer.keys().filter(|l| l.is_some()).count() as u32;
    let layers_short = layers_needed.is_some_and(|l| layers_seen.max(1) < l);
    if seen_experts >= experts_needed && seen_ranks >= u64::from(ep) && !layers_short {
        return;
    }
    let mut what = Vec::new();
    if seen_experts < experts_needed {
        let noun = if seen_experts == 1 { "distinct expert" } else { "distinct experts" };
        what.push(format!("{seen_experts} {noun} per layer where {experts_needed} are needed"));
    }
    if seen_ranks < u64::from(ep) {
        let seen_gpus = gpus.iter().map(|s| s.len()).min().unwrap_or(0);
        let noun = if seen_gpus == 1 { "GPU" } else { "GPUs" };
        let per_rank =
            if tp == 1 { "one GPU per EP rank".to_string() } else { format!("one EP rank per TP{tp} group") };
        what.push(format!(
            "expert nodes on {seen_gpus} {noun} per layer where {} needs {} ({per_rank})",
            s.expert_group_name(),
            s.expert_group()
        ));
    }
    if layers_short {
        what.push(format!("expert nodes in {} of {} layers", layers_seen.max(1), layers_needed.unwrap_or(1)));
    }
    let layers = layers_needed.unwrap_or(layers_seen.max(1));
    let shards = experts_needed as u64 * tp as u64;
    let copies = s.expert_replicas();
    let serving = match s.experts_folded() {
        true => format!("each serving {} DP groups", s.dp.get() / copies),
        false => "one per DP replica".to_string(),
    };
    let again = match copies {
        1 => String::new(),
        c => format!(", and again in each of the {c} copies of the expert group ({serving})"),
    };
    let current =
        if expert_nodes.is_empty() { "add".to_string() } else { format!("split {} into", span_names(&expert_nodes)) };
    // EP·TP from the file may pass any cluster; no plan names more than MAX_GPU_ID + 1 GPUs.
    let group = s.expert_group().min(u64::from(MAX_GPU_ID) + 1);
    let gpus_all: Vec<u32> = (0..u32::try_from(group).unwrap_or(MAX_GPU_ID)).collect();
    out.push(
        Finding::error(Code::EpIncomplete, format!("EP{ep} is declared but the DAG holds {}", what.join("; ")))
            .nodes(expert_nodes.iter())
            .gpus(gpus_all.iter().copied())
            .fix(format!(
                "{current} {shards} shards per layer, expert_0_0 … expert_{}_{} on GPUs {} ({}){again}, for each of the {} ({} expert shard nodes in all, named expert_<e>_<t>_layer_<l>), each layer fed by a per-group all-to-all dispatch and followed by an all-to-all combine",
                experts_needed.saturating_sub(1),
                tp - 1,
                gpu_ranges(&gpus_all),
                super::placement::expert_gpu(&s, experts_needed),
                count(u64::from(layers), "layer", "layers"),
                shards.saturating_mul(u64::from(layers)).saturating_mul(u64::from(copies))
            )),
    );
}

fn tp_complete(ctx: &Ctx<'_>, tp: u32, out: &mut Vec<Finding>) {
    let mut ranks = BTreeSet::new();
    let mut sharded = Vec::new();
    let mut spread = false;
    let mut collectives = 0usize;
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        let op = ctx.op(i);
        // A TP collective by op, or an unnamed communication node named for TP.
        let tp_text =
            ctx.comm[i] && !matches!(op, Some(Op::AllToAll | Op::SendRecv)) && n.id.to_ascii_lowercase().contains("tp");
        if matches!(op, Some(Op::AllReduce | Op::AllGather | Op::ReduceScatter)) || tp_text {
            collectives += 1;
        }
        if ctx.comm[i] || !matches!(op, Some(Op::Attention | Op::Projection | Op::Mlp | Op::Expert)) {
            continue;
        }
        if let Some(t) = ctx.roles[i].ranks.tp {
            ranks.insert(t);
        }
        if n.placement.gpu_set().len() >= tp as u64 {
            spread = true;
        }
        sharded.push(i);
    }
    let rank_ok = ranks.len() as u32 >= tp || spread;
    if rank_ok && collectives > 0 {
        return;
    }
    let mut what = Vec::new();
    if !rank_ok {
        what.push(format!(
            "its {} {} {} where TP{tp} needs {tp}",
            count(sharded.len() as u64, "attention/MLP/expert node", "attention/MLP/expert nodes"),
            agree(sharded.len(), "carries", "carry"),
            count(ranks.len() as u64, "TP rank", "TP ranks")
        ));
    }
    if collectives == 0 {
        what.push("no TP all-reduce (or all-gather / reduce-scatter) node joins the shards".to_string());
    }
    let ids: Vec<String> = sharded.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
    let ex = ids.first().cloned().unwrap_or_else(|| "attention".into());
    out.push(
        Finding::error(Code::TpIncomplete, format!("TP{tp} is declared but {}", what.join("; ")))
            .nodes(ids.iter())
            .fix(format!(
                "split each sharded node into {tp} shards on the GPUs of one TP group (e.g. {ex} → {}) with ranks tp=0…{}, and add a tp_allreduce node per layer and TP group after the row-parallel shards",
                (0..tp.min(3)).map(|t| format!("{ex}_tp{t}")).collect::<Vec<_>>().join(", ")
                    + if tp > 3 { ", …" } else { "" },
                tp - 1
            )),
    );
}

fn pp_present(ctx: &Ctx<'_>, pp: u32, out: &mut Vec<Finding>) {
    let mut sends = 0;
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        let text = n.id.to_ascii_lowercase();
        if ctx.op(i) == Some(&Op::SendRecv)
            || matches!(n.placement, Placement::Transfer { .. })
            || (ctx.comm[i] && (text.contains("pp") || text.contains("pipeline") || text.contains("stage")))
        {
            sends += 1;
        }
    }
    let stages = infer_degrees(ctx.plan, &ctx.roles).pp.unwrap_or(1);
    if sends > 0 && stages >= pp {
        return;
    }
    let layers = ctx.meta.model.layers;
    let per = layers.map(|l| l.div_ceil(pp));
    let mut what = Vec::new();
    if stages < pp {
        what.push(format!("its layers sit in {}", count(u64::from(stages), "stage", "stages")));
    }
    if sends == 0 {
        what.push("no send/recv node joins stages".to_string());
    }
    out.push(
        Finding::error(Code::PpMissing, format!("PP{pp} is declared but {}", what.join(" and ")))
            .fix(format!(
                "assign layers to {pp} stages{} on disjoint GPU sets, and add a pp_send_<stage> (send/recv) node per GPU after the last layer of each stage 0…{} feeding the first layer of the next",
                per.map_or(String::new(), |p| format!(" of {p} layers")),
                pp - 2
            )),
    );
}
