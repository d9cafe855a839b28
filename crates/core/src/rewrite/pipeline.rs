//! Pipeline stages and data-parallel replicas. Stage p holds the contiguous layers
//! [p·L/PP, (p+1)·L/PP) on its own contiguous block of EP·TP GPUs; at each boundary every
//! GPU sends its activations to the GPU with the same EP and TP rank in the next stage
//! (one send/recv node per GPU pair). DP replicas repeat the whole step on the next
//! blocks of PP·EP·TP GPUs (GPU = ((dp·PP + pp)·EP + ep)·TP + tp, as r#gen::Layout).

use super::expand::Builder;
use crate::r#gen::Layout;
use crate::model::{GpuSet, NodeKind, Op, Placement, Ranks, Shape};

pub(crate) fn stage_of(lay: &Layout, layer: u32, layers: u32) -> u32 {
    lay.stage_of(layer, layers)
}

/// `_dp<d>` on every id of replica d when DP > 1, so replicas never share an id.
pub(crate) fn dp_suffix(lay: &Layout, d: u32) -> String {
    if lay.dp > 1 { format!("_dp{d}") } else { String::new() }
}

/// One send/recv per GPU from stage `from` to stage `to`; moves each GPU's chain tail.
pub(crate) fn send_recv(
    b: &mut Builder,
    lay: &Layout,
    d: u32,
    from: u32,
    to: u32,
    tail: &mut [String],
    sh: Option<Shape>,
) {
    let s = dp_suffix(lay, d);
    for e in 0..lay.ep {
        for t in 0..lay.tp {
            let (a, z) = (lay.gpu(d, from, e, t), lay.gpu(d, to, e, t));
            let place = Placement::Transfer { from: GpuSet::single(a), to: GpuSet::single(z) };
            let id = format!("pp_send_s{from}_ep{e}_tp{t}{s}");
            let n = b.push(id, NodeKind::Communication, Some(Op::SendRecv), place, sh.clone());
            n.ranks = Ranks { ep: Some(e), tp: Some(t), pp: Some(from), dp: Some(d) };
            let id = n.id.clone();
            let k = (e * lay.tp + t) as usize;
            b.edge(&tail[k], &id);
            tail[k] = id;
        }
    }
}
