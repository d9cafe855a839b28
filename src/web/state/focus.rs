//! What the user is looking at: a finding's highlight, the selected GPU, the review walk's
//! position and the DAG's selected nodes. Reset when another plan opens.

use crate::web::dag::Selection;
use leptos::prelude::*;
use planscope_core::check::Finding;
use planscope_core::share::ViewState;

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

    fn of(index: usize, gpus: &[u32], nodes: &[String]) -> Highlight {
        let mut gpus = gpus.to_vec();
        planscope_core::sort::unstable(&mut gpus);
        Highlight { gpus, nodes: nodes.to_vec(), finding: Some(index) }
    }
}

#[derive(Clone, Copy)]
pub struct Focus {
    pub highlight: RwSignal<Highlight>,
    pub selected_gpu: RwSignal<Option<u32>>,
    /// The finding the review walk is on, when review mode is open.
    pub review: RwSignal<Option<usize>>,
    /// The DAG view's selected nodes, per side.
    pub dag: RwSignal<Selection>,
}

impl Focus {
    pub fn new() -> Focus {
        Focus {
            highlight: RwSignal::new(Highlight::default()),
            selected_gpu: RwSignal::new(None),
            review: RwSignal::new(None),
            dag: RwSignal::new(Selection::default()),
        }
    }

    /// Nothing highlighted, selected or under review: another plan is open.
    pub fn reset(&self) {
        self.highlight.set(Highlight::default());
        self.selected_gpu.set(None);
        self.review.set(None);
        self.dag.set(Selection::default());
    }

    /// Highlights a finding's GPUs and nodes; choosing it again clears the highlight.
    pub fn toggle_finding(&self, index: usize, gpus: &[u32], nodes: &[String]) {
        self.highlight.update(|h| {
            *h = if h.finding == Some(index) { Highlight::default() } else { Highlight::of(index, gpus, nodes) };
        });
    }

    pub fn select_gpu(&self, gpu: Option<u32>) {
        self.selected_gpu.set(gpu);
    }

    /// Opens review mode on the first of `findings`; false when there is none.
    pub fn open_review(&self, findings: &[Finding]) -> bool {
        self.show_finding(0, findings)
    }

    pub fn close_review(&self) {
        self.review.set(None);
    }

    /// Moves the review by `delta` findings, stopping at the ends.
    pub fn review_step(&self, delta: i64, findings: &[Finding]) {
        let Some(i) = self.review.get_untracked() else { return };
        let next = (i as i64 + delta).clamp(0, findings.len().saturating_sub(1) as i64) as usize;
        self.show_finding(next, findings);
    }

    fn show_finding(&self, index: usize, findings: &[Finding]) -> bool {
        let Some(f) = findings.get(index) else { return false };
        self.highlight.set(Highlight::of(index, &f.gpus, &f.nodes));
        self.review.set(Some(index));
        true
    }

    /// Writes the selected GPU and finding into a permalink's view (tracked).
    pub fn write_view(&self, v: &mut ViewState) {
        v.selected_gpu = self.selected_gpu.get();
        v.finding = self.highlight.with(|h| h.finding);
    }

    /// Restores what a permalink selected; a finding index past `findings` is ignored.
    pub fn apply_view(&self, v: &ViewState, findings: &[Finding]) {
        self.selected_gpu.set(v.selected_gpu);
        if let Some((i, f)) = v.finding.and_then(|i| findings.get(i).map(|f| (i, f))) {
            self.toggle_finding(i, &f.gpus, &f.nodes);
        }
    }
}

impl Default for Focus {
    fn default() -> Focus {
        Focus::new()
    }
}
