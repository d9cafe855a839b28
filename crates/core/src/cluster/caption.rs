//! The line under a cluster grid, the same in the page and the report: how many GPUs are
//! busy of how many, in how many servers, and whether only the first ones are drawn.

use super::ClusterModel;

pub fn caption(c: &ClusterModel) -> String {
    let hidden = c.hidden_gpus;
    format!(
        "{} of {} GPUs busy · {} servers × {} GPUs{}",
        c.used(),
        c.gpus as u64 + hidden as u64,
        c.servers(),
        c.per_server,
        if hidden > 0 { format!(" · first {} drawn", c.gpus) } else { String::new() }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{VerifyOptions, verify};
    use crate::cluster::build;
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    #[test]
    fn the_example_says_busy_of_total_in_servers() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let report = verify(&plan, &VerifyOptions::default());
        let c = build(&plan, &report, plan.meta.strategy);
        assert_eq!(caption(&c), "3 of 128 GPUs busy · 16 servers × 8 GPUs");
    }

    #[test]
    fn hidden_gpus_count_in_the_total_without_overflow() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let report = verify(&plan, &VerifyOptions::default());
        let mut c = build(&plan, &report, plan.meta.strategy);
        c.hidden_gpus = u32::MAX;
        assert_eq!(
            caption(&c),
            format!("3 of {} GPUs busy · 16 servers × 8 GPUs · first 128 drawn", u32::MAX as u64 + 128)
        );
    }
}
