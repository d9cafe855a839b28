//! Rank-to-GPU layout. A replica's pipeline stage is a block of `stage()` GPUs, and GPU =
//! (dp·PP + pp)·stage + k for the stage's k-th GPU, so DP replicas are the outermost blocks
//! (with folded experts, copies of the experts sit inside a pipeline stage instead:
//! (pp·copies + d)·stage + k, Megatron-Core's order, PP outermost).
//! Inside a stage two grids cover the same GPUs: the attention's, `groups` TP groups of
//! adjacent GPUs (k = a·TP + t: inside one server when TP ≤ 8, where all-reduce traffic
//! belongs), and the experts', EP ranks of ETP adjacent GPUs each (k = r·ETP + u).
//!
//! By planscope's convention (`EP64_TP2`) the grids coincide: each EP rank runs attention on
//! its TP group and hosts its experts on the same GPUs (groups = EP, ETP = TP), so
//! GPU = ((dp·PP + pp)·EP + ep)·TP + tp. With the experts folded onto the attention's GPUs
//! (a strategy with an ETP: vLLM's and SGLang's EP) the stage is the TP groups of all DP
//! ranks (groups = DP) and its EP·ETP expert GPUs are the same GPUs: one replica whose DP
//! ranks share the experts, as vLLM runs `-tp 8 -dp 2 --enable-expert-parallel` on 16 GPUs.
//! With DP attention (SGLang `--tp 8 --dp 8 --enable-dp-attention --ep 8`) the DP ranks
//! partition the TP GPUs instead: DP groups of TP/DP attention GPUs each, on TP GPUs.
//! When the expert group is smaller than the attention's GPUs (Megatron-Core's EP inside DP,
//! `Strategy::expert_copies`), each copy of the experts is a replica of its own: `dp` copies
//! of DP/copies DP groups, ids suffixed `_edp<d>`, ranks naming the global DP rank.

use crate::model::{Ranks, StageLayers, StageSplit, Strategy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Attention TP groups per stage: EP, or the DP groups one copy of the experts serves
    /// with folded experts.
    pub groups: u32,
    pub tp: u32,
    pub ep: u32,
    /// The experts' TP: TP, or ETP with folded experts.
    pub etp: u32,
    pub pp: u32,
    /// Whole replicas of the step: DP, or the copies of the experts with folded experts
    /// (1 when the expert group fills the attention's GPUs).
    pub dp: u32,
    /// Whether the experts are folded onto the attention's DP groups.
    pub folded: bool,
    /// The first and last stages' layers, when the strategy gives them.
    pub stages: StageLayers,
}

impl Layout {
    /// The layout of `s`. A folded strategy is laid out this way only when its expert
    /// groups tile a stage in whole DP groups (`Strategy::expert_copies`; else as one copy);
    /// `Strategy::unbuilt` refuses the others before anything is built.
    pub fn of(s: Strategy) -> Layout {
        let (ep, tp, pp, dp) = (s.ep.get(), s.tp.get(), s.pp.get(), s.dp.get());
        match s.experts_folded() {
            // With DP attention the DP ranks partition the TP GPUs: DP groups of TP/DP.
            true => {
                let copies = s.expert_copies().unwrap_or(1);
                let etp = s.expert_tp().get();
                let (tp, stages) = (s.attention_tp(), s.stages);
                Layout { groups: dp / copies, tp, ep, etp, pp, dp: copies, folded: true, stages }
            }
            false => Layout { groups: ep, tp, ep, etp: tp, pp, dp, folded: false, stages: s.stages },
        }
    }

    /// GPUs of one stage of one replica: groups·TP (= EP·ETP).
    pub fn stage(&self) -> u32 {
        self.groups * self.tp
    }

    pub fn gpus(&self) -> u32 {
        self.stage() * self.pp * self.dp
    }

    /// The stage's k-th GPU.
    pub fn gpu(&self, dp: u32, pp: u32, k: u32) -> u32 {
        match self.folded {
            true => (pp * self.dp + dp) * self.stage() + k,
            false => (dp * self.pp + pp) * self.stage() + k,
        }
    }

    /// The stage position of attention group `a`'s TP rank `t`.
    pub fn attn(&self, a: u32, t: u32) -> u32 {
        a * self.tp + t
    }

    /// The stage position of EP rank `r`'s expert TP shard `u`.
    pub fn expert(&self, r: u32, u: u32) -> u32 {
        r * self.etp + u
    }

    /// The ranks of the stage's k-th GPU: its TP rank, its attention group (the EP rank
    /// by planscope's convention, the DP rank with folded experts) and its EP rank.
    pub fn ranks(&self, dp: u32, pp: u32, k: u32) -> Ranks {
        let (ep, dp) = if self.folded { (k / self.etp, self.dp_rank(dp, k / self.tp)) } else { (k / self.tp, dp) };
        Ranks { ep: Some(ep), tp: Some(k % self.tp), pp: Some(pp), dp: Some(dp) }
    }

    /// The ranks of an expert shard: EP rank `r`, expert TP shard `u`, on its GPU's DP rank.
    pub fn expert_ranks(&self, dp: u32, pp: u32, r: u32, u: u32) -> Ranks {
        let k = self.expert(r, u);
        Ranks { ep: Some(r), tp: Some(u), ..self.ranks(dp, pp, k) }
    }

    /// The ranks of attention group `a`'s collectives.
    pub fn group_ranks(&self, dp: u32, pp: u32, a: u32) -> Ranks {
        match self.folded {
            true => Ranks { dp: Some(self.dp_rank(dp, a)), pp: Some(pp), ep: None, tp: None },
            false => Ranks { ep: Some(a), pp: Some(pp), dp: Some(dp), tp: None },
        }
    }

    /// With folded experts, the DP rank of copy `d`'s attention group `a`.
    fn dp_rank(&self, d: u32, a: u32) -> u32 {
        d * self.groups + a
    }

    /// How ids name attention group `a`: `ep3`, or `dp3` with folded experts (the DP group
    /// within its copy of the experts, which `_edp<d>` names).
    pub fn group_tag(&self, a: u32) -> String {
        if self.folded { format!("dp{a}") } else { format!("ep{a}") }
    }

    /// How ids name the stage's k-th GPU: its group and TP rank (`ep3_tp1`, `dp1_tp7`).
    pub fn gpu_tag(&self, k: u32) -> String {
        format!("{}_tp{}", self.group_tag(k / self.tp), k % self.tp)
    }

    /// The pipeline stage of `layer` among `layers` ([`StageSplit`]). A split the builders'
    /// callers did not refuse first puts every layer on the first stage, never a panic.
    pub fn stage_of(&self, layer: u32, layers: u32) -> u32 {
        StageSplit::of(layers, self.pp, self.stages).map_or(0, |s| s.stage_of(layer))
    }

    /// The EP rank that hosts `expert` of `experts` (contiguous blocks of experts / EP).
    pub fn ep_rank_of(&self, expert: u32, experts: u32) -> u32 {
        let per = (experts / self.ep).max(1);
        (expert / per).min(self.ep - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planscope_names_keep_their_gpus_and_folded_experts_share_the_attentions() {
        let lay = Layout::of(Strategy::parse("EP4_TP2_PP2_DP2").unwrap());
        // ((dp·PP + pp)·EP + ep)·TP + tp, as before the grids were told apart.
        assert_eq!(lay.gpu(1, 1, lay.attn(3, 1)), ((2 + 1) * 4 + 3) * 2 + 1);
        assert_eq!((lay.attn(3, 1), lay.expert(3, 1)), (7, 7));
        assert_eq!(lay.gpu_tag(7), "ep3_tp1");
        let lay = Layout::of(Strategy::parse("EP16_TP8_DP2_ETP1").unwrap());
        assert_eq!((lay.stage(), lay.gpus(), lay.dp, lay.groups), (16, 16, 1, 2));
        // GPU 11: DP rank 1's TP rank 3, and EP rank 11's whole experts.
        let r = lay.ranks(0, 0, 11);
        assert_eq!((r.dp, r.tp, r.ep), (Some(1), Some(3), Some(11)));
        assert_eq!(lay.gpu_tag(11), "dp1_tp3");
        assert_eq!(lay.expert(11, 0), 11);
        // SGLang's DP attention: 8 DP ranks of one GPU each, 8 EP ranks, on 8 GPUs.
        let lay = Layout::of(Strategy::parse("EP8_TP8_DP8_ETP1_DPATTN").unwrap());
        assert_eq!((lay.stage(), lay.gpus(), lay.groups, lay.tp), (8, 8, 8, 1));
        assert_eq!(lay.gpu_tag(5), "dp5_tp0");
        // Megatron-Core's EP inside DP: two copies of EP4 on TP2·DP4, each serving two DP
        // groups; copy 1's second group is DP rank 3, on GPUs 6 and 7.
        let lay = Layout::of(Strategy::parse("EP4_TP2_DP4_ETP1").unwrap());
        assert_eq!((lay.stage(), lay.gpus(), lay.groups, lay.dp, lay.etp), (4, 8, 2, 2, 1));
        let r = lay.ranks(1, 0, 3);
        assert_eq!((lay.gpu(1, 0, 3), r.dp, r.tp, r.ep), (7, Some(3), Some(1), Some(3)));
        assert_eq!(lay.group_ranks(1, 0, 1).dp, Some(3));
        // With PP the copies sit inside a stage: stage 1 starts at GPU 8 whatever the copy.
        let lay = Layout::of(Strategy::parse("EP4_TP2_PP2_DP4_ETP1").unwrap());
        assert_eq!((lay.gpu(0, 1, 0), lay.gpu(1, 0, 0), lay.gpu(1, 1, 3)), (8, 4, 15));
    }
}
