//! One step of a deployment, GPU by GPU. Per replica d and GPU k of a stage, a chain:
//! input → prelude (embedding) → per layer [the layer's block, `block.rs`; then its post-MoE
//! operators] → epilogue (LM head) → output, with a send/recv per GPU at each stage boundary.
//!
//! Pipeline stages and data-parallel replicas: stage p holds the contiguous layers
//! [p·L/PP, (p+1)·L/PP) on its own contiguous block of GPUs (EP·TP, or TP·DP with folded
//! experts); at each boundary every GPU sends its activations to the GPU in the same
//! place of the next stage. DP replicas repeat the whole step on the next blocks of
//! PP·EP·TP GPUs (GPU = (dp·PP + pp)·stage + k, as `Layout`).

use super::Layout;
use super::block;
use super::builder::Builder;
use super::origin::{Role, Sources};
use crate::model::{GpuSet, Node, NodeKind, Op, Placement, Plan, Shape};

/// An operator copied onto every GPU of its stage: one of the source's kept operators
/// (embedding, attention, norms, heads…), or one the generator supplies.
#[derive(Debug, Clone)]
pub(crate) struct Operator {
    /// The id copies are named after: `<id>_ep<e>_tp<t>[_dp<d>]` (`_dp<a>_tp<t>` with
    /// folded experts).
    pub id: String,
    /// Kind, op, group and attrs of the copies.
    pub node: Node,
    /// The copies' label.
    pub label: Option<String>,
    /// The source node every copy is built for.
    pub origin: Option<u32>,
}

impl Operator {
    /// A bare compute operator (no label, group or attrs), built for no source node.
    pub fn compute(id: String, op: Op) -> Operator {
        let mut node = Node::new(id.clone(), NodeKind::Compute);
        node.op = Some(op);
        Operator { id, node, label: None, origin: None }
    }
}

/// The operators around the MoE block that the builder copies per GPU.
#[derive(Debug, Default)]
pub(crate) struct Operators {
    /// Before the first layer (embedding) and after the last (LM head).
    pub prelude: Vec<Operator>,
    pub epilogue: Vec<Operator>,
    /// Per layer: operators before the MoE block (attention) and after it.
    pub pre: Vec<Vec<Operator>>,
    pub post: Vec<Vec<Operator>>,
}

/// How per-GPU copies are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CopyIds {
    /// `<id>_ep<e>_tp<t>` on every GPU (the generator's ids).
    Always,
    /// `<id>` alone when a stage has one GPU (the rewriter keeps the source's id then).
    WhenShared,
}

/// What a dense layer (no experts) holds after its attention all-reduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DenseFfn {
    /// Only what the operators say (the source's MLP, if any, is among them).
    Operators,
    /// A per-GPU MLP, a TP all-reduce and a residual join (what the generator writes).
    Mlp,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Collectives spanning servers of this many GPUs take the hierarchical form; None:
    /// one node per group whatever it spans (the generator's form).
    pub gpus_per_server: Option<u32>,
    pub copy_ids: CopyIds,
    pub dense: DenseFfn,
}

/// The plan's ends: the source's own node (kept whole, with its index), or a new one.
pub(crate) type End<'a> = Option<(&'a Node, u32)>;

/// Everything the builder needs. Sizes nobody gave stay None (shapes are then left out).
pub(crate) struct Design<'a> {
    pub layout: Layout,
    pub layers: u32,
    /// Layers before this index are dense (when `moe_slots` is None).
    pub first_moe: u32,
    /// Per layer, its index into `placement` when it is an MoE layer, for models whose
    /// dense and MoE layers interleave (a `LayerPattern`); None: dense first, `first_moe`.
    pub moe_slots: Option<&'a [Option<u32>]>,
    /// Shared experts per MoE layer: each GPU runs them (TP-sharded) on its own tokens,
    /// beside the routed experts, and its aggregation adds their output.
    pub shared_experts: u32,
    /// Experts per MoE layer (0: a dense model).
    pub experts: u32,
    pub top_k: u32,
    pub batch: Option<u64>,
    pub seq: Option<u64>,
    pub hidden: Option<u64>,
    /// Per MoE layer, per EP rank: the (expert, replica) pairs it hosts, ascending.
    pub placement: &'a [Vec<Vec<(u32, u32)>>],
    /// Per MoE layer, per expert: its share of the layer's routed tokens (an expert load,
    /// normalised to sum 1); None: uniform routing. Each replica takes an equal part.
    pub expert_share: Option<&'a [Vec<f64>]>,
    pub operators: &'a Operators,
    pub input: End<'a>,
    pub output: End<'a>,
    /// The source's replaced nodes, to record as origins (empty for the generator).
    pub sources: &'a Sources,
    pub style: Style,
}

impl Design<'_> {
    pub fn is_moe(&self, layer: u32) -> bool {
        self.moe_slot(layer).is_some()
    }

    /// The index of `layer` into `placement`, when it is an MoE layer.
    pub fn moe_slot(&self, layer: u32) -> Option<u32> {
        if self.experts == 0 {
            return None;
        }
        match self.moe_slots {
            Some(slots) => slots.get(layer as usize).copied().flatten(),
            None => (layer >= self.first_moe).then(|| layer - self.first_moe),
        }
    }
}

/// Token and width sizes per GPU, None where the model does not give them.
pub(crate) struct Sizes {
    pub tok_a: Option<u64>,
    pub tok_e: Option<u64>,
    pub h: Option<u64>,
    pub ht: Option<u64>,
    pub routed: Option<u64>,
}

pub(crate) fn shape(dims: &[Option<u64>]) -> Option<Shape> {
    let sizes: Option<Vec<u64>> = dims.iter().copied().collect();
    sizes.map(|s| Shape::from_sizes(&s))
}

/// Where the builder is: replica, stage, and (inside a layer) the layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub d: u32,
    pub p: u32,
    pub layer: Option<u32>,
}

/// Builds the deployment into `header` (a plan with its name, meta, groups and attrs set
/// and no nodes). Returns the plan and, per node, the source node it was built for.
pub(crate) fn build(header: Plan, design: &Design<'_>) -> (Plan, Vec<Option<u32>>) {
    let lay = design.layout;
    let mut b = Builder::new(header);
    b.reserve(estimate(design));
    // Sizes the file declares may be anything: products saturate rather than wrap.
    let tok_rep = design.batch.zip(design.seq).map(|(x, s)| x.saturating_mul(s) / lay.dp as u64);
    // Each attention group (an EP rank's TP group, or a DP rank's) takes its share of the
    // replica's tokens.
    let sz = Sizes {
        tok_a: tok_rep.map(|t| (t / lay.groups as u64).max(1)),
        tok_e: tok_rep
            .filter(|_| design.experts > 0)
            .map(|t| (t.saturating_mul(design.top_k as u64) / design.experts as u64).max(1)),
        h: design.hidden,
        ht: design.hidden.map(|h| h / lay.tp as u64),
        routed: tok_rep.map(|t| (t / lay.groups as u64).max(1).saturating_mul(design.top_k as u64)),
    };
    let ends = shape(&[design.batch, design.seq, design.hidden]);
    let input = endpoint(&mut b, design.input, NodeKind::Input, ends.clone());
    let ops = design.operators;
    let mut heads = Vec::new();
    for d in 0..lay.dp {
        let mut tail: Vec<String> = vec![input.clone(); lay.stage() as usize];
        let at = At { d, p: 0, layer: None };
        chain(&mut b, design, at, &ops.prelude, &mut tail, shape(&[sz.tok_a, sz.h]));
        let mut stage = 0;
        for l in 0..design.layers {
            let p = lay.stage_of(l, design.layers);
            if p != stage {
                send_recv(&mut b, design, d, (stage, p), &mut tail, shape(&[sz.tok_a, sz.h]));
                stage = p;
            }
            let at = At { d, p, layer: Some(l) };
            let pre = ops.pre.get(l as usize).map_or(&[][..], |v| &v[..]);
            block::layer(&mut b, design, &sz, at, pre, &mut tail);
            let post = ops.post.get(l as usize).map_or(&[][..], |v| &v[..]);
            chain(&mut b, design, at, post, &mut tail, shape(&[sz.tok_a, sz.h]));
        }
        let at = At { d, p: stage, layer: None };
        chain(&mut b, design, at, &ops.epilogue, &mut tail, shape(&[sz.tok_a, sz.ht]));
        heads.extend(tail);
    }
    let output = endpoint(&mut b, design.output, NodeKind::Output, ends);
    heads.dedup();
    for h in heads {
        b.edge(&h, &output);
    }
    (b.plan, b.origins)
}

/// About how many nodes `design` makes: per replica and layer, each GPU's operators, gate,
/// aggregation and share of collectives, and every expert shard (capped: it only sizes buffers).
fn estimate(design: &Design<'_>) -> usize {
    let lay = &design.layout;
    let ops = &design.operators;
    let per_layer_ops = ops.pre.iter().chain(&ops.post).map(Vec::len).sum::<usize>() as u64;
    let shards: u64 = design.placement.iter().flatten().map(|r| r.len() as u64).sum::<u64>() * lay.etp as u64;
    let gpus = lay.stage() as u64;
    let per_replica = gpus.saturating_mul(per_layer_ops + design.layers as u64 * 4).saturating_add(shards);
    (lay.dp as u64).saturating_mul(per_replica).min(1 << 22) as usize
}

/// The plan's input or output: the source's own node kept whole (id, fields, attrs), else
/// a new host-side `input`/`output` node. Returns its id.
fn endpoint(b: &mut Builder, kept: End<'_>, kind: NodeKind, output: Option<Shape>) -> String {
    if let Some((n, i)) = kept {
        return b.push_node(n.clone(), Some(i)).id.clone();
    }
    let name = if kind == NodeKind::Input { "input" } else { "output" };
    let n = b.push(name.into(), kind, Some(Op::Other(name.into())), Placement::Host, None, None);
    n.output = output;
    n.id.clone()
}

/// `_dp<d>` on every id of replica d when DP > 1 (`_edp<d>` for copy d of folded experts),
/// so replicas never share an id.
pub(crate) fn dp_suffix(lay: &Layout, d: u32) -> String {
    match (lay.dp > 1, lay.folded) {
        (false, _) => String::new(),
        (true, false) => format!("_dp{d}"),
        // A copy of the folded experts (Megatron-Core's expert data parallel), whose ids
        // name their DP groups already.
        (true, true) => format!("_edp{d}"),
    }
}

fn copy_id(base: &str, design: &Design<'_>, k: u32, s: &str) -> String {
    let lay = &design.layout;
    if lay.stage() > 1 || design.style.copy_ids == CopyIds::Always {
        format!("{base}_{}{s}", lay.gpu_tag(k))
    } else {
        format!("{base}{s}")
    }
}

/// Copies each operator onto every GPU of stage `at.p`, appended to that GPU's chain.
pub(crate) fn chain(
    b: &mut Builder,
    design: &Design<'_>,
    at: At,
    ops: &[Operator],
    tail: &mut [String],
    sh: Option<Shape>,
) {
    let lay = &design.layout;
    let s = dp_suffix(lay, at.d);
    for op in ops {
        for k in 0..lay.stage() {
            let g = lay.gpu(at.d, at.p, k);
            let id = copy_id(&op.id, design, k, &s);
            let n = b.push(id, op.node.kind, op.node.op.clone(), Placement::gpu(g), sh.clone(), op.origin);
            n.label = op.label.clone();
            n.group = op.node.group.clone();
            n.attrs = op.node.attrs.clone();
            n.layer = at.layer;
            n.ranks = lay.ranks(at.d, at.p, k);
            let id = n.id.clone();
            b.edge(&tail[k as usize], &id);
            tail[k as usize] = id;
        }
    }
}

/// One send/recv per GPU from stage `from` to stage `to`; moves each GPU's chain tail.
fn send_recv(
    b: &mut Builder,
    design: &Design<'_>,
    d: u32,
    (from, to): (u32, u32),
    tail: &mut [String],
    sh: Option<Shape>,
) {
    let lay = &design.layout;
    let s = dp_suffix(lay, d);
    for k in 0..lay.stage() {
        let (a, z) = (lay.gpu(d, from, k), lay.gpu(d, to, k));
        let place = Placement::Transfer { from: GpuSet::single(a), to: GpuSet::single(z) };
        let id = format!("pp_send_s{from}_{}{s}", lay.gpu_tag(k));
        let ranks = lay.ranks(d, from, k);
        let origin = design.sources.find(Role::SendRecv, None, ranks);
        let n = b.push(id, NodeKind::Communication, Some(Op::SendRecv), place, sh.clone(), origin);
        n.ranks = ranks;
        let id = n.id.clone();
        b.edge(&tail[k as usize], &id);
        tail[k as usize] = id;
    }
}
