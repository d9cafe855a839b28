//! One edge of a corpus dialect -> `Edge`: `["a", "b"]`, or `{"from", "to", "type"}`
//! (also `source`/`target`, as networkx writes them).

use super::Located;
use super::node::brief;
use crate::model::{Edge, EdgeKind};
use crate::read::ReadError;
use serde_json::Value;

const FROM_KEYS: &[&str] = &["from", "source", "src", "u"];
const TO_KEYS: &[&str] = &["to", "target", "dst", "v"];

/// A node reference: a string id, or an integer id written as a number.
fn endpoint(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// `control`/`control_flow`/`ordering` edges carry no tensor.
fn edge_kind(word: &str) -> Option<EdgeKind> {
    match word.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
        "control" | "control_flow" | "control_dependency" | "ordering" | "dependency" => Some(EdgeKind::Control),
        "data" | "data_flow" | "dataflow" | "tensor" => Some(EdgeKind::Data),
        _ => None,
    }
}

pub fn read_edge(v: &Value, at: &Located<'_>) -> Result<Edge, ReadError> {
    match v {
        Value::Array(pair) => match pair.as_slice() {
            [a, b] => match (endpoint(a), endpoint(b)) {
                (Some(a), Some(b)) => Ok(Edge::data(a, b)),
                _ => Err(at.error(
                    &[],
                    None,
                    format!("expected an edge [\"from\", \"to\"] of two node ids, got {}", brief(v)),
                )),
            },
            _ => Err(at.error(
                &[],
                None,
                format!("expected an edge [\"from\", \"to\"], got a list of {} items: {}", pair.len(), brief(v)),
            )),
        },
        Value::Object(obj) => read_edge_object(obj, at),
        _ => Err(at.error(
            &[],
            None,
            format!("expected an edge [\"from\", \"to\"] or {{\"from\", \"to\"}}, got {}", brief(v)),
        )),
    }
}

fn read_edge_object(obj: &serde_json::Map<String, Value>, at: &Located<'_>) -> Result<Edge, ReadError> {
    let end = |keys: &[&'static str], what: &str| -> Result<(&'static str, String), ReadError> {
        let found = keys.iter().find_map(|k| obj.get(*k).map(|v| (*k, v)));
        match found {
            Some((k, v)) => endpoint(v)
                .map(|id| (k, id))
                .ok_or_else(|| at.error(&[k], None, format!("edge `{k}`: expected a node id, got {}", brief(v)))),
            None => Err(at.error(&[], None, format!("this edge has no `{what}` (or `{}`) field", keys[1]))),
        }
    };
    let (from_key, from) = end(FROM_KEYS, "from")?;
    let (to_key, to) = end(TO_KEYS, "to")?;
    let mut edge = Edge::data(from, to);
    for (key, value) in obj {
        let consumed = match key.as_str() {
            k if k == from_key || k == to_key => true,
            "style" if edge.style.is_none() && value.is_string() => {
                edge.style = value.as_str().map(str::to_string);
                true
            }
            "type" | "kind" | "edge_type" => {
                if let Some(kind) = value.as_str().and_then(edge_kind) {
                    edge.kind = kind;
                }
                // The wording (`data_flow`) is kept: it is the source's vocabulary.
                false
            }
            _ => false,
        };
        if !consumed {
            edge.attrs.insert(key.clone(), value.clone());
        }
    }
    Ok(edge)
}
