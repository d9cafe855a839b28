//! The one-line facts about a loaded plan, shared by `planscope inspect` and the page.

use crate::model::Plan;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub format: String,
    pub nodes: usize,
    pub edges: usize,
    pub gpus_used: usize,
}

impl Summary {
    pub fn of(plan: &Plan) -> Summary {
        Summary {
            format: plan.format.as_str().to_string(),
            nodes: plan.nodes.len(),
            edges: plan.edges.len(),
            gpus_used: plan.gpus_used().len(),
        }
    }
}
