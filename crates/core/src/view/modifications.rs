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
