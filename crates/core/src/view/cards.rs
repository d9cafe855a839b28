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
}
