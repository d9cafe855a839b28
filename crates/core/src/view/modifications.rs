//! The required modifications: the diff's groups under their action, each action counted
//! in changes (nodes or edges), the meta fields set and the rewriter's notes.

use super::{Capped, GROUPS_SHOWN};
use crate::analysis::Modifications;
use crate::rewrite::{Action, Diff};

#[derive(Debug, Clone, PartialEq)]
pub struct ModificationsView {
    /// `Required modifications: 2048 node(s) added, …`, or why none are needed.
    pub lead: String,
    /// Every change: nodes added, removed, moved and changed, edges, meta fields.
    pub changes: usize,
    /// `strategy: EP1_… → EP64_…`, one per meta field set.
    pub meta: Vec<String>,
    /// One per action with groups, in `Action::ALL` order.
    pub actions: Vec<ActionGroup>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionGroup {
    pub action: Action,
    pub title: &'static str,
    /// Nodes (or edges) the action's groups change.
    pub changes: usize,
    /// One line per group (`add 2048 expert shards expert_<e>_<t>_layer_<l> (…) on GPUs 0–127`).
    pub lines: Capped<String>,
}

pub fn modifications(m: &Modifications) -> ModificationsView {
    match m {
        Modifications::None(s) => ModificationsView {
            lead: format!("No modifications needed: the plan is already a correct {} deployment.", s.short()),
            changes: 0,
            meta: Vec::new(),
            actions: Vec::new(),
            notes: Vec::new(),
        },
        Modifications::Rewrite(d) => of_diff(d),
        Modifications::Compare(c) => {
            let d = &c.findings;
            ModificationsView {
                lead: d.lead(&c.file_name),
                changes: d.resolved.len() + d.introduced.len(),
                meta: Vec::new(),
                actions: Vec::new(),
                notes: Vec::new(),
            }
        }
    }
}

pub fn of_diff(d: &Diff) -> ModificationsView {
    let actions = Action::ALL
        .into_iter()
        .filter_map(|action| {
            let groups: Vec<_> = d.groups_of(action).collect();
            let lines: Vec<String> = groups.iter().take(GROUPS_SHOWN).map(ToString::to_string).collect();
            (!groups.is_empty()).then(|| ActionGroup {
                action,
                title: action.title(),
                changes: groups.iter().map(|g| g.count()).sum(),
                lines: Capped { more: groups.len() - lines.len(), shown: lines },
            })
        })
        .collect();
    let lead = if d.is_empty() { format!("{} (none: the plan already has this form)", d.lead()) } else { d.lead() };
    ModificationsView {
        lead,
        changes: d.changes(),
        meta: d.meta.iter().map(|m| format!("set {m}")).collect(),
        actions,
        notes: d.notes.iter().map(ToString::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Request, after_side, analyze};
    use crate::examples::SEED_EP64_TP2;
    use crate::model::Strategy;
    use crate::read::read_plan;
    use std::sync::Arc;

    #[test]
    fn modifications_are_grouped_by_action_and_counted_in_changes() {
        let before = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let s = Strategy::parse("EP64_TP2").unwrap();
        let after = after_side(&before, s, &Request::default()).unwrap();
        let Modifications::Rewrite(d) = &after.modifications else { panic!("the seed needs a rewrite") };
        let v = modifications(&after.modifications);
        assert_eq!(v.changes, d.changes());
        let order: Vec<Action> = v.actions.iter().map(|a| a.action).collect();
        assert_eq!(order, [Action::Remove, Action::Add, Action::Rewire]);
        let changes = |a: Action| v.actions.iter().find(|g| g.action == a).map_or(0, |g| g.changes);
        assert_eq!(changes(Action::Remove), d.removed.len());
        assert_eq!(changes(Action::Add), d.added.len());
        assert_eq!(changes(Action::Rewire), d.edges_added + d.edges_removed);
        // Lines are groups, far fewer than the changes they stand for.
        let add = v.actions.iter().find(|g| g.action == Action::Add).unwrap();
        assert_eq!(add.lines.shown.len(), d.groups_of(Action::Add).count());
        assert!(add.lines.shown.len() < 20 && add.changes > 10_000);
        assert!(v.lead.starts_with("Required modifications: "));
        assert_eq!(v.meta, ["set other meta fields (the given constants)"]);
        assert_eq!(v.notes.len(), d.notes.len());
        // A plan that already verifies clean needs none.
        let none = modifications(&Modifications::None(s));
        assert_eq!((none.changes, none.actions.len()), (0, 0));
        assert!(none.lead.starts_with("No modifications needed"));
    }

    #[test]
    fn long_actions_list_their_first_groups_and_how_many_more() {
        use crate::rewrite::{DiffGroup, What};
        let groups = (0..GROUPS_SHOWN + 5)
            .map(|i| DiffGroup::Nodes {
                action: Action::Add,
                pattern: format!("x{i}"),
                what: What::Gate,
                nodes: vec![format!("x{i}"), format!("y{i}")],
                gpus: crate::model::GpuSet::single(0),
            })
            .collect();
        let d = Diff { groups, ..Diff::default() };
        let v = of_diff(&d);
        assert_eq!(v.actions[0].lines.shown.len(), GROUPS_SHOWN);
        assert_eq!(v.actions[0].lines.more, 5);
        assert_eq!(v.actions[0].changes, 2 * (GROUPS_SHOWN + 5));
    }
}
