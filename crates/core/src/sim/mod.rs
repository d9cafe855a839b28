//! A simulated step: list scheduling of the DAG in topological order on per-GPU compute
//! and communication streams. A compute node takes the roofline time
//! max(FLOPs/(peak·MFU), bytes/(mem_bw·util)) (Williams et al. 2009) on each of its GPUs;
//! a collective takes its alpha-beta time on the communication streams of its group.
//! O(n + e + r log r) in nodes, edges and placement ranges, plus the GPU cells each
//! node covers ([`GpuCells`]): a node on a wide GPU range costs one cell, not one per GPU.

pub mod time_window;
pub mod timeline;
pub mod trace;

use crate::cost::comm::{collective_time, crosses_servers};
use crate::cost::{Constants, NodeWork};
use crate::graph::Graph;
use crate::model::{GpuCells, GpuSet, Placement, Plan};
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
    /// Per GPU used, ascending.
    pub per_gpu: Vec<GpuTime>,
    /// When each scheduled node ran, for the timeline view. Left out of the JSON report:
    /// it has one entry per node.
    #[serde(skip)]
    pub spans: Vec<Span>,
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

#[allow(clippy::too_many_arguments)] // the verifier's shared state, passed apart so the simulator needs no Ctx
pub fn simulate(
    g: &Graph<'_>,
    plan: &Plan,
    used: &[u32],
    comm: &[bool],
    work: &[NodeWork],
    c: &Constants,
    topo: &[u32],
    gpus_total: Option<u32>,
) -> SimResult {
    let n = plan.nodes.len();
    // A declared GPU count is only trusted up to the largest id a plan may name, so a typo
    // such as 4294967295 GPUs cannot make the per-GPU tables exhaust memory.
    let declared = gpus_total.unwrap_or(0).min(crate::model::MAX_GPU_ID + 1);
    let max_gpu = used.last().map_or(0, |&g| g + 1).max(declared);
    let gcount = max_gpu as usize;
    // Per-GPU tables are kept per cell of GPUs placed alike: O(ranges) per node, not O(GPUs).
    let cells = GpuCells::new(plan.nodes.iter().map(|n| &n.placement), max_gpu);
    let ncells = cells.len();
    let peak = c.tflops.unwrap_or(0.0) * 1e12 * c.mfu;
    let membw = c.mem_bw_gbs.map(|b| b * 1e9 * c.bw_util);
    let (mut cfree, mut mfree) = (vec![0.0f64; ncells], vec![0.0f64; ncells]);
    let (mut clast, mut mlast) = (vec![u32::MAX; ncells], vec![u32::MAX; ncells]);
    let (mut cbusy, mut mbusy) = (vec![0.0f64; ncells], vec![0.0f64; ncells]);
    let mut finish = vec![0.0f64; n];
    let mut why = vec![u32::MAX; n];
    let mut scheduled = 0usize;
    let mut done = vec![false; n];
    let mut spans = Vec::with_capacity(topo.len());
    let all = if gcount > 0 { GpuSet::range(0, max_gpu - 1) } else { GpuSet::empty() };
    for &v in topo {
        let vi = v as usize;
        scheduled += 1;
        done[vi] = true;
        let node = &plan.nodes[vi];
        let w = &work[vi];
        let mut gpus = match &node.placement {
            Placement::All => all.clone(),
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
        let mut moved = w.bytes;
        let dur = if comm[vi] {
            // The group is every GPU the collective touches: its own and its neighbours'.
            if gpus.len() <= 1 {
                let nb = g.pred[vi].iter().chain(&g.succ[vi]).map(|&j| &plan.nodes[j as usize].placement);
                gpus = crate::model::union_gpus(nb.chain(std::iter::once(&node.placement)));
            }
            let bytes = if w.out_bytes > 0.0 {
                w.out_bytes
            } else {
                g.pred[vi].iter().map(|&p| work[p as usize].out_bytes).fold(0.0, f64::max)
            };
            moved = bytes;
            collective_time(op_of(plan, vi).as_ref(), gpus.len(), bytes, crosses_servers(&gpus, c.gpus_per_server), c)
        } else {
            let k = gpus.len().max(1) as f64;
            let t_c = if peak > 0.0 { w.flops / k / peak } else { 0.0 };
            let t_m = membw.map_or(0.0, |bw| w.bytes / k / bw);
            t_c.max(t_m)
        };
        let (free, last) = if comm[vi] { (&mut mfree, &mut mlast) } else { (&mut cfree, &mut clast) };
        for cell in cells.of(&gpus) {
            if free[cell] > ready {
                ready = free[cell];
                from = last[cell];
            }
        }
        let end = ready + dur;
        let busy = if comm[vi] { &mut mbusy } else { &mut cbusy };
        for cell in cells.of(&gpus) {
            free[cell] = end;
            last[cell] = v;
            busy[cell] += dur;
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

fn op_of(plan: &Plan, i: usize) -> Option<crate::model::Op> {
    let n = &plan.nodes[i];
    n.op.clone().or_else(|| crate::model::Op::recognise(&n.id).filter(crate::model::Op::is_collective))
}
