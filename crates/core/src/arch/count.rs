//! Parameter arithmetic that saturates instead of overflowing: sizes come from files, and
//! a product past u64 (1.8·10^19 parameters) is no model anyone deploys.

pub(super) fn mul(xs: &[u64]) -> u64 {
    xs.iter().fold(1u64, |a, &x| a.saturating_mul(x))
}

pub(super) fn add(xs: &[u64]) -> u64 {
    xs.iter().fold(0u64, |a, &x| a.saturating_add(x))
}
