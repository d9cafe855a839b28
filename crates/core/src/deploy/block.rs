//! One layer of the step, on the GPUs of its stage: the pre-MoE operators (attention, TP-
//! sharded) → a TP all-reduce per attention TP group → a gate per GPU → an EP dispatch per
//! expert TP rank → the expert shards each EP rank hosts (expert x, shard u on the GPU of
//! the rank hosting x; replicas and spare slots as the placement gives them) → a TP
//! all-reduce per EP rank's expert TP group → an EP combine per expert TP rank → an
//! aggregation per GPU (weighted sum + residual). The attention's and the experts' grids
//! over the stage's GPUs are `Layout`'s: the same by planscope's convention, apart with
//! folded experts.
//! A dense layer stops after the attention all-reduce, or gets the generator's MLP block.

use super::builder::Builder;
use super::comm::{self, Collective};
use super::origin::Role;
use super::step::{At, DenseFfn, Design, Operator, Sizes, chain, dp_suffix, shape};
use crate::model::{NodeKind, Op, Placement, Ranks};

pub(crate) fn layer(b: &mut Builder, design: &Design<'_>, sz: &Sizes, at: At, pre: &[Operator], tail: &mut [String]) {
    let lay = &design.layout;
    let (ep, tp, etp, stage) = (lay.ep, lay.tp, lay.etp, lay.stage());
    let (d, p) = (at.d, at.p);
    let l = at.layer.unwrap_or(0);
    let s = dp_suffix(lay, d);
    let src = design.sources;
    let per_server = design.style.gpus_per_server;
    chain(b, design, at, pre, tail, shape(&[sz.tok_a, sz.ht]));
    let gpu = |k: u32| lay.gpu(d, p, k);
    // With folded experts each TP rank of an attention group routes its 1/TP share of the
    // group's tokens, and the group all-gathers them after the combine: the sequence-
    // parallel MoE of Megatron-Core (`--sequence-parallel`) and of vLLM's EP with TP > 1, so
    // no token crosses the all-to-all once per TP rank. By planscope's convention each TP
    // rank's all-to-all feeds its own TP shard of the experts, which needs every token.
    let seq_share = if lay.folded { u64::from(tp) } else { 1 };
    let tok_gpu = sz.tok_a.map(|t| (t / seq_share).max(1));
    let routed_gpu = sz.routed.map(|r| (r / seq_share).max(1));
    let r_ep = |e: u32| Ranks { ep: Some(e), pp: Some(p), dp: Some(d), tp: None };
    let r_tp = |t: u32| Ranks { tp: Some(t), pp: Some(p), dp: Some(d), ep: None };
    // TP all-reduce after the row-parallel shards of each attention TP group.
    let all_reduce = |b: &mut Builder, what: &str, role: Option<Role>, tail: &mut [String]| {
        if tp >= 2 {
            per_group(b, design, sz, at, (Op::AllReduce, &format!("tp_allreduce_{what}")), role, tail);
        }
    };
    // An EP all-to-all per expert TP rank (none at EP1), fed by each GPU's `inputs[k]`:
    // the dispatch after the gates, the combine after the expert shards.
    let ep_all_to_all = |b: &mut Builder, what: &str, role: Role, inputs: &[&[String]]| -> Vec<Option<String>> {
        (0..etp)
            .map(|t| {
                if ep < 2 {
                    return None;
                }
                let ks: Vec<u32> = (0..ep).map(|r| lay.expert(r, t)).collect();
                let gpus: Vec<u32> = ks.iter().map(|&k| gpu(k)).collect();
                let mut preds = Vec::new();
                for &k in &ks {
                    preds.extend(inputs[k as usize].iter().map(|x| (x.as_str(), gpu(k))));
                }
                let c = Collective {
                    id: format!("layer{l}_ep_{what}_tp{t}{s}"),
                    op: Op::AllToAll,
                    gpus: &gpus,
                    rows: routed_gpu,
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
    for k in 0..stage {
        let ranks = lay.ranks(d, p, k);
        let sh = shape(&[tok_gpu, Some(design.experts as u64)]);
        let origin = src.find(Role::Gate, Some(l), ranks);
        let id = format!("layer{l}_gate_{}{s}", lay.gpu_tag(k));
        let n = b.push(id, NodeKind::Compute, Some(Op::Gate), Placement::gpu(gpu(k)), sh, origin);
        n.layer = Some(l);
        n.ranks = ranks;
        let id = n.id.clone();
        b.edge(&tail[k as usize], &id);
        gates.push(id);
    }
    let inputs: Vec<&[String]> = gates.iter().map(std::slice::from_ref).collect();
    let dispatch = ep_all_to_all(b, "dispatch", Role::Dispatch, &inputs);
    let empty = Vec::new();
    let moe_index = design.moe_slot(l).map(|i| i as usize);
    let ranks_here = moe_index.and_then(|i| design.placement.get(i)).unwrap_or(&empty);
    // Tokens of each expert replica under the load, else the uniform tok_e.
    let replicas: Vec<u32> = {
        let mut r = vec![0u32; design.experts as usize];
        for &(x, _) in ranks_here.iter().flatten() {
            if let Some(c) = r.get_mut(x as usize) {
                *c += 1;
            }
        }
        r
    };
    let share = design.expert_share.zip(moe_index).and_then(|(v, i)| v.get(i));
    let tok_of = |x: u32| -> Option<u64> {
        match (share, sz.tok_e) {
            (Some(sh), Some(te)) => {
                let total = te as f64 * design.experts as f64;
                let f = sh.get(x as usize).copied().unwrap_or(0.0);
                let n = f64::from(replicas.get(x as usize).copied().unwrap_or(1).max(1));
                Some(((total * f / n).round() as u64).max(1))
            }
            _ => sz.tok_e,
        }
    };
    let mut expert_out: Vec<Vec<String>> = vec![Vec::new(); stage as usize];
    for e in 0..ep {
        let hosted = ranks_here.get(e as usize).map_or(&[][..], |v| &v[..]);
        for &(x, r) in hosted {
            for t in 0..etp {
                let k = lay.expert(e, t);
                let ranks = lay.expert_ranks(d, p, e, t);
                let rep = if r > 0 { format!("_r{r}") } else { String::new() };
                let origin = src.find(Role::Expert(Some(x)), Some(l), ranks);
                let n = b.push(
                    format!("expert_{x}_{t}_layer_{l}{rep}{s}"),
                    NodeKind::Compute,
                    Some(Op::Expert),
                    Placement::gpu(gpu(k)),
                    shape(&[tok_of(x), sz.h]),
                    origin,
                );
                n.layer = Some(l);
                n.expert = Some(x);
                n.ranks = ranks;
                let id = n.id.clone();
                match &dispatch[t as usize] {
                    Some(dsp) => b.edge(dsp, &id),
                    None => b.edge(&gates[k as usize], &id),
                }
                expert_out[k as usize].push(id);
            }
        }
    }
    // Each GPU's expert outputs: joined by its EP rank's expert TP all-reduce, else listed
    // as they are.
    let joined: Vec<Vec<String>> = if etp < 2 {
        expert_out
    } else {
        let mut joined = vec![Vec::new(); stage as usize];
        for e in 0..ep {
            let ks: Vec<u32> = (0..etp).map(|t| lay.expert(e, t)).collect();
            let gpus: Vec<u32> = ks.iter().map(|&k| gpu(k)).collect();
            let mut preds = Vec::new();
            for &k in &ks {
                preds.extend(expert_out[k as usize].iter().map(|x| (x.as_str(), gpu(k))));
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
            for k in ks {
                joined[k as usize] = vec![out.clone()];
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
        // The op name the cost model counts as a shared expert (cost::flops::is_shared_expert).
        let mut op = Operator::compute(format!("layer{l}_shared_expert"), Op::Other("shared_expert".into()));
        op.label = Some(format!("shared expert ×{}", design.shared_experts));
        chain(b, design, at, std::slice::from_ref(&op), &mut sh_tail, shape(&[sz.tok_a, sz.h]));
        all_reduce(b, "shared", None, &mut sh_tail);
        sh_tail
    });
    for k in 0..stage {
        let ranks = lay.ranks(d, p, k);
        let origin = src.find(Role::Aggregate, Some(l), ranks);
        let n = b.push(
            format!("layer{l}_moe_agg_{}{s}", lay.gpu_tag(k)),
            NodeKind::Aggregation,
            Some(Op::Aggregate),
            Placement::gpu(gpu(k)),
            shape(&[tok_gpu, sz.h]),
            origin,
        );
        n.layer = Some(l);
        n.ranks = ranks;
        let id = n.id.clone();
        let k = k as usize;
        // The combine of this GPU's expert TP rank brings its tokens back.
        match &combine[k % etp as usize] {
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
    if seq_share > 1 {
        per_group(b, design, sz, at, (Op::AllGather, "tp_allgather_moe"), None, tail);
    }
}

/// A collective over each attention TP group, fed by and feeding its GPUs' chains: the
/// all-reduce after row-parallel shards, or the all-gather that puts the group's token shares
/// back together after a sequence-parallel MoE block (folded experts, TP > 1).
fn per_group(
    b: &mut Builder,
    design: &Design<'_>,
    sz: &Sizes,
    at: At,
    (op, name): (Op, &str),
    role: Option<Role>,
    tail: &mut [String],
) {
    let lay = &design.layout;
    let l = at.layer.unwrap_or(0);
    let s = dp_suffix(lay, at.d);
    for a in 0..lay.groups {
        let ks: Vec<u32> = (0..lay.tp).map(|t| lay.attn(a, t)).collect();
        let gpus: Vec<u32> = ks.iter().map(|&k| lay.gpu(at.d, at.p, k)).collect();
        let preds: Vec<(&str, u32)> = ks.iter().zip(&gpus).map(|(&k, &g)| (tail[k as usize].as_str(), g)).collect();
        let ranks = lay.group_ranks(at.d, at.p, a);
        let c = Collective {
            id: format!("layer{l}_{name}_{}{s}", lay.group_tag(a)),
            op: op.clone(),
            gpus: &gpus,
            rows: sz.tok_a,
            cols: sz.h,
            layer: Some(l),
            ranks,
            origin: role.and_then(|r| design.sources.find(r, Some(l), ranks)),
        };
        let out = comm::build(b, c, design.style.gpus_per_server, &preds);
        for k in ks {
            tail[k as usize] = out.clone();
        }
    }
}

/// The generator's dense residual: per GPU, the MLP's (all-reduced) output joins the layer input.
fn residual(b: &mut Builder, design: &Design<'_>, sz: &Sizes, at: At, attn_out: &[String], tail: &mut [String]) {
    let lay = &design.layout;
    let s = dp_suffix(lay, at.d);
    let l = at.layer.unwrap_or(0);
    for k in 0..lay.stage() {
        let id = format!("layer{l}_residual_{}{s}", lay.gpu_tag(k));
        let g = lay.gpu(at.d, at.p, k);
        let n =
            b.push(id, NodeKind::Aggregation, Some(Op::Residual), Placement::gpu(g), shape(&[sz.tok_a, sz.h]), None);
        n.layer = Some(l);
        n.ranks = lay.ranks(at.d, at.p, k);
        let id = n.id.clone();
        let k = k as usize;
        b.edge(&tail[k], &id);
        b.edge(&attn_out[k], &id);
        tail[k] = id;
    }
}
