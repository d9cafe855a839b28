//! Constants for the cost model: from the (merged) plan meta, else inferred from tensor
//! shapes, else a documented default (listed as assumed), else missing (listed, and the
//! quantities needing it are not computed). Sources in docs/cost-model.md.

use crate::model::{Dtype, LayerPattern, Meta, NodeKind, Phase, Plan, Strategy, ZeroStage};
use std::collections::HashMap;

/// GPUs per server (DGX/HGX nodes carry 8).
pub const GPUS_PER_SERVER: u32 = 8;
/// Intra-server GPU-to-GPU bandwidth per direction, GB/s (NVLink-class, e.g. H100 NVLink 4 450 GB/s).
pub const INTRA_SERVER_GBS: f64 = 400.0;
/// Inter-server bandwidth per GPU, GB/s (one 400 Gb/s InfiniBand NDR NIC per GPU = 50 GB/s).
pub const INTER_SERVER_GBS: f64 = 50.0;
/// Per-message latency (alpha), seconds: a few microseconds within a server...
pub const ALPHA_INTRA_S: f64 = 5e-6;
/// ... and about twice that across servers (NCCL base latencies; DeepEP's low-latency
/// kernels leave 10–25 µs over their bandwidth term, docs/calibration.md).
pub const ALPHA_INTER_S: f64 = 10e-6;
/// Fraction of a link's rate a collective achieves (nccl-tests bus bandwidth ≈ 80% of
/// NVLink/InfiniBand line rate; DeepEP: 153 of ~160 GB/s NVLink, ~40 of 50 GB/s RDMA).
pub const LINK_EFFICIENCY: f64 = 0.8;
/// Bytes of one FP32 scale per 128 FP8 values (DeepSeek-V3 §3.3.2, 1×128 tiles): the
/// overhead an FP8 dispatch carries.
pub const FP8_SCALE_OVERHEAD: f64 = 4.0 / 128.0;
/// Model FLOPs utilisation (the corpus' deployment conditions; PaLM reports 46–58%).
pub const MFU: f64 = 0.6;
/// Achievable fraction of memory bandwidth (the corpus' deployment conditions; STREAM-style 80%).
pub const BANDWIDTH_UTILIZATION: f64 = 0.8;
/// Bytes per value when the plan gives no dtype: 16-bit (bf16/fp16), the usual serving dtype.
pub const DTYPE_BYTES: f64 = 2.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Constants {
    pub gpus_per_server: u32,
    pub intra_gbs: f64,
    pub inter_gbs: f64,
    pub alpha_intra_s: f64,
    pub alpha_inter_s: f64,
    /// Peak dense TFLOPS per GPU; without it no time is computed.
    pub tflops: Option<f64>,
    pub mfu: f64,
    pub mem_bw_gbs: Option<f64>,
    pub bw_util: f64,
    pub memory_gb: Option<f64>,
    pub dtype_bytes: f64,
    pub hidden: Option<u64>,
    pub expert_hidden: Option<u64>,
    pub heads: Option<u32>,
    pub kv_heads: Option<u32>,
    pub head_dim: Option<u64>,
    pub vocab: Option<u64>,
    pub batch: Option<u64>,
    pub seq: Option<u64>,
    pub top_k: u32,
    pub experts: Option<u32>,
    pub layers: Option<u32>,
    pub dp: u32,
    /// Fraction of link rate collectives achieve.
    pub link_efficiency: f64,
    /// Dense FP8 and FP4 peaks, TFLOPS, when the hardware gives them.
    pub tflops_fp8: Option<f64>,
    pub tflops_fp4: Option<f64>,
    pub phase: Phase,
    /// Training's memory terms (phase train), else None.
    pub training: Option<Training>,
    /// Decode: KV context per request, tokens.
    pub context: Option<u64>,
    /// Servers a token's experts may span (group-limited routing: `topk_groups`).
    pub node_limit: Option<u32>,
    /// Bytes per value of each module (ModuleDtypes, else `dtype_bytes`).
    pub bytes: ModuleBytes,
    /// The routed experts' dtype (picks the FP8/FP4 peak when the hardware gives one).
    pub expert_dtype: Option<Dtype>,
    /// Attention, shared-expert and dense-FFN weights' dtype.
    pub dense_dtype: Option<Dtype>,
    /// SwiGLU/GeGLU: three matrices per FFN.
    pub gated: bool,
    pub dense_hidden: Option<u64>,
    pub shared_experts: u32,
    pub shared_expert_hidden: Option<u64>,
    pub mla: Option<Mla>,
    pub window: Option<u64>,
    pub window_layers: Option<u32>,
    pub layer_pattern: Option<LayerPattern>,
    pub moe_layers: Option<u32>,
    /// Dispatch and combine payload bytes per value (FP8 with its scales).
    pub dispatch_bytes: f64,
    pub combine_bytes: f64,
    /// Constants taken from a default, as "name = value (why)".
    pub assumed: Vec<String>,
    /// Constants nobody gave and nothing implied; the quantities they feed are omitted.
    pub missing: Vec<String>,
    /// Constants read off tensor shapes.
    pub inferred: Vec<Inferred>,
}

/// A size the conditions lack, read off the plan's tensor shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inferred {
    pub name: &'static str,
    pub size: u64,
    pub from: ShapeSource,
}

/// What shards a training run's weight states, and how many micro-batches' activations a
/// GPU holds (docs/cost-model.md "Training memory").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    pub zero: ZeroStage,
    /// The data-parallel ranks a dense weight's states are sharded over: DP·CP (Megatron-LM
    /// shards its distributed optimizer over the data-parallel group with context parallel).
    pub dense_dp: u32,
    /// A routed expert's: the copies of the expert group (Megatron-Core's expert data
    /// parallel, world / (EP·ETP·PP); DP in planscope's convention).
    pub expert_dp: u32,
    /// Pipeline stages (PP): the first of them holds the most micro-batches' activations.
    pub stages: u32,
    /// Model chunks per stage under Megatron-LM's interleaved schedule (VPP; 1: plain 1F1B).
    pub chunks: u32,
    /// Micro-batches per optimizer step on each data-parallel replica (Megatron-LM's
    /// global batch / (micro-batch · DP)), when given: fewer than the stages caps what a
    /// stage holds. Only compared and multiplied, never counted through: any u32 is safe.
    pub micro_batches: Option<u32>,
    /// The norms', dropouts' and residuals' activations are split over the TP GPUs
    /// (Megatron-LM's `--sequence-parallel`; Korthikanti et al. 2022, Table 2).
    pub sequence_parallel: bool,
}

impl Training {
    /// The micro-batches whose activations pipeline stage `stage` (0-based) holds at once,
    /// as Megatron-Core's schedules run them (`pipeline_parallel/schedules.py`):
    /// - 1F1B: min(m, p − i), as stage i runs p − i − 1 warm-up forward passes and one more
    ///   before its first backward (Narayanan et al. 2021, §2.2.1);
    /// - interleaved, v chunks of 1/v of the stage's layers each: its warm-up of
    ///   2(p − i − 1) + (v − 1)·p chunk forwards plus one, at most m·v, over v; on the first
    ///   stage p·(1 + (p − 1)/(p·v)), Megatron-LM's `interleaved_schedule_memory_penalty`
    ///   (`theoretical_memory_usage.py`).
    ///
    /// m unknown counts as many (the most a stage can hold); a node's stage unknown as the
    /// first (an upper bound).
    pub fn in_flight_at(&self, stage: Option<u32>) -> f64 {
        let p = f64::from(self.stages.max(1));
        let v = f64::from(self.chunks.max(1));
        let i = f64::from(stage.unwrap_or(0)).min(p - 1.0);
        let m = self.micro_batches.map_or(f64::INFINITY, |m| f64::from(m.max(1)));
        if self.chunks > 1 && self.stages > 1 {
            ((2.0 * (p - i - 1.0) + (v - 1.0) * p + 1.0).min(m * v)) / v
        } else {
            (p - i).min(m)
        }
    }

    /// `copies`: of the sharded states (HSDP's replicate degree), each over DP·CP / copies
    /// ranks (at least one: copies that do not divide the ranks shard over fewer, an upper
    /// bound on the memory).
    fn of(
        strategy: Option<Strategy>,
        zero: ZeroStage,
        copies: u32,
        sequence_parallel: bool,
        micro_batches: Option<u32>,
    ) -> Training {
        let s = |f: fn(&Strategy) -> u32| strategy.as_ref().map_or(1, f).max(1);
        let shard = |f: fn(&Strategy) -> u32| (s(f) / copies.max(1)).max(1);
        Training {
            zero,
            dense_dp: shard(|s| s.dp.get().saturating_mul(s.cp.get())),
            expert_dp: shard(Strategy::expert_replicas),
            stages: s(|s| s.pp.get()),
            chunks: s(|s| s.vpp.get()),
            micro_batches,
            sequence_parallel,
        }
    }
}

/// Bytes per value, per module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModuleBytes {
    pub experts: f64,
    pub dense: f64,
    pub embedding: f64,
    pub kv_cache: f64,
}

/// Multi-head latent attention's ranks (DeepSeek-V2 §2.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mla {
    pub q_lora_rank: Option<u64>,
    pub kv_lora_rank: u64,
    pub rope: u64,
    pub nope: u64,
    pub v: u64,
}

impl Mla {
    /// Values cached per token per layer: the compressed KV and the shared rope key.
    pub fn kv_per_token(&self) -> u64 {
        self.kv_lora_rank.saturating_add(self.rope)
    }
}

impl Constants {
    pub fn decode(&self) -> bool {
        self.phase == Phase::Decode
    }

    /// Share of layers with a sliding window (all, when the window is given without a count).
    pub fn window_layers_share(&self) -> Option<f64> {
        self.window?;
        Some(match (self.window_layers, self.layers) {
            (Some(w), Some(l)) if l > 0 => (f64::from(w) / f64::from(l)).min(1.0),
            _ => 1.0,
        })
    }

    pub fn window_tokens(&self) -> Option<f64> {
        self.window.map(|w| w as f64)
    }

    /// Whether layer `l` is an MoE layer (the pattern, else the last `moe_layers`).
    pub fn is_moe_layer(&self, l: u32) -> bool {
        match (&self.layer_pattern, self.moe_layers, self.layers) {
            (Some(p), _, _) => p.is_moe(l),
            (None, Some(m), Some(n)) => l >= n.saturating_sub(m),
            _ => true,
        }
    }

    /// The KV width per token: kv_heads·head_dim, else the hidden size (MHA). Both come
    /// from the file, so the product saturates instead of overflowing.
    pub fn kv_dim(&self) -> Option<u64> {
        match (self.kv_heads, self.head_dim) {
            (Some(k), Some(d)) => Some(u64::from(k).saturating_mul(d)),
            _ => self.hidden,
        }
    }
}

/// Which shapes an inferred size was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeSource {
    /// The plan's input nodes: the tensor entering the model.
    Input,
    /// The most common size over every node's shapes.
    Most,
}

/// The size of the dimension named like one of `names`: the most common one on the plan's
/// input nodes when they name it, since that is the tensor the model takes in; else the
/// most common over all node shapes. Expert and routing nodes, the most numerous in an MoE
/// plan, often carry a share of the tokens (corpus #22: input seq=10240, each of 1,024
/// routed nodes seq=640), so their sizes are the model's only when nothing else says.
fn named_dim(plan: &Plan, names: &[&str]) -> Option<(u64, ShapeSource)> {
    let inputs = named_mode(plan, Some(NodeKind::Input), names);
    inputs.map(|s| (s, ShapeSource::Input)).or_else(|| named_mode(plan, None, names).map(|s| (s, ShapeSource::Most)))
}

/// Most common size of dimensions named like one of `names` over the shapes of the nodes
/// of this kind, or of all (the larger on a tie).
fn named_mode(plan: &Plan, kind: Option<NodeKind>, names: &[&str]) -> Option<u64> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for n in plan.nodes.iter().filter(|n| kind.is_none_or(|k| n.kind == k)) {
        for s in n.inputs.iter().chain(&n.output) {
            for d in &s.0 {
                if let (Some(name), Some(size)) = (&d.name, d.size)
                    && names.iter().any(|w| name.eq_ignore_ascii_case(w))
                {
                    *seen.entry(size).or_default() += 1;
                }
            }
        }
    }
    seen.into_iter().max_by_key(|&(s, c)| (c, s)).map(|(s, _)| s)
}

pub fn resolve(meta: &Meta, plan: &Plan, strategy: Option<Strategy>) -> Constants {
    let c = &meta.cluster;
    let m = &meta.model;
    let mut assumed = Vec::new();
    let mut missing = Vec::new();
    let mut inferred = Vec::new();
    let mut dflt = |v: Option<f64>, d: f64, name: &str| {
        v.unwrap_or_else(|| {
            assumed.push(format!("{name} = {d}"));
            d
        })
    };
    let gps = c.gpus_per_server.map(f64::from);
    let gpus_per_server = dflt(gps, GPUS_PER_SERVER as f64, "gpus_per_server") as u32;
    let intra_gbs = dflt(c.intra_server_gbs, INTRA_SERVER_GBS, "intra_server_gbs");
    let inter_gbs = dflt(c.inter_server_gbs, INTER_SERVER_GBS, "inter_server_gbs");
    let mfu = dflt(c.mfu, MFU, "mfu");
    let bw_util = dflt(c.bandwidth_utilization, BANDWIDTH_UTILIZATION, "bandwidth_utilization");
    let dtype_bytes = dflt(m.dtype.map(|d| d.bytes()), DTYPE_BYTES, "dtype_bytes");
    let link_efficiency = dflt(c.link_efficiency, LINK_EFFICIENCY, "link_efficiency");
    let alpha_intra_s = c.alpha_intra_us.map_or(ALPHA_INTRA_S, |a| a * 1e-6);
    let alpha_inter_s = c.alpha_inter_us.map_or(ALPHA_INTER_S, |a| a * 1e-6);
    let d = &m.dtypes;
    let of = |x: Option<Dtype>| x.map_or(dtype_bytes, Dtype::bytes);
    let bytes = ModuleBytes {
        experts: of(d.experts),
        dense: of(d.dense),
        embedding: of(d.embedding),
        kv_cache: of(d.kv_cache),
    };
    // Activations travel in at least 16 bits unless a dtype says otherwise (DeepEP combines in BF16).
    let act = dtype_bytes.max(2.0);
    let fp8 = |x: Dtype| if x.bytes() <= 1.0 { x.bytes() * (1.0 + FP8_SCALE_OVERHEAD) } else { x.bytes() };
    // Dispatch in FP8 when the experts compute in FP8 (DeepEP, DeepSeek-V3), else as activations.
    let dispatch_bytes = match (d.dispatch, d.experts) {
        (Some(x), _) => fp8(x),
        (None, Some(Dtype::Fp8)) => fp8(Dtype::Fp8),
        _ => act,
    };
    let combine_bytes = d.combine.map_or(act, Dtype::bytes);
    let mla = m.kv_lora_rank.map(|r| Mla {
        q_lora_rank: m.q_lora_rank,
        kv_lora_rank: r,
        rope: m.qk_rope_head_dim.unwrap_or(0),
        nope: m.qk_nope_head_dim.or(m.head_dim).unwrap_or(0),
        v: m.v_head_dim.or(m.head_dim).or(m.qk_nope_head_dim).unwrap_or(0),
    });
    let phase = m.phase.unwrap_or(Phase::Prefill);
    let training = (phase == Phase::Train).then(|| {
        if m.zero_stage.is_none() {
            assumed.push("zero_stage = 0 (no training state sharded: an upper bound on their memory)".into());
        }
        // Only TP splits what sequence parallelism splits: with TP 1 it changes nothing.
        if m.sequence_parallel.is_none() && strategy.is_none_or(|s| s.tp.get() > 1) {
            assumed.push(
                "sequence_parallel = off (the activations between the TP blocks counted on each TP GPU: an upper bound)"
                    .into(),
            );
        }
        if m.micro_batches.is_none() && strategy.is_some_and(|s| s.pp.get() > 1) {
            assumed.push(
                "micro_batches ≥ PP (each pipeline stage holds as many micro-batches' activations as 1F1B lets it: an upper bound)"
                    .into(),
            );
        }
        let zero = m.zero_stage.unwrap_or(ZeroStage::NONE);
        let sp = m.sequence_parallel.unwrap_or(false);
        Training::of(strategy, zero, m.zero_copies.unwrap_or(1), sp, m.micro_batches)
    });
    if phase == Phase::Decode && m.context.is_none() {
        missing.push("context (decode attention reads no KV cache)".into());
    }
    let top_k = match m.top_k {
        Some(k) => k,
        None if m.experts.is_some_and(|e| e > 1) => {
            assumed.push("top_k = 1 (expert FLOPs are a lower bound)".into());
            1
        }
        None => 1,
    };
    let mut infer = |v: Option<u64>, names: &[&str], label: &'static str, missing: &mut Vec<String>| {
        v.or_else(|| {
            let s = named_dim(plan, names);
            match s {
                Some((size, from)) => inferred.push(Inferred { name: label, size, from }),
                None => missing.push(label.to_string()),
            }
            s.map(|(s, _)| s)
        })
    };
    let hidden =
        infer(m.hidden, &["hidden", "hidden_size", "d_model", "token_dim", "hidden_dim"], "hidden", &mut missing);
    let batch = infer(m.batch, &["batch", "batch_size", "b"], "batch", &mut missing);
    let seq_names = ["seq", "seq_len", "sequence_length", "seq_length", "s"];
    // Decode brings one new token per request (the KV context is `context`): no prompt
    // length is needed, so none is reported missing.
    let seq = if phase == Phase::Decode {
        m.seq_len.or_else(|| named_dim(plan, &seq_names).map(|(s, _)| s))
    } else {
        infer(m.seq_len, &seq_names, "seq_len", &mut missing)
    };
    let tflops = c.tflops;
    if tflops.is_none() {
        missing.push("tflops (no step time is simulated)".into());
    }
    if c.memory_gb.is_none() {
        missing.push("memory_gb (capacity not checked)".into());
    }
    if c.memory_bandwidth_gbs.is_none() {
        missing.push("memory_bandwidth_gbs (memory-bound time omitted)".into());
    }
    if m.expert_hidden.is_none() && m.experts.is_some() {
        missing.push("expert_hidden".into());
    }
    Constants {
        gpus_per_server: gpus_per_server.max(1),
        intra_gbs,
        inter_gbs,
        alpha_intra_s,
        alpha_inter_s,
        tflops,
        mfu,
        mem_bw_gbs: c.memory_bandwidth_gbs,
        bw_util,
        memory_gb: c.memory_gb,
        dtype_bytes,
        hidden,
        expert_hidden: m.expert_hidden,
        heads: m.heads,
        kv_heads: m.kv_heads,
        head_dim: m.head_dim,
        vocab: m.vocab,
        batch,
        seq,
        top_k,
        experts: m.experts,
        layers: m.layers,
        dp: strategy.map_or(1, |s| s.dp.get()),
        link_efficiency,
        tflops_fp8: c.tflops_fp8,
        tflops_fp4: c.tflops_fp4,
        phase,
        training,
        context: m.context,
        node_limit: m.topk_groups.filter(|_| m.expert_groups.is_some_and(|g| g > 1)),
        bytes,
        expert_dtype: d.experts.or(m.dtype),
        dense_dtype: d.dense.or(m.dtype),
        gated: m.gated.unwrap_or(false),
        dense_hidden: m.dense_hidden,
        shared_experts: m.shared_experts.unwrap_or(0),
        shared_expert_hidden: m.shared_expert_hidden.or(m.expert_hidden),
        mla,
        window: m.window,
        window_layers: m.window_layers,
        layer_pattern: m.layer_pattern.clone(),
        moe_layers: m.moe_layers,
        dispatch_bytes,
        combine_bytes,
        assumed,
        missing,
        inferred,
    }
}
