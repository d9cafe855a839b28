//! The Conditions panel's expert load: a JSON file of tokens per expert per MoE layer
//! (the one format `planscope rewrite/verify --expert-load` read, through the same core
//! reader `ExpertLoad::read`), chosen or dropped here. It is page state
//! (`Session::expert_load`): the rewrite places experts by it (EPLB) and both sides are
//! simulated under it; the permalink carries it. A file that does not read, or does not
//! fit the model, says why and changes nothing.

use super::file_io::read_file_text;
use super::state::Session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::Figures;
use planscope_core::expert_load::ExpertLoad;
use std::sync::Arc;
use web_sys::{File, HtmlInputElement};

fn load_file(session: Session, file: File, name: RwSignal<Option<String>>) {
    spawn_local(async move {
        let file_name = file.name();
        let said = |e: String| session.error.set(Some(format!("Expert load › {file_name}{e}")));
        let text = match read_file_text(&file).await {
            Ok(t) => t,
            Err(msg) => return said(format!(": {msg}")),
        };
        let load = match ExpertLoad::read(&text) {
            Ok(l) => l,
            // Syntax errors lead with line:col, joined to the name as `file:line:col`.
            Err(e @ planscope_core::expert_load::LoadError::Syntax { .. }) => return said(format!(":{e}")),
            Err(e) => return said(format!(": {e}")),
        };
        match session.set_expert_load(Some(Arc::new(load))) {
            Ok(()) => {
                session.error.set(None);
                name.set(Some(file_name.clone()));
            }
            Err(e) => said(format!(": {e}")),
        }
    });
}

/// "2 decimals" for a ratio in [0, 1].
fn ratio(v: f64) -> String {
    format!("{v:.2}")
}

#[component]
pub fn ExpertLoadInput() -> impl IntoView {
    let session = expect_context::<Session>();
    let name: RwSignal<Option<String>> = RwSignal::new(None);
    let (over, set_over) = signal(false);
    let summary = move || {
        session.expert_load.with(|l| match l {
            Some(l) => format!(
                "Expert load{}: {} layer{} × {} experts, hottest/mean {:.1}×",
                name.get().map(|n| format!(" ({n})")).unwrap_or_default(),
                l.layers(),
                if l.layers() == 1 { "" } else { "s" },
                l.experts(),
                l.hottest_over_mean()
            ),
            None => "Expert load: none (every expert gets the same tokens)".to_string(),
        })
    };
    // The rewrite's EPLB figure and the simulated balancedness of both sides.
    let balance = move || {
        session.expert_load.with(Option::is_some).then(|| {
            let mut parts = Vec::new();
            let after = session.after.with(|a| a.as_ref().and_then(|r| r.ok().map(|a| (a.balance.clone(), Figures::of(&a.analysis)))));
            if let Some((Some(b), _)) = &after {
                parts.push(format!(
                    "Expert token balancedness (mean/max per GPU): {} with contiguous placement → {} with the rewrite's load-aware placement ({} spare slot{} per EP rank)",
                    ratio(b.before),
                    ratio(b.after),
                    b.spare_slots_per_rank,
                    if b.spare_slots_per_rank == 1 { "" } else { "s" },
                ));
            }
            let before = session.opened.with(|o| o.as_ref().and_then(|o| Figures::of(&o.before).balancedness));
            let after = after.and_then(|(_, f)| f.balancedness);
            match (before, after) {
                (Some(b), Some(a)) => parts.push(format!("Simulated balancedness under the load: before {} → after {}", ratio(b), ratio(a))),
                (Some(b), None) => parts.push(format!("Simulated balancedness under the load: {}", ratio(b))),
                _ => {}
            }
            parts.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()
        })
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(f) = input.files().and_then(|fs| fs.get(0)) {
            load_file(session, f, name);
        }
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        // A load dropped here is not a config file for the panel, nor a plan for the page.
        ev.prevent_default();
        ev.stop_propagation();
        set_over.set(false);
        if let Some(f) = ev.data_transfer().and_then(|dt| dt.files()).and_then(|fs| fs.get(0)) {
            load_file(session, f, name);
        }
    };
    let clear = move |_| {
        if session.set_expert_load(None).is_ok() {
            name.set(None);
        }
    };
    view! {
        <fieldset
            class="cond-load"
            class:drag-over=over
            data-testid="expert-load"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                ev.stop_propagation();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <legend>"Expert load"</legend>
            <div class="cond-load-bar">
                <span data-testid="expert-load-summary">{summary}</span>
                <label class="button">
                    "Load expert load…"
                    <input
                        type="file"
                        class="visually-hidden"
                        accept=".json"
                        data-testid="expert-load-input"
                        on:change=on_file
                    />
                </label>
                <Show when=move || session.expert_load.with(Option::is_some)>
                    <button
                        type="button"
                        class="button"
                        aria-label="Clear the expert load"
                        data-testid="expert-load-clear"
                        on:click=clear
                    >
                        "Clear"
                    </button>
                </Show>
            </div>
            <ul class="cond-load-balance" data-testid="expert-load-balance">{balance}</ul>
            <p class="muted cond-help">
                "Choose or drop a JSON file of tokens per expert, one row per MoE layer: "
                <code>"[[t0, t1, …], …]"</code>
                " (the file "
                <code>"planscope rewrite --expert-load"</code>
                " reads). The rewrite then places experts by it (EPLB) and both sides are simulated under it: \
                 the experts' work and the dispatch and combine each GPU moves."
            </p>
        </fieldset>
    }
}
