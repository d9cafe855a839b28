//! The builder: the source's kept operators and the strategy's MoE block, GPU by GPU.
//!
//! Per replica d and GPU (e, t) of a stage, a chain: input → prelude (embedding) →
//! per layer [pre-MoE operators → TP all-reduce per TP group → gate → EP dispatch per TP
//! rank → expert shards → TP all-reduce per TP group → EP combine per TP rank → per-GPU
//! aggregation → post-MoE operators] → epilogue (LM head) → output, with send/recv at
//! stage boundaries. Every GPU of the EP×TP group holds its share of each MoE layer's
//! experts (expert x, TP shard t on the GPU of the rank hosting x), and aggregation runs
//! on every GPU instead of one.

use super::comm::{self, Collective};
use super::eplb::ExpertPlacement;
use super::extract::{Kept, Template};
use super::pipeline::{dp_suffix, send_recv, stage_of};
use super::target::Dims;
use crate::r#gen::Layout;
use crate::model::{Edge, Node, NodeKind, Op, Placement, Plan, Ranks, Shape};
use std::collections::HashSet;

pub(crate) struct Builder {
    pub plan: Plan,
    pub gpus_per_server: u32,
    ids: HashSet<u64>,
}

impl Builder {
    /// Adds a node; an id already taken gets a `_dup<n>` suffix so ids stay unique.
    pub fn push(
        &mut self,
        mut id: String,
        kind: NodeKind,
        op: Option<Op>,
        placement: Placement,
        output: Option<Shape>,
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
        self.plan.nodes.push(n);
        let i = self.plan.nodes.len() - 1;
        &mut self.plan.nodes[i]
    }

    /// The plan's input or output: the source's own node kept whole (id, fields, attrs), else
    /// a new host-side `input`/`output` node. Returns its id.
    fn endpoint(&mut self, kept: Option<&Node>, kind: NodeKind, output: Option<Shape>) -> String {
        if let Some(n) = kept {
            self.ids.insert(hash(&n.id));
            self.plan.nodes.push(n.clone());
            return n.id.clone();
        }
        let name = if kind == NodeKind::Input { "input" } else { "output" };
        let n = self.push(name.into(), kind, Some(Op::Other(name.into())), Placement::Host, None);
        n.output = output;
        n.id.clone()
    }

    /// Adds a copy of a kept node (its kind, op, label, group and attrs) under a new id.
    fn push_copy(&mut self, t: &Prepared, id: String, placement: Placement, sh: Option<Shape>) -> &mut Node {
        let n = self.push(id, t.node.kind, t.node.op.clone(), placement, sh);
        n.label = t.label.clone();
        n.group = t.node.group.clone();
        n.attrs = t.node.attrs.clone();
        n
    }

    pub fn edge(&mut self, a: &str, b: &str) {
        self.plan.edges.push(Edge::data(a, b));
    }
}

/// A template ready to copy: its label without the lines naming its old GPU.
struct Prepared {
    id: String,
    node: Node,
    label: Option<String>,
}

fn prepare(t: &Template) -> Prepared {
    let label = t.node.label.as_ref().and_then(|l| {
        let mut lines = l.lines();
        let first = lines.next().unwrap_or("").to_string();
        let rest: Vec<&str> = lines.filter(|x| !x.trim_start().to_ascii_lowercase().starts_with("gpu")).collect();
        let s = if rest.is_empty() { first } else { format!("{first}\n{}", rest.join("\n")) };
        (!s.trim().is_empty()).then_some(s)
    });
    Prepared { id: t.id.clone(), node: t.node.clone(), label }
}

fn default_template(id: String, op: Op) -> Prepared {
    let mut n = Node::new(id.clone(), NodeKind::Compute);
    n.op = Some(op);
    Prepared { id, node: n, label: None }
}

fn shape(dims: &[Option<u64>]) -> Option<Shape> {
    let sizes: Option<Vec<u64>> = dims.iter().copied().collect();
    sizes.map(|s| Shape::from_sizes(&s))
}

/// Token and width sizes per GPU, None where the model does not give them.
struct Sizes {
    tok_a: Option<u64>,
    tok_e: Option<u64>,
    h: Option<u64>,
    ht: Option<u64>,
    routed: Option<u64>,
}

pub(crate) fn build(src: &Plan, dims: &Dims, kept: &Kept, place: &ExpertPlacement) -> Plan {
    let lay = Layout::of(dims.strategy);
    let mut plan = Plan::new(src.format);
    plan.name = src.name.clone();
    plan.meta = dims.meta.clone();
    plan.groups = src.groups.clone();
    plan.attrs = src.attrs.clone();
    let mut b = Builder { plan, gpus_per_server: dims.gpus_per_server, ids: HashSet::new() };
    let tok_rep = dims.batch.zip(dims.seq).map(|(x, s)| x * s / lay.dp as u64);
    let sz = Sizes {
        tok_a: tok_rep.map(|t| (t / lay.ep as u64).max(1)),
        tok_e: tok_rep.filter(|_| dims.experts > 0).map(|t| (t * dims.top_k as u64 / dims.experts as u64).max(1)),
        h: dims.hidden,
        ht: dims.hidden.map(|h| h / lay.tp as u64),
        routed: tok_rep.map(|t| (t / lay.ep as u64).max(1) * dims.top_k as u64),
    };
    let input = b.endpoint(kept.input.as_ref(), NodeKind::Input, shape(&[dims.batch, dims.seq, dims.hidden]));
    let prep = |ts: &[Template], fallback: &[(String, Op)]| -> Vec<Prepared> {
        if ts.is_empty() {
            fallback.iter().map(|(id, op)| default_template(id.clone(), op.clone())).collect()
        } else {
            ts.iter().map(prepare).collect()
        }
    };
    let prelude = prep(&kept.prelude, &[("embed".into(), Op::Embedding)]);
    let epilogue = prep(&kept.epilogue, &[("lm_head".into(), Op::LmHead)]);
    let per_layer: Vec<(Vec<Prepared>, Vec<Prepared>)> = (0..dims.layers)
        .map(|l| {
            let mut fb = vec![(format!("layer{l}_attn"), Op::Attention)];
            if !dims.is_moe(l) {
                fb.push((format!("layer{l}_mlp"), Op::Mlp));
            }
            let pre = prep(kept.pre.get(l as usize).map_or(&[][..], |v| v), &fb);
            let post = kept.post.get(l as usize).map_or(Vec::new(), |v| v.iter().map(prepare).collect());
            (pre, post)
        })
        .collect();
    let mut heads = Vec::new();
    for d in 0..lay.dp {
        let mut tail: Vec<String> = vec![input.clone(); (lay.ep * lay.tp) as usize];
        chain(&mut b, &lay, d, 0, None, &prelude, &mut tail, shape(&[sz.tok_a, sz.h]));
        let mut stage = 0;
        for l in 0..dims.layers {
            let p = stage_of(&lay, l, dims.layers);
            if p != stage {
                send_recv(&mut b, &lay, d, stage, p, &mut tail, shape(&[sz.tok_a, sz.h]));
                stage = p;
            }
            let (pre, post) = &per_layer[l as usize];
            layer(&mut b, dims, &lay, place, &sz, (d, p, l), pre, &mut tail);
            chain(&mut b, &lay, d, p, Some(l), post, &mut tail, shape(&[sz.tok_a, sz.h]));
        }
        chain(&mut b, &lay, d, stage, None, &epilogue, &mut tail, shape(&[sz.tok_a, sz.ht]));
        heads.extend(tail);
    }
    let output = b.endpoint(kept.output.as_ref(), NodeKind::Output, shape(&[dims.batch, dims.seq, dims.hidden]));
    heads.dedup();
    for h in heads {
        b.edge(&h, &output);
    }
    b.plan
}

fn hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

fn copy_id(base: &str, lay: &Layout, e: u32, t: u32, s: &str) -> String {
    if lay.ep * lay.tp > 1 { format!("{base}_ep{e}_tp{t}{s}") } else { format!("{base}{s}") }
}

/// Copies each template onto every GPU of stage `p`, appended to that GPU's chain.
#[allow(clippy::too_many_arguments)]
fn chain(
    b: &mut Builder,
    lay: &Layout,
    d: u32,
    p: u32,
    layer: Option<u32>,
    ts: &[Prepared],
    tail: &mut [String],
    sh: Option<Shape>,
) {
    let s = dp_suffix(lay, d);
    for t in ts {
        for e in 0..lay.ep {
            for tp in 0..lay.tp {
                let g = lay.gpu(d, p, e, tp);
                let n = b.push_copy(t, copy_id(&t.id, lay, e, tp, &s), Placement::gpu(g), sh.clone());
                n.layer = layer;
                n.ranks = Ranks { ep: Some(e), tp: Some(tp), pp: Some(p), dp: Some(d) };
                let id = n.id.clone();
                let k = (e * lay.tp + tp) as usize;
                b.edge(&tail[k], &id);
                tail[k] = id;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn layer(
    b: &mut Builder,
    dims: &Dims,
    lay: &Layout,
    place: &ExpertPlacement,
    sz: &Sizes,
    (d, p, l): (u32, u32, u32),
    pre: &[Prepared],
    tail: &mut [String],
) {
    let (ep, tp) = (lay.ep, lay.tp);
    let s = dp_suffix(lay, d);
    chain(b, lay, d, p, Some(l), pre, tail, shape(&[sz.tok_a, sz.ht]));
    let tp_group = |e: u32| -> Vec<u32> { (0..tp).map(|t| lay.gpu(d, p, e, t)).collect() };
    let ep_group = |t: u32| -> Vec<u32> { (0..ep).map(|e| lay.gpu(d, p, e, t)).collect() };
    let r_ep = |e: u32| Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None };
    let r_tp = |t: u32| Ranks { tp: Some(t), pp: Some(p), dp: Some(d), ep: None };
    let r_gpu = |e: u32, t: u32| Ranks { ep: Some(e), tp: Some(t), pp: Some(p), dp: Some(d) };
    // TP all-reduce after the row-parallel shards of each TP group.
    let all_reduce = |b: &mut Builder, what: &str, tail: &mut [String], rows: Option<u64>| {
        if tp < 2 {
            return;
        }
        for e in 0..ep {
            let gpus = tp_group(e);
            let preds: Vec<(String, u32)> =
                (0..tp).map(|t| (tail[(e * tp + t) as usize].clone(), lay.gpu(d, p, e, t))).collect();
            let c = Collective {
                id: format!("layer{l}_tp_allreduce_{what}_ep{e}{s}"),
                op: Op::AllReduce,
                gpus: &gpus,
                rows,
                cols: sz.h,
                layer: Some(l),
                ranks: r_ep(e),
            };
            let out = comm::build(b, c, &preds);
            for t in 0..tp {
                tail[(e * tp + t) as usize] = out.clone();
            }
        }
    };
    all_reduce(b, "attn", tail, sz.tok_a);
    if !dims.is_moe(l) {
        return;
    }
    let attn_out: Vec<String> = tail.to_vec();
    let mut gates = Vec::with_capacity(tail.len());
    for e in 0..ep {
        for t in 0..tp {
            let g = lay.gpu(d, p, e, t);
            let sh = shape(&[sz.tok_a, Some(dims.experts as u64)]);
            let n = b.push(
                format!("layer{l}_gate_ep{e}_tp{t}{s}"),
                NodeKind::Compute,
                Some(Op::Gate),
                Placement::gpu(g),
                sh,
            );
            n.layer = Some(l);
            n.ranks = r_gpu(e, t);
            let id = n.id.clone();
            b.edge(&tail[(e * tp + t) as usize], &id);
            gates.push(id);
        }
    }
    let mut dispatch: Vec<Option<String>> = Vec::with_capacity(tp as usize);
    for t in 0..tp {
        if ep < 2 {
            dispatch.push(None);
            continue;
        }
        let gpus = ep_group(t);
        let preds: Vec<(String, u32)> =
            (0..ep).map(|e| (gates[(e * tp + t) as usize].clone(), gpus[e as usize])).collect();
        let c = Collective {
            id: format!("layer{l}_ep_dispatch_tp{t}{s}"),
            op: Op::AllToAll,
            gpus: &gpus,
            rows: sz.routed,
            cols: sz.h,
            layer: Some(l),
            ranks: r_tp(t),
        };
        dispatch.push(Some(comm::build(b, c, &preds)));
    }
    let moe_index = (l - dims.first_moe) as usize;
    let empty = Vec::new();
    let ranks_here = place.layers.get(moe_index).unwrap_or(&empty);
    let mut expert_out: Vec<Vec<String>> = vec![Vec::new(); (ep * tp) as usize];
    for e in 0..ep {
        let hosted = ranks_here.get(e as usize).map_or(&[][..], |v| &v[..]);
        for &(x, r) in hosted {
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                let rep = if r > 0 { format!("_r{r}") } else { String::new() };
                let n = b.push(
                    format!("expert_{x}_{t}_layer_{l}{rep}{s}"),
                    NodeKind::Compute,
                    Some(Op::Expert),
                    Placement::gpu(g),
                    shape(&[sz.tok_e, sz.h]),
                );
                n.layer = Some(l);
                n.expert = Some(x);
                n.ranks = r_gpu(e, t);
                let id = n.id.clone();
                let k = (e * tp + t) as usize;
                match &dispatch[t as usize] {
                    Some(dsp) => b.edge(dsp, &id),
                    None => b.edge(&gates[k], &id),
                }
                expert_out[k].push(id);
            }
        }
    }
    // Each GPU's expert outputs: joined by the TP all-reduce, else listed as they are.
    let mut joined: Vec<Vec<String>> = expert_out.clone();
    if tp > 1 {
        for e in 0..ep {
            let gpus = tp_group(e);
            let mut preds = Vec::new();
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                preds.extend(expert_out[(e * tp + t) as usize].iter().map(|x| (x.clone(), g)));
            }
            let per = ranks_here.get(e as usize).map_or(1, |v| v.len().max(1)) as u64;
            let c = Collective {
                id: format!("layer{l}_tp_allreduce_moe_ep{e}{s}"),
                op: Op::AllReduce,
                gpus: &gpus,
                rows: sz.tok_e.map(|x| x * per),
                cols: sz.h,
                layer: Some(l),
                ranks: r_ep(e),
            };
            let out = comm::build(b, c, &preds);
            for t in 0..tp {
                joined[(e * tp + t) as usize] = vec![out.clone()];
            }
        }
    }
    let mut combine: Vec<Option<String>> = Vec::with_capacity(tp as usize);
    for t in 0..tp {
        if ep < 2 {
            combine.push(None);
            continue;
        }
        let gpus = ep_group(t);
        let mut preds = Vec::new();
        for e in 0..ep {
            let g = gpus[e as usize];
            preds.extend(joined[(e * tp + t) as usize].iter().map(|x| (x.clone(), g)));
        }
        let c = Collective {
            id: format!("layer{l}_ep_combine_tp{t}{s}"),
            op: Op::AllToAll,
            gpus: &gpus,
            rows: sz.routed,
            cols: sz.h,
            layer: Some(l),
            ranks: r_tp(t),
        };
        combine.push(Some(comm::build(b, c, &preds)));
    }
    for e in 0..ep {
        for t in 0..tp {
            let k = (e * tp + t) as usize;
            let g = lay.gpu(d, p, e, t);
            let n = b.push(
                format!("layer{l}_moe_agg_ep{e}_tp{t}{s}"),
                NodeKind::Aggregation,
                Some(Op::Aggregate),
                Placement::gpu(g),
                shape(&[sz.tok_a, sz.h]),
            );
            n.layer = Some(l);
            n.ranks = r_gpu(e, t);
            let id = n.id.clone();
            match &combine[t as usize] {
                Some(c) => b.edge(c, &id),
                None => {
                    for x in &joined[k] {
                        b.edge(x, &id);
                    }
                }
            }
            // The residual: the layer input joins the experts' output here.
            b.edge(&attn_out[k], &id);
            tail[k] = id;
        }
    }
}
