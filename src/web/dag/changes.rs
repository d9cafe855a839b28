//! What the rewrite changed, where the nodes are drawn: the after side's nodes the
//! rewrite added, moved or changed in place, and the before side's nodes it removed,
//! each marked with a glyph and a colour (`canvas`); the legend says which is which and
//! how many (from the typed diff, `planscope_core::rewrite::Diff`).

use crate::web::state::{Rewrite, Session};
use leptos::prelude::*;
use planscope_core::analysis::Modifications;
use planscope_core::rewrite::{Action, Diff};
use planscope_core::units::thousands;
use std::sync::Arc;

/// The open rewrite's diff (untracked): None without a rewrite, or when the after side
/// is the plan itself.
pub fn diff(session: Session) -> Option<Arc<Diff>> {
    session.after.with_untracked(|a| match &a.as_ref().and_then(Rewrite::ok)?.modifications {
        Modifications::Rewrite(d) => Some(d.clone()),
        Modifications::None(_) | Modifications::Compare(_) => None,
    })
}

/// One legend entry: the action, its glyph, what it means, on which side, how many.
fn entries(d: &Diff) -> Vec<(Action, &'static str, &'static str, usize)> {
    [
        (Action::Add, "+", "added", d.added.len()),
        (Action::Move, "→", "moved to other GPUs", d.moved.len()),
        (Action::Change, "~", "changed in place", d.changed.len()),
        (Action::Remove, "−", "removed (marked on the before side)", d.removed.len()),
    ]
    .into_iter()
    .filter(|e| e.3 > 0)
    .collect()
}

#[component]
pub fn Legend(session: Session) -> impl IntoView {
    let body = move || {
        let d = session.after.with(|a| match &a.as_ref().and_then(Rewrite::ok)?.modifications {
            Modifications::Rewrite(d) => Some(d.clone()),
            Modifications::None(_) | Modifications::Compare(_) => None,
        })?;
        let items = entries(&d)
            .into_iter()
            .map(|(a, glyph, what, n)| {
                view! {
                    <li data-action=a.key()>
                        <span class=format!("dag-change-mark {}", a.key()) aria-hidden="true">{glyph}</span>
                        {format!("{} {what}", thousands(n))}
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="dag-legend" data-testid="dag-legend">
                <span class="muted">"The rewrite, on the after side: "</span>
                <ul>{items}</ul>
            </div>
        })
    };
    view! { {body} }
}
