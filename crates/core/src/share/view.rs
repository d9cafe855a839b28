//! What the page was showing when a link was made. Every field has a default and unknown
//! fields are ignored, so links made by older or newer pages keep opening: a field added
//! later reads as its default in an old link, and an old page skips fields it does not know.

use crate::cluster::Metric;
use crate::layout::Grouping;
use serde::{Deserialize, Serialize};

/// Which side(s) of the workspace are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShownSide {
    Before,
    After,
    /// Before and after side by side (or only before when there is no after); also what
    /// a value from a newer page reads as.
    #[default]
    #[serde(other)]
    Both,
}

/// The DAG view: grouping, zoom and pan (in drawing units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DagView {
    /// A `Grouping` key (`none`, `series`, `layer`, `stage`, `server`, `cluster`), or
    /// `auto` for the page's own choice (series above 2,000 nodes); kept as text so a
    /// grouping added later does not break older pages.
    pub grouping: String,
    pub zoom: f64,
    pub pan_x: f64,
    pub pan_y: f64,
}

impl Default for DagView {
    fn default() -> Self {
        DagView { grouping: "auto".into(), zoom: 1.0, pan_x: 0.0, pan_y: 0.0 }
    }
}

impl DagView {
    /// The grouping, or `None` for `auto` or a key this build does not know.
    pub fn grouping(&self) -> Option<Grouping> {
        serde_json::from_value(serde_json::Value::String(self.grouping.clone())).ok()
    }

    pub fn set_grouping(&mut self, g: Grouping) {
        self.grouping = serde_json::to_value(g).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    }

    /// Zoom clamped to a sane range (non-finite reads as 1).
    pub fn zoom(&self) -> f64 {
        if self.zoom.is_finite() { self.zoom.clamp(0.01, 100.0) } else { 1.0 }
    }

    /// Pan with non-finite values read as 0.
    pub fn pan(&self) -> (f64, f64) {
        let f = |v: f64| if v.is_finite() { v } else { 0.0 };
        (f(self.pan_x), f(self.pan_y))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// The cluster colour metric as its key (`busy`, `memory`, ...); empty = the page's default.
    pub metric: String,
    pub selected_gpu: Option<u32>,
    /// Index into the before side's findings of the highlighted one.
    pub finding: Option<usize>,
    pub shown: ShownSide,
    pub dag: DagView,
}

impl ViewState {
    /// The metric, or `None` for the page's default (also for a key this build does not know).
    pub fn metric(&self) -> Option<Metric> {
        Metric::from_key(&self.metric)
    }

    pub fn set_metric(&mut self, m: Option<Metric>) {
        self.metric = m.map(|m| m.key().to_string()).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_links_read() {
        let v: ViewState = serde_json::from_str("{}").unwrap();
        assert_eq!(v, ViewState::default());
        let v: ViewState =
            serde_json::from_str(r#"{"metric":"memory","shown":"sideways","future":1,"dag":{"grouping":"x"}}"#)
                .unwrap();
        assert_eq!(v.metric(), Some(Metric::Memory));
        assert_eq!(v.shown, ShownSide::Both);
        assert_eq!(v.dag.grouping(), None);
        assert_eq!(v.dag.zoom(), 1.0);
        let mut d = DagView::default();
        d.set_grouping(Grouping::Layer);
        assert_eq!(d.grouping(), Some(Grouping::Layer));
    }
}
