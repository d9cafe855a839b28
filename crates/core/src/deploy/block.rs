//! One layer of the step, on the GPUs of its stage: the pre-MoE operators (attention, TP-
//! sharded) → a TP all-reduce per TP group → a gate per GPU → an EP dispatch per TP rank →
//! the expert shards each EP rank hosts (expert x, TP shard t on the GPU of the rank hosting
//! x; replicas and spare slots as the placement gives them) → a TP all-reduce per TP group
//! → an EP combine per TP rank → an aggregation per GPU (weighted sum + residual).
//! A dense layer stops after the attention all-reduce, or gets the generator's MLP block.

use super::builder::Builder;
use super::comm::{self, Collective};
use super::origin::Role;
use super::step::{At, DenseFfn, Design, Operator, Sizes, chain, dp_suffix, shape};
use crate::model::{NodeKind, Op, Placement, Ranks};

pub(crate) fn layer(b: &mut Builder, design: &Design<'_>, sz: &Sizes, at: At, pre: &[Operator], tail: &mut [String]) {
    let lay = &design.layout;
    let (ep, tp) = (lay.ep, lay.tp);
    let (d, p) = (at.d, at.p);
    let l = at.layer.unwrap_or(0);
    let s = dp_suffix(lay, d);
    let src = design.sources;
    let per_server = design.style.gpus_per_server;
    chain(b, design, at, pre, tail, shape(&[sz.tok_a, sz.ht]));
    let tp_group = |e: u32| -> Vec<u32> { (0..tp).map(|t| lay.gpu(d, p, e, t)).collect() };
    let ep_group = |t: u32| -> Vec<u32> { (0..ep).map(|e| lay.gpu(d, p, e, t)).collect() };
    let r_ep = |e: u32| Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None };
    let r_tp = |t: u32| Ranks { tp: Some(t), pp: Some(p), dp: Some(d), ep: None };
    let r_gpu = |e: u32, t: u32| Ranks { ep: Some(e), tp: Some(t), pp: Some(p), dp: Some(d) };
    // TP all-reduce after the row-parallel shards of each TP group.
    let all_reduce = |b: &mut Builder, what: &str, role: Option<Role>, tail: &mut [String]| {
        if tp < 2 {
            return;
        }
        for e in 0..ep {
            let gpus = tp_group(e);
            let preds: Vec<(&str, u32)> =
                (0..tp).map(|t| (tail[(e * tp + t) as usize].as_str(), lay.gpu(d, p, e, t))).collect();
            let c = Collective {
                id: format!("layer{l}_tp_allreduce_{what}_ep{e}{s}"),
                op: Op::AllReduce,
                gpus: &gpus,
                rows: sz.tok_a,
                cols: sz.h,
                layer: Some(l),
                ranks: r_ep(e),
                origin: role.and_then(|r| src.find(r, Some(l), r_ep(e))),
            };
            let out = comm::build(b, c, per_server, &preds);
            for t in 0..tp {
                tail[(e * tp + t) as usize] = out.clone();
            }
        }
    };
    // An EP all-to-all per TP rank (none at EP1), fed by each GPU's `inputs[e·TP + t]`:
    // the dispatch after the gates, the combine after the expert shards.
    let ep_all_to_all = |b: &mut Builder, what: &str, role: Role, inputs: &[&[String]]| -> Vec<Option<String>> {
        (0..tp)
            .map(|t| {
                if ep < 2 {
                    return None;
                }
                let gpus = ep_group(t);
                let mut preds = Vec::new();
                for e in 0..ep {
                    let g = gpus[e as usize];
                    preds.extend(inputs[(e * tp + t) as usize].iter().map(|x| (x.as_str(), g)));
                }
                let c = Collective {
                    id: format!("layer{l}_ep_{what}_tp{t}{s}"),
                    op: Op::AllToAll,
                    gpus: &gpus,
                    rows: sz.routed,
                    cols: sz.h,
                    layer: Some(l),
                    ranks: r_tp(t),
                    origin: src.find(role, Some(l), r_tp(t)),
                };
                Some(comm::build(b, c, per_server, &preds))
            })
            .collect()
    };
    all_reduce(b, "attn", Some(Role::AllReduceAttn), tail);
    if !design.is_moe(l) {
        if design.style.dense == DenseFfn::Mlp {
            let attn_out: Vec<String> = tail.to_vec();
            let mlp = Operator::compute(format!("layer{l}_mlp"), Op::Mlp);
            chain(b, design, at, std::slice::from_ref(&mlp), tail, shape(&[sz.tok_a, sz.h]));
            all_reduce(b, "mlp", None, tail);
            residual(b, design, sz, at, &attn_out, tail);
        }
        return;
    }
    let attn_out: Vec<String> = tail.to_vec();
    let mut gates = Vec::with_capacity(tail.len());
    for e in 0..ep {
        for t in 0..tp {
            let g = lay.gpu(d, p, e, t);
            let sh = shape(&[sz.tok_a, Some(design.experts as u64)]);
            let origin = src.find(Role::Gate, Some(l), r_gpu(e, t));
            let id = format!("layer{l}_gate_ep{e}_tp{t}{s}");
            let n = b.push(id, NodeKind::Compute, Some(Op::Gate), Placement::gpu(g), sh, origin);
            n.layer = Some(l);
            n.ranks = r_gpu(e, t);
            let id = n.id.clone();
            b.edge(&tail[(e * tp + t) as usize], &id);
            gates.push(id);
        }
    }
    let inputs: Vec<&[String]> = gates.iter().map(std::slice::from_ref).collect();
    let dispatch = ep_all_to_all(b, "dispatch", Role::Dispatch, &inputs);
    let empty = Vec::new();
    let ranks_here = design.moe_slot(l).and_then(|i| design.placement.get(i as usize)).unwrap_or(&empty);
    let mut expert_out: Vec<Vec<String>> = vec![Vec::new(); (ep * tp) as usize];
    for e in 0..ep {
        let hosted = ranks_here.get(e as usize).map_or(&[][..], |v| &v[..]);
        for &(x, r) in hosted {
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                let rep = if r > 0 { format!("_r{r}") } else { String::new() };
                let origin = src.find(Role::Expert(Some(x)), Some(l), r_gpu(e, t));
                let n = b.push(
                    format!("expert_{x}_{t}_layer_{l}{rep}{s}"),
                    NodeKind::Compute,
                    Some(Op::Expert),
                    Placement::gpu(g),
                    shape(&[sz.tok_e, sz.h]),
                    origin,
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
    let joined: Vec<Vec<String>> = if tp < 2 {
        expert_out
    } else {
        let mut joined = vec![Vec::new(); (ep * tp) as usize];
        for e in 0..ep {
            let gpus = tp_group(e);
            let mut preds = Vec::new();
            for t in 0..tp {
                let g = lay.gpu(d, p, e, t);
                preds.extend(expert_out[(e * tp + t) as usize].iter().map(|x| (x.as_str(), g)));
            }
            let per = ranks_here.get(e as usize).map_or(1, |v| v.len().max(1)) as u64;
            let c = Collective {
                id: format!("layer{l}_tp_allreduce_moe_ep{e}{s}"),
                op: Op::AllReduce,
                gpus: &gpus,
                rows: sz.tok_e.map(|x| x.saturating_mul(per)),
                cols: sz.h,
                layer: Some(l),
                ranks: r_ep(e),
                origin: src.find(Role::AllReduceMoe, Some(l), r_ep(e)),
            };
            let out = comm::build(b, c, per_server, &preds);
            for t in 0..tp {
                joined[(e * tp + t) as usize] = vec![out.clone()];
            }
        }
        joined
    };
    let inputs: Vec<&[String]> = joined.iter().map(Vec::as_slice).collect();
    let combine = ep_all_to_all(b, "combine", Role::Combine, &inputs);
    // Shared experts: on every GPU, from the attention output, TP all-reduced, into the
    // aggregation (no dispatch: every token goes through them where it is).
    let shared: Option<Vec<String>> = (design.shared_experts > 0).then(|| {
        let mut sh_tail = attn_out.clone();
        let mut op = Operator::compute(format!("layer{l}_shared_expert"), Op::Mlp);
        op.label = Some(format!("shared expert ×{}", design.shared_experts));
        chain(b, design, at, std::slice::from_ref(&op), &mut sh_tail, shape(&[sz.tok_a, sz.h]));
        all_reduce(b, "shared", None, &mut sh_tail);
        sh_tail
    });
    for e in 0..ep {
        for t in 0..tp {
            let k = (e * tp + t) as usize;
            let g = lay.gpu(d, p, e, t);
            let origin = src.find(Role::Aggregate, Some(l), r_gpu(e, t));
            let n = b.push(
                format!("layer{l}_moe_agg_ep{e}_tp{t}{s}"),
                NodeKind::Aggregation,
                Some(Op::Aggregate),
                Placement::gpu(g),
                shape(&[sz.tok_a, sz.h]),
                origin,
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
            if let Some(sh) = &shared {
                b.edge(&sh[k], &id);
            }
            tail[k] = id;
        }
    }
}

/// The generator's dense residual: per GPU, the MLP's (all-reduced) output joins the layer input.
fn residual(b: &mut Builder, design: &Design<'_>, sz: &Sizes, at: At, attn_out: &[String], tail: &mut [String]) {
    let lay = &design.layout;
    let s = dp_suffix(lay, at.d);
    let l = at.layer.unwrap_or(0);
    for e in 0..lay.ep {
        for t in 0..lay.tp {
            let k = (e * lay.tp + t) as usize;
            let g = lay.gpu(at.d, at.p, e, t);
            let id = format!("layer{l}_residual_ep{e}_tp{t}{s}");
            let n = b.push(
                id,
                NodeKind::Aggregation,
                Some(Op::Residual),
                Placement::gpu(g),
                shape(&[sz.tok_a, sz.h]),
                None,
            );
            n.layer = Some(l);
            n.ranks = Ranks { ep: Some(e), tp: Some(t), pp: Some(at.p), dp: Some(at.d) };
            let id = n.id.clone();
            b.edge(&tail[k], &id);
            b.edge(&attn_out[k], &id);
            tail[k] = id;
        }
    }
}
