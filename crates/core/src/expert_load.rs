//! An expert load: tokens routed to each expert, one row per MoE layer (or per layer, the
//! dense layers' rows then ignored), as EPLB takes it (deepseek-ai/EPLB: `weight`,
//! `[layers, logical experts]`). The one reader both shells call (`planscope rewrite
//! --expert-load`, `planscope verify --expert-load`, the page's Conditions panel), and the
//! one rule that fits its rows to a model's layers (the rewriter and the verifier share it).
//!
//! The file is a JSON array of arrays of numbers: `[[t₀, t₁, …], …]`. Before it is parsed
//! its size is held to `limits::INPUT_BYTES` and the values it can hold (at most one more
//! than its commas) to `limits::EXPERT_LOAD_VALUES`, so the parse allocates at most that;
//! then its rows are held to `limits::LAYERS` and each row to `limits::EXPERTS`.

use crate::limits::{Limit, LimitError};
use crate::read::line_col;
use serde::Serialize;
use std::fmt;

/// A load that read: at least one row, every row the same non-zero length, every value
/// finite and non-negative, within the limits. Only `read` and `new` make one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ExpertLoad {
    rows: Vec<Vec<f64>>,
}

/// What is wrong with a load file, and where.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// Not JSON, or not an array of arrays of numbers, at line:col.
    Syntax { line: u32, col: u32, message: String },
    /// `[]`, or a row `[]`.
    Empty { row: Option<usize> },
    /// Row `row` has `entries` values where row 0 has `experts`.
    Ragged { row: usize, entries: usize, experts: usize },
    /// A negative, infinite or NaN token count.
    Value { row: usize, expert: usize, value: f64 },
    /// Past a limit: the file's bytes, the rows (layers) or a row's length (experts).
    Limit(LimitError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHAPE: &str = "expected per-layer token counts per expert, [[…], […]]";
        match self {
            LoadError::Syntax { line, col, message } => write!(f, "{line}:{col}: {SHAPE}: {message}"),
            LoadError::Empty { row: None } => write!(f, "no layer: {SHAPE}"),
            LoadError::Empty { row: Some(r) } => write!(f, "layer row {r} is empty: {SHAPE}"),
            LoadError::Ragged { row, entries, experts } => write!(
                f,
                "layer row {row} has {entries} experts where row 0 has {experts}: every MoE layer has as many experts"
            ),
            LoadError::Value { row, expert, value } => {
                write!(f, "layer row {row}, expert {expert}: {value} is not a token count (finite, 0 or more)")
            }
            LoadError::Limit(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// The load's rows do not fit the model: the rewriter's and the verifier's refusal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mismatch {
    /// Neither one row per MoE layer nor one per layer.
    Rows { rows: usize, moe_layers: u32, layers: u32 },
    /// A row whose length is not the model's expert count.
    RowLength { row: usize, entries: usize, experts: u32 },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Rows { rows, moe_layers, layers } => write!(
                f,
                "the expert load has {rows} rows; the model has {moe_layers} MoE layers (of {layers}): one row per MoE layer (or per layer)"
            ),
            Mismatch::RowLength { row, entries, experts } => {
                write!(f, "expert load row {row} has {entries} entries for {experts} experts")
            }
        }
    }
}

impl ExpertLoad {
    /// A load from rows already in memory (the rewriter's `Target`, tests), held to the
    /// same rules as a file.
    pub fn new(rows: Vec<Vec<f64>>) -> Result<ExpertLoad, LoadError> {
        Limit::Layers.check(rows.len() as u64).map_err(LoadError::Limit)?;
        let values = rows.iter().map(|r| r.len() as u64).fold(0u64, u64::saturating_add);
        Limit::ExpertLoadValues.check(values).map_err(LoadError::Limit)?;
        let Some(first) = rows.first() else { return Err(LoadError::Empty { row: None }) };
        let experts = first.len();
        Limit::Experts.check(experts as u64).map_err(LoadError::Limit)?;
        for (r, row) in rows.iter().enumerate() {
            if row.is_empty() {
                return Err(LoadError::Empty { row: Some(r) });
            }
            if row.len() != experts {
                return Err(LoadError::Ragged { row: r, entries: row.len(), experts });
            }
            if let Some((e, &v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite() || **v < 0.0) {
                return Err(LoadError::Value { row: r, expert: e, value: v });
            }
        }
        Ok(ExpertLoad { rows })
    }

    /// Reads a load file's text. O(bytes).
    pub fn read(text: &str) -> Result<ExpertLoad, LoadError> {
        Limit::InputBytes.check(text.len() as u64).map_err(LoadError::Limit)?;
        // Each value but the last of a row is followed by a comma: an upper bound, O(bytes).
        let values = text.bytes().filter(|&b| b == b',').count() as u64 + 1;
        Limit::ExpertLoadValues.check(values).map_err(LoadError::Limit)?;
        let rows = serde_json::from_str::<Vec<Vec<f64>>>(text).map_err(|e| {
            let (line, col) = if e.line() == 0 { line_col(text, 0) } else { (e.line() as u32, e.column() as u32) };
            // serde_json ends its message with the position, given apart here.
            let message = crate::read::serde_message(&e);
            LoadError::Syntax { line, col: col.max(1), message }
        })?;
        ExpertLoad::new(rows)
    }

    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }

    /// Rows (layers) in the file.
    pub fn layers(&self) -> usize {
        self.rows.len()
    }

    /// Experts per row.
    pub fn experts(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }

    /// The hottest expert over the mean of its layer, in the layer where that is largest:
    /// 1 for a uniform load. (A layer no token reached counts as uniform.)
    pub fn hottest_over_mean(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| {
                let mean = r.iter().sum::<f64>() / r.len().max(1) as f64;
                let max = r.iter().copied().fold(0.0, f64::max);
                if mean > 0.0 { max / mean } else { 1.0 }
            })
            .fold(1.0, f64::max)
    }

    /// The rows of the MoE layers of a model with `layers` layers, the last `moe_layers` of
    /// them MoE, each over `experts` experts. The rewriter and the verifier both fit a load
    /// this way, so they read the same file alike.
    pub fn moe_rows(&self, layers: u32, moe_layers: u32, experts: u32) -> Result<&[Vec<f64>], Mismatch> {
        fit(&self.rows, layers, moe_layers, experts)
    }
}

/// [`ExpertLoad::moe_rows`] over raw rows (the rewriter's `Target` holds them raw).
pub fn fit(rows: &[Vec<f64>], layers: u32, moe_layers: u32, experts: u32) -> Result<&[Vec<f64>], Mismatch> {
    let (m, l) = (moe_layers as usize, layers as usize);
    let rows = if rows.len() == m {
        rows
    } else if rows.len() == l && m <= l {
        &rows[l - m..]
    } else {
        return Err(Mismatch::Rows { rows: rows.len(), moe_layers, layers });
    };
    match rows.iter().enumerate().find(|(_, r)| r.len() != experts as usize) {
        Some((row, r)) => Err(Mismatch::RowLength { row, entries: r.len(), experts }),
        None => Ok(rows),
    }
}

/// Each expert's share of its row's tokens (uniform when the row is all zero).
pub fn shares(row: &[f64]) -> Vec<f64> {
    let total: f64 = row.iter().sum();
    if total > 0.0 { row.iter().map(|v| v / total).collect() } else { vec![1.0 / row.len().max(1) as f64; row.len()] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits;

    #[test]
    fn a_load_reads_and_says_its_shape() {
        let l = ExpertLoad::read("[[1, 1, 1, 5], [2, 2, 2, 2]]").unwrap();
        assert_eq!((l.layers(), l.experts()), (2, 4));
        assert_eq!(l.hottest_over_mean(), 2.5);
        assert_eq!(l.moe_rows(2, 2, 4).unwrap().len(), 2);
        // One row per layer: the dense layers' rows are dropped.
        assert_eq!(l.moe_rows(2, 1, 4).unwrap(), &[vec![2.0; 4]][..]);
        assert_eq!(l.moe_rows(3, 3, 4), Err(Mismatch::Rows { rows: 2, moe_layers: 3, layers: 3 }));
        assert_eq!(l.moe_rows(2, 2, 8), Err(Mismatch::RowLength { row: 0, entries: 4, experts: 8 }));
    }

    #[test]
    fn bad_loads_say_what_and_where() {
        let e = ExpertLoad::read("[[1, 2],\n [3, oops]]").unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 2, col: 6, .. }), "{e:?}");
        assert!(e.to_string().starts_with("2:6: expected per-layer token counts per expert"), "{e}");
        let e = ExpertLoad::read("{\"a\": 1}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "1:1: expected per-layer token counts per expert, [[…], […]]: invalid type: map, expected a sequence"
        );
        assert_eq!(ExpertLoad::read("[]").unwrap_err(), LoadError::Empty { row: None });
        assert_eq!(ExpertLoad::read("[[1], []]").unwrap_err(), LoadError::Empty { row: Some(1) });
        assert_eq!(
            ExpertLoad::read("[[1, 2], [3]]").unwrap_err().to_string(),
            "layer row 1 has 1 experts where row 0 has 2: every MoE layer has as many experts"
        );
        assert_eq!(ExpertLoad::read("[[1, -2]]").unwrap_err(), LoadError::Value { row: 0, expert: 1, value: -2.0 });
        // Past the limits, before anything is sized by them.
        let rows = vec![vec![1.0]; limits::LAYERS as usize + 1];
        assert!(ExpertLoad::new(rows).unwrap_err().to_string().ends_with("(layers)"));
        let wide = format!("[[{}]]", vec!["0"; limits::EXPERTS as usize + 1].join(","));
        assert!(ExpertLoad::read(&wide).unwrap_err().to_string().ends_with("(experts)"));
        // 2²² + 1 values are refused before they are parsed; 2²² exactly (64 rows of the
        // most experts a row may have) read.
        let many = format!("[{}]", vec![format!("[{}]", vec!["0"; 65_536].join(",")); 65].join(","));
        let e = ExpertLoad::read(&many).unwrap_err();
        assert_eq!(e.to_string(), "4259840 exceeds planscope's limit of 4194304 (expert load values)");
        let most = format!("[{}]", vec![format!("[{}]", vec!["0"; 65_536].join(",")); 64].join(","));
        assert_eq!(ExpertLoad::read(&most).map(|l| l.layers()), Ok(64));
    }

    #[test]
    fn shares_sum_to_one() {
        assert_eq!(shares(&[1.0, 3.0]), vec![0.25, 0.75]);
        assert_eq!(shares(&[0.0, 0.0]), vec![0.5, 0.5]);
    }
}
