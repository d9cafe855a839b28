//! Resources: memory per GPU against capacity, communication and aggregation nodes that
//! funnel many GPUs' traffic through one place, and uneven per-GPU load.

use super::report::{gpu_ranges, span_names};
use super::{Code, Ctx, Finding};
use crate::cost::{Counted, MemoryMetrics, Workload};
use crate::model::{GpuSet, NodeKind, Op};
use crate::sim::SimResult;
use crate::units::{agree, count};

pub(crate) fn check(ctx: &Ctx<'_>, mem: &Option<MemoryMetrics>, sim: Option<&SimResult>, out: &mut Vec<Finding>) {
    if let Some(m) = mem {
        memory(ctx, m, out);
    }
    let ep_found = ep_funnels(ctx, out);
    funnels(ctx, &ep_found, out);
    if let Some(s) = sim {
        load(ctx, s, out);
    }
}

fn memory(ctx: &Ctx<'_>, m: &MemoryMetrics, out: &mut Vec<Finding>) {
    let Some(cap) = m.capacity_gb else { return };
    let over: Vec<_> = m.per_gpu.iter().filter(|g| g.total_gb > cap).collect();
    let Some(worst) = over.iter().max_by(|a, b| a.total_gb.total_cmp(&b.total_gb)) else { return };
    let ids: Vec<u32> = over.iter().map(|g| g.gpu).collect();
    let s = ctx.strategy.map_or("the strategy".to_string(), |s| s.to_string());
    let their = agree(over.len(), "its", "their");
    let parts = m.parts(**worst);
    let alone = match (m.counted, m.workload) {
        (Counted::All, _) => String::new(),
        (Counted::WeightsOnly { .. }, Workload::Inference) => format!(" for {their} weights alone"),
        (Counted::WeightsOnly { .. }, Workload::Training) => {
            format!(" for {their} weights and their training states alone")
        }
    };
    let message = format!(
        "{} more than {their} {cap} GB{alone}: GPU {} needs {:.1} GB ({parts})",
        count(over.len() as u64, "GPU needs", "GPUs need"),
        worst.gpu,
        worst.total_gb,
    );
    out.push(
        Finding::error(Code::MemoryOver, message)
        .gpus(ids.iter().copied())
        .fix(format!(
            "shrink the per-GPU share by {:.0}% or more on GPUs {}: raise TP or EP in {s} (splitting attention and expert nodes further), add PP stages, or move nodes off these GPUs",
            (1.0 - cap / worst.total_gb) * 100.0,
            gpu_ranges(&ids)
        )),
    );
}

/// Distinct GPUs among a node's non-communication neighbours (data through a collective
/// was already redistributed, so it does not count).
fn fan_gpus(ctx: &Ctx<'_>, i: usize, preds_only: bool) -> GpuSet {
    let succ: &[u32] = if preds_only { &[] } else { &ctx.g.succ[i] };
    let nb = ctx.g.pred[i].iter().chain(succ).map(|&j| j as usize);
    crate::model::union_gpus(nb.filter(|&j| !ctx.comm[j] && !ctx.is_io(j)).map(|j| &ctx.plan.nodes[j].placement))
}

/// The strategy's view of a funnel: with EP > 1, the all-to-all around the experts
/// and the aggregation after them must run on every GPU of the expert group (EP·ETP). A single
/// `comm_1` on GPU 0 standing in for a 128-GPU exchange is the seed's central defect,
/// and a neighbour count cannot see it (its neighbours sit on two GPUs). Returns the
/// codes it reported, so the neighbour rule does not repeat them.
fn ep_funnels(ctx: &Ctx<'_>, out: &mut Vec<Finding>) -> Vec<Code> {
    let Some(st) = ctx.strategy else { return Vec::new() };
    let group = st.expert_group();
    let need = ctx.gpus_total.map_or(group, |t| group.min(t as u64));
    if st.ep.get() < 2 || need < 2 {
        return Vec::new();
    }
    let is_expert = |j: u32| ctx.op(j as usize) == Some(&Op::Expert);
    let mut comm_nodes = Vec::new();
    let mut agg_nodes = Vec::new();
    let mut comm_all = false;
    let mut agg_all = false;
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        if ctx.is_io(i) {
            continue;
        }
        let touches_expert = ctx.g.pred[i].iter().chain(&ctx.g.succ[i]).any(|&j| is_expert(j));
        if ctx.comm[i] && touches_expert {
            comm_nodes.push(i);
            comm_all |= matches!(n.placement, crate::model::Placement::All);
        } else if (n.kind == NodeKind::Aggregation || ctx.op(i) == Some(&Op::Aggregate))
            && ctx.g.pred[i].iter().any(|&j| is_expert(j) || ctx.comm[j as usize])
        {
            agg_nodes.push(i);
            agg_all |= matches!(n.placement, crate::model::Placement::All);
        }
    }
    // Merged once: O(r log r) in the ranges, in whatever order the nodes name them.
    let gpus_of = |nodes: &[usize]| crate::model::union_gpus(nodes.iter().map(|&i| &ctx.node(i as u32).placement));
    let (comm_gpus, agg_gpus) = (gpus_of(&comm_nodes), gpus_of(&agg_nodes));
    let mut found = Vec::new();
    for (code, nodes, gpus, all, what, replacement) in [
        (
            Code::CommBottleneck,
            comm_nodes,
            comm_gpus,
            comm_all,
            "all-to-all dispatch/combine",
            "one ep_dispatch_<g> and one ep_combine_<g> all-to-all node per GPU g of the EP group (hierarchical: \
             an intra-server step, then an inter-server step), and a tp_allreduce_<g> per TP group",
        ),
        (
            Code::AggBottleneck,
            agg_nodes,
            agg_gpus,
            agg_all,
            "expert aggregation",
            "one aggregation node per GPU g of the expert group (ep_agg_<g>), each combining the tokens that \
             GPU's experts returned",
        ),
    ] {
        if nodes.is_empty() || all || gpus.len() >= need {
            continue;
        }
        let ids: Vec<String> = nodes.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
        found.push(code);
        out.push(
            Finding::error(
                code,
                format!(
                    "{st} needs the {what} on all {need} GPUs of its {} group, but {} {} on {} ({})",
                    st.expert_group_name(),
                    span_names(&ids),
                    agree(ids.len(), "runs", "run"),
                    count(gpus.len(), "GPU", "GPUs"),
                    if gpus.is_empty() { "none".to_string() } else { gpus.to_string() }
                ),
            )
            .nodes(ids.iter())
            .gpus(gpus.iter())
            .fix(format!("replace {} by {replacement}, on GPUs 0–{}", span_names(&ids), need - 1)),
        );
    }
    found
}

fn funnels(ctx: &Ctx<'_>, skip: &[Code], out: &mut Vec<Finding>) {
    let mut comm_bad = Vec::new();
    let mut agg_bad = Vec::new();
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        if ctx.is_io(i) {
            continue;
        }
        let own = n.placement.gpu_set().len();
        if ctx.comm[i] {
            let fan = fan_gpus(ctx, i, false).len();
            if fan >= 3 && fan > own {
                comm_bad.push((i, fan, own));
            }
        } else if n.kind == NodeKind::Aggregation || ctx.op(i) == Some(&Op::Aggregate) {
            let fan = fan_gpus(ctx, i, true).len();
            if fan >= 3 && fan > own {
                agg_bad.push((i, fan, own));
            }
        }
    }
    for (code, bad, what) in
        [(Code::CommBottleneck, comm_bad, "communication"), (Code::AggBottleneck, agg_bad, "aggregation")]
    {
        if skip.contains(&code) {
            continue;
        }
        let Some(&(i, fan, own)) = bad.iter().max_by_key(|b| b.1) else { continue };
        let ids: Vec<String> = bad.iter().map(|&(j, _, _)| ctx.id(j as u32).to_string()).collect();
        let id = ctx.id(i as u32);
        let gpus = fan_gpus(ctx, i, code == Code::AggBottleneck);
        let split = if code == Code::CommBottleneck {
            format!(
                "replace {id} by one collective per GPU group, e.g. {id}_g0 … {id}_g{} on the groups of GPUs {} it serves (an all-to-all per EP group, an all-reduce per TP group)",
                fan.saturating_sub(1).min(ctx.strategy.map_or(fan, |s| s.ep.get() as u64).saturating_sub(1)),
                gpus
            )
        } else {
            format!(
                "split {id} into one aggregation per GPU, {id}_0 … {id}_{} placed on GPUs {gpus}, each combining its own tokens after the all-to-all combine",
                fan.saturating_sub(1)
            )
        };
        out.push(
            Finding::warning(
                code,
                format!(
                    "{} {what} {} traffic of more GPUs than {} on; {id} runs on {} but serves {fan}",
                    bad.len(),
                    agree(bad.len(), "node carries", "nodes carry"),
                    agree(bad.len(), "it runs", "they run"),
                    count(own, "GPU", "GPUs")
                ),
            )
            .nodes(ids.iter())
            .gpus(gpus.iter())
            .fix(format!(
                "{split}{}",
                if ids.len() > 1 { format!("; likewise for {}", span_names(&ids)) } else { String::new() }
            )),
        );
    }
}

fn load(ctx: &Ctx<'_>, s: &SimResult, out: &mut Vec<Finding>) {
    let c = &s.compute_s;
    if c.mean <= 0.0 {
        return;
    }
    let ratio = c.max / c.mean;
    if ratio <= ctx.opts.load_imbalance_threshold {
        return;
    }
    let g = s.busiest_gpu.unwrap_or(0);
    let heavy: Vec<String> = ctx
        .plan
        .nodes
        .iter()
        .enumerate()
        .filter(|&(i, n)| !ctx.comm[i] && n.placement.gpu_set().contains(g))
        .map(|(_, n)| n.id.clone())
        .collect();
    out.push(
        Finding::warning(
            Code::LoadImbalance,
            format!(
                "per-GPU compute time is uneven: GPU {g} is busy {:.3} ms against a mean of {:.3} ms (max/mean {ratio:.2} > {})",
                c.max * 1e3,
                c.mean * 1e3,
                ctx.opts.load_imbalance_threshold
            ),
        )
        .nodes(heavy.iter())
        .gpus([g])
        .fix(format!(
            "move some of GPU {g}'s nodes ({}) to the least busy GPUs, or split them into per-GPU shards",
            span_names(&heavy)
        )),
    );
}
