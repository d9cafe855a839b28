//! The line under a cluster grid, the same in the page and the report: how many GPUs are
//! busy of how many, in how many servers, and whether only the first ones are drawn.

use super::ClusterModel;
use crate::units::{count, thousands};

pub fn caption(c: &ClusterModel) -> String {
    let hidden = c.hidden_gpus;
    let total = c.gpus as u64 + hidden as u64;
    format!(
        "{} of {} busy · {} × {}{}",
        thousands(c.used()),
        count(total, "GPU", "GPUs"),
        count(c.servers() as u64, "server", "servers"),
        count(c.per_server as u64, "GPU", "GPUs"),
        if hidden > 0 { format!(" · first {} drawn", thousands(c.gpus as usize)) } else { String::new() }
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
            format!(
                "3 of {} GPUs busy · 16 servers × 8 GPUs · first 128 drawn",
                thousands((u32::MAX as u64 + 128) as usize)
            )
        );
    }

    #[test]
    fn one_server_and_one_gpu_are_singular() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let report = verify(&plan, &VerifyOptions::default());
        let mut c = build(&plan, &report, plan.meta.strategy);
        c.per_server = 1;
        c.gpus = 1;
        c.cells.truncate(1);
        assert!(caption(&c).ends_with("busy · 1 server × 1 GPU"), "{}", caption(&c));
    }
}
