//! The utilization cards: GPUs used, balancedness, step time and peak memory, before and,
//! with a rewrite, after, with the way the change goes.

use crate::analysis::{Analysis, Better, Change, Figures};
use crate::cost::Workload;
use crate::units;

#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Stable key (`gpus`, `balance`, `step`, `memory`) for styling and tests.
    pub key: &'static str,
    pub title: &'static str,
    /// The before value, `—` when unknown.
    pub before: String,
    pub after: Option<Delta>,
    /// What is wrong with a value, shown with it: a peak memory over one GPU's capacity.
    pub alert: Option<String>,
    /// What could not be checked about it: a peak memory when the plan gives no capacity.
    pub note: Option<String>,
}

/// The after value and whether it is better, worse or the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    pub value: String,
    pub change: Change,
}

fn card(
    key: &'static str,
    title: &'static str,
    before: Option<f64>,
    after: Option<f64>,
    show: fn(f64) -> String,
    better: Better,
) -> Card {
    let before = before.filter(|v| v.is_finite());
    let after =
        after.filter(|v| v.is_finite()).map(|y| Delta { value: show(y), change: Change::between(before, y, better) });
    Card { key, title, before: before.map(show).unwrap_or_else(|| "—".into()), after, alert: None, note: None }
}

pub fn cards(before: &Analysis, after: Option<&Analysis>) -> Vec<Card> {
    let b = Figures::of(before);
    let a = after.map(Figures::of);
    let count: fn(f64) -> String = |v| units::thousands_u64(v.round() as u64);
    let ratio: fn(f64) -> String = |v| format!("{v:.2}");
    let mut memory =
        card("memory", "Peak memory", b.peak_mem_gb, a.and_then(|f| f.peak_mem_gb), units::gigabytes, Better::Lower);
    memory.alert = over_capacity(&b, a.as_ref());
    let capacity_unknown = b.capacity_gb.is_none() && a.is_none_or(|f| f.capacity_gb.is_none());
    let weights_only = b.weights_only.or(a.as_ref().and_then(|f| f.weights_only));
    // In training, what the fullest GPU holds (its states can outweigh the weights 8 to 1),
    // with what was not counted.
    let holds = |f: &Figures| {
        f.peak.filter(|p| p.workload == Workload::Training).map(|p| format!("{:.1} GB: {p}", p.gpu.total_gb))
    };
    let held = match (holds(&b), a.as_ref().and_then(holds)) {
        (Some(p), None) => Some(format!("Training: the fullest GPU holds {p}")),
        (None, Some(q)) => Some(format!("Training: after, the fullest GPU holds {q}")),
        (Some(p), Some(q)) if p == q => Some(format!("Training: the fullest GPU holds {p}, before and after")),
        (Some(p), Some(q)) => Some(format!("Training: the fullest GPU holds {p} before; {q} after")),
        (None, None) => None,
    };
    let trains = held.is_some();
    let notes: Vec<String> = [
        weights_only
            .filter(|_| held.is_none())
            .map(|lacking| format!("Weights only: {lacking}, so activations and KV cache are not counted")),
        held,
        capacity_unknown.then(|| "Not checked: the plan gives no GPU memory capacity".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if memory.before != "—" && !notes.is_empty() {
        memory.note = Some(notes.join(". "));
    }
    let mut step = card("step", "Step time", b.step_s, a.and_then(|f| f.step_s), units::seconds, Better::Lower);
    if trains && step.before != "—" {
        step.note = Some(match (b.training, a.and_then(|f| f.training)) {
            (Some(t), after) => {
                let after = after.filter(|u| *u != t).map(|u| format!(" After: {}.", training_step(u)));
                format!(
                    "Training, at best: {}; one micro-batch's forward pass {}. Megatron-Core's published \
                     Qwen3-235B runs on 256 H100 took 1.1–2.2× what this model gives them.{}",
                    training_step(t),
                    units::seconds(t.forward_s),
                    after.unwrap_or_default()
                )
            }
            (None, _) => "Training: one micro-batch's forward pass; give the micro-batches a step runs for the \
                          optimizer step (its backward passes, the pipeline's bubbles and the gradients' reduction)"
                .into(),
        });
    }
    vec![
        card("gpus", "GPUs used", Some(b.gpus_used), a.map(|f| f.gpus_used), count, Better::Higher),
        card("balance", "Balancedness", b.balancedness, a.and_then(|f| f.balancedness), ratio, Better::Higher),
        step,
        memory,
    ]
}

/// "8 micro-batches through 4 stages: 1.2 s of pipeline (27% fill and drain), 0.1 s of
/// gradient reduction".
fn training_step(t: crate::sim::TrainingStep) -> String {
    format!(
        "{} through {}: {} of pipeline ({} fill and drain), {} of gradient reduction",
        units::count(u64::from(t.micro_batches), "micro-batch", "micro-batches"),
        units::count(u64::from(t.stages), "stage", "stages"),
        units::seconds(t.pipeline_s),
        units::percent(t.bubble),
        units::seconds(t.gradient_sync_s)
    )
}

/// "does not fit: over the 80 GB of one GPU (before and after)" when a side's peak memory
/// exceeds one GPU's capacity; the sides named are those over it. A rewrite runs on the
/// same GPUs, so the after side is held to the before side's capacity when it states none.
fn over_capacity(before: &Figures, after: Option<&Figures>) -> Option<String> {
    let over =
        |f: &Figures| matches!((f.peak_mem_gb, f.capacity_gb.or(before.capacity_gb)), (Some(p), Some(c)) if p > c);
    let sides = match (over(before), after.map(over)) {
        (true, Some(true)) => "before and after",
        (true, _) => "before",
        (false, Some(true)) => "after",
        _ => return None,
    };
    let cap = after.and_then(|f| f.capacity_gb).or(before.capacity_gb)?;
    Some(format!("Does not fit: over the {} of one GPU ({sides})", units::gigabytes(cap)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;
    use std::sync::Arc;

    #[test]
    fn cards_show_before_and_the_way_after_goes() {
        let before = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let only = cards(&before, None);
        let keys: Vec<&str> = only.iter().map(|c| c.key).collect();
        assert_eq!(keys, ["gpus", "balance", "step", "memory"]);
        assert!(only.iter().all(|c| c.after.is_none()));
        let s = before.strategy.unwrap();
        let after = after_side(&before, s, &Request::default()).unwrap();
        let both = cards(&before, Some(&after.analysis));
        assert_eq!(both[0].before, "3");
        assert_eq!(both[0].after, Some(Delta { value: "128".into(), change: Change::Better }));
    }

    /// A plan with no tensor shapes and no model constants has an unknown peak memory, shown
    /// as "—", never as "0.00 GB" (the 3,715-GPU corpus file showed that).
    #[test]
    fn unsized_plans_show_no_memory_figure() {
        let text = r#"{"nodes": [{"id": "a", "type": "attention", "gpu": 0}, {"id": "b", "type": "expert", "gpu": 1}],
                       "edges": [["a", "b"]]}"#;
        let before = analyze(Arc::new(read_plan(text).unwrap()), &Request::default());
        assert!(before.report.metrics.memory.is_none());
        let memory = cards(&before, None).into_iter().find(|c| c.key == "memory").unwrap();
        assert_eq!((memory.before.as_str(), memory.note), ("—", None));
    }

    fn figures(peak: f64) -> Figures {
        Figures {
            gpus_used: 8.0,
            balancedness: None,
            step_s: None,
            training: None,
            peak_mem_gb: Some(peak),
            capacity_gb: Some(80.0),
            weights_only: None,
            peak: None,
        }
    }

    #[test]
    fn memory_over_one_gpus_capacity_is_flagged_per_side() {
        assert_eq!(over_capacity(&figures(79.0), Some(&figures(80.0))), None);
        assert_eq!(
            over_capacity(&figures(5411.0), Some(&figures(60.0))).as_deref(),
            Some("Does not fit: over the 80 GB of one GPU (before)")
        );
        assert_eq!(
            over_capacity(&figures(5411.0), Some(&figures(81.0))).as_deref(),
            Some("Does not fit: over the 80 GB of one GPU (before and after)")
        );
        let unknown = Figures { capacity_gb: None, ..figures(5411.0) };
        assert_eq!(over_capacity(&unknown, None), None);
        assert_eq!(
            over_capacity(&figures(60.0), Some(&unknown)).as_deref(),
            Some("Does not fit: over the 80 GB of one GPU (after)")
        );
    }

    #[test]
    fn a_peak_memory_without_a_capacity_says_it_was_not_checked() {
        let mut plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let before = analyze(Arc::new(plan.clone()), &Request::default());
        let memory = |c: &[Card]| c.iter().find(|c| c.key == "memory").cloned().unwrap();
        let known = memory(&cards(&before, None));
        assert_eq!((known.alert, known.note), (None, None));
        plan.meta.cluster.memory_gb = None;
        let unknown = memory(&cards(&analyze(Arc::new(plan), &Request::default()), None));
        assert_eq!(unknown.note.as_deref(), Some("Not checked: the plan gives no GPU memory capacity"));
    }

    /// A planned model without a batch holds its weights: the card shows them and says the
    /// rest is not counted, and MEMORY_OVER weighs them against the GPUs.
    #[test]
    fn a_peak_memory_without_a_batch_counts_the_weights_and_says_so() {
        use crate::cost::Counted;
        use crate::model::{Dtype, Meta, Strategy};
        let mut meta = Meta::default();
        meta.model = crate::conditions::preset("qwen3-235b-a22b").unwrap().meta.model;
        meta.model.batch = None;
        meta.model.dtype = Some(Dtype::Bf16);
        meta.cluster.memory_gb = Some(80.0);
        meta.strategy = Some(Strategy::new(4, 1, 1, 1).unwrap());
        let plan = crate::r#gen::plan_from(&meta, crate::limits::Capacity::Native).unwrap();
        let side = analyze(Arc::new(plan), &Request::default());
        let m = &side.report.metrics;
        let mem = m.memory.as_ref().unwrap();
        assert!(matches!(mem.counted, Counted::WeightsOnly { lacking: crate::cost::Lacking::Batch }));
        // 235B parameters in BF16 over 4 GPUs: over 117 GB each.
        assert!(mem.weights_gb.max > 117.0 && mem.activations_gb.max == 0.0, "{mem:?}");
        assert!(m.simulation.is_none(), "no batch, no step to time");
        let over = side.report.findings.iter().find(|f| f.code.as_str() == "MEMORY_OVER").unwrap();
        assert!(over.message.contains("weights alone"), "{}", over.message);
        let card = cards(&side, None).into_iter().find(|c| c.key == "memory").unwrap();
        assert!(card.note.as_deref().unwrap().starts_with("Weights only: no batch is given"), "{card:?}");
        assert!(card.alert.is_some());
        // A batch without its sequences' length (a Hugging Face config states none): the
        // note says what is missing, not "no batch".
        meta.model.batch = Some(16);
        meta.model.seq_len = None;
        let plan = crate::r#gen::plan_from(&meta, crate::limits::Capacity::Native).unwrap();
        let side = analyze(Arc::new(plan), &Request::default());
        let mem = side.report.metrics.memory.as_ref().unwrap();
        assert!(matches!(mem.counted, Counted::WeightsOnly { lacking: crate::cost::Lacking::SeqLen }), "{mem:?}");
        let card = cards(&side, None).into_iter().find(|c| c.key == "memory").unwrap();
        assert!(card.note.as_deref().unwrap().starts_with("Weights only: no sequence length is given"), "{card:?}");
    }

    /// A training micro-batch: the memory card says what the fullest GPU holds, and the
    /// step card that its time is the forward pass alone.
    #[test]
    fn training_cards_say_what_they_count() {
        use crate::model::{Meta, Phase, Strategy};
        let mut meta = Meta::default();
        meta.model = crate::conditions::preset("mixtral-8x7b").unwrap().meta.model;
        meta.cluster = crate::conditions::preset("h100").unwrap().meta.cluster;
        meta.model.phase = Some(Phase::Train);
        meta.model.batch = Some(2);
        meta.model.seq_len = Some(4096);
        meta.strategy = Some(Strategy::parse("EP8_PP4_DP2").unwrap());
        let plan = Arc::new(crate::r#gen::plan_from(&meta, crate::limits::Capacity::Native).unwrap());
        let note = |key: &str, side: &Analysis| {
            cards(side, None).into_iter().find(|c| c.key == key).unwrap().note.unwrap_or_default()
        };
        let side = analyze(plan.clone(), &Request::default());
        let memory = note("memory", &side);
        assert!(memory.starts_with("Training: the fullest GPU holds "), "{memory}");
        assert!(memory.contains("gradients and optimizer states") && !memory.contains("KV cache"), "{memory}");
        assert!(note("step", &side).starts_with("Training: one micro-batch's forward pass; give the micro-batches"));
        // Rewritten to what it already is, the same figures are said once.
        let after = after_side(&side, Strategy::parse("EP8_PP4_DP2").unwrap(), &Request::default()).unwrap();
        let both = cards(&side, Some(&after.analysis)).into_iter().find(|c| c.key == "memory").unwrap().note.unwrap();
        assert!(both.ends_with(", before and after") && both.matches("weights").count() == 1, "{both}");
        // With its micro-batches, the optimizer step: the card's time is the step's, and
        // its note says the parts and the forward pass it is built on.
        let forward = side.report.metrics.simulation.as_ref().unwrap().step_time_s;
        let mut stepped = meta.clone();
        stepped.model.micro_batches = Some(8);
        let plan = Arc::new(crate::r#gen::plan_from(&stepped, crate::limits::Capacity::Native).unwrap());
        let side = analyze(plan, &Request::default());
        let sim = side.report.metrics.simulation.as_ref().unwrap();
        let t = sim.training.expect("micro-batches given");
        assert!(t.step_s > 8.0 * forward / 4.0 && t.stages == 4, "{t:?} vs forward {forward}");
        let card = cards(&side, None).into_iter().find(|c| c.key == "step").unwrap();
        assert_eq!(card.before, units::seconds(t.step_s));
        let said = card.note.unwrap();
        assert!(said.starts_with("Training, at best: 8 micro-batches through 4 stages: "), "{said}");
        assert!(said.contains(&format!("one micro-batch's forward pass {}", units::seconds(forward))), "{said}");
        // The busy charts stay the forward pass's shares, and say so.
        let charts = crate::view::chart::charts(&side, None);
        let busy = charts.iter().find(|c| c.key == "util-busy").unwrap();
        assert_eq!(busy.title, "Busy computing, % of one micro-batch's forward pass");
        // Without a batch: the weights and their states, and what is not counted.
        meta.model.batch = None;
        let plan = crate::r#gen::plan_from(&meta, crate::limits::Capacity::Native).unwrap();
        let side = analyze(Arc::new(plan), &Request::default());
        let memory = note("memory", &side);
        assert!(memory.contains("; activations not counted: no batch is given"), "{memory}");
        assert!(!memory.starts_with("Weights only"), "{memory}");
        assert_eq!(note("step", &side), "", "no step without a batch");
    }
}
