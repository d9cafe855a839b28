//! Typed reads of one key of a JSON-shaped object (HF config.json, llm-analysis, the YAML of
//! aiconfigurator once converted): absent and `null` are `None`; a value of the wrong type
//! is an error naming the key, never skipped.

use super::ConditionsError;
use serde_json::{Map, Value};

/// An object with the path it sits at (`text_config.`), for error messages.
pub(super) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub prefix: &'a str,
}

impl<'a> Obj<'a> {
    pub fn new(map: &'a Map<String, Value>, prefix: &'a str) -> Obj<'a> {
        Obj { map, prefix }
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn err(&self, key: &str, message: impl Into<String>) -> ConditionsError {
        ConditionsError::Field { key: format!("{}{key}", self.prefix), message: message.into() }
    }

    /// A non-negative integer (`4096`, also `4096.0`).
    pub fn uint(&self, key: &str) -> Result<Option<u64>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| self.err(key, format!("expected a non-negative integer, found {v}")))
    }

    /// An integer that fits a u32 (layer and expert counts).
    pub fn uint32(&self, key: &str) -> Result<Option<u32>, ConditionsError> {
        self.uint(key)?.map(|n| u32::try_from(n).map_err(|_| self.err(key, format!("{n} is too large")))).transpose()
    }

    /// The first of `keys` present, with the key that gave it.
    pub fn uint_any(&self, keys: &[&'static str]) -> Result<Option<(u64, &'static str)>, ConditionsError> {
        for k in keys {
            if let Some(v) = self.uint(k)? {
                return Ok(Some((v, k)));
            }
        }
        Ok(None)
    }

    pub fn float(&self, key: &str) -> Result<Option<f64>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(Some)
            .ok_or_else(|| self.err(key, format!("expected a non-negative number, found {v}")))
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_bool().map(Some).ok_or_else(|| self.err(key, format!("expected true or false, found {v}")))
    }

    pub fn string(&self, key: &str) -> Result<Option<&'a str>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_str().map(Some).ok_or_else(|| self.err(key, format!("expected a string, found {v}")))
    }

    pub fn object(&self, key: &str) -> Result<Option<&'a Map<String, Value>>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_object().map(Some).ok_or_else(|| self.err(key, "expected an object"))
    }

    pub fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, ConditionsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_array().map(Some).ok_or_else(|| self.err(key, "expected a list"))
    }
}
