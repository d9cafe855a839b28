//! Summaries of per-GPU quantities, shared by the cost model, the simulator and the
//! verifier's metrics.

use serde::Serialize;

/// The spread of a per-GPU quantity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MinMeanMax {
    pub min: f64,
    pub mean: f64,
    pub max: f64,
}

impl MinMeanMax {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<MinMeanMax> {
        let (mut min, mut max, mut sum, mut n) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
        for v in values {
            min = min.min(v);
            max = max.max(v);
            sum += v;
            n += 1;
        }
        (n > 0).then(|| MinMeanMax { min, mean: sum / n as f64, max })
    }
}
