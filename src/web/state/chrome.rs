//! How the page shows things: the colour metric, which sides are shown, the help overlay,
//! the theme, the advisor panel and the DAG view's settings. Survives opening another
//! plan (except the metric and the advisor, which follow the plan).

use crate::web::advisor::Advice;
use crate::web::dag::DagSettings;
use leptos::prelude::*;
use planscope_core::cluster::Metric;
use planscope_core::share::{ShownSide, ViewState};

#[derive(Clone, Copy)]
pub struct Chrome {
    pub metric: RwSignal<Metric>,
    /// Which sides are shown: both, or one full width.
    pub shown: RwSignal<ShownSide>,
    pub help_open: RwSignal<bool>,
    /// Dark theme; starts from the system's preference until the user chooses.
    pub dark: RwSignal<bool>,
    /// The strategy advisor's progress and results, while its panel is open.
    pub advice: RwSignal<Option<Advice>>,
    pub dag: DagSettings,
}

impl Chrome {
    pub fn new() -> Chrome {
        Chrome {
            metric: RwSignal::new(Metric::Busy),
            shown: RwSignal::new(ShownSide::Both),
            help_open: RwSignal::new(false),
            dark: RwSignal::new(prefers_dark()),
            advice: RwSignal::new(None),
            dag: DagSettings::new(),
        }
    }

    pub fn toggle_help(&self) {
        self.help_open.update(|o| *o = !*o);
    }

    /// Both → before only → after only → both.
    pub fn cycle_shown(&self) {
        self.shown.update(|s| {
            *s = match s {
                ShownSide::Both => ShownSide::Before,
                ShownSide::Before => ShownSide::After,
                ShownSide::After => ShownSide::Both,
            }
        });
    }

    /// Switches light/dark and tells the stylesheet (`data-theme` on the root element).
    pub fn toggle_theme(&self) {
        let next = !self.dark.get_untracked();
        self.dark.set(next);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if next { "dark" } else { "light" });
        }
    }

    /// Writes the metric, shown sides and DAG grouping into a permalink's view (tracked).
    pub fn write_view(&self, v: &mut ViewState) {
        v.set_metric(Some(self.metric.get()));
        v.shown = self.shown.get();
        match self.dag.grouping.get() {
            Some(g) => v.dag.set_grouping(g),
            None => v.dag.grouping = "auto".into(),
        }
    }

    /// Restores what a permalink showed.
    pub fn apply_view(&self, v: &ViewState) {
        if let Some(m) = v.metric() {
            self.metric.set(m);
        }
        self.shown.set(v.shown);
        self.dag.grouping.set(v.dag.grouping());
    }
}

impl Default for Chrome {
    fn default() -> Chrome {
        Chrome::new()
    }
}

fn prefers_dark() -> bool {
    window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}
