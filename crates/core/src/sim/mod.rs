//! A simulated step: list scheduling of the DAG in topological order on per-GPU compute
//! and communication streams. A compute node takes the roofline time
//! max(FLOPs/(peak·MFU), bytes/(mem_bw·util)) (Williams et al. 2009) on each of its GPUs,
//! at the peak of its weights' precision (FP8/FP4 where the hardware gives one); a
//! collective takes its time by cost::comm on the communication streams of its group.
//! Where the step goes, per part of a layer: breakdown.rs. Two-batch overlap: overlap.rs.
//! O(n + e + r log r) in nodes, edges and placement ranges, plus the GPU cells each
//! node covers ([`GpuCells`]): a node on a wide GPU range costs one cell, not one per GPU.

mod a2a_load;
pub mod breakdown;
mod overlap;
pub mod time_window;
pub mod timeline;
pub mod trace;
pub mod training;

pub use breakdown::{Coverage, Part, PerLayer};
pub use training::TrainingStep;

/// What a simulated step needs from the plan or its conditions, named wherever one is
/// missing (check/mod.rs does not simulate a plan with no size anywhere).
pub const STEP_NEEDS: &str = "the GPUs' TFLOPS and a batch (or tensor shapes)";

use crate::cost::comm::{CollectiveCall, Direction, collective_time, servers_spanned};
use crate::cost::{Constants, NodeWork};
use crate::graph::Graph;
use crate::infer::NodeRoles;
use crate::model::{GpuCells, GpuSet, Op, Placement, Plan};
use crate::stats::MinMeanMax;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimResult {
    /// Simulated time of one step, seconds.
    pub step_time_s: f64,
    /// Per-GPU compute busy time / step time, over GPUs used.
    pub busy_fraction: MinMeanMax,
    /// Per-GPU compute seconds.
    pub compute_s: MinMeanMax,
    /// Per-GPU communication seconds.
    pub comm_s: MinMeanMax,
    /// Mean over max per-GPU compute load (1 = perfectly balanced; EPLB's balancedness).
    pub balancedness: f64,
    /// The GPU with the most compute time.
    pub busiest_gpu: Option<u32>,
    /// Node ids on the critical path, in order (first and last 32 when longer than 64).
    pub critical_path: Vec<String>,
    pub critical_path_nodes: usize,
    /// Nodes not scheduled because they lie on or behind a cycle.
    pub unscheduled_nodes: usize,
    /// Mean seconds per layer on the busiest GPU, per part of the layer.
    pub per_layer: PerLayer,
    /// The fraction of the model the plan covers and its throughput per GPU.
    pub coverage: Coverage,
    /// With two-batch overlap (an option): the step with communication hidden behind the
    /// other micro-batch's compute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlapped_step_time_s: Option<f64>,
    /// Training with its micro-batches given: the optimizer step this forward pass implies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingStep>,
    /// Per GPU used, ascending.
    pub per_gpu: Vec<GpuTime>,
    /// When each scheduled node ran, for the timeline view. Left out of the JSON report:
    /// it has one entry per node.
    #[serde(skip)]
    pub spans: Vec<Span>,
}

impl SimResult {
    /// The serial step and the step with two-batch overlap (the `overlap` option's figure,
    /// else computed now from the busiest GPU's parts, O(1)): the two bounds a deployment's
    /// measured step falls between (docs/calibration.md). The overlapped one is None when
    /// nothing would overlap.
    pub fn bounds(&self) -> (f64, Option<f64>) {
        let step = self.step_time_s;
        let t = self.overlapped_step_time_s.unwrap_or_else(|| overlap::two_batch(step, &self.per_layer));
        (step, (t < step).then_some(t))
    }

    /// Tokens per second per GPU of the serial step (the coverage's figure is the overlapped
    /// one when the `overlap` option was asked for).
    pub fn serial_tokens_per_s_per_gpu(&self) -> Option<f64> {
        let tps = self.coverage.tokens_per_s_per_gpu?;
        match self.overlapped_step_time_s {
            Some(t) if t > 0.0 && self.step_time_s > 0.0 => Some(tps * t / self.step_time_s),
            _ => Some(tps),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GpuTime {
    pub gpu: u32,
    pub compute_s: f64,
    pub comm_s: f64,
    /// compute_s / step time.
    pub busy_fraction: f64,
}

/// One node's run: on the compute stream, or on the communication stream for a collective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub node: u32,
    pub start_s: f64,
    pub end_s: f64,
    pub comm: bool,
    /// The node's FLOPs (all its GPUs together), for the timeline's details and the trace.
    pub flops: f64,
    /// Bytes it moves: a collective's message, else what a compute node reads and writes.
    pub bytes: f64,
}

/// What the simulator reads: the verifier's shared state, passed apart so it needs no Ctx.
pub struct SimInput<'a> {
    pub g: &'a Graph,
    pub plan: &'a Plan,
    pub roles: &'a [NodeRoles],
    /// GPU ids some node is placed on, ascending.
    pub used: &'a [u32],
    pub comm: &'a [bool],
    pub work: &'a [NodeWork],
    pub c: &'a Constants,
    pub topo: &'a [u32],
    pub gpus_total: Option<u32>,
    /// Two-batch overlap (DeepSeek's prefill and decode): report the overlapped step too.
    pub overlap: bool,
}

/// An all-to-all's direction: a combine when the plan names it so or it follows the
/// experts (directly or through their TP all-reduce); else a dispatch.
fn direction(x: &SimInput<'_>, i: usize) -> Direction {
    let n = &x.plan.nodes[i];
    let named = |s: &str| s.to_ascii_lowercase().contains("combine");
    let expert = |j: u32| x.roles[j as usize].op == Some(Op::Expert);
    let after_experts = x.g.pred[i].iter().any(|&p| {
        expert(p) || (x.roles[p as usize].op == Some(Op::AllReduce) && x.g.pred[p as usize].iter().any(|&q| expert(q)))
    });
    if named(&n.id) || n.label.as_deref().is_some_and(named) || after_experts {
        Direction::Combine
    } else {
        Direction::Dispatch
    }
}

pub fn simulate(x: &SimInput<'_>) -> SimResult {
    let SimInput { g, plan, used, comm, work, c, topo, gpus_total, .. } = *x;
    let n = plan.nodes.len();
    // A declared GPU count is only trusted up to the largest id a plan may name, so a typo
    // such as 4294967295 GPUs cannot make the per-GPU tables exhaust memory.
    let declared = gpus_total.unwrap_or(0).min(crate::model::MAX_GPU_ID + 1);
    let max_gpu = used.last().map_or(0, |&g| g + 1).max(declared);
    let gcount = max_gpu as usize;
    // Per-GPU tables are kept per cell of GPUs placed alike: O(ranges) per node, not O(GPUs).
    let cells = GpuCells::new(plan.nodes.iter().map(|n| &n.placement), max_gpu);
    let ncells = cells.len();
    let (mut cfree, mut mfree) = (vec![0.0f64; ncells], vec![0.0f64; ncells]);
    let (mut clast, mut mlast) = (vec![u32::MAX; ncells], vec![u32::MAX; ncells]);
    let (mut cbusy, mut mbusy) = (vec![0.0f64; ncells], vec![0.0f64; ncells]);
    let mut by_part = vec![[0.0f64; 10]; ncells];
    // Seconds of weight reads in memory-bound nodes: a second micro-batch reads them again.
    let mut reread = vec![0.0f64; ncells];
    let mut finish = vec![0.0f64; n];
    let mut why = vec![u32::MAX; n];
    let mut scheduled = 0usize;
    let mut done = vec![false; n];
    let mut spans = Vec::with_capacity(topo.len());
    let all = if gcount > 0 { GpuSet::range(0, max_gpu - 1) } else { GpuSet::empty() };
    let mut walks = a2a_load::Walks::new(n);
    let mut cell_runs: Vec<std::ops::Range<usize>> = Vec::new();
    for &v in topo {
        let vi = v as usize;
        scheduled += 1;
        done[vi] = true;
        let node = &plan.nodes[vi];
        let w = &work[vi];
        // Borrowed: a million nodes' sets are not copied to be read.
        let mut gpus = match &node.placement {
            Placement::All => std::borrow::Cow::Borrowed(&all),
            p => p.gpu_set(),
        };
        let mut ready = 0.0f64;
        let mut from = u32::MAX;
        for &p in &g.pred[vi] {
            if finish[p as usize] > ready || from == u32::MAX {
                ready = ready.max(finish[p as usize]);
                from = p;
            }
        }
        let op = op_of(plan, x.roles, vi);
        let a2a = (op == Some(Op::AllToAll)).then(|| direction(x, vi));
        let part = Part::of(op.as_ref(), a2a, matches!(node.placement, Placement::Transfer { .. }));
        let mut reread_s = 0.0;
        let mut moved = w.bytes;
        let dur = if comm[vi] {
            // The group is every GPU the collective touches: its own and its neighbours'.
            if gpus.len() <= 1 {
                let nb = g.pred[vi].iter().chain(&g.succ[vi]).map(|&j| &plan.nodes[j as usize].placement);
                gpus = std::borrow::Cow::Owned(crate::model::union_gpus(nb.chain(std::iter::once(&node.placement))));
            }
            let bytes = if w.out_bytes > 0.0 {
                w.out_bytes
            } else {
                g.pred[vi].iter().map(|&p| work[p as usize].out_bytes).fold(0.0, f64::max)
            };
            let servers = servers_spanned(&gpus, c.gpus_per_server);
            // The inter-server step of a hierarchical exchange follows its intra-server steps.
            let inter_step = servers > 1
                && !g.pred[vi].is_empty()
                && g.pred[vi]
                    .iter()
                    .all(|&p| comm[p as usize] && op_of(plan, x.roles, p as usize) == Some(Op::AllToAll));
            moved = bytes;
            let call = CollectiveCall {
                n: gpus.len(),
                servers,
                elements: bytes / c.dtype_bytes.max(f64::MIN_POSITIVE),
                a2a: a2a.map(|d| (d, inter_step)),
                skew: a2a.map_or(1.0, |d| a2a_load::skew(x, &mut walks, vi, d, &gpus)),
            };
            collective_time(op.as_ref(), call, c)
        } else {
            let k = gpus.len().max(1) as f64;
            let t = crate::cost::roofline_time(c, w, 1.0 / k);
            let t_flops = crate::cost::compute_time(c, w, 1.0 / k);
            if t > t_flops && w.bytes > 0.0 {
                reread_s = t * (w.weight_bytes / w.bytes).min(1.0);
            }
            t
        };
        let (free, last) = if comm[vi] { (&mut mfree, &mut mlast) } else { (&mut cfree, &mut clast) };
        // The node's cells, found once for the two loops below.
        cell_runs.clear();
        cell_runs.extend(cells.runs_of(&gpus));
        for run in &cell_runs {
            for cell in run.clone() {
                if free[cell] > ready {
                    ready = free[cell];
                    from = last[cell];
                }
            }
        }
        let end = ready + dur;
        let busy = if comm[vi] { &mut mbusy } else { &mut cbusy };
        for run in &cell_runs {
            for cell in run.clone() {
                free[cell] = end;
                last[cell] = v;
                busy[cell] += dur;
                by_part[cell][part.index()] += dur;
                reread[cell] += reread_s;
            }
        }
        finish[vi] = end;
        why[vi] = from;
        spans.push(Span { node: v, start_s: ready, end_s: end, comm: comm[vi], flops: w.flops, bytes: moved });
    }
    let step = finish.iter().copied().fold(0.0, f64::max);
    // Each GPU used, with its cell.
    let used_ids: Vec<(u32, usize)> = used.iter().filter_map(|&x| Some((x, cells.cell(x)?))).collect();
    let compute = MinMeanMax::of(used_ids.iter().map(|&(_, x)| cbusy[x])).unwrap_or_default();
    let comm_s = MinMeanMax::of(used_ids.iter().map(|&(_, x)| mbusy[x])).unwrap_or_default();
    let busy_fraction = MinMeanMax::of(used_ids.iter().map(|&(_, x)| if step > 0.0 { cbusy[x] / step } else { 0.0 }))
        .unwrap_or_default();
    let busiest_gpu = used_ids.iter().copied().max_by(|&a, &b| cbusy[a.1].total_cmp(&cbusy[b.1])).map(|x| x.0);
    // Walk back from the last node to finish along whatever delayed each start.
    let mut path = Vec::new();
    if let Some(end) = (0..n).filter(|&i| done[i]).max_by(|&a, &b| finish[a].total_cmp(&finish[b])) {
        let mut v = end as u32;
        let mut guard = 0;
        while v != u32::MAX && guard <= n {
            path.push(v);
            v = why[v as usize];
            guard += 1;
        }
        path.reverse();
    }
    let per_layer = match busiest_gpu.and_then(|b| cells.cell(b).map(|cell| (b, cell))) {
        Some((b, cell)) => PerLayer::from_totals(&by_part[cell], reread[cell], layers_on(plan, x.roles, b)),
        None => PerLayer::default(),
    };
    let plan_flops: f64 = topo.iter().map(|&v| work[v as usize].flops).sum();
    let coverage = coverage(plan, x.roles, c, step, used.len(), plan_flops);
    let overlapped_step_time_s = x.overlap.then(|| overlap::two_batch(step, &per_layer));
    let training = c.training.filter(|t| t.micro_batches.is_some()).and_then(|t| {
        let loads = cell_loads(x, &cells, &cbusy, &mbusy);
        let replica = u32::try_from(used.len()).unwrap_or(u32::MAX) / c.dp.max(1);
        let tokens = training::Tokens {
            per_micro_batch: coverage.tokens_per_step,
            fraction: coverage.fraction,
            gpus: used.len(),
        };
        training::step(&loads, step, &t, c, replica.max(1), tokens)
    });
    let ids = |s: &[u32]| s.iter().map(|&i| plan.nodes[i as usize].id.clone()).collect::<Vec<_>>();
    let critical_path = if path.len() > 64 {
        let mut v = ids(&path[..32]);
        v.push("…".into());
        v.extend(ids(&path[path.len() - 32..]));
        v
    } else {
        ids(&path)
    };
    SimResult {
        step_time_s: step,
        busy_fraction,
        compute_s: compute,
        comm_s,
        balancedness: if compute.max > 0.0 { compute.mean / compute.max } else { 1.0 },
        busiest_gpu,
        critical_path,
        critical_path_nodes: path.len(),
        unscheduled_nodes: n - scheduled,
        per_layer,
        coverage: Coverage {
            tokens_per_s_per_gpu: match overlapped_step_time_s {
                Some(t) if t > 0.0 => coverage.tokens_per_s_per_gpu.map(|v| v * step / t),
                _ => coverage.tokens_per_s_per_gpu,
            },
            ..coverage
        },
        overlapped_step_time_s,
        training,
        per_gpu: used_ids
            .iter()
            .map(|&(gpu, x)| GpuTime {
                gpu,
                compute_s: cbusy[x],
                comm_s: mbusy[x],
                busy_fraction: if step > 0.0 { cbusy[x] / step } else { 0.0 },
            })
            .collect(),
        spans,
    }
}

/// Each GPU cell's forward busy seconds, pipeline stage and gradient and weight bytes, for
/// the training step. O(nodes + the cells they cover), as the memory table.
fn cell_loads(x: &SimInput<'_>, cells: &GpuCells, cbusy: &[f64], mbusy: &[f64]) -> Vec<training::CellLoad> {
    let mut loads: Vec<training::CellLoad> = cbusy
        .iter()
        .zip(mbusy)
        .map(|(&compute_s, &comm_s)| training::CellLoad { compute_s, comm_s, ..training::CellLoad::default() })
        .collect();
    // Cells no node is placed on (between the used GPUs) are no stage's.
    let mut placed = vec![false; loads.len()];
    for ((node, w), r) in x.plan.nodes.iter().zip(x.work).zip(x.roles) {
        let Placement::Gpus(s) = &node.placement else { continue };
        let k = s.len() as f64;
        let expert = r.op == Some(Op::Expert);
        for i in cells.of(s) {
            let Some(load) = loads.get_mut(i) else { continue };
            placed[i] = true;
            load.stage = load.stage.or(r.ranks.pp);
            let part = if expert { &mut load.expert } else { &mut load.dense };
            part.grads += w.grad_bytes / k;
            part.weights += w.weight_bytes / k;
        }
    }
    loads.into_iter().zip(placed).filter_map(|(l, p)| p.then_some(l)).collect()
}

fn op_of(plan: &Plan, roles: &[NodeRoles], i: usize) -> Option<Op> {
    let n = &plan.nodes[i];
    n.op.clone()
        .or_else(|| roles.get(i).and_then(|r| r.op.clone()))
        .or_else(|| Op::recognise(&n.id).filter(Op::is_collective))
}

/// Distinct layers among the nodes on GPU `gpu` (at least 1). O(n).
fn layers_on(plan: &Plan, roles: &[NodeRoles], gpu: u32) -> u32 {
    let seen: foldhash::HashSet<u32> = plan
        .nodes
        .iter()
        .zip(roles)
        .filter(|(n, _)| n.placement.gpu_set().contains(gpu))
        .filter_map(|(n, r)| n.layer.or(r.layer))
        .collect();
    (seen.len() as u32).max(1)
}

/// The fraction of the model's work the plan draws (its FLOPs over the whole model's for the
/// same tokens; else its layers over the model's), and its throughput per GPU scaled to the
/// whole model.
fn coverage(plan: &Plan, roles: &[NodeRoles], c: &Constants, step: f64, gpus: usize, plan_flops: f64) -> Coverage {
    // Counted in a set, not sorted: a million nodes' layers are a few dozen values.
    let seen: foldhash::HashSet<u32> = plan.nodes.iter().zip(roles).filter_map(|(n, r)| n.layer.or(r.layer)).collect();
    let plan_layers = (seen.len() as u32).max(1);
    let tokens_per_step = match (c.batch, c.seq) {
        (Some(b), _) if c.decode() => Some(b as f64),
        (Some(b), Some(s)) => Some(b as f64 * s as f64),
        _ => None,
    };
    let work = tokens_per_step
        .and_then(|t| crate::cost::model_flops(c, t))
        .filter(|&m| m > 0.0 && plan_flops > 0.0)
        .map(|m| plan_flops / m);
    // More work than the whole model (beyond rounding): said apart, and the layers measure
    // what the plan covers instead.
    let excess_work = work.filter(|&w| w > 1.0 + EXCESS_TOLERANCE);
    let by_work = work.filter(|_| excess_work.is_none()).map(|w| w.min(1.0));
    let by_layers = c.layers.filter(|&l| l > 0).map(|l| (f64::from(plan_layers) / f64::from(l)).min(1.0));
    let fraction = by_work.or(by_layers).or(excess_work.map(|_| 1.0));
    // A training step's backward pass is not simulated: a forward pass's rate is no
    // training throughput.
    let training = c.training.is_some();
    let tokens_per_s_per_gpu = match (tokens_per_step, fraction) {
        (Some(t), Some(f)) if step > 0.0 && gpus > 0 && !training => Some(t / (step / f) / gpus as f64),
        _ => None,
    };
    Coverage {
        plan_layers,
        model_layers: c.layers,
        fraction,
        excess_work,
        tokens_per_step,
        tokens_per_s_per_gpu,
        training,
    }
}

/// How far a plan's FLOPs may exceed the whole model's and still count as the whole model:
/// the model's count and the plan's nodes round differently (embeddings, norms).
const EXCESS_TOLERANCE: f64 = 0.05;
