//! Readers: every plan notation in, one `Plan` out. Parse, don't validate: a reader
//! turns text into typed fields or says exactly where it could not.

mod dot;
mod error;
mod json;

pub use dot::read_dot;
pub use json::read_json;

pub use error::{ReadError, line_col};

use crate::model::Plan;

/// Inputs larger than this are refused with a message rather than read: the largest
/// real plan seen is 3.9 MB, and the page must stay responsive.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// The text without its byte-order mark, if it is within `MAX_INPUT_BYTES`.
pub(crate) fn within_size(text: &str) -> Result<&str, ReadError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ReadError::whole(format!(
            "the file is {:.1} MB; planscope reads plans up to {} MB",
            text.len() as f64 / 1e6,
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads a plan, choosing the notation from the text itself (JSON starts with `{`
/// or `[`; anything else is read as DOT). The file name is only used for messages.
pub fn read_plan(text: &str) -> Result<Plan, ReadError> {
    let text = within_size(text)?;
    match text.trim_start().chars().next() {
        None => Err(ReadError::at(1, 1, "the file is empty: expected a JSON plan or a Graphviz digraph")),
        Some('{') | Some('[') => read_json(text),
        Some(_) => read_dot(text),
    }
}
