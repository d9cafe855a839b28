//! Which nodes of one plan stand for a node of another: how a node of the plan as
//! written maps to the rewritten plan and back. The same id when it survived; the
//! per-GPU copies `<id>_ep<e>_tp<t>` the rewriter folds it into; else the nodes doing
//! the same operation (same kind, and same layer when both say), which is what a
//! regenerated part of the plan became.

use crate::model::{Node, Plan};
use std::collections::HashMap;

pub struct Counterparts<'a> {
    from: &'a Plan,
    to: &'a Plan,
    /// `to`'s node indices sorted by id, for exact and prefix lookups.
    by_id: Vec<u32>,
    by_op: HashMap<(String, &'static str), Vec<u32>>,
    by_kind: HashMap<&'static str, Vec<u32>>,
}

impl<'a> Counterparts<'a> {
    pub fn new(from: &'a Plan, to: &'a Plan) -> Counterparts<'a> {
        let mut by_id: Vec<u32> = (0..to.nodes.len() as u32).collect();
        by_id.sort_by(|&a, &b| to.nodes[a as usize].id.cmp(&to.nodes[b as usize].id));
        let mut by_op: HashMap<(String, &'static str), Vec<u32>> = HashMap::new();
        let mut by_kind: HashMap<&'static str, Vec<u32>> = HashMap::new();
        for (i, n) in to.nodes.iter().enumerate() {
            by_op.entry(op_key(n)).or_default().push(i as u32);
            by_kind.entry(n.kind.as_str()).or_default().push(i as u32);
        }
        Counterparts { from, to, by_id, by_op, by_kind }
    }

    fn id(&self, i: u32) -> &str {
        &self.to.nodes[i as usize].id
    }

    /// Index range in `by_id` of ids starting with `prefix`.
    fn prefixed(&self, prefix: &str) -> &[u32] {
        let lo = self.by_id.partition_point(|&i| self.id(i) < prefix);
        let hi = lo + self.by_id[lo..].partition_point(|&i| self.id(i).starts_with(prefix));
        &self.by_id[lo..hi]
    }

    fn exact(&self, id: &str) -> Option<u32> {
        let at = self.by_id.partition_point(|&i| self.id(i) < id);
        self.by_id.get(at).copied().filter(|&i| self.id(i) == id)
    }

    /// `to`'s nodes standing for `from.nodes[node]`, ascending; empty when none does.
    pub fn of(&self, node: u32) -> Vec<u32> {
        let Some(n) = self.from.nodes.get(node as usize) else { return Vec::new() };
        if let Some(i) = self.exact(&n.id) {
            return vec![i];
        }
        // Copies made from it: `embed_1` → `embed_1_ep0_tp0`, ….
        let mut out: Vec<u32> = self.prefixed(&format!("{}_", n.id)).to_vec();
        // Or the node it is a copy of: `embed_1_ep0_tp0` → `embed_1`.
        if out.is_empty() {
            let mut id = n.id.as_str();
            while let Some(cut) = id.rfind('_') {
                id = &id[..cut];
                if let Some(i) = self.exact(id) {
                    out.push(i);
                    break;
                }
            }
        }
        // Else what does the same work: the same operation, or (no operation known) the same kind.
        let same_layer = |i: &u32| match (n.layer, self.to.nodes[*i as usize].layer) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if out.is_empty()
            && n.op.is_some()
            && let Some(same) = self.by_op.get(&op_key(n))
        {
            out = same.iter().copied().filter(same_layer).collect();
            if out.is_empty() {
                out = same.clone();
            }
        }
        if out.is_empty()
            && let Some(same) = self.by_kind.get(n.kind.as_str())
        {
            out = same.iter().copied().filter(same_layer).collect();
        }
        out.sort_unstable();
        out
    }
}

fn op_key(n: &Node) -> (String, &'static str) {
    (n.op.as_ref().map(|o| o.name().to_string()).unwrap_or_default(), n.kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, NodeKind, Op};

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
    fn same_id_copies_and_same_op() {
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
        let fwd = Counterparts::new(&before, &after);
        assert_eq!(fwd.of(0), vec![0]);
        assert_eq!(fwd.of(1), vec![1, 2]);
        assert_eq!(fwd.of(2), vec![3]);
        assert_eq!(fwd.of(9), Vec::<u32>::new());
        assert_eq!(fwd.of(0), vec![0]);
        let back = Counterparts::new(&after, &before);
        assert_eq!(back.of(2), vec![1]);
        assert_eq!(back.of(3), vec![2]);
        assert_eq!(back.of(4), vec![2]);
    }

    #[test]
    fn the_example_maps_every_node_both_ways() {
        use crate::examples::SEED_EP64_TP2;
        let Ok(before) = crate::read::read_plan(SEED_EP64_TP2.text) else { panic!("example reads") };
        let Some(s) = before.meta.strategy else { panic!("example declares a strategy") };
        let Ok(r) = crate::rewrite::rewrite(&before, &crate::rewrite::Target::new(s)) else { panic!("rewrites") };
        let fwd = Counterparts::new(&before, &r.plan);
        for i in 0..before.nodes.len() as u32 {
            assert!(!fwd.of(i).is_empty(), "{} has no counterpart", before.nodes[i as usize].id);
        }
        let embed = before.nodes.iter().position(|n| n.id == "embed_1").map(|i| i as u32);
        let copies = fwd.of(embed.unwrap_or(0));
        assert!(copies.len() > 1 && copies.iter().all(|&i| r.plan.nodes[i as usize].id.starts_with("embed_1_")));
    }
}
