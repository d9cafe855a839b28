//! An expert load applied to the plan's expert nodes. In each MoE layer the routed
//! token-rows T the plan's expert nodes stand for are handed out again by the load: expert
//! x gets its share s(x) of them, split evenly over its replicas, each TP shard of a
//! replica seeing all of that replica's tokens. Node i of expert x then processes
//! T·s(x)/rep(x) token-rows where it processed mᵢ; its FLOPs and activation bytes scale by
//! that ratio, its weights do not.
//!
//! T is what the plan states: a node whose shape gives its tokens counts them for its
//! replica (T = Σ mᵢ / shards(x)); a node without a shape was given its expert's uniform
//! share of the routed tokens (cost::flops), which its replicas do not multiply
//! (T = Σ mᵢ / n(x)). So the rule is idempotent: a rewrite built with the load (each shard
//! shaped with its replica's share, deploy::block) is left as it is, and the verifier can
//! apply one load to both sides of the page. A uniform load changes nothing.

use super::{Constants, NodeWork, flops::tokens};
use crate::expert_load::{ExpertLoad, Mismatch, shares};
use crate::infer::NodeRoles;
use crate::model::{Op, Plan};
use std::collections::HashMap;

/// One expert node of a MoE layer.
struct ExpertNode {
    index: usize,
    expert: u32,
    /// Its shape states the tokens it processes.
    stated: bool,
    tp: Option<u32>,
}

/// Spreads each MoE layer's expert tokens by `load`. The model's layer and expert counts
/// (unknown ones taken from the load) decide which row is which layer, as for the
/// rewriter (`ExpertLoad::moe_rows`). Returns how many layers of the plan it re-spread.
/// O(nodes + experts per layer).
pub fn apply(
    plan: &Plan,
    roles: &[NodeRoles],
    work: &mut [NodeWork],
    load: &ExpertLoad,
    c: &Constants,
) -> Result<usize, Mismatch> {
    let layers = c.layers.unwrap_or(load.layers() as u32);
    let moe = c.moe_layers.unwrap_or(layers).min(layers);
    let experts = c.experts.unwrap_or(load.experts() as u32);
    let rows = load.moe_rows(layers, moe, experts)?;
    let first_moe = layers - moe;
    let mut by_layer: HashMap<u32, Vec<ExpertNode>> = HashMap::new();
    for (i, (n, r)) in plan.nodes.iter().zip(roles).enumerate() {
        if n.op.as_ref().or(r.op.as_ref()) != Some(&Op::Expert) {
            continue;
        }
        if let (Some(l), Some(x)) = (n.layer.or(r.layer), n.expert.or(r.expert))
            && l >= first_moe
            && ((l - first_moe) as usize) < rows.len()
            && x < experts
        {
            let stated = tokens(n, c).1;
            by_layer.entry(l).or_default().push(ExpertNode { index: i, expert: x, stated, tp: r.ranks.tp });
        }
    }
    for (&l, nodes) in &by_layer {
        let share = shares(&rows[(l - first_moe) as usize]);
        // Per expert: its nodes and its distinct TP ranks (its shards).
        let mut count = vec![0u32; experts as usize];
        let mut tps: Vec<Vec<u32>> = vec![Vec::new(); experts as usize];
        for e in nodes {
            count[e.expert as usize] += 1;
            let t = &mut tps[e.expert as usize];
            if let Some(tp) = e.tp
                && !t.contains(&tp)
            {
                t.push(tp);
            }
        }
        let shards = |x: u32| tps[x as usize].len().max(1) as f64;
        let total: f64 = nodes
            .iter()
            .map(|e| {
                let m = work[e.index].out_bytes;
                if e.stated { m / shards(e.expert) } else { m / f64::from(count[e.expert as usize]) }
            })
            .sum();
        if total <= 0.0 {
            continue;
        }
        for e in nodes {
            let w = &mut work[e.index];
            if w.out_bytes <= 0.0 {
                continue;
            }
            let replicas = (f64::from(count[e.expert as usize]) / shards(e.expert)).max(1.0);
            let f = total * share[e.expert as usize] / replicas / w.out_bytes;
            // An expert's input and output are both token-rows × hidden (in = out).
            w.bytes += (f - 1.0) * 2.0 * w.out_bytes;
            w.flops *= f;
            w.out_bytes *= f;
        }
    }
    Ok(by_layer.len())
}
