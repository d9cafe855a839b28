//! Syntax tree -> `Plan`, with Graphviz's semantics: nodes are the declared ones plus
//! those only named by edges, once each in order of first appearance; a repeated node
//! statement merges attributes (later wins); `node [...]`/`edge [...]` defaults apply to
//! objects created later in the same scope and nested ones; an edge chain `a -> b -> c`
//! gives two edges and a subgraph endpoint one edge per node pair.
//!
//! Clusters (subgraphs named `cluster...`) become `plan.groups`; a node's group is the
//! innermost cluster it first appears in. Graph attributes of the root go to
//! `plan.attrs`, those of a cluster to its group; other subgraphs only scope defaults
//! (their own graph attributes, layout hints such as `rank=same`, are not kept).

use super::classify;
use super::label;
use super::parser::{Attr, EdgeEnd, Graph, Stmt, Subgraph, SyntaxError, Target};
use crate::model::{Edge, Format, Group, Node, NodeKind, Plan};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: node ids are short and trusted-size (the input is capped), so a fast
/// non-keyed hash beats SipHash here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// More edges than this (say from `{...} -> {...}` cross products) are refused.
pub const MAX_EDGES: usize = 5_000_000;

#[derive(Clone, Default)]
struct Scope {
    node_defaults: Vec<(String, String, bool)>,
    edge_defaults: Vec<(String, String)>,
    cluster: Option<String>,
}

struct Builder {
    plan: Plan,
    index: FastMap<String, usize>,
    /// Raw label per node (text, is HTML), resolved once all statements are read.
    labels: Vec<Option<(String, bool)>>,
    groups: FastMap<String, usize>,
    strict: bool,
    directed: bool,
    seen: FastSet<(String, String)>,
}

pub fn build(graph: Graph<'_>) -> Result<Plan, SyntaxError> {
    let mut plan = Plan::new(Format::Dot);
    plan.name = graph.id.as_ref().map(|id| id.text.to_string());
    let mut b = Builder {
        plan,
        index: FastMap::default(),
        labels: Vec::new(),
        groups: FastMap::default(),
        strict: graph.strict,
        directed: graph.directed,
        seen: FastSet::default(),
    };
    let mut scope = Scope::default();
    let mut members = Vec::new();
    b.stmts(&graph.stmts, &mut scope, Ctx::Root, &mut members)?;
    Ok(b.finish())
}

impl Builder {
    fn stmts(
        &mut self,
        stmts: &[Stmt<'_>],
        scope: &mut Scope,
        ctx: Ctx,
        members: &mut Vec<usize>,
    ) -> Result<(), SyntaxError> {
        for stmt in stmts {
            match stmt {
                Stmt::Node(node, attrs) => {
                    let i = self.node(&node.id.text, scope);
                    members.push(i);
                    for a in attrs {
                        self.set_node_attr(i, &a.key.text, &a.value.text, a.value.html);
                    }
                }
                Stmt::Edge { ends, attrs, op_start } => self.edge_stmt(ends, attrs, *op_start, scope, members)?,
                Stmt::Defaults(Target::Node, attrs) => {
                    for a in attrs {
                        set_default(&mut scope.node_defaults, a);
                    }
                }
                Stmt::Defaults(Target::Edge, attrs) => {
                    for a in attrs {
                        let (k, v) = (a.key.text.to_string(), a.value.text.to_string());
                        match scope.edge_defaults.iter_mut().find(|d| d.0 == k) {
                            Some(d) => d.1 = v,
                            None => scope.edge_defaults.push((k, v)),
                        }
                    }
                }
                Stmt::Defaults(Target::Graph, attrs) => {
                    for a in attrs {
                        self.graph_attr(ctx, a);
                    }
                }
                Stmt::Assign(a) => self.graph_attr(ctx, a),
                Stmt::Subgraph(sub) => self.subgraph(sub, scope, members)?,
            }
        }
        Ok(())
    }

    fn subgraph(&mut self, sub: &Subgraph<'_>, parent: &Scope, members: &mut Vec<usize>) -> Result<(), SyntaxError> {
        let mut scope = parent.clone();
        let mut ctx = Ctx::Plain;
        if let Some(name) = sub.id.as_ref().map(|id| id.text.as_ref())
            && name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("cluster"))
        {
            let parent_id = parent.cluster.clone();
            let g = *self.groups.entry(name.to_string()).or_insert_with(|| {
                self.plan.groups.push(Group {
                    id: name.to_string(),
                    label: None,
                    parent: parent_id,
                    attrs: Default::default(),
                });
                self.plan.groups.len() - 1
            });
            ctx = Ctx::Cluster(g);
            scope.cluster = Some(name.to_string());
        }
        let start = members.len();
        self.stmts(&sub.stmts, &mut scope, ctx, members)?;
        if let (Ctx::Cluster(_), Some(cluster)) = (ctx, &scope.cluster) {
            for &i in members.get(start..).unwrap_or(&[]) {
                if let Some(node) = self.plan.nodes.get_mut(i)
                    && node.group.is_none()
                {
                    node.group = Some(cluster.clone());
                }
            }
        }
        Ok(())
    }

    fn graph_attr(&mut self, ctx: Ctx, a: &Attr<'_>) {
        let (key, value) = (a.key.text.to_string(), Value::String(a.value.text.to_string()));
        match ctx {
            Ctx::Root => {
                self.plan.attrs.insert(key, value);
            }
            Ctx::Cluster(g) => {
                let Some(g) = self.plan.groups.get_mut(g) else { return };
                if key == "label" {
                    let text = &a.value.text;
                    g.label = Some(if a.value.html { text.to_string() } else { label::unescape(text, &g.id, &g.id) });
                } else {
                    g.attrs.insert(key, value);
                }
            }
            // Graph attributes of plain subgraphs are layout hints for that subgraph only.
            Ctx::Plain => {}
        }
    }

    fn node(&mut self, id: &str, scope: &Scope) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.plan.nodes.len();
        let mut node = Node::new(id, NodeKind::Compute);
        node.group = scope.cluster.clone();
        // Defaults plus a few own attributes, without regrowing the map.
        node.attrs = crate::model::Attrs::with_capacity(scope.node_defaults.len() + 4);
        self.plan.nodes.push(node);
        self.labels.push(None);
        self.index.insert(id.to_string(), i);
        for (k, v, html) in &scope.node_defaults {
            self.set_node_attr(i, k, v, *html);
        }
        i
    }

    fn set_node_attr(&mut self, i: usize, key: &str, value: &str, html: bool) {
        if key == "label" {
            if let Some(slot) = self.labels.get_mut(i) {
                *slot = Some((value.to_string(), html));
            }
        } else if let Some(node) = self.plan.nodes.get_mut(i) {
            node.attrs.insert(key.to_string(), Value::String(value.to_string()));
        }
    }

    fn edge_stmt(
        &mut self,
        ends: &[EdgeEnd<'_>],
        attrs: &[Attr<'_>],
        op_start: usize,
        scope: &Scope,
        members: &mut Vec<usize>,
    ) -> Result<(), SyntaxError> {
        // Each endpoint as its nodes (one for a node, all members for a subgraph) and port.
        let mut sides: Vec<(Vec<usize>, Option<&str>)> = Vec::with_capacity(ends.len());
        for end in ends {
            match end {
                EdgeEnd::Node(n) => {
                    let i = self.node(&n.id.text, scope);
                    members.push(i);
                    sides.push((vec![i], n.port.as_deref()));
                }
                EdgeEnd::Subgraph(sub) => {
                    let mut inner = Vec::new();
                    self.subgraph(sub, scope, &mut inner)?;
                    members.extend_from_slice(&inner);
                    let mut seen = HashSet::new();
                    inner.retain(|i| seen.insert(*i));
                    sides.push((inner, None));
                }
            }
        }
        for pair in sides.windows(2) {
            let [(tails, tail_port), (heads, head_port)] = pair else { continue };
            let more = tails.len().saturating_mul(heads.len());
            if self.plan.edges.len().saturating_add(more) > MAX_EDGES {
                return Err(SyntaxError {
                    offset: op_start,
                    message: format!(
                        "this edge statement would make more than {MAX_EDGES} edges; planscope stops here"
                    ),
                });
            }
            for &t in tails {
                for &h in heads {
                    self.push_edge(t, h, *tail_port, *head_port, attrs, scope);
                }
            }
        }
        Ok(())
    }

    fn push_edge(
        &mut self,
        t: usize,
        h: usize,
        tail_port: Option<&str>,
        head_port: Option<&str>,
        attrs: &[Attr<'_>],
        scope: &Scope,
    ) {
        let (Some(from), Some(to)) = (self.plan.nodes.get(t), self.plan.nodes.get(h)) else { return };
        if self.strict {
            // Strict graphs merge repeated edges; undirected ones regardless of direction.
            let key = if self.directed || from.id <= to.id {
                (from.id.clone(), to.id.clone())
            } else {
                (to.id.clone(), from.id.clone())
            };
            if !self.seen.insert(key) {
                return;
            }
        }
        let mut edge = Edge::data(from.id.clone(), to.id.clone());
        for (k, v) in &scope.edge_defaults {
            edge.attrs.insert(k.clone(), Value::String(v.clone()));
        }
        for a in attrs {
            edge.attrs.insert(a.key.text.to_string(), Value::String(a.value.text.to_string()));
        }
        if let Some(p) = tail_port {
            edge.attrs.insert("tailport".into(), Value::String(p.to_string()));
        }
        if let Some(p) = head_port {
            edge.attrs.insert("headport".into(), Value::String(p.to_string()));
        }
        if let Some(Value::String(style)) = edge.attrs.shift_remove("style") {
            edge.style = Some(style);
        }
        let kind_attr = edge.attrs.get("kind").and_then(Value::as_str).map(str::to_ascii_lowercase);
        if matches!(kind_attr.as_deref(), Some("control" | "data")) {
            edge.attrs.shift_remove("kind");
        }
        let label = edge.attrs.get("label").and_then(Value::as_str);
        edge.kind = classify::edge_kind(edge.style.as_deref(), label, kind_attr.as_deref());
        self.plan.edges.push(edge);
    }

    /// Labels, placements, shapes, ops and kinds, once degrees are known.
    fn finish(mut self) -> Plan {
        let n = self.plan.nodes.len();
        let (mut fed, mut feeds) = (vec![false; n], vec![false; n]);
        for e in &self.plan.edges {
            if let Some(&i) = self.index.get(&e.from) {
                feeds[i] = true;
            }
            if let Some(&i) = self.index.get(&e.to) {
                fed[i] = true;
            }
        }
        let graph_name = self.plan.name.clone().unwrap_or_default();
        for (i, node) in self.plan.nodes.iter_mut().enumerate() {
            node.label = match self.labels.get_mut(i).and_then(Option::take) {
                Some((raw, _)) if raw == "\\N" => None,
                Some((raw, true)) => Some(raw),
                Some((raw, false)) => Some(label::unescape(&raw, &node.id, &graph_name)),
                None => None,
            };
            let facts = label::facts(node.label.as_deref(), &node.id);
            node.placement = facts.placement;
            node.inputs = facts.inputs;
            node.output = facts.output;
            node.op = facts.op;
            let shape = node.attrs.get("shape").and_then(Value::as_str);
            node.kind = classify::node_kind(
                shape,
                &node.id,
                node.label.as_deref(),
                fed.get(i).copied().unwrap_or(false),
                feeds.get(i).copied().unwrap_or(false),
            );
        }
        self.plan
    }
}

fn set_default(defaults: &mut Vec<(String, String, bool)>, a: &Attr<'_>) {
    let (k, v) = (a.key.text.to_string(), a.value.text.to_string());
    match defaults.iter_mut().find(|d| d.0 == k) {
        Some(d) => {
            d.1 = v;
            d.2 = a.value.html;
        }
        None => defaults.push((k, v, a.value.html)),
    }
}

/// Where statements sit: graph attributes go to the plan, a group, or nowhere.
#[derive(Clone, Copy)]
enum Ctx {
    Root,
    Cluster(usize),
    Plain,
}
