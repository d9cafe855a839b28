//! JSON reader: every JSON dialect of the corpus, the `dag_content` wrapper around a DOT
//! string, and planscope's own canonical form (`{"planscope": 1, ...}`), into one `Plan`.
//!
//! The canonical form is read straight into `Plan` (a first pass, `probe`, tells it apart
//! without building anything), so a large plan never exists as a `Value` tree. For the
//! other dialects serde_json builds a `Value` first (its syntax errors carry line:col); the
//! dialect mapping then works on that tree, and `locate` finds line:col again in the raw
//! text for the rare semantic error, so the common path pays nothing for positions.

mod canonical;
mod dialect;
mod edge;
mod locate;
mod meta;
mod node;
mod probe;
mod units;
mod wrapper;

use super::{Fault, ReadError, line_col, within_limits, within_size};
use crate::model::Plan;
use locate::{Seg, locate};
use serde_json::Value;

/// The canonical format's version key and the one version this reader knows.
const VERSION_KEY: &str = "planscope";
const VERSION: u64 = 1;

/// Reads a plan from JSON text in any dialect planscope knows (see docs/formats.md).
pub fn read_json(text: &str) -> Result<Plan, ReadError> {
    let text = within_size(text)?;
    let root = Located { text, path: Vec::new() };
    if let probe::Top::Canonical(version) = probe::probe(text) {
        return canonical::read(text, &version, &root).and_then(within_limits);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| syntax_error(text, &e))?;
    let plan = match &value {
        Value::Object(top) if top.contains_key("dag_content") && !top.contains_key("nodes") => {
            wrapper::read(top, &root)
        }
        Value::Object(top) => dialect::read_top(top, &root),
        other => {
            let what = match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            Err(root.error(
                &[],
                None,
                format!("expected a JSON object {{\"nodes\": [...], \"edges\": [...]}}, got {what}"),
            ))
        }
    };
    plan.and_then(within_limits)
}

/// A serde_json error as a `ReadError` at the same place, in characters (serde counts
/// bytes), with the recursion limit explained rather than named.
fn syntax_error(text: &str, e: &serde_json::Error) -> ReadError {
    let bare = &crate::read::serde_message(e);
    let message = if bare.contains("recursion limit") {
        "the JSON is nested more than 128 levels deep; planscope reads plans nested at most 128 levels".to_string()
    } else if e.is_eof() {
        format!("the file ends before the JSON is complete ({bare})")
    } else {
        format!("invalid JSON: {bare}")
    };
    if e.line() == 0 {
        return ReadError::whole(message);
    }
    let line_start = text.split_inclusive('\n').take(e.line() - 1).map(str::len).sum::<usize>();
    let (line, col) = line_col(text, line_start + e.column().saturating_sub(1));
    ReadError::at(line, col, message)
}

/// Where in the input the value being read is, for messages.
pub struct Located<'a> {
    text: &'a str,
    path: Vec<Seg>,
}

impl<'a> Located<'a> {
    fn child(&self, seg: impl Into<Seg>) -> Located<'a> {
        let mut path = self.path.clone();
        path.push(seg.into());
        Located { text: self.text, path }
    }

    /// An error at a field (`keys`, below this value) of node `node`.
    fn error(&self, keys: &[&str], node: Option<&str>, message: impl Into<String>) -> ReadError {
        let segs: Vec<Seg> = keys.iter().map(|k| Seg::from(*k)).collect();
        self.error_at(&segs, node, message)
    }

    fn error_at(&self, segs: &[Seg], node: Option<&str>, message: impl Into<String>) -> ReadError {
        let mut path = self.path.clone();
        path.extend_from_slice(segs);
        // Fall back to the enclosing value when the field itself cannot be found.
        let offset = locate(self.text, &path).or_else(|| locate(self.text, &self.path));
        let (line, col) = match offset {
            Some(o) => {
                let (l, c) = line_col(self.text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ReadError { message: message.into(), line, col, node: node.map(str::to_string), fault: Fault::InPlan }
    }
}
