//! The plan being written: nodes with unique ids, edges, and each node's origin.

use crate::model::{Edge, Node, NodeKind, Op, Placement, Plan, Shape};
use std::collections::HashSet;

pub(crate) struct Builder {
    pub plan: Plan,
    /// Per node of `plan`: the source node it was built for (see `Origins`).
    pub origins: Vec<Option<u32>>,
    ids: HashSet<u64>,
}

impl Builder {
    pub fn new(plan: Plan) -> Builder {
        Builder { plan, origins: Vec::new(), ids: HashSet::new() }
    }

    /// Adds a node built for source node `origin`; an id already taken gets a `_dup<n>`
    /// suffix so ids stay unique.
    pub fn push(
        &mut self,
        mut id: String,
        kind: NodeKind,
        op: Option<Op>,
        placement: Placement,
        output: Option<Shape>,
        origin: Option<u32>,
    ) -> &mut Node {
        // Ids are kept as hashes: cloning 100k+ strings into a set costs more than the check.
        if !self.ids.insert(hash(&id)) {
            let base = id.clone();
            let mut k = 2;
            while !self.ids.insert(hash(&id)) {
                id = format!("{base}_dup{k}");
                k += 1;
            }
        }
        let mut n = Node::new(id, kind);
        n.op = op;
        n.placement = placement;
        n.output = output;
        self.push_node(n, origin)
    }

    /// Adds `n` as it is (its id is taken as given).
    pub fn push_node(&mut self, n: Node, origin: Option<u32>) -> &mut Node {
        self.ids.insert(hash(&n.id));
        self.plan.nodes.push(n);
        self.origins.push(origin);
        let i = self.plan.nodes.len() - 1;
        &mut self.plan.nodes[i]
    }

    /// Makes room for about `nodes` more nodes (and twice as many edges) up front.
    pub fn reserve(&mut self, nodes: usize) {
        self.plan.nodes.reserve(nodes);
        self.plan.edges.reserve(nodes * 2);
        self.origins.reserve(nodes);
        self.ids.reserve(nodes);
    }

    pub fn edge(&mut self, a: &str, b: &str) {
        self.plan.edges.push(Edge::data(a, b));
    }
}

fn hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}
