//! The whole DAG as a standalone SVG drawing, from the core layout (`layout::LayoutSession`):
//! boxes shaped and filled by node kind, labels, edges with arrowheads, group captions,
//! and optionally a title and a legend. The page's "DAG · SVG" export draws every node
//! ([`dag_svg`]); the HTML report draws the graph as the page opens it ([`dag_svg_as_opened`]:
//! series folded past `Grouping::SERIES_ABOVE` nodes), to be read at its size.
//!
//! Bounded: past `limits::DRAWN_ITEMS` boxes the graph is drawn folded (series, then
//! layers, stages, servers: the first grouping that fits), and [`DagDrawing::folded`]
//! says so, as does a caption in the drawing. If no grouping fits, the first
//! `DRAWN_ITEMS` boxes are drawn and the rest counted (`left_out`).

use super::xml::esc;
use crate::layout::{EdgePath, Grouping, Item, Layout, LayoutOptions, LayoutSession};
use crate::limits::DRAWN_ITEMS;
use crate::model::{NodeKind, Plan};
use std::fmt::Write;

/// A drawing and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct DagDrawing {
    pub svg: String,
    /// How nodes were folded to stay under `DRAWN_ITEMS` (`None`: every node is a box).
    pub grouping: Grouping,
    /// Boxes drawn.
    pub items: usize,
    /// Boxes of the layout not drawn (only when even the most folded layout is too large).
    pub left_out: usize,
    pub nodes: usize,
    pub width: f32,
    pub height: f32,
    /// Why it is folded (when it is).
    pub fold: Fold,
}

/// Why a drawing folds nodes into groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// To stay under `DRAWN_ITEMS` boxes.
    Boxes,
    /// To be read as the page opens it (past `Grouping::SERIES_ABOVE` nodes).
    Reading,
}

impl DagDrawing {
    /// Whether the drawing shows groups in place of some nodes.
    pub fn folded(&self) -> bool {
        self.grouping != Grouping::None
    }

    /// What the drawing leaves out, in words, or `None` when every node is drawn.
    pub fn note(&self) -> Option<String> {
        let by = match self.grouping {
            Grouping::None => None,
            Grouping::Series => Some("numbered series"),
            Grouping::Layer => Some("layer"),
            Grouping::Stage => Some("pipeline stage"),
            Grouping::Server => Some("server"),
            Grouping::Cluster => Some("cluster"),
        };
        let mut parts = Vec::new();
        if let Some(by) = by {
            let why = match self.fold {
                Fold::Boxes => format!("at most {} boxes are drawn", crate::units::thousands(DRAWN_ITEMS)),
                Fold::Reading => format!(
                    "as the page opens a plan of more than {} nodes; its DAG · SVG export draws every node",
                    crate::units::thousands(Grouping::SERIES_ABOVE)
                ),
            };
            parts.push(format!(
                "{} nodes drawn folded by {by} into {} boxes ({why})",
                crate::units::thousands(self.nodes),
                crate::units::thousands(self.items + self.left_out),
            ));
        }
        if self.left_out > 0 {
            parts.push(format!("{} boxes not drawn", crate::units::thousands(self.left_out)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Folds tried, in order, when the plan has more nodes than a drawing holds.
const FOLDS: [Grouping; 4] = [Grouping::Series, Grouping::Layer, Grouping::Stage, Grouping::Server];

/// The layout drawn for `plan`: every node when it fits, else the first fold that fits,
/// else the fold with the fewest boxes.
pub fn fitting_layout(plan: &Plan) -> (Layout, Grouping) {
    fitting_from(plan, Grouping::None)
}

/// As [`fitting_layout`], folded at least as `first` does (None, or a member of `FOLDS`).
fn fitting_from(plan: &Plan, first: Grouping) -> (Layout, Grouping) {
    let mut session = LayoutSession::new(plan);
    let opts = |grouping| LayoutOptions { grouping, ..LayoutOptions::default() };
    if first == Grouping::None && plan.nodes.len() <= DRAWN_ITEMS {
        return (session.layout(&opts(Grouping::None)).clone(), Grouping::None);
    }
    let from = FOLDS.iter().position(|&g| g == first).unwrap_or(0);
    let mut best: Option<(Layout, Grouping)> = None;
    for &g in &FOLDS[from..] {
        let l = session.layout(&opts(g));
        if l.items.len() <= DRAWN_ITEMS {
            return (l.clone(), g);
        }
        if best.as_ref().is_none_or(|(b, _)| l.items.len() < b.items.len()) {
            best = Some((l.clone(), g));
        }
    }
    best.unwrap_or_else(|| (session.layout(&opts(Grouping::None)).clone(), Grouping::None))
}

/// What to draw around the graph.
#[derive(Debug, Clone, Copy, Default)]
pub struct Frame<'a> {
    /// A heading over the drawing (e.g. the file name and side).
    pub title: Option<&'a str>,
    /// The key to box shapes and fills.
    pub legend: bool,
}

/// The whole DAG of `plan` as a standalone SVG document, every node a box when it fits.
pub fn dag_svg(plan: &Plan, frame: Frame<'_>) -> DagDrawing {
    let (layout, grouping) = fitting_layout(plan);
    render(plan, &layout, grouping, frame)
}

/// The DAG of `plan` as the page opens it: folded into series past `Grouping::SERIES_ABOVE`
/// nodes (a deployment's 8 experts a layer side by side across 94 layers drew 4,700 px wide,
/// its layers' column out of a report's view), then as [`dag_svg`] folds.
pub fn dag_svg_as_opened(plan: &Plan, frame: Frame<'_>) -> DagDrawing {
    let opening = Grouping::opening(plan.nodes.len());
    let (layout, grouping) = fitting_from(plan, opening);
    // Folded as opened, unless even that took more than DRAWN_ITEMS boxes.
    let fold = if opening != Grouping::None && grouping == opening { Fold::Reading } else { Fold::Boxes };
    render_as(plan, &layout, grouping, frame, fold)
}

const PAD: f32 = 16.0;
const CHAR_W: f32 = 7.0;
const LINE_H: f32 = 15.0;

/// Fills by node kind: pale tints of the Okabe–Ito colours (Okabe & Ito 2008,
/// "Color Universal Design"), dark text reads on all of them.
fn fill(kind: Option<NodeKind>) -> &'static str {
    match kind {
        Some(NodeKind::Compute) => "#cfe6f5",
        Some(NodeKind::Communication) => "#fbe3bf",
        Some(NodeKind::Aggregation) => "#d4efe4",
        Some(NodeKind::Input | NodeKind::Output) => "#ffffff",
        None => "#eceff3",
    }
}

const LEGEND: [(&str, Option<NodeKind>); 5] = [
    ("compute", Some(NodeKind::Compute)),
    ("communication", Some(NodeKind::Communication)),
    ("aggregation", Some(NodeKind::Aggregation)),
    ("input / output", Some(NodeKind::Input)),
    ("group (×members)", None),
];

/// Scoped to `.dag-svg`: the report inlines this drawing next to others.
const STYLE: &str = ".dag-svg text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;fill:#17212b}\
.dag-svg .box{stroke:#3b4754;stroke-width:1}.dag-svg .comm .box{stroke-dasharray:4 2}\
.dag-svg .edge{fill:none;stroke:#8a96a3;stroke-width:1.2}.dag-svg .edge.cycle{stroke:#c0392b;stroke-dasharray:5 3}\
.dag-svg .lbl{font-size:12px;text-anchor:middle;dominant-baseline:middle}.dag-svg .sub{fill:#4a5866}\
.dag-svg .cap{font-size:12px;font-weight:600;fill:#4a5866}.dag-svg .gbox{fill:none;stroke:#8a96a3;stroke-dasharray:6 4}\
.dag-svg .title{font-size:16px;font-weight:600}.dag-svg .key{font-size:12px}.dag-svg .note{font-size:12px;fill:#7a4b00}";

/// Draws `layout` (of `plan`, made with `grouping`): at most `DRAWN_ITEMS` boxes.
pub fn render(plan: &Plan, layout: &Layout, grouping: Grouping, frame: Frame<'_>) -> DagDrawing {
    render_as(plan, layout, grouping, frame, Fold::Boxes)
}

fn render_as(plan: &Plan, layout: &Layout, grouping: Grouping, frame: Frame<'_>, fold: Fold) -> DagDrawing {
    let shown = layout.items.len().min(DRAWN_ITEMS);
    let mut drawing = DagDrawing {
        svg: String::new(),
        grouping,
        items: shown,
        left_out: layout.items.len() - shown,
        nodes: plan.nodes.len(),
        width: 0.0,
        height: 0.0,
        fold,
    };
    let note = drawing.note();
    let head = frame.title.map_or(0.0, |_| 28.0)
        + if frame.legend { 26.0 } else { 0.0 }
        + if note.is_some() { 20.0 } else { 0.0 };
    let b = layout.bounds;
    // Wide enough for the legend and the note (12px text, about 6.5px a character).
    let note_w = note.as_ref().map_or(0.0, |n| n.chars().count() as f32 * 6.5);
    let width = (b.width + 2.0 * PAD).max(if frame.legend { 640.0 } else { 0.0 }).max(note_w + 2.0 * PAD);
    let height = b.height + 2.0 * PAD + head;
    let mut s = String::with_capacity(256 + shown * 320 + layout.edges.len() * 80);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag-svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(frame.title.unwrap_or("Deployment plan DAG"))
    );
    let _ = write!(
        s,
        "<style>{STYLE}</style><defs><marker id=\"dag-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#8a96a3\"/></marker></defs>"
    );
    let _ = write!(s, "<rect width=\"{width:.0}\" height=\"{height:.0}\" fill=\"#ffffff\"/>");
    let mut y = PAD;
    if let Some(t) = frame.title {
        let _ = write!(s, "<text class=\"title\" x=\"{PAD}\" y=\"{:.0}\">{}</text>", y + 12.0, esc(t));
        y += 28.0;
    }
    if frame.legend {
        legend(&mut s, PAD, y);
        y += 26.0;
    }
    if let Some(n) = &note {
        let _ =
            write!(s, "<text class=\"note\" data-note=\"folded\" x=\"{PAD}\" y=\"{:.0}\">{}</text>", y + 8.0, esc(n));
        y += 20.0;
    }
    let _ = write!(s, "<g transform=\"translate({:.1} {:.1})\">", PAD - b.x, y - b.y + 4.0);
    // Expanded groups: a dashed box with the caption over it.
    for g in &layout.groups {
        if let Some(r) = g.bounds {
            let _ = write!(
                s,
                "<g class=\"caption\"><rect class=\"gbox\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/>\
                 <text class=\"cap\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
                r.x - 6.0,
                r.y - 6.0,
                r.width + 12.0,
                r.height + 12.0,
                r.x - 4.0,
                r.y - 10.0,
                esc(&g.label)
            );
        }
    }
    // Boxes first, edges over them: an edge only touches its boxes at its ends, and the
    // stacked boxes of a group would otherwise hide the arrowheads.
    s.push_str("<g class=\"items\">");
    for it in layout.items.iter().take(shown) {
        item(&mut s, plan, layout, it);
    }
    s.push_str("</g><g class=\"edges\">");
    for e in layout.edges.iter() {
        if e.source.ix() < shown && e.target.ix() < shown {
            edge(&mut s, e);
        }
    }
    s.push_str("</g></g></svg>\n");
    drawing.svg = s;
    drawing.width = width;
    drawing.height = height;
    drawing
}

fn legend(s: &mut String, x0: f32, y: f32) {
    let mut x = x0;
    s.push_str("<g class=\"legend\">");
    for (name, kind) in LEGEND {
        let comm = if kind == Some(NodeKind::Communication) { " comm" } else { "" };
        let _ = write!(
            s,
            "<g class=\"key{comm}\"><rect class=\"box\" x=\"{x:.0}\" y=\"{:.0}\" width=\"22\" height=\"14\" rx=\"3\" fill=\"{}\"/>\
             <text class=\"key\" x=\"{:.0}\" y=\"{:.0}\">{name}</text></g>",
            y,
            fill(kind),
            x + 28.0,
            y + 11.0
        );
        x += 40.0 + name.chars().count() as f32 * CHAR_W;
    }
    let _ = write!(
        s,
        "<g class=\"key\"><path class=\"edge\" d=\"M{x:.0} {:.0}h26\" marker-end=\"url(#dag-arrow)\"/>\
         <text class=\"key\" x=\"{:.0}\" y=\"{:.0}\">data flow</text></g></g>",
        y + 7.0,
        x + 32.0,
        y + 11.0
    );
}

fn edge(s: &mut String, e: &EdgePath) {
    let Some(&(x0, y0)) = e.points.first() else { return };
    let _ = write!(s, "<path class=\"edge{}\" d=\"M{x0:.1} {y0:.1}", if e.reversed { " cycle" } else { "" });
    for &(x, y) in &e.points[1..] {
        let _ = write!(s, "L{x:.1} {y:.1}");
    }
    s.push_str("\" marker-end=\"url(#dag-arrow)\"/>");
}

fn item(s: &mut String, plan: &Plan, layout: &Layout, it: &Item) {
    let (x, y, w, h) = (it.x - it.width / 2.0, it.y - it.height / 2.0, it.width, it.height);
    let max_chars = (((w - 10.0) / CHAR_W).floor() as usize).max(3);
    if let Some(gid) = &it.group {
        let label = layout.groups.iter().find(|g| &g.id == gid).map_or(gid.as_str(), |g| g.label.as_str());
        // Ids and labels go in `<title>` text, never in attributes: a reader scanning tags
        // for `src=` or `on…=` then never meets text from the plan.
        let _ = write!(s, "<g class=\"group\" data-members=\"{}\">", it.members);
        for k in [8.0f32, 4.0] {
            let _ = write!(
                s,
                "<rect class=\"box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"4\" fill=\"#f6f7f9\"/>",
                x + k,
                y - k
            );
        }
        let _ = write!(
            s,
            "<rect class=\"box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"4\" fill=\"{}\"/>",
            fill(None)
        );
        let _ = write!(s, "<title>{} ({} nodes)</title>", esc(label), it.members);
        lines(s, it, &[cut(label, max_chars), cut(&format!("{} nodes", it.members), max_chars)]);
        s.push_str("</g>");
        return;
    }
    let Some(node) = it.node.and_then(|n| plan.nodes.get(n.ix())) else { return };
    let comm = if node.kind == NodeKind::Communication { " comm" } else { "" };
    let rx = match node.kind {
        NodeKind::Input | NodeKind::Output => h / 2.0,
        NodeKind::Aggregation => 0.0,
        _ => 4.0,
    };
    let _ = write!(s, "<g class=\"node{comm}\">");
    let _ = write!(
        s,
        "<rect class=\"box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{rx:.1}\" fill=\"{}\"/>",
        fill(Some(node.kind))
    );
    let name = node.label.as_deref().unwrap_or(&node.id);
    let _ = write!(s, "<title>{}</title>", esc(&node.id));
    let op = node.op.as_ref().map_or_else(|| node.kind.as_str().to_string(), |o| o.name().to_string());
    let tail = match &node.output {
        Some(shape) => format!("{op} · {shape}"),
        None => op,
    };
    // The first line of a multi-line label (DOT `\n`, record `|`), then the operation.
    let first =
        name.split(['\n', '|']).map(|l| l.trim_matches(['{', '}', ' '])).find(|l| !l.is_empty()).unwrap_or(name);
    let first = first.replace("\\n", " ").replace("\\l", " ");
    let mut ls = vec![cut(&first, max_chars)];
    if h >= 2.0 * LINE_H + 4.0 {
        ls.push(cut(&tail, max_chars));
    }
    lines(s, it, &ls);
    s.push_str("</g>");
}

fn lines(s: &mut String, it: &Item, ls: &[String]) {
    let n = ls.len() as f32;
    for (k, l) in ls.iter().enumerate() {
        let y = it.y + (k as f32 - (n - 1.0) / 2.0) * LINE_H;
        let class = if k > 0 { "lbl sub" } else { "lbl" };
        let _ = write!(s, "<text class=\"{class}\" x=\"{:.1}\" y=\"{y:.1}\">{}</text>", it.x, esc(l));
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::r#gen::{GenSpec, generate};
    use crate::read::read_plan;

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    #[test]
    fn a_small_plan_draws_every_node_edge_and_the_legend() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let d = dag_svg(&plan, Frame { title: Some("seed <before>"), legend: true });
        assert_eq!(d.grouping, Grouping::None);
        assert!(!d.folded() && d.note().is_none());
        assert!(d.svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(count(&d.svg, "<g class=\"node"), plan.nodes.len());
        for n in &plan.nodes {
            assert!(d.svg.contains(&format!("<title>{}</title>", esc(&n.id))), "{}", n.id);
        }
        assert_eq!(count(&d.svg, "<path class=\"edge"), plan.edges.len() + 1, "every edge and the legend's arrow");
        assert!(d.svg.contains("seed &lt;before&gt;"), "the title is escaped");
        assert!(d.svg.contains(">communication</text>"));
        assert_eq!(count(&d.svg, "<g"), count(&d.svg, "</g>"));
        assert!(d.width > 0.0 && d.height > 0.0);
    }

    #[test]
    fn a_plan_past_the_cap_is_drawn_folded_and_says_so() {
        let spec = GenSpec::new(crate::model::Strategy::new(64, 2, 1, 1).unwrap(), 8, 64);
        let plan = generate(&spec);
        assert!(plan.nodes.len() > DRAWN_ITEMS, "{}", plan.nodes.len());
        let d = dag_svg(&plan, Frame::default());
        assert!(d.folded());
        assert!(d.items <= DRAWN_ITEMS);
        let note = d.note().unwrap();
        assert!(d.svg.contains("data-note=\"folded\""), "{note}");
        // Every node is a box of its own or a member of a drawn group.
        let groups: usize = d
            .svg
            .split("data-members=\"")
            .skip(1)
            .map(|t| t.split('"').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(count(&d.svg, "<g class=\"node") + groups, plan.nodes.len());
    }

    #[test]
    fn as_opened_a_plan_past_a_few_hundred_nodes_is_read_by_its_series() {
        // 8 experts in a layer side by side over many layers: drawn whole it is as wide as
        // its widest layer; as the page opens it, each layer's experts are one stack.
        let spec = GenSpec::new(crate::model::Strategy::new(8, 1, 1, 1).unwrap(), 30, 8);
        let plan = generate(&spec);
        assert!(plan.nodes.len() > Grouping::SERIES_ABOVE && plan.nodes.len() <= DRAWN_ITEMS);
        let whole = dag_svg(&plan, Frame { title: None, legend: true });
        assert!(!whole.folded());
        let opened = dag_svg_as_opened(&plan, Frame { title: None, legend: true });
        assert_eq!((opened.grouping, opened.fold), (Grouping::Series, Fold::Reading));
        assert!(opened.width < whole.width && opened.items * 3 < plan.nodes.len(), "{opened:?}");
        let note = opened.note().unwrap();
        assert!(note.contains("as the page opens a plan of more than 400 nodes"), "{note}");
        assert!(opened.width >= note.chars().count() as f32 * 6.5, "the note fits: {}", opened.width);
        // A small plan opens whole.
        let small = read_plan(SEED_EP64_TP2.text).unwrap();
        assert!(!dag_svg_as_opened(&small, Frame::default()).folded());
    }

    #[test]
    fn hostile_ids_are_escaped() {
        let mut plan = read_plan(SEED_EP64_TP2.text).unwrap();
        plan.nodes[0].id = "<script>alert(1)</script>".into();
        let d = dag_svg(&plan, Frame::default());
        assert!(!d.svg.contains("<script>"));
    }
}
