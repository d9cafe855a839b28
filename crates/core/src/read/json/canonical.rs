//! planscope's own JSON: `{"planscope": 1, ...}` followed by the serde form of `Plan`.
//! Read with serde directly from the text, so every error carries serde's line:col.

use super::{Located, VERSION, VERSION_KEY, node::brief};
use crate::model::Plan;
use crate::read::ReadError;
use serde_json::Value;

/// `version` is the value of the top-level `planscope` key. O(n) in the text.
pub fn read(text: &str, version: &Value, at: &Located<'_>) -> Result<Plan, ReadError> {
    if version.as_u64() != Some(VERSION) {
        let msg = format!(
            "`{VERSION_KEY}`: expected format version {VERSION}, got {}; this planscope reads version {VERSION}",
            brief(version)
        );
        return Err(at.error(&[VERSION_KEY], None, msg));
    }
    // `Plan` ignores the unknown `planscope` key, so the text deserializes as it is. From the
    // bytes, as a streamed compressed plan is read (`read/stream.rs`): one copy of the
    // deserializer in the page's wasm, not two (the text is UTF-8 already, and serde counts
    // line:col in bytes either way).
    serde_json::from_slice::<Plan>(text.as_bytes()).map_err(|e| {
        let mut err = super::syntax_error(text, &e);
        err.message = err.message.replacen("invalid JSON: ", "invalid planscope plan: ", 1);
        err
    })
}
