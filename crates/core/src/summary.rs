//! The one-line facts about a loaded plan, shared by `planscope inspect` and the page.

use crate::model::Plan;
use crate::units::thousands_u64;
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

/// "GPUs used" as the page's summary and the HTML report show it: "3 of 128"; a plan that
/// places work on GPU ids past its cluster (`GPU_OUT_OF_RANGE`: 3,715 GPUs held to
/// EP64_TP2) is "3,715 on a cluster of 128", never "3,715 of 128"; without a known cluster
/// size, the count alone.
pub fn gpus_used_text(used: u64, total: Option<u32>) -> String {
    let used_text = thousands_u64(used);
    match total.map(u64::from) {
        Some(t) if used > t => format!("{used_text} on a cluster of {}", thousands_u64(t)),
        Some(t) => format!("{used_text} of {}", thousands_u64(t)),
        None => used_text,
    }
}

#[cfg(test)]
mod tests {
    use super::gpus_used_text;

    #[test]
    fn gpus_used_never_reads_more_of_fewer() {
        assert_eq!(gpus_used_text(3, Some(128)), "3 of 128");
        assert_eq!(gpus_used_text(128, Some(128)), "128 of 128");
        assert_eq!(gpus_used_text(3715, Some(128)), "3,715 on a cluster of 128");
        assert_eq!(gpus_used_text(3715, Some(3715)), "3,715 of 3,715");
        assert_eq!(gpus_used_text(0, None), "0");
    }
}
