//! Review mode: a full-screen walk through the findings, one at a time, with ←/→. Each
//! step shows, before and after, the finding's GPUs in the clusters and its nodes in the
//! graph: the nodes and their neighbours as written, and their counterparts in the
//! rewrite (`planscope_core::counterpart`) with theirs. The view behind follows too.

use super::dag::ExcerptGraph;
use super::gpu_grid::GpuGrid;
use super::state::{Chrome, Focus, Rewrite, Session, Side};
use leptos::prelude::*;
use planscope_core::counterpart::{Counterparts, Direction};
use planscope_core::model::Plan;
use planscope_core::view::{Capped, NODES_SHOWN};
use std::collections::HashSet;

/// The finding's nodes in the plan as written (by id), and their counterparts after.
fn nodes_both_sides(
    before: &Plan,
    after: Option<&planscope_core::analysis::After>,
    ids: &[String],
) -> (Vec<u32>, Vec<u32>) {
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let here: Vec<u32> = before
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| wanted.contains(n.id.as_str()))
        .map(|(i, _)| i as u32)
        .collect();
    let there = after.map(|a| {
        let map = Counterparts::new(before, &a.analysis.plan, a.origins.as_deref(), Direction::BeforeToAfter);
        let mut v: Vec<u32> = here.iter().flat_map(|&n| map.of(n)).collect();
        planscope_core::sort::unstable(&mut v);
        v.dedup();
        v
    });
    (here, there.unwrap_or_default())
}

/// Opens review mode on the first finding, closing the help; nothing without findings.
pub fn open(session: Session, focus: Focus, chrome: Chrome) {
    if session.with_findings(|f| focus.open_review(f)) {
        chrome.help_open.set(false);
    }
}

/// Moves the review by `delta` findings, stopping at the ends.
pub fn step(session: Session, focus: Focus, delta: i64) {
    session.with_findings(|f| focus.review_step(delta, f));
}

#[component]
pub fn Review() -> impl IntoView {
    let session = expect_context::<Session>();
    let focus = expect_context::<Focus>();
    let dialog = NodeRef::<leptos::html::Div>::new();
    super::dialog_focus::hold(Signal::derive(move || focus.review.get().is_some()), dialog);
    let body = move || {
        let index = focus.review.get()?;
        let opened = session.opened.get()?;
        let findings = opened.findings();
        let total = findings.len();
        let f = findings.get(index)?.clone();
        let after_side = session.after.with(|a| a.as_ref().and_then(Rewrite::ok).cloned());
        let after = after_side.as_ref().map(|a| a.analysis.clone());
        let (here, there) = nodes_both_sides(&opened.before.plan, after_side.as_ref(), &f.nodes);
        let graphs = (!f.nodes.is_empty()).then(|| {
            let before_plan = opened.before.plan.clone();
            view! {
                <div class="review-graphs" data-testid="review-graphs">
                    <section>
                        <h3>"Before · nodes"</h3>
                        <ExcerptGraph plan=before_plan seeds=here side=Side::Before testid="review-graph-before" />
                    </section>
                    {after_side.clone().map(|a| view! {
                        <section>
                            <h3>"After · counterparts"</h3>
                            <ExcerptGraph plan=a.analysis.plan.clone() seeds=there.clone() side=Side::After testid="review-graph-after" />
                        </section>
                    })}
                </div>
            }
        });
        let sev = f.severity.as_str();
        let nodes = (!f.nodes.is_empty()).then(|| {
            let nodes = Capped::of(&f.nodes, NODES_SHOWN);
            let tail = nodes.tail().map(|t| format!(" {t}"));
            view! { <p class="review-nodes"><span class="muted">"nodes "</span><code>{nodes.shown.join(", ")}</code>{tail}</p> }
        });
        Some(view! {
            <div class="review-step">
                <header class="review-head">
                    <span class=format!("review-sev {sev}")>{sev}</span>
                    <code class="review-code" data-testid="review-code">{f.code.as_str()}</code>
                    <span class="muted review-count" data-testid="review-count">{format!("{} of {total}", index + 1)}</span>
                </header>
                <p class="review-message">{f.message.clone()}</p>
                {nodes}
                {(!f.fix.is_empty()).then(|| view! { <p class="review-fix"><span class="fix-tag">"Fix"</span>{f.fix.clone()}</p> })}
                {graphs}
                <div class="review-grids">
                    <section>
                        <h3>"Before"</h3>
                        <GpuGrid side=Side::Before cluster=opened.before.cluster.clone() />
                    </section>
                    {after.map(|a| view! {
                        <section>
                            <h3>{format!("After · {}", a.strategy.map(|s| s.short()).unwrap_or_default())}</h3>
                            <GpuGrid side=Side::After cluster=a.cluster.clone() />
                        </section>
                    })}
                </div>
            </div>
        })
    };
    view! {
        <Show when=move || focus.review.get().is_some()>
            <div class="overlay review" data-testid="review" role="dialog" aria-modal="true" aria-label="Review findings" node_ref=dialog tabindex="-1">
                <div class="overlay-bar">
                    <strong>"Review"</strong>
                    <span class="muted">"← → to step · Esc to close"</span>
                    <span class="spacer"></span>
                    <button class="button small" data-testid="review-prev" on:click=move |_| step(session, focus, -1)>"← Previous"</button>
                    <button class="button small" data-testid="review-next" on:click=move |_| step(session, focus, 1)>"Next →"</button>
                    <button class="button small" aria-label="Close review" on:click=move |_| focus.close_review()>"×"</button>
                </div>
                {body}
            </div>
        </Show>
    }
}
