//! Review mode: a full-screen walk through the findings, one at a time, with ←/→. Each
//! step highlights the finding's GPUs in the before and after clusters.

use super::gpu_grid::GpuGrid;
use super::state::{Side, State};
use leptos::prelude::*;
use planscope_core::view::{Capped, NODES_SHOWN};

#[component]
pub fn Review(state: State) -> impl IntoView {
    let body = move || {
        let index = state.review.get()?;
        let opened = state.opened.get()?;
        let findings = &opened.before.report.findings;
        let total = findings.len();
        let f = findings.get(index)?.clone();
        let after = opened.after.clone().and_then(Result::ok);
        let sev = format!("{:?}", f.severity).to_lowercase();
        let nodes = (!f.nodes.is_empty()).then(|| {
            let nodes = Capped::of(&f.nodes, NODES_SHOWN);
            let tail = nodes.tail().map(|t| format!(" {t}"));
            view! { <p class="review-nodes"><span class="muted">"nodes "</span><code>{nodes.shown.join(", ")}</code>{tail}</p> }
        });
        Some(view! {
            <div class="review-step">
                <header class="review-head">
                    <span class=format!("review-sev {sev}")>{sev.clone()}</span>
                    <code class="review-code" data-testid="review-code">{f.code.as_str()}</code>
                    <span class="muted review-count" data-testid="review-count">{format!("{} of {total}", index + 1)}</span>
                </header>
                <p class="review-message">{f.message.clone()}</p>
                {nodes}
                {(!f.fix.is_empty()).then(|| view! { <p class="review-fix"><span class="fix-tag">"Fix"</span>{f.fix.clone()}</p> })}
                <div class="review-grids">
                    <section>
                        <h3>"Before"</h3>
                        <GpuGrid state=state side=Side::Before cluster=opened.before.cluster.clone() />
                    </section>
                    {after.map(|a| view! {
                        <section>
                            <h3>{format!("After · {}", a.analysis.strategy.map(|s| s.short()).unwrap_or_default())}</h3>
                            <GpuGrid state=state side=Side::After cluster=a.analysis.cluster.clone() />
                        </section>
                    })}
                </div>
            </div>
        })
    };
    view! {
        <Show when=move || state.review.get().is_some()>
            <div class="overlay review" data-testid="review" role="dialog" aria-modal="true" aria-label="Review findings">
                <div class="overlay-bar">
                    <strong>"Review"</strong>
                    <span class="muted">"← → to step · Esc to close"</span>
                    <span class="spacer"></span>
                    <button class="button small" data-testid="review-prev" on:click=move |_| state.review_step(-1)>"← Previous"</button>
                    <button class="button small" data-testid="review-next" on:click=move |_| state.review_step(1)>"Next →"</button>
                    <button class="button small" aria-label="Close review" on:click=move |_| state.close_review()>"×"</button>
                </div>
                {body}
            </div>
        </Show>
    }
}
