//! Two-batch overlap, as DeepSeek's inference runs prefill and decode (DeepSeek-V3/R1
//! Inference System Overview; DeepEP's hook-based overlap): the step is split into two
//! micro-batches of half the tokens, and one's dispatch, combine and all-reduces run while
//! the other computes. Per layer the pair then takes max(compute, comm) instead of their
//! sum, plus half of the shorter one once to fill the pipeline. Compute and communication
//! scale with tokens, except the weight reads of memory-bound nodes: each micro-batch reads
//! the weights again, so those seconds count twice on the compute side.

use super::PerLayer;

/// The step with two-batch overlap, from the serial step and its busiest GPU's per-layer parts.
pub fn two_batch(step: f64, per_layer: &PerLayer) -> f64 {
    let (compute, comm) = per_layer.split();
    let layers = f64::from(per_layer.layers.max(1));
    let compute2 = compute + per_layer.weight_reads;
    // Per layer: the pair takes max(compute with the second weight read, comm).
    let saved = compute + comm - compute2.max(comm);
    if saved <= 0.0 {
        return step;
    }
    let fill = compute2.min(comm) / 2.0;
    (step - layers * saved + fill).max(step / 2.0).min(step)
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
        // Memory-bound: 1 ms of the 2 ms is weight reads, read twice: 4 × 3 ms, nothing saved.
        let reread = PerLayer { expert: 2e-3, dispatch: 1e-3, weight_reads: 1e-3, layers: 4, ..PerLayer::default() };
        assert_eq!(two_batch(12e-3, &reread), 12e-3);
        let half = PerLayer { expert: 2e-3, dispatch: 1e-3, weight_reads: 0.5e-3, layers: 4, ..PerLayer::default() };
        // 4 × 2.5 ms + 0.5 ms.
        assert!((two_batch(12e-3, &half) - 10.5e-3).abs() < 1e-12);
    }
}
