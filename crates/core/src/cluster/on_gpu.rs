//! Which GPU a node belongs to, as the views link them: the GPU a node is coloured by
//! and selects in the grid (its first; a transfer's source), and whether a node runs
//! on or moves data through a GPU.

use crate::model::{Placement, Plan};

/// The GPU a node stands for: its first GPU, or a transfer's first source GPU.
pub fn first_gpu(p: &Placement) -> Option<u32> {
    match p {
        Placement::Gpus(s) => s.first(),
        Placement::Transfer { from, .. } => from.first(),
        _ => None,
    }
}

/// Whether a node with placement `p` runs on `gpu`, or sends to or receives from it.
pub fn touches(p: &Placement, gpu: u32) -> bool {
    match p {
        Placement::Gpus(s) => s.contains(gpu),
        Placement::Transfer { from, to } => from.contains(gpu) || to.contains(gpu),
        _ => false,
    }
}

/// The nodes of `plan` that touch `gpu`, by index.
pub fn nodes_on(plan: &Plan, gpu: u32) -> impl Iterator<Item = u32> + '_ {
    plan.nodes.iter().enumerate().filter(move |(_, n)| touches(&n.placement, gpu)).map(|(i, _)| i as u32)
}

/// The largest GPU any node stands for (0 when none does).
pub fn max_first_gpu(plan: &Plan) -> u32 {
    plan.nodes.iter().filter_map(|n| first_gpu(&n.placement)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GpuSet;

    use crate::model::fixture::placed as plan;

    #[test]
    fn a_node_stands_for_its_first_gpu_or_its_source() {
        assert_eq!(first_gpu(&Placement::Gpus(GpuSet::range(4, 7))), Some(4));
        let t = Placement::Transfer { from: GpuSet::single(3), to: GpuSet::single(9) };
        assert_eq!(first_gpu(&t), Some(3));
        assert_eq!(first_gpu(&Placement::Host), None);
        assert_eq!(first_gpu(&Placement::All), None);
        assert_eq!(first_gpu(&Placement::Unassigned), None);
    }

    #[test]
    fn a_transfer_touches_both_ends() {
        let t = Placement::Transfer { from: GpuSet::single(3), to: GpuSet::range(8, 9) };
        assert!(touches(&t, 3) && touches(&t, 9));
        assert!(!touches(&t, 5));
        assert!(touches(&Placement::Gpus(GpuSet::range(0, 3)), 2));
        assert!(!touches(&Placement::All, 2), "all names no GPU explicitly");
    }

    #[test]
    fn the_nodes_on_a_gpu_and_the_largest_gpu() {
        let p = plan(vec![
            Placement::Gpus(GpuSet::range(0, 1)),
            Placement::Host,
            Placement::Transfer { from: GpuSet::single(5), to: GpuSet::single(1) },
        ]);
        assert_eq!(nodes_on(&p, 1).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(nodes_on(&p, 7).count(), 0);
        assert_eq!(max_first_gpu(&p), 5);
        assert_eq!(max_first_gpu(&plan(Vec::new())), 0);
    }
}
