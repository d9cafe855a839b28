//! A refused rewrite: the head line and each broken rule on its own, from the error's data.

use crate::rewrite::RewriteError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `cannot rewrite to EP48_TP1_PP1_DP1`.
    pub head: String,
    pub rules: Vec<String>,
}

impl Refusal {
    pub fn of(e: &RewriteError) -> Refusal {
        Refusal { head: e.head(), rules: e.rules.iter().map(ToString::to_string).collect() }
    }
}
