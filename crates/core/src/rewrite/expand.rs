//! The rewriter's side of the builder: the operators kept from the source (labels without
//! the lines naming their old GPU), defaults where the source has none, and the EPLB
//! placement, handed to `deploy`, which writes the step GPU by GPU and records which
//! source node each node was built for.

use super::eplb::ExpertPlacement;
use super::extract::{Kept, Template};
use super::target::Dims;
use crate::deploy::{self, CopyIds, DenseFfn, Design, Layout, Operator, Operators, Style};
use crate::model::{Op, Plan};

/// A template ready to copy: its label without the lines naming its old GPU.
fn prepare(t: &Template) -> Operator {
    let label = t.node.label.as_ref().and_then(|l| {
        let mut lines = l.lines();
        let first = lines.next().unwrap_or("").to_string();
        let rest: Vec<&str> = lines.filter(|x| !x.trim_start().to_ascii_lowercase().starts_with("gpu")).collect();
        let s = if rest.is_empty() { first } else { format!("{first}\n{}", rest.join("\n")) };
        (!s.trim().is_empty()).then_some(s)
    });
    Operator { id: t.id.clone(), node: t.node.clone(), label, origin: t.sources.first().copied() }
}

/// The kept templates, else the defaults (built for no source node).
fn prep(ts: &[Template], fallback: Vec<(String, Op)>) -> Vec<Operator> {
    if ts.is_empty() {
        fallback.into_iter().map(|(id, op)| Operator::compute(id, op)).collect()
    } else {
        ts.iter().map(prepare).collect()
    }
}

/// Builds the rewrite of `src`; returns it with, per node, the source node it was built for.
pub(crate) fn build(src: &Plan, dims: &Dims, kept: &Kept, place: &ExpertPlacement) -> (Plan, Vec<Option<u32>>) {
    let mut header = Plan::new(src.format);
    header.name = src.name.clone();
    header.meta = dims.meta.clone();
    header.groups = src.groups.clone();
    header.attrs = src.attrs.clone();
    let operators = Operators {
        prelude: prep(&kept.prelude, vec![("embed".into(), Op::Embedding)]),
        epilogue: prep(&kept.epilogue, vec![("lm_head".into(), Op::LmHead)]),
        pre: (0..dims.layers)
            .map(|l| {
                let mut fb = vec![(format!("layer{l}_attn"), Op::Attention)];
                if !dims.is_moe(l) {
                    fb.push((format!("layer{l}_mlp"), Op::Mlp));
                }
                prep(kept.pre.get(l as usize).map_or(&[][..], |v| v), fb)
            })
            .collect(),
        post: (0..dims.layers)
            .map(|l| kept.post.get(l as usize).map_or(Vec::new(), |v| v.iter().map(prepare).collect()))
            .collect(),
    };
    let design = Design {
        layout: Layout::of(dims.strategy),
        layers: dims.layers,
        first_moe: dims.first_moe,
        moe_slots: None,
        shared_experts: 0,
        experts: dims.experts,
        top_k: dims.top_k,
        batch: dims.batch,
        seq: dims.seq,
        hidden: dims.hidden,
        placement: &place.layers,
        operators: &operators,
        input: kept.input.as_ref().map(|(n, i)| (n, *i)),
        output: kept.output.as_ref().map(|(n, i)| (n, *i)),
        sources: &kept.sources,
        style: Style {
            gpus_per_server: Some(dims.gpus_per_server),
            copy_ids: CopyIds::WhenShared,
            dense: DenseFfn::Operators,
        },
    };
    deploy::build(header, &design)
}
