//! Parallel strategy degrees: over how many GPUs a deployment splits experts (EP), tensors
//! (TP), layers (PP), replicas (DP) and the sequence (CP), and the refinements real
//! launch lines state: expert TP (ETP), virtual and uneven pipeline stages, attention DP
//! and redundant experts. Each refinement defaults to off, so a strategy named `EP64_TP2`
//! means what it always meant. The name notation lives in `strategy_name.rs`.

use super::ModelSpec;
use super::limits::{self, Limit, LimitError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::num::NonZeroU32;

/// The degrees of a deployment. Made through `new`, `with`, `parse` or serde, each degree
/// is within `limits::DEGREE`, stage layer counts within `limits::LAYERS`, redundant
/// experts within `limits::EXPERTS`, and EP·TP·PP·DP·CP within `limits::GPUS`, so any
/// product of degrees fits in 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Degrees")]
pub struct Strategy {
    pub ep: NonZeroU32,
    pub tp: NonZeroU32,
    pub pp: NonZeroU32,
    pub dp: NonZeroU32,
    /// Context parallel: each sequence split over CP GPUs (Megatron-LM
    /// `--context-parallel-size`, torchtitan `context_parallel_degree`). 1 = off.
    #[serde(skip_serializing_if = "is_one")]
    pub cp: NonZeroU32,
    /// Expert tensor parallel (Megatron-LM `--expert-tensor-parallel-size`, TP unless given;
    /// torchtitan `expert_tensor_parallel_degree`; what vLLM's, SGLang's and DeepSpeed's EP
    /// imply). `Some`: the experts share the attention's GPUs
    /// with this TP of their own, even when it equals TP (vLLM's `-tp 1 -dp 8 -ep` is ETP1 on
    /// TP1: 8 GPUs, not 64). `None`: planscope's convention, experts on EP·TP GPUs of their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etp: Option<NonZeroU32>,
    /// Virtual pipeline stages per pipeline rank (Megatron-LM's interleaved schedule). 1 = off.
    #[serde(skip_serializing_if = "is_one")]
    pub vpp: NonZeroU32,
    /// Uneven pipeline stages: the layers of the first and the last stage when given
    /// (Megatron-LM `--decoder-first-pipeline-num-layers` / `--decoder-last-pipeline-num-layers`).
    #[serde(skip_serializing_if = "StageLayers::is_even")]
    pub stages: StageLayers,
    /// Attention runs data-parallel across the TP GPUs (SGLang `--enable-dp-attention`):
    /// DP partitions the TP GPUs instead of adding replicas.
    #[serde(skip_serializing_if = "is_false")]
    pub dp_attention: bool,
    /// Extra expert replicas over the whole EP group for load balancing (SGLang
    /// `--ep-num-redundant-experts`, vLLM `num_redundant_experts`). 0 = none.
    #[serde(skip_serializing_if = "is_zero")]
    pub redundant_experts: u32,
}

/// The layers of the first and the last pipeline stage, when a launch line sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct StageLayers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<NonZeroU32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<NonZeroU32>,
}

impl StageLayers {
    pub fn is_even(&self) -> bool {
        self.first.is_none() && self.last.is_none()
    }
}

fn is_one(v: &NonZeroU32) -> bool {
    v.get() == 1
}
fn is_false(v: &bool) -> bool {
    !*v
}
fn is_zero(v: &u32) -> bool {
    *v == 0
}
fn one() -> u32 {
    1
}

/// The degrees as serialized, checked into a `Strategy` on the way in.
#[derive(Deserialize)]
struct Degrees {
    ep: u32,
    tp: u32,
    pp: u32,
    dp: u32,
    #[serde(default = "one")]
    cp: u32,
    #[serde(default)]
    etp: Option<u32>,
    #[serde(default = "one")]
    vpp: u32,
    #[serde(default)]
    stages: StagesIn,
    #[serde(default)]
    dp_attention: bool,
    #[serde(default)]
    redundant_experts: u32,
}

#[derive(Deserialize, Default)]
struct StagesIn {
    #[serde(default)]
    first: Option<u32>,
    #[serde(default)]
    last: Option<u32>,
}

impl TryFrom<Degrees> for Strategy {
    type Error = StrategyError;
    fn try_from(d: Degrees) -> Result<Strategy, StrategyError> {
        let extra = Extra {
            cp: d.cp,
            etp: d.etp,
            vpp: d.vpp,
            first_stage_layers: d.stages.first,
            last_stage_layers: d.stages.last,
            dp_attention: d.dp_attention,
            redundant_experts: d.redundant_experts,
        };
        Strategy::with(d.ep, d.tp, d.pp, d.dp, extra)
    }
}

/// The refinements beyond EP, TP, PP and DP, as plain numbers to be checked by
/// [`Strategy::with`]. The default is every refinement off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extra {
    pub cp: u32,
    pub etp: Option<u32>,
    pub vpp: u32,
    pub first_stage_layers: Option<u32>,
    pub last_stage_layers: Option<u32>,
    pub dp_attention: bool,
    pub redundant_experts: u32,
}

impl Default for Extra {
    fn default() -> Extra {
        Extra {
            cp: 1,
            etp: None,
            vpp: 1,
            first_stage_layers: None,
            last_stage_layers: None,
            dp_attention: false,
            redundant_experts: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyError(pub String);

impl From<LimitError> for StrategyError {
    fn from(e: LimitError) -> StrategyError {
        StrategyError(e.to_string())
    }
}

impl fmt::Display for StrategyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const ONE: NonZeroU32 = NonZeroU32::MIN;

impl Default for Strategy {
    fn default() -> Self {
        Strategy {
            ep: ONE,
            tp: ONE,
            pp: ONE,
            dp: ONE,
            cp: ONE,
            etp: None,
            vpp: ONE,
            stages: StageLayers::default(),
            dp_attention: false,
            redundant_experts: 0,
        }
    }
}

/// What `deploy` (and so the rewriter and the generator) cannot build yet: a strategy
/// using one of these is refused with a rule naming it, never built without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "feature", rename_all = "snake_case")]
pub enum Unbuilt {
    ContextParallel {
        cp: u32,
    },
    /// Folded experts whose EP·ETP ranks do not tile a stage's TP·DP GPUs in whole DP
    /// groups (`Strategy::expert_copies`).
    ExpertTensorParallel {
        etp: u32,
        group: u64,
        stage: u64,
    },
    VirtualPipeline {
        vpp: u32,
    },
    DpAttention {
        dp: u32,
        tp: u32,
    },
    RedundantExperts {
        redundant: u32,
    },
}

impl Unbuilt {
    /// What `deploy` builds, said after what it cannot (the generator's and the rewriter's
    /// refusals).
    pub const WHAT_IS_BUILT: &str =
        "it builds EP·TP·PP·DP deployments, and experts folded onto TP·DP (ETP) in whole DP groups";
}

impl fmt::Display for Unbuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Unbuilt::ContextParallel { cp } => write!(f, "context parallel CP{cp}"),
            Unbuilt::ExpertTensorParallel { etp, group, stage } => write!(
                f,
                "expert TP ETP{etp} with EP·ETP = {group} expert GPUs on a stage of TP·DP = {stage} (it builds them when EP·ETP divides the stage into whole DP groups)"
            ),
            Unbuilt::VirtualPipeline { vpp } => write!(f, "virtual pipeline stages VPP{vpp}"),
            Unbuilt::DpAttention { dp, tp } => write!(f, "DP-attention (DP{dp} inside TP{tp})"),
            Unbuilt::RedundantExperts { redundant } => write!(f, "{redundant} redundant experts"),
        }
    }
}

impl Strategy {
    /// The strategy of these degrees, every refinement off. See [`Strategy::with`]. O(1).
    pub fn new(ep: u32, tp: u32, pp: u32, dp: u32) -> Result<Strategy, StrategyError> {
        Strategy::with(ep, tp, pp, dp, Extra::default())
    }

    /// The strategy of these degrees and refinements: each degree at least 1 and within
    /// `limits::DEGREE`, stage layers at least 1 and within `limits::LAYERS`, redundant
    /// experts within `limits::EXPERTS`, EP·TP·PP·DP·CP within `limits::GPUS` (else the
    /// error names the limit). An ETP is kept as given, equal to TP or not. O(1).
    pub fn with(ep: u32, tp: u32, pp: u32, dp: u32, x: Extra) -> Result<Strategy, StrategyError> {
        let nz = |v: u32, d: Degree| {
            Limit::Degree(d).check(v as u64)?;
            NonZeroU32::new(v).ok_or_else(|| StrategyError(format!("{d} degree must be at least 1, got 0")))
        };
        let layers = |v: Option<u32>, which: &str| -> Result<Option<NonZeroU32>, StrategyError> {
            let Some(v) = v else { return Ok(None) };
            Limit::Layers.check(v as u64)?;
            NonZeroU32::new(v)
                .map(Some)
                .ok_or_else(|| StrategyError(format!("the {which} pipeline stage must hold at least 1 layer, got 0")))
        };
        let tp = nz(tp, Degree::Tp)?;
        let etp = match x.etp {
            Some(v) => Some(nz(v, Degree::Etp)?),
            None => None,
        };
        Limit::Experts.check(x.redundant_experts as u64)?;
        let s = Strategy {
            ep: nz(ep, Degree::Ep)?,
            tp,
            pp: nz(pp, Degree::Pp)?,
            dp: nz(dp, Degree::Dp)?,
            cp: nz(x.cp, Degree::Cp)?,
            etp,
            vpp: nz(x.vpp, Degree::Vpp)?,
            stages: StageLayers {
                first: layers(x.first_stage_layers, "first")?,
                last: layers(x.last_stage_layers, "last")?,
            },
            dp_attention: x.dp_attention,
            redundant_experts: x.redundant_experts,
        };
        let names = if s.cp.get() > 1 { "EP·TP·PP·DP·CP" } else { "EP·TP·PP·DP" };
        Limit::Gpus.check(s.product()).map_err(|e| StrategyError(format!("{names} = {e}")))?;
        Ok(s)
    }

    /// EP·TP·PP·DP·CP, the GPU count when every degree spans its own GPUs (planscope's
    /// convention; CP is 1 unless set). Saturates at `u64::MAX` (past every limit) for
    /// degrees set by hand beyond the limits.
    pub fn product(&self) -> u64 {
        limits::product([self.ep, self.tp, self.pp, self.dp, self.cp].map(|d| d.get() as u64))
    }

    /// The experts' TP: ETP when set, else TP.
    pub fn expert_tp(&self) -> NonZeroU32 {
        self.etp.unwrap_or(self.tp)
    }

    /// Whether the experts share the attention's GPUs, as the frameworks that state an
    /// expert TP run them: vLLM and SGLang (EP = TP·DP or TP, ETP = TP/EP-folded),
    /// Megatron-Core and DeepSpeed (ETP stated whenever EP > 1) and torchtitan. planscope's
    /// own names (`EP64_TP2`) give EP GPUs of their own.
    pub fn experts_folded(&self) -> bool {
        self.etp.is_some()
    }

    /// The attention's GPUs: TP·PP·DP·CP, or TP·PP·CP with DP attention, which runs DP
    /// inside the TP group (SGLang server_args.py, `_handle_data_parallelism`). With
    /// folded experts these are all the strategy's GPUs; a stage's share of them holds
    /// its EP·ETP expert ranks.
    pub fn attention_gpus(&self) -> u64 {
        let dp = if self.dp_attention { 1 } else { self.dp.get() as u64 };
        limits::product([self.tp.get() as u64, self.pp.get() as u64, dp, self.cp.get() as u64])
    }

    /// The attention's TP: TP, or TP/DP with DP attention, whose DP ranks partition the TP
    /// GPUs (SGLang `--enable-dp-attention`: `tp_size % dp_size == 0`; 1 when DP does not
    /// divide TP, a rule the launch reader reports).
    pub fn attention_tp(&self) -> u32 {
        let (tp, dp) = (self.tp.get(), self.dp.get());
        match self.dp_attention {
            true if tp.is_multiple_of(dp) => tp / dp,
            true => 1,
            false => tp,
        }
    }

    /// The GPUs the strategy spans: the attention's with folded experts
    /// ([`experts_folded`](Self::experts_folded)), else EP·TP·PP·DP·CP (planscope's
    /// convention, each degree on GPUs of its own; DP attention adds no GPUs).
    pub fn gpus(&self) -> u64 {
        match self.experts_folded() {
            true => self.attention_gpus(),
            false => self.attention_gpus().saturating_mul(self.ep.get() as u64),
        }
    }

    /// The GPUs of one expert group: EP ranks of the experts' TP each (EP·ETP).
    pub fn expert_group(&self) -> u64 {
        self.ep.get() as u64 * self.expert_tp().get() as u64
    }

    /// Whether a pipeline stage's attention GPUs (TP·DP·CP) split evenly into expert
    /// groups (EP·ETP): what folding the experts onto them takes (Megatron-Core
    /// parallel_state.py: world_size % (ETP × EP × PP) == 0).
    pub fn experts_fit_stage(&self) -> bool {
        let stage = self.attention_gpus() / self.pp.get() as u64;
        stage.is_multiple_of(self.expert_group())
    }

    /// How many copies of the expert group a stage holds when `deploy` can build them: its
    /// attention GPUs (TP·DP·CP) over EP·ETP, each copy serving whole DP groups. 1 when the
    /// expert ranks fill the stage, as vLLM's EP = TP·DP with ETP1 does; more with EP inside
    /// DP (Megatron-Core's expert data parallel: EP4_TP2_DP4_ETP1 holds two copies of the
    /// experts on its 8 GPUs, each serving two DP groups). `None` for experts not folded, an
    /// expert group that does not divide the stage, or copies that would split a DP group.
    pub fn expert_copies(&self) -> Option<u32> {
        if !self.experts_folded() || !self.experts_fit_stage() {
            return None;
        }
        let copies = self.attention_gpus() / self.pp.get() as u64 / self.expert_group();
        let copies = u32::try_from(copies).ok().filter(|&c| c >= 1)?;
        self.dp.get().is_multiple_of(copies).then_some(copies)
    }

    /// The expert group as its degrees read: `EP16×ETP1`, or `EP64×TP2` when the experts
    /// are split over TP.
    pub fn expert_group_name(&self) -> String {
        match self.etp {
            Some(etp) => format!("EP{}×ETP{etp}", self.ep),
            None => format!("EP{}×TP{}", self.ep, self.tp),
        }
    }

    /// The copies of the experts a deployment holds: one per DP replica by planscope's
    /// convention, one per copy of the expert group with folded experts (1 when it fills
    /// the stage, or cannot be built).
    pub fn expert_replicas(&self) -> u32 {
        match self.experts_folded() {
            true => self.expert_copies().unwrap_or(1),
            false => self.dp.get(),
        }
    }

    /// What of this strategy `deploy` cannot build (empty for EP·TP·PP·DP strategies).
    pub fn unbuilt(&self) -> Vec<Unbuilt> {
        let mut out = Vec::new();
        if self.cp.get() > 1 {
            out.push(Unbuilt::ContextParallel { cp: self.cp.get() });
        }
        if let Some(etp) = self.etp
            && self.expert_copies().is_none()
        {
            let stage = self.attention_gpus() / self.pp.get() as u64;
            out.push(Unbuilt::ExpertTensorParallel { etp: etp.get(), group: self.expert_group(), stage });
        }
        if self.vpp.get() > 1 {
            out.push(Unbuilt::VirtualPipeline { vpp: self.vpp.get() });
        }
        // DP attention is built with folded experts, DP dividing TP (SGLang's rule).
        if self.dp_attention && !(self.experts_folded() && self.tp.get().is_multiple_of(self.dp.get())) {
            out.push(Unbuilt::DpAttention { dp: self.dp.get(), tp: self.tp.get() });
        }
        if self.redundant_experts > 0 {
            out.push(Unbuilt::RedundantExperts { redundant: self.redundant_experts });
        }
        out
    }
}

impl Strategy {
    /// What TP and DP must divide, as Megatron-LM, torchtitan and DeepSpeed require: hidden
    /// size, attention heads and KV heads (or be divided by them) by TP; the batch by DP.
    /// One rule per break; the verifier and the rewriter both state them.
    /// The attention's TP is what splits hidden size and heads: TP/DP under DP attention
    /// (SGLang's `--tp 72 --dp 72 --enable-dp-attention` runs attention at TP1).
    pub fn shard_rules(&self, m: &ModelSpec) -> Vec<Uneven> {
        let (tp, dp) = (self.attention_tp(), self.dp.get());
        let mut rules = Vec::new();
        let mut check = |size: Size, value: Option<u64>, degree: Degree, by: u32, fits: fn(u64, u64) -> bool| {
            if let Some(v) = value
                && !fits(v, by as u64)
            {
                rules.push(Uneven { size, value: v, degree, by });
            }
        };
        check(Size::Hidden, m.hidden, Degree::Tp, tp, |v, d| v % d == 0);
        check(Size::Heads, m.heads.map(u64::from), Degree::Tp, tp, |v, d| v % d == 0);
        check(Size::KvHeads, m.kv_heads.map(u64::from), Degree::Tp, tp, |v, d| v % d == 0 || d % v == 0);
        check(Size::Batch, m.batch, Degree::Dp, dp, |v, d| v % d == 0);
        rules
    }
}

/// A parallel degree, as the rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Degree {
    Ep,
    Tp,
    Pp,
    Dp,
    Cp,
    Etp,
    Vpp,
}

impl fmt::Display for Degree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Degree::Ep => "EP",
            Degree::Tp => "TP",
            Degree::Pp => "PP",
            Degree::Dp => "DP",
            Degree::Cp => "CP",
            Degree::Etp => "ETP",
            Degree::Vpp => "VPP",
        })
    }
}

/// A model size a degree must split evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Size {
    Experts,
    Hidden,
    Heads,
    /// KV heads may also divide the degree (replicated KV heads).
    KvHeads,
    Batch,
}

/// A broken divisibility rule: `value` (a `size`) does not split over `degree` = `by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Uneven {
    pub size: Size,
    pub value: u64,
    pub degree: Degree,
    pub by: u32,
}

impl fmt::Display for Uneven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Uneven { size, value: v, degree: d, by } = *self;
        match size {
            Size::Experts => write!(f, "{v} experts are not divisible by {d}{by}"),
            Size::Hidden => write!(f, "hidden size {v} is not divisible by {d}{by}"),
            Size::Heads => write!(f, "{v} attention heads are not divisible by {d}{by}"),
            Size::KvHeads => write!(f, "{v} KV heads neither divide nor are divided by {d}{by}"),
            Size::Batch => write!(f, "batch {v} does not split evenly over {d}{by}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_rules_split_by_the_attentions_tp() {
        let m = ModelSpec { hidden: Some(7168), heads: Some(128), kv_heads: Some(128), ..ModelSpec::default() };
        let rules = |name: &str| Strategy::parse(name).unwrap().shard_rules(&m).len();
        // TP72 splits neither 7168 nor 128 heads; under DP attention each DP rank's
        // attention runs at TP1, and TP16 over DP2 at TP8.
        assert_eq!(rules("EP72_TP72_DP72"), 3);
        assert_eq!(rules("EP72_TP72_DP72_ETP1_DPATTN"), 0);
        assert_eq!(rules("EP8_TP16_DP2_ETP2_DPATTN"), 0);
    }
}
