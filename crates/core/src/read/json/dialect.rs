//! A corpus-dialect JSON object -> `Plan`: the node and edge lists, the plan's name,
//! `Meta` from the top-level blocks, and every other top-level field verbatim in attrs.

use super::{Located, edge, meta, node};
use crate::limits::Limit;
use crate::model::{Format, Meta, Plan};
use crate::read::ReadError;
use serde_json::{Map, Value};

const NODE_LISTS: &[&str] = &["nodes", "vertices"];
/// `links` is networkx's node-link format.
const EDGE_LISTS: &[&str] = &["edges", "links"];

/// A file's top-level object as a plan. One with no node or edge list and nothing a plan
/// declares (strategy, model, hardware) is no plan at all (`Fault::NotAPlan`): a model's
/// config.json, say, which would otherwise open as an empty plan.
pub fn read_top(top: &Map<String, Value>, at: &Located<'_>) -> Result<Plan, ReadError> {
    let plan = read_object(top, at)?;
    let lists_graph = NODE_LISTS.iter().chain(EDGE_LISTS).any(|k| top.get(*k).is_some_and(|v| !v.is_null()));
    if lists_graph || plan.meta != Meta::default() {
        return Ok(plan);
    }
    let config_key = ["model_type", "architectures"].into_iter().find_map(|k| Some((k, top.get(k)?)));
    let message = match config_key {
        Some((key, said)) => format!(
            "this JSON is a model's configuration (`{key}`: {}), not a plan: it has no `nodes` list",
            node::brief(said)
        ),
        None => "this JSON object holds no plan: no `nodes` (or `vertices`) list, no `edges` (or `links`) \
                 list, and no strategy, model or hardware block that a plan declares; a plan is \
                 {\"nodes\": [...], \"edges\": [...]}"
            .to_string(),
    };
    Err(ReadError::whole(message).not_a_plan())
}

pub fn read_object(top: &Map<String, Value>, at: &Located<'_>) -> Result<Plan, ReadError> {
    let mut plan = Plan::new(Format::Json);
    let mut taken: Vec<&str> = Vec::new();
    if let Some((key, list)) = list(top, NODE_LISTS, at)? {
        taken.push(key);
        // Checked before the reserve: a count past the limit allocates nothing.
        Limit::Nodes.check(list.len() as u64).map_err(|e| at.error(&[key], None, e.to_string()))?;
        plan.nodes.reserve(list.len());
        for (i, item) in list.iter().enumerate() {
            let here = at.child(key).child(i);
            let Value::Object(obj) = item else {
                let msg = format!("`{key}`[{i}]: expected a node object {{\"id\": ...}}, got {}", node::brief(item));
                return Err(here.error(&[], None, msg));
            };
            plan.nodes.push(node::read_node(obj, &here)?);
        }
    }
    if let Some((key, list)) = list(top, EDGE_LISTS, at)? {
        taken.push(key);
        // Checked before the reserve: a count past the limit allocates nothing.
        Limit::Edges.check(list.len() as u64).map_err(|e| at.error(&[key], None, e.to_string()))?;
        plan.edges.reserve(list.len());
        for (i, item) in list.iter().enumerate() {
            plan.edges.push(edge::read_edge(item, &at.child(key).child(i))?);
        }
    }
    if let Some(Value::String(name)) = top.get("name") {
        plan.name = Some(name.clone());
        taken.push("name");
    }
    for (key, value) in top {
        if !taken.contains(&key.as_str()) {
            plan.attrs.insert(key.clone(), value.clone());
        }
    }
    meta::read_meta(&plan.attrs, &mut plan.meta);
    Ok(plan)
}

/// The first of `keys` holding a list; a key holding something else is an error.
fn list<'a>(
    top: &'a Map<String, Value>,
    keys: &[&'static str],
    at: &Located<'_>,
) -> Result<Option<(&'static str, &'a Vec<Value>)>, ReadError> {
    for &key in keys {
        match top.get(key) {
            Some(Value::Array(items)) => return Ok(Some((key, items))),
            Some(Value::Null) | None => {}
            Some(other) => {
                let msg = format!("`{key}`: expected a list [...], got {}", node::brief(other));
                return Err(at.error(&[key], None, msg));
            }
        }
    }
    Ok(None)
}
