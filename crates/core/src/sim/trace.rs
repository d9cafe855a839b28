//! The simulated step as a Chrome trace (the Trace Event Format that Perfetto and
//! chrome://tracing open): per side and GPU a process, with a compute and a communication
//! thread; each node's run a complete event (`ph: "X"`) on every GPU it ran on; the
//! dispatch → expert → combine token flow as flow events (`ph: "s"`/`"f"`).
//!
//! Format: "Trace Event Format", Google, docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
//! (timestamps and durations in microseconds; metadata events `process_name`,
//! `thread_name`, `process_sort_index`; flow events bind to their enclosing slices with
//! `bp: "e"`). Typed until rendered: [`build`] gives a [`Trace`], [`Trace::to_json`] writes it.
//! Bounded by `limits::TRACE_EVENTS`; what is left out is counted in `otherData`.

use super::SimResult;
use super::timeline::{drawn_all, flows};
use crate::limits::TRACE_EVENTS;
use crate::model::Plan;
use serde::Serialize;

/// One side of the workspace to trace: its name ("before", "after"), plan and simulation.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub name: &'a str,
    pub plan: &'a Plan,
    pub sim: &'a SimResult,
}

/// The stream a slice ran on: its thread id within its GPU's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "u32")]
pub enum Stream {
    Compute,
    Comm,
}

impl From<Stream> for u32 {
    fn from(s: Stream) -> u32 {
        match s {
            Stream::Compute => 1,
            Stream::Comm => 2,
        }
    }
}

impl Stream {
    fn of(comm: bool) -> Stream {
        if comm { Stream::Comm } else { Stream::Compute }
    }

    fn name(self) -> &'static str {
        match self {
            Stream::Compute => "compute",
            Stream::Comm => "communication",
        }
    }
}

/// What the details pane of a slice shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceArgs<'a> {
    pub node: &'a str,
    pub op: &'a str,
    pub gpu: u32,
    pub flops: f64,
    pub bytes: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaArgs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_index: Option<u32>,
}

/// One trace event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "ph")]
pub enum Event<'a> {
    /// A complete event: a node's run on one GPU's stream.
    #[serde(rename = "X")]
    Complete { name: &'a str, cat: &'static str, pid: u32, tid: Stream, ts: f64, dur: f64, args: SliceArgs<'a> },
    /// `process_name`, `process_sort_index` or `thread_name`.
    #[serde(rename = "M")]
    Metadata {
        name: &'static str,
        pid: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        tid: Option<Stream>,
        args: MetaArgs,
    },
    /// A flow's start, inside its source slice.
    #[serde(rename = "s")]
    FlowStart { name: &'static str, cat: &'static str, id: u64, pid: u32, tid: Stream, ts: f64 },
    /// A flow's end, bound to the slice enclosing it (`bp: "e"`).
    #[serde(rename = "f")]
    FlowEnd { name: &'static str, cat: &'static str, id: u64, pid: u32, tid: Stream, ts: f64, bp: &'static str },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Other {
    pub generator: &'static str,
    /// Slices and flows left out past `limits::TRACE_EVENTS`.
    pub dropped_events: u64,
}

/// A whole trace: the JSON object format of the Trace Event Format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace<'a> {
    #[serde(rename = "traceEvents")]
    pub events: Vec<Event<'a>>,
    #[serde(rename = "displayTimeUnit")]
    pub display_time_unit: &'static str,
    #[serde(rename = "otherData")]
    pub other: Other,
}

impl Trace<'_> {
    pub fn to_json(&self) -> String {
        // A trace is plain data (no maps with non-string keys, finite numbers clamped
        // below), so serialising cannot fail; an empty object is the safe fallback.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Sides get disjoint process ids: GPU ids stay below 2²⁰ (`limits::GPUS`).
fn pid(side: usize, gpu: u32) -> u32 {
    (side as u32) * (crate::limits::GPUS + 1) + gpu + 1
}

const US: f64 = 1e6;

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// The trace of every side, at most `limits::TRACE_EVENTS` slices and flows.
pub fn build<'a>(sides: &[Side<'a>]) -> Trace<'a> {
    build_capped(sides, TRACE_EVENTS)
}

fn build_capped<'a>(sides: &[Side<'a>], cap: usize) -> Trace<'a> {
    let mut events = Vec::new();
    let mut budget = cap;
    let mut dropped = 0u64;
    let mut next_flow = 0u64;
    for (si, side) in sides.iter().enumerate() {
        let gpus: Vec<u32> = side.sim.per_gpu.iter().map(|g| g.gpu).collect();
        // Names: a process per GPU (sorted by side, then GPU), two threads each. The
        // metadata is one event per GPU and bounded by the GPUs used, not by the cap.
        for &g in &gpus {
            let p = pid(si, g);
            let meta =
                |name: &'static str, tid: Option<Stream>, args: MetaArgs| Event::Metadata { name, pid: p, tid, args };
            events.push(meta(
                "process_name",
                None,
                MetaArgs { name: Some(format!("{} · GPU {g}", side.name)), sort_index: None },
            ));
            events.push(meta("process_sort_index", None, MetaArgs { name: None, sort_index: Some(p) }));
            for s in [Stream::Compute, Stream::Comm] {
                events.push(meta("thread_name", Some(s), MetaArgs { name: Some(s.name().into()), sort_index: None }));
            }
        }
        let plan = side.plan;
        let end = gpus.last().map_or(0, |&g| g.saturating_add(1));
        for s in &side.sim.spans {
            let Some(node) = plan.nodes.get(s.node as usize) else { continue };
            let set = drawn_all(&node.placement, end);
            for &(a, b) in set.ranges() {
                let (from, to) = (gpus.partition_point(|&g| g < a), gpus.partition_point(|&g| g <= b));
                let want = to.saturating_sub(from);
                let take = want.min(budget);
                dropped += (want - take) as u64;
                budget -= take;
                for &g in &gpus[from..from + take] {
                    events.push(Event::Complete {
                        name: node.label.as_deref().unwrap_or(&node.id),
                        cat: Stream::of(s.comm).name(),
                        pid: pid(si, g),
                        tid: Stream::of(s.comm),
                        ts: finite(s.start_s * US),
                        dur: finite((s.end_s - s.start_s) * US),
                        args: SliceArgs {
                            node: &node.id,
                            op: node.op.as_ref().map_or_else(|| node.kind.as_str(), |o| o.name()),
                            gpu: g,
                            flops: finite(s.flops),
                            bytes: finite(s.bytes),
                        },
                    });
                }
            }
        }
        let spans = super::timeline::span_of(side.sim, plan.nodes.len());
        for f in flows(plan, side.sim, budget / 2) {
            let (Some(sa), Some(sb)) = (spans[f.from as usize], spans[f.to as usize]) else { continue };
            // Each end sits mid-slice so that it binds to that slice (and not a neighbour
            // that ends or starts at the same instant).
            let mid = |s: super::Span| finite((s.start_s + s.end_s) / 2.0 * US);
            events.push(Event::FlowStart {
                name: f.kind.name(),
                cat: "flow",
                id: next_flow,
                pid: pid(si, f.from_gpu),
                tid: Stream::of(sa.comm),
                ts: mid(sa),
            });
            events.push(Event::FlowEnd {
                name: f.kind.name(),
                cat: "flow",
                id: next_flow,
                pid: pid(si, f.to_gpu),
                tid: Stream::of(sb.comm),
                ts: mid(sb),
                bp: "e",
            });
            next_flow += 1;
            budget = budget.saturating_sub(2);
        }
    }
    Trace {
        events,
        display_time_unit: "ns",
        other: Other { generator: concat!("planscope ", env!("CARGO_PKG_VERSION")), dropped_events: dropped },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    fn sides() -> (crate::analysis::Analysis, crate::analysis::After) {
        let before = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let after = after_side(&before, before.strategy.unwrap(), &Request::default()).unwrap();
        (before, after)
    }

    #[test]
    fn one_process_per_gpu_and_side_with_a_compute_and_a_comm_thread() {
        let (b, a) = sides();
        let (bs, as_) =
            (b.report.metrics.simulation.as_ref().unwrap(), a.analysis.report.metrics.simulation.as_ref().unwrap());
        let t = build(&[
            Side { name: "before", plan: &b.plan, sim: bs },
            Side { name: "after", plan: &a.analysis.plan, sim: as_ },
        ]);
        let json: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        let ev = json["traceEvents"].as_array().unwrap();
        let names: Vec<&str> = ev
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.iter().filter(|n| n.starts_with("before · GPU")).count(), bs.per_gpu.len());
        assert_eq!(names.iter().filter(|n| n.starts_with("after · GPU")).count(), 128);
        let threads = ev.iter().filter(|e| e["ph"] == "M" && e["name"] == "thread_name").count();
        assert_eq!(threads, 2 * (bs.per_gpu.len() + 128));
        // Every simulated node shows up as a complete event with its id, on its side.
        let x: Vec<&serde_json::Value> = ev.iter().filter(|e| e["ph"] == "X").collect();
        let ids: BTreeSet<&str> = x.iter().map(|e| e["args"]["node"].as_str().unwrap()).collect();
        // (Host-side inputs and outputs run on no GPU.)
        let placed = as_
            .spans
            .iter()
            .map(|s| &a.analysis.plan.nodes[s.node as usize])
            .filter(|n| !n.placement.gpu_set().is_empty());
        let mut n = 0;
        for node in placed {
            assert!(ids.contains(node.id.as_str()), "{}", node.id);
            n += 1;
        }
        assert!(n > 128);
        assert!(x.iter().all(|e| e["dur"].as_f64().unwrap() >= 0.0 && e["ts"].as_f64().unwrap() >= 0.0));
        let pids: BTreeSet<u64> = x.iter().map(|e| e["pid"].as_u64().unwrap()).collect();
        assert_eq!(pids.len(), bs.per_gpu.len() + 128);
        // Slices on one GPU's stream never overlap, so Perfetto nests nothing wrongly.
        let mut by: std::collections::BTreeMap<(u64, u64), Vec<(f64, f64)>> = Default::default();
        for e in &x {
            let ts = e["ts"].as_f64().unwrap();
            by.entry((e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
                .or_default()
                .push((ts, ts + e["dur"].as_f64().unwrap()));
        }
        for v in by.values_mut() {
            v.sort_by(|p, q| p.0.total_cmp(&q.0));
            assert!(v.windows(2).all(|w| w[1].0 >= w[0].1 - 1e-6));
        }
        // Dispatch and combine flows: starts and ends paired by id.
        let starts = ev.iter().filter(|e| e["ph"] == "s").count();
        let ends: Vec<_> = ev.iter().filter(|e| e["ph"] == "f").collect();
        assert!(starts > 0 && starts == ends.len());
        assert!(ends.iter().all(|e| e["bp"] == "e"));
        assert!(ev.iter().any(|e| e["ph"] == "s" && e["name"] == "dispatch"));
        assert!(ev.iter().any(|e| e["ph"] == "s" && e["name"] == "combine"));
        assert_eq!(json["otherData"]["dropped_events"], 0);
    }

    #[test]
    fn past_the_cap_events_are_counted_not_written() {
        let (_, a) = sides();
        let sim = a.analysis.report.metrics.simulation.as_ref().unwrap();
        let side = Side { name: "after", plan: &a.analysis.plan, sim };
        let full = build(&[side]);
        let all = full.events.iter().filter(|e| matches!(e, Event::Complete { .. })).count();
        let t = build_capped(&[side], 10);
        let kept = t.events.iter().filter(|e| matches!(e, Event::Complete { .. })).count();
        assert_eq!(kept, 10);
        assert_eq!(t.other.dropped_events, (all - 10) as u64);
    }
}
