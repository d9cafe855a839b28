//! The rewriter: turns a plan (however broken) into a correct deployment of a target
//! EP×TP×PP×DP strategy, keeping what the source says about the model (embedding,
//! attention, norms, heads, unknown fields, ids where possible) and rebuilding the MoE
//! block, its collectives and the pipeline from the strategy. Returns the new plan with a
//! reviewable diff, or an error naming every rule the target breaks (and no plan).
//! The nodes are written by `deploy`, the builder the generator uses too, which records
//! for each one the source node it was built for (`Rewrite::origins`).
//! Rules: docs/rewrite.md.

pub mod diff;
mod diff_text;
pub mod eplb;
mod error;
mod expand;
mod extract;
pub mod node_marks;
pub mod target;

pub use diff::{Action, Diff, DiffGroup, EdgeChange, MetaChange, MetaField, Moved, Note, What};
pub use diff_text::gpu_ranges;
pub use eplb::{Balance, ExpertPlacement};
pub use error::{BrokenRule, Goal, RewriteError};
pub use target::short_name;

use crate::cost;
use crate::deploy::Origins;
use crate::expert_load;
use crate::infer::{NodeRoles, node_roles};
use crate::limits::Capacity;
use crate::model::{Meta, Plan, Strategy};
use foldhash::HashSet;
use serde::Serialize;

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
    /// Where the output is held: a page builds fewer nodes than the command.
    pub capacity: Capacity,
}

impl Target {
    pub fn new(strategy: Strategy) -> Target {
        Target {
            strategy,
            gpus: None,
            expert_load: None,
            spare_slots_per_rank: None,
            overrides: Meta::default(),
            capacity: Capacity::Native,
        }
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

/// Rewrites `plan` to `target`. Never panics; linear in the size of the output.
pub fn rewrite(plan: &Plan, target: &Target) -> Result<Rewrite, RewriteError> {
    let dims = target::resolve(plan, target.strategy, target.gpus, &target.overrides, target.capacity)?;
    let err = |rule: BrokenRule| RewriteError { target: Goal::Strategy(target.strategy), rules: vec![rule] };
    let (ep, moe_layers) = (dims.strategy.ep.get(), dims.moe_layers());
    let load = match &target.expert_load {
        Some(rows) if dims.experts > 0 => Some(check_load(rows, &dims).map_err(err)?),
        Some(_) => return Err(err(BrokenRule::ExpertLoadWithoutExperts)),
        None => None,
    };
    let contiguous = eplb::contiguous(moe_layers, dims.experts, ep);
    let (placement, balance) = match &load {
        Some(load) => {
            let spare = target.spare_slots_per_rank.unwrap_or(1).min(dims.experts);
            // EP ranks per server: each rank holds the experts' TP GPUs (ETP with folded experts).
            let rps = (dims.gpus_per_server / dims.strategy.expert_tp().get()).max(1);
            let groups = dims.meta.model.expert_groups;
            let placed: Vec<_> = load.iter().map(|l| eplb::balanced_layer(l, ep, spare, rps, groups)).collect();
            let policy = placed.first().map_or(eplb::Policy::Global, |p| p.1);
            let p = ExpertPlacement { layers: placed.into_iter().map(|p| p.0).collect() };
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
                policy,
            };
            (p, Some(b))
        }
        None => (contiguous, None),
    };
    let kept = extract::extract(plan, &dims);
    // Each expert's share of its layer's routed tokens, so the expert shards carry the load.
    let share: Option<Vec<Vec<f64>>> = load.as_ref().map(|rows| rows.iter().map(|r| expert_load::shares(r)).collect());
    let (out, built_for) = expand::build(plan, &dims, &kept, &placement, share.as_deref());
    memory_fit(&out, &dims).map_err(err)?;
    let mut notes = kept.notes.clone();
    let out_ids: HashSet<&str> = out.nodes.iter().map(|n| n.id.as_str()).collect();
    let gpu_copies = dims.strategy.ep.get() * dims.strategy.tp.get() > 1 || dims.strategy.dp.get() > 1;
    for t in kept.templates() {
        let ids = t.sources.iter().filter_map(|&s| plan.nodes.get(s as usize).map(|n| n.id.as_str()));
        let gone: Vec<String> = ids.filter(|s| !out_ids.contains(s)).map(str::to_string).collect();
        if !gone.is_empty() && gpu_copies {
            notes.push(Note::PerGpuCopies {
                sources: gone,
                template: t.id.clone(),
                dp: dims.strategy.expert_replicas() > 1,
                folded: dims.strategy.experts_folded(),
            });
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

fn check_load(rows: &[Vec<f64>], dims: &target::Dims) -> Result<Vec<Vec<f64>>, BrokenRule> {
    let rows = expert_load::fit(rows, dims.layers, dims.moe_layers(), dims.experts).map_err(|m| match m {
        expert_load::Mismatch::Rows { rows, moe_layers, .. } => BrokenRule::ExpertLoadRows { rows, moe_layers },
        expert_load::Mismatch::RowLength { row, entries, experts } => {
            BrokenRule::ExpertLoadRowLength { row, entries, experts }
        }
    })?;
    for (i, r) in rows.iter().enumerate() {
        if let Some(v) = r.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(BrokenRule::ExpertLoadValue { row: i, value: *v });
        }
    }
    Ok(rows.to_vec())
}

/// Refuses a rewrite whose GPUs would not hold their share (the verifier's MEMORY_OVER).
fn memory_fit(out: &Plan, dims: &target::Dims) -> Result<(), BrokenRule> {
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
    let work = cost::node_work(out, &roles, &c, cost::TpSplit::of(Some(dims.strategy)));
    let used = crate::model::union_gpus(out.nodes.iter().map(|n| &n.placement)).iter().collect::<Vec<_>>();
    let end = used.last().map_or(0, |&g| g + 1);
    let cells = crate::model::GpuCells::new(out.nodes.iter().map(|n| &n.placement), end);
    let Some(mem) = cost::memory_per_gpu(out, &used, &cells, &work, &c) else { return Ok(()) };
    let Some(cap) = mem.capacity_gb else { return Ok(()) };
    match mem.worst().filter(|w| w.gpu.total_gb > cap) {
        Some(worst) => Err(BrokenRule::OutOfMemory {
            strategy: dims.strategy,
            worst: Box::new(worst),
            capacity_gb: cap,
            model_weights_gb: crate::arch::weight_bytes(&out.meta.model)
                .ok()
                .map(|shares| shares.iter().map(|s| s.bytes).sum::<f64>() / 1e9),
        }),
        None => Ok(()),
    }
}
