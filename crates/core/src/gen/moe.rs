//! The generated step: host input → per-GPU embedding → for each layer, per-GPU attention
//! (TP-sharded, batch split over EP ranks), a TP all-reduce per TP group, a per-GPU gate,
//! an all-to-all dispatch per EP group, expert shards (experts / EP per GPU, TP-sharded),
//! a TP all-reduce per TP group, an all-to-all combine per EP group and a per-GPU
//! aggregation (weighted sum + residual); PP send/recv per GPU at stage boundaries;
//! per-GPU LM head → host output. DP replicas repeat it on their own GPUs.

use super::{GenSpec, Layout};
use crate::model::{
    ClusterSpec, Edge, Format, GpuSet, Meta, ModelSpec, Node, NodeKind, Op, Placement, Plan, Ranks, Shape,
};

struct Builder {
    plan: Plan,
}

impl Builder {
    fn node(&mut self, id: String, kind: NodeKind, op: Op, placement: Placement, shape: &[u64]) -> String {
        let mut n = Node::new(id.clone(), kind);
        n.op = Some(op);
        n.placement = placement;
        n.output = Some(Shape::from_sizes(shape));
        self.plan.nodes.push(n);
        id
    }

    fn last(&mut self) -> &mut Node {
        let i = self.plan.nodes.len() - 1;
        &mut self.plan.nodes[i]
    }

    fn edge(&mut self, a: &str, b: &str) {
        self.plan.edges.push(Edge::data(a, b));
    }
}

/// Generates a correct plan for `spec`. Node counts grow as layers × (GPUs × (4 + experts/EP) + groups),
/// e.g. 61 layers × 256 experts at EP64·TP4 on 256 GPUs gives about 117k nodes.
pub fn generate(spec: &GenSpec) -> Plan {
    let lay = Layout::of(spec.strategy);
    let (ep, tp, dp) = (lay.ep, lay.tp, lay.dp);
    let e_total = spec.experts;
    let moe = e_total > 0;
    let h = spec.hidden;
    let tok_rep = spec.batch * spec.seq / dp as u64;
    let tok_a = (tok_rep / ep as u64).max(1);
    let tok_e = if moe { (tok_rep * spec.top_k as u64 / e_total as u64).max(1) } else { 0 };
    let mut b = Builder { plan: Plan::new(Format::Json) };
    b.plan.name = Some(format!("generated_{}", spec.strategy));
    b.plan.meta = Meta {
        strategy: Some(spec.strategy),
        strategy_name: Some(spec.strategy.to_string()),
        cluster: ClusterSpec {
            gpus: Some(spec.gpus.unwrap_or(lay.gpus())),
            gpus_per_server: Some(spec.gpus_per_server),
            ..spec.cluster.clone()
        },
        model: ModelSpec {
            layers: Some(spec.layers),
            experts: moe.then_some(e_total),
            top_k: moe.then_some(spec.top_k),
            hidden: Some(h),
            expert_hidden: Some(spec.expert_hidden),
            heads: Some(spec.heads),
            dtype: Some(spec.dtype),
            batch: Some(spec.batch),
            seq_len: Some(spec.seq),
            ..ModelSpec::default()
        },
    };
    let input =
        b.node("input".into(), NodeKind::Input, Op::Other("input".into()), Placement::Host, &[spec.batch, spec.seq, h]);
    let output_id = "output".to_string();
    let ranks = |d: u32, p: u32, e: u32, t: u32| Ranks { ep: Some(e), tp: Some(t), pp: Some(p), dp: Some(d) };
    let sfx = |d: u32| if dp > 1 { format!("_dp{d}") } else { String::new() };
    let mut lm_heads = Vec::new();
    for d in 0..dp {
        let s = sfx(d);
        // Current tail of each GPU's chain, indexed by e·TP + t.
        let mut tail: Vec<String> = Vec::with_capacity((ep * tp) as usize);
        for e in 0..ep {
            for t in 0..tp {
                let g = lay.gpu(d, 0, e, t);
                let id = b.node(
                    format!("embed_ep{e}_tp{t}{s}"),
                    NodeKind::Compute,
                    Op::Embedding,
                    Placement::gpu(g),
                    &[tok_a, h],
                );
                b.last().ranks = ranks(d, 0, e, t);
                b.edge(&input, &id);
                tail.push(id);
            }
        }
        let mut stage = 0;
        for l in 0..spec.layers {
            let p = lay.stage_of(l, spec.layers);
            if p != stage {
                for e in 0..ep {
                    for t in 0..tp {
                        let (from, to) = (lay.gpu(d, stage, e, t), lay.gpu(d, p, e, t));
                        let place = Placement::Transfer { from: GpuSet::single(from), to: GpuSet::single(to) };
                        let id = b.node(
                            format!("pp_send_s{stage}_ep{e}_tp{t}{s}"),
                            NodeKind::Communication,
                            Op::SendRecv,
                            place,
                            &[tok_a, h],
                        );
                        b.last().ranks = ranks(d, stage, e, t);
                        let k = (e * tp + t) as usize;
                        b.edge(&tail[k], &id);
                        tail[k] = id;
                    }
                }
                stage = p;
            }
            layer(&mut b, spec, &lay, d, p, l, &s, (tok_a, tok_e), &mut tail);
        }
        for e in 0..ep {
            for t in 0..tp {
                let g = lay.gpu(d, stage, e, t);
                let id = b.node(
                    format!("lm_head_ep{e}_tp{t}{s}"),
                    NodeKind::Compute,
                    Op::LmHead,
                    Placement::gpu(g),
                    &[tok_a, h / tp as u64],
                );
                b.last().ranks = ranks(d, stage, e, t);
                b.edge(&tail[(e * tp + t) as usize], &id);
                lm_heads.push(id);
            }
        }
    }
    b.node(
        output_id.clone(),
        NodeKind::Output,
        Op::Other("output".into()),
        Placement::Host,
        &[spec.batch, spec.seq, h],
    );
    for id in lm_heads {
        b.edge(&id, &output_id);
    }
    b.plan
}

#[allow(clippy::too_many_arguments)]
fn layer(
    b: &mut Builder,
    spec: &GenSpec,
    lay: &Layout,
    d: u32,
    p: u32,
    l: u32,
    s: &str,
    (tok_a, tok_e): (u64, u64),
    tail: &mut [String],
) {
    let (ep, tp) = (lay.ep, lay.tp);
    let h = spec.hidden;
    let ht = h / tp as u64;
    let ranks = |e: u32, t: u32| Ranks { ep: Some(e), tp: Some(t), pp: Some(p), dp: Some(d) };
    let tp_group = |e: u32| GpuSet::range(lay.gpu(d, p, e, 0), lay.gpu(d, p, e, tp - 1));
    let ep_group = |t: u32| GpuSet::from_ids((0..ep).map(|e| lay.gpu(d, p, e, t)));
    let set_layer = |b: &mut Builder, r: Ranks| {
        let n = b.last();
        n.layer = Some(l);
        n.ranks = r;
    };
    // Attention per GPU, then the TP all-reduce per TP group.
    let mut attn_out: Vec<String> = Vec::with_capacity(tail.len());
    for e in 0..ep {
        let mut shards = Vec::with_capacity(tp as usize);
        for t in 0..tp {
            let g = lay.gpu(d, p, e, t);
            let id = b.node(
                format!("layer{l}_attn_ep{e}_tp{t}{s}"),
                NodeKind::Compute,
                Op::Attention,
                Placement::gpu(g),
                &[tok_a, ht],
            );
            set_layer(b, ranks(e, t));
            b.edge(&tail[(e * tp + t) as usize], &id);
            shards.push(id);
        }
        if tp > 1 {
            let ar = b.node(
                format!("layer{l}_tp_allreduce_attn_ep{e}{s}"),
                NodeKind::Communication,
                Op::AllReduce,
                Placement::Gpus(tp_group(e)),
                &[tok_a, h],
            );
            set_layer(b, Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None });
            for sh in &shards {
                b.edge(sh, &ar);
            }
            attn_out.extend(std::iter::repeat_n(ar, tp as usize));
        } else {
            attn_out.extend(shards);
        }
    }
    if spec.experts == 0 {
        for e in 0..ep {
            let mut shards = Vec::new();
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                let k = (e * tp + t) as usize;
                let id = b.node(
                    format!("layer{l}_mlp_ep{e}_tp{t}{s}"),
                    NodeKind::Compute,
                    Op::Mlp,
                    Placement::gpu(g),
                    &[tok_a, h],
                );
                set_layer(b, ranks(e, t));
                b.edge(&attn_out[k], &id);
                shards.push(id);
            }
            let joined: Vec<String> = if tp > 1 {
                let ar = b.node(
                    format!("layer{l}_tp_allreduce_mlp_ep{e}{s}"),
                    NodeKind::Communication,
                    Op::AllReduce,
                    Placement::Gpus(tp_group(e)),
                    &[tok_a, h],
                );
                set_layer(b, Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None });
                for sh in &shards {
                    b.edge(sh, &ar);
                }
                vec![ar; tp as usize]
            } else {
                shards
            };
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                let k = (e * tp + t) as usize;
                let id = b.node(
                    format!("layer{l}_residual_ep{e}_tp{t}{s}"),
                    NodeKind::Aggregation,
                    Op::Residual,
                    Placement::gpu(g),
                    &[tok_a, h],
                );
                set_layer(b, ranks(e, t));
                b.edge(&joined[t as usize], &id);
                b.edge(&attn_out[k], &id);
                tail[k] = id;
            }
        }
        return;
    }
    let e_total = spec.experts;
    // Gate per GPU.
    let mut gates = Vec::with_capacity(tail.len());
    for e in 0..ep {
        for t in 0..tp {
            let g = lay.gpu(d, p, e, t);
            let id = b.node(
                format!("layer{l}_gate_ep{e}_tp{t}{s}"),
                NodeKind::Compute,
                Op::Gate,
                Placement::gpu(g),
                &[tok_a, e_total as u64],
            );
            set_layer(b, ranks(e, t));
            b.edge(&attn_out[(e * tp + t) as usize], &id);
            gates.push(id);
        }
    }
    // Dispatch: one all-to-all per EP group (one per TP rank); none when EP = 1.
    let routed = tok_a * spec.top_k as u64;
    let dispatch: Vec<Option<String>> = (0..tp)
        .map(|t| {
            (ep > 1).then(|| {
                let id = b.node(
                    format!("layer{l}_ep_dispatch_tp{t}{s}"),
                    NodeKind::Communication,
                    Op::AllToAll,
                    Placement::Gpus(ep_group(t)),
                    &[routed, h],
                );
                set_layer(b, Ranks { tp: Some(t), pp: Some(p), dp: Some(d), ep: None });
                for e in 0..ep {
                    b.edge(&gates[(e * tp + t) as usize], &id);
                }
                id
            })
        })
        .collect();
    // Expert shards, then a TP all-reduce per TP group.
    let mut expert_out: Vec<Vec<String>> = vec![Vec::new(); (ep * tp) as usize];
    for x in 0..e_total {
        let e = lay.ep_rank_of(x, e_total);
        for t in 0..tp {
            let g = lay.gpu(d, p, e, t);
            let id = b.node(
                format!("expert_{x}_{t}_layer_{l}{s}"),
                NodeKind::Compute,
                Op::Expert,
                Placement::gpu(g),
                &[tok_e, h],
            );
            set_layer(b, ranks(e, t));
            b.last().expert = Some(x);
            match &dispatch[t as usize] {
                Some(dsp) => b.edge(dsp, &id),
                None => b.edge(&gates[(e * tp + t) as usize], &id),
            }
            expert_out[(e * tp + t) as usize].push(id);
        }
    }
    let mut moe_out: Vec<String> = Vec::with_capacity(tail.len());
    for e in 0..ep {
        if tp > 1 {
            let ar = b.node(
                format!("layer{l}_tp_allreduce_moe_ep{e}{s}"),
                NodeKind::Communication,
                Op::AllReduce,
                Placement::Gpus(tp_group(e)),
                &[tok_e * (e_total / ep).max(1) as u64, h],
            );
            set_layer(b, Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None });
            for t in 0..tp {
                for x in &expert_out[(e * tp + t) as usize] {
                    b.plan.edges.push(Edge::data(x.clone(), ar.clone()));
                }
            }
            moe_out.extend(std::iter::repeat_n(ar, tp as usize));
        } else {
            // Without TP each GPU's experts feed the combine directly; record the GPU's experts.
            moe_out.push(String::new());
        }
    }
    let combine: Vec<Option<String>> = (0..tp)
        .map(|t| {
            (ep > 1).then(|| {
                let id = b.node(
                    format!("layer{l}_ep_combine_tp{t}{s}"),
                    NodeKind::Communication,
                    Op::AllToAll,
                    Placement::Gpus(ep_group(t)),
                    &[routed, h],
                );
                set_layer(b, Ranks { tp: Some(t), pp: Some(p), dp: Some(d), ep: None });
                id
            })
        })
        .collect();
    for e in 0..ep {
        for t in 0..tp {
            let k = (e * tp + t) as usize;
            let srcs: Vec<String> = if tp > 1 { vec![moe_out[k].clone()] } else { expert_out[k].clone() };
            let g = lay.gpu(d, p, e, t);
            let agg = format!("layer{l}_moe_agg_ep{e}_tp{t}{s}");
            match &combine[t as usize] {
                Some(c) => {
                    for x in &srcs {
                        b.edge(x, c);
                    }
                }
                None => {
                    for x in &srcs {
                        b.edge(x, &agg);
                    }
                }
            }
            let id = b.node(agg, NodeKind::Aggregation, Op::Aggregate, Placement::gpu(g), &[tok_a, h]);
            set_layer(b, ranks(e, t));
            if let Some(c) = &combine[t as usize] {
                b.edge(c, &id);
            }
            b.edge(&attn_out[k], &id);
            tail[k] = id;
        }
    }
}
