//! Node kinds from Graphviz shapes and names, edge kinds from style and label. The
//! rules are shared with the DOT writer so that what it writes reads back the same.
//!
//! Node kind, first rule that applies:
//! 1. shape `octagon`/`triangle` is Input, `doubleoctagon`/`tripleoctagon`/`invtriangle`
//!    is Output (the corpus marks graph ends this way);
//! 2. an id, or first label line, that starts with `input`/`output` (optionally after
//!    `model`/`global`/`system`) is Input when nothing feeds it, Output when it feeds
//!    nothing: `input_dp0_pp1` in the middle of a graph stays what its shape says;
//! 3. the shape: box/rect/rectangle/record/Mrecord/square are Compute,
//!    ellipse/oval/circle/doublecircle Communication, parallelogram/trapezium/
//!    invtrapezium/diamond/hexagon/house/invhouse Aggregation; misspellings are matched
//!    by prefix (`rectange`, `elipse`, `paralellogram`); anything else is Compute.
//!
//! Edge kind: Control only when the edge is dashed, dotted or invisible *and* its label
//! or `kind` says so (control, sync, barrier, order, dependency, iteration, feedback);
//! the corpus draws plenty of dashed edges that carry tokens, so style alone means Data.
//! An explicit `kind=control` / `kind=data` attribute (written by `write_dot`) decides.

use crate::model::{EdgeKind, NodeKind};

pub fn kind_from_shape(shape: &str) -> Option<NodeKind> {
    let s = shape.trim().to_ascii_lowercase();
    let kind = match s.as_str() {
        "octagon" | "triangle" => NodeKind::Input,
        "doubleoctagon" | "tripleoctagon" | "invtriangle" => NodeKind::Output,
        "box" | "rect" | "rectangle" | "record" | "mrecord" | "square" | "box3d" | "component" => NodeKind::Compute,
        "ellipse" | "oval" | "circle" | "doublecircle" | "egg" | "point" => NodeKind::Communication,
        "parallelogram" | "trapezium" | "invtrapezium" | "diamond" | "mdiamond" | "hexagon" | "house" | "invhouse" => {
            NodeKind::Aggregation
        }
        _ if s.starts_with("rect") || s.starts_with("recta") => NodeKind::Compute,
        _ if s.starts_with("elip") || s.starts_with("elli") || s.starts_with("ovel") => NodeKind::Communication,
        _ if s.starts_with("paral") || s.starts_with("paraf") || s.starts_with("trapez") => NodeKind::Aggregation,
        _ => return None,
    };
    Some(kind)
}

/// Whether the node's name says it is the graph's input or output (rule 2).
pub fn io_by_name(id: &str, label: Option<&str>) -> Option<NodeKind> {
    let first = label.and_then(|l| super::label::lines(l).next()).unwrap_or("");
    [id, first].into_iter().find_map(|text| {
        let t = text.trim().to_ascii_lowercase();
        let t = ["model ", "global ", "system ", "model_", "global_"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(&t)
            .to_string();
        if t.starts_with("input") {
            Some(NodeKind::Input)
        } else if t.starts_with("output") {
            Some(NodeKind::Output)
        } else {
            None
        }
    })
}

/// The node kind from its shape, name and degrees (see the module comment).
pub fn node_kind(shape: Option<&str>, id: &str, label: Option<&str>, fed: bool, feeds: bool) -> NodeKind {
    let by_shape = shape.and_then(kind_from_shape);
    if let Some(k @ (NodeKind::Input | NodeKind::Output)) = by_shape {
        return k;
    }
    match io_by_name(id, label) {
        Some(NodeKind::Input) if !fed => return NodeKind::Input,
        Some(NodeKind::Output) if !feeds => return NodeKind::Output,
        _ => {}
    }
    by_shape.unwrap_or(NodeKind::Compute)
}

const CONTROL_WORDS: [&str; 8] = ["control", "sync", "barrier", "order", "depend", "iteration", "feedback", "signal"];

pub fn edge_kind(style: Option<&str>, label: Option<&str>, kind_attr: Option<&str>) -> EdgeKind {
    match kind_attr.map(|k| k.trim().to_ascii_lowercase()) {
        Some(k) if k == "control" => return EdgeKind::Control,
        Some(k) if k == "data" => return EdgeKind::Data,
        _ => {}
    }
    let style = style.unwrap_or("").to_ascii_lowercase();
    let broken = style.contains("dash") || style.contains("dot") || style.contains("invis");
    let label = label.unwrap_or("").to_ascii_lowercase();
    if broken && CONTROL_WORDS.iter().any(|w| label.contains(w)) { EdgeKind::Control } else { EdgeKind::Data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_names() {
        assert_eq!(node_kind(Some("rectangle"), "a", None, true, true), NodeKind::Compute);
        assert_eq!(node_kind(Some("elipse"), "a", None, true, true), NodeKind::Communication);
        assert_eq!(node_kind(Some("paralellogram"), "a", None, true, true), NodeKind::Aggregation);
        assert_eq!(node_kind(Some("octagon"), "a", None, true, true), NodeKind::Input);
        assert_eq!(node_kind(Some("ellipse"), "Input", None, false, true), NodeKind::Input);
        assert_eq!(node_kind(Some("box"), "input_dp0_pp1", None, true, true), NodeKind::Compute);
        assert_eq!(node_kind(Some("box"), "x", Some("Model Output\n[1]"), true, false), NodeKind::Output);
        assert_eq!(node_kind(Some("note"), "x", None, true, true), NodeKind::Compute);
    }

    #[test]
    fn control_edges_need_a_reason() {
        assert_eq!(edge_kind(Some("dashed"), Some("tokens"), None), EdgeKind::Data);
        assert_eq!(edge_kind(Some("dashed"), Some("Next Iteration"), None), EdgeKind::Control);
        assert_eq!(edge_kind(None, Some("sync"), None), EdgeKind::Data);
        assert_eq!(edge_kind(None, None, Some("control")), EdgeKind::Control);
    }
}
