//! The line under a cluster grid, the same in the page and the report: how many GPUs are
//! busy of how many, in how many servers, and whether only the first ones are drawn.

use super::ClusterModel;
use crate::units::{count, thousands};

pub fn caption(c: &ClusterModel) -> String {
    let hidden = c.hidden_gpus;
    let beyond = c.beyond();
    // GPUs placed past the declared cluster are counted apart, so that "busy of" never
    // reads as a cluster larger than the one declared.
    let used = c.cells.iter().filter(|g| g.used && !c.beyond_cluster(g.gpu)).count();
    let total = if beyond > 0 { c.cluster_gpus as u64 } else { c.gpus as u64 + hidden as u64 };
    let past = if beyond > 0 {
        format!(" · {} placed beyond the cluster", count(beyond as u64, "more GPU", "more GPUs"))
    } else {
        String::new()
    };
    format!(
        "{} of {} busy{past} · {} × {}{}",
        thousands(used),
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
    fn gpus_past_the_declared_cluster_are_counted_apart() {
        // The example places nodes on GPUs 0–2; a cluster declared as 2 GPUs leaves GPU 2
        // beyond it, drawn and marked, not counted as the cluster's (corpus #32: 35 GPU ids
        // on a 32-GPU cluster read "35 of 35 GPUs busy").
        let mut plan = read_plan(SEED_EP64_TP2.text).unwrap();
        plan.meta.cluster.gpus = Some(2);
        let report = verify(&plan, &VerifyOptions::default());
        let c = build(&plan, &report, plan.meta.strategy);
        assert_eq!((c.gpus, c.cluster_gpus, c.beyond()), (3, 2, 1));
        assert!(c.beyond_cluster(2) && !c.beyond_cluster(1));
        assert_eq!(caption(&c), "2 of 2 GPUs busy · 1 more GPU placed beyond the cluster · 1 server × 8 GPUs");
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
