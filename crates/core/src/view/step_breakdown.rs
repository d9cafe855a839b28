//! Where the step goes, per side: a stacked bar of the mean seconds per layer each part
//! takes on the busiest GPU (attention, gate, experts, shared experts, dense MLP, dispatch,
//! combine, all-reduce, send/recv), both sides on one scale, with throughput in tokens/s
//! per GPU and the fraction of the model the side covers, so a one-layer plan and a
//! sixteen-layer plan compare like with like. The page and the report draw this.

use crate::analysis::Analysis;
use crate::sim::{Part, SimResult};
use crate::units;

/// Width of the bar drawing, in SVG units.
pub const WIDTH: f64 = 600.0;
pub const BAR_HEIGHT: f64 = 18.0;

/// One part of one side's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The part's key (`attention`, `dispatch`, …), also its CSS class `part-<key>`.
    pub part: &'static str,
    pub seconds: f64,
    /// Left edge and width in SVG units, on the scale both sides share.
    pub x: f64,
    pub width: f64,
    pub fill: &'static str,
    /// `dispatch: 0.133 ms per layer`.
    pub title: String,
}

/// One side.
#[derive(Debug, Clone, PartialEq)]
pub struct SideBar {
    pub side: &'static str,
    pub segments: Vec<Segment>,
    /// The per-layer total, as text.
    pub per_layer: String,
    /// `1,234 tokens/s per GPU (whole model), 1,890 at best with two-batch overlap`, or why
    /// there is none.
    pub throughput: String,
    /// `1 of 16 layers (6%)`, or why there is none.
    pub coverage: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepBreakdown {
    pub sides: Vec<SideBar>,
    /// The legend: each part that appears, with its fill.
    pub legend: Vec<(&'static str, &'static str)>,
}

/// A colour per part, readable on light and dark backgrounds (Okabe–Ito palette).
pub fn fill(p: Part) -> &'static str {
    match p {
        Part::Attention => "#0072B2",
        Part::Gate => "#56B4E9",
        Part::Expert => "#009E73",
        Part::SharedExpert => "#8FD3B6",
        Part::DenseMlp => "#F0E442",
        Part::Dispatch => "#E69F00",
        Part::Combine => "#D55E00",
        Part::AllReduce => "#CC79A7",
        Part::SendRecv => "#999999",
        Part::Other => "#C8C8C8",
    }
}

fn label(p: Part) -> &'static str {
    match p {
        Part::SharedExpert => "shared expert",
        Part::DenseMlp => "dense MLP",
        Part::AllReduce => "all-reduce",
        Part::SendRecv => "send/recv",
        p => p.name(),
    }
}

fn total(s: &SimResult) -> f64 {
    Part::ALL.iter().map(|&p| s.per_layer.get(p)).sum()
}

fn side(name: &'static str, s: &SimResult, scale: f64) -> SideBar {
    let mut x = 0.0;
    let mut segments = Vec::new();
    for p in Part::ALL {
        let v = s.per_layer.get(p);
        if v <= 0.0 {
            continue;
        }
        let width = if scale > 0.0 { v / scale * WIDTH } else { 0.0 };
        segments.push(Segment {
            part: p.name(),
            seconds: v,
            x,
            width,
            fill: fill(p),
            title: format!("{}: {} per layer", label(p), units::seconds(v)),
        });
        x += width;
    }
    let c = &s.coverage;
    let excess = |x: f64| {
        format!("{x:.1}× the whole model's FLOPs for these tokens (its nodes compute more than the model does)")
    };
    let coverage = match (c.model_layers, c.fraction) {
        (Some(m), Some(_)) if let Some(x) = c.excess_work => {
            format!("{} of {m} layers, yet {}", c.plan_layers, excess(x))
        }
        (None, Some(_)) if let Some(x) = c.excess_work => {
            format!("{}, {}", units::plural(c.plan_layers as usize, "layer"), excess(x))
        }
        (Some(m), Some(f)) => format!("{} of {m} layers, {} of the model's work", c.plan_layers, units::percent(f)),
        (None, Some(f)) => {
            format!("{}, {} of the model's work", units::plural(c.plan_layers as usize, "layer"), units::percent(f))
        }
        _ => format!("{}; the model's layer count is not given", units::plural(c.plan_layers as usize, "layer")),
    };
    // The serial step and, where communication could hide behind the other micro-batch's
    // compute, the overlapped bound: measured deployments fall between (docs/calibration.md).
    let tokens = |t: f64| units::thousands(t.round() as usize);
    let throughput = match (s.serial_tokens_per_s_per_gpu(), s.bounds()) {
        (Some(t), (step, Some(over))) if over > 0.0 => format!(
            "{} tokens/s per GPU (whole model), {} at best with two-batch overlap",
            tokens(t),
            tokens(t * step / over)
        ),
        (Some(t), _) => format!("{} tokens/s per GPU (whole model)", tokens(t)),
        (None, _) if let Some(t) = s.training.and_then(|t| t.tokens_per_s_per_gpu) => {
            format!("{} tokens/s per GPU (whole model) at best, training with its backward passes", tokens(t))
        }
        (None, _) if s.coverage.training => {
            "no throughput: a training step needs the micro-batches it runs".to_string()
        }
        (None, _) => "no throughput: needs batch, and the model's layers".to_string(),
    };
    SideBar { side: name, segments, per_layer: units::seconds(total(s)), throughput, coverage }
}

/// The breakdown of each side that was simulated; None when neither was.
pub fn step_breakdown(before: &Analysis, after: Option<&Analysis>) -> Option<StepBreakdown> {
    let sims: Vec<(&'static str, &SimResult)> = [("before", Some(before)), ("after", after)]
        .into_iter()
        .filter_map(|(n, a)| Some((n, a?.report.metrics.simulation.as_ref()?)))
        .collect();
    if sims.is_empty() {
        return None;
    }
    let scale = sims.iter().map(|(_, s)| total(s)).fold(0.0, f64::max);
    let sides: Vec<SideBar> = sims.iter().map(|&(n, s)| side(n, s, scale)).collect();
    let legend = Part::ALL
        .into_iter()
        .filter(|&p| sims.iter().any(|(_, s)| s.per_layer.get(p) > 0.0))
        .map(|p| (label(p), fill(p)))
        .collect();
    Some(StepBreakdown { sides, legend })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Request, analyze};
    use crate::r#gen::{GenSpec, generate};
    use crate::model::Strategy;
    use std::sync::Arc;

    #[test]
    fn both_sides_share_one_scale_and_say_what_they_cover() {
        let one = generate(&GenSpec::new(Strategy::parse("EP4").unwrap(), 1, 8));
        let four = generate(&GenSpec::new(Strategy::parse("EP4").unwrap(), 4, 8));
        let mut req = Request::default();
        req.overrides.model.layers = Some(4);
        let (a, b) = (analyze(Arc::new(one), &req), analyze(Arc::new(four), &req));
        let v = step_breakdown(&a, Some(&b)).expect("simulated");
        assert_eq!(v.sides.len(), 2);
        assert!(v.sides[0].coverage.starts_with("1 of 4 layers"), "{}", v.sides[0].coverage);
        assert!(v.sides[1].coverage.starts_with("4 of 4 layers"), "{}", v.sides[1].coverage);
        let ends: Vec<f64> = v.sides.iter().map(|s| s.segments.last().map_or(0.0, |g| g.x + g.width)).collect();
        assert!(ends.iter().all(|&e| e <= WIDTH + 1e-9) && ends.iter().any(|&e| (e - WIDTH).abs() < 1e-6), "{ends:?}");
        assert!(v.legend.iter().any(|(l, _)| *l == "dispatch"), "{:?}", v.legend);
        // Per layer, the same model reads about the same: not a 4× regression.
        let per = |s: &SideBar| s.segments.iter().map(|g| g.seconds).sum::<f64>();
        let (p1, p4) = (per(&v.sides[0]), per(&v.sides[1]));
        assert!(p4 < p1 * 1.5 && p1 < p4 * 1.5, "{p1} vs {p4}");
        assert!(v.sides.iter().all(|s| s.throughput.contains("tokens/s per GPU")), "{:?}", v.sides);
    }

    #[test]
    fn throughput_reads_between_the_serial_and_the_overlapped_step() {
        // EP4 over two servers: the all-to-alls cross them, so some communication can hide.
        let mut spec = GenSpec::new(Strategy::parse("EP16").unwrap(), 2, 16);
        spec.batch = 64;
        spec.seq = 1024;
        let plan = generate(&spec);
        let mut req = Request::default();
        req.overrides.model.layers = Some(2);
        let a = analyze(Arc::new(plan), &req);
        let sim = a.report.metrics.simulation.as_ref().expect("simulated");
        let (step, over) = sim.bounds();
        let over = over.expect("communication to hide");
        assert!(over < step && over >= step / 2.0, "{over} vs {step}");
        let serial = sim.coverage.tokens_per_s_per_gpu.unwrap();
        let v = step_breakdown(&a, None).unwrap();
        let said = &v.sides[0].throughput;
        let want = format!(
            "{} tokens/s per GPU (whole model), {} at best with two-batch overlap",
            units::thousands(serial.round() as usize),
            units::thousands((serial * step / over).round() as usize)
        );
        assert_eq!(said, &want);
    }
}
