//! The verifier: structure, placement, strategy and resource checks over one plan,
//! plus metrics from the cost model and a simulated step. `verify` never panics and
//! stays linear in nodes plus edges (plus GPUs per multi-GPU node).

mod constants;
pub mod declared;
mod model;
mod placement;
pub mod report;
mod resources;
mod strategy;
mod structure;

pub use crate::stats::MinMeanMax;
pub use report::{Code, Finding, Report, Severity, Verdict};

use crate::cost::{self, MemoryMetrics};
use crate::expert_load::ExpertLoad;
use crate::graph::{EdgeIndex, Graph};
use crate::infer::{Degrees, NodeRoles, infer_degrees, node_roles};
use crate::limits::Limit;
use crate::model::{GpuCells, Meta, Node, NodeKind, Op, Placement, Plan, Strategy, union_gpus};
use crate::pace::Pause;
use crate::sim::SimResult;
use declared::LaunchLines;
use serde::Serialize;
use std::sync::Arc;

/// What the caller knows better than the plan. Every `Some` wins over the plan's meta.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The strategy to hold the plan to (else the plan's declared one).
    pub strategy: Option<Strategy>,
    /// GPUs the cluster offers (else `meta.cluster.gpus`, else the strategy's product).
    pub gpus: Option<u32>,
    /// Cluster and model constants merged field by field over the plan's own meta.
    pub overrides: Meta,
    /// LOAD_IMBALANCE fires when max/mean per-GPU busy time exceeds this.
    pub load_imbalance_threshold: f64,
    /// Run the list-scheduling simulation (step time, critical path).
    pub simulate: bool,
    /// Also simulate two-batch overlap (communication behind the other micro-batch's compute).
    pub overlap: bool,
    /// Tokens per expert per MoE layer: the expert nodes' work follows it (cost::load).
    pub expert_load: Option<Arc<ExpertLoad>>,
    /// Reads a declared strategy written as a launch line (`declared`).
    pub launch: Arc<dyn LaunchLines>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            strategy: None,
            gpus: None,
            overrides: Meta::default(),
            load_imbalance_threshold: 1.5,
            simulate: true,
            overlap: false,
            expert_load: None,
            launch: declared::default_lines(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeclaredDegrees {
    pub ep: u32,
    pub tp: u32,
    pub pp: u32,
    pub dp: u32,
    /// EP·TP·PP·DP.
    pub product: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub nodes: usize,
    pub edges: usize,
    /// GPUs the cluster offers, when known.
    pub gpus_total: Option<u32>,
    /// Where `gpus_total` came from: options, plan, strategy or placements.
    pub gpus_total_source: &'static str,
    pub gpus_used: u32,
    pub degrees_declared: Option<DeclaredDegrees>,
    pub degrees_inferred: Degrees,
    pub expert_shards_per_gpu_per_layer: Option<MinMeanMax>,
    pub memory: Option<MemoryMetrics>,
    /// Forward FLOPs per GPU over the whole DAG (one step).
    pub flops_per_gpu: Option<MinMeanMax>,
    pub simulation: Option<SimResult>,
    /// One row per GPU used, ascending: what the cluster and utilization views draw.
    pub per_gpu: Vec<GpuMetrics>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GpuMetrics {
    pub gpu: u32,
    /// Nodes placed on this GPU (multi-GPU nodes count on each of theirs).
    pub nodes: u32,
    /// Forward FLOPs of one step on this GPU.
    pub flops: f64,
    pub memory_gb: Option<f64>,
    pub memory_percent: Option<f64>,
    pub compute_s: Option<f64>,
    pub comm_s: Option<f64>,
    pub busy_fraction: Option<f64>,
}

/// Everything the checks share: the plan, merged constants, roles, adjacency.
pub(crate) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub opts: &'a VerifyOptions,
    pub meta: Meta,
    pub strategy: Option<Strategy>,
    pub gpus_total: Option<u32>,
    pub roles: Vec<NodeRoles>,
    pub g: Graph,
    /// Communication nodes: kind, collective op, or a transfer placement.
    pub comm: Vec<bool>,
    /// Plan inputs and outputs (host side, exempt from placement checks).
    pub input: Vec<bool>,
    pub output: Vec<bool>,
    /// GPU ids some node is placed on, ascending.
    pub used: Vec<u32>,
}

impl Ctx<'_> {
    pub fn id(&self, i: u32) -> &str {
        self.plan.nodes.get(i as usize).map_or("", |n| n.id.as_str())
    }

    pub fn node(&self, i: u32) -> &Node {
        &self.plan.nodes[i as usize]
    }

    pub fn is_io(&self, i: usize) -> bool {
        self.input[i] || self.output[i]
    }

    pub fn op(&self, i: usize) -> Option<&Op> {
        self.roles[i].op.as_ref()
    }
}

fn first_line_lower(node: &Node) -> String {
    let mut s = node.id.to_ascii_lowercase();
    if let Some(l) = node.label.as_deref().and_then(|l| l.lines().next()) {
        s.push(' ');
        s.push_str(&l.to_ascii_lowercase());
    }
    s
}

fn is_comm(node: &Node, r: &NodeRoles) -> bool {
    node.kind == NodeKind::Communication
        || r.op.as_ref().is_some_and(Op::is_collective)
        || matches!(node.placement, Placement::Transfer { .. })
}

/// Verifies a plan: structure, placement, strategy and resources, with metrics.
pub fn verify(plan: &Plan, opts: &VerifyOptions) -> Report {
    verify_indexed(plan, &EdgeIndex::of(plan), opts)
}

/// [`verify`], with the plan's edges already resolved (`EdgeIndex::of(plan)`; the page
/// keeps them for the layout).
pub fn verify_indexed(plan: &Plan, edges: &EdgeIndex, opts: &VerifyOptions) -> Report {
    crate::pace::run(verify_paced(plan, edges, opts, &mut crate::pace::none))
}

/// [`verify_indexed`], awaiting `pause` between its passes (`pace`): the page's pause lets
/// the browser paint and answer input while a large plan is verified. Each pass is O(V + E)
/// (log factors where noted in the passes).
pub async fn verify_paced(plan: &Plan, edges: &EdgeIndex, opts: &VerifyOptions, pause: Pause<'_>) -> Report {
    let meta = plan.meta.merged_with(&opts.overrides);
    let strategy = opts.strategy.or(meta.strategy);
    let roles: Vec<NodeRoles> = plan.nodes.iter().map(node_roles).collect();
    let g = Graph::of(plan, edges);
    pause().await;
    let comm: Vec<bool> = plan.nodes.iter().zip(&roles).map(|(n, r)| is_comm(n, r)).collect();
    let mut input = Vec::with_capacity(plan.nodes.len());
    let mut output = Vec::with_capacity(plan.nodes.len());
    for n in &plan.nodes {
        let text = first_line_lower(n);
        let host_or_free = matches!(n.placement, Placement::Host | Placement::Unassigned);
        input.push(n.kind == NodeKind::Input || (host_or_free && text.contains("input")));
        output.push(n.kind == NodeKind::Output || (host_or_free && text.contains("output")));
    }
    let used: Vec<u32> = union_gpus(plan.nodes.iter().map(|n| &n.placement)).iter().collect();
    let max_used = used.last().map(|&g| g + 1);
    let (gpus_total, source) = match (opts.gpus, meta.cluster.gpus, strategy) {
        (Some(n), _, _) => (Some(n), "options"),
        (None, Some(n), _) => (Some(n), "plan"),
        (None, None, Some(s)) => (u32::try_from(s.gpus()).ok(), "strategy"),
        _ => (max_used, "placements"),
    };
    let mut ctx = Ctx { plan, opts, meta, strategy, gpus_total, roles, g, comm, input, output, used };
    // A plan with no node recognisably an input or output: its lone source/sink plays that part.
    exempt_lone_endpoint(&mut ctx);

    pause().await;

    let mut findings = Vec::new();
    let topo = structure::check(&ctx, &mut findings);
    pause().await;
    let shards = placement::check(&ctx, &mut findings);
    strategy::check(&ctx, &mut findings);
    pause().await;
    let degrees_inferred = infer_degrees(plan, &ctx.roles);
    model::check(&ctx, &degrees_inferred, strategy.is_some_and(|s| s.ep.get() > 1), &mut findings);
    pause().await;
    let constants = cost::resolve(&ctx.meta, plan, strategy);
    let mut work = cost::node_work(plan, &ctx.roles, &constants, cost::TpSplit::of(strategy));
    if let Some(load) = &opts.expert_load
        && let Err(m) = cost::load::apply(plan, &ctx.roles, &mut work, load, &constants)
    {
        findings.push(
            Finding::new(Code::ExpertLoadMismatch, Severity::Warning, format!("{m}; the load is not applied")).fix(
                "give a load with one row per MoE layer (or per layer) of one count per expert, or correct the \
                 model's layers and experts in the Conditions panel (`--conditions`)",
            ),
        );
    }
    // Per-GPU tables cost a step per GPU cell a node covers: bounded before they are built.
    // The memory table is kept over these cells.
    let cells = GpuCells::new(plan.nodes.iter().map(|n| &n.placement), max_used.unwrap_or(0));
    let within = Limit::PlacementCells.check(cells.crossings(plan.nodes.iter().map(|n| &n.placement)));
    if let Err(e) = within {
        findings.push(
            Finding::new(
                Code::CostSkipped,
                Severity::Warning,
                format!("{e}: memory per GPU, the simulated step and the step view are not computed"),
            )
            .fix("place nodes on the GPUs they run on (one GPU, or a TP group), not on every GPU of the cluster"),
        );
    }
    let memory = match within {
        Ok(()) => cost::memory_per_gpu(plan, &ctx.used, &cells, &work, &constants),
        Err(_) => None,
    };
    let flops = cost::flops_per_gpu(plan, &ctx.used, &work);
    pause().await;
    // Without tokens anywhere (no batch, no shapes) a step would be link latencies alone.
    let sim = if opts.simulate && constants.tflops.is_some() && within.is_ok() && cost::tokens_known(&work) {
        Some(crate::sim::simulate(&crate::sim::SimInput {
            g: &ctx.g,
            plan,
            roles: &ctx.roles,
            used: &ctx.used,
            comm: &ctx.comm,
            work: &work,
            c: &constants,
            topo: &topo,
            gpus_total,
            overlap: opts.overlap,
        }))
    } else {
        None
    };
    pause().await;
    resources::check(&ctx, &memory, sim.as_ref(), &mut findings);
    if let Some(f) = constants::missing_constants(&constants) {
        findings.push(f);
    }
    let per_gpu = gpu_rows(plan, &ctx.used, &flops, memory.as_ref(), sim.as_ref());
    pause().await;
    let metrics = Metrics {
        nodes: plan.nodes.len(),
        edges: plan.edges.len(),
        gpus_total,
        gpus_total_source: source,
        gpus_used: ctx.used.len() as u32,
        degrees_declared: strategy.map(|s| DeclaredDegrees {
            ep: s.ep.get(),
            tp: s.tp.get(),
            pp: s.pp.get(),
            dp: s.dp.get(),
            product: s.product(),
        }),
        degrees_inferred,
        expert_shards_per_gpu_per_layer: shards,
        memory,
        flops_per_gpu: MinMeanMax::of(flops.iter().copied()),
        simulation: sim,
        per_gpu,
    };
    Report::new(metrics, findings)
}

/// Joins the per-GPU series (all over `used`, ascending) into one row per GPU.
/// O(r log g + g) in placement ranges r and GPUs used g.
fn gpu_rows(
    plan: &Plan,
    used: &[u32],
    flops: &[f64],
    memory: Option<&MemoryMetrics>,
    sim: Option<&SimResult>,
) -> Vec<GpuMetrics> {
    let mut rows: Vec<GpuMetrics> = used
        .iter()
        .zip(flops.iter().copied().chain(std::iter::repeat(0.0)))
        .map(|(&gpu, flops)| GpuMetrics { gpu, flops, ..GpuMetrics::default() })
        .collect();
    let index = |gpu: u32| used.binary_search(&gpu).ok();
    // Node counts as a difference array over `used`: each range adds one at its first
    // row and takes it back after its last, however many GPUs it spans.
    let mut delta = vec![0i64; used.len() + 1];
    for node in &plan.nodes {
        for r in node.placement.gpu_set().ranges() {
            let (start, end) = (used.partition_point(|&g| g < r.0), used.partition_point(|&g| g <= r.1));
            if start < end {
                delta[start] += 1;
                delta[end] -= 1;
            }
        }
    }
    let mut running = 0i64;
    for (row, d) in rows.iter_mut().zip(&delta) {
        running += d;
        row.nodes = u32::try_from(running).unwrap_or(0);
    }
    if let Some(m) = memory {
        for g in &m.per_gpu {
            if let Some(i) = index(g.gpu) {
                rows[i].memory_gb = Some(g.total_gb);
                rows[i].memory_percent = g.percent;
            }
        }
    }
    if let Some(s) = sim {
        for t in &s.per_gpu {
            if let Some(i) = index(t.gpu) {
                rows[i].compute_s = Some(t.compute_s);
                rows[i].comm_s = Some(t.comm_s);
                rows[i].busy_fraction = Some(t.busy_fraction);
            }
        }
    }
    rows
}

fn exempt_lone_endpoint(ctx: &mut Ctx<'_>) {
    let n = ctx.g.len();
    if !ctx.input.iter().any(|&b| b) {
        let sources: Vec<usize> = (0..n).filter(|&i| ctx.g.pred[i].is_empty() && !ctx.g.succ[i].is_empty()).collect();
        if let [only] = sources[..] {
            ctx.input[only] = true;
        }
    }
    if !ctx.output.iter().any(|&b| b) {
        let sinks: Vec<usize> = (0..n).filter(|&i| ctx.g.succ[i].is_empty() && !ctx.g.pred[i].is_empty()).collect();
        if let [only] = sinks[..] {
            ctx.output[only] = true;
        }
    }
}
