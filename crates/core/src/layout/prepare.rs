//! What a plan contributes to layout, extracted once per plan: resolved edges, the
//! plan-level cycle edges and ranks, and per node its domain key (GPU column, EP/TP
//! rank, expert, layer), its grouping keys and its label box. A `LayoutSession` keeps
//! this, so expanding a group does not re-read the plan.
//!
//! Pass "prepare" (once per plan, not per layout): O(V + E) plus hashing the ids.

use super::index::{EdgeIdx, Idx, IdxVec, LinkIdx, NodeIdx};
use super::{acyclic, graph, graph::Digraph, group, rank};
use crate::graph::EdgeIndex;
use crate::model::{Placement, Plan};
use foldhash::fast::RandomState;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub(crate) struct NodeInfo {
    /// Position along the GPU axis: the GPU id, or the middle of a GPU range.
    pub col: Option<f32>,
    pub ep: Option<u32>,
    pub tp: Option<u32>,
    pub expert: Option<u32>,
    pub layer: Option<u32>,
    pub pp: Option<u32>,
    pub server: Option<u32>,
    pub cluster: Option<u32>,
    pub pattern: u32,
    pub width: f32,
    pub height: f32,
}

#[derive(Clone)]
pub(crate) struct Prepared {
    pub nodes: IdxVec<NodeIdx, NodeInfo>,
    pub ids: IdxVec<NodeIdx, String>,
    pub patterns: Vec<String>,
    /// DOT clusters: (id, label).
    pub clusters: Vec<(String, String)>,
    /// `(from, to, plan edge)`, dangling edges left out.
    pub edges: Vec<(NodeIdx, NodeIdx, EdgeIdx)>,
    pub dangling: u32,
    /// Plan edges that close a cycle (self-loops included), ascending.
    pub cycle_edges: Vec<EdgeIdx>,
    /// Ranks of the ungrouped plan; series are folded per rank.
    pub rank: IdxVec<NodeIdx, u32>,
    pub isolated: IdxVec<NodeIdx, bool>,
}

const CHAR_W: f32 = 7.0;
const LINE_H: f32 = 16.0;
const PAD_X: f32 = 16.0;
const PAD_Y: f32 = 10.0;
const MIN_W: f32 = 40.0;
/// Longer lines are wrapped between words (`wrap`); the box is sized for the wrap.
const MAX_CHARS: usize = super::wrap::LINE;
/// Lines beyond this are elided by the drawing.
const MAX_LINES: usize = 6;

/// The box a label needs: its lines as `wrap` breaks them (DOT escapes and record
/// separators included), the widest no wider than `wrap::LONGEST` characters.
pub(crate) fn text_size(text: &str) -> (f32, f32) {
    // Most ids are one short ASCII line with nothing to break, escape or trim: their box
    // is their length, with no wrapping (a million-node plan is mostly such ids).
    let plain = |b: &u8| b.is_ascii() && !matches!(b, b'\\' | b'\n' | b'\r' | b'|' | b'{' | b'}' | b' ');
    if text.len() <= MAX_CHARS && text.bytes().all(|b| plain(&b)) {
        return ((text.len() as f32 * CHAR_W + PAD_X).max(MIN_W), LINE_H + PAD_Y);
    }
    wrapped_size(text)
}

fn wrapped_size(text: &str) -> (f32, f32) {
    let lines = super::wrap::wrap(text, MAX_CHARS);
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(super::wrap::LONGEST);
    let lines = lines.len().clamp(1, MAX_LINES);
    ((widest as f32 * CHAR_W + PAD_X).max(MIN_W), lines as f32 * LINE_H + PAD_Y)
}

fn column(p: &Placement) -> Option<f32> {
    let mid = |s: &crate::model::GpuSet| Some((s.first()? as f32 + s.last()? as f32) / 2.0);
    match p {
        Placement::Gpus(s) => mid(s),
        Placement::Transfer { from, to } => Some((mid(from)? + mid(to)?) / 2.0),
        Placement::Unassigned | Placement::Host | Placement::All => None,
    }
}

impl Prepared {
    /// `edges`: the plan's `EdgeIndex::of(plan)`.
    pub(crate) fn new(plan: &Plan, edges: &EdgeIndex) -> Prepared {
        let per_server = plan.meta.cluster.gpus_per_server.unwrap_or(8).max(1);
        let mut pattern_index: HashMap<String, u32, RandomState> = HashMap::default();
        let mut pat = String::new();
        let mut patterns = Vec::new();
        let mut last_pattern: Option<u32> = None;
        let mut cluster_index: HashMap<&str, u32> = HashMap::new();
        let mut clusters: Vec<(String, String)> = Vec::new();
        for g in &plan.groups {
            if !cluster_index.contains_key(g.id.as_str()) {
                cluster_index.insert(g.id.as_str(), clusters.len() as u32);
                clusters.push((g.id.clone(), g.label.clone().unwrap_or_else(|| g.id.clone())));
            }
        }
        let mut nodes = IdxVec::with_capacity(plan.nodes.len());
        let mut ids = IdxVec::with_capacity(plan.nodes.len());
        for n in &plan.nodes {
            group::pattern_into(&n.id, &mut pat);
            // Neighbours mostly share a pattern (a layer's experts): compared before hashed.
            let pattern = match last_pattern.filter(|&i| patterns[i as usize] == pat) {
                Some(i) => i,
                None => match pattern_index.get(pat.as_str()) {
                    Some(&i) => i,
                    None => {
                        let i = patterns.len() as u32;
                        pattern_index.insert(pat.clone(), i);
                        patterns.push(pat.clone());
                        i
                    }
                },
            };
            last_pattern = Some(pattern);
            let cluster = n.group.as_deref().map(|c| match cluster_index.get(c) {
                Some(&i) => i,
                None => {
                    // A node naming a cluster the plan does not list still groups by it.
                    let i = clusters.len() as u32;
                    clusters.push((c.to_string(), c.to_string()));
                    i
                }
            });
            if let (Some(c), Some(name)) = (cluster, n.group.as_deref())
                && !cluster_index.contains_key(name)
            {
                cluster_index.insert(name, c);
            }
            let set = n.placement.gpu_set();
            let server = match (set.first(), set.last()) {
                (Some(a), Some(b)) if a / per_server == b / per_server => Some(a / per_server),
                _ => None,
            };
            let (width, height) = text_size(n.label.as_deref().unwrap_or(&n.id));
            nodes.push(NodeInfo {
                col: column(&n.placement),
                ep: n.ranks.ep,
                tp: n.ranks.tp,
                expert: n.expert,
                layer: n.layer,
                pp: n.ranks.pp,
                server,
                cluster,
                pattern,
                width,
                height,
            });
            ids.push(n.id.clone());
        }
        let resolved = graph::resolve(edges);
        let links: IdxVec<LinkIdx, (NodeIdx, NodeIdx)> = resolved.resolved.iter().map(|&(a, b, _)| (a, b)).collect();
        let g = Digraph::new(nodes.len(), links);
        let reversed = acyclic::back_edges(&g);
        let mut cycle_edges: Vec<EdgeIdx> = resolved
            .resolved
            .iter()
            .enumerate()
            .filter(|&(i, _)| reversed[LinkIdx::new(i)])
            .map(|(_, e)| e.2)
            .collect();
        crate::sort::unstable(&mut cycle_edges);
        let rank = rank::longest_path(&g, &reversed);
        let isolated = g.isolated();
        Prepared {
            nodes,
            ids,
            patterns,
            clusters,
            edges: resolved.resolved,
            dangling: resolved.dangling,
            cycle_edges,
            rank,
            isolated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short cut for plain ids gives the box that wrapping would.
    #[test]
    fn plain_ids_are_sized_as_wrapped() {
        let long = "x".repeat(MAX_CHARS);
        for id in ["", "a", "expert_12_layer_3", "l3.moe.a2a_dispatch/ep4", &long, "a b", "{x}", "a|b", "é", "a\\nb"] {
            assert_eq!(text_size(id), wrapped_size(id), "{id:?}");
        }
    }
}
