//! The page's state: the open plan analysed before (as written) and after (rewritten to
//! the target strategy), what is highlighted, and the actions the controls call.
//! Every action leaves the open plan untouched when it fails.

use super::file_io::{read_file_text, yield_to_paint};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::{After, Analysis, Request, after_side, analyze, default_metric};
use planscope_core::cluster::Metric;
use planscope_core::examples::SEED_EP64_TP2;
use planscope_core::model::Strategy;
use planscope_core::read::read_plan;
use planscope_core::rewrite::RewriteError;
use planscope_core::share::{ShownSide, ViewState};
use planscope_core::summary::Summary;
use planscope_core::units;
use std::sync::Arc;
use web_sys::File;

#[derive(Clone)]
pub struct Opened {
    pub file_name: String,
    /// The text as loaded, so a permalink reproduces the user's own file.
    pub text: Arc<str>,
    pub summary: Summary,
    /// The target of the after side: the one asked for, else the declared one.
    pub target: Option<Strategy>,
    pub before: Analysis,
    /// The rewrite to the target strategy: none asked for yet, done, or why it can't be.
    pub after: Option<Result<After, RewriteError>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

impl Side {
    pub fn key(self) -> &'static str {
        match self {
            Side::Before => "before",
            Side::After => "after",
        }
    }
}

/// What the other views should light up: a finding's GPUs and nodes, or one GPU.
#[derive(Clone, Default, PartialEq)]
pub struct Highlight {
    pub gpus: Vec<u32>,
    pub nodes: Vec<String>,
    /// Index of the finding that set it.
    pub finding: Option<usize>,
}

impl Highlight {
    pub fn has_gpu(&self, gpu: u32) -> bool {
        self.gpus.binary_search(&gpu).is_ok()
    }
}

#[derive(Clone, Copy)]
pub struct State {
    pub opened: RwSignal<Option<Opened>>,
    pub error: RwSignal<Option<String>>,
    pub strategy_text: RwSignal<String>,
    pub metric: RwSignal<Metric>,
    pub highlight: RwSignal<Highlight>,
    pub selected_gpu: RwSignal<Option<u32>>,
    pub busy: RwSignal<Option<String>>,
    /// Which sides are shown: both, or one full width.
    pub shown: RwSignal<ShownSide>,
    /// The finding the review walk is on, when review mode is open.
    pub review: RwSignal<Option<usize>>,
    pub help_open: RwSignal<bool>,
    /// Why the address bar holds no permalink (the plan is too large for a link).
    pub link_note: RwSignal<Option<String>>,
    /// The strategy advisor's progress and results, while its panel is open.
    pub advice: RwSignal<Option<super::advisor::Advice>>,
    /// The DAG view's settings and selection.
    pub dag: super::dag::DagState,
    /// Counts opens, so a slow load that a newer one overtook is dropped.
    load_seq: RwSignal<u64>,
}

impl State {
    pub fn new() -> State {
        State {
            opened: RwSignal::new(None),
            error: RwSignal::new(None),
            strategy_text: RwSignal::new(String::new()),
            metric: RwSignal::new(Metric::Busy),
            highlight: RwSignal::new(Highlight::default()),
            selected_gpu: RwSignal::new(None),
            busy: RwSignal::new(None),
            shown: RwSignal::new(ShownSide::Both),
            review: RwSignal::new(None),
            help_open: RwSignal::new(false),
            link_note: RwSignal::new(None),
            advice: RwSignal::new(None),
            dag: super::dag::DagState::new(),
            load_seq: RwSignal::new(0),
        }
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
        let declared = plan.meta.strategy;
        let target = target.or(declared);
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
            after = Some(after_side(&before, s, &Request::default()));
        }
        if !current() {
            return;
        }
        self.strategy_text.set(target.map(|s| s.short()).unwrap_or_default());
        self.highlight.set(Highlight::default());
        self.selected_gpu.set(None);
        self.review.set(None);
        self.advice.set(None);
        self.metric.set(default_metric(&before));
        let findings = before.report.findings.clone();
        self.opened.set(Some(Opened { file_name: name, text, summary, target, before, after }));
        self.busy.set(None);
        if let Some(v) = view {
            self.apply_view(&v, &findings);
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

    /// Rewrites the open plan to the strategy in the strategy box.
    pub fn rewrite(&self) {
        let text = self.strategy_text.get_untracked();
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
                self.opened.update(|o| {
                    if let Some(o) = o {
                        o.after = Some(Ok(after));
                        o.target = Some(strategy);
                    }
                });
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(e.to_string())),
        }
    }

    /// The view as a permalink stores it.
    pub fn view_state(&self) -> ViewState {
        let mut v = ViewState::default();
        v.set_metric(Some(self.metric.get()));
        v.selected_gpu = self.selected_gpu.get();
        v.finding = self.highlight.with(|h| h.finding);
        v.shown = self.shown.get();
        match self.dag.grouping.get() {
            Some(g) => v.dag.set_grouping(g),
            None => v.dag.grouping = "auto".into(),
        }
        v
    }

    fn apply_view(&self, v: &ViewState, findings: &[planscope_core::check::Finding]) {
        if let Some(m) = v.metric() {
            self.metric.set(m);
        }
        self.selected_gpu.set(v.selected_gpu);
        self.shown.set(v.shown);
        self.dag.grouping.set(v.dag.grouping());
        if let Some(f) = v.finding.and_then(|i| findings.get(i).map(|f| (i, f))) {
            self.toggle_finding(f.0, &f.1.gpus, &f.1.nodes);
        }
    }

    /// Opens review mode on the first finding.
    pub fn open_review(&self) {
        let n = self.opened.with_untracked(|o| o.as_ref().map_or(0, |o| o.before.report.findings.len()));
        if n > 0 {
            self.help_open.set(false);
            self.show_finding(0);
        }
    }

    pub fn close_review(&self) {
        self.review.set(None);
    }

    /// Moves the review by `delta` findings, stopping at the ends.
    pub fn review_step(&self, delta: i64) {
        let Some(i) = self.review.get_untracked() else { return };
        let n = self.opened.with_untracked(|o| o.as_ref().map_or(0, |o| o.before.report.findings.len()));
        let next = (i as i64 + delta).clamp(0, n.saturating_sub(1) as i64) as usize;
        self.show_finding(next);
    }

    fn show_finding(&self, index: usize) {
        let f = self.opened.with_untracked(|o| o.as_ref().and_then(|o| o.before.report.findings.get(index).cloned()));
        if let Some(f) = f {
            let mut gpus = f.gpus.clone();
            gpus.sort_unstable();
            self.highlight.set(Highlight { gpus, nodes: f.nodes.clone(), finding: Some(index) });
            self.review.set(Some(index));
        }
    }

    pub fn dismiss_error(&self) {
        self.error.set(None);
    }

    /// Highlights a finding's GPUs and nodes; choosing it again clears the highlight.
    pub fn toggle_finding(&self, index: usize, gpus: &[u32], nodes: &[String]) {
        self.highlight.update(|h| {
            if h.finding == Some(index) {
                *h = Highlight::default();
            } else {
                let mut gpus = gpus.to_vec();
                gpus.sort_unstable();
                *h = Highlight { gpus, nodes: nodes.to_vec(), finding: Some(index) };
            }
        });
    }

    pub fn select_gpu(&self, gpu: Option<u32>) {
        self.selected_gpu.set(gpu);
    }
}
