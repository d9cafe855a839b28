//! `{"dag_content": "digraph {...}", "dag_analysis": {...}, ...}`: a DOT document inside a
//! JSON string (two corpus files). The DOT is read by `read_dot`; its error positions are
//! mapped back into the outer file; the wrapper's other fields go to `plan.attrs`.

use super::locate::{locate, offset_in_string};
use super::{Located, dialect, meta, node::brief};
use crate::model::{Format, Plan};
use crate::read::{Fault, ReadError, line_col, read_dot};
use serde_json::{Map, Value};

const CONTENT: &str = "dag_content";

pub fn read(top: &Map<String, Value>, at: &Located<'_>) -> Result<Plan, ReadError> {
    let mut plan = match top.get(CONTENT) {
        Some(Value::String(dot)) => {
            let mut plan = read_dot(dot).map_err(|e| in_outer_file(e, at))?;
            plan.format = Format::JsonDot;
            plan
        }
        // A JSON DAG nested in the wrapper reads like a top-level one.
        Some(Value::Object(inner)) => dialect::read_object(inner, &at.child(CONTENT))?,
        other => {
            let got = other.map_or("nothing".to_string(), brief);
            let msg = format!(
                "`{CONTENT}`: expected a DOT string \"digraph {{...}}\" or a {{\"nodes\", \"edges\"}} object, got {got}"
            );
            return Err(at.error(&[CONTENT], None, msg));
        }
    };
    let mut fields = Map::new();
    for (key, value) in top.iter().filter(|(k, _)| k.as_str() != CONTENT) {
        fields.insert(key.clone(), value.clone());
        // A DOT graph attribute of the same name keeps its key; the wrapper's is prefixed.
        let key = if plan.attrs.contains_key(key) { format!("{CONTENT}_wrapper.{key}") } else { key.clone() };
        plan.attrs.insert(key, value.clone());
    }
    meta::read_meta(&fields, &mut plan.meta);
    Ok(plan)
}

/// Moves a DOT error's line:col from the embedded string to the outer JSON file.
fn in_outer_file(e: ReadError, at: &Located<'_>) -> ReadError {
    let mut path = at.path.clone();
    path.push(CONTENT.into());
    let open = locate(at.text, &path);
    match (e.line, open) {
        (Some(l), Some(open)) => {
            let c = e.col.unwrap_or(1);
            let message = format!("in {CONTENT} (DOT line {l}, col {c}): {}", e.message);
            match offset_in_string(at.text, open, l, c) {
                Some(off) => {
                    let (line, col) = line_col(at.text, off);
                    ReadError { message, line: Some(line), col: Some(col), node: e.node, fault: Fault::InPlan }
                }
                None => ReadError { message, line: None, col: None, node: e.node, fault: Fault::InPlan },
            }
        }
        (Some(l), None) => {
            let c = e.col.unwrap_or(1);
            ReadError {
                message: format!("in {CONTENT}, line {l} col {c}: {}", e.message),
                line: None,
                col: None,
                node: e.node,
                fault: Fault::InPlan,
            }
        }
        (None, _) => ReadError { message: format!("in {CONTENT}: {}", e.message), fault: Fault::InPlan, ..e },
    }
}
