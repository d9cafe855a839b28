//! The verifier's answer: a verdict, metrics and findings, each finding with a stable
//! code, the nodes and GPUs involved and a concrete fix. Serialises to the JSON the CLI
//! and the page print.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Stable finding codes; serialised as `CYCLE`, `GPU_UNDERUSE`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    // Structure
    /// The plan holds no node: nothing to verify is an error, never a pass.
    EmptyPlan,
    Cycle,
    DanglingEdge,
    DuplicateId,
    NoInput,
    NoOutput,
    Disconnected,
    // Placement
    GpuUnassigned,
    GpuOutOfRange,
    GpuUnderuse,
    MissingComm,
    ExpertImbalance,
    // Strategy
    StrategyMismatch,
    EpIncomplete,
    TpIncomplete,
    PpMissing,
    /// Warning: experts per layer or layers other than the declared model's.
    ModelMismatch,
    /// Info: which GPU-count convention the declared degrees were read with.
    GpuConvention,
    // Resources
    MemoryOver,
    CommBottleneck,
    AggBottleneck,
    LoadImbalance,
    /// Info: constants the cost model needed and did not have, or took from defaults.
    MissingConstants,
    /// Warning: an expert load whose rows do not fit the model's layers or experts.
    ExpertLoadMismatch,
    /// Warning: placements crossing more GPU cells than `limits::PLACEMENT_CELLS`, so memory
    /// per GPU and the simulated step are not computed.
    CostSkipped,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EmptyPlan => "EMPTY_PLAN",
            Code::Cycle => "CYCLE",
            Code::DanglingEdge => "DANGLING_EDGE",
            Code::DuplicateId => "DUPLICATE_ID",
            Code::NoInput => "NO_INPUT",
            Code::NoOutput => "NO_OUTPUT",
            Code::Disconnected => "DISCONNECTED",
            Code::GpuUnassigned => "GPU_UNASSIGNED",
            Code::GpuOutOfRange => "GPU_OUT_OF_RANGE",
            Code::GpuUnderuse => "GPU_UNDERUSE",
            Code::MissingComm => "MISSING_COMM",
            Code::ExpertImbalance => "EXPERT_IMBALANCE",
            Code::StrategyMismatch => "STRATEGY_MISMATCH",
            Code::EpIncomplete => "EP_INCOMPLETE",
            Code::TpIncomplete => "TP_INCOMPLETE",
            Code::PpMissing => "PP_MISSING",
            Code::ModelMismatch => "MODEL_MISMATCH",
            Code::GpuConvention => "GPU_CONVENTION",
            Code::MemoryOver => "MEMORY_OVER",
            Code::CommBottleneck => "COMM_BOTTLENECK",
            Code::AggBottleneck => "AGG_BOTTLENECK",
            Code::LoadImbalance => "LOAD_IMBALANCE",
            Code::MissingConstants => "MISSING_CONSTANTS",
            Code::ExpertLoadMismatch => "EXPERT_LOAD_MISMATCH",
            Code::CostSkipped => "COST_SKIPPED",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// GPU lists are cheap and the views highlight every GPU a finding names, so they are
/// kept whole up to the largest cluster the page draws.
pub const GPU_LIST_CAP: usize = 4096;

/// One problem the verifier found. Serialises with a `nodes_count` (the length of
/// `nodes`) for readers of the JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Every node id involved (for CYCLE, the cycle path in order). How many to show is
    /// the views' concern (`crate::view::NODES_SHOWN`).
    pub nodes: Vec<String>,
    /// GPU ids involved (at most `GPU_LIST_CAP`).
    pub gpus: Vec<u32>,
    pub gpus_count: usize,
    /// What to change: which nodes to add, split, move or rewire.
    pub fix: String,
}

impl Finding {
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            message: message.into(),
            nodes: Vec::new(),
            gpus: Vec::new(),
            gpus_count: 0,
            fix: String::new(),
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Error, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Warning, message)
    }

    pub fn info(code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Info, message)
    }

    pub fn nodes<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Finding {
        self.nodes = ids.into_iter().map(|id| id.as_ref().to_string()).collect();
        self
    }

    /// Takes the ids as they are (a CYCLE path, in order).
    pub fn all_nodes(mut self, ids: Vec<String>) -> Finding {
        self.nodes = ids;
        self
    }

    /// How many nodes are involved.
    pub fn nodes_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn gpus(mut self, gpus: impl IntoIterator<Item = u32>) -> Finding {
        let mut count = 0;
        for g in gpus {
            if self.gpus.len() < GPU_LIST_CAP {
                self.gpus.push(g);
            }
            count += 1;
        }
        self.gpus_count = count;
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = fix.into();
        self
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Finding", 8)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("nodes", &self.nodes)?;
        st.serialize_field("nodes_count", &self.nodes.len())?;
        st.serialize_field("gpus", &self.gpus)?;
        st.serialize_field("gpus_count", &self.gpus_count)?;
        st.serialize_field("fix", &self.fix)?;
        st.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub metrics: super::Metrics,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(metrics: super::Metrics, mut findings: Vec<Finding>) -> Report {
        crate::sort::sort_by_key(&mut findings, |f| (f.severity, f.code));
        let verdict =
            if findings.iter().any(|f| f.severity == Severity::Error) { Verdict::Fail } else { Verdict::Pass };
        Report { verdict, metrics, findings }
    }

    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    pub fn find(&self, code: Code) -> Option<&Finding> {
        self.findings.iter().find(|f| f.code == code)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }
}

/// `a`, `a, b`, `a … z (N in all)`: names a long list by its ends and its exact size.
pub fn span_names(ids: &[String]) -> String {
    match ids.len() {
        0 => String::new(),
        1..=4 => ids.join(", "),
        n => format!("{}, {} … {} ({n} in all)", ids[0], ids[1], ids[n - 1]),
    }
}

/// `3–127`, `0, 2, 5–9`: GPU ids as ranges.
pub fn gpu_ranges(gpus: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < gpus.len() {
        let mut j = i;
        while j + 1 < gpus.len() && gpus[j + 1] == gpus[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        if j == i {
            out.push_str(&gpus[i].to_string());
        } else {
            out.push_str(&format!("{}–{}", gpus[i], gpus[j]));
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_keep_every_node_and_say_how_many() {
        let ids: Vec<String> = (0..1000).map(|i| format!("n{i}")).collect();
        let f = Finding::error(Code::NoInput, "m").nodes(ids.iter());
        assert_eq!(f.nodes, ids);
        assert_eq!(f.nodes_count(), 1000);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["nodes_count"], 1000);
        assert_eq!(json["nodes"].as_array().map(Vec::len), Some(1000));
    }
}
