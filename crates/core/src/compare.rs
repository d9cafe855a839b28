//! Two plans of the user's own, side by side: a plan and its fix (the corpus's
//! `*_fixed.dot` pairs). Which node of the fix stands for a node of the plan comes from
//! ids first, then from roles (op, layer, expert, ranks), since a fix renames and splits
//! nodes; and the findings of both sides are matched into what the fix resolved, what it
//! left and what it introduced.

use crate::check::{Code, Finding, Report};
use crate::deploy::Origins;
use crate::infer::{NodeRoles, node_roles};
use crate::model::{Op, Plan};
use std::collections::HashMap;

/// The findings of a plan and its fix, matched by code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingsDiff {
    /// In the plan, gone from the fix.
    pub resolved: Vec<Finding>,
    /// In both: (the plan's, the fix's).
    pub left: Vec<(Finding, Finding)>,
    /// New in the fix.
    pub introduced: Vec<Finding>,
}

impl FindingsDiff {
    /// `Compared with fix.json: 2 findings resolved, 1 left, none introduced.`: the page's
    /// and the report's opening line.
    pub fn lead(&self, file_name: &str) -> String {
        let n = |len: usize| if len == 0 { "none".to_string() } else { crate::units::thousands(len) };
        let resolved = match self.resolved.len() {
            0 => "no findings".to_string(),
            len => crate::units::count(len as u64, "finding", "findings"),
        };
        format!(
            "Compared with {file_name}: {resolved} resolved, {} left, {} introduced.",
            n(self.left.len()),
            n(self.introduced.len())
        )
    }

    /// Matches findings by code: within a code, equal messages pair first, then the rest
    /// in order; what is over on the plan's side was resolved, on the fix's introduced.
    /// O(f log f) in findings (grouped by code; messages compared within a code).
    pub fn between(before: &Report, after: &Report) -> FindingsDiff {
        let mut by_code: HashMap<Code, (Vec<&Finding>, Vec<&Finding>)> = HashMap::new();
        for f in &before.findings {
            by_code.entry(f.code).or_default().0.push(f);
        }
        for f in &after.findings {
            by_code.entry(f.code).or_default().1.push(f);
        }
        let mut codes: Vec<Code> = by_code.keys().copied().collect();
        crate::sort::unstable(&mut codes);
        let mut out = FindingsDiff::default();
        for code in codes {
            let (mut b, mut a) = by_code.remove(&code).unwrap_or_default();
            // Equal messages first: the same problem, untouched by the fix.
            let mut k = 0;
            while k < b.len() {
                match a.iter().position(|x| x.message == b[k].message) {
                    Some(j) => out.left.push((b.remove(k).clone(), a.remove(j).clone())),
                    None => k += 1,
                }
            }
            let pairs = b.len().min(a.len());
            let (rest_b, rest_a) = (b.split_off(pairs), a.split_off(pairs));
            out.left.extend(b.into_iter().zip(a).map(|(x, y)| (x.clone(), y.clone())));
            out.resolved.extend(rest_b.into_iter().cloned());
            out.introduced.extend(rest_a.into_iter().cloned());
        }
        out
    }
}

/// What a node is, as far as roles tell, for matching across two plans: op, layer,
/// expert and ranks. None when the node has no recognisable op (nothing to match on).
type RoleKey = (Op, Option<u32>, Option<u32>, Option<u32>, Option<u32>);

fn role_key(r: &NodeRoles) -> Option<RoleKey> {
    r.op.clone().map(|op| (op, r.layer, r.expert, r.ranks.ep, r.ranks.tp))
}

/// Which node of `before` each node of `after` stands for, as an `Origins` record (so the
/// page's counterpart lookups work for a comparison as for a rewrite): the node with the
/// same id, else the first with the same roles, else with the same op, layer and expert, else
/// with the same op and layer
/// (a fix that splits `expert_3` into shards maps each shard back to it). O(n) in nodes.
pub fn correspondence(before: &Plan, after: &Plan) -> Origins {
    let mut by_id: HashMap<&str, u32> = HashMap::with_capacity(before.nodes.len());
    let mut by_role: HashMap<RoleKey, u32> = HashMap::new();
    let mut by_expert: HashMap<(Op, Option<u32>, Option<u32>), u32> = HashMap::new();
    let mut by_op_layer: HashMap<(Op, Option<u32>), u32> = HashMap::new();
    for (i, n) in before.nodes.iter().enumerate() {
        let i = i as u32;
        by_id.entry(n.id.as_str()).or_insert(i);
        let r = node_roles(n);
        if let Some(k) = role_key(&r) {
            by_op_layer.entry((k.0.clone(), k.1)).or_insert(i);
            by_expert.entry((k.0.clone(), k.1, k.2)).or_insert(i);
            by_role.entry(k).or_insert(i);
        }
    }
    let source = after
        .nodes
        .iter()
        .map(|n| {
            by_id.get(n.id.as_str()).copied().or_else(|| {
                let k = role_key(&node_roles(n))?;
                by_role
                    .get(&k)
                    .or_else(|| by_expert.get(&(k.0.clone(), k.1, k.2)))
                    .or_else(|| by_op_layer.get(&(k.0, k.1)))
                    .copied()
            })
        })
        .collect();
    Origins::new(source, before.nodes.len(), std::iter::empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{VerifyOptions, verify};
    use crate::model::{Node, NodeKind};

    fn report(codes: &[(Code, &str)]) -> Report {
        let mut r = verify(&Plan::new(crate::model::Format::Json), &VerifyOptions::default());
        r.findings = codes.iter().map(|(c, m)| Finding::error(*c, *m)).collect();
        r
    }

    #[test]
    fn findings_split_into_resolved_left_and_introduced() {
        let before = report(&[(Code::Cycle, "a→b→a"), (Code::EpIncomplete, "1 expert"), (Code::NoOutput, "x")]);
        let after = report(&[(Code::EpIncomplete, "8 experts"), (Code::NoOutput, "x"), (Code::MemoryOver, "gpu 3")]);
        let d = FindingsDiff::between(&before, &after);
        let codes = |v: &[Finding]| v.iter().map(|f| f.code).collect::<Vec<_>>();
        assert_eq!(codes(&d.resolved), [Code::Cycle]);
        assert_eq!(codes(&d.introduced), [Code::MemoryOver]);
        let left: Vec<_> = d.left.iter().map(|(b, a)| (b.code, a.message.as_str())).collect();
        assert!(left.contains(&(Code::EpIncomplete, "8 experts")) && left.contains(&(Code::NoOutput, "x")), "{left:?}");
        assert_eq!(d.left.len(), 2);
    }

    #[test]
    fn correspondence_reads_ids_then_roles() {
        let mut before = Plan::new(crate::model::Format::Json);
        for id in ["input", "layer0_attn", "expert_3_layer_0", "output"] {
            before.nodes.push(Node::new(id, NodeKind::Compute));
        }
        let mut after = Plan::new(crate::model::Format::Json);
        for id in ["input", "layer0_attn", "expert_3_0_layer_0", "expert_3_1_layer_0", "tp_allreduce_9", "output"] {
            after.nodes.push(Node::new(id, NodeKind::Compute));
        }
        let o = correspondence(&before, &after);
        let src: Vec<_> = (0..after.nodes.len() as u32).map(|i| o.source_of(i)).collect();
        // Same ids; both shards of expert 3 (layer 0) map back to it; the new collective to nothing.
        assert_eq!(src, [Some(0), Some(1), Some(2), Some(2), None, Some(3)]);
        assert_eq!(o.built_from(2), [2, 3]);
    }
}
