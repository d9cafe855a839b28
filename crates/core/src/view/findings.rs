//! The findings panel: verdict, tally and findings grouped by severity, each with its
//! message, its node ids (the first `NODES_SHOWN`, then how many more), GPUs and fix.

use super::{Capped, NODES_SHOWN};
use crate::check::report::gpu_ranges;
use crate::check::{Finding, Report, Severity, Verdict};
use crate::units::plural;

#[derive(Debug, Clone, PartialEq)]
pub struct FindingsPanel {
    pub verdict: Verdict,
    /// `2 errors · 1 warning · 0 notes`.
    pub tally: String,
    /// Errors, warnings, notes; severities without findings left out.
    pub groups: Vec<SeverityGroup>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeverityGroup {
    pub severity: Severity,
    /// `error`, `warning`, `info`: the class the group is styled by.
    pub key: &'static str,
    pub title: &'static str,
    pub items: Vec<FindingView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingView {
    /// Its index in `Report::findings`.
    pub index: usize,
    pub code: &'static str,
    pub message: String,
    pub nodes: Capped<String>,
    /// `None` without GPUs.
    pub gpus: Option<GpuList>,
    pub fix: Option<String>,
}

/// A finding's GPUs as ranges (`3–127`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuList {
    pub ranges: String,
    /// How many in all, when the list was cut.
    pub all: Option<usize>,
}

impl GpuList {
    /// ` (4100 in all)` when the list was cut.
    pub fn tail(&self) -> String {
        self.all.map_or_else(String::new, |n| format!(" ({n} in all)"))
    }
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        }
    }

    /// The CSS class both views style it with.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Pass => "verdict pass",
            Verdict::Fail => "verdict fail",
        }
    }
}

pub fn findings_panel(report: &Report) -> FindingsPanel {
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let tally = format!(
        "{} · {} · {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note")
    );
    let groups = [
        (Severity::Error, "error", "Errors"),
        (Severity::Warning, "warning", "Warnings"),
        (Severity::Info, "info", "Notes"),
    ]
    .into_iter()
    .filter_map(|(severity, key, title)| {
        let items: Vec<FindingView> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.severity == severity)
            .map(|(i, f)| finding(i, f))
            .collect();
        (!items.is_empty()).then_some(SeverityGroup { severity, key, title, items })
    })
    .collect();
    FindingsPanel { verdict: report.verdict, tally, groups }
}

fn finding(index: usize, f: &Finding) -> FindingView {
    let gpus = (f.gpus_count > 0)
        .then(|| GpuList { ranges: gpu_ranges(&f.gpus), all: (f.gpus_count > f.gpus.len()).then_some(f.gpus_count) });
    FindingView {
        index,
        code: f.code.as_str(),
        message: f.message.clone(),
        nodes: Capped::of(&f.nodes, NODES_SHOWN),
        gpus,
        fix: (!f.fix.is_empty()).then(|| f.fix.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Code, Finding, Metrics};
    use crate::view::NODES_SHOWN;

    #[test]
    fn findings_are_grouped_by_severity_with_their_node_lists_capped_once() {
        let many: Vec<String> = (0..100).map(|i| format!("n{i}")).collect();
        let report = Report::new(
            Metrics::default(),
            vec![
                Finding::warning(Code::GpuUnderuse, "w").gpus([0, 1, 2, 5]),
                Finding::error(Code::NoInput, "e").nodes(many.iter()).fix("add an input"),
                Finding::error(Code::Cycle, "c").nodes(["a", "b"]),
            ],
        );
        let p = findings_panel(&report);
        assert_eq!(p.verdict, Verdict::Fail);
        assert_eq!(p.tally, "2 errors · 1 warning · 0 notes");
        let keys: Vec<&str> = p.groups.iter().map(|g| g.key).collect();
        assert_eq!(keys, ["error", "warning"]);
        let errors = &p.groups[0].items;
        let no_input = errors.iter().find(|f| f.code == "NO_INPUT").unwrap();
        assert_eq!(no_input.nodes.shown.len(), NODES_SHOWN);
        assert_eq!(no_input.nodes.more, 100 - NODES_SHOWN);
        assert_eq!(no_input.fix.as_deref(), Some("add an input"));
        assert_eq!(report.findings[no_input.index].nodes.len(), 100, "the finding keeps them all");
        let cycle = errors.iter().find(|f| f.code == "CYCLE").unwrap();
        assert_eq!((cycle.nodes.shown.len(), cycle.nodes.more), (2, 0));
        let underuse = &p.groups[1].items[0];
        assert_eq!(underuse.gpus, Some(GpuList { ranges: "0–2, 5".into(), all: None }));
    }
}
