//! A small JSON Schema (2020-12) validator for the keywords www/planscope.schema.json
//! uses, so the canonical output is checked against the schema file itself without a
//! heavy dependency. An unknown keyword is an error, so nothing is skipped silently;
//! `pattern` is checked with the `regex` crate (a dev-dependency criterion already pulls in).

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["$schema", "$id", "$defs", "title", "description", "$comment"];

/// Every violation, as `path: what`; empty when `doc` conforms.
pub fn validate(root: &Value, doc: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(root, root, doc, "$", &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        errors.push(format!("{path}: schema is not an object"));
        return;
    };
    for (key, rule) in schema {
        match key.as_str() {
            "$ref" => {
                let target = rule.as_str().and_then(|r| r.strip_prefix("#")).and_then(|p| root.pointer(p));
                match target {
                    Some(t) => check(root, t, v, path, errors),
                    None => errors.push(format!("{path}: unresolved $ref {rule}")),
                }
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    r => r.as_str().into_iter().collect(),
                };
                if !types.iter().any(|t| has_type(v, t)) {
                    errors.push(format!("{path}: expected {types:?}, got {v}"));
                }
            }
            "pattern" => match (rule.as_str().map(regex::Regex::new), v.as_str()) {
                (Some(Ok(re)), Some(s)) if !re.is_match(s) => {
                    errors.push(format!("{path}: `{s}` does not match {rule}"))
                }
                (Some(Err(e)), _) => errors.push(format!("{path}: bad pattern {rule}: {e}")),
                _ => {}
            },
            "const" if v != rule => errors.push(format!("{path}: expected {rule}, got {v}")),
            "enum" if !rule.as_array().is_some_and(|a| a.contains(v)) => {
                errors.push(format!("{path}: {v} is not one of {rule}"))
            }
            "minimum" if v.as_f64().zip(rule.as_f64()).is_some_and(|(x, m)| x < m) => {
                errors.push(format!("{path}: {v} < {rule}"))
            }
            "maximum" if v.as_f64().zip(rule.as_f64()).is_some_and(|(x, m)| x > m) => {
                errors.push(format!("{path}: {v} > {rule}"))
            }
            "required" => {
                for name in rule.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if v.is_object() && v.get(name).is_none() {
                        errors.push(format!("{path}: missing required `{name}`"));
                    }
                }
            }
            "properties" => {
                if let (Some(props), Some(obj)) = (rule.as_object(), v.as_object()) {
                    for (name, value) in obj {
                        if let Some(s) = props.get(name) {
                            check(root, s, value, &format!("{path}.{name}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                let known = schema.get("properties").and_then(Value::as_object);
                for (name, value) in v.as_object().into_iter().flatten() {
                    if known.is_some_and(|k| k.contains_key(name)) {
                        continue;
                    }
                    match rule {
                        Value::Bool(false) => errors.push(format!("{path}: unexpected field `{name}`")),
                        Value::Bool(true) => {}
                        s => check(root, s, value, &format!("{path}.{name}"), errors),
                    }
                }
            }
            "items" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    check(root, rule, item, &format!("{path}[{i}]"), errors);
                }
            }
            "oneOf" | "anyOf" => {
                let branches = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                let passing = branches.iter().filter(|b| validate_sub(root, b, v)).count();
                let ok = if key == "oneOf" { passing == 1 } else { passing >= 1 };
                if !ok {
                    errors.push(format!("{path}: {passing} of the {key} branches match {v}"));
                }
            }
            "const" | "enum" | "minimum" | "maximum" => {}
            k if ANNOTATIONS.contains(&k) => {}
            k => errors.push(format!("{path}: the test validator does not know the keyword `{k}`")),
        }
    }
}

fn validate_sub(root: &Value, schema: &Value, v: &Value) -> bool {
    let mut errors = Vec::new();
    check(root, schema, v, "", &mut errors);
    errors.is_empty()
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}
