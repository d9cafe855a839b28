//! The strategy advisor in the page: weighs every valid (EP, TP, PP, DP) for the open plan's
//! cluster, a few candidates per slice so the page stays responsive, and lists the best
//! five with why; "Use" rewrites to one.

use super::file_io::yield_to_paint;
use super::state::{Chrome, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::advise::{RankedBy, Suggestion, candidates, evaluate, rank};
use planscope_core::cost::Counted;
use planscope_core::limits::Capacity;
use planscope_core::model::{Meta, Strategy};

#[derive(Clone, Default)]
pub struct Advice {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    pub best: Vec<Suggestion>,
    /// The strategy in the Target box when the advisor ran, with its figures (or why the
    /// advisor would not weigh it), so the best can be compared with it.
    pub current: Option<(Strategy, Result<Suggestion, String>)>,
    pub error: Option<String>,
}

/// Budget of work between two yields to the browser, in milliseconds.
const SLICE_MS: f64 = 40.0;

pub fn run(session: Session, chrome: Chrome) {
    let advice = chrome.advice;
    let Some(opened) = session.opened.get_untracked() else { return };
    let plan = opened.before.plan.clone();
    let target = Strategy::parse(&session.target_text.get_untracked()).ok();
    // The advisor weighs candidates under the same conditions both sides are held to.
    let conditions: Meta = session.conditions.get_untracked();
    spawn_local(async move {
        let (n, cands) = match candidates(&plan, None, &conditions) {
            Ok(c) => c,
            Err(e) => {
                advice.set(Some(Advice { error: Some(e.to_string()), ..Advice::default() }));
                return;
            }
        };
        let total = cands.len();
        advice.set(Some(Advice { running: true, total, ..Advice::default() }));
        let mut found: Vec<Suggestion> = Vec::new();
        let mut refused = Vec::new();
        let mut slice_start = js_sys::Date::now();
        for (i, s) in cands.into_iter().enumerate() {
            match evaluate(&plan, s, n, &conditions, Capacity::PAGE) {
                Ok(sug) => found.push(sug),
                Err(why) => refused.push(why),
            }
            if js_sys::Date::now() - slice_start > SLICE_MS {
                advice.update(|a| {
                    if let Some(a) = a {
                        a.done = i + 1;
                    }
                });
                yield_to_paint().await;
                // The user opened another plan meanwhile: stop.
                if session
                    .opened
                    .with_untracked(|o| o.as_ref().is_none_or(|o| !std::sync::Arc::ptr_eq(&o.before.plan, &plan)))
                {
                    return;
                }
                slice_start = js_sys::Date::now();
            }
        }
        let error = found.is_empty().then(|| {
            let first: Vec<String> = refused.into_iter().take(3).collect();
            format!("No strategy fits {n} GPUs: {}", first.join("; "))
        });
        // The current target's figures: weighed with the others when it was a candidate,
        // else on its own (a refusal says why it is not one).
        let current = target.map(|t| {
            let weighed = found.iter().find(|s| s.strategy == t).cloned();
            (t, weighed.map_or_else(|| evaluate(&plan, t, n, &conditions, Capacity::PAGE), Ok))
        });
        advice.set(Some(Advice { running: false, done: total, total, best: rank(found), current, error }));
    });
}

#[component]
pub fn AdvisorPanel() -> impl IntoView {
    let session = expect_context::<Session>();
    let advice = expect_context::<Chrome>().advice;
    let body = move || {
        let a = advice.get()?;
        let content = if a.running {
            view! {
                <p class="muted">{format!("Weighing strategies… {} of {}", a.done, a.total)}</p>
                <progress max=a.total.max(1) value=a.done></progress>
            }
            .into_any()
        } else if let Some(e) = a.error.clone() {
            view! { <p class="muted">{e}</p> }.into_any()
        } else {
            let current_name = a.current.as_ref().map(|(t, _)| *t);
            let rows = a
                .best
                .iter()
                .enumerate()
                .map(|(i, s)| row(session, advice, (i + 1).to_string(), s, current_name == Some(s.strategy)))
                .collect_view();
            // The current target's row, when it is not among the best shown.
            let current = a.current.clone().filter(|(t, _)| !a.best.iter().any(|s| s.strategy == *t)).map(|(t, r)| {
                match r {
                    Ok(s) => view! { <ol class="suggestions current" data-testid="advisor-current">{row(session, advice, "·".into(), &s, true)}</ol> }.into_any(),
                    Err(why) => view! {
                        <p class="muted" data-testid="advisor-current">{format!("Current target {}: not weighed, {why}", t.short())}</p>
                    }
                    .into_any(),
                }
            });
            view! {
                {current}
                <p class="muted" data-testid="advisor-ranked-by">{format!("Best of {} for this cluster, {}:", planscope_core::units::count(a.total as u64, "strategy", "strategies"), RankedBy::of(&a.best).words())}</p>
                <ol class="suggestions" data-testid="suggestions">{rows}</ol>
            }
            .into_any()
        };
        Some(view! {
            <section class="card advisor" data-testid="advisor" aria-label="Strategy advisor">
                <header class="section-head">
                    <h2>"Suggested strategies"</h2>
                    <button class="button small" aria-label="Close suggestions" on:click=move |_| advice.set(None)>"×"</button>
                </header>
                {content}
            </section>
        })
    };
    view! { {body} }
}

/// One strategy's row: rank, name, figures, why, and Use (which rewrites to it and closes
/// the panel, since the workspace below then shows that strategy).
fn row(
    session: Session,
    advice: RwSignal<Option<Advice>>,
    rank: String,
    s: &Suggestion,
    current: bool,
) -> impl IntoView + use<> {
    let name = s.strategy.short();
    let use_name = name.clone();
    let attr_name = name.clone();
    let step = s.step_time_s.map_or("—".into(), planscope_core::units::seconds);
    let mem = match (s.peak_memory_percent, s.memory_counted) {
        (Some(p), Some(Counted::WeightsOnly { .. })) => format!("weights {p:.1}%"),
        (Some(p), _) => format!("peak memory {p:.1}%"),
        (None, _) => "peak memory —".into(),
    };
    view! {
        <li class="suggestion" class:current=current data-strategy=attr_name>
            <span class="rank">{rank}</span>
            <div class="suggestion-main">
                <div class="suggestion-head">
                    <code>{name}</code>
                    <span class="muted">{format!("{} {step} · {mem}", s.step_words())}</span>
                    {current.then(|| view! { <span class="tag">"current target"</span> })}
                    {(!s.fits).then(|| view! { <span class="tag warn">"does not fit"</span> })}
                </div>
                <p class="muted suggestion-why">{s.reason.clone()}</p>
            </div>
            <button
                class="button small"
                on:click=move |_| {
                    session.target_text.set(use_name.clone());
                    session.rewrite();
                    advice.set(None);
                }
            >
                "Use"
            </button>
        </li>
    }
}
