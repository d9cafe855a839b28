//! Layered ("Sugiyama") layout of a plan's DAG, tuned for deployment plans: linear or
//! n log n passes, the within-rank order seeded from the plan's own structure (GPU, EP/TP
//! rank, expert, layer) and only refined by a few crossing-reduction sweeps. Plain Rust,
//! no clock and no recursion, so it runs the same natively and in wasm, on 100k nodes.
//!
//! `run` names the passes in order, one file each with its complexity: `prepare` (once
//! per plan), `group`, `measure`, `merge`, `acyclic` (break cycles), `rank`, `layered`
//! (virtual nodes), `order`, `position`, `band`, `place`, `route`, `caption`. In debug
//! builds `verify` checks between passes what each must leave. Indices are typed
//! (`index`): items, plan nodes, plan edges, links and layered nodes never mix.

mod acyclic;
mod band;
mod caption;
pub mod declutter;
pub mod excerpt;
mod graph;
mod group;
pub mod hit;
pub mod index;
mod layered;
mod measure;
mod merge;
mod order;
mod place;
mod position;
mod prepare;
mod rank;
mod route;
pub mod search;
mod session;
mod verify;
pub mod viewport;
pub mod wrap;

pub use index::{EdgeIdx, IdxVec, ItemId, LinkIdx, NodeIdx};
pub use session::LayoutSession;

use crate::model::Plan;
use layered::Layered;
use prepare::Prepared;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which way ranks advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    TopToBottom,
    LeftToRight,
    BottomToTop,
    RightToLeft,
}

impl Direction {
    fn horizontal(self) -> bool {
        matches!(self, Direction::LeftToRight | Direction::RightToLeft)
    }
}

/// What folds into one drawn item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    #[default]
    None,
    /// Nodes of the same rank whose ids differ only in their numbers (expert_0 … expert_63).
    Series,
    /// By `layer`.
    Layer,
    /// By pipeline stage (`ranks.pp`).
    Stage,
    /// By server: GPU id / GPUs per server (8 when the plan does not say).
    Server,
    /// By DOT cluster (`group`).
    Cluster,
}

impl Grouping {
    /// Plans above this many nodes open folded into series, on the page and in the report:
    /// past a few hundred nodes a graph drawn whole is below reading size, and series
    /// (expert_0 … expert_63) fold the most.
    pub const SERIES_ABOVE: usize = 400;

    /// How a plan of `nodes` nodes is first drawn for reading.
    pub fn opening(nodes: usize) -> Grouping {
        if nodes > Grouping::SERIES_ABOVE { Grouping::Series } else { Grouping::None }
    }
}

/// Gaps between boxes, in drawing units (about pixels).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spacing {
    /// Between neighbours within a rank.
    pub node: f32,
    /// Between ranks.
    pub rank: f32,
}

impl Default for Spacing {
    fn default() -> Spacing {
        Spacing { node: 24.0, rank: 48.0 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayoutOptions {
    pub direction: Direction,
    pub spacing: Spacing,
    pub grouping: Grouping,
    /// Group ids (as in `GroupInfo::id`) drawn member by member.
    pub expanded: BTreeSet<String>,
    /// Crossing-reduction sweeps after the domain-key seed (each one O(E log V)).
    pub sweeps: u32,
    /// Series shorter than this are not folded.
    pub min_series: u32,
}

impl Default for LayoutOptions {
    fn default() -> LayoutOptions {
        LayoutOptions {
            direction: Direction::TopToBottom,
            spacing: Spacing::default(),
            grouping: Grouping::None,
            expanded: BTreeSet::new(),
            sweeps: 4,
            min_series: 4,
        }
    }
}

impl LayoutOptions {
    /// Expands a collapsed group or collapses an expanded one.
    pub fn toggle(&mut self, group: &str) {
        if !self.expanded.remove(group) {
            self.expanded.insert(group.to_string());
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    /// The box around `items`' boxes; None when there are none.
    pub fn around<'a>(items: impl IntoIterator<Item = &'a Item>) -> Option<Rect> {
        let mut r: Option<(f32, f32, f32, f32)> = None;
        for it in items {
            let (x0, y0, x1, y1) =
                (it.x - it.width / 2.0, it.y - it.height / 2.0, it.x + it.width / 2.0, it.y + it.height / 2.0);
            r = Some(match r {
                None => (x0, y0, x1, y1),
                Some((a, b, c, d)) => (a.min(x0), b.min(y0), c.max(x1), d.max(y1)),
            });
        }
        r.map(|(x0, y0, x1, y1)| Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
    }
}

/// A drawn box: one plan node, or a collapsed group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The plan node, for a node.
    pub node: Option<NodeIdx>,
    /// The group id, for a collapsed group.
    pub group: Option<String>,
    /// Nodes it stands for (1 for a node).
    pub members: u32,
    /// Centre.
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub rank: u32,
}

/// A drawn edge between items; plan edges joining the same two items are drawn once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgePath {
    /// The plan's direction (source → target), even when reversed.
    pub source: ItemId,
    pub target: ItemId,
    /// From source to target: end points on the boxes, bend points between.
    pub points: Vec<(f32, f32)>,
    /// Drawn against the rank direction because it closes a cycle.
    pub reversed: bool,
    /// The first plan edge it stands for and how many it stands for.
    pub edge: EdgeIdx,
    pub count: u32,
}

/// A group of the current grouping mode, collapsed or expanded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: String,
    pub label: String,
    pub members: u32,
    pub expanded: bool,
    /// The item drawing it, when collapsed.
    pub item: Option<ItemId>,
    /// The box around its members, when expanded.
    pub bounds: Option<Rect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LayoutStats {
    pub ranks: u32,
    pub virtual_nodes: u32,
    /// Edge crossings between adjacent ranks after ordering (long edges counted per segment).
    pub crossings: u64,
    /// Long edges drawn straight because the virtual-node budget ran out.
    pub straight_edges: u32,
    /// Plan edges naming a missing node: not drawn.
    pub dangling_edges: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub direction: Direction,
    pub items: IdxVec<ItemId, Item>,
    pub edges: IdxVec<LinkIdx, EdgePath>,
    /// Everything drawn lies inside; its origin is (0, 0).
    pub bounds: Rect,
    /// Plan edges that close a cycle in the plan itself (self-loops included).
    pub cycle_edges: Vec<EdgeIdx>,
    pub groups: Vec<GroupInfo>,
    /// For each plan node, the item drawing it (its own box, or its collapsed group's): what
    /// a search hit or a finding's node lights up.
    pub item_of_node: IdxVec<NodeIdx, ItemId>,
    pub stats: LayoutStats,
}

/// Lays out `plan`. Deterministic: the same plan and options give the same layout.
pub fn layout(plan: &Plan, opts: &LayoutOptions) -> Layout {
    run(&Prepared::new(plan, &crate::graph::EdgeIndex::of(plan)), opts)
}

/// Virtual nodes allowed beyond the item count; long edges past it are drawn straight.
const VIRTUAL_BUDGET: usize = 400_000;

/// In debug builds, what a pass must leave is checked right after it (see `verify`);
/// release builds do not even evaluate the check.
macro_rules! invariant {
    ($pass:literal, $check:expr) => {
        if cfg!(debug_assertions)
            && let Err(v) = $check
        {
            panic!("layout pass `{}` broke an invariant: {v}", $pass);
        }
    };
}

/// The layout, pass by pass.
fn run(p: &Prepared, opts: &LayoutOptions) -> Layout {
    let a = group::assign(p, opts);
    invariant!("group", verify::grouped(&a));
    let measured = measure::items(p, &a, opts.direction.horizontal());
    let links = merge::links(p, &a);
    let reversed = acyclic::back_edges(&links.graph);
    let item_rank = rank::items(&links.graph, &reversed, &measured.keys);
    invariant!("rank", verify::ranked(&links.graph, &reversed, &item_rank));
    let oriented = acyclic::orient(&links.graph, &reversed);
    let l = Layered::build(&item_rank, &oriented, VIRTUAL_BUDGET.max(4 * a.items.len()));
    invariant!("layer", verify::layered(&l));
    let (ranks, crossings) = order::ranks(&l, &measured.keys, &oriented, opts.sweeps.min(16));
    invariant!("order", verify::ordered(&l, &ranks));
    let extent = position::Along::of(&l, &measured.size, opts.spacing.node);
    let along = position::positions(&l, &ranks, &extent);
    invariant!("position", verify::positioned(&ranks, &along, &extent.size, extent.gap));
    let bands = band::across(&l, &measured.size, opts.spacing.rank);
    let frame = place::Frame { direction: opts.direction, across: bands.total };
    let items = place::items(&a, &measured, &item_rank, &along, &bands, frame);
    let geometry = route::Geometry { along: &along, bands: &bands, size: &measured.size };
    let (edges, straight_edges) = route::edges(&l, &links, &oriented, &reversed, &geometry, frame);
    invariant!("route", verify::routed(&items, &edges));
    let groups = caption::groups(&a, &items);
    let stats = LayoutStats {
        ranks: l.ranks as u32,
        virtual_nodes: (l.len() - a.items.len()) as u32,
        crossings,
        straight_edges,
        dangling_edges: p.dangling,
    };
    Layout {
        direction: opts.direction,
        bounds: place::bounds(items.as_slice(), edges.as_slice()),
        items,
        edges,
        cycle_edges: p.cycle_edges.clone(),
        groups,
        item_of_node: a.item_of_node,
        stats,
    }
}
