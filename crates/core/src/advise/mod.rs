//! The strategy advisor: every (EP, TP, PP, DP) whose product is the GPU count and that
//! the rewriter accepts, rewritten and simulated, ranked by step time among those that
//! fit in memory (a training run's by memory left: its step is the forward pass alone). Returns the best five with why each ranks where it does. When the
//! conditions or the plan hold the experts on the attention's GPUs (a vLLM, SGLang or
//! Megatron-LM launch), the candidates are that family's too: TP·PP·DP = the GPU count,
//! with EP = TP·DP of whole experts (vLLM's and SGLang's EP) or EP = DP over TP-split ones
//! (Megatron-Core's EP inside DP), and with DP attention (SGLang) TP·PP = the GPUs, DP
//! dividing TP and EP = TP, so the advice is one the framework can run.

use crate::check::{VerifyOptions, verify};
use crate::cost::Counted;
use crate::limits::Capacity;
use crate::model::{Extra, Meta, Phase, Plan, Strategy};
use crate::rewrite::{BrokenRule, Goal, RewriteError, Target, rewrite, short_name};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub strategy: Strategy,
    /// Simulated step time, seconds (None when the cost model lacks constants).
    pub step_time_s: Option<f64>,
    /// Highest per-GPU memory use, percent of capacity (None when capacity is unknown).
    pub peak_memory_percent: Option<f64>,
    /// What the peak memory counts: the weights alone when no batch is given (a lower
    /// bound: activations and KV cache come on top). None with no memory figures.
    pub memory_counted: Option<Counted>,
    pub fits: bool,
    /// The step is a training micro-batch's forward pass (`phase: train`): without the
    /// backward pass and the pipeline schedule it says nothing of the throughput, so it
    /// does not rank ([`RankedBy::TrainingMemory`]).
    pub training: bool,
    pub reason: String,
}

impl Suggestion {
    /// What its step time times: a step, or in training the forward pass alone.
    pub fn step_words(&self) -> &'static str {
        if self.training { "forward pass" } else { "step" }
    }
}

/// What the ranking of fitting candidates went by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankedBy {
    /// The simulated step time, fastest first.
    StepTime,
    /// No candidate has a step time (no batch and no tensor shapes, or no TFLOPS): the
    /// most memory left per GPU first, the room a batch's KV cache and activations take.
    MemoryHeadroom,
    /// Training: the most memory left per GPU first, as the forward pass simulated is no
    /// measure of a training step, nor is the training step built on it (`sim::training`)
    /// one to rank by: it orders Megatron-Core's published layouts the wrong way round
    /// (docs/calibration.md, "Megatron-Core MoE training step").
    TrainingMemory,
    /// Neither a step time nor a memory figure (no GPU memory capacity either): fewer,
    /// simpler degrees first.
    Degrees,
}

impl RankedBy {
    pub fn of(list: &[Suggestion]) -> RankedBy {
        let memory = list.iter().any(|s| s.peak_memory_percent.is_some());
        if memory && list.iter().any(|s| s.training) {
            RankedBy::TrainingMemory
        } else if list.iter().any(|s| s.step_time_s.is_some()) {
            RankedBy::StepTime
        } else if list.iter().any(|s| s.peak_memory_percent.is_some()) {
            RankedBy::MemoryHeadroom
        } else {
            RankedBy::Degrees
        }
    }

    /// How a list ranked this way reads, after "Best of N for this cluster, ".
    pub fn words(self) -> String {
        match self {
            RankedBy::StepTime => "by simulated step time among those that fit".into(),
            RankedBy::MemoryHeadroom => format!(
                "by memory left per GPU among those that fit, since no step is simulated without {}",
                crate::sim::STEP_NEEDS
            ),
            RankedBy::TrainingMemory => "by memory left per GPU among those that fit, since a training step is simulated as its forward pass alone, which does not rank them".into(),
            RankedBy::Degrees => format!(
                "by the fewest TP and PP, since no step is simulated without {} and no GPU memory capacity is given",
                crate::sim::STEP_NEEDS
            ),
        }
    }
}

/// Candidates the advisor weighs at most (the divisors of a GPU count are few; this
/// bounds the work on the page for odd counts with many factors).
const MAX_CANDIDATES: usize = 400;
/// How many suggestions to return.
pub const TOP: usize = 5;

/// The divisors of `n`, ascending. O(√n): pairs (d, n/d) for d up to √n, so a count of
/// 4·10⁹ costs 65,536 steps, not 4·10⁹.
fn divisors(n: u32) -> Vec<u32> {
    let n = n as u64;
    let (mut low, mut high) = (Vec::new(), Vec::new());
    let mut d = 1u64;
    while d * d <= n {
        if n.is_multiple_of(d) {
            low.push(d as u32);
            if d * d != n {
                high.push((n / d) as u32);
            }
        }
        d += 1;
    }
    low.extend(high.into_iter().rev());
    low
}

/// The candidates for `plan` on `gpus` GPUs (else the plan's count): every (EP, TP ≤ 8,
/// PP, DP) whose product is the GPU count, and the count itself. The page weighs them one
/// by one (`evaluate`) so it can yield between them; `suggest` does it all at once.
pub fn candidates(plan: &Plan, gpus: Option<u32>, overrides: &Meta) -> Result<(u32, Vec<Strategy>), RewriteError> {
    let gpus = gpus.or(overrides.cluster.gpus).or(plan.meta.cluster.gpus);
    let Some(n) = gpus.filter(|&n| n > 0) else {
        return Err(RewriteError {
            target: Goal::AnyStrategy { gpus: None },
            rules: vec![BrokenRule::GpuCountUnknown],
        });
    };
    // Past the GPU limit every strategy would be refused, after building per-GPU tables.
    if let Err(e) = crate::limits::Limit::Gpus.check(n as u64) {
        return Err(RewriteError {
            target: Goal::AnyStrategy { gpus: Some(n) },
            rules: vec![BrokenRule::TooManyGpus { gpus: e.value }],
        });
    }
    match overrides.strategy.or(plan.meta.strategy) {
        Some(s) if s.experts_folded() && s.dp_attention => return Ok((n, dp_attention_candidates(n))),
        Some(s) if s.experts_folded() => return Ok((n, folded_candidates(n))),
        _ => {}
    }
    // At most d(n)³ steps, with d(n) ≤ 240 divisors for n within the GPU limit.
    let mut cands = Vec::new();
    for &ep in &divisors(n) {
        for &tp in &divisors(n / ep) {
            // TP beyond one server pays inter-server all-reduces on every layer; nobody deploys it.
            if tp > 8 {
                continue;
            }
            for &pp in &divisors(n / ep / tp) {
                let dp = n / ep / tp / pp;
                if let Ok(s) = Strategy::new(ep, tp, pp, dp) {
                    cands.push(s);
                }
                if cands.len() >= MAX_CANDIDATES {
                    return Ok((n, cands));
                }
            }
        }
    }
    cands.truncate(MAX_CANDIDATES);
    Ok((n, cands))
}

/// The folded family on `n` GPUs: for each TP ≤ 8 (one server), PP and DP = n/(TP·PP),
/// the experts whole over EP = TP·DP (ETP1) and, at TP > 1, split over TP with EP = DP
/// (ETP = TP). At most d(n)² · 2 steps, capped at `MAX_CANDIDATES`.
fn folded_candidates(n: u32) -> Vec<Strategy> {
    let mut cands = Vec::new();
    for &tp in divisors(n).iter().filter(|&&tp| tp <= 8) {
        for &pp in &divisors(n / tp) {
            let dp = n / tp / pp;
            let whole = Extra { etp: Some(1), ..Extra::default() };
            let split = Extra { etp: Some(tp), ..Extra::default() };
            let family = [
                Strategy::with(tp.saturating_mul(dp), tp, pp, dp, whole).ok(),
                (tp > 1).then(|| Strategy::with(dp, tp, pp, dp, split).ok()).flatten(),
            ];
            cands.extend(family.into_iter().flatten());
            if cands.len() >= MAX_CANDIDATES {
                cands.truncate(MAX_CANDIDATES);
                return cands;
            }
        }
    }
    cands
}

/// SGLang's DP attention on `n` GPUs: for each PP, TP = n/PP (DP attention runs inside the
/// TP group, which may span servers: no TP all-reduce crosses them), each DP > 1 dividing
/// TP, and DeepEP's EP = TP of whole experts. At most d(n)² steps, capped.
fn dp_attention_candidates(n: u32) -> Vec<Strategy> {
    let mut cands = Vec::new();
    for &pp in &divisors(n) {
        let tp = n / pp;
        for &dp in divisors(tp).iter().filter(|&&dp| dp > 1) {
            let x = Extra { etp: Some(1), dp_attention: true, ..Extra::default() };
            cands.extend(Strategy::with(tp, tp, pp, dp, x).ok());
            if cands.len() >= MAX_CANDIDATES {
                return cands;
            }
        }
    }
    cands
}

/// Why a candidate was left out: it breaks a rule (not a suggestion at all).
pub type Refusal = String;

/// Weighs one candidate on `n` GPUs: rewrite, verify, simulate. `Err` when the rewriter
/// refuses it for a rule other than memory (a candidate that does not fit in memory is
/// still a suggestion, marked as not fitting).
pub fn evaluate(plan: &Plan, s: Strategy, n: u32, overrides: &Meta, capacity: Capacity) -> Result<Suggestion, Refusal> {
    let model = plan.meta.merged_with(overrides).model;
    let (batch, training) = (model.batch, model.phase == Some(Phase::Train));
    // DP replicas are identical and independent in a forward step, so one replica on
    // n/DP GPUs with batch/DP sequences has the same step time and per-GPU memory as all
    // of them. Weighing that one keeps the advisor fast (it builds ~100 candidates). With
    // folded experts the DP ranks share them, and a training run's ZeRO stage shards its
    // states over them: the candidate is weighed whole.
    let whole = s.experts_folded() || (training && model.zero_stage.is_some_and(|z| z.get() > 0));
    let dp = if whole { 1 } else { s.dp.get() };
    if let Some(b) = batch
        && b % dp as u64 != 0
    {
        return Err(format!("{}: batch {b} does not split evenly over DP{dp}", short_name(s)));
    }
    let mut over = overrides.clone();
    // Held to the candidate, not to a declared name (a launch line's rules are the declared
    // launch's, not the candidate's).
    over.strategy_name = None;
    over.model.batch = batch.map(|b| b / dp as u64);
    over.cluster.gpus = Some(n / dp);
    let replica = match whole {
        true => s,
        false => Strategy::new(s.ep.get(), s.tp.get(), s.pp.get(), 1).map_err(|e| e.to_string())?,
    };
    // Built beside the plan, which stays held.
    let beside = capacity.beside(plan.elements());
    let target = Target { gpus: Some(n / dp), overrides: over.clone(), capacity: beside, ..Target::new(replica) };
    let rw = match rewrite(plan, &target) {
        Ok(r) => r,
        Err(e) if e.rules.iter().any(|r| matches!(r, BrokenRule::OutOfMemory { .. })) => {
            // The fullest GPU's figures, as the rewriter weighed them.
            let (peak_memory_percent, memory_counted) = e
                .rules
                .iter()
                .find_map(|r| match r {
                    BrokenRule::OutOfMemory { worst, capacity_gb, .. } if *capacity_gb > 0.0 => {
                        Some((worst.gpu.total_gb / capacity_gb * 100.0, worst.counted))
                    }
                    _ => None,
                })
                .unzip();
            return Ok(Suggestion {
                strategy: s,
                step_time_s: None,
                peak_memory_percent,
                memory_counted,
                fits: false,
                training,
                reason: e.rules.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
            });
        }
        Err(e) => return Err(e.to_string()),
    };
    // Held to the candidate itself, whatever strategy the plan or the conditions declare.
    let opts =
        VerifyOptions { strategy: Some(replica), gpus: Some(n / dp), overrides: over, ..VerifyOptions::default() };
    let report = verify(&rw.plan, &opts);
    let m = &report.metrics;
    let mem = m.memory.as_ref().and_then(|x| x.max_percent);
    let sim = m.simulation.as_ref();
    let fits = mem.is_none_or(|p| p <= 100.0) && report.errors().next().is_none();
    let mut why = Vec::new();
    if let Some(sim) = sim {
        why.push(format!(
            "{} {:.3} ms (compute {:.3} ms, communication {:.3} ms per GPU on average)",
            if training { "forward pass" } else { "step" },
            sim.step_time_s * 1e3,
            sim.compute_s.mean * 1e3,
            sim.comm_s.mean * 1e3
        ));
    }
    let memory_counted = m.memory.as_ref().map(|x| x.counted);
    match (mem, memory_counted) {
        (Some(p), Some(Counted::WeightsOnly { .. })) => {
            why.push(format!("weights {p:.1}% of a GPU (no batch: activations and KV cache not counted)"))
        }
        (Some(p), _) => why.push(format!("peak memory {p:.1}% of a GPU")),
        (None, _) => {}
    }
    let (ep, tp, pp) = (s.ep.get(), s.tp.get(), s.pp.get());
    if tp > 1 {
        why.push(format!("TP{tp} all-reduces stay inside a server"));
    }
    if ep > 1 {
        let e = rw.plan.meta.model.experts.unwrap_or(ep);
        why.push(format!("{} per GPU per MoE layer", crate::units::count((e / ep) as u64, "expert", "experts")));
    }
    if pp > 1 {
        why.push(format!(
            "{pp} pipeline stages add send/recv at {}",
            crate::units::count((pp - 1) as u64, "boundary", "boundaries")
        ));
    }
    if let Some(f) = report.errors().next() {
        why.push(format!("but the verifier reports {}: {}", f.code, f.message));
    }
    Ok(Suggestion {
        strategy: s,
        step_time_s: sim.map(|x| x.step_time_s),
        peak_memory_percent: mem,
        memory_counted,
        fits,
        training,
        reason: format!("{}: {}", short_name(s), why.join("; ")),
    })
}

/// Fitting first, then the fastest; unknown times last, the most memory left first among
/// them ([`RankedBy::MemoryHeadroom`]); ties by fewer, simpler degrees. Keeps the best `TOP`.
pub fn rank(mut out: Vec<Suggestion>) -> Vec<Suggestion> {
    let last = |v: Option<f64>| v.unwrap_or(f64::INFINITY);
    let step = |s: &Suggestion| last(s.step_time_s.filter(|_| !s.training));
    crate::sort::sort_by(&mut out, |a, b| {
        b.fits
            .cmp(&a.fits)
            .then(step(a).total_cmp(&step(b)))
            .then(last(a.peak_memory_percent).total_cmp(&last(b.peak_memory_percent)))
            .then(a.strategy.tp.cmp(&b.strategy.tp))
            .then(a.strategy.pp.cmp(&b.strategy.pp))
    });
    out.truncate(TOP);
    out
}

/// Suggests strategies for `plan` on `gpus` GPUs (else the plan's count). Errors when the
/// GPU count is unknown or no candidate is valid, with the reasons of the first few.
pub fn suggest(plan: &Plan, gpus: Option<u32>, overrides: &Meta) -> Result<Vec<Suggestion>, RewriteError> {
    let (n, cands) = candidates(plan, gpus, overrides)?;
    let mut out = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for s in cands {
        match evaluate(plan, s, n, overrides, Capacity::Native) {
            Ok(sug) => out.push(sug),
            Err(why) if refused.len() < 3 => refused.push(why),
            Err(_) => {}
        }
    }
    if out.is_empty() {
        let rules = if refused.is_empty() {
            vec![BrokenRule::NoCandidate]
        } else {
            refused.into_iter().map(BrokenRule::CandidateRefused).collect()
        };
        return Err(RewriteError { target: Goal::AnyStrategy { gpus: Some(n) }, rules });
    }
    Ok(rank(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisors_are_found_in_square_root_time() {
        assert_eq!(divisors(12), vec![1, 2, 3, 4, 6, 12]);
        assert_eq!(divisors(16), vec![1, 2, 4, 8, 16]);
        assert_eq!(divisors(1), vec![1]);
        assert_eq!(divisors(u32::MAX).len(), 32); // 3·5·17·257·65537
    }

    #[test]
    fn a_gpu_count_past_the_limit_is_refused_at_once() {
        let e = candidates(&Plan::new(crate::model::Format::Json), Some(4_000_000_000), &Meta::default()).unwrap_err();
        assert!(e.to_string().contains("exceeds planscope's limit of 1048576 (GPUs)"), "{e}");
    }

    /// A vLLM launch in the conditions (EP16_TP1_DP16_ETP1 on 16 GPUs): the advice is in its
    /// family, TP·PP·DP = 16 with the experts on the same GPUs, each candidate built and
    /// verified as a whole (its DP ranks share the experts).
    #[test]
    fn a_folded_launch_is_advised_in_its_own_family() {
        let plan = crate::read::read_plan(crate::examples::SEED_EP64_TP2.text).unwrap();
        let over = Meta { strategy: Strategy::parse("EP16_TP1_DP16_ETP1").ok(), ..Meta::default() };
        let (n, cands) = candidates(&plan, Some(16), &over).unwrap();
        assert_eq!(n, 16);
        assert!(cands.iter().all(|s| s.experts_folded() && s.gpus() == 16), "{cands:?}");
        let names: Vec<String> = cands.iter().map(|s| s.short()).collect();
        for want in ["EP16_DP16_ETP1", "EP16_TP2_DP8_ETP1", "EP8_TP2_DP8_ETP2", "EP16_TP8_DP2_ETP1"] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        let best = suggest(&plan, Some(16), &over).unwrap();
        assert!(!best.is_empty() && best.iter().all(|s| s.strategy.experts_folded()), "{best:?}");
        assert!(best.iter().all(|s| s.fits && s.reason.starts_with(&short_name(s.strategy))), "{best:?}");
        // The best whole-expert candidate runs one attention DP rank per GPU: vLLM's -tp 1 -dp 16.
        assert_eq!(best[0].strategy.short(), "EP16_DP16_ETP1");
    }

    /// SGLang's DP attention in the conditions: every candidate keeps it, EP = TP on TP·PP
    /// = 16 GPUs.
    #[test]
    fn an_sglang_dp_attention_launch_is_advised_with_dp_attention() {
        let plan = crate::read::read_plan(crate::examples::SEED_EP64_TP2.text).unwrap();
        let over = Meta { strategy: Strategy::parse("EP16_TP16_DP16_ETP1_DPATTN").ok(), ..Meta::default() };
        let (_, cands) = candidates(&plan, Some(16), &over).unwrap();
        assert!(
            cands.iter().all(|s| s.dp_attention && s.ep == s.tp && s.gpus() == 16 && s.unbuilt().is_empty()),
            "{cands:?}"
        );
        assert!(cands.iter().any(|s| s.short() == "EP16_TP16_DP16_ETP1_DPATTN"), "{cands:?}");
        let best = suggest(&plan, Some(16), &over).unwrap();
        assert!(!best.is_empty() && best.iter().all(|s| s.fits && s.strategy.dp_attention), "{best:?}");
    }

    /// A launch line in the conditions (a dropped serve.sh) is the declared launch's, not
    /// a candidate's: its rules and degrees do not weigh on the candidates.
    #[test]
    fn a_declared_launch_line_does_not_weigh_on_candidates() {
        let plan = crate::read::read_plan(crate::examples::SEED_EP64_TP2.text).unwrap();
        let s = Strategy::parse("EP64_TP2").unwrap();
        let plain = evaluate(&plan, s, 128, &Meta::default(), Capacity::Native).unwrap();
        let launch = Meta { strategy_name: Some("vllm serve m --enable-eplb -tp 2 -dp 3".into()), ..Meta::default() };
        let with_line = evaluate(&plan, s, 128, &launch, Capacity::Native).unwrap();
        assert_eq!((with_line.fits, &with_line.reason), (plain.fits, &plain.reason));
        assert!(plain.fits, "{}", plain.reason);
    }
}
