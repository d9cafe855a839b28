//! The MISSING_CONSTANTS note: which cost-model constants the plan and the conditions did
//! not give, which were read off tensor shapes, and which defaults were used. The cost
//! model only records these lists; turning them into a finding is the verifier's job.

use super::{Code, Finding};
use crate::cost::{Constants, ShapeSource};

pub(crate) fn missing_constants(c: &Constants) -> Option<Finding> {
    if c.missing.is_empty() && c.assumed.is_empty() && c.inferred.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !c.missing.is_empty() {
        parts.push(format!("missing (quantities needing them are not computed): {}", c.missing.join(", ")));
    }
    for (from, what) in
        [(ShapeSource::Input, "the input nodes' shapes"), (ShapeSource::Most, "the most common tensor shapes")]
    {
        let sizes: Vec<String> =
            c.inferred.iter().filter(|i| i.from == from).map(|i| format!("{} = {}", i.name, i.size)).collect();
        if !sizes.is_empty() {
            parts.push(format!("read from {what}: {}", sizes.join(", ")));
        }
    }
    if !c.assumed.is_empty() {
        parts.push(format!("defaults used: {}", c.assumed.join(", ")));
    }
    Some(Finding::info(Code::MissingConstants, format!("cost-model constants — {}", parts.join("; "))).fix(
        "declare the missing values in the Conditions panel (on the page: pick or type the model and hardware, or drop \
         a config file on it), in the plan (a `hardware_configuration` / `model_configuration` block, or the canonical \
         `meta`), or with `planscope verify --conditions FILE.json`",
    ))
}
