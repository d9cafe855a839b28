//! The simulated step as the page's per-GPU timeline (Gantt) draws it: which spans each
//! GPU row holds, which of them merge at a zoom level (so a 100k-node step still draws a
//! bounded number of shapes), and which span lies under a point in time.

use super::SimResult;
use crate::model::Plan;

/// At most this many GPU rows are drawn; the rest are counted, not drawn.
pub const MAX_ROWS: usize = 64;

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

/// The rows of the chart: GPUs used, ascending (at most `MAX_ROWS`), each with its spans
/// sorted by start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub gpus: Vec<u32>,
    pub pieces: Vec<Vec<Piece>>,
    pub step_s: f64,
    /// GPUs used that are not drawn.
    pub hidden: usize,
}

impl Rows {
    /// The rows of `sim`, a simulation of `plan`: a span shows on every drawn GPU its node
    /// is placed on.
    pub fn of(plan: &Plan, sim: &SimResult) -> Rows {
        let gpus: Vec<u32> = sim.per_gpu.iter().map(|g| g.gpu).take(MAX_ROWS).collect();
        let mut pieces = vec![Vec::new(); gpus.len()];
        for s in &sim.spans {
            let Some(node) = plan.nodes.get(s.node as usize) else { continue };
            for (lo, hi) in node.placement.gpu_set().ranges().iter().copied() {
                let from = gpus.partition_point(|&g| g < lo);
                let to = gpus.partition_point(|&g| g <= hi);
                for row in pieces.iter_mut().take(to).skip(from) {
                    row.push(Piece { start: s.start_s, end: s.end_s, comm: s.comm, node: s.node, merged: 1 });
                }
            }
        }
        for r in &mut pieces {
            r.sort_by(|a, b| a.start.total_cmp(&b.start));
        }
        let hidden = sim.per_gpu.len().saturating_sub(gpus.len());
        Rows { gpus, pieces, step_s: sim.step_time_s, hidden }
    }

    pub fn is_empty(&self) -> bool {
        self.gpus.is_empty() || self.step_s <= 0.0
    }
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
            per_gpu: gpus.iter().map(|&gpu| GpuTime { gpu, compute_s: 0.0, comm_s: 0.0, busy_fraction: 0.0 }).collect(),
            spans,
        }
    }

    use crate::model::fixture::placed as plan;

    #[test]
    fn a_span_shows_on_every_gpu_of_its_node_sorted_by_start() {
        let p = plan(vec![Placement::Gpus(GpuSet::range(0, 1)), Placement::Gpus(GpuSet::single(1))]);
        let spans = vec![
            Span { node: 1, start_s: 2.0, end_s: 3.0, comm: true },
            Span { node: 0, start_s: 0.0, end_s: 1.0, comm: false },
        ];
        let r = Rows::of(&p, &sim(&[0, 1], spans));
        assert_eq!(r.gpus, [0, 1]);
        assert_eq!(r.pieces[0].iter().map(|p| p.node).collect::<Vec<_>>(), [0]);
        assert_eq!(r.pieces[1].iter().map(|p| p.node).collect::<Vec<_>>(), [0, 1]);
        assert_eq!((r.step_s, r.hidden), (3.0, 0));
        assert!(!r.is_empty());
    }

    #[test]
    fn rows_stop_at_the_cap_and_count_the_rest() {
        let gpus: Vec<u32> = (0..MAX_ROWS as u32 + 5).collect();
        let p = plan(vec![Placement::Gpus(GpuSet::range(0, MAX_ROWS as u32 + 4))]);
        let r = Rows::of(&p, &sim(&gpus, vec![Span { node: 0, start_s: 0.0, end_s: 1.0, comm: false }]));
        assert_eq!((r.gpus.len(), r.pieces.len(), r.hidden), (MAX_ROWS, MAX_ROWS, 5));
        assert!(r.pieces.iter().all(|row| row.len() == 1));
    }

    #[test]
    fn spans_of_unknown_nodes_or_unused_gpus_are_left_out() {
        let p = plan(vec![Placement::Host, Placement::Gpus(GpuSet::single(7))]);
        let spans = vec![
            Span { node: 0, start_s: 0.0, end_s: 1.0, comm: false },
            Span { node: 1, start_s: 0.0, end_s: 1.0, comm: false },
            Span { node: 9, start_s: 0.0, end_s: 1.0, comm: false },
        ];
        let r = Rows::of(&p, &sim(&[0], spans));
        assert_eq!(r.pieces, vec![Vec::<Piece>::new()]);
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
