//! The findings panel: grouped by severity, each with its message, nodes and fix, from the
//! core's view model (`planscope_core::view`), as the report shows them.
//! Choosing a finding highlights its GPUs and nodes in the other views.

use super::dag::Selection;
use super::state::{Focus, Side};
use leptos::prelude::*;
use planscope_core::check::Report;
use planscope_core::view::{FindingView, findings_panel};
use std::sync::Arc;

#[component]
pub fn Findings(report: Arc<Report>) -> impl IntoView {
    let panel = findings_panel(&report);
    let verdict = panel.verdict;
    let groups = panel
        .groups
        .into_iter()
        .map(|g| {
            let count = g.items.len();
            let items =
                g.items.into_iter().map(|f| view! { <FindingItem report=report.clone() finding=f /> }).collect_view();
            view! {
                <section class=format!("finding-group {}", g.key)>
                    <h3>{g.title}<span class="count">{count}</span></h3>
                    {items}
                </section>
            }
        })
        .collect_view();
    view! {
        <aside class="card findings" data-testid="findings" aria-label="Findings">
            <header class="findings-head">
                <h2>"Findings"</h2>
                <span class=verdict.class() data-testid="verdict">{verdict.word()}</span>
            </header>
            <p class="muted tally">{panel.tally}</p>
            {groups}
        </aside>
    }
}

#[component]
fn FindingItem(report: Arc<Report>, finding: FindingView) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let index = finding.index;
    // The whole lists light up, not just the ids shown.
    let toggle = move || {
        if let Some(f) = report.findings.get(index) {
            focus.toggle_finding(index, &f.gpus, &f.nodes);
        }
    };
    let toggle_key = toggle.clone();
    let active = move || focus.highlight.with(|h| h.finding == Some(index));
    // Each node id is a button: it selects that node in the graph and shows it, with
    // its counterparts after (the click does not toggle the finding).
    let nodes_line = (!finding.nodes.shown.is_empty()).then(|| {
        let tail = finding.nodes.tail().map(|t| format!(" {t}"));
        let last = finding.nodes.shown.len().saturating_sub(1);
        let ids = finding
            .nodes
            .shown
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let pick = id.clone();
                let label = format!("Show node {id} in the graph");
                view! {
                    <span class="node-link-item">
                    <button
                        type="button"
                        class="node-link"
                        data-node=id.clone()
                        aria-label=label
                        on:click=move |ev| {
                            ev.stop_propagation();
                            focus.dag.set(Selection::ids(Side::Before, vec![pick.clone()]));
                        }
                        on:keydown=|ev| ev.stop_propagation()
                    >
                        {id.clone()}
                    </button>
                    {(k < last).then_some(",")}
                    </span>
                    {(k < last).then_some(" ")}
                }
            })
            .collect_view();
        view! { <p class="finding-nodes"><span class="muted">"nodes "</span><code>{ids}</code>{tail}</p> }
    });
    let gpus_line = finding.gpus.map(|g| {
        let tail = g.tail();
        view! { <p class="finding-gpus"><span class="muted">"GPUs "</span><code>{g.ranges}</code>{tail}</p> }
    });
    let fix = finding.fix.map(|fix| view! { <p class="finding-fix"><span class="fix-tag">"Fix"</span>{fix}</p> });
    view! {
        // The card is a container (its node ids are buttons of their own); its toggle is the
        // button holding the code and message, whose click bubbles to the card, as does a
        // click anywhere else on it.
        <article class="finding" class:active=active data-code=finding.code on:click=move |_| toggle()>
            <button
                type="button"
                class="finding-toggle"
                aria-pressed=move || active().to_string()
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        toggle_key();
                    }
                }
            >
                <code class="finding-code">{finding.code}</code>
                <span class="finding-message">{finding.message}</span>
            </button>
            {nodes_line}
            {gpus_line}
            {fix}
        </article>
    }
}
