//! Placement: every compute node on a GPU that exists, every GPU the strategy needs in
//! use, a communication node wherever data crosses GPUs, and expert shards spread evenly.

use super::report::{gpu_ranges, span_names};
use super::{Code, Ctx, Finding, MinMeanMax};
use crate::model::{GpuSet, NodeKind, Op, Placement, Strategy};
use crate::units::{agree, count};
use std::collections::BTreeMap;

/// Runs the placement checks; returns expert shards per GPU per layer for the metrics.
pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) -> Option<MinMeanMax> {
    unassigned(ctx, out);
    out_of_range(ctx, out);
    underuse(ctx, out);
    missing_comm(ctx, out);
    expert_balance(ctx, out)
}

fn neighbour_gpus(ctx: &Ctx<'_>, i: usize) -> GpuSet {
    crate::model::union_gpus(ctx.g.pred[i].iter().chain(&ctx.g.succ[i]).map(|&j| &ctx.node(j).placement))
}

fn unassigned(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut bad = Vec::new();
    let mut hints = Vec::new();
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        let needs_gpu = matches!(n.kind, NodeKind::Compute | NodeKind::Aggregation) && !ctx.comm[i] && !ctx.is_io(i);
        if needs_gpu && matches!(n.placement, Placement::Unassigned | Placement::All | Placement::Host) {
            if hints.len() < 6 {
                let nb = neighbour_gpus(ctx, i);
                let to = if nb.is_empty() { "a GPU of its pipeline stage".to_string() } else { format!("GPU {nb}") };
                hints.push(format!("{} → {to}", n.id));
            }
            bad.push(i);
        }
    }
    if bad.is_empty() {
        return;
    }
    let ids: Vec<String> = bad.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
    out.push(
        Finding::error(
            Code::GpuUnassigned,
            format!(
                "{} {} no specific GPU (none, host or \"all\")",
                count(ids.len() as u64, "compute or aggregation node", "compute or aggregation nodes"),
                agree(ids.len(), "has", "have")
            ),
        )
        .nodes(ids.iter())
        .fix(format!(
            "give each a GPU id, next to the GPUs it exchanges data with: {}{}",
            hints.join(", "),
            if ids.len() > hints.len() { format!(" … ({} in all)", ids.len()) } else { String::new() }
        )),
    );
}

fn out_of_range(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(total) = ctx.gpus_total else { return };
    let mut bad = Vec::new();
    // Gathered and merged once: O(k log k) in the ranges, however many disjoint sets.
    let mut ranges = Vec::new();
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        let s = n.placement.gpu_set();
        if s.last().is_some_and(|l| l >= total) {
            bad.push(i);
            ranges.extend(s.ranges().iter().filter(|r| r.1 >= total).map(|&(a, b)| (a.max(total), b)));
        }
    }
    let gpus = GpuSet::from_ranges(ranges);
    if bad.is_empty() {
        return;
    }
    let ids: Vec<String> = bad.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
    out.push(
        Finding::error(
            Code::GpuOutOfRange,
            format!(
                "{} {} placed on GPU ids {gpus} but the cluster has only GPUs 0–{}",
                count(ids.len() as u64, "node", "nodes"),
                agree(ids.len(), "is", "are"),
                total.saturating_sub(1)
            ),
        )
        .nodes(ids.iter())
        .gpus(gpus.iter())
        .fix(format!(
            "move {} onto GPUs 0–{} (or raise the GPU count if the cluster is larger)",
            span_names(&ids),
            total.saturating_sub(1)
        )),
    );
}

/// GPUs the strategy needs out of what the cluster offers.
pub(crate) fn gpus_needed(ctx: &Ctx<'_>) -> Option<u32> {
    let s = ctx.strategy?;
    let spans = u32::try_from(s.gpus()).ok()?;
    let folded = u32::try_from(s.attention_gpus()).ok()?;
    Some(match ctx.gpus_total {
        // Megatron-Core reading: EP folded into DP.
        Some(t) if t == folded && t != spans && s.experts_fit_stage() => folded,
        Some(t) => t.min(spans),
        None => spans,
    })
}

fn underuse(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Without a strategy or a declared GPU count nothing says how many GPUs are needed.
    let declared = if ctx.strategy.is_some() || ctx.opts.gpus.is_some() || ctx.meta.cluster.gpus.is_some() {
        ctx.gpus_total
    } else {
        None
    };
    let Some(needed) = gpus_needed(ctx).or(declared) else { return };
    let used = &ctx.used;
    let used_in_range = used.iter().filter(|&&g| g < needed).count() as u32;
    if used_in_range >= needed {
        return;
    }
    let used_set = GpuSet::from_ids(used.iter().copied());
    // A strategy may ask for billions of GPUs; no plan names more than MAX_GPU_ID + 1.
    let listed = needed.min(crate::model::MAX_GPU_ID.saturating_add(1));
    let idle: Vec<u32> = (0..listed).filter(|&g| !used_set.contains(g)).collect();
    let total = ctx.gpus_total.unwrap_or(needed);
    let fix = match (ctx.strategy, ctx.meta.model.experts) {
        (Some(s), experts) => {
            let (ep, tp) = (s.ep.get(), s.expert_tp().get());
            let e = experts.unwrap_or(ep);
            let expert_part = if ep > 1 {
                format!(
                    "place the {} expert shards expert_0_0 … expert_{}_{} of every layer over GPUs 0–{} ({}), ",
                    s.expert_group_name(),
                    e.saturating_sub(1),
                    tp - 1,
                    s.expert_group() - 1,
                    expert_gpu(&s, e)
                )
            } else {
                String::new()
            };
            format!(
                "{expert_part}give every GPU of {} its own attention, gate and aggregation nodes, with per-group all-to-all{} nodes; idle GPUs: {}",
                s,
                // No all-reduce joins attention that is not TP-split (TP1, or DP attention of TP/DP = 1).
                if s.attention_tp() > 1 { " and TP all-reduce" } else { "" },
                gpu_ranges(&idle)
            )
        }
        (None, _) => format!("spread the work over the idle GPUs {}", gpu_ranges(&idle)),
    };
    out.push(
        Finding::error(
            Code::GpuUnderuse,
            format!(
                "only {} of {total} GPUs are used; the strategy needs {needed}, so {} sit idle",
                used.len(),
                needed - used_in_range
            ),
        )
        .gpus(idle.iter().copied())
        .fix(fix),
    );
}

fn missing_comm(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut bad: Vec<(u32, u32)> = Vec::new();
    for &(a, b) in &ctx.g.data_edges {
        let (ai, bi) = (a as usize, b as usize);
        if ctx.comm[ai] || ctx.comm[bi] || ctx.is_io(ai) || ctx.is_io(bi) {
            continue;
        }
        if let (Placement::Gpus(x), Placement::Gpus(y)) = (&ctx.node(a).placement, &ctx.node(b).placement)
            && x.is_disjoint(y)
        {
            bad.push((a, b));
        }
    }
    if bad.is_empty() {
        return;
    }
    // Each node once, in edge order: one router feeding 64 experts is one node, not 64.
    let mut seen = vec![false; ctx.plan.nodes.len()];
    let nodes: Vec<&str> = bad
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .filter(|&n| !std::mem::replace(&mut seen[n as usize], true))
        .map(|n| ctx.id(n))
        .collect();
    let gpus =
        crate::model::union_gpus(bad.iter().flat_map(|&(a, b)| [&ctx.node(a).placement, &ctx.node(b).placement]));
    let examples: Vec<String> = bad
        .iter()
        .take(4)
        .map(|&(a, b)| {
            format!(
                "`{}_to_{}` (send/recv, GPU {}→{}) between {} and {}",
                ctx.id(a),
                ctx.id(b),
                ctx.node(a).placement,
                ctx.node(b).placement,
                ctx.id(a),
                ctx.id(b)
            )
        })
        .collect();
    out.push(
        Finding::error(
            Code::MissingComm,
            format!(
                "{} {} a tensor between different GPUs with no communication node, e.g. {} (GPU {}) -> {} (GPU {})",
                count(bad.len() as u64, "data edge", "data edges"),
                agree(bad.len(), "moves", "move"),
                ctx.id(bad[0].0),
                ctx.node(bad[0].0).placement,
                ctx.id(bad[0].1),
                ctx.node(bad[0].1).placement
            ),
        )
        .nodes(nodes.iter())
        .gpus(gpus.iter())
        .fix(format!(
            "insert a communication node on each such edge: {}{}",
            examples.join("; "),
            if bad.len() > 4 {
                format!(" … ({} edges in all; use an all-to-all where one node feeds many GPUs)", bad.len())
            } else {
                String::new()
            }
        )),
    );
}

/// Runs of GPUs holding the same number of these ranges, ascending: (first GPU, GPUs,
/// count), count > 0. O(r + span) when the ranges span at most a few GPUs per range
/// (counted per GPU, as a million-node plan's expert shards are: sorting them was a third
/// of verifying its placement); O(r log r) otherwise, however many GPUs they span.
fn runs(ranges: &[(u32, u32)]) -> Vec<(u32, u64, u32)> {
    let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
    let hi = ranges.iter().map(|r| r.1).max().unwrap_or(0);
    let span = u64::from(hi - lo.min(hi)) + 2;
    if span <= 4 * ranges.len() as u64 + 64 { counted_runs(ranges, lo, span as usize) } else { sorted_runs(ranges) }
}

/// `runs` by a count per GPU from `lo` over `span` GPUs (one past the last). O(r + span).
fn counted_runs(ranges: &[(u32, u32)], lo: u32, span: usize) -> Vec<(u32, u64, u32)> {
    let mut delta = vec![0i64; span];
    for &(a, b) in ranges {
        delta[(a - lo) as usize] += 1;
        delta[(b - lo) as usize + 1] -= 1;
    }
    let mut out: Vec<(u32, u64, u32)> = Vec::new();
    let mut count = 0i64;
    for (i, d) in delta.iter().enumerate() {
        count += d;
        let Ok(c) = u32::try_from(count) else { continue };
        match out.last_mut() {
            Some(run) if run.2 == c && u64::from(run.0) + run.1 == i as u64 + u64::from(lo) => run.1 += 1,
            _ if c > 0 => out.push((lo + i as u32, 1, c)),
            _ => {}
        }
    }
    out
}

/// `runs` by sorting the ranges' ends. O(r log r).
fn sorted_runs(ranges: &[(u32, u32)]) -> Vec<(u32, u64, u32)> {
    let mut events: Vec<(u64, i64)> = Vec::with_capacity(ranges.len() * 2);
    for &(a, b) in ranges {
        events.push((u64::from(a), 1));
        events.push((u64::from(b) + 1, -1));
    }
    crate::sort::unstable(&mut events);
    let mut out: Vec<(u32, u64, u32)> = Vec::new();
    let mut count = 0i64;
    for (i, &(at, delta)) in events.iter().enumerate() {
        count += delta;
        let next = events.get(i + 1).map_or(at, |e| e.0);
        if next > at
            && count > 0
            && let (Ok(gpu), Ok(c)) = (u32::try_from(at), u32::try_from(count))
        {
            // Neighbouring runs of one count are one run, as `counted_runs` gives them.
            match out.last_mut() {
                Some(run) if run.2 == c && u64::from(run.0) + run.1 == at => run.1 += next - at,
                _ => out.push((gpu, next - at, c)),
            }
        }
    }
    out
}

/// Expert shards per GPU per layer. O(r log r) in the expert nodes' GPU ranges r.
fn expert_balance(ctx: &Ctx<'_>, out: &mut Vec<Finding>) -> Option<MinMeanMax> {
    // Layer -> the GPU ranges of its expert shards (a GPU counted once per shard on it).
    let mut by_layer: BTreeMap<Option<u32>, Vec<(u32, u32)>> = BTreeMap::new();
    for (i, n) in ctx.plan.nodes.iter().enumerate() {
        if ctx.comm[i] || ctx.op(i) != Some(&Op::Expert) || n.kind != NodeKind::Compute {
            continue;
        }
        by_layer.entry(ctx.roles[i].layer).or_default().extend_from_slice(n.placement.gpu_set().ranges());
    }
    // Over every (layer, GPU) holding a shard: the fewest, the mean and the most shards.
    let (mut min, mut max, mut sum, mut cells) = (u32::MAX, 0u32, 0u64, 0u64);
    let mut per_layer: BTreeMap<Option<u32>, (u32, u32, u32, u32)> = BTreeMap::new(); // min, gmin, max, gmax
    for (&l, ranges) in &by_layer {
        for (g, len, c) in runs(ranges) {
            (min, max) = (min.min(c), max.max(c));
            sum = sum.saturating_add(u64::from(c).saturating_mul(len));
            cells = cells.saturating_add(len);
            // Runs come ascending, so on a tie the lowest GPU is kept.
            let e = per_layer.entry(l).or_insert((u32::MAX, 0, 0, 0));
            if c < e.0 {
                (e.0, e.1) = (c, g);
            }
            if c > e.2 {
                (e.2, e.3) = (c, g);
            }
        }
    }
    if cells == 0 {
        return None;
    }
    let stats = MinMeanMax { min: f64::from(min), mean: sum as f64 / cells as f64, max: f64::from(max) };
    let uneven: Vec<_> = per_layer.iter().filter(|(_, v)| v.0 != v.2).collect();
    if let Some(&(&l, &(min, gmin, max, gmax))) = uneven.first() {
        let layer = l.map_or("unlabelled layers".to_string(), |l| format!("layer {l}"));
        let heavy: Vec<String> = ctx
            .plan
            .nodes
            .iter()
            .enumerate()
            .filter(|&(i, n)| {
                ctx.op(i) == Some(&Op::Expert) && ctx.roles[i].layer == l && n.placement.gpu_set().contains(gmax)
            })
            .map(|(_, n)| n.id.clone())
            .collect();
        let move_n = (max - min) / 2;
        out.push(
            Finding::error(
                Code::ExpertImbalance,
                format!(
                    "expert shards per GPU are uneven in {}; in {layer} GPU {gmax} holds {max} and GPU {gmin} holds {min}",
                    count(uneven.len() as u64, "layer", "layers")
                ),
            )
            .nodes(heavy.iter())
            .gpus([gmin, gmax])
            .fix(format!(
                "move {} of GPU {gmax}'s expert shards ({}) to GPU {gmin}, and likewise in every uneven layer, so each GPU holds the same number per layer",
                move_n.max(1),
                span_names(&heavy[..heavy.len().min(move_n.max(1) as usize)])
            )),
        );
    }
    if let (Some(s), Some(e)) = (ctx.strategy, ctx.meta.model.experts) {
        let ep = s.ep.get();
        if ep > 1 && e % ep == 0 {
            let want = (e / ep) as f64;
            if (stats.mean - want).abs() > 1e-9 && uneven.is_empty() {
                out.push(
                    Finding::warning(
                        Code::ExpertImbalance,
                        format!(
                            "each GPU holds {:.2} expert shards per layer on average, but {e} experts over EP{ep} means {want} per GPU",
                            stats.mean
                        ),
                    )
                    .fix(format!(
                        "place exactly {} of each layer on every EP rank ({e} experts / EP{ep}), one node per expert and TP shard",
                        count(want as u64, "expert", "experts")
                    )),
                );
            }
        }
    }
    Some(stats)
}

/// The EP rank of expert `e` when each rank holds `per` experts, as text for fixes.
pub(crate) fn slot(per: u32) -> String {
    if per == 1 { "e".into() } else { format!("⌊e/{per}⌋") }
}

/// Where a fix puts expert e of `experts` (over EP ranks, each on the experts' TP GPUs):
/// "expert e, TP shard t on GPU ⌊e/4⌋·2+t", or "expert e on GPU ⌊e/16⌋" for whole experts.
pub(crate) fn expert_gpu(s: &Strategy, experts: u32) -> String {
    let rank = slot((experts / s.ep.get()).max(1));
    match s.expert_tp().get() {
        1 => format!("expert e on GPU {rank}"),
        t => format!("expert e, TP shard t on GPU {rank}·{t}+t"),
    }
}

#[cfg(test)]
mod runs_tests {
    use super::*;

    /// Counting and sorting give the same runs, which hold each GPU's count.
    #[test]
    fn counted_and_sorted_runs_agree() {
        let mut next = crate::seeded::below(11);
        for case in 0..200 {
            let n = 1 + next(40) as usize;
            let ranges: Vec<(u32, u32)> = (0..n)
                .map(|_| {
                    let a = next(64) + if case % 2 == 0 { 0 } else { 4_000 };
                    (a, a + next(5))
                })
                .collect();
            let lo = ranges.iter().map(|r| r.0).min().unwrap();
            let hi = ranges.iter().map(|r| r.1).max().unwrap();
            let counted = counted_runs(&ranges, lo, (hi - lo) as usize + 2);
            assert_eq!(counted, sorted_runs(&ranges), "{ranges:?}");
            for g in lo..=hi {
                let want = ranges.iter().filter(|r| r.0 <= g && g <= r.1).count() as u32;
                let got = counted.iter().find(|r| r.0 <= g && u64::from(g) < u64::from(r.0) + r.1).map_or(0, |r| r.2);
                assert_eq!(got, want, "GPU {g} in {ranges:?}");
            }
        }
        assert_eq!(runs(&[(0, 1_000_000), (5, 5)]), [(0, 5, 1), (5, 1, 2), (6, 999_995, 1)]);
        assert!(runs(&[]).is_empty());
    }
}
