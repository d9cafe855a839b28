//! Where the step goes: each node's part of a layer (attention, gate, expert, ...), the
//! mean seconds per layer each part takes on the busiest GPU, the fraction of the model's
//! layers the plan covers, and throughput per GPU scaled to the whole model, so that a
//! one-layer plan and a sixteen-layer plan compare like with like.

use crate::cost::comm::Direction;
use crate::cost::is_shared_expert;
use crate::model::Op;
use serde::Serialize;

/// A node's part of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Attention,
    Gate,
    Expert,
    SharedExpert,
    DenseMlp,
    Dispatch,
    Combine,
    AllReduce,
    SendRecv,
    /// Anything else (norms, embedding, LM head, aggregation, other collectives).
    Other,
}

impl Part {
    pub const ALL: [Part; 10] = [
        Part::Attention,
        Part::Gate,
        Part::Expert,
        Part::SharedExpert,
        Part::DenseMlp,
        Part::Dispatch,
        Part::Combine,
        Part::AllReduce,
        Part::SendRecv,
        Part::Other,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The JSON key and the label both views print.
    pub fn name(self) -> &'static str {
        match self {
            Part::Attention => "attention",
            Part::Gate => "gate",
            Part::Expert => "expert",
            Part::SharedExpert => "shared_expert",
            Part::DenseMlp => "dense_mlp",
            Part::Dispatch => "dispatch",
            Part::Combine => "combine",
            Part::AllReduce => "all_reduce",
            Part::SendRecv => "send_recv",
            Part::Other => "other",
        }
    }

    pub fn is_comm(self) -> bool {
        matches!(self, Part::Dispatch | Part::Combine | Part::AllReduce | Part::SendRecv)
    }

    /// The part of a node with `op` (an all-to-all takes its direction).
    pub fn of(op: Option<&Op>, a2a: Option<Direction>, transfer: bool) -> Part {
        match op {
            Some(Op::Attention | Op::Projection) => Part::Attention,
            Some(Op::Gate | Op::Route) => Part::Gate,
            Some(Op::Expert) => Part::Expert,
            Some(Op::Mlp) => Part::DenseMlp,
            Some(Op::AllReduce) => Part::AllReduce,
            Some(Op::SendRecv) => Part::SendRecv,
            Some(Op::AllToAll) => match a2a {
                Some(Direction::Combine) => Part::Combine,
                _ => Part::Dispatch,
            },
            o if is_shared_expert(o) => Part::SharedExpert,
            _ if transfer => Part::SendRecv,
            _ => Part::Other,
        }
    }
}

/// Mean seconds per layer on the busiest GPU, per part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PerLayer {
    pub attention: f64,
    pub gate: f64,
    pub expert: f64,
    pub shared_expert: f64,
    pub dense_mlp: f64,
    pub dispatch: f64,
    pub combine: f64,
    pub all_reduce: f64,
    pub send_recv: f64,
    pub other: f64,
    /// Of the compute above, the seconds memory-bound nodes spend reading weights (a
    /// second micro-batch reads them again under two-batch overlap).
    pub weight_reads: f64,
    /// Layers the busiest GPU runs (the divisor).
    pub layers: u32,
}

impl PerLayer {
    /// From per-part seconds (indexed by `Part::index`) over `layers` layers.
    pub fn from_totals(totals: &[f64; 10], weight_reads: f64, layers: u32) -> PerLayer {
        let d = f64::from(layers.max(1));
        let v = |p: Part| totals[p.index()] / d;
        PerLayer {
            attention: v(Part::Attention),
            gate: v(Part::Gate),
            expert: v(Part::Expert),
            shared_expert: v(Part::SharedExpert),
            dense_mlp: v(Part::DenseMlp),
            dispatch: v(Part::Dispatch),
            combine: v(Part::Combine),
            all_reduce: v(Part::AllReduce),
            send_recv: v(Part::SendRecv),
            other: v(Part::Other),
            weight_reads: weight_reads / d,
            layers,
        }
    }

    /// Seconds of `part`.
    pub fn get(&self, part: Part) -> f64 {
        match part {
            Part::Attention => self.attention,
            Part::Gate => self.gate,
            Part::Expert => self.expert,
            Part::SharedExpert => self.shared_expert,
            Part::DenseMlp => self.dense_mlp,
            Part::Dispatch => self.dispatch,
            Part::Combine => self.combine,
            Part::AllReduce => self.all_reduce,
            Part::SendRecv => self.send_recv,
            Part::Other => self.other,
        }
    }

    /// (compute, communication) seconds per layer.
    pub fn split(&self) -> (f64, f64) {
        Part::ALL
            .iter()
            .fold((0.0, 0.0), |(c, m), &p| if p.is_comm() { (c, m + self.get(p)) } else { (c + self.get(p), m) })
    }
}

/// How much of the model the plan covers and what it serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Distinct layers the plan draws.
    pub plan_layers: u32,
    /// The model's layers, when the meta gives them.
    pub model_layers: Option<u32>,
    /// The fraction of the model's work the plan covers (at most 1): its FLOPs over the
    /// whole model's for the same tokens, else (and when its FLOPs exceed the model's)
    /// plan_layers / model_layers.
    pub fraction: Option<f64>,
    /// The plan's FLOPs over the whole model's for the same tokens, when over 1: the plan
    /// computes more than the model it declares (shapes larger than the model's, or work
    /// repeated), so its share of the work is no measure of what it covers.
    pub excess_work: Option<f64>,
    /// New tokens one step serves across the deployment (batch·seq in prefill, batch in decode).
    pub tokens_per_step: Option<f64>,
    /// Tokens per second per GPU used, for the whole model: tokens / (step / fraction) / GPUs.
    /// None in training, whose step here is the forward pass alone.
    pub tokens_per_s_per_gpu: Option<f64>,
    /// The step is a training micro-batch's forward pass (`phase: train`).
    pub training: bool,
}
