//! Which nodes of one side stand for a node of the other: how a node of the plan as
//! written maps to the after side and back.
//!
//! The answer comes from the rewriter's record (`deploy::Origins`), written as each node
//! was built: before → after, a source node gives the nodes built for it (its per-GPU
//! copies, an expert's shards and replicas, the collectives that replace a comm node), or,
//! when it has none of its own, those of the node it was folded into; after → before, a
//! built node gives the source node it was built for. Ids are never read.
//!
//! The one fallback is for a pair with no record: the after side is the plan itself
//! (it already verified clean), so node i stands for node i (checked by id).

use crate::deploy::Origins;
use crate::model::Plan;

/// Which way a lookup goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the plan as written to the after side.
    BeforeToAfter,
    /// From the after side to the plan as written.
    AfterToBefore,
}

pub struct Counterparts<'a> {
    from: &'a Plan,
    to: &'a Plan,
    /// The record, when it fits the pair (its sides have the plans' sizes).
    record: Option<&'a Origins>,
    direction: Direction,
}

impl<'a> Counterparts<'a> {
    /// `origins` is the after side's record (None when the after side is the plan itself).
    pub fn new(from: &'a Plan, to: &'a Plan, origins: Option<&'a Origins>, direction: Direction) -> Counterparts<'a> {
        let (before, after) = match direction {
            Direction::BeforeToAfter => (from, to),
            Direction::AfterToBefore => (to, from),
        };
        let record = origins.filter(|o| o.source_len() == before.nodes.len() && o.built_len() == after.nodes.len());
        Counterparts { from, to, record, direction }
    }

    /// `to`'s nodes standing for `from.nodes[node]`, ascending; empty when none does.
    pub fn of(&self, node: u32) -> Vec<u32> {
        match (self.record, self.direction) {
            (Some(o), Direction::BeforeToAfter) => o.built_from(node).to_vec(),
            (Some(o), Direction::AfterToBefore) => o.source_of(node).into_iter().collect(),
            (None, _) => {
                let same = self.from.nodes.get(node as usize).zip(self.to.nodes.get(node as usize));
                if same.is_some_and(|(a, b)| a.id == b.id) { vec![node] } else { Vec::new() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Node, NodeKind, Op};

    fn plan(nodes: &[(&str, NodeKind, Op, Option<u32>)]) -> Plan {
        let mut p = Plan::new(Format::Json);
        for (id, kind, op, layer) in nodes {
            let mut n = Node::new(*id, *kind);
            n.op = Some(op.clone());
            n.layer = *layer;
            p.nodes.push(n);
        }
        p
    }

    #[test]
    fn the_record_maps_copies_both_ways() {
        let before = plan(&[
            ("input_0", NodeKind::Input, Op::Other("input".into()), None),
            ("embed_1", NodeKind::Compute, Op::Embedding, None),
            ("expert_2", NodeKind::Compute, Op::Expert, Some(0)),
        ]);
        let after = plan(&[
            ("input_0", NodeKind::Input, Op::Other("input".into()), None),
            ("embed_1_ep1_tp0", NodeKind::Compute, Op::Embedding, None),
            ("embed_1_ep0_tp0", NodeKind::Compute, Op::Embedding, None),
            ("expert_0_0_layer_0", NodeKind::Compute, Op::Expert, Some(0)),
            ("expert_0_0_layer_1", NodeKind::Compute, Op::Expert, Some(1)),
            ("embed_10", NodeKind::Compute, Op::Embedding, None),
        ]);
        let o = Origins::new(vec![Some(0), Some(1), Some(1), Some(2), Some(2), None], 3, []);
        let fwd = Counterparts::new(&before, &after, Some(&o), Direction::BeforeToAfter);
        assert_eq!(fwd.of(0), vec![0]);
        assert_eq!(fwd.of(1), vec![1, 2]);
        assert_eq!(fwd.of(2), vec![3, 4]);
        assert_eq!(fwd.of(9), Vec::<u32>::new());
        let back = Counterparts::new(&after, &before, Some(&o), Direction::AfterToBefore);
        assert_eq!(back.of(2), vec![1]);
        assert_eq!(back.of(3), vec![2]);
        assert_eq!(back.of(4), vec![2]);
        assert_eq!(back.of(5), Vec::<u32>::new(), "built for nothing in the source");
    }

    #[test]
    fn without_a_record_a_plan_is_its_own_counterpart() {
        let p = plan(&[("a", NodeKind::Compute, Op::Attention, None), ("b", NodeKind::Compute, Op::Gate, None)]);
        let c = Counterparts::new(&p, &p, None, Direction::BeforeToAfter);
        assert_eq!((c.of(0), c.of(1), c.of(2)), (vec![0], vec![1], vec![]));
        // A record that does not fit the pair is not used.
        let o = Origins::new(vec![Some(1)], 5, []);
        assert_eq!(Counterparts::new(&p, &p, Some(&o), Direction::AfterToBefore).of(0), vec![0]);
    }

    fn seed_rewrite() -> (Plan, crate::rewrite::Rewrite) {
        use crate::examples::SEED_EP64_TP2;
        let Ok(before) = crate::read::read_plan(SEED_EP64_TP2.text) else { panic!("example reads") };
        let Some(s) = before.meta.strategy else { panic!("example declares a strategy") };
        let Ok(r) = crate::rewrite::rewrite(&before, &crate::rewrite::Target::new(s)) else { panic!("rewrites") };
        (before, r)
    }

    #[test]
    fn the_example_maps_every_node_both_ways() {
        let (before, r) = seed_rewrite();
        let fwd = Counterparts::new(&before, &r.plan, Some(&r.origins), Direction::BeforeToAfter);
        let back = Counterparts::new(&r.plan, &before, Some(&r.origins), Direction::AfterToBefore);
        for i in 0..before.nodes.len() as u32 {
            let there = fwd.of(i);
            assert!(!there.is_empty(), "{} has no counterpart", before.nodes[i as usize].id);
            assert!(there.iter().all(|&j| back.of(j) == vec![i]), "{} and back", before.nodes[i as usize].id);
        }
        let embed = before.nodes.iter().position(|n| n.id == "embed_1").map(|i| i as u32);
        let copies = fwd.of(embed.unwrap_or(0));
        assert!(copies.len() > 1 && copies.iter().all(|&i| r.plan.nodes[i as usize].id.starts_with("embed_1_")));
        // One per GPU of EP64×TP2, as the page's counterpart count says (tests/browser/dag.test.mjs).
        assert_eq!(copies.len(), 128);
    }

    #[test]
    fn the_example_expert_maps_to_its_shards_and_back() {
        let (before, r) = seed_rewrite();
        let Some(expert) = before.nodes.iter().position(|n| n.id == "expert_2") else { panic!("seed has expert_2") };
        let fwd = Counterparts::new(&before, &r.plan, Some(&r.origins), Direction::BeforeToAfter);
        let shards = fwd.of(expert as u32);
        // Expert 2's TP shards in each of the 16 layers, on the GPUs of EP rank 2.
        assert_eq!(shards.len(), 16 * 2);
        for &s in &shards {
            let n = &r.plan.nodes[s as usize];
            assert_eq!((n.op.as_ref(), n.expert), (Some(&Op::Expert), Some(2)), "{}", n.id);
        }
        let back = Counterparts::new(&r.plan, &before, Some(&r.origins), Direction::AfterToBefore);
        assert!(shards.iter().all(|&s| back.of(s) == vec![expert as u32]));
        // The dispatch and combine the rewrite built stand for the seed's two comm nodes.
        for (id, built) in [("comm_1", "_ep_dispatch_tp"), ("comm_2", "_ep_combine_tp")] {
            let Some(src) = before.nodes.iter().position(|n| n.id == id) else { panic!("seed has {id}") };
            let ids: Vec<&str> = fwd.of(src as u32).iter().map(|&i| r.plan.nodes[i as usize].id.as_str()).collect();
            assert!(!ids.is_empty() && ids.iter().all(|x| x.contains(built)), "{id} → {ids:?}");
        }
    }

    #[test]
    fn renaming_the_rewrite_leaves_counterparts_alone() {
        let (before, r) = seed_rewrite();
        let mut renamed = r.plan.clone();
        for (i, n) in renamed.nodes.iter_mut().enumerate() {
            n.id = format!("renamed{i}");
        }
        renamed.edges.clear();
        for i in 0..before.nodes.len() as u32 {
            let a = Counterparts::new(&before, &r.plan, Some(&r.origins), Direction::BeforeToAfter).of(i);
            let b = Counterparts::new(&before, &renamed, Some(&r.origins), Direction::BeforeToAfter).of(i);
            assert_eq!(a, b);
        }
        for j in 0..r.plan.nodes.len() as u32 {
            let a = Counterparts::new(&r.plan, &before, Some(&r.origins), Direction::AfterToBefore).of(j);
            let b = Counterparts::new(&renamed, &before, Some(&r.origins), Direction::AfterToBefore).of(j);
            assert_eq!(a, b);
        }
    }
}
