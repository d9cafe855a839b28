//! Rank-to-GPU layout: GPU = ((dp·PP + pp)·EP + ep)·TP + tp, so a TP group is adjacent
//! GPUs (inside one server when TP ≤ 8, where all-reduce traffic belongs), an EP group
//! is the same TP rank across one stage's EP ranks, and DP replicas are the outermost blocks.

use crate::model::Strategy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub ep: u32,
    pub tp: u32,
    pub pp: u32,
    pub dp: u32,
}

impl Layout {
    pub fn of(s: Strategy) -> Layout {
        Layout { ep: s.ep.get(), tp: s.tp.get(), pp: s.pp.get(), dp: s.dp.get() }
    }

    pub fn gpus(&self) -> u32 {
        self.ep * self.tp * self.pp * self.dp
    }

    pub fn gpu(&self, dp: u32, pp: u32, ep: u32, tp: u32) -> u32 {
        ((dp * self.pp + pp) * self.ep + ep) * self.tp + tp
    }

    /// The pipeline stage of `layer` among `layers`, spreading any remainder over the first stages.
    pub fn stage_of(&self, layer: u32, layers: u32) -> u32 {
        ((layer as u64 * self.pp as u64) / layers.max(1) as u64) as u32
    }

    /// The EP rank that hosts `expert` of `experts` (contiguous blocks of experts / EP).
    pub fn ep_rank_of(&self, expert: u32, experts: u32) -> u32 {
        let per = (experts / self.ep).max(1);
        (expert / per).min(self.ep - 1)
    }
}
