//! The diff in words: one line per group, meta change and note, and the whole list as the
//! CLI prints it. A renderer over `diff.rs`'s data; nothing parses this text back.

use super::diff::{Action, Diff, DiffGroup, EdgeChange, MetaChange, MetaField, Note, What};
use crate::check::report::span_names;
use crate::model::GpuSet;
use std::fmt::{self, Display, Formatter, Write};

/// Node ids a group's line names: the first few, then the last.
const LINE_IDS: usize = 3;

impl What {
    /// `expert shard`, `all-to-all`, `attention node`.
    pub fn singular(&self) -> String {
        match self {
            What::ExpertShard => "expert shard".into(),
            What::AllToAll => "all-to-all".into(),
            What::AllReduce => "all-reduce".into(),
            What::SendRecv => "send/recv".into(),
            What::Aggregation => "aggregation node".into(),
            What::Gate => "gate".into(),
            What::LmHead => "LM head".into(),
            What::Other(name) => format!("{name} node"),
        }
    }

    /// `expert shards`, `all-to-all nodes`, `attention nodes`.
    pub fn plural(&self) -> String {
        match self {
            What::ExpertShard => "expert shards".into(),
            What::AllToAll => "all-to-all nodes".into(),
            What::AllReduce => "all-reduce nodes".into(),
            What::SendRecv => "send/recv nodes".into(),
            What::Aggregation => "aggregation nodes".into(),
            What::Gate => "gates".into(),
            What::LmHead => "LM heads".into(),
            What::Other(name) => format!("{name} nodes"),
        }
    }
}

/// `0–127`, `0, 2, 5–9`: the ranges of a GPU set.
pub fn gpu_ranges(set: &GpuSet) -> String {
    let mut out = String::new();
    for (i, &(a, b)) in set.ranges().iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = if a == b { write!(out, "{a}") } else { write!(out, "{a}–{b}") };
    }
    out
}

fn or_none(s: String) -> String {
    if s.is_empty() { "none".into() } else { s }
}

/// `expert_<e>_<t>_layer_<l> (expert_0_0_layer_0, …, … expert_63_1_layer_15)`, or the one id.
fn ids(pattern: &str, nodes: &[String]) -> String {
    match nodes {
        [one] => one.clone(),
        _ => {
            let mut shown: Vec<String> = nodes.iter().take(LINE_IDS).cloned().collect();
            if let Some(last) = nodes.get(LINE_IDS..).and_then(<[String]>::last) {
                shown.push(format!("… {last}"));
            }
            format!("{pattern} ({})", shown.join(", "))
        }
    }
}

fn counted(count: usize, what: &What) -> String {
    if count == 1 { what.singular() } else { format!("{count} {}", what.plural()) }
}

impl Display for DiffGroup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            DiffGroup::Nodes { action, pattern, what, nodes, gpus } => {
                write!(f, "{} {} {}", action.key(), counted(nodes.len(), what), ids(pattern, nodes))?;
                if !gpus.is_empty() {
                    let noun = if gpus.len() == 1 { "GPU" } else { "GPUs" };
                    write!(f, " on {noun} {}", gpu_ranges(gpus))?;
                }
                Ok(())
            }
            DiffGroup::Moved { pattern, what, nodes, from, to } => write!(
                f,
                "move {} {}: GPUs {} → {}",
                counted(nodes.len(), what),
                ids(pattern, nodes),
                or_none(gpu_ranges(from)),
                or_none(gpu_ranges(to))
            ),
            DiffGroup::Edges { change, from, to, count } => {
                write!(f, "{} {} {from} → {to}", verb(*change), edges(*count))
            }
            DiffGroup::OtherEdges { change, kinds, count } => {
                write!(f, "{} {} of {} other kinds ({})", verb(*change), edges(*count), kinds.len(), span_names(kinds))
            }
        }
    }
}

fn verb(change: EdgeChange) -> &'static str {
    match change {
        EdgeChange::Added => "add",
        EdgeChange::Removed => "remove",
    }
}

fn edges(count: usize) -> String {
    if count == 1 { "edge".to_string() } else { format!("{count} edges") }
}

impl Display for MetaField {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetaField::Strategy => "strategy",
            MetaField::ClusterGpus => "cluster.gpus",
            MetaField::ModelLayers => "model.layers",
            MetaField::ModelExperts => "model.experts",
        })
    }
}

impl Display for MetaChange {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MetaChange::Field { field, old, new } => {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unset".into());
                write!(f, "{field}: {} → {}", show(old), show(new))
            }
            MetaChange::Constants => f.write_str("other meta fields (the given constants)"),
        }
    }
}

impl Display for Note {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Note::SecondEnd { id, kind } => write!(f, "{id} is a second plan {}; merged into the first", kind.as_str()),
            Note::LayerDropped { id, layer, layers } => {
                write!(f, "{id} belongs to layer {layer}, which the {layers}-layer target does not have; dropped")
            }
            Note::PerGpuCopies { sources, template, dp, folded } => write!(
                f,
                "{} kept as one copy per GPU of its stage, {template}{}",
                span_names(sources),
                match (folded, dp) {
                    (true, true) => "_dp<d>_tp<t>_edp<c>",
                    (true, false) => "_dp<d>_tp<t>",
                    (false, true) => "_ep<e>_tp<t>_dp<d>",
                    (false, false) => "_ep<e>_tp<t>",
                }
            ),
        }
    }
}

impl Diff {
    /// `Required modifications: 2048 nodes added, …`: the counts the list opens with.
    pub fn lead(&self) -> String {
        format!(
            "Required modifications: {} added, {} removed, {} moved, {} changed; {} added, {} removed",
            crate::units::plural(self.added.len(), "node"),
            self.removed.len(),
            self.moved.len(),
            self.changed.len(),
            crate::units::plural(self.edges_added, "edge"),
            self.edges_removed
        )
    }

    /// The required-modifications list as the CLI prints it: the counts, the meta fields
    /// set, one line per group under its action, then the notes.
    pub fn render_text(&self) -> String {
        let mut out = self.lead();
        out.push('\n');
        if self.is_empty() {
            out.push_str("  (none: the plan already has this form)\n");
            return out;
        }
        for m in &self.meta {
            let _ = writeln!(out, "  - set {m}");
        }
        for action in Action::ALL {
            let mut groups = self.groups_of(action).peekable();
            if groups.peek().is_none() {
                continue;
            }
            let _ = writeln!(out, "{}:", action.title());
            for g in groups {
                let _ = writeln!(out, "  - {g}");
            }
        }
        if !self.notes.is_empty() {
            out.push_str("Notes:\n");
            for n in &self.notes {
                let _ = writeln!(out, "  - {n}");
            }
        }
        out
    }
}
