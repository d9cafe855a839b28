//! One side of the workspace: a plan, its verification report and its cluster view,
//! computed together so the page and the report writer show the same numbers.

use crate::check::{Report, VerifyOptions, verify};
use crate::cluster::{self, ClusterModel};
use crate::model::{Meta, Plan, Strategy};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Analysis {
    pub plan: Arc<Plan>,
    pub report: Arc<Report>,
    pub cluster: Arc<ClusterModel>,
    /// The strategy the plan was held to: the one asked for, else the declared one.
    pub strategy: Option<Strategy>,
}

/// What the user asked for on top of the file: a strategy, a GPU count, constants.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub strategy: Option<Strategy>,
    pub gpus: Option<u32>,
    pub overrides: Meta,
}

impl Request {
    pub fn verify_options(&self) -> VerifyOptions {
        VerifyOptions {
            strategy: self.strategy,
            gpus: self.gpus,
            overrides: self.overrides.clone(),
            ..VerifyOptions::default()
        }
    }
}

pub fn analyze(plan: Arc<Plan>, req: &Request) -> Analysis {
    let report = verify(&plan, &req.verify_options());
    let strategy = req.strategy.or(plan.meta.strategy);
    let cluster = cluster::build(&plan, &report, strategy);
    Analysis { plan, report: Arc::new(report), cluster: Arc::new(cluster), strategy }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    #[test]
    fn the_example_fails_with_3_of_128_gpus() {
        let plan = Arc::new(read_plan(SEED_EP64_TP2.text).unwrap());
        let a = analyze(plan, &Request::default());
        assert_eq!(a.cluster.used(), 3);
        assert_eq!(a.report.metrics.gpus_total, Some(128));
        assert_eq!(a.strategy.map(|s| s.to_string()).as_deref(), Some("EP64_TP2_PP1_DP1"));
        assert!(a.report.errors().next().is_some());
    }
}
