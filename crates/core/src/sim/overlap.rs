//! Two-batch overlap, as DeepSeek's inference runs prefill and decode (DeepSeek-V3/R1
//! Inference System Overview; DeepEP's hook-based overlap): the step is split into two
//! micro-batches of half the tokens, and one's dispatch, combine and all-reduces run while
//! the other computes. Per layer the pair then takes max(compute, comm) instead of their
//! sum, plus half of the shorter one once to fill the pipeline. Compute and communication
//! are taken to scale with tokens; memory-bound weight reads do not (each micro-batch reads
//! the weights again), so for decode the result is an upper bound on the gain.

use super::PerLayer;

/// The step with two-batch overlap, from the serial step and its busiest GPU's per-layer parts.
pub fn two_batch(step: f64, per_layer: &PerLayer) -> f64 {
    let (compute, comm) = per_layer.split();
    let hidden = compute.min(comm);
    let layers = f64::from(per_layer.layers.max(1));
    (step - layers * hidden + hidden / 2.0).max(step / 2.0).min(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_the_shorter_side() {
        let p = PerLayer { expert: 2e-3, dispatch: 1e-3, layers: 4, ..PerLayer::default() };
        // Serial: 4 × 3 ms = 12 ms; overlapped: 4 × 2 ms + 0.5 ms.
        assert!((two_batch(12e-3, &p) - 8.5e-3).abs() < 1e-12);
        let none = PerLayer { expert: 2e-3, layers: 4, ..PerLayer::default() };
        assert_eq!(two_batch(8e-3, &none), 8e-3);
    }
}
