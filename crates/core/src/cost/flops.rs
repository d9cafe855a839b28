//! Per-node work: forward FLOPs, bytes moved (for the roofline), weight bytes and KV-cache
//! bytes. 2 FLOPs per weight per token (Kaplan et al. 2020) over each module's matrices:
//! attention as MHA/GQA (attention.rs) or MLA, FFNs with two matrices or three when gated
//! (SwiGLU, Shazeer 2020), experts over the tokens routed to them (top_k / experts of all
//! tokens under uniform routing, unless the node's shape says), shared experts over every
//! token. Each module's weights in its own dtype (ModuleDtypes). Sources: docs/cost-model.md.

use super::attention::{self, AttnShard};
use super::{Constants, Training};
use crate::infer::NodeRoles;
use crate::model::{Dtype, Node, NodeKind, Op, Placement, Plan, Strategy};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeWork {
    /// Forward FLOPs of the whole node (all its GPUs together).
    pub flops: f64,
    /// Bytes read and written (weights + input + output activations).
    pub bytes: f64,
    pub weight_bytes: f64,
    pub kv_bytes: f64,
    /// Output tensor bytes (message size for a collective; working set).
    pub out_bytes: f64,
    /// Training activations stored for the backward pass (Korthikanti et al. 2022), of as
    /// many micro-batches as the node's pipeline stage holds at once under 1F1B.
    pub stored_act_bytes: f64,
    /// Training: the gradients and optimizer states of the node's weights, as one GPU of
    /// its data-parallel group holds them (sharded by ZeRO stage 1 and up).
    pub state_bytes: f64,
    /// Training: the node's gradients as its data-parallel group reduces them (all its
    /// GPUs together, before any ZeRO sharding): its parameters × the gradient's bytes.
    pub grad_bytes: f64,
    /// Of `weight_bytes`, the share one data-parallel rank holds: 1, or 1/DP under ZeRO
    /// stage 3 (FSDP), which shards the weights themselves.
    pub held_share: f64,
    /// Which tensor-core peak the node's matrices run at.
    pub precision: Precision,
    /// Of `flops`, those that run at the 16-bit peak whatever `precision`: the attention's
    /// QKᵀ and AV. DeepSeek-V3 runs its GEMMs in FP8 but keeps "attention operators" in
    /// BF16/FP32 (DeepSeek-V3 Technical Report, §3.3.1); FlashAttention and FlashMLA compute
    /// them in BF16.
    pub bf16_flops: f64,
}

/// The tensor-core peak a node runs at: its weights' dtype, where the hardware gives that peak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    Bf16,
    Fp8,
    Fp4,
}

impl Precision {
    pub fn of(d: Option<Dtype>) -> Precision {
        match d {
            Some(Dtype::Fp8 | Dtype::Int8) => Precision::Fp8,
            Some(Dtype::Mxfp4 | Dtype::Int4) => Precision::Fp4,
            _ => Precision::Bf16,
        }
    }
}

/// Tokens a node processes: all dimensions of its output (else first input) shape but the
/// last; else the global batch·seq over DP.
pub(super) fn tokens(node: &Node, c: &Constants) -> (Option<f64>, bool) {
    for s in node.output.iter().chain(node.inputs.first()) {
        if s.rank() >= 2 {
            let lead: Option<u64> =
                s.0[..s.rank() - 1].iter().try_fold(1u64, |a, d| d.size.and_then(|v| a.checked_mul(v)));
            if let Some(t) = lead {
                return (Some(t as f64), true);
            }
        }
    }
    match (c.batch, c.seq) {
        // Decode brings one new token per request.
        (Some(b), _) if c.decode() => (Some(b as f64 / c.dp.max(1) as f64), false),
        // Sizes the file declares: multiplied as floats, which cannot overflow.
        (Some(b), Some(s)) => (Some(b as f64 * s as f64 / c.dp.max(1) as f64), false),
        _ => (None, false),
    }
}

fn shard(node: &Node, r: &NodeRoles, c: &Constants, tp: u32) -> f64 {
    if tp <= 1 {
        return 1.0;
    }
    if r.ranks.tp.is_some() {
        return 1.0 / tp as f64;
    }
    let last = node.output.as_ref().and_then(|s| s.0.last()).and_then(|d| d.size);
    match (last, c.hidden) {
        (Some(l), Some(h)) if l.checked_mul(u64::from(tp)) == Some(h) => 1.0 / tp as f64,
        _ => 1.0,
    }
}

/// Whether the plan draws Q/K/V/O projections as their own nodes (then attention nodes
/// count only the score and value products, so nothing is counted twice).
fn has_projections(roles: &[NodeRoles]) -> bool {
    roles.iter().any(|r| r.op == Some(Op::Projection))
}

/// The TP degrees a node's work is split by: the attention's (TP/DP with DP attention), and
/// the experts' own (ETP, which vLLM's and SGLang's EP set to 1: whole experts on a GPU
/// whatever the TP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpSplit {
    pub tp: u32,
    pub expert_tp: u32,
}

impl TpSplit {
    /// The strategy's degrees; none: no split.
    pub fn of(strategy: Option<Strategy>) -> TpSplit {
        strategy.map_or(TpSplit { tp: 1, expert_tp: 1 }, |s| TpSplit {
            tp: s.attention_tp(),
            expert_tp: s.expert_tp().get(),
        })
    }
}

pub fn node_work(plan: &Plan, roles: &[NodeRoles], c: &Constants, split: TpSplit) -> Vec<NodeWork> {
    let proj = has_projections(roles);
    plan.nodes
        .iter()
        .zip(roles)
        .map(|(n, r)| {
            let tp = if r.op == Some(Op::Expert) { split.expert_tp } else { split.tp };
            one(n, r, c, tp, proj)
        })
        .collect()
}

/// Whether a node is a shared expert: an op the plan names so (`shared_expert`).
pub fn is_shared_expert(op: Option<&Op>) -> bool {
    matches!(op, Some(Op::Other(s)) if s.eq_ignore_ascii_case("shared_expert"))
}

fn one(n: &Node, r: &NodeRoles, c: &Constants, tp: u32, proj: bool) -> NodeWork {
    let b = c.dtype_bytes;
    let (tok, from_shape) = tokens(n, c);
    let out_elems = n.output.as_ref().and_then(|s| s.elements()).map(|e| e as f64);
    let sh = shard(n, r, c, tp);
    let h = c.hidden.map(|h| h as f64);
    let fallback_out = match (tok, h) {
        (Some(t), Some(h)) => t * h * sh,
        _ => 0.0,
    };
    let out_bytes = out_elems.map_or(fallback_out * b, |e| e * b);
    let in_bytes: f64 = {
        let s: f64 = n.inputs.iter().filter_map(|s| s.elements()).map(|e| e as f64 * b).sum();
        if s > 0.0 { s } else { out_bytes }
    };
    let mut w = NodeWork { out_bytes, held_share: 1.0, ..NodeWork::default() };
    if matches!(n.kind, NodeKind::Communication | NodeKind::Input | NodeKind::Output)
        || matches!(n.placement, Placement::Transfer { .. } | Placement::Host)
        || r.op.as_ref().is_some_and(Op::is_collective)
    {
        return w;
    }
    let Some(h) = h else {
        w.bytes = in_bytes + out_bytes;
        return w;
    };
    // Without the tokens (no batch, no shape) a node still holds its weights: they fill
    // memory whatever the batch, so they are counted; its FLOPs, KV and activations are 0.
    let tokens_known = tok.is_some();
    let tok = tok.unwrap_or(0.0);
    let mats = if c.gated { 3.0 } else { 2.0 };
    let dense = c.bytes.dense;
    let mut read_extra = 0.0;
    // Training: the 16-bit bytes a node keeps for the backward pass, as Korthikanti et al.
    // 2022 count a layer's (Eq. 2 without the 5·a·s/(h·t) of the attention's scores, which
    // FlashAttention recomputes rather than stores: the paper's selective recomputation):
    // `whole` is what plain TP keeps on every TP GPU and sequence parallelism splits too
    // (its Table 2), `rest` the node's own share. A dense layer's 34 = attention 11 + norms
    // 4 + MLP 19.
    let node_tp = if sh < 1.0 { tp.max(1) as f64 } else { 1.0 };
    let kept = |whole: f64, rest: f64| match &c.training {
        Some(run) => {
            let micro_batches = run.in_flight_at(r.ranks.pp);
            ((if run.sequence_parallel { whole / node_tp } else { whole }) + rest) * (b / 2.0) * micro_batches
        }
        None => 0.0,
    };
    // An MLP's per token beyond its input (2h): for each of its f columns, split by TP, the
    // first matrices' outputs and the last one's input, 2·mats·f (GeLU's input and output;
    // SwiGLU's gate, up and their product). Megatron-LM's 18 + 4f/h a layer is the ungated.
    let columns = |f: f64| 2.0 * mats * f * sh;
    let (flops, weight_bytes) = match r.op.as_ref() {
        Some(Op::Attention) => {
            let a = attention::work(c, h, AttnShard { tp: if sh < 1.0 { tp } else { 1 } }, proj);
            let kvb = c.bytes.kv_cache;
            let ctx = attention::context(c);
            // Decode reads each request's cached context; prefill writes its tokens' KV.
            (w.kv_bytes, read_extra) = match c.training {
                Some(_) => (0.0, 0.0),
                None if c.decode() => (tok * ctx * a.kv_per_token * kvb, tok * ctx * a.kv_per_token * kvb),
                None => (tok * a.kv_per_token * kvb, 0.0),
            };
            // The attention block's 11 and the two norms' 4 (the MLP's are its own nodes').
            w.stored_act_bytes = kept(tok * h * 7.0, tok * h * 8.0 / node_tp);
            w.precision = Precision::of(c.dense_dtype);
            w.bf16_flops = tok * a.score_flops_per_token;
            (tok * (2.0 * a.weights + a.score_flops_per_token), a.weights * dense)
        }
        Some(Op::Projection) => {
            let outw = n.output.as_ref().and_then(|s| s.0.last()).and_then(|d| d.size).map(|v| v as f64);
            let wts = outw.map_or(h * h * sh, |o| h * o);
            (2.0 * tok * wts, wts * dense)
        }
        Some(Op::Mlp) => {
            let f = c.dense_hidden.or(c.expert_hidden).map_or(4.0 * h, |v| v as f64);
            let wts = mats * h * f * sh;
            // Its input and dropout mask kept whole (3h), the rest split.
            w.stored_act_bytes = kept(tok * 3.0 * h, tok * columns(f));
            (2.0 * tok * wts, wts * dense)
        }
        Some(Op::Expert) => {
            let f = c.expert_hidden.map_or(0.0, |v| v as f64);
            // Without a shape, an expert sees its share of the routed tokens.
            let t = if from_shape { tok } else { tok * c.top_k as f64 / c.experts.unwrap_or(1).max(1) as f64 };
            let wts = mats * h * f * sh;
            w.precision = Precision::of(c.expert_dtype);
            // Each routed copy of a token keeps its own input, on every expert-TP GPU.
            w.stored_act_bytes = kept(0.0, t * (2.0 * h + columns(f)));
            // An expert no token picked reads no weights: with T tokens routed k ways over E
            // experts, it is hit with probability 1 − (1 − 1/E)^(T·k) (uniform routing).
            read_extra = -(wts * c.bytes.experts) * (1.0 - expert_hit(c));
            (2.0 * t * wts, wts * c.bytes.experts)
        }
        op if is_shared_expert(op) => {
            let f = c.shared_expert_hidden.map_or(0.0, |v| v as f64);
            let wts = c.shared_experts.max(1) as f64 * mats * h * f * sh;
            w.precision = Precision::of(c.dense_dtype);
            w.stored_act_bytes = kept(tok * 2.0 * h, tok * columns(c.shared_experts.max(1) as f64 * f));
            (2.0 * tok * wts, wts * dense)
        }
        Some(Op::Gate) => {
            let e = c.experts.unwrap_or(0) as f64;
            // The MoE layer's input and dropout mask, kept once as a dense MLP's (3h).
            w.stored_act_bytes = kept(tok * 3.0 * h, 0.0);
            (2.0 * tok * h * e, h * e * dense)
        }
        Some(Op::LmHead) => {
            let v = c.vocab.unwrap_or(0) as f64;
            // Its input (2h), and the loss's FP32 softmax over the vocabulary, split by TP,
            // which Megatron-LM's `vocab_parallel_cross_entropy` keeps for its backward
            // (`theoretical_memory_usage.py` counts s·b·h·4·(1 + v/h)/t for both).
            w.stored_act_bytes = kept(tok * 2.0 * h, tok * 4.0 * v * sh / (b / 2.0));
            (2.0 * tok * h * v * sh, h * v * sh * c.bytes.embedding)
        }
        Some(Op::Embedding) => (0.0, c.vocab.unwrap_or(0) as f64 * h * sh * c.bytes.embedding),
        Some(Op::LayerNorm) => (5.0 * tok * h * sh, 2.0 * h * dense),
        Some(Op::Residual | Op::Aggregate | Op::Route | Op::Split) => (2.0 * tok * h * sh, 0.0),
        _ => (0.0, 0.0),
    };
    w.flops = flops;
    w.weight_bytes = weight_bytes;
    if let Some(t) = &c.training {
        let expert = r.op == Some(Op::Expert);
        let (dtype, bytes) = match r.op {
            Some(Op::Expert) => (c.expert_dtype, c.bytes.experts),
            Some(Op::Embedding | Op::LmHead) => (c.dense_dtype, c.bytes.embedding),
            _ => (c.dense_dtype, dense),
        };
        let params = weight_bytes / bytes.max(f64::MIN_POSITIVE);
        (w.state_bytes, w.held_share) = training_state(t, expert, params, dtype);
        w.grad_bytes = params * bytes_per_parameter(dtype).0;
    }
    // read_extra: the KV context decode reads, or (negative) the weights an idle expert skips.
    w.bytes = match tokens_known {
        true => {
            w.weight_bytes
                + in_bytes
                + out_bytes
                + if read_extra < 0.0 { read_extra } else { read_extra.max(w.kv_bytes) }
        }
        // No step to time: the weights are held, not read.
        false => in_bytes + out_bytes,
    };
    w
}

/// The gradient and optimizer-state bytes of `params` weights on one data-parallel rank,
/// and the share of the weights it holds, as Megatron-LM counts them for mixed-precision
/// Adam (docs/source/api-guide/dist_optimizer.md, bytes per parameter): BF16 weights keep
/// FP32 gradients (4) and FP32 main weights with Adam's two moments (12), 18 in all; FP16
/// weights FP16 gradients (2) and 16 (an FP32 copy of the gradients too), 20; FP32 weights
/// 4 and 8, 16. ZeRO stage 1 (Megatron's distributed optimizer: "6 + 12/d" for BF16) divides
/// the optimizer states by the data-parallel ranks d, stage 2 the gradients too, stage 3 the
/// weights (Rajbhandari et al. 2020, §5). Other dtypes (FP8 weights) count as BF16's.
fn training_state(t: &Training, expert: bool, params: f64, dtype: Option<Dtype>) -> (f64, f64) {
    let (grads, optimizer) = bytes_per_parameter(dtype);
    let d = f64::from(if expert { t.expert_dp } else { t.dense_dp }.max(1));
    let z = t.zero.get();
    let shard = |from: u8| if z >= from { 1.0 / d } else { 1.0 };
    (params * (grads * shard(2) + optimizer * shard(1)), shard(3))
}

/// Bytes per parameter of the gradients and of the optimizer's states, in that order, by
/// the weights' dtype (see `training_state`).
fn bytes_per_parameter(dtype: Option<Dtype>) -> (f64, f64) {
    match dtype {
        Some(Dtype::Fp16) => (2.0, 16.0),
        Some(Dtype::Fp32) => (4.0, 8.0),
        _ => (4.0, 12.0),
    }
}

/// Whether any node's tokens are known (a batch or a tensor shape gave them): what a
/// simulated step and the activations and KV cache in memory need. Without them only the
/// weights are counted.
pub fn tokens_known(work: &[NodeWork]) -> bool {
    work.iter().any(|w| w.flops > 0.0 || w.out_bytes > 0.0 || w.kv_bytes > 0.0 || w.stored_act_bytes > 0.0)
}

/// Probability that a routed expert receives at least one token in a step, from the tokens
/// one DP replica routes (batch·seq/DP, or batch/DP in decode); 1 when they are unknown.
fn expert_hit(c: &Constants) -> f64 {
    let e = f64::from(c.experts.unwrap_or(1).max(1));
    let tokens = match (c.batch, c.seq) {
        (Some(b), _) if c.decode() => b as f64,
        (Some(b), Some(s)) => b as f64 * s as f64,
        _ => return 1.0,
    } / f64::from(c.dp.max(1));
    if e <= 1.0 { 1.0 } else { 1.0 - (1.0 - 1.0 / e).powf(tokens * f64::from(c.top_k.max(1))) }
}

/// Forward FLOPs per GPU id (index = GPU id, up to the highest used), multi-GPU nodes split evenly.
pub fn flops_per_gpu(plan: &Plan, used: &[u32], work: &[NodeWork]) -> Vec<f64> {
    let n = used.last().map_or(0, |&g| g as usize + 1);
    let mut out = vec![0.0; n];
    // Nodes on many GPUs add their share to where each range starts and take it off past
    // its end (summed once below), so a node on a million GPUs costs its ranges, not a
    // million additions (hundreds of such nodes took minutes). Others add to each GPU, so
    // a real plan's figures are summed exactly as before.
    let (mut wide, mut cover) = (Vec::new(), Vec::new());
    for (node, w) in plan.nodes.iter().zip(work) {
        if w.flops == 0.0 {
            continue;
        }
        if let Placement::Gpus(s) = &node.placement {
            let share = w.flops / s.len() as f64;
            if s.len() <= WIDE {
                for &(a, b) in s.ranges() {
                    for g in a..=b {
                        out[g as usize] += share;
                    }
                }
                continue;
            }
            if wide.is_empty() {
                (wide, cover) = (vec![0.0f64; n + 1], vec![0i32; n + 1]);
            }
            for &(a, b) in s.ranges() {
                wide[a as usize] += share;
                wide[b as usize + 1] -= share;
                cover[a as usize] += 1;
                cover[b as usize + 1] -= 1;
            }
        }
    }
    let (mut sum, mut covered) = (0.0, 0i32);
    for (g, flops) in out.iter_mut().enumerate().take(wide.len()) {
        covered += cover[g];
        // Where no wide node covers, no residue of added and taken shares is left.
        sum = if covered == 0 { 0.0 } else { sum + wide[g] };
        *flops += sum;
    }
    used.iter().map(|&g| out[g as usize]).collect()
}

/// GPUs past which a node's FLOPs are spread over its ranges rather than GPU by GPU.
const WIDE: u64 = 256;

/// Forward FLOPs of the whole model for `tokens` new tokens, from the constants (the
/// formulas above per layer: attention, then the gate, top-k experts and shared experts of
/// an MoE layer or the dense FFN of a dense one; the LM head once). None without the
/// hidden size or the layer count. O(layers).
pub fn model_flops(c: &Constants, tokens: f64) -> Option<f64> {
    let h = c.hidden? as f64;
    let layers = c.layers?;
    let mats = if c.gated { 3.0 } else { 2.0 };
    let a = attention::work(c, h, AttnShard { tp: 1 }, false);
    let attn = 2.0 * a.weights + a.score_flops_per_token;
    let dense_f = c.dense_hidden.or(c.expert_hidden).map_or(4.0 * h, |v| v as f64);
    let dense = 2.0 * mats * h * dense_f;
    let moe = match (c.experts, c.expert_hidden) {
        (Some(e), Some(f)) if e > 0 => {
            let shared =
                f64::from(c.shared_experts) * 2.0 * mats * h * c.shared_expert_hidden.map_or(0.0, |v| v as f64);
            2.0 * h * f64::from(e) + f64::from(c.top_k) * 2.0 * mats * h * f as f64 + shared
        }
        _ => dense,
    };
    let per_token: f64 = (0..layers).map(|l| attn + if c.is_moe_layer(l) { moe } else { dense }).sum::<f64>()
        + 2.0 * h * c.vocab.unwrap_or(0) as f64;
    Some(tokens * per_token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ZeroStage;

    /// Megatron-LM's distributed optimizer on Megatron-Core's folded experts: the dense
    /// weights' states over DP·CP ranks, the experts' over the expert group's copies.
    #[test]
    fn dense_and_expert_states_shard_over_their_own_data_parallel_ranks() {
        let t = Training {
            zero: ZeroStage::OPTIMIZER,
            dense_dp: 8,
            expert_dp: 1,
            stages: 4,
            chunks: 1,
            micro_batches: None,
            sequence_parallel: false,
        };
        let bf16 = Some(Dtype::Bf16);
        // 6 + 12/8 bytes per parameter, 2 of them the weight's own: 4 + 1.5 of states.
        assert_eq!(training_state(&t, false, 1.0, bf16), (5.5, 1.0));
        // One copy of the experts: nothing to shard over.
        assert_eq!(training_state(&t, true, 1.0, bf16), (16.0, 1.0));
        let z3 = Training { zero: ZeroStage::WEIGHTS, ..t };
        assert_eq!(training_state(&z3, false, 8.0, Some(Dtype::Fp32)), (12.0, 0.125));
    }
}
