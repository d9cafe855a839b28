//! Two plans of the user's own: what the second (the fix) resolved, left and introduced,
//! side by side, from the core's matching (`planscope_core::compare`).

use leptos::prelude::*;
use planscope_core::analysis::Comparison;
use planscope_core::check::Finding;
use std::sync::Arc;

/// Findings shown per column before "… and N more".
const SHOWN: usize = 12;

fn column(kind: &'static str, title: &'static str, items: Vec<(Finding, Option<Finding>)>) -> impl IntoView {
    let count = items.len();
    let more = count.saturating_sub(SHOWN);
    let rows = items
        .into_iter()
        .take(SHOWN)
        .map(|(f, after)| {
            // A finding left as it was shows once; one the fix changed shows both messages.
            let changed = after.filter(|a| a.message != f.message).map(|a| {
                view! { <p class="finding-message muted">"now: "{a.message}</p> }
            });
            view! {
                <li class="compare-item" data-code=f.code.as_str()>
                    <code class="finding-code">{f.code.as_str()}</code>
                    <p class="finding-message">{f.message}</p>
                    {changed}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=format!("compare-col {kind}") data-kind=kind>
            <h4>{title}<span class="count" data-testid=format!("compare-{kind}-count")>{count}</span></h4>
            <ul>{rows}</ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("… and {more} more")}</p> })}
        </section>
    }
}

#[component]
pub fn CompareFindings(comparison: Arc<Comparison>) -> impl IntoView {
    let session = expect_context::<crate::web::state::Session>();
    let d = &comparison.findings;
    let lead = d.lead(&comparison.file_name);
    let resolved = d.resolved.iter().map(|f| (f.clone(), None)).collect();
    let left = d.left.iter().map(|(b, a)| (b.clone(), Some(a.clone()))).collect();
    let introduced = d.introduced.iter().map(|f| (f.clone(), None)).collect();
    view! {
        <div class="compare" data-testid="compare-findings">
            <p class="mod-lead">{lead}</p>
            <div class="compare-cols">
                {column("resolved", "Resolved", resolved)}
                {column("left", "Left", left)}
                {column("introduced", "Introduced", introduced)}
            </div>
            <button class="button small" data-testid="compare-stop" on:click=move |_| session.stop_comparing()>
                "Back to the rewrite"
            </button>
        </div>
    }
}
