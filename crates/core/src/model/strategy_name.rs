//! The strategy's names: `EP64_TP2`-style text read by `Strategy::parse` and written by
//! `Display` (canonical, round-trips) and `short` (degrees above 1 only).
//! Tokens, in any order and case, each starting a word: `EP`, `TP`, `PP`, `DP`, `CP`,
//! `ETP`, `VPP` with a degree; `PPFIRST`/`PPLAST` with the layers of the first/last
//! pipeline stage; `REDUNDANT` with a count of redundant experts; the word `DPATTN` for
//! DP-attention.

use super::Strategy;
use super::limits::Limit;
use super::strategy::{Degree, Extra, StrategyError};
use std::fmt;

/// What a token sets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Ep,
    Tp,
    Pp,
    Dp,
    Cp,
    Etp,
    Vpp,
    First,
    Last,
    Redundant,
}

/// Longest first, so `ETP` is not read as `TP` nor `PPFIRST` as `PP`.
const TOKENS: [(&str, Slot); 10] = [
    ("PPFIRST", Slot::First),
    ("REDUNDANT", Slot::Redundant),
    ("PPLAST", Slot::Last),
    ("ETP", Slot::Etp),
    ("VPP", Slot::Vpp),
    ("EP", Slot::Ep),
    ("TP", Slot::Tp),
    ("PP", Slot::Pp),
    ("DP", Slot::Dp),
    ("CP", Slot::Cp),
];
const DP_ATTENTION: &str = "DPATTN";

impl Slot {
    fn index(self) -> usize {
        TOKENS.iter().position(|(_, s)| *s == self).unwrap_or(0)
    }

    fn limit(self) -> Limit {
        match self {
            Slot::Ep => Limit::Degree(Degree::Ep),
            Slot::Tp => Limit::Degree(Degree::Tp),
            Slot::Pp => Limit::Degree(Degree::Pp),
            Slot::Dp => Limit::Degree(Degree::Dp),
            Slot::Cp => Limit::Degree(Degree::Cp),
            Slot::Etp => Limit::Degree(Degree::Etp),
            Slot::Vpp => Limit::Degree(Degree::Vpp),
            Slot::First | Slot::Last => Limit::Layers,
            Slot::Redundant => Limit::Experts,
        }
    }

    fn is_degree(self) -> bool {
        !matches!(self, Slot::First | Slot::Last | Slot::Redundant)
    }
}

impl Strategy {
    /// Parses names such as `EP64_TP2`, `EP64_TP2_PP1_CORRECTED`, `TP4_PP4_DP2_EP8`,
    /// `EP64-TP8-PP2-DP2`, `ep8 tp2`, `EP=8,TP=2`, `EP64_TP2_CP2_ETP1_VPP2`, in any order
    /// and case. Words that are not a token (`CORRECTED`, `MOE`) are ignored; a token named
    /// twice with different values, a zero degree, or no degree at all is an error, and so
    /// is a value or product past planscope's limits (`limits`). O(n) in the text's length.
    pub fn parse(text: &str) -> Result<Strategy, StrategyError> {
        let mut found: [Option<u32>; TOKENS.len()] = [None; TOKENS.len()];
        let mut dp_attention = false;
        let upper = text.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if !starts_word {
                i += 1;
                continue;
            }
            // Bytes, not str slices: `i` may sit inside a multi-byte character.
            let rest = &bytes[i..];
            if let Some(after) = rest.strip_prefix(DP_ATTENTION.as_bytes())
                && !after.first().is_some_and(|b| b.is_ascii_alphanumeric())
            {
                dp_attention = true;
                i += DP_ATTENTION.len();
                continue;
            }
            let Some(&(name, slot)) = TOKENS.iter().find(|(n, _)| rest.starts_with(n.as_bytes())) else {
                i += 1;
                continue;
            };
            let mut j = i + name.len();
            while j < bytes.len() && matches!(bytes[j], b'=' | b':' | b' ') {
                j += 1;
            }
            let start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let ends_word = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
            if j == start || !ends_word {
                i += 1;
                continue;
            }
            let digits = &upper[start..j];
            // Digits past u64 read as u64::MAX: past the limit all the same.
            let wide: u64 = digits.parse().unwrap_or(u64::MAX);
            slot.limit().check(wide).map_err(|e| StrategyError(format!("{name}{digits} in `{text}`: {e}")))?;
            let value = wide as u32;
            if value == 0 && slot != Slot::Redundant {
                let what = if slot.is_degree() { "degree" } else { "stage" };
                return Err(StrategyError(format!("{name} {what} must be at least 1 in `{text}`")));
            }
            let k = slot.index();
            if let Some(prev) = found[k]
                && prev != value
            {
                return Err(StrategyError(format!(
                    "{name} is given twice ({name}{prev} and {name}{value}) in `{text}`"
                )));
            }
            found[k] = Some(value);
            i = j;
        }
        let any_degree = TOKENS.iter().zip(&found).any(|((_, s), v)| s.is_degree() && v.is_some());
        if !any_degree {
            return Err(StrategyError(format!(
                "no parallel degree in `{text}`: expected names like EP64_TP2 or TP4-PP2-DP2-EP8"
            )));
        }
        let get = |s: Slot| found[s.index()];
        let one = |s: Slot| get(s).unwrap_or(1);
        let extra = Extra {
            cp: one(Slot::Cp),
            etp: get(Slot::Etp),
            vpp: one(Slot::Vpp),
            first_stage_layers: get(Slot::First),
            last_stage_layers: get(Slot::Last),
            dp_attention,
            redundant_experts: get(Slot::Redundant).unwrap_or(0),
        };
        Strategy::with(one(Slot::Ep), one(Slot::Tp), one(Slot::Pp), one(Slot::Dp), extra)
            .map_err(|e| StrategyError(format!("{e} in `{text}`")))
    }

    /// The refinements set, as name tokens in canonical order (`CP2`, `ETP1`, `VPP2`,
    /// `PPFIRST3`, `PPLAST5`, `DPATTN`, `REDUNDANT32`); empty when all are off.
    pub fn refinement_tokens(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.cp.get() > 1 {
            out.push(format!("CP{}", self.cp));
        }
        if let Some(etp) = self.etp {
            out.push(format!("ETP{etp}"));
        }
        if self.vpp.get() > 1 {
            out.push(format!("VPP{}", self.vpp));
        }
        if let Some(f) = self.stages.first {
            out.push(format!("PPFIRST{f}"));
        }
        if let Some(l) = self.stages.last {
            out.push(format!("PPLAST{l}"));
        }
        if self.dp_attention {
            out.push(DP_ATTENTION.to_string());
        }
        if self.redundant_experts > 0 {
            out.push(format!("REDUNDANT{}", self.redundant_experts));
        }
        out
    }

    /// The name as people write it: degrees above 1 only, EP always (`EP64_TP2`), then
    /// the refinements set.
    pub fn short(&self) -> String {
        let mut name = format!("EP{}", self.ep);
        for (n, v) in [("TP", self.tp), ("PP", self.pp), ("DP", self.dp)] {
            if v.get() > 1 {
                name.push_str(&format!("_{n}{v}"));
            }
        }
        for t in self.refinement_tokens() {
            name.push('_');
            name.push_str(&t);
        }
        name
    }
}

impl fmt::Display for Strategy {
    /// Canonical form: EP, TP, PP, DP always (`EP64_TP2_PP1_DP1`), then each refinement
    /// set (`EP8_TP2_PP4_DP1_CP2_VPP2`). `parse` reads it back to the same strategy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EP{}_TP{}_PP{}_DP{}", self.ep, self.tp, self.pp, self.dp)?;
        for t in self.refinement_tokens() {
            write!(f, "_{t}")?;
        }
        Ok(())
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
    use super::super::strategy::Extra;
    use super::*;
    use std::num::NonZeroU32;

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
        let hand = Strategy {
            ep: NonZeroU32::MAX,
            tp: NonZeroU32::MAX,
            pp: NonZeroU32::MAX,
            dp: NonZeroU32::MAX,
            ..Strategy::default()
        };
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

    #[test]
    fn refinements_parse_and_round_trip() {
        assert_eq!(s("EP64_TP2_CP2"), "EP64_TP2_PP1_DP1_CP2");
        assert_eq!(s("tp4 pp4 etp1 ep8 vpp2"), "EP8_TP4_PP4_DP1_ETP1_VPP2");
        // An ETP equal to TP still says the experts share the attention's GPUs: EP4_TP2_DP4_ETP2
        // (Megatron-Core's EP inside DP) spans TP·DP = 8 GPUs, EP4_TP2_DP4 (planscope's) 32.
        assert_eq!(s("EP8_TP2_ETP2"), "EP8_TP2_PP1_DP1_ETP2");
        let (folded, own) = (Strategy::parse("EP4_TP2_DP4_ETP2").unwrap(), Strategy::parse("EP4_TP2_DP4").unwrap());
        assert_ne!(folded, own);
        assert_eq!((folded.gpus(), own.gpus(), folded.expert_group()), (8, 32, 8));
        assert_eq!(s("EP8_TP8_DP8_DPATTN_REDUNDANT32"), "EP8_TP8_PP1_DP8_DPATTN_REDUNDANT32");
        assert_eq!(s("EP8_PP8_PPFIRST7_PPLAST5"), "EP8_TP1_PP8_DP1_PPFIRST7_PPLAST5");
        let x = Extra {
            cp: 2,
            etp: Some(1),
            vpp: 3,
            first_stage_layers: Some(4),
            last_stage_layers: Some(5),
            dp_attention: true,
            redundant_experts: 9,
        };
        let st = Strategy::with(8, 2, 4, 2, x).unwrap();
        assert_eq!(Strategy::parse(&st.to_string()).unwrap(), st);
        assert_eq!(st.short(), "EP8_TP2_PP4_DP2_CP2_ETP1_VPP3_PPFIRST4_PPLAST5_DPATTN_REDUNDANT9");
        assert_eq!(st.product(), 8 * 2 * 4 * 2 * 2);
        assert_eq!(st.expert_tp().get(), 1);
        // All but the uneven stages and DP attention, which deploy builds with folded
        // experts when DP divides TP.
        assert_eq!(st.unbuilt().len(), 4);
        // Serde keeps old plans' JSON: refinements off are not written.
        assert_eq!(
            serde_json::to_string(&Strategy::new(2, 1, 1, 1).unwrap()).unwrap(),
            r#"{"ep":2,"tp":1,"pp":1,"dp":1}"#
        );
        let back: Strategy = serde_json::from_str(&serde_json::to_string(&st).unwrap()).unwrap();
        assert_eq!(back, st);
    }

    #[test]
    fn refinements_are_held_to_the_limits() {
        assert!(s("EP8_CP0").contains("at least 1"));
        assert!(s("EP8_PPFIRST0").contains("at least 1"));
        assert!(s("EP8_CP99999999").contains("(CP degree)"));
        assert!(s("EP8_VPP70000").contains("(VPP degree)"));
        assert!(s("EP8_PPLAST20000").contains("(layers)"));
        assert!(s("EP8_REDUNDANT70000").contains("(experts)"));
        assert!(s("EP65536_TP16_CP2").contains("EP·TP·PP·DP·CP") && s("EP65536_TP16_CP2").contains("(GPUs)"));
        // A refinement alone is no strategy.
        assert!(s("DPATTN").starts_with("error: no parallel degree"));
        assert!(s("EP8_CP2_CP4").contains("given twice"));
        // Multi-byte text around and inside tokens is no panic.
        assert_eq!(s("𑦧EP8 ü_TP2 ✓"), "EP8_TP2_PP1_DP1");
        assert!(s("(()))(𑦧").starts_with("error"));
    }
}
