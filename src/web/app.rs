//! Page layout: header, error banner, then the workspace — findings beside the before
//! and after cluster views, utilization and the simulated timeline below.

use super::dag::DagView;
use super::findings::Findings;
use super::gpu_grid::{GpuGrid, Legend, MetricPicker};
use super::header::Header;
use super::modifications::Modifications;
use super::state::{Opened, Side, State};
use super::timeline::Timeline;
use super::utilization::Utilization;
use leptos::prelude::*;
use planscope_core::view::Refusal;

#[component]
pub fn App() -> impl IntoView {
    let state = State::new();
    super::permalink::start(state);
    super::permalink::keep_address_current(state);
    super::help::install_shortcuts(state);

    let (dragging, set_dragging) = signal(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        let file = ev.data_transfer().and_then(|dt| dt.files()).and_then(|files| files.get(0));
        match file {
            Some(f) => state.open_file(f),
            None => {
                // Text dragged from an editor arrives as a string, not a file.
                let text = ev.data_transfer().and_then(|dt| dt.get_data("text/plain").ok()).unwrap_or_default();
                if text.trim().is_empty() {
                    state.error.set(Some("Nothing to open: drop a .json, .dot or .gv file".into()));
                } else {
                    state.open_text("dropped text", &text);
                }
            }
        }
    };

    view! {
        <div
            class="page"
            data-testid="drop-zone"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                set_dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                // Leaving a child fires dragleave too; only the page's edge counts.
                if ev.related_target().is_none() {
                    set_dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            <Header state=state />
            <Show when=move || state.error.get().is_some()>
                <div class="banner error" role="alert" data-testid="error">
                    <span class="banner-icon" aria-hidden="true">"!"</span>
                    <span class="banner-text">{move || state.error.get().unwrap_or_default()}</span>
                    <button class="banner-close" aria-label="Dismiss" on:click=move |_| state.dismiss_error()>
                        "×"
                    </button>
                </div>
            </Show>
            <Show when=move || state.link_note.get().is_some()>
                <div class="banner note" role="status" data-testid="link-note">{move || state.link_note.get().unwrap_or_default()}</div>
            </Show>
            <Show when=move || state.busy.get().is_some()>
                <div class="banner info" role="status">{move || state.busy.get().unwrap_or_default()}</div>
            </Show>
            <main class="content">
                {move || match state.opened.get() {
                    Some(o) => view! { <Workspace state=state opened=o /> }.into_any(),
                    None => view! { <p class="empty">"Drop a plan file anywhere on this page."</p> }.into_any(),
                }}
            </main>
            <super::review::Review state=state />
            <super::help::Help state=state />
            <Show when=move || dragging.get()>
                <div class="drop-overlay" aria-hidden="true">
                    <div class="drop-card">"Drop a JSON or DOT plan to open it"</div>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn Workspace(state: State, opened: Opened) -> impl IntoView {
    let s = opened.summary.clone();
    let before = opened.before.clone();
    let after_ok = opened.after.clone().and_then(Result::ok);
    let declared = before.plan.meta.strategy_name.clone().or_else(|| before.plan.meta.strategy.map(|s| s.to_string()));
    let gpus_total = before.report.metrics.gpus_total;
    let gpus_text = match gpus_total {
        Some(t) => format!("{} of {t}", s.gpus_used),
        None => s.gpus_used.to_string(),
    };
    let after_panel = match opened.after.clone() {
        Some(Ok(a)) => {
            let verdict = if a.analysis.report.errors().next().is_none() { "verifies clean" } else { "still has errors" };
            let title = format!("After · {}", a.analysis.strategy.map(|s| s.short()).unwrap_or_default());
            let mods = planscope_core::view::modifications(&a.modifications);
            view! {
                <section class="card side after" aria-label="After">
                    <header class="section-head">
                        <h2>{title}</h2>
                        <span class="muted">{verdict}</span>
                    </header>
                    <GpuGrid state=state side=Side::After cluster=a.analysis.cluster.clone() />
                    <Modifications mods=mods />
                </section>
            }
            .into_any()
        }
        Some(Err(e)) => {
            let refusal = Refusal::of(&e);
            view! {
                <section class="card side after" aria-label="After">
                    <header class="section-head"><h2>"After"</h2></header>
                    <div class="muted" data-testid="after-error">
                        <p>{format!("No rewrite: {}", refusal.head)}</p>
                        <ul>{refusal.rules.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    </div>
                </section>
            }
            .into_any()
        }
        None => view! {
            <section class="card side after" aria-label="After">
                <header class="section-head"><h2>"After"</h2></header>
                <p class="muted">"The plan declares no strategy. Type a target such as EP64_TP2 above and press Rewrite."</p>
            </section>
        }
        .into_any(),
    };
    let timeline_side = after_ok.clone().map(|a| a.analysis).unwrap_or_else(|| before.clone());
    let timeline_title = if after_ok.is_some() { "Simulated step · after" } else { "Simulated step" };
    view! {
        <section class="card summary" data-testid="summary" aria-label="Plan summary">
            <h2 class="file-name" data-field="file">{opened.file_name.clone()}</h2>
            <dl class="facts">
                <div><dt>"Format"</dt><dd data-field="format">{s.format.clone()}</dd></div>
                <div><dt>"Nodes"</dt><dd data-field="nodes">{s.nodes}</dd></div>
                <div><dt>"Edges"</dt><dd data-field="edges">{s.edges}</dd></div>
                <div><dt>"GPUs used"</dt><dd data-field="gpus-used">{gpus_text}</dd></div>
                <div><dt>"Strategy"</dt><dd data-field="strategy">{declared.unwrap_or_else(|| "not declared".into())}</dd></div>
            </dl>
        </section>
        <super::advisor::AdvisorPanel state=state advice=state.advice />
        <div class="workspace">
            <Findings state=state report=before.report.clone() />
            <div class="main-area">
                <div class="view-bar">
                    <MetricPicker state=state />
                    <Legend state=state />
                </div>
                <div
                    class="sides"
                    class:only-before=move || state.shown.get() == planscope_core::share::ShownSide::Before
                    class:only-after=move || state.shown.get() == planscope_core::share::ShownSide::After
                >
                    <section class="card side before" aria-label="Before">
                        <header class="section-head">
                            <h2>"Before · as written"</h2>
                            <span class="muted">{if before.report.errors().next().is_none() { "verifies clean" } else { "has errors" }}</span>
                        </header>
                        <GpuGrid state=state side=Side::Before cluster=before.cluster.clone() />
                    </section>
                    {after_panel}
                </div>
                <DagView state=state before=before.clone() after=opened.after.clone().and_then(Result::ok).map(|a| a.analysis) />
                <Utilization state=state before=before.clone() after=after_ok.map(|a| a.analysis) />
                <Timeline state=state analysis=timeline_side title=timeline_title />
            </div>
        </div>
    }
}
