//! Page layout: header, error banner, then the workspace — findings beside the before
//! and after cluster views, utilization and the simulated timeline below.
//! The page state is created and provided here, once: `Session`, `Focus`, `Chrome`.

use super::dag::DagView;
use super::findings::Findings;
use super::gpu_grid::{GpuGrid, Legend, MetricPicker};
use super::header::Header;
use super::modifications::Modifications;
use super::state::{Chrome, Focus, Rewrite, Session, Side};
use super::timeline::Timeline;
use super::utilization::Utilization;
use leptos::prelude::*;
use planscope_core::analysis::Modifications as AfterModifications;
use planscope_core::share::ShownSide;
use planscope_core::summary::gpus_used_text;
use planscope_core::units::thousands;
use planscope_core::view::Refusal;
use std::sync::Arc;

#[component]
pub fn App() -> impl IntoView {
    let focus = Focus::new();
    let chrome = Chrome::new();
    let session = Session::new(focus, chrome);
    provide_context(focus);
    provide_context(chrome);
    provide_context(session);
    super::permalink::start(session);
    super::permalink::keep_address_current(session, focus, chrome);
    super::help::install_shortcuts(session, focus, chrome);

    let plan_key = Memo::new(move |_| session.opened.with(|o| o.as_ref().map(|o| PlanKey(o.before.plan.clone()))));
    let (dragging, set_dragging) = signal(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        if !session.open_files(super::file_io::files_of(ev.data_transfer().and_then(|dt| dt.files()))) {
            // Text dragged from an editor arrives as a string, not a file.
            let text = ev.data_transfer().and_then(|dt| dt.get_data("text/plain").ok()).unwrap_or_default();
            if text.trim().is_empty() {
                session.error.set(Some("Nothing to open: drop a .json, .dot or .gv file".into()));
            } else {
                session.open_text("dropped text", &text);
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
            <Header />
            <Show when=move || session.error.get().is_some()>
                <div class="banner error" role="alert" data-testid="error">
                    <span class="banner-icon" aria-hidden="true">"!"</span>
                    <span class="banner-text">{move || session.error.get().unwrap_or_default()}</span>
                    <button class="banner-close" aria-label="Dismiss" on:click=move |_| session.dismiss_error()>
                        "×"
                    </button>
                </div>
            </Show>
            <Show when=move || session.link_note.get().is_some()>
                <div class="banner note" role="status" data-testid="link-note">{move || session.link_note.get().unwrap_or_default()}</div>
            </Show>
            <Show when=move || session.note.get().is_some()>
                <div class="banner note" role="status" data-testid="note">
                    <span class="banner-text">{move || session.note.get().unwrap_or_default()}</span>
                    <button class="banner-close" aria-label="Dismiss" on:click=move |_| session.note.set(None)>
                        "×"
                    </button>
                </div>
            </Show>
            <Show when=move || session.busy.get().is_some()>
                <div class="banner info" role="status">{move || session.busy.get().unwrap_or_default()}</div>
            </Show>
            <main class="content">
                // Keyed on the plan itself: a new target or new conditions analyse the same
                // plan again, and its views (the DAG's before pane above all) stay.
                {move || match plan_key.get() {
                    Some(_) => view! { <Workspace /> }.into_any(),
                    None => view! { <p class="empty">"Drop a plan file anywhere on this page."</p> }.into_any(),
                }}
            </main>
            <super::review::Review />
            <super::help::Help />
            <Show when=move || dragging.get()>
                <div class="drop-overlay" aria-hidden="true">
                    <div class="drop-card">"Drop a plan (JSON, DOT, .gz) to open it, with its config.json, hardware and launch files if you have them"</div>
                </div>
            </Show>
        </div>
    }
}

/// A strategy name that breaks after its underscores (`EP64_TP8_` / `DP8_ETP1`) when its
/// card is narrow, rather than inside a degree.
fn breakable(name: String) -> impl IntoView {
    name.split_inclusive('_').map(|part| view! { {part.to_string()}<wbr /> }).collect_view()
}

/// The open plan by identity: the workspace is rebuilt for another plan, not for the
/// same plan analysed again.
#[derive(Clone)]
struct PlanKey(Arc<planscope_core::model::Plan>);

impl PartialEq for PlanKey {
    fn eq(&self, other: &PlanKey) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The after side's card: its grid and modifications (or, for a compared plan, what it
/// resolved, left and introduced), why there is no rewrite, or how to ask for one.
fn after_card(after: Option<Rewrite>) -> AnyView {
    match after.map(|r| r.outcome) {
        Some(Ok(a)) => {
            let verdict =
                if a.analysis.report.errors().next().is_none() { "verifies clean" } else { "still has errors" };
            let (title, body) = match &a.modifications {
                AfterModifications::Compare(c) => (
                    format!("After · {}", c.file_name),
                    view! { <super::compare::CompareFindings comparison=c.clone() /> }.into_any(),
                ),
                m => (
                    format!("After · {}", a.analysis.strategy.map(|s| s.short()).unwrap_or_default()),
                    view! { <Modifications mods=planscope_core::view::modifications(m) /> }.into_any(),
                ),
            };
            view! {
                <section class="card side after" aria-label="After">
                    <header class="section-head">
                        <h2 data-testid="after-title">{title}</h2>
                        <span class="muted" data-testid="after-verdict">{verdict}</span>
                    </header>
                    <GpuGrid side=Side::After cluster=a.analysis.cluster.clone() />
                    {body}
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
                <p class="muted" data-testid="after-empty">
                    "The plan declares no strategy. Type a target such as EP64_TP2 above and press Rewrite, or "
                    "compare with a second plan of your own (Compare…)."
                </p>
            </section>
        }
        .into_any(),
    }
}

/// The workspace of the open plan. Built once per plan; everything that depends on the
/// target or the conditions reads the session, so it follows a change of either.
#[component]
fn Workspace() -> impl IntoView {
    let session = expect_context::<Session>();
    let chrome = expect_context::<Chrome>();
    let Some(opened) = session.opened.get_untracked() else { return ().into_any() };
    let s = opened.summary.clone();
    let declared = opened
        .before
        .plan
        .meta
        .strategy_name
        .clone()
        .or_else(|| opened.before.plan.meta.strategy.map(|s| s.to_string()));
    // The before side as last analysed (same plan, report for the current target and conditions).
    let before = move || session.opened.with(|o| o.as_ref().map(|o| o.before.clone()));
    let gpus_used = s.gpus_used;
    let gpus_text = move || gpus_used_text(gpus_used as u64, before().and_then(|b| b.report.metrics.gpus_total));
    let held_to =
        move || session.after.with(|a| a.as_ref().and_then(|r| r.target)).map(|t| format!("held to {}", t.short()));
    // The after side's analysis, when the rewrite succeeded; read by the parts that
    // follow a rewrite.
    let after_ok = move || session.after.with(|a| a.as_ref().and_then(Rewrite::ok).map(|a| a.analysis.clone()));
    let utilization = move || {
        before().map(|b| {
            view! {
                <Utilization before=b.clone() after=after_ok() />
                <super::step_breakdown::StepBreakdown before=b after=after_ok() />
            }
        })
    };
    // Before and after stacked, each with every GPU.
    let timeline = move || {
        let before = before()?;
        let after = after_ok().map(|a| view! { <Timeline analysis=a title="Simulated step · after" side="after" /> });
        let title = if after.is_some() { "Simulated step · before" } else { "Simulated step" };
        Some(view! {
            <div class="timelines" data-testid="timeline">
                <Timeline analysis=before title=title side="before" />
                {after}
            </div>
        })
    };
    let findings = move || before().map(|b| view! { <Findings report=b.report.clone() /> });
    let before_verdict = move || {
        before().map_or("", |b| if b.report.errors().next().is_none() { "verifies clean" } else { "has errors" })
    };
    let before_grid = move || before().map(|b| view! { <GpuGrid side=Side::Before cluster=b.cluster.clone() /> });
    view! {
        <section class="card summary" data-testid="summary" aria-label="Plan summary">
            <h2 class="file-name" data-field="file">{opened.file_name.clone()}</h2>
            <dl class="facts">
                <div><dt>"Format"</dt><dd data-field="format">{s.format.clone()}</dd></div>
                <div><dt>"Nodes"</dt><dd data-field="nodes">{thousands(s.nodes)}</dd></div>
                <div><dt>"Edges"</dt><dd data-field="edges">{thousands(s.edges)}</dd></div>
                <div><dt>"GPUs used"</dt><dd data-field="gpus-used">{gpus_text}</dd></div>
                <div><dt>"Strategy"</dt><dd data-field="strategy">{breakable(declared.unwrap_or_else(|| "not declared".into()))}</dd></div>
                <div><dt>"Target"</dt><dd data-field="target">{move || breakable(held_to().unwrap_or_else(|| "none".into()))}</dd></div>
            </dl>
        </section>
        <super::conditions::ConditionsPanel />
        <super::advisor::AdvisorPanel />
        <div class="workspace">
            {findings}
            <div class="main-area">
                <div class="view-bar">
                    <MetricPicker />
                    <Legend />
                </div>
                <div
                    class="sides"
                    class:only-before=move || chrome.shown.get() == ShownSide::Before
                    class:only-after=move || chrome.shown.get() == ShownSide::After
                >
                    <section class="card side before" aria-label="Before">
                        <header class="section-head">
                            <h2>"Before · as written"</h2>
                            <span class="muted" data-testid="before-verdict">{before_verdict}</span>
                        </header>
                        {before_grid}
                    </section>
                    {move || after_card(session.after.get())}
                </div>
                <DagView before=opened.before.clone() />
                {utilization}
                {timeline}
            </div>
        </div>
    }
    .into_any()
}
