//! The rewriter: turns a plan (however broken) into a correct deployment of a target
//! EP×TP×PP×DP strategy, keeping what the source says about the model (embedding,
//! attention, norms, heads, unknown fields, ids where possible) and rebuilding the MoE
//! block, its collectives and the pipeline from the strategy. Returns the new plan with a
//! reviewable diff, or an error naming every rule the target breaks (and no plan).
//! The nodes are written by `deploy`, the builder the generator uses too, which records
//! for each one the source node it was built for (`Rewrite::origins`).
//! Rules: docs/rewrite.md.

pub mod diff;
pub mod eplb;
mod expand;
mod extract;
pub mod target;

pub use diff::{Diff, DiffGroup, Moved};
pub use eplb::{Balance, ExpertPlacement};
pub use target::short_name;

use crate::cost::{self, Workload};
use crate::deploy::Origins;
use crate::infer::{NodeRoles, node_roles};
use crate::model::{Meta, Plan, Strategy};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// What to rewrite to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub strategy: Strategy,
    /// GPUs the cluster offers (else the plan's, else EP·TP·PP·DP).
    pub gpus: Option<u32>,
    /// Tokens per expert, `[layer][expert]`, one row per MoE layer (or per layer: the
    /// rows of dense layers are ignored). Turns on load-aware placement.
    pub expert_load: Option<Vec<Vec<f64>>>,
    /// Replica slots per EP rank for the hottest experts (default 1 with a load, else 0).
    pub spare_slots_per_rank: Option<u32>,
    /// Cluster and model constants merged over the plan's meta.
    pub overrides: Meta,
}

impl Target {
    pub fn new(strategy: Strategy) -> Target {
        Target { strategy, gpus: None, expert_load: None, spare_slots_per_rank: None, overrides: Meta::default() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rewrite {
    pub plan: Plan,
    pub diff: Diff,
    /// Balancedness before (contiguous placement) and after (load-aware), with a load.
    pub balance: Option<Balance>,
    /// Which node of the source each node of `plan` was built for, and back.
    #[serde(skip)]
    pub origins: Origins,
}

/// Why a target cannot be met: every rule it breaks, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RewriteError {
    pub target: String,
    pub rules: Vec<String>,
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot rewrite to {}: {}", self.target, self.rules.join("; "))
    }
}

impl std::error::Error for RewriteError {}

/// Rewrites `plan` to `target`. Never panics; linear in the size of the output.
pub fn rewrite(plan: &Plan, target: &Target) -> Result<Rewrite, RewriteError> {
    let dims = target::resolve(plan, target.strategy, target.gpus, &target.overrides)?;
    let err = |rules: Vec<String>| RewriteError { target: target.strategy.to_string(), rules };
    let (ep, moe_layers) = (dims.strategy.ep.get(), dims.moe_layers());
    let load = match &target.expert_load {
        Some(rows) if dims.experts > 0 => Some(check_load(rows, &dims).map_err(|r| err(vec![r]))?),
        Some(_) => return Err(err(vec!["an expert load was given but the model has no experts".into()])),
        None => None,
    };
    let contiguous = eplb::contiguous(moe_layers, dims.experts, ep);
    let (placement, balance) = match &load {
        Some(load) => {
            let spare = target.spare_slots_per_rank.unwrap_or(1).min(dims.experts);
            let tp = dims.strategy.tp.get();
            let rps = (dims.gpus_per_server / tp).max(1);
            let layers: Vec<_> = load.iter().map(|l| eplb::balanced_layer(l, ep, spare, rps)).collect();
            let p = ExpertPlacement { layers };
            let before = eplb::balancedness(&contiguous, load);
            let after = eplb::balancedness(&p, load);
            let rr = eplb::balancedness(&eplb::round_robin(moe_layers, dims.experts, ep), load);
            let b = Balance {
                before: eplb::mean(&before),
                after: eplb::mean(&after),
                round_robin: eplb::mean(&rr),
                per_layer_before: before,
                per_layer_after: after,
                spare_slots_per_rank: spare,
            };
            (p, Some(b))
        }
        None => (contiguous, None),
    };
    let kept = extract::extract(plan, &dims);
    let (out, built_for) = expand::build(plan, &dims, &kept, &placement);
    memory_fit(&out, &dims).map_err(|r| err(vec![r]))?;
    let mut notes = kept.notes.clone();
    let out_ids: HashSet<&str> = out.nodes.iter().map(|n| n.id.as_str()).collect();
    let gpu_copies = dims.strategy.ep.get() * dims.strategy.tp.get() > 1 || dims.strategy.dp.get() > 1;
    for t in kept.templates() {
        let ids = t.sources.iter().filter_map(|&s| plan.nodes.get(s as usize).map(|n| n.id.as_str()));
        let gone: Vec<String> = ids.filter(|s| !out_ids.contains(s)).map(str::to_string).collect();
        if !gone.is_empty() && gpu_copies {
            notes.push(format!(
                "{} kept as one copy per GPU of its stage, {}_ep<e>_tp<t>{}",
                crate::check::report::span_names(&gone),
                t.id,
                if dims.strategy.dp.get() > 1 { "_dp<d>" } else { "" }
            ));
        }
    }
    let diff = diff::diff(plan, &out, notes);
    // A source node with no node of its own is represented by the first of its kind: the
    // other sources folded into a template, replaced nodes after the first of their role.
    let folded = kept
        .templates()
        .filter_map(|t| t.sources.split_first())
        .flat_map(|(&first, rest)| rest.iter().map(move |&s| (s, first)))
        .chain(kept.sources.folded().iter().copied());
    let origins = Origins::new(built_for, plan.nodes.len(), folded);
    Ok(Rewrite { plan: out, diff, balance, origins })
}

fn check_load(rows: &[Vec<f64>], dims: &target::Dims) -> Result<Vec<Vec<f64>>, String> {
    let (m, l, e) = (dims.moe_layers() as usize, dims.layers as usize, dims.experts as usize);
    let rows = if rows.len() == m {
        rows
    } else if rows.len() == l {
        &rows[l - m..]
    } else {
        return Err(format!("the expert load has {} rows but the model has {m} MoE layers", rows.len()));
    };
    for (i, r) in rows.iter().enumerate() {
        if r.len() != e {
            return Err(format!("expert load row {i} has {} entries but each layer has {e} experts", r.len()));
        }
        if let Some(v) = r.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(format!("expert load row {i} holds {v}; token counts must be finite and not negative"));
        }
    }
    Ok(rows.to_vec())
}

/// Refuses a rewrite whose GPUs would not hold their share (the verifier's MEMORY_OVER).
fn memory_fit(out: &Plan, dims: &target::Dims) -> Result<(), String> {
    // Every node the builder writes carries its op, layer, expert and ranks explicitly.
    let roles: Vec<NodeRoles> = out
        .nodes
        .iter()
        .map(|n| match n.op {
            Some(_) => NodeRoles { op: n.op.clone(), layer: n.layer, expert: n.expert, ranks: n.ranks },
            None => node_roles(n),
        })
        .collect();
    let c = cost::resolve(&out.meta, out, Some(dims.strategy));
    let work = cost::node_work(out, &roles, &c, dims.strategy.tp.get(), Workload::Inference);
    let used = crate::check::union_gpus(out.nodes.iter().map(|n| &n.placement)).iter().collect::<Vec<_>>();
    let Some(mem) = cost::memory_per_gpu(out, &used, &work, &c, Workload::Inference) else { return Ok(()) };
    let Some(cap) = mem.capacity_gb else { return Ok(()) };
    match mem.per_gpu.iter().filter(|g| g.total_gb > cap).max_by(|a, b| a.total_gb.total_cmp(&b.total_gb)) {
        Some(w) => Err(format!(
            "{} needs {:.1} GB on GPU {} (weights {:.1}, activations {:.1}, KV cache {:.1}) but GPUs have {cap} GB; raise TP, EP or PP",
            short_name(dims.strategy),
            w.total_gb,
            w.gpu,
            w.weights_gb,
            w.activations_gb,
            w.kv_cache_gb
        )),
        None => Ok(()),
    }
}
