//! The utilization cards: GPUs used, balancedness, step time and peak memory, before and,
//! with a rewrite, after, with the way the change goes.

use crate::analysis::{Analysis, Better, Change, Figures};
use crate::units;

#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Stable key (`gpus`, `balance`, `step`, `memory`) for styling and tests.
    pub key: &'static str,
    pub title: &'static str,
    /// The before value, `—` when unknown.
    pub before: String,
    pub after: Option<Delta>,
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
    Card { key, title, before: before.map(show).unwrap_or_else(|| "—".into()), after }
}

pub fn cards(before: &Analysis, after: Option<&Analysis>) -> Vec<Card> {
    let b = Figures::of(before);
    let a = after.map(Figures::of);
    let count: fn(f64) -> String = |v| format!("{v:.0}");
    let ratio: fn(f64) -> String = |v| format!("{v:.2}");
    vec![
        card("gpus", "GPUs used", Some(b.gpus_used), a.map(|f| f.gpus_used), count, Better::Higher),
        card("balance", "Balancedness", b.balancedness, a.and_then(|f| f.balancedness), ratio, Better::Higher),
        card("step", "Step time", b.step_s, a.and_then(|f| f.step_s), units::seconds, Better::Lower),
        card("memory", "Peak memory", b.peak_mem_gb, a.and_then(|f| f.peak_mem_gb), units::gigabytes, Better::Lower),
    ]
}
