//! The canonical planscope JSON: `{"planscope": 1, ...}` followed by the serde form of
//! `Plan` (schema: www/planscope.schema.json; prose: docs/formats.md). `read_json` reads
//! it back to an equal `Plan`.

use crate::model::Plan;
use serde::Serialize;

/// Format version written in the `planscope` key; bumped only on incompatible changes.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Canonical<'a> {
    planscope: u32,
    #[serde(flatten)]
    plan: &'a Plan,
}

/// Pretty-printed canonical JSON, ending with a newline.
pub fn write_json(plan: &Plan) -> String {
    let doc = Canonical { planscope: VERSION, plan };
    match serde_json::to_string_pretty(&doc) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Unreachable for the model's types (string keys only); never panic in the page.
        Err(e) => format!("{{\"planscope\": {VERSION}, \"error\": {}}}\n", serde_json::Value::from(e.to_string())),
    }
}
