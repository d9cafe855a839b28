//! Parallel strategy degrees, parsed from the free-form names plans use.

use super::ModelSpec;
use super::limits::{self, Limit, LimitError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::num::NonZeroU32;

/// Expert, tensor, pipeline and data parallel degrees; each at least 1. Made through
/// `new`, `parse` or serde, each degree is within `limits::DEGREE` and their product
/// within `limits::GPUS`, so products of degrees fit in 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Degrees")]
pub struct Strategy {
    pub ep: NonZeroU32,
    pub tp: NonZeroU32,
    pub pp: NonZeroU32,
    pub dp: NonZeroU32,
}

/// The degrees as serialized, checked into a `Strategy` on the way in.
#[derive(Deserialize)]
struct Degrees {
    ep: u32,
    tp: u32,
    pp: u32,
    dp: u32,
}

impl TryFrom<Degrees> for Strategy {
    type Error = StrategyError;
    fn try_from(d: Degrees) -> Result<Strategy, StrategyError> {
        Strategy::new(d.ep, d.tp, d.pp, d.dp)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyError(pub String);

impl From<LimitError> for StrategyError {
    fn from(e: LimitError) -> StrategyError {
        StrategyError(e.to_string())
    }
}

impl fmt::Display for StrategyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const ONE: NonZeroU32 = NonZeroU32::MIN;

impl Default for Strategy {
    fn default() -> Self {
        Strategy { ep: ONE, tp: ONE, pp: ONE, dp: ONE }
    }
}

impl Strategy {
    /// The strategy of these degrees: each at least 1 and within `limits::DEGREE`, their
    /// product within `limits::GPUS` (else the error names the limit). O(1).
    pub fn new(ep: u32, tp: u32, pp: u32, dp: u32) -> Result<Strategy, StrategyError> {
        let nz = |v: u32, d: Degree| {
            Limit::Degree(d).check(v as u64)?;
            NonZeroU32::new(v).ok_or_else(|| StrategyError(format!("{d} degree must be at least 1, got 0")))
        };
        let s = Strategy {
            ep: nz(ep, Degree::Ep)?,
            tp: nz(tp, Degree::Tp)?,
            pp: nz(pp, Degree::Pp)?,
            dp: nz(dp, Degree::Dp)?,
        };
        Limit::Gpus.check(s.product()).map_err(|e| StrategyError(format!("EP·TP·PP·DP = {e}")))?;
        Ok(s)
    }

    /// EP·TP·PP·DP, the GPU count when every degree spans its own GPUs. Saturates at
    /// `u64::MAX` (past every limit) for degrees set by hand beyond the limits.
    pub fn product(&self) -> u64 {
        limits::product([self.ep, self.tp, self.pp, self.dp].map(|d| d.get() as u64))
    }

    /// Parses names such as `EP64_TP2`, `EP64_TP2_PP1_CORRECTED`, `TP4_PP4_DP2_EP8`,
    /// `EP64-TP8-PP2-DP2`, `ep8 tp2`, `EP=8,TP=2`, in any order and case.
    /// Words that are not a degree (`CORRECTED`, `MOE`) are ignored; a degree named twice
    /// with different values, a zero degree, or no degree at all is an error, and so is a
    /// degree or product past planscope's limits (`limits`). O(n) in the text's length.
    pub fn parse(text: &str) -> Result<Strategy, StrategyError> {
        let mut found: [Option<u32>; 4] = [None; 4];
        let upper = text.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            let slot = match &bytes[i..i + 2] {
                b"EP" => Some(0),
                b"TP" => Some(1),
                b"PP" => Some(2),
                b"DP" => Some(3),
                _ => None,
            };
            let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if let (Some(slot), true) = (slot, starts_word) {
                let mut j = i + 2;
                while j < bytes.len() && matches!(bytes[j], b'=' | b':' | b' ') {
                    j += 1;
                }
                let start = j;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let ends_word = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
                if j > start && ends_word {
                    let name = ["EP", "TP", "PP", "DP"][slot];
                    let degree = [Degree::Ep, Degree::Tp, Degree::Pp, Degree::Dp][slot];
                    // Digits past u64 read as u64::MAX: past the limit all the same.
                    let wide: u64 = upper[start..j].parse().unwrap_or(u64::MAX);
                    Limit::Degree(degree)
                        .check(wide)
                        .map_err(|e| StrategyError(format!("{name}{} in `{text}`: {e}", &upper[start..j])))?;
                    let value = wide as u32;
                    if value == 0 {
                        return Err(StrategyError(format!("{name} degree must be at least 1 in `{text}`")));
                    }
                    if let Some(prev) = found[slot]
                        && prev != value
                    {
                        return Err(StrategyError(format!(
                            "{name} is given twice ({name}{prev} and {name}{value}) in `{text}`"
                        )));
                    }
                    found[slot] = Some(value);
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
        if found.iter().all(Option::is_none) {
            return Err(StrategyError(format!(
                "no parallel degree in `{text}`: expected names like EP64_TP2 or TP4-PP2-DP2-EP8"
            )));
        }
        let [ep, tp, pp, dp] = found.map(|v| v.unwrap_or(1));
        Strategy::new(ep, tp, pp, dp).map_err(|e| StrategyError(format!("{e} in `{text}`")))
    }
}

impl Strategy {
    /// What TP and DP must divide, as Megatron-LM, torchtitan and DeepSpeed require: hidden
    /// size, attention heads and KV heads (or be divided by them) by TP; the batch by DP.
    /// One rule per break; the verifier and the rewriter both state them.
    pub fn shard_rules(&self, m: &ModelSpec) -> Vec<Uneven> {
        let (tp, dp) = (self.tp.get(), self.dp.get());
        let mut rules = Vec::new();
        let mut check = |size: Size, value: Option<u64>, degree: Degree, by: u32, fits: fn(u64, u64) -> bool| {
            if let Some(v) = value
                && !fits(v, by as u64)
            {
                rules.push(Uneven { size, value: v, degree, by });
            }
        };
        check(Size::Hidden, m.hidden, Degree::Tp, tp, |v, d| v % d == 0);
        check(Size::Heads, m.heads.map(u64::from), Degree::Tp, tp, |v, d| v % d == 0);
        check(Size::KvHeads, m.kv_heads.map(u64::from), Degree::Tp, tp, |v, d| v % d == 0 || d % v == 0);
        check(Size::Batch, m.batch, Degree::Dp, dp, |v, d| v % d == 0);
        rules
    }

    /// The name as people write it: degrees above 1 only, EP always (`EP64_TP2`).
    pub fn short(&self) -> String {
        let mut name = format!("EP{}", self.ep);
        for (n, v) in [("TP", self.tp), ("PP", self.pp), ("DP", self.dp)] {
            if v.get() > 1 {
                name.push_str(&format!("_{n}{v}"));
            }
        }
        name
    }
}

impl fmt::Display for Strategy {
    /// Canonical form: every degree, in EP, TP, PP, DP order (`EP64_TP2_PP1_DP1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EP{}_TP{}_PP{}_DP{}", self.ep, self.tp, self.pp, self.dp)
    }
}

impl std::str::FromStr for Strategy {
    type Err = StrategyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> String {
        Strategy::parse(t).map(|s| s.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn parses_corpus_spellings() {
        assert_eq!(s("EP64_TP2"), "EP64_TP2_PP1_DP1");
        assert_eq!(s("EP64_TP2_PP1_CORRECTED"), "EP64_TP2_PP1_DP1");
        assert_eq!(s("TP4_PP4_DP2_EP8"), "EP8_TP4_PP4_DP2");
        assert_eq!(s("EP64-TP8-PP2-DP2"), "EP64_TP8_PP2_DP2");
        assert_eq!(s("ep16 tp4"), "EP16_TP4_PP1_DP1");
        assert_eq!(s("EP=8, TP=2"), "EP8_TP2_PP1_DP1");
    }

    #[test]
    fn rejects_bad_text() {
        assert!(s("hello").starts_with("error: no parallel degree"));
        assert!(s("EP0_TP2").contains("at least 1"));
        assert!(s("EP8_EP16").contains("given twice"));
        // "STEP2" is not an EP degree: EP must start a word.
        assert!(s("STEP2").starts_with("error"));
    }

    #[test]
    fn hostile_degrees_name_the_limit() {
        // EP = 2^32 - 1; two degrees whose product is 2^32 (zero in 32 bits); products past
        // u32 and u64; digits past u64.
        for (text, limit) in [
            ("EP4294967295", "(EP degree)"),
            ("EP65536_TP65536", "(GPUs)"),
            ("EP1000000_TP1000000", "(EP degree)"),
            ("EP65536_TP65536_PP65536_DP65536", "(GPUs)"),
            ("EP4096_TP4096_PP4096_DP4096", "(GPUs)"),
            ("TP99999999999999999999999999", "(TP degree)"),
        ] {
            let e = s(text);
            assert!(e.starts_with("error:") && e.contains("exceeds planscope's limit") && e.contains(limit), "{e}");
        }
        assert!(Strategy::new(65_536, 16, 1, 1).is_ok());
        assert!(Strategy::new(65_536, 32, 1, 1).unwrap_err().0.contains("(GPUs)"));
        let hand = Strategy { ep: NonZeroU32::MAX, tp: NonZeroU32::MAX, pp: NonZeroU32::MAX, dp: NonZeroU32::MAX };
        assert_eq!(hand.product(), u64::MAX);
        let bad: Result<Strategy, _> = serde_json::from_str(r#"{"ep":4294967295,"tp":1,"pp":1,"dp":1}"#);
        assert!(bad.unwrap_err().to_string().contains("(EP degree)"));
    }

    #[test]
    fn short_names_leave_out_degrees_of_one() {
        assert_eq!(Strategy::parse("TP2_EP64_PP1").unwrap().short(), "EP64_TP2");
        assert_eq!(Strategy::parse("TP4").unwrap().short(), "EP1_TP4");
        assert_eq!(Strategy::parse("EP8-PP2-DP2").unwrap().short(), "EP8_PP2_DP2");
    }

    #[test]
    fn display_round_trips() {
        let st = Strategy::new(4, 2, 3, 5).unwrap();
        assert_eq!(Strategy::parse(&st.to_string()).unwrap(), st);
    }
}

/// A parallel degree, as the rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Degree {
    Ep,
    Tp,
    Pp,
    Dp,
}

impl fmt::Display for Degree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Degree::Ep => "EP",
            Degree::Tp => "TP",
            Degree::Pp => "PP",
            Degree::Dp => "DP",
        })
    }
}

/// A model size a degree must split evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Size {
    Experts,
    Layers,
    Hidden,
    Heads,
    /// KV heads may also divide the degree (replicated KV heads).
    KvHeads,
    Batch,
}

/// A broken divisibility rule: `value` (a `size`) does not split over `degree` = `by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Uneven {
    pub size: Size,
    pub value: u64,
    pub degree: Degree,
    pub by: u32,
}

impl fmt::Display for Uneven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Uneven { size, value: v, degree: d, by } = *self;
        match size {
            Size::Experts => write!(f, "{v} experts are not divisible by {d}{by}"),
            Size::Layers => write!(f, "{v} layers do not split evenly into {d}{by} stages"),
            Size::Hidden => write!(f, "hidden size {v} is not divisible by {d}{by}"),
            Size::Heads => write!(f, "{v} attention heads are not divisible by {d}{by}"),
            Size::KvHeads => write!(f, "{v} KV heads neither divide nor are divided by {d}{by}"),
            Size::Batch => write!(f, "batch {v} does not split evenly over {d}{by}"),
        }
    }
}
