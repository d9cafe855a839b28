//! DOT writer, following the corpus's conventions: a `digraph` with `rankdir=TB` (for plans
//! not read from DOT, whose graph attributes are kept as they were), node
//! shapes by kind (unless the node keeps its original shape in `attrs`), dashed
//! communication nodes, labels that carry the op, `GPU: N` and `Input: [...]` /
//! `Output: [...]` lines, and one cluster per group.
//!
//! Round trips: `read_dot(write_dot(p))` gives back p's nodes, edges, placements, shapes
//! and attributes. Nodes are declared first, in plan order, so the order survives;
//! clusters then list their members. A label is written as it is, and lines are
//! appended only where `read_dot` would not find the node's placement or shapes in it
//! (the reader itself is asked, so the two cannot drift apart). A group id that does
//! not start with `cluster` is written as `cluster_<id>` (Graphviz draws only those).

use crate::model::{EdgeKind, Format, Node, NodeKind, Placement, Plan, Shape};
use crate::read::read_dot;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

pub fn write_dot(plan: &Plan) -> String {
    let mut out = String::with_capacity(256 + plan.nodes.len() * 160 + plan.edges.len() * 48);
    match &plan.name {
        Some(name) => {
            let _ = writeln!(out, "digraph {} {{", quote(name));
        }
        None => out.push_str("digraph {\n"),
    }
    // A plan read from DOT keeps its own graph attributes exactly (TB is Graphviz's default).
    if plan.format != Format::Dot && !plan.attrs.contains_key("rankdir") {
        out.push_str("\trankdir=TB;\n");
    }
    for (k, v) in &plan.attrs {
        let _ = writeln!(out, "\t{}={};", quote(k), quote_raw(&value_text(v)));
    }
    for node in &plan.nodes {
        write_node(&mut out, node);
    }
    write_groups(&mut out, plan);
    for e in &plan.edges {
        let _ = write!(out, "\t{} -> {}", quote(&e.from), quote(&e.to));
        let mut attrs: Vec<(String, String)> = Vec::new();
        if let Some(style) = &e.style {
            attrs.push(("style".into(), quote_raw(style)));
        }
        for (k, v) in &e.attrs {
            attrs.push((quote(k), quote_raw(&value_text(v))));
        }
        if reads_as_control(e) != (e.kind == EdgeKind::Control) {
            let kind = if e.kind == EdgeKind::Control { "control" } else { "data" };
            attrs.push(("kind".into(), kind.into()));
        }
        write_attr_list(&mut out, &attrs);
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn write_node(out: &mut String, node: &Node) {
    let mut attrs: Vec<(String, String)> = Vec::new();
    if let Some(label) = node_label(node) {
        attrs.push(("label".into(), format!("\"{}\"", escape_label(&label))));
    }
    let shape = node.attrs.get("shape").and_then(Value::as_str).filter(|s| is_graphviz_shape(s));
    if shape.is_none() {
        attrs.push(("shape".into(), kind_shape(node.kind).into()));
    }
    if node.kind == NodeKind::Communication && !node.attrs.contains_key("style") {
        attrs.push(("style".into(), "dashed".into()));
    }
    for (k, v) in &node.attrs {
        if k == "shape" && shape.is_none() {
            // Not a Graphviz shape (a JSON plan's tensor shape, say): keep it under another name.
            attrs.push(("tensor_shape".into(), quote_raw(&value_text(v))));
        } else {
            attrs.push((quote(k), quote_raw(&value_text(v))));
        }
    }
    let _ = write!(out, "\t{}", quote(&node.id));
    write_attr_list(out, &attrs);
    out.push_str(";\n");
}

fn write_attr_list(out: &mut String, attrs: &[(String, String)]) {
    if attrs.is_empty() {
        return;
    }
    out.push_str(" [");
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{k}={v}");
    }
    out.push(']');
}

fn kind_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Compute => "box",
        NodeKind::Communication => "ellipse",
        NodeKind::Aggregation => "parallelogram",
        NodeKind::Input => "octagon",
        NodeKind::Output => "doubleoctagon",
    }
}

/// The node's label, plus a line for each fact the reader would not find in it.
fn node_label(node: &Node) -> Option<String> {
    let base = match (&node.label, &node.op) {
        (Some(l), _) => l.clone(),
        (None, Some(op)) if crate::model::Op::recognise(&node.id).as_ref() != Some(op) => {
            format!("{} ({})", node.id, op.name())
        }
        (None, _) => node.id.clone(),
    };
    let (placement, inputs, output) = read_back(&base, &node.id);
    let mut label = base;
    if placement != node.placement {
        let _ = write!(label, "\nGPU: {}", node.placement);
    }
    if inputs != node.inputs {
        let shapes: Vec<String> = node.inputs.iter().map(Shape::to_string).collect();
        let list = if shapes.is_empty() { "[]".to_string() } else { shapes.join(", ") };
        let _ = write!(label, "\nInput: {list}");
    }
    if output != node.output {
        let shape = node.output.as_ref().map_or_else(|| "[]".to_string(), Shape::to_string);
        let _ = write!(label, "\nOutput: {shape}");
    }
    if node.label.is_none() && label == node.id { None } else { Some(label) }
}

/// What `read_dot` finds in a node with this label and id.
fn read_back(label: &str, id: &str) -> (Placement, Vec<Shape>, Option<Shape>) {
    let doc = format!("digraph {{ {} [label=\"{}\"] }}", quote(id), escape_label(label));
    match read_dot(&doc).ok().and_then(|p| p.nodes.into_iter().next()) {
        Some(n) => (n.placement, n.inputs, n.output),
        None => (Placement::Unassigned, Vec::new(), None),
    }
}

/// Whether `read_dot` takes this edge, written without a `kind`, for a control edge.
fn reads_as_control(e: &crate::model::Edge) -> bool {
    if e.style.is_none() {
        return false;
    }
    let label = e.attrs.get("label").map(value_text).unwrap_or_default();
    let style = e.style.as_deref().unwrap_or("");
    let doc = format!("digraph {{ a -> b [style={}, label={}] }}", quote_raw(style), quote_raw(&label));
    read_dot(&doc).ok().and_then(|p| p.edges.first().map(|e| e.kind == EdgeKind::Control)).unwrap_or(false)
}

/// Clusters nested as their parent links say. O(n + g) in nodes and groups: members and
/// children are indexed once, and each group is written at most once, so repeated ids
/// or parent cycles in a hostile plan cannot make the walk blow up.
fn write_groups(out: &mut String, plan: &Plan) {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(plan.groups.len());
    for (i, g) in plan.groups.iter().enumerate() {
        index.entry(g.id.as_str()).or_insert(i);
    }
    // Members and children by the first group of each id, which is where they are written.
    let mut members: Vec<Vec<&str>> = vec![Vec::new(); plan.groups.len()];
    for n in &plan.nodes {
        if let Some(&g) = n.group.as_deref().and_then(|g| index.get(g)) {
            members[g].push(&n.id);
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); plan.groups.len()];
    let mut roots = Vec::new();
    for (i, g) in plan.groups.iter().enumerate() {
        match g.parent.as_deref().filter(|&p| p != g.id).and_then(|p| index.get(p)) {
            Some(&p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let mut written = vec![false; plan.groups.len()];
    let walk = Walk { plan, members: &members, children: &children };
    for root in roots {
        walk.group(out, root, 1, &mut written);
    }
}

struct Walk<'p> {
    plan: &'p Plan,
    members: &'p [Vec<&'p str>],
    children: &'p [Vec<usize>],
}

impl Walk<'_> {
    fn group(&self, out: &mut String, i: usize, depth: usize, written: &mut [bool]) {
        // Nesting comes from the file; the reader refuses subgraphs 64 deep, so stop short.
        let Some(g) = self.plan.groups.get(i) else { return };
        if depth >= 64 || written.get(i).copied().unwrap_or(true) {
            return;
        }
        written[i] = true;
        let pad = "\t".repeat(depth);
        let name = if g.id.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("cluster")) {
            g.id.clone()
        } else {
            format!("cluster_{}", g.id)
        };
        let _ = writeln!(out, "{pad}subgraph {} {{", quote(&name));
        if let Some(label) = &g.label {
            let _ = writeln!(out, "{pad}\tlabel=\"{}\";", escape_label(label));
        }
        for (k, v) in &g.attrs {
            let _ = writeln!(out, "{pad}\t{}={};", quote(k), quote_raw(&value_text(v)));
        }
        // Duplicate ids share one member list, held (and written) by the first of them.
        for id in self.members.get(i).into_iter().flatten() {
            let _ = writeln!(out, "{pad}\t{};", quote(id));
        }
        for &child in self.children.get(i).into_iter().flatten() {
            self.group(out, child, depth + 1, written);
        }
        let _ = writeln!(out, "{pad}}}");
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Label text -> DOT string body: `\`, newlines and quotes escaped for Graphviz's label
/// syntax.
fn escape_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value as read (label escapes still in it), quoted so it reads back the same.
fn quote_raw(raw: &str) -> String {
    quote(raw)
}

/// A DOT id for any text. DOT's quoted strings keep backslashes except before `"`, so
/// text with an odd run of backslashes before a quote or at its end cannot be quoted;
/// such text is written as an HTML string when its angle brackets balance.
pub fn quote(text: &str) -> String {
    if needs_html(text) && balanced(text) {
        return format!("<{text}>");
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' {
            out.push_str("\\\"");
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn needs_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut run = 0;
    for &b in bytes {
        if b == b'\\' {
            run += 1;
        } else {
            if b == b'"' && run % 2 == 1 {
                return true;
            }
            run = 0;
        }
    }
    run % 2 == 1
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i64;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Graphviz's node shapes, to tell a drawing shape from, say, a tensor shape in attrs.
fn is_graphviz_shape(s: &str) -> bool {
    const SHAPES: [&str; 58] = [
        "box",
        "polygon",
        "ellipse",
        "oval",
        "circle",
        "point",
        "egg",
        "triangle",
        "plaintext",
        "plain",
        "diamond",
        "trapezium",
        "parallelogram",
        "house",
        "pentagon",
        "hexagon",
        "septagon",
        "octagon",
        "doublecircle",
        "doubleoctagon",
        "tripleoctagon",
        "invtriangle",
        "invtrapezium",
        "invhouse",
        "Mdiamond",
        "Msquare",
        "Mcircle",
        "rect",
        "rectangle",
        "square",
        "star",
        "none",
        "underline",
        "cylinder",
        "note",
        "tab",
        "folder",
        "box3d",
        "component",
        "promoter",
        "cds",
        "terminator",
        "utr",
        "primersite",
        "restrictionsite",
        "fivepoverhang",
        "threepoverhang",
        "noverhang",
        "assembly",
        "signature",
        "insulator",
        "ribosite",
        "rnastab",
        "proteasesite",
        "proteinstab",
        "rpromoter",
        "record",
        "Mrecord",
    ];
    SHAPES.iter().any(|x| x.eq_ignore_ascii_case(s.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_is_exact() {
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote("a\\b"), "\"a\\b\"");
        assert_eq!(quote("a\\"), "<a\\>");
        assert!(is_graphviz_shape("Mrecord") && !is_graphviz_shape("[1, 2]"));
    }
}
