//! One node object of a corpus dialect -> `Node`. Fields planscope understands become
//! typed fields; every other field (and `type`/`comp`, whose wording says more than
//! `NodeKind` can) is kept in `node.attrs` as it came, so a round trip loses nothing.

use super::Located;
use super::units;
use crate::model::{Dim, Node, NodeKind, Op, Placement, Shape};
use serde_json::Value;

/// Fields a node's id may be under, in order of preference.
const ID_KEYS: &[&str] = &["id", "name", "node_id", "key"];
const GPU_KEYS: &[&str] = &["gpu", "gpus", "gpu_id", "device_id"];

/// The kind a word names, when it names one (`comm`, `data_aggregation`, ...).
pub fn kind_word(word: &str) -> Option<NodeKind> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "compute" | "computation" | "comp" | "compute_node" => NodeKind::Compute,
        "comm" | "communication" | "collective" | "comm_node" => NodeKind::Communication,
        "agg" | "aggregation" | "data_aggregation" | "aggregate" => NodeKind::Aggregation,
        "input" | "source" => NodeKind::Input,
        "output" | "sink" => NodeKind::Output,
        _ => return None,
    })
}

/// The kind an operation implies when the file gives no kind word.
fn kind_of_op(op: &Op) -> NodeKind {
    match op {
        op if op.is_collective() => NodeKind::Communication,
        Op::Route | Op::Split | Op::Aggregate => NodeKind::Aggregation,
        _ => NodeKind::Compute,
    }
}

/// A role index: a whole number or a numeric string.
fn role(v: &Value) -> Option<u32> {
    units::count32(v)
}

pub fn read_node(obj: &serde_json::Map<String, Value>, at: &Located<'_>) -> Result<Node, crate::read::ReadError> {
    let id = ID_KEYS.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) => Some((*k, s.clone())),
        Some(Value::Number(n)) => Some((*k, n.to_string())),
        _ => None,
    });
    let Some((id_key, id)) = id else {
        return Err(at.error(&[], None, "this node has no `id` or `name`: expected each node to have a string id"));
    };
    let mut node = Node::new(id.clone(), NodeKind::Compute);
    let (kind, mut op) = kind_and_op(obj);
    for (key, value) in obj {
        let consumed = match key.as_str() {
            k if k == id_key => true,
            k if GPU_KEYS.contains(&k) && !node.placement.is_assigned() => {
                node.placement =
                    Placement::from_json(value).map_err(|e| at.error(&[k], Some(&id), format!("`{k}`: {e}")))?;
                // `null` stays in attrs only when a later alias might also be given.
                true
            }
            "label" if node.label.is_none() && value.is_string() => {
                node.label = value.as_str().map(str::to_string);
                true
            }
            // A shape with a fractional size is also kept as written (see `read_shape`).
            "shape" | "output_shape" if node.output.is_none() && !value.is_null() => {
                node.output = Some(shape(value, key, &id, at)?);
                shape_is_exact(value)
            }
            "input_shape" if node.inputs.is_empty() && !value.is_null() => {
                node.inputs = vec![shape(value, key, &id, at)?];
                shape_is_exact(value)
            }
            "input_shapes" if node.inputs.is_empty() && value.is_array() => {
                node.inputs = shapes(value, key, &id, at)?;
                shape_is_exact(value)
            }
            "layer" | "layer_id" | "layer_idx" => fill(&mut node.layer, value),
            "expert_id" | "expert" | "expert_idx" => fill(&mut node.expert, value),
            "ep_group" | "ep_rank" => fill(&mut node.ranks.ep, value),
            "tp_group" | "tp_rank" => fill(&mut node.ranks.tp, value),
            "pp_stage" | "pp_rank" => fill(&mut node.ranks.pp, value),
            "dp_group" | "dp_rank" => fill(&mut node.ranks.dp, value),
            _ => false,
        };
        if !consumed {
            node.attrs.insert(key.clone(), value.clone());
        }
    }
    // The comm type (`tensor_parallel_allreduce`) or the id (`tp_allreduce_0`) often names
    // the collective when `type` only says `comm`.
    if op.is_none() && !matches!(kind, Some(NodeKind::Input | NodeKind::Output)) {
        let comm_type = obj.get("communication_type").and_then(Value::as_str);
        op = comm_type.and_then(Op::recognise).or_else(|| Op::recognise(&id));
    }
    node.kind = kind.or_else(|| op.as_ref().map(kind_of_op)).unwrap_or_default();
    node.op = op;
    Ok(node)
}

/// An explicit `op` wins; `type` says more than `comp` (`"type": "input", "comp": "data_aggregation"`), so it is
/// read first whatever the field order. A word that is not a kind is an operation name.
fn kind_and_op(obj: &serde_json::Map<String, Value>) -> (Option<NodeKind>, Option<Op>) {
    let (mut kind, mut op) = (None, None);
    for key in ["op", "operation", "type", "node_type", "category", "comp"] {
        let Some(text) = obj.get(key).and_then(Value::as_str) else { continue };
        match kind_word(text) {
            Some(k) => {
                kind.get_or_insert(k);
            }
            None if op.is_none() && !text.trim().is_empty() => {
                op = Some(Op::recognise(text).unwrap_or_else(|| Op::Other(text.to_string())));
            }
            None => {}
        }
    }
    (kind, op)
}

/// Sets a role slot from a number; returns false (keep in attrs) for null, text, or a
/// second alias of an already set role.
fn fill(slot: &mut Option<u32>, value: &Value) -> bool {
    match (slot.is_none(), role(value)) {
        (true, Some(v)) => {
            *slot = Some(v);
            true
        }
        _ => false,
    }
}

fn shape(value: &Value, key: &str, id: &str, at: &Located<'_>) -> Result<Shape, crate::read::ReadError> {
    read_shape(value).ok_or_else(|| {
        let msg = format!("`{key}`: expected a shape such as [128, 1024] or \"[batch, 4096]\", got {}", brief(value));
        at.error(&[key], Some(id), msg)
    })
}

/// Like `Shape::from_json`, but a dimension that is not a whole number (`0.5` in one
/// corpus file) becomes an unsized dimension named by its text instead of being
/// truncated: the verifier must not see a size the file did not give.
fn read_shape(value: &Value) -> Option<Shape> {
    let Value::Array(items) = value else { return Shape::from_json(value) };
    let mut dims = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Number(n) if !n.is_u64() => dims.push(Dim { name: Some(n.to_string()), size: None }),
            other => dims.extend(Shape::from_json(&Value::Array(vec![other.clone()]))?.0),
        }
    }
    Some(Shape(dims))
}

/// True when `Shape` keeps everything the value says (all numbers whole and unsigned).
fn shape_is_exact(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_u64(),
        Value::Array(items) => items.iter().all(shape_is_exact),
        _ => true,
    }
}

fn shapes(value: &Value, key: &str, id: &str, at: &Located<'_>) -> Result<Vec<Shape>, crate::read::ReadError> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(read_shape(item).ok_or_else(|| {
            let msg = format!("`{key}`[{i}]: expected a shape such as [128, 1024], got {}", brief(item));
            at.error_at(&[key.into(), i.into()], Some(id), msg)
        })?);
    }
    Ok(out)
}

/// A value for a message, cut short: messages must stay one line.
pub fn brief(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}
