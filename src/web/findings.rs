//! The findings panel: grouped by severity, each with its message, nodes and fix.
//! Choosing a finding highlights its GPUs and nodes in the other views.

use super::state::Focus;
use leptos::prelude::*;
use planscope_core::check::{Finding, Report, Severity};
use planscope_core::units::plural;
use std::sync::Arc;

#[component]
pub fn Findings(report: Arc<Report>) -> impl IntoView {
    let verdict_pass = report.errors().next().is_none();
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    let groups = [(Severity::Error, "Errors"), (Severity::Warning, "Warnings"), (Severity::Info, "Notes")]
        .into_iter()
        .filter_map(|(sev, title)| {
            let items: Vec<(usize, Finding)> =
                report.findings.iter().cloned().enumerate().filter(|(_, f)| f.severity == sev).collect();
            if items.is_empty() {
                return None;
            }
            let sev_key = severity_key(sev);
            Some(view! {
                <section class=format!("finding-group {sev_key}")>
                    <h3>{title}<span class="count">{items.len()}</span></h3>
                    {items.into_iter().map(|(i, f)| view! { <FindingItem index=i finding=f /> }).collect_view()}
                </section>
            })
        })
        .collect_view();
    view! {
        <aside class="card findings" data-testid="findings" aria-label="Findings">
            <header class="findings-head">
                <h2>"Findings"</h2>
                <span class=if verdict_pass { "verdict pass" } else { "verdict fail" } data-testid="verdict">
                    {if verdict_pass { "PASS" } else { "FAIL" }}
                </span>
            </header>
            <p class="muted tally">
                {format!("{} · {} · {}", plural(errors, "error"), plural(warnings, "warning"), plural(infos, "note"))}
            </p>
            {groups}
        </aside>
    }
}

fn severity_key(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

#[component]
fn FindingItem(index: usize, finding: Finding) -> impl IntoView {
    let focus = expect_context::<Focus>();
    let gpus = finding.gpus.clone();
    let nodes = finding.nodes.clone();
    let toggle = move || focus.toggle_finding(index, &gpus, &nodes);
    let toggle_key = toggle.clone();
    let active = move || focus.highlight.with(|h| h.finding == Some(index));
    let nodes_line = (!finding.nodes.is_empty()).then(|| {
        let shown: Vec<String> = finding.nodes.iter().take(12).cloned().collect();
        let rest = finding.nodes_count.saturating_sub(shown.len());
        let tail = if rest > 0 { format!(" … +{rest}") } else { String::new() };
        view! { <p class="finding-nodes"><span class="muted">"nodes "</span><code>{shown.join(", ")}</code>{tail}</p> }
    });
    let gpus_line = (finding.gpus_count > 0).then(|| {
        let text = planscope_core::check::report::gpu_ranges(&finding.gpus);
        let more = if finding.gpus_count > finding.gpus.len() {
            format!(" ({} in all)", finding.gpus_count)
        } else {
            String::new()
        };
        view! { <p class="finding-gpus"><span class="muted">"GPUs "</span><code>{text}</code>{more}</p> }
    });
    let fix = (!finding.fix.is_empty())
        .then(|| view! { <p class="finding-fix"><span class="fix-tag">"Fix"</span>{finding.fix.clone()}</p> });
    view! {
        <article
            class="finding"
            class:active=active
            data-code=finding.code.as_str()
            tabindex="0"
            role="button"
            aria-pressed=move || active().to_string()
            on:click=move |_| toggle()
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    toggle_key();
                }
            }
        >
            <code class="finding-code">{finding.code.as_str()}</code>
            <p class="finding-message">{finding.message.clone()}</p>
            {nodes_line}
            {gpus_line}
            {fix}
        </article>
    }
}
