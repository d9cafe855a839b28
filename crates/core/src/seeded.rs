//! Test-only: a seeded pseudo-random sequence (Knuth's MMIX linear congruential generator),
//! so property-style unit tests draw the same cases every run without a dependency.

/// Draws below `m` (`m` > 0), from `seed`.
pub(crate) fn below(seed: u64) -> impl FnMut(u32) -> u32 {
    let mut state = seed;
    move |m: u32| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as u32) % m
    }
}
