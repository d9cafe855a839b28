//! One side's graph: the plan, its layout session and current layout with spatial
//! indexes, the camera, and per-item marks. Plain data behind a `StoredValue`, so
//! pan and zoom touch only this and the canvas, never the reactive DOM.

use super::theme::{ColorBy, fill};
use crate::web::state::Side;
use leptos::prelude::*;
use planscope_core::cluster::on_gpu::{first_gpu, max_first_gpu, nodes_on};
use planscope_core::layout::hit::{SpatialIndex, edge_rects, item_rects};
use planscope_core::layout::viewport::{Camera, fit_scale};
use planscope_core::layout::{Grouping, IdxVec, ItemId, Layout, LayoutOptions, LayoutSession, LinkIdx, NodeIdx};
use planscope_core::model::Plan;
use std::collections::HashMap;
use std::sync::Arc;
use web_sys::HtmlCanvasElement;

pub type Dag = StoredValue<Panes, LocalStorage>;

/// Plans above this many nodes open folded into series.
pub const AUTO_SERIES_ABOVE: usize = 2_000;
/// Margin around a fitted graph, in CSS pixels.
pub const FIT_MARGIN: f64 = 16.0;
/// The minimap's distance from the pane's right and bottom edges (as in the stylesheet).
const MINIMAP_INSET: f64 = 8.0;
/// Below this fitting scale a long thin graph is fitted across rather than whole.
const THIN_FIT: f64 = 0.12;
/// Fitting across never magnifies beyond this.
const READABLE_FIT: f64 = 1.0;

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
    pub item_of_node: IdxVec<NodeIdx, ItemId>,
    /// A representative plan node per item (its own, or a group's first member).
    pub node_of_item: IdxVec<ItemId, Option<NodeIdx>>,
    /// Palette index per item into `colors` (u16::MAX: no colour).
    pub color: IdxVec<ItemId, u16>,
    pub colors: Vec<String>,
}

impl Pane {
    pub fn new(side: Side, plan: Arc<Plan>, ready: RwSignal<bool>) -> Pane {
        Pane {
            side,
            plan,
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
        }
    }

    /// The grouping used when the picker says "auto".
    pub fn auto_grouping(&self) -> Grouping {
        if self.plan.nodes.len() > AUTO_SERIES_ABOVE { Grouping::Series } else { Grouping::None }
    }

    /// Lays out with `grouping` and the current expanded set; the session caches layouts.
    pub fn relayout(&mut self, grouping: Grouping, color_by: ColorBy) {
        if self.opts.grouping != grouping {
            self.opts.expanded.clear();
        }
        self.opts.grouping = grouping;
        let plan = self.plan.clone();
        let session = self.session.get_or_insert_with(|| LayoutSession::new(&plan));
        let layout = session.layout(&self.opts).clone();
        let item_of_node = session.item_of_node(&self.opts);
        let mut node_of_item = IdxVec::filled(None, layout.items.len());
        for (v, &it) in item_of_node.iter_enumerated() {
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
        self.view = Some(PaneView {
            layout,
            items,
            edges,
            item_of_node,
            node_of_item,
            color: IdxVec::new(),
            colors: Vec::new(),
        });
        self.recolor(color_by);
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

    /// Shows the whole graph, clear of the minimap: when the fitted graph would run under
    /// the minimap's corner, it is fitted beside or above it instead, whichever is larger.
    /// A graph so long and thin that the whole of it is a line of specks (a folded
    /// pipeline of a hundred ranks) is fitted across instead and shown from its start;
    /// zooming out still reaches the whole.
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
        let whole = fit_scale(b, w, h, m);
        let across_x = ((w - 2.0 * m) / bw).min(READABLE_FIT);
        let across_y = ((h - 2.0 * m) / bh).min(READABLE_FIT);
        let place = |scale: f64, right: f64, bottom: f64, from_start: (bool, bool)| {
            let mut c = Camera { scale, tx: 0.0, ty: 0.0 };
            c.center_on(bx + bw / 2.0, by + bh / 2.0, w, h);
            if from_start.0 {
                c.tx = m - bx * scale;
            }
            if from_start.1 {
                c.ty = m - by * scale;
            }
            // Keep clear of the minimap's side without pushing past the near edge.
            let over_x = c.tx + (bx + bw) * scale - (right - m);
            if over_x > 0.0 && !from_start.0 {
                c.tx -= over_x.min(c.tx + bx * scale - m).max(0.0);
            }
            let over_y = c.ty + (by + bh) * scale - (bottom - m);
            if over_y > 0.0 && !from_start.1 {
                c.ty -= over_y.min(c.ty + by * scale - m).max(0.0);
            }
            c
        };
        if whole < THIN_FIT && across_x > 2.0 * whole && bh * across_x > h {
            // Tall: fill the width, from the top (the minimap, translucent, only meets
            // what lies further down).
            self.camera = place(across_x.max(whole), w, h, (false, true));
            return;
        }
        if whole < THIN_FIT && across_y > 2.0 * whole && bw * across_y > w {
            // Wide: fill the height, from the left.
            self.camera = place(across_y.max(whole), w, h, (true, false));
            return;
        }
        let full = Camera::fit(b, w, h, m);
        let (right, bottom) = full.to_screen(bx + bw, by + bh);
        if !mini || right <= cx - m / 2.0 || bottom <= cy - m / 2.0 {
            self.camera = full;
            return;
        }
        let beside = fit_scale(b, cx, h, m);
        let above = fit_scale(b, w, cy, m);
        self.camera =
            if beside >= above { place(beside, cx, h, (false, false)) } else { place(above, w, cy, (false, false)) };
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

    /// Centres the view on plan node `node` (its item), zooming in to reading size if needed.
    pub fn focus_node(&mut self, node: u32) {
        let Some(v) = &self.view else { return };
        let Some(item) = v.item_of_node.get(NodeIdx(node)).and_then(|&i| v.layout.items.get(i)) else {
            return;
        };
        let (x, y) = (item.x as f64, item.y as f64);
        let (w, h) = self.measure();
        if self.camera.scale < 1.0 {
            self.camera.scale = 1.0;
        }
        self.camera.center_on(x, y, w, h);
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
                if let Some(m) = v.item_of_node.get(n).and_then(|&i| marks.get_mut(i)) {
                    *m |= bit;
                }
            }
        };
        set(&mut selected.iter().map(|&n| NodeIdx(n)), SELECTED);
        set(&mut finding_nodes.iter().map(|&n| NodeIdx(n)), FINDING);
        set(&mut matches.iter().copied(), MATCH);
        if let Some(g) = gpu {
            for n in nodes_on(&self.plan, g) {
                if let Some(m) = v.item_of_node.get(NodeIdx(n)).and_then(|&i| marks.get_mut(i)) {
                    *m |= ON_GPU;
                }
            }
        }
        self.marks = marks;
    }
}
