//! The open plan: the file as opened with its before side, and the rewrite to the target
//! strategy (the after side), held apart so a rewrite replaces only the after side.
//! Every operation leaves the open plan untouched when it fails.

use super::{Chrome, Focus};
use crate::web::file_io::{read_file_text, yield_to_paint};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::{After, Analysis, Request, after_side, analyze, default_metric};
use planscope_core::check::Finding;
use planscope_core::examples::SEED_EP64_TP2;
use planscope_core::model::Strategy;
use planscope_core::read::read_plan;
use planscope_core::rewrite::RewriteError;
use planscope_core::share::ViewState;
use planscope_core::summary::Summary;
use planscope_core::units;
use std::sync::Arc;
use web_sys::File;

/// The plan as opened: the file and its before side (the plan as written, verified).
pub struct Opened {
    pub file_name: String,
    /// The text as loaded, so a permalink reproduces the user's own file.
    pub text: Arc<str>,
    pub summary: Summary,
    pub before: Analysis,
}

impl Opened {
    pub fn findings(&self) -> &[Finding] {
        &self.before.report.findings
    }
}

/// The after side: the target strategy (the one asked for, else the declared one) and
/// the rewrite to it, or why it can't be done.
#[derive(Clone)]
pub struct Rewrite {
    pub target: Strategy,
    pub outcome: Result<Arc<After>, RewriteError>,
}

impl Rewrite {
    pub fn ok(&self) -> Option<&After> {
        self.outcome.as_ref().ok().map(|a| a.as_ref())
    }
}

#[derive(Clone, Copy)]
pub struct Session {
    pub opened: RwSignal<Option<Arc<Opened>>>,
    /// None: no target yet (the plan declares no strategy and none was asked for).
    pub after: RwSignal<Option<Rewrite>>,
    /// The target strategy box's text.
    pub target_text: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    /// What a load is doing, while it runs.
    pub busy: RwSignal<Option<String>>,
    /// Why the address bar holds no permalink (the plan is too large for a link).
    pub link_note: RwSignal<Option<String>>,
    /// Counts opens, so a slow load that a newer one overtook is dropped.
    load_seq: RwSignal<u64>,
    /// Reset when another plan opens, and set from a permalink's view.
    focus: Focus,
    chrome: Chrome,
}

impl Session {
    pub fn new(focus: Focus, chrome: Chrome) -> Session {
        Session {
            opened: RwSignal::new(None),
            after: RwSignal::new(None),
            target_text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            busy: RwSignal::new(None),
            link_note: RwSignal::new(None),
            load_seq: RwSignal::new(0),
            focus,
            chrome,
        }
    }

    /// Calls `f` with the open plan's findings, untracked (none when nothing is open).
    pub fn with_findings<R>(&self, f: impl FnOnce(&[Finding]) -> R) -> R {
        self.opened.with_untracked(|o| f(o.as_ref().map_or(&[], |o| o.findings())))
    }

    /// Opens text as a plan. On failure the error is shown and the open plan stays.
    /// Runs in slices (read, verify, rewrite), yielding to the browser between them so
    /// the progress shows and the page never freezes on a large plan.
    pub fn open_text(&self, file_name: &str, text: &str) {
        self.open_shared(file_name, text, None, None);
    }

    /// Opens text with a target strategy and a view to restore (from a permalink).
    pub fn open_shared(&self, file_name: &str, text: &str, target: Option<Strategy>, view: Option<ViewState>) {
        let (this, name, text) = (*self, file_name.to_string(), text.to_string());
        let seq = self.load_seq.get_untracked() + 1;
        self.load_seq.set(seq);
        // Cleared when a load starts, not when it ends, so a message set meanwhile (e.g. why
        // a link fell back to the example) survives the load.
        self.error.set(None);
        spawn_local(async move { this.open_in_slices(seq, name, text, target, view).await });
    }

    async fn open_in_slices(
        self,
        seq: u64,
        name: String,
        text: String,
        target: Option<Strategy>,
        view: Option<ViewState>,
    ) {
        // A newer open supersedes this one: drop its results.
        let current = move || self.load_seq.get_untracked() == seq;
        self.busy.set(Some(format!("Reading {name} ({})…", units::bytes(text.len()))));
        yield_to_paint().await;
        let plan = match read_plan(&text) {
            Ok(p) => p,
            Err(e) => {
                if current() {
                    self.busy.set(None);
                    self.error.set(Some(e.with_file(&name)));
                }
                return;
            }
        };
        let text: Arc<str> = text.into();
        let summary = Summary::of(&plan);
        let target = target.or(plan.meta.strategy);
        let plan = Arc::new(plan);
        self.busy.set(Some(format!("Verifying {} nodes…", summary.nodes)));
        yield_to_paint().await;
        if !current() {
            return;
        }
        let before = analyze(plan.clone(), &Request::default());
        let mut after = None;
        if let Some(s) = target {
            self.busy.set(Some(format!("Rewriting to {}…", s.short())));
            yield_to_paint().await;
            if !current() {
                return;
            }
            let outcome = after_side(&before, s, &Request::default()).map(Arc::new);
            after = Some(Rewrite { target: s, outcome });
        }
        if !current() {
            return;
        }
        self.target_text.set(target.map(|s| s.short()).unwrap_or_default());
        self.focus.reset();
        self.chrome.advice.set(None);
        self.chrome.metric.set(default_metric(&before));
        let opened = Arc::new(Opened { file_name: name, text, summary, before });
        self.after.set(after);
        self.opened.set(Some(opened.clone()));
        self.busy.set(None);
        if let Some(v) = view {
            self.chrome.apply_view(&v);
            self.focus.apply_view(&v, opened.findings());
        }
    }

    pub fn open_file(&self, file: File) {
        let this = *self;
        this.busy.set(Some(format!("Reading {}…", file.name())));
        spawn_local(async move {
            match read_file_text(&file).await {
                Ok(text) => this.open_text(&file.name(), &text),
                Err(msg) => {
                    this.busy.set(None);
                    this.error.set(Some(msg));
                }
            }
        });
    }

    pub fn open_example(&self) {
        self.open_text(SEED_EP64_TP2.file_name, SEED_EP64_TP2.text);
    }

    /// Rewrites the open plan to the strategy in the target box. Only the after side
    /// changes; on failure nothing does but the error.
    pub fn rewrite(&self) {
        let text = self.target_text.get_untracked();
        let strategy = match Strategy::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                self.error.set(Some(format!("Strategy: {e}")));
                return;
            }
        };
        let Some(opened) = self.opened.get_untracked() else { return };
        match after_side(&opened.before, strategy, &Request::default()) {
            Ok(after) => {
                self.after.set(Some(Rewrite { target: strategy, outcome: Ok(Arc::new(after)) }));
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(e.to_string())),
        }
    }

    pub fn dismiss_error(&self) {
        self.error.set(None);
    }
}
