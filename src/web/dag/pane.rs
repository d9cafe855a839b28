//! One side's graph: the plan, its layout session and current layout with spatial
//! indexes, the camera, and per-item marks. Plain data behind a `StoredValue`, so
//! pan and zoom touch only this and the canvas, never the reactive DOM.

use super::theme::{ColorBy, fill};
use crate::web::state::Side;
use leptos::prelude::*;
use planscope_core::cluster::on_gpu::{first_gpu, max_first_gpu, nodes_on};
use planscope_core::graph::EdgeIndex;
use planscope_core::layout::hit::{SpatialIndex, edge_rects, item_rects};
use planscope_core::layout::viewport::{Camera, fit_scale};
use planscope_core::layout::{Grouping, IdxVec, ItemId, Layout, LayoutOptions, LayoutSession, LinkIdx, NodeIdx, Rect};
use planscope_core::model::Plan;
use planscope_core::rewrite::Action;
use std::collections::HashMap;
use std::sync::Arc;
use web_sys::HtmlCanvasElement;

pub type Dag = StoredValue<Panes, LocalStorage>;

/// Margin around a fitted graph, in CSS pixels.
pub const FIT_MARGIN: f64 = 16.0;
/// The minimap's distance from the pane's right and bottom edges (as in the stylesheet).
const MINIMAP_INSET: f64 = 8.0;
/// The pane's title (`.dag-pane-title`: 6px from the top, one 0.75rem line) lies over the
/// canvas's top-left corner; a fitted graph starts below it, so its first node is never
/// under the title (a narrow pane, a phone, centres the graph beneath it).
const TITLE_BAND: f64 = 30.0;
/// Framing found nodes never magnifies beyond this (12px labels at their size).
pub const READING_SCALE: f64 = 1.0;
/// Below this scale a fitted graph's 12px labels are under 4px: its nodes are no longer read.
const LEGIBLE_SCALE: f64 = 0.33;

pub struct Panes {
    pub panes: Vec<Pane>,
}

/// Per-item mark bits.
pub const SELECTED: u8 = 1;
pub const FINDING: u8 = 2;
pub const ON_GPU: u8 = 4;
pub const MATCH: u8 = 8;

pub struct Pane {
    pub side: Side,
    pub plan: Arc<Plan>,
    /// The plan's edges as its analysis resolved them, for the first layout.
    edges: Option<Arc<EdgeIndex>>,
    pub session: Option<LayoutSession>,
    pub opts: LayoutOptions,
    pub view: Option<PaneView>,
    pub camera: Camera,
    pub canvas: Option<HtmlCanvasElement>,
    pub minimap: Option<HtmlCanvasElement>,
    /// The minimap's graph, drawn once per layout and copied each frame.
    pub minimap_bg: Option<HtmlCanvasElement>,
    pub frame_pending: bool,
    /// CSS size of the canvas at the last draw.
    pub size: (f64, f64),
    pub marks: IdxVec<ItemId, u8>,
    pub ready: RwSignal<bool>,
    pub pointer: PointerState,
    /// Node ids to indices, built on first need (findings name nodes by id).
    pub ids: Option<HashMap<String, u32>>,
    /// Per plan node, what the rewrite did to it (`rewrite::node_marks`); empty when
    /// there is no rewrite to compare with.
    pub changes: Vec<Option<Action>>,
    /// Per item, the change its nodes show (a group: its first changed member's).
    pub item_changes: IdxVec<ItemId, Option<Action>>,
    /// The collapse buttons drawn on expanded groups at the last draw, in CSS pixels.
    pub chips: Vec<(Rect, String)>,
    /// Expanded groups, most recent last: the `c` key collapses the last.
    pub expanded_order: Vec<String>,
}

#[derive(Default)]
pub struct PointerState {
    /// Active pointers: id and last position.
    pub down: Vec<(i32, f64, f64)>,
    /// Distance moved since the press; a press that barely moved is a click.
    pub travel: f64,
    /// The pointers are fingers: one scrolls the page, two move the graph.
    pub touch: bool,
}

pub struct PaneView {
    pub layout: Layout,
    pub items: SpatialIndex<ItemId>,
    pub edges: SpatialIndex<LinkIdx>,
    /// A representative plan node per item (its own, or a group's first member).
    pub node_of_item: IdxVec<ItemId, Option<NodeIdx>>,
    /// Palette index per item into `colors` (u16::MAX: no colour).
    pub color: IdxVec<ItemId, u16>,
    pub colors: Vec<String>,
}

impl Pane {
    /// `edges`: the plan's `EdgeIndex`, when an analysis has it.
    pub fn new(side: Side, plan: Arc<Plan>, edges: Option<Arc<EdgeIndex>>, ready: RwSignal<bool>) -> Pane {
        Pane {
            side,
            plan,
            edges,
            session: None,
            opts: LayoutOptions::default(),
            view: None,
            camera: Camera::default(),
            canvas: None,
            minimap: None,
            minimap_bg: None,
            frame_pending: false,
            size: (0.0, 0.0),
            marks: IdxVec::new(),
            ready,
            pointer: PointerState::default(),
            ids: None,
            changes: Vec::new(),
            item_changes: IdxVec::new(),
            chips: Vec::new(),
            expanded_order: Vec::new(),
        }
    }

    /// The grouping used when the picker says "auto".
    pub fn auto_grouping(&self) -> Grouping {
        Grouping::opening(self.plan.nodes.len())
    }

    /// The layout session, made on first use: the plan read for layout once (with the edges
    /// its analysis resolved, when it has them).
    pub fn prepare(&mut self) -> &mut LayoutSession {
        let (plan, edges) = (&self.plan, self.edges.take());
        self.session.get_or_insert_with(|| match &edges {
            Some(e) => LayoutSession::indexed(plan, e),
            None => LayoutSession::new(plan),
        })
    }

    /// Lays out with `grouping` and the current expanded set; the session caches layouts.
    pub fn relayout(&mut self, grouping: Grouping, color_by: ColorBy) {
        if self.opts.grouping != grouping {
            self.opts.expanded.clear();
            self.expanded_order.clear();
        }
        self.opts.grouping = grouping;
        let opts = self.opts.clone();
        let layout = self.prepare().layout(&opts).clone();
        let mut node_of_item = IdxVec::filled(None, layout.items.len());
        for (v, &it) in layout.item_of_node.iter_enumerated() {
            if let Some(slot) = node_of_item.get_mut(it)
                && slot.is_none()
            {
                *slot = Some(v);
            }
        }
        let items = SpatialIndex::new(item_rects(&layout));
        let edges = SpatialIndex::new(edge_rects(&layout));
        self.marks = IdxVec::filled(0, layout.items.len());
        self.minimap_bg = None;
        self.view = Some(PaneView { layout, items, edges, node_of_item, color: IdxVec::new(), colors: Vec::new() });
        self.recolor(color_by);
        self.mark_changes();
    }

    /// Sets what the rewrite did to each plan node and spreads it onto the items.
    pub fn set_changes(&mut self, changes: Vec<Option<Action>>) {
        self.changes = changes;
        self.mark_changes();
    }

    fn mark_changes(&mut self) {
        let Some(v) = &self.view else { return };
        let mut marks: IdxVec<ItemId, Option<Action>> = IdxVec::filled(None, v.layout.items.len());
        for (n, change) in self.changes.iter().enumerate() {
            if let Some(c) = change
                && let Some(slot) = v.layout.item_of_node.get(NodeIdx(n as u32)).and_then(|&i| marks.get_mut(i))
                && slot.is_none()
            {
                *slot = Some(*c);
            }
        }
        self.item_changes = marks;
        self.minimap_bg = None;
    }

    pub fn recolor(&mut self, by: ColorBy) {
        let plan = self.plan.clone();
        let Some(v) = self.view.as_mut() else { return };
        let max_gpu = max_first_gpu(&plan);
        let mut index: HashMap<String, u16> = HashMap::new();
        v.colors.clear();
        v.color = v
            .node_of_item
            .iter()
            .map(|&n| {
                let Some(node) = n.and_then(|n| plan.nodes.get(n.ix())) else { return u16::MAX };
                let Some(c) = fill(by, first_gpu(&node.placement), max_gpu, node.ranks.pp) else { return u16::MAX };
                let next = v.colors.len() as u16;
                *index.entry(c.clone()).or_insert_with(|| {
                    v.colors.push(c);
                    next
                })
            })
            .collect();
        self.minimap_bg = None;
    }

    /// Shows the whole graph, centred below the pane's title, clear of the minimap where
    /// that costs little: when the fitted graph would run under the minimap's corner, it
    /// is fitted beside or above it instead, whichever is larger. Always the whole graph,
    /// however long and thin (the canvas labels what has room at that size).
    pub fn fit(&mut self) {
        let Some(v) = &self.view else { return };
        let (w, h) = self.size;
        let b = v.layout.bounds;
        let (bx, by, bw, bh) = (b.x as f64, b.y as f64, (b.width as f64).max(1.0), (b.height as f64).max(1.0));
        let (mw, mh) = self.minimap_size();
        let mini = mw > 0.0 && mh > 0.0;
        // The minimap's top-left corner, with its margin to the pane's edges.
        let (cx, cy) = if mini { (w - mw - MINIMAP_INSET, h - mh - MINIMAP_INSET) } else { (w, h) };
        let m = FIT_MARGIN;
        // Fitted in the band below the title: its margin is part of the band.
        let top = (TITLE_BAND - m).max(0.0);
        let below = |mut c: Camera| {
            c.ty += top;
            c
        };
        let full = below(Camera::fit(b, w, h - top, m));
        let (right, bottom) = full.to_screen(bx + bw, by + bh);
        if !mini || right <= cx - m / 2.0 || bottom <= cy - m / 2.0 {
            self.camera = full;
            return;
        }
        let beside = fit_scale(b, cx, h - top, m);
        let above = fit_scale(b, w, cy - top, m);
        // Only worth it when it shrinks the graph by less than a third.
        let best = beside.max(above);
        if best < full.scale * 0.66 {
            self.camera = full;
            return;
        }
        let mut c = Camera { scale: best, tx: 0.0, ty: 0.0 };
        if beside >= above {
            c.center_on(bx + bw / 2.0, by + bh / 2.0, cx, h - top);
        } else {
            c.center_on(bx + bw / 2.0, by + bh / 2.0, w, cy - top);
        }
        self.camera = below(c);
    }

    /// The view a graph opens at: fitted whole, unless it is so long (a deployment's layers
    /// in one column) that fitting it makes its nodes unreadable while its width would show
    /// them; it then opens at its top, as wide as the pane allows up to reading size, as
    /// Netron opens a model. The minimap shows the whole, and Fit (f) fits it.
    pub fn open_view(&mut self) {
        self.fit();
        let Some(v) = &self.view else { return };
        let fitted = self.camera.scale;
        if fitted >= LEGIBLE_SCALE {
            return;
        }
        let (w, _) = self.size;
        let b = v.layout.bounds;
        let (bx, by, bw) = (b.x as f64, b.y as f64, (b.width as f64).max(1.0));
        let across = ((w - 2.0 * FIT_MARGIN).max(1.0) / bw).min(READING_SCALE);
        // A wide graph gains nothing from its top alone: it stays fitted.
        if !(across >= LEGIBLE_SCALE && across >= fitted * 3.0) {
            return;
        }
        let mut c = Camera { scale: across, tx: 0.0, ty: 0.0 };
        c.center_on(bx + bw / 2.0, by, w, 0.0);
        c.ty += TITLE_BAND.max(FIT_MARGIN);
        self.camera = c;
    }

    /// Whether the whole graph is on screen.
    pub fn shows_all(&self) -> bool {
        self.view.as_ref().is_some_and(|v| self.camera.shows(v.layout.bounds, self.size.0, self.size.1))
    }

    /// The box around the items drawing plan nodes `nodes` (a collapsed group's item for
    /// its members); None when none is drawn.
    pub fn nodes_rect(&self, nodes: &[u32]) -> Option<Rect> {
        let v = self.view.as_ref()?;
        Rect::around(
            nodes.iter().filter_map(|&n| v.layout.item_of_node.get(NodeIdx(n)).and_then(|&i| v.layout.items.get(i))),
        )
    }

    /// Brings plan nodes `nodes` into view: centred, zoomed out until all of them show,
    /// at reading size when they fit at it. Nothing when none is drawn.
    pub fn frame_nodes(&mut self, nodes: &[u32]) {
        let Some(r) = self.nodes_rect(nodes) else { return };
        let (w, h) = self.measure();
        self.camera = Camera::frame(r, w, h, FIT_MARGIN * 2.0, READING_SCALE);
    }

    /// Brings `rect` into view without magnifying beyond the current scale (expanding
    /// a stack: it and its neighbours stay on screen, the reader's zoom is kept if it fits).
    pub fn frame_rect_no_closer(&mut self, r: Rect) {
        let (w, h) = self.measure();
        if self.camera.shows(r, w, h) {
            return;
        }
        let keep = self.camera.scale;
        self.camera = Camera::frame(r, w, h, FIT_MARGIN, keep);
    }

    /// CSS size of the minimap, (0, 0) when it is not shown.
    fn minimap_size(&self) -> (f64, f64) {
        match &self.minimap {
            Some(m) => (m.client_width() as f64, m.client_height() as f64),
            None => (0.0, 0.0),
        }
    }

    pub fn fit_scale(&self) -> f64 {
        match &self.view {
            Some(v) => fit_scale(v.layout.bounds, self.size.0, self.size.1, FIT_MARGIN),
            None => 1.0,
        }
    }

    /// Current CSS size of the canvas, remembered for camera maths between frames.
    pub fn measure(&mut self) -> (f64, f64) {
        if let Some(c) = &self.canvas {
            let (w, h) = (c.client_width() as f64, c.client_height() as f64);
            if w > 0.0 && h > 0.0 {
                self.size = (w, h);
            }
        }
        self.size
    }

    pub fn node_index(&mut self, id: &str) -> Option<u32> {
        let plan = &self.plan;
        let ids = self
            .ids
            .get_or_insert_with(|| plan.nodes.iter().enumerate().map(|(i, n)| (n.id.clone(), i as u32)).collect());
        ids.get(id).copied()
    }

    /// Recomputes the per-item marks from node-level selections.
    pub fn remark(&mut self, selected: &[u32], finding: &[String], gpu: Option<u32>, matches: &[NodeIdx]) {
        let finding_nodes: Vec<u32> = finding.iter().filter_map(|id| self.node_index(id)).collect();
        let Some(v) = &self.view else { return };
        let mut marks: IdxVec<ItemId, u8> = IdxVec::filled(0, v.layout.items.len());
        let mut set = |nodes: &mut dyn Iterator<Item = NodeIdx>, bit: u8| {
            for n in nodes {
                if let Some(m) = v.layout.item_of_node.get(n).and_then(|&i| marks.get_mut(i)) {
                    *m |= bit;
                }
            }
        };
        set(&mut selected.iter().map(|&n| NodeIdx(n)), SELECTED);
        set(&mut finding_nodes.iter().map(|&n| NodeIdx(n)), FINDING);
        set(&mut matches.iter().copied(), MATCH);
        if let Some(g) = gpu {
            for n in nodes_on(&self.plan, g) {
                if let Some(m) = v.layout.item_of_node.get(NodeIdx(n)).and_then(|&i| marks.get_mut(i)) {
                    *m |= ON_GPU;
                }
            }
        }
        self.marks = marks;
    }
}
