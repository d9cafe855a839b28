//! The simulated step as the page's per-GPU timeline (Gantt) draws it: which spans each
//! GPU row holds, which of them merge at a zoom level (so a 100k-node step still draws a
//! bounded number of shapes), and which span lies under a point in time.

use super::{SimResult, Span};
use crate::model::{GpuCells, GpuSet, Op, Placement, Plan};
use std::borrow::Cow;

/// A span as drawn: one node's run on one GPU row, or several merged at the current zoom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub start: f64,
    pub end: f64,
    pub comm: bool,
    /// The node that ran (the first one when merged).
    pub node: u32,
    /// How many spans this piece stands for.
    pub merged: u32,
}

/// The rows of the chart: every GPU used, ascending. GPUs that every placement covers
/// alike (a [`GpuCells`] cell) run the same spans, so they share one lane of pieces: a node
/// on 1,024 GPUs costs one piece, not 1,024, and the page only draws the rows in view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub gpus: Vec<u32>,
    /// Per row, the lane (index into `lanes`) holding its spans.
    pub lane_of: Vec<u32>,
    /// Distinct rows' spans, each sorted by start.
    pub lanes: Vec<Vec<Piece>>,
    pub step_s: f64,
}

/// What the page's timeline draws of one simulated plan: its rows, and each node's span
/// (by node index) for the selected slice's outline and details.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepRows {
    pub rows: Rows,
    pub spans: Vec<Option<Span>>,
}

impl StepRows {
    pub fn of(plan: &Plan, sim: &SimResult) -> StepRows {
        StepRows { rows: Rows::of(plan, sim), spans: span_of(sim, plan.nodes.len()) }
    }
}

/// Where a node ran: its span in the simulation, when it was scheduled.
pub fn span_of(sim: &SimResult, nodes: usize) -> Vec<Option<Span>> {
    let mut out = vec![None; nodes];
    for s in &sim.spans {
        if let Some(slot) = out.get_mut(s.node as usize) {
            *slot = Some(*s);
        }
    }
    out
}

/// The GPUs a node's span is drawn on: its placement (every GPU below `end` for `All`).
pub(crate) fn drawn_all(placement: &Placement, end: u32) -> Cow<'_, GpuSet> {
    match placement {
        Placement::All if end > 0 => Cow::Owned(GpuSet::range(0, end - 1)),
        Placement::All => Cow::Owned(GpuSet::empty()),
        p => p.gpu_set(),
    }
}

impl Rows {
    /// The rows of `sim`, a simulation of `plan`: a span shows on every GPU its node is
    /// placed on. O(spans · cells per placement + GPUs used).
    pub fn of(plan: &Plan, sim: &SimResult) -> Rows {
        let gpus: Vec<u32> = sim.per_gpu.iter().map(|g| g.gpu).collect();
        let end = gpus.last().map_or(0, |&g| g.saturating_add(1));
        let cells = GpuCells::new(plan.nodes.iter().map(|n| &n.placement), end);
        // Lanes only for cells that hold a GPU used.
        let mut lane_of_cell = vec![u32::MAX; cells.len()];
        let mut lanes: Vec<Vec<Piece>> = Vec::new();
        let mut lane_of = Vec::with_capacity(gpus.len());
        for &g in &gpus {
            let Some(c) = cells.cell(g) else { continue };
            if lane_of_cell[c] == u32::MAX {
                lane_of_cell[c] = lanes.len() as u32;
                lanes.push(Vec::new());
            }
            lane_of.push(lane_of_cell[c]);
        }
        for s in &sim.spans {
            let Some(node) = plan.nodes.get(s.node as usize) else { continue };
            let set = drawn_all(&node.placement, end);
            for c in cells.of(&set) {
                if let Some(lane) = lanes.get_mut(lane_of_cell[c] as usize) {
                    lane.push(Piece { start: s.start_s, end: s.end_s, comm: s.comm, node: s.node, merged: 1 });
                }
            }
        }
        for r in &mut lanes {
            crate::sort::sort_by(r, |a, b| a.start.total_cmp(&b.start));
        }
        Rows { gpus, lane_of, lanes, step_s: sim.step_time_s }
    }

    pub fn is_empty(&self) -> bool {
        self.gpus.is_empty() || self.step_s <= 0.0
    }

    /// The spans of row `r` (GPU `gpus[r]`), sorted by start.
    pub fn row(&self, r: usize) -> &[Piece] {
        self.lane_of.get(r).and_then(|&l| self.lanes.get(l as usize)).map_or(&[], |v| v.as_slice())
    }

    /// The row of `gpu`, if it was used.
    pub fn row_of(&self, gpu: u32) -> Option<usize> {
        self.gpus.binary_search(&gpu).ok()
    }
}

/// Compute and communication each as a share of the step, mean over the GPUs used: the
/// two streams overlap, so they are counted apart and never summed into one "busy".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamShares {
    pub compute: f64,
    pub comm: f64,
}

impl StreamShares {
    pub fn of(sim: &SimResult) -> StreamShares {
        let share = |s: f64| if sim.step_time_s > 0.0 { s / sim.step_time_s } else { 0.0 };
        StreamShares { compute: share(sim.compute_s.mean), comm: share(sim.comm_s.mean) }
    }
}

/// Which side of an expert a flow joins: the EP all-to-all that sends tokens to it, or
/// the one that brings its outputs back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Dispatch,
    Combine,
}

impl FlowKind {
    pub fn name(self) -> &'static str {
        match self {
            FlowKind::Dispatch => "dispatch",
            FlowKind::Combine => "combine",
        }
    }
}

/// One plan edge of an MoE layer's token flow, from the end of its source's span to the
/// start of its target's, each drawn on one GPU row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    pub kind: FlowKind,
    pub from: u32,
    pub to: u32,
    pub from_gpu: u32,
    pub to_gpu: u32,
    pub from_t: f64,
    pub to_t: f64,
}

fn op_is(plan: &Plan, i: usize, op: Op) -> bool {
    plan.nodes.get(i).is_some_and(|n| match &n.op {
        Some(o) => *o == op,
        None => Op::recognise(&n.id).or_else(|| n.label.as_deref().and_then(Op::recognise)) == Some(op),
    })
}

/// An EP all-to-all: named so, or a communication node that names no collective (the
/// corpus's `comm_1` between the router and the experts).
fn all_to_all(plan: &Plan, sim_comm: bool, i: usize) -> bool {
    op_is(plan, i, Op::AllToAll)
        || (sim_comm
            && plan
                .nodes
                .get(i)
                .is_some_and(|n| n.op.is_none() && Op::recognise(&n.id).is_none_or(|o| !o.is_collective())))
}

/// Nodes between an expert and its combine (a TP all-reduce of the expert's shards, a
/// residual): how far the search for the combine goes.
const COMBINE_HOPS: usize = 3;

/// The dispatch and combine flows, at most `cap`: an edge from an EP all-to-all into an
/// expert is a dispatch; from an expert, the first all-to-all downstream within
/// `COMBINE_HOPS` edges (past a TP all-reduce of its shards) is its combine. Both ends must
/// have run. Each end sits on the expert's first GPU when the all-to-all covers it (the
/// tokens stay on that GPU's row), else on the node's own first GPU.
pub fn flows(plan: &Plan, sim: &SimResult, cap: usize) -> Vec<Flow> {
    let spans = span_of(sim, plan.nodes.len());
    let g = crate::graph::Graph::build(plan);
    let ran = |i: usize| spans.get(i).copied().flatten();
    let a2a = |i: usize| ran(i).is_some_and(|s| all_to_all(plan, s.comm, i));
    let mut out = Vec::new();
    let push = |kind: FlowKind, a: usize, b: usize, out: &mut Vec<Flow>| {
        let (Some(sa), Some(sb)) = (ran(a), ran(b)) else { return };
        let (fa, fb) = (plan.nodes[a].placement.gpu_set(), plan.nodes[b].placement.gpu_set());
        let (Some(ga), Some(gb)) = (fa.first(), fb.first()) else { return };
        let (from_gpu, to_gpu) = match kind {
            FlowKind::Dispatch if fa.contains(gb) => (gb, gb),
            FlowKind::Combine if fb.contains(ga) => (ga, ga),
            _ => (ga, gb),
        };
        out.push(Flow { kind, from: a as u32, to: b as u32, from_gpu, to_gpu, from_t: sa.end_s, to_t: sb.start_s });
    };
    for e in 0..g.len() {
        if out.len() >= cap {
            break;
        }
        if !op_is(plan, e, Op::Expert) || ran(e).is_none() {
            continue;
        }
        for &d in &g.pred[e] {
            if a2a(d as usize) && out.len() < cap {
                push(FlowKind::Dispatch, d as usize, e, &mut out);
            }
        }
        // Breadth-first downstream, through non-expert nodes, to the first all-to-alls.
        let mut frontier: Vec<u32> = g.succ[e].to_vec();
        for _ in 0..COMBINE_HOPS {
            let found: Vec<u32> = frontier.iter().copied().filter(|&c| a2a(c as usize)).collect();
            if !found.is_empty() {
                for c in found {
                    if out.len() < cap {
                        push(FlowKind::Combine, e, c as usize, &mut out);
                    }
                }
                break;
            }
            let mut next: Vec<u32> = frontier
                .iter()
                .filter(|&&c| !op_is(plan, c as usize, Op::Expert))
                .flat_map(|&c| g.succ[c as usize].iter().copied())
                .take(64)
                .collect();
            crate::sort::unstable(&mut next);
            next.dedup();
            frontier = next;
        }
    }
    out
}

/// The pieces of `row` inside [t0, t1], where neighbours of the same kind closer than
/// `px` seconds (one pixel) merge while the merged piece stays shorter than four pixels.
pub fn visible(row: &[Piece], t0: f64, t1: f64, px: f64) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for p in row.iter().filter(|p| p.end >= t0 && p.start <= t1) {
        match out.last_mut() {
            Some(last) if last.comm == p.comm && p.start - last.end < px && (last.end - last.start) < px * 4.0 => {
                last.end = last.end.max(p.end);
                last.merged += 1;
            }
            _ => out.push(*p),
        }
    }
    out
}

/// The piece of `row` (sorted by start) under time `t`, or the nearest within `slack`.
/// Looks back over at most 64 pieces, so a hover stays cheap on a long row.
pub fn at(row: &[Piece], t: f64, slack: f64) -> Option<&Piece> {
    let i = row.partition_point(|p| p.start <= t + slack);
    row[..i].iter().rev().take(64).find(|p| p.end + slack >= t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GpuSet, Placement};
    use crate::sim::{GpuTime, Span};
    use crate::stats::MinMeanMax;

    fn piece(start: f64, end: f64, comm: bool) -> Piece {
        Piece { start, end, comm, node: 0, merged: 1 }
    }

    fn span(node: u32, start_s: f64, end_s: f64, comm: bool) -> Span {
        Span { node, start_s, end_s, comm, flops: 0.0, bytes: 0.0 }
    }

    fn sim(gpus: &[u32], spans: Vec<Span>) -> SimResult {
        let zero = MinMeanMax { min: 0.0, mean: 0.0, max: 0.0 };
        SimResult {
            step_time_s: 3.0,
            busy_fraction: zero,
            compute_s: zero,
            comm_s: zero,
            balancedness: 1.0,
            busiest_gpu: None,
            critical_path: Vec::new(),
            critical_path_nodes: 0,
            unscheduled_nodes: 0,
            per_layer: crate::sim::PerLayer::default(),
            coverage: crate::sim::Coverage::default(),
            overlapped_step_time_s: None,
            training: None,
            per_gpu: gpus.iter().map(|&gpu| GpuTime { gpu, compute_s: 0.0, comm_s: 0.0, busy_fraction: 0.0 }).collect(),
            spans,
        }
    }

    use crate::model::fixture::placed as plan;

    #[test]
    fn a_span_shows_on_every_gpu_of_its_node_sorted_by_start() {
        let p = plan(vec![Placement::Gpus(GpuSet::range(0, 1)), Placement::Gpus(GpuSet::single(1))]);
        let spans = vec![span(1, 2.0, 3.0, true), span(0, 0.0, 1.0, false)];
        let r = Rows::of(&p, &sim(&[0, 1], spans));
        assert_eq!(r.gpus, [0, 1]);
        assert_eq!(r.row(0).iter().map(|p| p.node).collect::<Vec<_>>(), [0]);
        assert_eq!(r.row(1).iter().map(|p| p.node).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(r.step_s, 3.0);
        assert!(!r.is_empty());
        assert_eq!((r.row_of(1), r.row_of(5)), (Some(1), None));
        assert!(r.row(2).is_empty());
    }

    #[test]
    fn every_gpu_has_a_row_and_gpus_placed_alike_share_one_lane() {
        // 4,096 GPUs under one node: every GPU is a row, and all share one lane of spans.
        let gpus: Vec<u32> = (0..4096).collect();
        let p = plan(vec![Placement::Gpus(GpuSet::range(0, 4095)), Placement::Gpus(GpuSet::single(4000))]);
        let r = Rows::of(&p, &sim(&gpus, vec![span(0, 0.0, 1.0, false), span(1, 1.0, 2.0, true)]));
        assert_eq!(r.gpus.len(), 4096);
        assert_eq!(r.lanes.len(), 3, "0-3999, 4000, 4001-4095");
        assert_eq!(r.row(4095).len(), 1);
        assert_eq!(r.row(4000).len(), 2);
    }

    #[test]
    fn compute_and_communication_are_shares_of_the_step_apart() {
        let mut s = sim(&[0], Vec::new());
        s.compute_s = MinMeanMax { min: 0.1, mean: 0.21, max: 0.3 };
        s.comm_s = MinMeanMax { min: 2.0, mean: 2.7, max: 2.9 };
        let sh = StreamShares::of(&s);
        assert!((sh.compute - 0.07).abs() < 1e-12 && (sh.comm - 0.9).abs() < 1e-12);
        s.step_time_s = 0.0;
        assert_eq!(StreamShares::of(&s), StreamShares { compute: 0.0, comm: 0.0 });
    }

    #[test]
    fn dispatch_and_combine_flows_join_the_all_to_alls_and_the_experts() {
        let mut p = plan(vec![
            Placement::Gpus(GpuSet::range(0, 3)),
            Placement::gpu(2),
            Placement::Gpus(GpuSet::range(0, 3)),
            Placement::gpu(1),
        ]);
        p.nodes[1].id = "expert_2".into();
        p.nodes[3].id = "expert_1".into();
        for (a, b) in [(0, 1), (1, 2), (0, 3), (3, 2)] {
            p.edges.push(crate::model::Edge::data(p.nodes[a].id.clone(), p.nodes[b].id.clone()));
        }
        let spans =
            vec![span(0, 0.0, 1.0, true), span(1, 1.0, 2.0, false), span(3, 1.0, 1.5, false), span(2, 2.0, 3.0, true)];
        let f = flows(&p, &sim(&[0, 1, 2, 3], spans), 10);
        let kinds: Vec<(FlowKind, u32, u32, u32)> = f.iter().map(|f| (f.kind, f.from, f.to, f.to_gpu)).collect();
        assert_eq!(
            kinds,
            [
                (FlowKind::Dispatch, 0, 1, 2),
                (FlowKind::Combine, 1, 2, 2),
                (FlowKind::Dispatch, 0, 3, 1),
                (FlowKind::Combine, 3, 2, 1)
            ]
        );
        // Past a TP all-reduce of the expert's shards, the next all-to-all is its combine.
        let mut q = plan(vec![
            Placement::Gpus(GpuSet::range(0, 3)),
            Placement::gpu(2),
            Placement::Gpus(GpuSet::range(2, 3)),
            Placement::Gpus(GpuSet::range(0, 3)),
        ]);
        let ids = ["a2a_dispatch", "expert_2", "tp_allreduce", "a2a_combine"];
        for (n, id) in q.nodes.iter_mut().zip(ids) {
            n.id = id.into();
        }
        for w in ids.windows(2) {
            q.edges.push(crate::model::Edge::data(w[0], w[1]));
        }
        let spans =
            vec![span(0, 0.0, 1.0, true), span(1, 1.0, 2.0, false), span(2, 2.0, 2.5, true), span(3, 2.5, 3.0, true)];
        let f = flows(&q, &sim(&[0, 1, 2, 3], spans), 10);
        let kinds: Vec<(FlowKind, u32, u32)> = f.iter().map(|f| (f.kind, f.from, f.to)).collect();
        assert_eq!(kinds, [(FlowKind::Dispatch, 0, 1), (FlowKind::Combine, 1, 3)]);
        assert_eq!((f[0].from_t, f[0].to_t), (1.0, 1.0));
        assert_eq!(flows(&p, &sim(&[0, 1, 2, 3], Vec::new()), 10), []);
        assert_eq!(flows(&p, &sim(&[0], f.iter().map(|_| span(0, 0.0, 1.0, true)).collect()), 1).len(), 0);
    }

    #[test]
    fn spans_of_unknown_nodes_or_unused_gpus_are_left_out() {
        let p = plan(vec![Placement::Host, Placement::Gpus(GpuSet::single(7))]);
        let spans = vec![span(0, 0.0, 1.0, false), span(1, 0.0, 1.0, false), span(9, 0.0, 1.0, false)];
        let r = Rows::of(&p, &sim(&[0], spans));
        assert_eq!(r.lanes, vec![Vec::<Piece>::new()]);
    }

    #[test]
    fn no_simulated_gpus_or_no_time_is_empty() {
        assert!(Rows::default().is_empty());
        let mut s = sim(&[0], Vec::new());
        s.step_time_s = 0.0;
        assert!(Rows::of(&plan(Vec::new()), &s).is_empty());
    }

    #[test]
    fn neighbours_closer_than_a_pixel_merge_by_kind() {
        let row = [piece(0.0, 1.0, false), piece(1.05, 2.0, false), piece(2.05, 3.0, true), piece(9.0, 10.0, false)];
        let v = visible(&row, 0.0, 5.0, 0.5);
        assert_eq!(v.len(), 2, "the far piece is outside the window");
        assert_eq!((v[0].start, v[0].end, v[0].merged), (0.0, 2.0, 2));
        assert!(v[1].comm);
    }

    #[test]
    fn a_merged_piece_stops_growing_at_four_pixels() {
        let row: Vec<Piece> = (0..10).map(|i| piece(i as f64, i as f64 + 1.0, false)).collect();
        let v = visible(&row, 0.0, 10.0, 1.5);
        assert!(v.len() > 1);
        assert_eq!(v.iter().map(|p| p.merged).sum::<u32>(), 10);
    }

    #[test]
    fn the_piece_under_a_time_or_within_slack() {
        let row = [piece(0.0, 1.0, false), piece(2.0, 3.0, false)];
        assert_eq!(at(&row, 2.5, 0.0).map(|p| p.start), Some(2.0));
        assert_eq!(at(&row, 1.05, 0.1).map(|p| p.start), Some(0.0));
        assert_eq!(at(&row, 1.5, 0.1), None);
        assert_eq!(at(&[], 1.0, 1.0), None);
    }
}
