//! How a model's layers fall into pipeline stages: contiguous runs, as every framework lays
//! them out. A first or a last stage's layers, when the strategy gives them (Megatron-LM's
//! `--decoder-first-pipeline-num-layers` / `--decoder-last-pipeline-num-layers`), are
//! theirs; the other stages split the rest as vLLM splits a model whose layers PP does not
//! divide (`vllm/distributed/utils.py`, `get_pp_indices`): each gets the quotient, and the
//! remainder goes one layer each to the stages just before the last (the first holds the
//! embedding, the last the output layer). SGLang's function of the same name gives the
//! remainder to the last stages instead; the verifier holds a plan to neither, so either
//! verifies. Megatron-LM asks for an even split unless the ends are given: that is its
//! launch reader's rule (launch/megatron.rs), not a property of a plan.

use super::StageLayers;
use serde::Serialize;
use std::fmt;

/// The layers of each of `pp` stages. Only [`StageSplit::of`] makes one, so every stage
/// holds at least one layer and the stages hold all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSplit {
    layers: u32,
    pp: u32,
    /// The first stage's layers when given (else 0), and whether it is given.
    first: u32,
    given_first: bool,
    /// The stages between the given ends: their count, each one's quotient and the
    /// remainder spread over them.
    middle: u32,
    base: u32,
    extra: u32,
}

/// Why `layers` do not fall into the stages asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SplitError {
    /// More stages than layers: some stage would hold none.
    TooFewLayers { pp: u32, layers: u32 },
    /// A first or last stage given with a single stage.
    OneStage,
    /// The given ends leave the stages between them fewer layers than stages (or, with no
    /// stage between them, not exactly none).
    Ends { ends: u64, layers: u32, middle: u32 },
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SplitError::TooFewLayers { pp, layers } => write!(f, "PP{pp} is more stages than the {layers} layers"),
            SplitError::OneStage => f.write_str("a first or last stage's layers need more than one pipeline stage"),
            SplitError::Ends { ends, layers, middle: 0 } => {
                write!(f, "the first and last stages hold {ends} layers, not the model's {layers}")
            }
            SplitError::Ends { ends, layers, middle } => write!(
                f,
                "the first and last stages hold {ends} of the {layers} layers, leaving fewer than one for each of the {middle} stages between them"
            ),
        }
    }
}

impl std::error::Error for SplitError {}

impl StageSplit {
    pub fn of(layers: u32, pp: u32, given: StageLayers) -> Result<StageSplit, SplitError> {
        let pp = pp.max(1);
        if pp > layers {
            return Err(SplitError::TooFewLayers { pp, layers });
        }
        let (given_first, given_last) = (given.first.is_some(), given.last.is_some());
        if pp == 1 && (given_first || given_last) {
            return Err(SplitError::OneStage);
        }
        let first = given.first.map_or(0, |v| v.get());
        let ends = u64::from(first) + u64::from(given.last.map_or(0, |v| v.get()));
        let middle = pp - u32::from(given_first) - u32::from(given_last);
        let rest = u64::from(layers).checked_sub(ends);
        let rest = match rest {
            Some(r) if middle == 0 && r == 0 => 0,
            Some(r) if middle > 0 && r >= u64::from(middle) => r as u32,
            _ => return Err(SplitError::Ends { ends, layers, middle }),
        };
        let (base, extra) = match middle {
            0 => (0, 0),
            m => (rest / m, rest % m),
        };
        Ok(StageSplit { layers, pp, first, given_first, middle, base, extra })
    }

    /// The stage holding `layer` (the last for a layer past the model's). O(log PP).
    pub fn stage_of(&self, layer: u32) -> u32 {
        // The last stage s with before(s) <= layer: before() is non-decreasing.
        let (mut lo, mut hi) = (0, self.pp - 1);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.before(mid) <= layer { lo = mid } else { hi = mid - 1 }
        }
        lo
    }

    /// Layers in the stages before stage `s`. O(1).
    fn before(&self, s: u32) -> u32 {
        let lo = u32::from(self.given_first);
        if s == 0 {
            return 0;
        }
        if s >= self.pp {
            return self.layers;
        }
        // s is past the first stage and within the middle group or at the given last stage.
        let j = (s - lo).min(self.middle);
        // The remainder's layers go to the group's stages just before its last one.
        let from = self.middle.saturating_sub(1 + self.extra);
        let extra_before = j.saturating_sub(from).min(self.extra);
        self.first + j * self.base + extra_before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn split(layers: u32, pp: u32, first: u32, last: u32) -> Result<Vec<u32>, SplitError> {
        let given = StageLayers { first: NonZeroU32::new(first), last: NonZeroU32::new(last) };
        let s = StageSplit::of(layers, pp, given)?;
        let mut sizes = vec![0; pp as usize];
        for l in 0..layers {
            let at = s.stage_of(l);
            // Contiguous runs: never back to an earlier stage.
            assert!(sizes[at as usize + 1..].iter().all(|&n| n == 0), "layer {l} on stage {at}: {sizes:?}");
            sizes[at as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 0), "a stage without layers: {sizes:?}");
        Ok(sizes)
    }

    /// vLLM's `get_pp_indices`: the quotient each, one more on the stages before the last.
    #[test]
    fn the_remainder_goes_to_the_stages_before_the_last() {
        assert_eq!(split(32, 4, 0, 0).unwrap(), vec![8, 8, 8, 8]);
        // Qwen3-235B-A22B's 94 layers on PP4; DeepSeek-V3's 61 on PP4 and PP16.
        assert_eq!(split(94, 4, 0, 0).unwrap(), vec![23, 24, 24, 23]);
        assert_eq!(split(61, 4, 0, 0).unwrap(), vec![15, 15, 16, 15]);
        let sixteen = split(61, 16, 0, 0).unwrap();
        assert_eq!(sixteen.iter().filter(|&&n| n == 4).count(), 13);
        assert_eq!((sixteen[0], sixteen[1], sixteen[2], sixteen[15]), (3, 3, 4, 3));
        assert_eq!(split(7, 7, 0, 0).unwrap(), vec![1; 7]);
        assert_eq!(split(5, 1, 0, 0).unwrap(), vec![5]);
    }

    /// Megatron-LM's given ends, the middle split as the rest.
    #[test]
    fn given_ends_keep_their_layers() {
        assert_eq!(split(61, 4, 13, 0).unwrap(), vec![13, 16, 16, 16]);
        assert_eq!(split(61, 4, 0, 13).unwrap(), vec![16, 16, 16, 13]);
        assert_eq!(split(10, 4, 1, 2).unwrap(), vec![1, 4, 3, 2]);
        assert_eq!(split(10, 2, 4, 6).unwrap(), vec![4, 6]);
    }

    #[test]
    fn impossible_splits_say_why() {
        assert_eq!(split(3, 4, 0, 0), Err(SplitError::TooFewLayers { pp: 4, layers: 3 }));
        assert_eq!(split(8, 1, 2, 0), Err(SplitError::OneStage));
        assert_eq!(split(10, 2, 4, 5), Err(SplitError::Ends { ends: 9, layers: 10, middle: 0 }));
        let e = split(10, 4, 5, 4).unwrap_err();
        assert_eq!(e, SplitError::Ends { ends: 9, layers: 10, middle: 2 });
        assert!(e.to_string().contains("fewer than one for each of the 2 stages"), "{e}");
        assert!(split(u32::MAX, 3, u32::MAX, u32::MAX).is_err());
    }
}
