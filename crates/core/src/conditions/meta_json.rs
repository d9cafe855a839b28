//! planscope's own meta JSON: `{"strategy": "EP64_TP2", "cluster": {...}, "model": {...}}`,
//! the shape of a canonical plan's `meta` (www/planscope.schema.json).

use super::ConditionsError;
use super::record::Record;
use crate::model::Meta;
use serde_json::{Map, Value};

pub(super) fn looks_like(top: &Map<String, Value>) -> bool {
    !top.is_empty() && top.keys().all(|k| matches!(k.as_str(), "strategy" | "strategy_name" | "cluster" | "model"))
}

pub(super) fn read(text: &str, rec: &mut Record) -> Result<Meta, ConditionsError> {
    let meta: Meta = serde_json::from_str(text).map_err(|e| ConditionsError::json("planscope meta JSON", &e))?;
    for f in super::fields_of(&meta) {
        rec.note(f);
    }
    if meta.strategy.is_some() {
        rec.note("strategy.strategy");
    }
    Ok(meta)
}
