//! Layered ("Sugiyama") layout of a plan's DAG, tuned for deployment plans: linear or
//! n log n phases, the within-rank order seeded from the plan's own structure (GPU, EP/TP
//! rank, expert, layer) and only refined by a few crossing-reduction sweeps. Plain Rust,
//! no clock and no recursion, so it runs the same natively and in wasm, on 100k nodes.
//!
//! Phases, one file each: `graph` (index adjacency), `acyclic` (cycle breaking),
//! `rank` (layering), `layered` (virtual nodes), `order`, `position`, `route`, and
//! `group` (collapsing series, layers, stages, servers or clusters into one item).

mod acyclic;
mod graph;
mod group;
pub mod hit;
mod layered;
mod order;
mod position;
mod prepare;
mod rank;
mod route;
pub mod viewport;

use crate::model::Plan;
use group::ItemOf;
use layered::Layered;
use order::SeedKey;
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

/// A drawn box: one plan node, or a collapsed group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Index into `plan.nodes`, for a node.
    pub node: Option<u32>,
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
    /// Item indices; the plan's direction (source → target), even when reversed.
    pub source: u32,
    pub target: u32,
    /// From source to target: end points on the boxes, bend points between.
    pub points: Vec<(f32, f32)>,
    /// Drawn against the rank direction because it closes a cycle.
    pub reversed: bool,
    /// The first plan edge it stands for (index into `plan.edges`) and how many it stands for.
    pub edge: u32,
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
    pub item: Option<u32>,
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
    pub items: Vec<Item>,
    pub edges: Vec<EdgePath>,
    /// Everything drawn lies inside; its origin is (0, 0).
    pub bounds: Rect,
    /// Plan edge indices that close a cycle in the plan itself (self-loops included).
    pub cycle_edges: Vec<u32>,
    pub groups: Vec<GroupInfo>,
    pub stats: LayoutStats,
}

/// Lays out `plan`. Deterministic: the same plan and options give the same layout.
pub fn layout(plan: &Plan, opts: &LayoutOptions) -> Layout {
    run(&Prepared::new(plan), opts)
}

/// A plan prepared once, with the last few layouts cached by options, so expanding and
/// collapsing groups (and coming back) is cheap.
pub struct LayoutSession {
    prepared: Prepared,
    cache: Vec<(String, Layout)>,
}

const CACHE_SIZE: usize = 8;

impl LayoutSession {
    pub fn new(plan: &Plan) -> LayoutSession {
        LayoutSession { prepared: Prepared::new(plan), cache: Vec::new() }
    }

    pub fn layout(&mut self, opts: &LayoutOptions) -> &Layout {
        let key = serde_json::to_string(opts).unwrap_or_default();
        let hit = self.cache.iter().position(|(k, _)| *k == key);
        let entry = match hit {
            Some(i) => self.cache.remove(i),
            None => (key, run(&self.prepared, opts)),
        };
        if self.cache.len() >= CACHE_SIZE {
            self.cache.remove(0);
        }
        self.cache.push(entry);
        &self.cache[self.cache.len() - 1].1
    }
}

/// Virtual nodes allowed beyond the item count; long edges past it are drawn straight.
const VIRTUAL_BUDGET: usize = 400_000;

fn run(p: &Prepared, opts: &LayoutOptions) -> Layout {
    let a = group::assign(p, opts);
    let n = a.items.len();

    // Items: sizes and seed keys.
    let mut size: Vec<(f32, f32)> = Vec::with_capacity(n);
    let mut keys: Vec<SeedKey> = Vec::with_capacity(n);
    for it in &a.items {
        match *it {
            ItemOf::Node(v) => {
                let info = &p.nodes[v as usize];
                size.push((info.width, info.height));
                keys.push(SeedKey { col: info.col, ep: info.ep, tp: info.tp, expert: info.expert, layer: info.layer });
            }
            ItemOf::Group(g) => {
                let spec = &a.groups[g as usize];
                size.push(prepare::text_size(&spec.label));
                let cols: Vec<f32> = spec.members.iter().filter_map(|&v| p.nodes[v as usize].col).collect();
                let first = spec.members.first().map(|&v| &p.nodes[v as usize]);
                keys.push(SeedKey {
                    col: (!cols.is_empty()).then(|| cols.iter().sum::<f32>() / cols.len() as f32),
                    ep: first.and_then(|f| f.ep),
                    tp: first.and_then(|f| f.tp),
                    expert: first.and_then(|f| f.expert),
                    layer: first.and_then(|f| f.layer),
                });
            }
        }
    }
    let horizontal = opts.direction.horizontal();
    if horizontal {
        for s in size.iter_mut() {
            *s = (s.1, s.0);
        }
    }

    // Item edges, merged per item pair; edges inside a collapsed group vanish.
    let mut ie: Vec<(u32, u32, u32)> = Vec::with_capacity(p.edges.len());
    for &(u, v, e) in &p.edges {
        let (a_, b_) = (a.item_of_node[u as usize], a.item_of_node[v as usize]);
        if a_ == b_ && matches!(a.items[a_ as usize], ItemOf::Group(_)) {
            continue;
        }
        ie.push((a_, b_, e));
    }
    ie.sort_unstable();
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(ie.len());
    let mut first_edge: Vec<u32> = Vec::with_capacity(ie.len());
    let mut count: Vec<u32> = Vec::with_capacity(ie.len());
    for &(x, y, e) in &ie {
        if pairs.last() == Some(&(x, y)) {
            if let Some(c) = count.last_mut() {
                *c += 1;
            }
        } else {
            pairs.push((x, y));
            first_edge.push(e);
            count.push(1);
        }
    }
    let g = graph::Digraph::new(n, pairs);
    let reversed = acyclic::back_edges(&g);
    let mut item_rank = rank::longest_path(&g, &reversed);

    // Isolated items go in a grid below the graph rather than stretching rank 0.
    let isolated: Vec<bool> = (0..n as u32)
        .map(|v| g.out.of(v).iter().chain(g.inc.of(v)).all(|&e| g.edges[e as usize].0 == g.edges[e as usize].1))
        .collect();
    let connected: Vec<usize> = (0..n).filter(|&v| !isolated[v]).collect();
    let mut sub: Vec<u32> = connected.iter().map(|&v| item_rank[v]).collect();
    let used = rank::compact(&mut sub);
    for (&v, &r) in connected.iter().zip(&sub) {
        item_rank[v] = r;
    }
    let mut lonely: Vec<u32> = (0..n as u32).filter(|&v| isolated[v as usize]).collect();
    if !lonely.is_empty() {
        let mut widest = vec![0usize; used as usize];
        for &r in &sub {
            widest[r as usize] += 1;
        }
        let wrap = widest.iter().copied().max().unwrap_or(0).max((lonely.len() as f64).sqrt().ceil() as usize).max(1);
        lonely.sort_by(|&x, &y| {
            let (kx, ky) = (&keys[x as usize], &keys[y as usize]);
            kx.col.unwrap_or(f32::MAX).total_cmp(&ky.col.unwrap_or(f32::MAX)).then(x.cmp(&y))
        });
        for (i, &v) in lonely.iter().enumerate() {
            item_rank[v as usize] = used + (i / wrap) as u32;
        }
    }

    // Edges oriented down the ranks.
    let oriented: Vec<(u32, u32)> =
        g.edges.iter().zip(&reversed).map(|(&(x, y), &r)| if r { (y, x) } else { (x, y) }).collect();
    let l = Layered::build(&item_rank, &oriented, VIRTUAL_BUDGET.max(4 * n));
    let mut ranks = order::buckets(&l);
    let seed = order::seed_keys(&l, &keys, &oriented, &ranks);
    let crossings = order::order(&l, &seed, &mut ranks, opts.sweeps.min(16));

    let mut along_size: Vec<f32> = size.iter().map(|s| s.0).collect();
    along_size.resize(l.len(), 0.0);
    let along = position::positions(&l, &ranks, &position::Along { size: along_size, gap: opts.spacing.node });

    // Rank bands across.
    let mut thick = vec![0.0f32; l.ranks];
    for (s, &r) in size.iter().zip(&l.rank) {
        thick[r as usize] = thick[r as usize].max(s.1);
    }
    let mut rank_mid = Vec::with_capacity(l.ranks);
    let mut at = 0.0f32;
    for (r, &t) in thick.iter().enumerate() {
        if r > 0 {
            at += opts.spacing.rank;
        }
        rank_mid.push(at + t / 2.0);
        at += t;
    }
    let across_total = at;

    let geo = route::Geometry { along: &along, rank_mid: &rank_mid, size: &size };
    let dir = opts.direction;
    let map = |(x, c): (f32, f32)| -> (f32, f32) {
        match dir {
            Direction::TopToBottom => (x, c),
            Direction::BottomToTop => (x, across_total - c),
            Direction::LeftToRight => (c, x),
            Direction::RightToLeft => (across_total - c, x),
        }
    };
    let mut items = Vec::with_capacity(n);
    for (i, it) in a.items.iter().enumerate() {
        let (x, y) = map((along[i], rank_mid[l.rank[i] as usize]));
        let (w, h) = if horizontal { (size[i].1, size[i].0) } else { size[i] };
        let (node, group, members) = match *it {
            ItemOf::Node(v) => (Some(v), None, 1),
            ItemOf::Group(gi) => {
                let spec = &a.groups[gi as usize];
                (None, Some(spec.id.clone()), spec.members.len() as u32)
            }
        };
        items.push(Item { node, group, members, x, y, width: w, height: h, rank: item_rank[i] });
    }
    let mut edges = Vec::with_capacity(g.edges.len());
    let mut straight = 0;
    for (e, &(x, y)) in g.edges.iter().enumerate() {
        let (upper, lower) = oriented[e];
        if x != y && !l.layered[e] {
            straight += 1;
        }
        let points = route::polyline(&l, &geo, e, upper, lower, reversed[e]).into_iter().map(map).collect();
        edges.push(EdgePath {
            source: x,
            target: y,
            points,
            reversed: reversed[e],
            edge: first_edge[e],
            count: count[e],
        });
    }

    let mut bounds = Rect::default();
    let mut grow = |px: f32, py: f32| {
        bounds.width = bounds.width.max(px);
        bounds.height = bounds.height.max(py);
    };
    for it in &items {
        grow(it.x + it.width / 2.0, it.y + it.height / 2.0);
    }
    for e in &edges {
        for &(px, py) in &e.points {
            grow(px, py);
        }
    }

    let mut groups: Vec<GroupInfo> = a
        .groups
        .iter()
        .map(|s| GroupInfo {
            id: s.id.clone(),
            label: s.label.clone(),
            members: s.members.len() as u32,
            expanded: s.expanded,
            item: None,
            bounds: None,
        })
        .collect();
    for (i, it) in a.items.iter().enumerate() {
        if let ItemOf::Group(gi) = *it
            && let Some(info) = groups.get_mut(gi as usize)
        {
            info.item = Some(i as u32);
        }
    }
    for (info, spec) in groups.iter_mut().zip(&a.groups) {
        if spec.expanded {
            info.bounds = box_around(spec.members.iter().map(|&v| &items[a.item_of_node[v as usize] as usize]));
        }
    }

    Layout {
        direction: dir,
        items,
        edges,
        bounds,
        cycle_edges: p.cycle_edges.clone(),
        groups,
        stats: LayoutStats {
            ranks: l.ranks as u32,
            virtual_nodes: (l.len() - n) as u32,
            crossings,
            straight_edges: straight,
            dangling_edges: p.dangling,
        },
    }
}

fn box_around<'a>(items: impl Iterator<Item = &'a Item>) -> Option<Rect> {
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
