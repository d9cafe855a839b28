//! The after side's required modifications, from the core's view model: the count of
//! changes, then each action's groups under its heading (as the report lists them).

use leptos::prelude::*;
use planscope_core::units::count;
use planscope_core::view::ModificationsView;

fn list(items: Vec<String>, tail: Option<String>) -> impl IntoView {
    view! {
        // A long list scrolls in its box: focusable, so the keyboard can scroll it too.
        {(!items.is_empty()).then(|| view! { <ul tabindex="0">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> })}
        {tail.map(|t| view! { <p class="muted">{t}</p> })}
    }
}

#[component]
pub fn Modifications(mods: ModificationsView) -> impl IntoView {
    let actions = mods
        .actions
        .into_iter()
        .map(|a| {
            let tail = a.lines.tail();
            view! {
                <h3 class="mod-head" data-action=a.action.key()>{a.title}<span class="count">{a.changes}</span></h3>
                {list(a.lines.shown, tail)}
            }
        })
        .collect_view();
    let notes = (!mods.notes.is_empty()).then(|| view! { <h3 class="mod-head">"Notes"</h3>{list(mods.notes, None)}});
    view! {
        <details class="modifications" data-testid="modifications">
            <summary>{format!("Required modifications ({})", count(mods.changes as u64, "change", "changes"))}</summary>
            <p class="mod-lead">{mods.lead}</p>
            {list(mods.meta, None)}
            {actions}
            {notes}
        </details>
    }
}
