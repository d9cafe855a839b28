//! The page's state: the open plan analysed before (as written) and after (rewritten to
//! the target strategy), what is highlighted, and the actions the controls call.
//! Every action leaves the open plan untouched when it fails.

use super::file_io::{read_file_text, yield_to_paint};
use super::units;
use crate::analysis::{After, Analysis, Request, analyze, default_metric, rewrite_side};
use crate::cluster::Metric;
use crate::examples::SEED_EP64_TP2;
use crate::model::Strategy;
use crate::read::read_plan;
use crate::summary::Summary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use web_sys::File;

#[derive(Clone)]
pub struct Opened {
    pub file_name: String,
    pub summary: Summary,
    pub before: Analysis,
    /// The rewrite to the target strategy: none asked for yet, done, or why it can't be.
    pub after: Option<Result<After, String>>,
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
            dag: super::dag::DagState::new(),
            load_seq: RwSignal::new(0),
        }
    }

    /// Opens text as a plan. On failure the error is shown and the open plan stays.
    /// Runs in slices (read, verify, rewrite), yielding to the browser between them so
    /// the progress shows and the page never freezes on a large plan.
    pub fn open_text(&self, file_name: &str, text: &str) {
        let (this, name, text) = (*self, file_name.to_string(), text.to_string());
        let seq = self.load_seq.get_untracked() + 1;
        self.load_seq.set(seq);
        spawn_local(async move { this.open_in_slices(seq, name, text).await });
    }

    async fn open_in_slices(self, seq: u64, name: String, text: String) {
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
        drop(text);
        let summary = Summary::of(&plan);
        let declared = plan.meta.strategy;
        let plan = Arc::new(plan);
        self.busy.set(Some(format!("Verifying {} nodes…", summary.nodes)));
        yield_to_paint().await;
        if !current() {
            return;
        }
        let before = analyze(plan.clone(), &Request::default());
        let mut after = None;
        if let Some(s) = declared {
            self.busy.set(Some(format!("Rewriting to {}…", s.short())));
            yield_to_paint().await;
            if !current() {
                return;
            }
            after = Some(rewrite_side(&plan, s, &Request::default()));
        }
        if !current() {
            return;
        }
        self.strategy_text.set(declared.map(|s| s.short()).unwrap_or_default());
        self.highlight.set(Highlight::default());
        self.selected_gpu.set(None);
        self.metric.set(default_metric(&before));
        self.opened.set(Some(Opened { file_name: name, summary, before, after }));
        self.error.set(None);
        self.busy.set(None);
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
        match rewrite_side(&opened.before.plan, strategy, &Request::default()) {
            Ok(after) => {
                self.opened.update(|o| {
                    if let Some(o) = o {
                        o.after = Some(Ok(after));
                    }
                });
                self.error.set(None);
            }
            Err(msg) => self.error.set(Some(msg)),
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

