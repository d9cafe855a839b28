//! Readers: every plan notation in, one `Plan` out. Parse, don't validate: a reader
//! turns text into typed fields or says exactly where it could not.

mod dot;
mod error;
mod gzip;
mod json;
mod quick;
mod stream;

pub use dot::read_dot;
pub use gzip::{Inflated, PlanStream, Progress, inflate, is_gzip, read_gzip, read_streamed};
pub use json::read_json;

pub use error::{Fault, ReadError, line_col, serde_message};

use crate::limits::{self, Limit};
use crate::model::Plan;

/// Inputs larger than this are refused with a message rather than read (the value and
/// why: `limits::INPUT_BYTES`); kept here so callers of `read` keep working.
pub const MAX_INPUT_BYTES: usize = limits::INPUT_BYTES;

/// The text without its byte-order mark, if it is within `MAX_INPUT_BYTES`. O(1).
pub(crate) fn within_size(text: &str) -> Result<&str, ReadError> {
    check_size(text.len())?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Whether `len` bytes of input are within `MAX_INPUT_BYTES`, with the limit named (a shell
/// checks a file's size before it reads it). O(1).
pub fn check_size(len: usize) -> Result<(), ReadError> {
    Limit::InputBytes.check(len as u64).map_err(|e| {
        ReadError::whole(format!("{e}: planscope reads plans up to {} MB", MAX_INPUT_BYTES / (1024 * 1024)))
    })
}

/// The plan if its counts and declared sizes are within planscope's limits
/// (`limits`), checked once reading is done and before any analysis allocates per node,
/// per GPU or per layer. O(1).
pub(crate) fn within_limits(plan: Plan) -> Result<Plan, ReadError> {
    let m = &plan.meta;
    let checks =
        [Limit::Nodes.check(plan.nodes.len() as u64), Limit::Edges.check(plan.edges.len() as u64), m.within_limits()];
    match checks.into_iter().find_map(Result::err) {
        Some(e) => Err(ReadError::whole(e.to_string())),
        None => Ok(plan),
    }
}

/// Reads a plan from a file's bytes as they came (a dropped file, a file on disk):
/// gzip-compressed by its magic bytes (`read_gzip`), otherwise UTF-8 text (`read_plan`).
/// O(n) in the bytes.
pub fn read_bytes(bytes: &[u8]) -> Result<Plan, ReadError> {
    if is_gzip(bytes) {
        return read_gzip(bytes);
    }
    read_plan(text_of(bytes)?)
}

/// A file's bytes as the text of a plan to keep whole (a compared plan, which a permalink
/// carries as text): inflated when gzip-compressed, else `text_of`. A compressed plan that
/// inflates past the input limit is refused: it opens (streamed), but is too large to keep
/// as text. O(n) in the inflated bytes.
pub fn plan_text(bytes: &[u8]) -> Result<String, ReadError> {
    if !is_gzip(bytes) {
        return text_of(bytes).map(str::to_string);
    }
    match inflate(bytes)? {
        Inflated::Text(text) => Ok(text),
        Inflated::Stream(_) => Err(ReadError::whole(format!(
            "it inflates past {} MB: a plan this large opens, but cannot be compared",
            MAX_INPUT_BYTES / (1024 * 1024)
        ))),
    }
}

/// A file's bytes as text: within `MAX_INPUT_BYTES` (checked first, so an oversized file
/// is not scanned), and UTF-8, else refused at the line:col of the first bad byte. O(n).
pub fn text_of(bytes: &[u8]) -> Result<&str, ReadError> {
    check_size(bytes.len())?;
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        // The prefix up to the bad byte is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let (line, col) = line_col(prefix, valid);
        ReadError::at(line, col, "the file is not UTF-8 text: expected a JSON or DOT plan")
    })
}

/// Reads a plan, choosing the notation from the text itself (JSON starts with `{`
/// or `[`; anything else is read as DOT). The file name is only used for messages.
pub fn read_plan(text: &str) -> Result<Plan, ReadError> {
    let text = within_size(text)?;
    match text.trim_start().chars().next() {
        None => Err(ReadError::at(1, 1, "the file is empty: expected a JSON plan or a Graphviz digraph")),
        Some('{') | Some('[') => read_json(text),
        Some(_) => read_dot(text).and_then(within_limits),
    }
}
