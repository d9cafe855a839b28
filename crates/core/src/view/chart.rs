//! The per-GPU bar charts (memory and busy, as fractions): both sides' bars side by side
//! per GPU on one scale, whose top is `nice_top` of the largest value, laid out in the
//! chart's own units (`WIDTH_PER_GPU` per GPU, `HEIGHT` high) for an SVG viewBox.

use crate::analysis::Analysis;
use crate::check::{GpuMetrics, Report};
use crate::units;

/// Chart height, in viewBox units.
pub const HEIGHT: f64 = 80.0;
/// Width of one GPU's slot (its before and after bars).
pub const WIDTH_PER_GPU: f64 = 6.0;
const MIN_WIDTH: f64 = 60.0;
/// Bars never vanish: a GPU at 0% still shows a sliver.
const MIN_BAR: f64 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Stable key (`util-memory`, `util-busy`) for tests and exports.
    pub key: &'static str,
    pub title: &'static str,
    /// The constant the chart needs, named when no GPU has a value.
    pub needs: &'static str,
    /// GPUs across (the larger side's cluster).
    pub gpus: u32,
    /// The top of the scale, a fraction (`nice_top`).
    pub top: f64,
    pub before: Vec<Bar>,
    pub after: Vec<Bar>,
}

/// One GPU's bar, placed in the chart's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub gpu: u32,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Above 100% of capacity.
    pub over: bool,
    /// The value, as a percentage.
    pub label: String,
}

impl Chart {
    /// No GPU has a value on either side: the chart would read as "0%".
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }

    pub fn width(&self) -> f64 {
        (self.gpus.max(1) as f64 * WIDTH_PER_GPU).max(MIN_WIDTH)
    }

    /// Axis labels, top to bottom: the top, half of it, 0.
    pub fn axis(&self) -> [String; 3] {
        [tick(self.top), tick(self.top / 2.0), "0".into()]
    }

    /// Where the grid lines go, top to bottom.
    pub fn ticks(&self) -> [f64; 3] {
        [0.0, HEIGHT / 2.0, HEIGHT]
    }

    /// The last GPU's label under the chart.
    pub fn last_gpu(&self) -> u32 {
        self.gpus.saturating_sub(1)
    }
}

/// An axis label: a percentage with the digits that tell it from its neighbours (half of a
/// 0.1% top is 0.05%, which one decimal would print as "0.1%" or "0.0%").
fn tick(fraction: f64) -> String {
    let p = fraction * 100.0;
    if !p.is_finite() || p <= 0.0 || p >= 10.0 {
        return units::percent(fraction);
    }
    // One significant digit below 1%, a decimal from 1% (2.5%), none when whole.
    let decimals = (1.0 - p.log10().floor()).clamp(1.0, 6.0) as usize;
    let text = format!("{p:.decimals$}");
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The next of 1, 2, 5 × 10^k at or above `max` (a fraction), capped at 100%, so that
/// 0.8% memory use is visible yet both sides stay comparable.
pub fn nice_top(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    (-4..=0).flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k))).find(|&top| top >= max).unwrap_or(1.0).min(1.0)
}

struct Spec {
    key: &'static str,
    title: &'static str,
    /// The title where the step shown is a training run's optimizer step, which the
    /// simulated forward pass these shares are of is one micro-batch of.
    training_title: &'static str,
    needs: &'static str,
    /// A GPU's value, given its row and the simulated step time.
    value: fn(&GpuMetrics, Option<f64>) -> Option<f64>,
}

/// A GPU's communication seconds as a share of the step.
fn comm_share(r: &GpuMetrics, step: Option<f64>) -> Option<f64> {
    let step = step.filter(|&s| s > 0.0)?;
    r.comm_s.map(|c| c / step)
}

/// Compute and communication run on separate streams and overlap, so "busy" is two
/// charts: a GPU can compute 7% of the step while communicating 90% of it.
const SPECS: [Spec; 3] = [
    Spec {
        key: "util-memory",
        title: "Memory, % of capacity",
        training_title: "Memory, % of capacity",
        needs: "the GPUs' memory capacity",
        value: |r, _| r.memory_percent.map(|p| p / 100.0),
    },
    Spec {
        key: "util-busy",
        title: "Busy computing, % of the simulated step",
        training_title: "Busy computing, % of one micro-batch's forward pass",
        needs: crate::sim::STEP_NEEDS,
        value: |r, _| r.busy_fraction,
    },
    Spec {
        key: "util-comm",
        title: "Busy communicating, % of the simulated step",
        training_title: "Busy communicating, % of one micro-batch's forward pass",
        needs: crate::sim::STEP_NEEDS,
        value: comm_share,
    },
];

/// Memory and busy charts for `before` and, when given, `after`.
pub fn charts(before: &Analysis, after: Option<&Analysis>) -> Vec<Chart> {
    let gpus = before.cluster.gpus.max(after.map_or(0, |a| a.cluster.gpus));
    SPECS.iter().map(|s| chart(s, gpus, &before.report, after.map(|a| &*a.report))).collect()
}

fn chart(spec: &Spec, gpus: u32, before: &Report, after: Option<&Report>) -> Chart {
    let values = |r: &Report| -> Vec<(u32, f64)> {
        let step = r.metrics.simulation.as_ref().map(|s| s.step_time_s);
        r.metrics
            .per_gpu
            .iter()
            .filter(|row| row.gpu < gpus)
            .filter_map(|row| (spec.value)(row, step).map(|v| (row.gpu, if v.is_finite() { v } else { 0.0 })))
            .collect()
    };
    let b = values(before);
    let a = after.map(values).unwrap_or_default();
    let max = b.iter().chain(&a).map(|&(_, v)| v).fold(0.0f64, f64::max);
    let top = nice_top(max);
    let bars = |rows: &[(u32, f64)], offset: f64| -> Vec<Bar> {
        rows.iter()
            .map(|&(gpu, v)| {
                let height = ((v / top).clamp(0.0, 1.0) * HEIGHT).max(MIN_BAR);
                Bar {
                    gpu,
                    x: gpu as f64 * WIDTH_PER_GPU + offset,
                    y: HEIGHT - height,
                    width: WIDTH_PER_GPU * 0.42,
                    height,
                    over: v > 1.0,
                    label: units::percent(v),
                }
            })
            .collect()
    };
    // The step card shows a training run's optimizer step; these shares stay the forward
    // pass's, and say so.
    let trains = |r: &Report| r.metrics.simulation.as_ref().is_some_and(|s| s.training.is_some());
    Chart {
        key: spec.key,
        title: if trains(before) || after.is_some_and(trains) { spec.training_title } else { spec.title },
        needs: spec.needs,
        gpus,
        top,
        before: bars(&b, 0.3),
        after: bars(&a, WIDTH_PER_GPU * 0.5),
    }
}

#[cfg(test)]
mod tests {
    use super::nice_top;

    #[test]
    fn the_scale_tops_at_1_2_5_and_never_above_100_percent() {
        for (max, top) in
            [(0.008, 0.01), (0.011, 0.02), (0.3, 0.5), (0.5, 0.5), (1.7, 1.0), (0.0, 1.0), (f64::NAN, 1.0)]
        {
            assert!((nice_top(max) - top).abs() < 1e-12, "{max}: {}", nice_top(max));
        }
    }
}

#[cfg(test)]
mod charts {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;
    use std::sync::Arc;

    #[test]
    fn both_sides_share_one_scale_and_place_a_bar_per_gpu() {
        let before = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let after = after_side(&before, before.strategy.unwrap(), &Request::default()).unwrap();
        let cs = charts(&before, Some(&after.analysis));
        let busy = cs.iter().find(|c| c.key == "util-busy").unwrap();
        assert_eq!(busy.gpus, 128);
        assert_eq!(busy.after.len(), 128);
        assert!(!busy.before.is_empty());
        let max = busy.before.iter().chain(&busy.after).map(|b| b.height).fold(0.0, f64::max);
        assert!(max <= HEIGHT && max > 0.0);
        for b in busy.before.iter().chain(&busy.after) {
            assert!((b.y + b.height - HEIGHT).abs() < 1e-9, "bars stand on the axis");
            assert!(b.x >= b.gpu as f64 * WIDTH_PER_GPU && b.x < (b.gpu + 1) as f64 * WIDTH_PER_GPU);
        }
        assert_eq!(busy.axis()[2], "0");
    }
}

#[cfg(test)]
mod axis {
    use super::*;

    #[test]
    fn ticks_keep_the_digits_that_tell_them_apart() {
        let labels = |top: f64| {
            let c = Chart { key: "k", title: "t", needs: "n", gpus: 1, top, before: vec![], after: vec![] };
            c.axis()
        };
        assert_eq!(labels(1.0), ["100%", "50%", "0"]);
        assert_eq!(labels(0.2), ["20%", "10%", "0"]);
        assert_eq!(labels(0.05), ["5%", "2.5%", "0"]);
        assert_eq!(labels(0.01), ["1%", "0.5%", "0"]);
        assert_eq!(labels(0.001), ["0.1%", "0.05%", "0"]);
        assert_eq!(labels(0.0001), ["0.01%", "0.005%", "0"]);
        // Every top nice_top gives has two distinct, non-zero labels above 0.
        for k in -4..=0 {
            for m in [1.0, 2.0, 5.0] {
                let [a, b, _] = labels(nice_top(m * 10f64.powi(k)));
                assert!(a != b && !a.starts_with("0%") && !b.starts_with("0.0%"), "{a} {b}");
            }
        }
    }
}

#[cfg(test)]
mod streams {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;
    use std::sync::Arc;

    #[test]
    fn communication_has_its_own_chart_apart_from_compute() {
        let before = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let after = after_side(&before, before.strategy.unwrap(), &Request::default()).unwrap();
        let cs = charts(&before, Some(&after.analysis));
        let keys: Vec<&str> = cs.iter().map(|c| c.key).collect();
        assert_eq!(keys, ["util-memory", "util-busy", "util-comm"]);
        let comm = &cs[2];
        let sim = after.analysis.report.metrics.simulation.as_ref().unwrap();
        // Each bar is that GPU's communication seconds over the step.
        for b in &comm.after {
            let row = sim.per_gpu.iter().find(|g| g.gpu == b.gpu).unwrap();
            assert_eq!(b.label, units::percent(row.comm_s / sim.step_time_s));
        }
        assert_eq!(comm.after.len(), 128);
    }
}
