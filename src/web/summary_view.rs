//! The summary card of the open plan.

use super::loaded::Loaded;
use leptos::prelude::*;

#[component]
pub fn SummaryView(loaded: Loaded) -> impl IntoView {
    let s = loaded.summary.clone();
    let meta = &loaded.plan.meta;
    let declared_gpus = meta.cluster.gpus;
    let strategy = meta.strategy_name.clone().or_else(|| meta.strategy.map(|s| s.to_string()));
    let gpus_text = match declared_gpus {
        Some(total) => format!("{} of {}", s.gpus_used, total),
        None => s.gpus_used.to_string(),
    };
    view! {
        <section class="card summary" data-testid="summary" aria-label="Plan summary">
            <h2 class="file-name" data-field="file">{loaded.file_name.clone()}</h2>
            <dl class="facts">
                <div><dt>"Format"</dt><dd data-field="format">{s.format.clone()}</dd></div>
                <div><dt>"Nodes"</dt><dd data-field="nodes">{s.nodes}</dd></div>
                <div><dt>"Edges"</dt><dd data-field="edges">{s.edges}</dd></div>
                <div><dt>"GPUs used"</dt><dd data-field="gpus-used">{gpus_text}</dd></div>
                <div><dt>"Strategy"</dt><dd data-field="strategy">{strategy.unwrap_or_else(|| "not declared".into())}</dd></div>
            </dl>
        </section>
    }
}
