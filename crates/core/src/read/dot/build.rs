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
//!
//! Hostile files: DOT lets a few bytes make many copies (defaults applied to every node,
//! `\N`/`\G` escapes, ids and attributes repeated by `{...} -> {...}` cross products). So
//! defaults are shared (`Rc`) in a stack of levels rather than copied per subgraph,
//! every byte of attributes the plan will hold is charged against a budget of
//! `limits::ATTRIBUTE_BYTES` plus 8× the file's size before it is made, and nodes and
//! edges are counted against `limits::NODES` and `limits::EDGES` before they exist.
//! Work and memory are then O(file size); past a limit the error names it, at the
//! statement's line and column.

use super::classify;
use super::label;
use super::parser::{Attr, EdgeEnd, Graph, Stmt, Subgraph, SyntaxError, Target};
use crate::limits::{self, Limit};
use crate::model::{Edge, Format, Group, Node, NodeKind, Plan};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Std's keyed SipHash: ids come from the file, and a fixed fast hash (FNV before)
/// lets a crafted file collide every id into one bucket, quadratic lookups.
type FastMap<K, V> = HashMap<K, V>;
type FastSet<K> = HashSet<K>;

/// Bytes charged per attribute, label or edge endpoint pair on top of its text: what a
/// map entry costs, so that a file of tiny attributes cannot amplify either.
const ENTRY_BYTES: usize = 16;

/// How many bytes of attributes the plan may hold beyond [`limits::ATTRIBUTE_BYTES`], per
/// byte of the file: every attribute the file writes out once fits, copies do not.
const PER_INPUT_BYTE: usize = 8;

/// One `node [...]`/`edge [...]` default, shared by every object it applies to.
struct DefaultAttr {
    key: Rc<str>,
    value: Rc<str>,
    html: bool,
}

/// What one open subgraph (or the root) sets itself. The defaults in force are those of
/// every open level, outermost first: a stack instead of a copy of the scope per subgraph.
#[derive(Default)]
struct Level {
    node_defaults: Defaults,
    edge_defaults: Defaults,
    /// The innermost open cluster, shared.
    cluster: Option<Rc<str>>,
}

/// Defaults in the order first set, later values replacing earlier ones in place.
/// O(1) to set one.
#[derive(Default)]
struct Defaults {
    list: Vec<DefaultAttr>,
    by_key: FastMap<Rc<str>, usize>,
}

impl Defaults {
    fn set(&mut self, a: &Attr<'_>) {
        let value: Rc<str> = Rc::from(a.value.text.as_ref());
        match self.by_key.get(a.key.text.as_ref()).and_then(|&i| self.list.get_mut(i)) {
            Some(d) => {
                d.value = value;
                d.html = a.value.html;
            }
            None => {
                let key: Rc<str> = Rc::from(a.key.text.as_ref());
                self.by_key.insert(key.clone(), self.list.len());
                self.list.push(DefaultAttr { key, value, html: a.value.html });
            }
        }
    }
}

struct Builder {
    plan: Plan,
    index: FastMap<String, usize>,
    /// Raw label per node (text, is HTML), resolved once all statements are read; a
    /// default label is shared, not copied.
    labels: Vec<Option<(Rc<str>, bool)>>,
    /// Where each node first appears, for errors found once all statements are read.
    starts: Vec<usize>,
    groups: FastMap<String, usize>,
    strict: bool,
    directed: bool,
    /// Strict graphs' edges so far, as node index pairs.
    seen: FastSet<(usize, usize)>,
    levels: Vec<Level>,
    /// Attribute bytes held so far and the most allowed (see [`Builder::charge`]).
    spent: usize,
    budget: usize,
}

/// Builds the plan. O(s + a) in the statements s and the attributes a held by the plan,
/// which [`Builder::charge`] bounds by the file's size times a small factor.
pub fn build(graph: Graph<'_>, text_len: usize) -> Result<Plan, SyntaxError> {
    let mut plan = Plan::new(Format::Dot);
    plan.name = graph.id.as_ref().map(|id| id.text.to_string());
    let mut b = Builder {
        plan,
        index: FastMap::default(),
        labels: Vec::new(),
        starts: Vec::new(),
        groups: FastMap::default(),
        strict: graph.strict,
        directed: graph.directed,
        seen: FastSet::default(),
        levels: vec![Level::default()],
        spent: 0,
        budget: limits::ATTRIBUTE_BYTES.saturating_add(text_len.saturating_mul(PER_INPUT_BYTE)),
    };
    let mut members = Vec::new();
    b.stmts(&graph.stmts, Ctx::Root, &mut members)?;
    b.finish()
}

impl Builder {
    /// Counts `bytes` more of attributes held by the plan, refusing past the budget:
    /// default attributes copied into each node and edge, `\N`/`\G` escapes and ids
    /// repeated by cross products would otherwise let a small file fill the memory.
    fn charge(&mut self, bytes: usize, offset: usize) -> Result<(), SyntaxError> {
        self.spent = self.spent.saturating_add(bytes);
        if self.spent > self.budget {
            return Err(SyntaxError::new(
                offset,
                format!(
                    "this file expands into more attributes than planscope accepts: default attributes copied into every node or edge, `\\N`/`\\G` label escapes or ids repeated by edge cross products pass {} bytes, {} times the file's size plus planscope's limit of {} MiB (attribute bytes, ATTRIBUTE_BYTES)",
                    self.budget,
                    PER_INPUT_BYTE,
                    limits::ATTRIBUTE_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    fn level(&mut self) -> &mut Level {
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn cluster(&self) -> Option<&Rc<str>> {
        self.levels.last().and_then(|l| l.cluster.as_ref())
    }

    fn stmts(&mut self, stmts: &[Stmt<'_>], ctx: Ctx, members: &mut Vec<usize>) -> Result<(), SyntaxError> {
        for stmt in stmts {
            match stmt {
                Stmt::Node(node, attrs) => {
                    let at = node.id.start;
                    let i = self.node(&node.id.text, at)?;
                    members.push(i);
                    for a in attrs {
                        self.set_node_attr(i, &a.key.text, &a.value.text, a.value.html, at)?;
                    }
                }
                Stmt::Edge { ends, attrs, op_start } => self.edge_stmt(ends, attrs, *op_start, members)?,
                Stmt::Defaults(Target::Node, attrs) => {
                    for a in attrs {
                        self.level().node_defaults.set(a);
                    }
                }
                Stmt::Defaults(Target::Edge, attrs) => {
                    for a in attrs {
                        self.level().edge_defaults.set(a);
                    }
                }
                Stmt::Defaults(Target::Graph, attrs) => {
                    for a in attrs {
                        self.graph_attr(ctx, a)?;
                    }
                }
                Stmt::Assign(a) => self.graph_attr(ctx, a)?,
                Stmt::Subgraph(sub) => self.subgraph(sub, members)?,
            }
        }
        Ok(())
    }

    /// A subgraph's statements in a level of their own. Nesting is bounded by the
    /// parser's `MAX_DEPTH`, and so is this recursion.
    fn subgraph(&mut self, sub: &Subgraph<'_>, members: &mut Vec<usize>) -> Result<(), SyntaxError> {
        let parent_cluster = self.cluster().cloned();
        let mut level = Level { cluster: parent_cluster.clone(), ..Level::default() };
        let mut ctx = Ctx::Plain;
        if let Some(name) = sub.id.as_ref().map(|id| id.text.as_ref())
            && name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("cluster"))
        {
            let parent_id = parent_cluster.map(|p| p.to_string());
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
            level.cluster = Some(Rc::from(name));
        }
        let start = members.len();
        self.levels.push(level);
        let done = self.stmts(&sub.stmts, ctx, members);
        let level = self.levels.pop();
        done?;
        if let (Ctx::Cluster(_), Some(cluster)) = (ctx, level.and_then(|l| l.cluster)) {
            let at = sub.id.as_ref().map_or(0, |id| id.start);
            for &i in members.get(start..).unwrap_or(&[]) {
                if self.plan.nodes.get(i).is_some_and(|n| n.group.is_none()) {
                    self.charge(cluster.len() + ENTRY_BYTES, at)?;
                    if let Some(node) = self.plan.nodes.get_mut(i) {
                        node.group = Some(cluster.to_string());
                    }
                }
            }
        }
        Ok(())
    }

    fn graph_attr(&mut self, ctx: Ctx, a: &Attr<'_>) -> Result<(), SyntaxError> {
        let (key, value) = (a.key.text.to_string(), Value::String(a.value.text.to_string()));
        match ctx {
            Ctx::Root => {
                self.plan.attrs.insert(key, value);
            }
            Ctx::Cluster(g) => {
                let Some(g) = self.plan.groups.get_mut(g) else { return Ok(()) };
                if key == "label" {
                    let text = &a.value.text;
                    if a.value.html {
                        g.label = Some(text.to_string());
                    } else {
                        let grown = label::unescaped_len_bound(text, &g.id, &g.id).saturating_sub(text.len());
                        let label = label::unescape(text, &g.id, &g.id);
                        g.label = Some(label);
                        self.charge(grown, a.key.start)?;
                    }
                } else {
                    g.attrs.insert(key, value);
                }
            }
            // Graph attributes of plain subgraphs are layout hints for that subgraph only.
            Ctx::Plain => {}
        }
        Ok(())
    }

    /// The node's index, creating it (with the defaults in force) on first sight.
    /// O(1) for a known node, O(d) in the defaults in force for a new one.
    fn node(&mut self, id: &str, at: usize) -> Result<usize, SyntaxError> {
        if let Some(&i) = self.index.get(id) {
            return Ok(i);
        }
        let i = self.plan.nodes.len();
        if let Err(e) = Limit::Nodes.check(i as u64 + 1) {
            return Err(SyntaxError::new(at, format!("this file has too many nodes: {e}")));
        }
        let cluster = self.cluster().cloned();
        let mut node = Node::new(id, NodeKind::Compute);
        if let Some(c) = cluster {
            self.charge(c.len() + ENTRY_BYTES, at)?;
            node.group = Some(c.to_string());
        }
        let count = self.levels.iter().map(|l| l.node_defaults.list.len()).sum::<usize>();
        // Defaults plus a few own attributes, without regrowing the map.
        node.attrs = crate::model::Attrs::with_capacity(count + 4);
        self.plan.nodes.push(node);
        self.labels.push(None);
        self.starts.push(at);
        self.index.insert(id.to_string(), i);
        // The levels are set aside while their defaults are applied (the borrow checker
        // cannot see that applying one leaves them untouched); an error ends the build.
        let levels = std::mem::take(&mut self.levels);
        let applied =
            levels.iter().flat_map(|l| &l.node_defaults.list).try_for_each(|d| self.set_default_attr(i, d, at));
        self.levels = levels;
        applied.map(|()| i)
    }

    fn set_default_attr(&mut self, i: usize, d: &DefaultAttr, at: usize) -> Result<(), SyntaxError> {
        if &*d.key != "label" {
            return self.set_node_attr(i, &d.key, &d.value, d.html, at);
        }
        // A default label is shared by every node it applies to until labels are resolved.
        self.charge(d.key.len() + d.value.len() + ENTRY_BYTES, at)?;
        if let Some(slot) = self.labels.get_mut(i) {
            *slot = Some((d.value.clone(), d.html));
        }
        Ok(())
    }

    fn set_node_attr(&mut self, i: usize, key: &str, value: &str, html: bool, at: usize) -> Result<(), SyntaxError> {
        self.charge(key.len() + value.len() + ENTRY_BYTES, at)?;
        if key == "label" {
            if let Some(slot) = self.labels.get_mut(i) {
                *slot = Some((Rc::from(value), html));
            }
        } else if let Some(node) = self.plan.nodes.get_mut(i) {
            node.attrs.insert(key.to_string(), Value::String(value.to_string()));
        }
        Ok(())
    }

    /// O(e) in the edges it makes, which are counted against [`limits::EDGES`] and the
    /// attribute budget before any is made.
    fn edge_stmt(
        &mut self,
        ends: &[EdgeEnd<'_>],
        attrs: &[Attr<'_>],
        op_start: usize,
        members: &mut Vec<usize>,
    ) -> Result<(), SyntaxError> {
        // Each endpoint as its nodes (one for a node, all members for a subgraph) and port.
        let mut sides: Vec<(Vec<usize>, Option<&str>)> = Vec::with_capacity(ends.len());
        for end in ends {
            match end {
                EdgeEnd::Node(n) => {
                    let i = self.node(&n.id.text, n.id.start)?;
                    members.push(i);
                    sides.push((vec![i], n.port.as_deref()));
                }
                EdgeEnd::Subgraph(sub) => {
                    let mut inner = Vec::new();
                    self.subgraph(sub, &mut inner)?;
                    members.extend_from_slice(&inner);
                    let mut seen = FastSet::default();
                    inner.retain(|i| seen.insert(*i));
                    sides.push((inner, None));
                }
            }
        }
        let more = sides.windows(2).fold(0usize, |n, pair| match pair {
            [(tails, _), (heads, _)] => n.saturating_add(tails.len().saturating_mul(heads.len())),
            _ => n,
        });
        if let Err(e) = Limit::Edges.check(self.plan.edges.len().saturating_add(more) as u64) {
            return Err(SyntaxError::new(op_start, format!("this edge statement makes too many edges: {e}")));
        }
        // Each edge holds at least its entry, its attributes, the edge defaults in force
        // and, at most, every port named in the statement.
        let ports: usize = sides.iter().filter_map(|s| s.1).map(|p| p.len() + ENTRY_BYTES).sum();
        let per_edge = ENTRY_BYTES
            + ports
            + attrs.iter().map(|a| a.key.text.len() + a.value.text.len() + ENTRY_BYTES).sum::<usize>()
            + self
                .levels
                .iter()
                .flat_map(|l| &l.edge_defaults.list)
                .map(|d| d.key.len() + d.value.len() + ENTRY_BYTES)
                .sum::<usize>();
        self.charge(more.saturating_mul(per_edge), op_start)?;
        let defaults: Vec<(Rc<str>, Rc<str>)> =
            self.levels.iter().flat_map(|l| &l.edge_defaults.list).map(|d| (d.key.clone(), d.value.clone())).collect();
        for pair in sides.windows(2) {
            let [(tails, tail_port), (heads, head_port)] = pair else { continue };
            for &t in tails {
                for &h in heads {
                    self.push_edge(t, h, *tail_port, *head_port, attrs, &defaults, op_start)?;
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn push_edge(
        &mut self,
        t: usize,
        h: usize,
        tail_port: Option<&str>,
        head_port: Option<&str>,
        attrs: &[Attr<'_>],
        defaults: &[(Rc<str>, Rc<str>)],
        at: usize,
    ) -> Result<(), SyntaxError> {
        if self.strict {
            // Strict graphs merge repeated edges; undirected ones regardless of direction.
            let key = if self.directed { (t, h) } else { (t.min(h), t.max(h)) };
            if !self.seen.insert(key) {
                return Ok(());
            }
        }
        let (Some(from), Some(to)) = (self.plan.nodes.get(t), self.plan.nodes.get(h)) else { return Ok(()) };
        // The endpoint ids are copied into every edge: long ids in a cross product amplify.
        let ids = from.id.len() + to.id.len();
        let mut edge = Edge::data(from.id.clone(), to.id.clone());
        self.charge(ids, at)?;
        for (k, v) in defaults {
            edge.attrs.insert(k.to_string(), Value::String(v.to_string()));
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
        Ok(())
    }

    /// Labels, placements, shapes, ops and kinds, once degrees are known. O(n + e + l) in
    /// nodes, edges and label bytes (escapes expanded, and charged).
    fn finish(mut self) -> Result<Plan, SyntaxError> {
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
        let mut nodes = std::mem::take(&mut self.plan.nodes);
        for (i, node) in nodes.iter_mut().enumerate() {
            node.label = match self.labels.get_mut(i).and_then(Option::take) {
                Some((raw, _)) if &*raw == "\\N" => None,
                Some((raw, true)) => Some(raw.to_string()),
                Some((raw, false)) => {
                    let grown = label::unescaped_len_bound(&raw, &node.id, &graph_name).saturating_sub(raw.len());
                    self.charge(grown, self.starts.get(i).copied().unwrap_or(0))?;
                    Some(label::unescape(&raw, &node.id, &graph_name))
                }
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
        self.plan.nodes = nodes;
        Ok(self.plan)
    }
}

/// Where statements sit: graph attributes go to the plan, a group, or nowhere.
#[derive(Clone, Copy)]
enum Ctx {
    Root,
    Cluster(usize),
    Plain,
}
