//! The typed diff per node, for views that mark nodes where they are drawn: on the after
//! side, the nodes the rewrite added, moved between GPUs or changed in place; on the
//! before side, the nodes it removed (they have no place after). O(V + changes).

use super::diff::{Action, Diff};
use crate::model::Plan;
use foldhash::{HashMap, HashMapExt, HashSet};

/// Per node of `after` (the rewrite's plan), what the rewrite did to it, if anything.
pub fn after_marks(diff: &Diff, after: &Plan) -> Vec<Option<Action>> {
    let mut by_id: HashMap<&str, Action> = HashMap::new();
    for id in &diff.added {
        by_id.insert(id, Action::Add);
    }
    for m in &diff.moved {
        by_id.insert(&m.id, Action::Move);
    }
    for id in &diff.changed {
        by_id.insert(id, Action::Change);
    }
    after.nodes.iter().map(|n| by_id.get(n.id.as_str()).copied()).collect()
}

/// Per node of `before` (the plan as written): `Remove` where the rewrite removed it.
pub fn before_marks(diff: &Diff, before: &Plan) -> Vec<Option<Action>> {
    let removed: HashSet<&str> = diff.removed.iter().map(String::as_str).collect();
    before.nodes.iter().map(|n| removed.contains(n.id.as_str()).then_some(Action::Remove)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_rewrite_marks_every_change_once() {
        use crate::examples::SEED_EP64_TP2;
        let Ok(before) = crate::read::read_plan(SEED_EP64_TP2.text) else { panic!("example reads") };
        let Some(s) = before.meta.strategy else { panic!("example declares a strategy") };
        let Ok(r) = crate::rewrite::rewrite(&before, &crate::rewrite::Target::new(s)) else { panic!("rewrites") };
        let after = after_marks(&r.diff, &r.plan);
        assert_eq!(after.len(), r.plan.nodes.len());
        let count = |a: Action| after.iter().filter(|m| **m == Some(a)).count();
        assert_eq!(count(Action::Add), r.diff.added.len());
        assert_eq!(count(Action::Move), r.diff.moved.len());
        assert_eq!(count(Action::Change), r.diff.changed.len());
        assert!(count(Action::Add) > 0);
        let before_m = before_marks(&r.diff, &before);
        assert_eq!(before_m.iter().filter(|m| m.is_some()).count(), r.diff.removed.len());
        // A node kept as it was is not marked.
        let kept =
            r.plan.nodes.iter().zip(&after).filter(|(n, m)| m.is_none() && before.nodes.iter().any(|b| b.id == n.id));
        assert!(kept.count() + r.diff.added.len() + r.diff.moved.len() + r.diff.changed.len() >= r.plan.nodes.len());
    }
}
