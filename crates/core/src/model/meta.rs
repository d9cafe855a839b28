//! What a plan says about its strategy, its cluster and its model. Every number is
//! optional: planscope never invents a size a file did not give (see the cost model).

use super::Strategy;
use super::layer_pattern::LayerPattern;
use super::limits::{Limit, LimitError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The declared strategy, parsed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strategy_text")]
    pub strategy: Option<Strategy>,
    /// The strategy as written (`EP64_TP2_PP1_CORRECTED`), for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy_name: Option<String>,
    #[serde(default, skip_serializing_if = "ClusterSpec::is_empty")]
    pub cluster: ClusterSpec,
    #[serde(default, skip_serializing_if = "ModelSpec::is_empty")]
    pub model: ModelSpec,
}

impl Meta {
    /// A meta from JSON already parsed (the Conditions form, a permalink's header), read
    /// again from its bytes with the plan reader's deserializer: reading it from the
    /// `Value` itself compiled a second copy of every meta deserializer into the page's
    /// wasm (~19 KB before wasm-opt, twiggy). The error's position is of those bytes
    /// (`read::serde_message` drops it). O(size of the value).
    pub fn from_value(v: &serde_json::Value) -> Result<Meta, serde_json::Error> {
        serde_json::from_slice(&serde_json::to_vec(v)?)
    }

    /// `over`, a file or preset of conditions, merged in after this one: a model it states
    /// replaces the model here (the workload — batch, prompt, phase, context — stays), so
    /// picking Mixtral after DeepSeek-V3 leaves no MLA rank or MoE layer count of
    /// DeepSeek's behind; a GPU it states (named, or its peak given) replaces the GPU and
    /// its server (the GPU count and efficiencies stay), so an A100 keeps no H100 FP8
    /// peak; anything else field by field, as [`Meta::merged_with`].
    pub fn merged_with_file(&self, over: &Meta) -> Meta {
        let mut base = self.clone();
        if over.model.states_architecture() {
            base.model = self.model.workload();
        }
        if over.cluster.gpu_name.is_some() || over.cluster.tflops.is_some() {
            base.cluster = self.cluster.deployment();
        }
        base.merged_with(over)
    }

    /// This meta with every field `over` gives replacing ours, field by field: what the
    /// user supplies (options, a conditions file) wins over what the file declares.
    pub fn merged_with(&self, over: &Meta) -> Meta {
        macro_rules! pick {
            ($a:expr, $b:expr, $($f:ident),*) => {{ $( if $b.$f.is_some() { $a.$f = $b.$f.clone(); } )* }};
        }
        let mut m = self.clone();
        pick!(m, over, strategy, strategy_name);
        pick!(
            m.cluster,
            over.cluster,
            gpus,
            gpus_per_server,
            memory_gb,
            tflops,
            mfu,
            memory_bandwidth_gbs,
            bandwidth_utilization,
            intra_server_gbs,
            inter_server_gbs,
            gpu_name,
            tflops_fp8,
            tflops_fp4,
            alpha_intra_us,
            alpha_inter_us,
            link_efficiency
        );
        pick!(
            m.model,
            over.model,
            layers,
            moe_layers,
            experts,
            top_k,
            hidden,
            expert_hidden,
            heads,
            kv_heads,
            head_dim,
            vocab,
            dtype,
            batch,
            seq_len,
            phase,
            context,
            zero_stage,
            zero_copies,
            micro_batches,
            sequence_parallel,
            name,
            layer_pattern,
            dense_hidden,
            gated,
            shared_experts,
            shared_expert_hidden,
            expert_groups,
            topk_groups,
            q_lora_rank,
            kv_lora_rank,
            qk_rope_head_dim,
            qk_nope_head_dim,
            v_head_dim,
            window,
            window_layers,
            tie_embeddings,
            mtp_layers
        );
        pick!(m.model.dtypes, over.model.dtypes, experts, dense, embedding, kv_cache, dispatch, combine);
        m
    }

    /// `Ok` when every declared count is within planscope's limits (`limits`): GPUs,
    /// GPUs per server, layers, MoE layers, experts and top-k. The strategy is checked
    /// when it is made (`Strategy::new`). O(1).
    pub fn within_limits(&self) -> Result<(), LimitError> {
        let (c, m) = (&self.cluster, &self.model);
        let checks = [
            (Limit::Gpus, c.gpus),
            (Limit::Gpus, c.gpus_per_server),
            (Limit::Layers, m.layers),
            (Limit::Layers, m.moe_layers),
            (Limit::Experts, m.experts),
            (Limit::Experts, m.top_k),
            (Limit::Experts, m.shared_experts),
            (Limit::Experts, m.expert_groups),
            (Limit::Layers, m.window_layers),
            (Limit::Layers, m.mtp_layers),
            (Limit::Gpus, m.zero_copies),
        ];
        checks.into_iter().try_for_each(|(limit, v)| v.map_or(Ok(()), |v| limit.check(v as u64)))?;
        m.layer_pattern.as_ref().map_or(Ok(()), LayerPattern::within_limits)
    }
}

mod strategy_text {
    use super::Strategy;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Strategy>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(st) => s.serialize_str(&st.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Strategy>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| Strategy::parse(&t).map_err(serde::de::Error::custom)).transpose()
    }
}

/// The hardware. Bandwidths in GB/s, memory in GB (10^9 bytes), compute in TFLOPS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus_per_server: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_gb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tflops: Option<f64>,
    /// Model FLOPs utilization achievable, 0..1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bandwidth_gbs: Option<f64>,
    /// Fraction of memory bandwidth achievable, 0..1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_utilization: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intra_server_gbs: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inter_server_gbs: Option<f64>,
    /// The GPU's name as a preset or hardware file gave it (`H800`), for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_name: Option<String>,
    /// Dense FP8 peak, TFLOPS (`tflops` is the 16-bit dense peak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tflops_fp8: Option<f64>,
    /// Dense FP4 peak, TFLOPS (Blackwell and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tflops_fp4: Option<f64>,
    /// Per-message latency within a server, microseconds (alpha of the alpha-beta model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_intra_us: Option<f64>,
    /// Per-message latency across servers, microseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_inter_us: Option<f64>,
    /// Fraction of link bandwidth a collective achieves, 0..1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_efficiency: Option<f64>,
}

impl ClusterSpec {
    /// What the deployment sets rather than the GPU and its server: the GPU count and
    /// the efficiencies and latencies assumed.
    pub fn deployment(&self) -> ClusterSpec {
        ClusterSpec {
            gpus: self.gpus,
            mfu: self.mfu,
            bandwidth_utilization: self.bandwidth_utilization,
            alpha_intra_us: self.alpha_intra_us,
            alpha_inter_us: self.alpha_inter_us,
            link_efficiency: self.link_efficiency,
            ..ClusterSpec::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ClusterSpec::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    Fp32,
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Int4,
    /// OCP MX FP4 (E2M1) with one 8-bit scale per 32 values: 4.25 bits.
    Mxfp4,
}

impl Dtype {
    pub fn bytes(self) -> f64 {
        match self {
            Dtype::Fp32 => 4.0,
            Dtype::Bf16 | Dtype::Fp16 => 2.0,
            Dtype::Fp8 | Dtype::Int8 => 1.0,
            Dtype::Int4 => 0.5,
            Dtype::Mxfp4 => 4.25 / 8.0,
        }
    }

    pub fn parse(text: &str) -> Option<Dtype> {
        let t: String = text.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Some(match t.as_str() {
            "fp32" | "float32" | "float" | "f32" => Dtype::Fp32,
            "bf16" | "bfloat16" => Dtype::Bf16,
            "fp16" | "float16" | "half" | "f16" => Dtype::Fp16,
            "fp8" | "float8" | "e4m3" | "e5m2" | "fp8e4m3" => Dtype::Fp8,
            "int8" | "i8" => Dtype::Int8,
            "int4" | "i4" => Dtype::Int4,
            "mxfp4" | "fp4" | "e2m1" => Dtype::Mxfp4,
            _ => return None,
        })
    }
}

/// The model's dimensions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<u32>,
    /// MoE layers among `layers`, when not all are (dense layers first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moe_layers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert_hidden: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_heads: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_dim: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<Dtype>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_len: Option<u64>,
    /// Prefill (each request brings `seq_len` new tokens), decode (one new token per
    /// request over a KV context of `context` tokens) or train (one micro-batch of `batch`
    /// sequences of `seq_len` tokens). `batch` counts requests (sequences) across the whole
    /// deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// KV context per request in decode, tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u64>,
    /// Training (`phase: train`): how the weights' training states are sharded over the
    /// data-parallel ranks. None: not sharded (stage 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_stage: Option<ZeroStage>,
    /// Training: the copies of the sharded states the data-parallel ranks keep, so ZeRO
    /// shards over DP·CP / copies rather than all of them (PyTorch HSDP's replicate degree,
    /// torchtitan's `data_parallel_replicate_degree`; Megatron-LM's
    /// `--num-distributed-optimizer-instances`). None: one copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_copies: Option<u32>,
    /// Training: micro-batches per optimizer step on each data-parallel replica (gradient
    /// accumulation; Megatron-LM's `--global-batch-size` / (`--micro-batch-size` · DP),
    /// DeepSpeed's `gradient_accumulation_steps`). Fewer than PP caps the micro-batches a
    /// pipeline stage holds. None: at least PP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub micro_batches: Option<u32>,
    /// Training (`phase: train`) with TP: whether the norms, dropouts and residuals between
    /// the tensor-parallel blocks are split over the sequence too (Megatron-LM's
    /// `--sequence-parallel`), so their stored activations are a TP share. None: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_parallel: Option<bool>,
    /// The model's name (`DeepSeek-V3`), for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which layers are MoE; when absent, the last `moe_layers` of `layers` are (dense first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_pattern: Option<LayerPattern>,
    /// The dense FFN's intermediate width (dense layers), apart from `expert_hidden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense_hidden: Option<u64>,
    /// Gated FFNs (SwiGLU/GeGLU: three matrices, not two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<bool>,
    /// Shared experts per MoE layer, every token goes through them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_experts: Option<u32>,
    /// Intermediate width of each shared expert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_expert_hidden: Option<u64>,
    /// Expert groups for group-limited routing (DeepSeek-V3 `n_group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert_groups: Option<u32>,
    /// Groups each token may route to (`topk_group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topk_groups: Option<u32>,
    /// MLA (DeepSeek-V2/V3, Kimi-K2): the query LoRA rank; absent means no query compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q_lora_rank: Option<u64>,
    /// MLA: the compressed KV rank. Its presence makes the attention MLA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_lora_rank: Option<u64>,
    /// MLA: the decoupled rope dimension per head (also cached once per token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qk_rope_head_dim: Option<u64>,
    /// MLA: the non-rope query/key dimension per head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qk_nope_head_dim: Option<u64>,
    /// MLA: the value dimension per head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v_head_dim: Option<u64>,
    /// Sliding-window or chunked attention span, tokens, on `window_layers` of the layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u64>,
    /// How many layers use the window (the others attend to the full context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_layers: Option<u32>,
    /// Input embedding and LM head share one matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tie_embeddings: Option<bool>,
    /// Multi-token-prediction modules (DeepSeek-V3: 1), not counted in the model's totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtp_layers: Option<u32>,
    /// Per-module dtypes where they differ from `dtype`.
    #[serde(default, skip_serializing_if = "ModuleDtypes::is_empty")]
    pub dtypes: ModuleDtypes,
}

/// The step's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Prefill,
    Decode,
    /// One training micro-batch over every replica: its forward pass is the step timed;
    /// memory holds the weights' gradients and optimizer states and the activations stored
    /// for the backward pass (docs/cost-model.md "Training memory").
    Train,
}

impl Phase {
    /// A phase as people type it: `prefill`, `decode` or `train`, any case.
    pub fn parse(text: &str) -> Option<Phase> {
        match text.trim().to_ascii_lowercase().as_str() {
            "prefill" => Some(Phase::Prefill),
            "decode" => Some(Phase::Decode),
            "train" => Some(Phase::Train),
            _ => None,
        }
    }
}

/// Which of a weight's training states are sharded over its data-parallel ranks, as ZeRO's
/// stages (Rajbhandari et al. 2020, *ZeRO: Memory Optimizations Toward Training Trillion
/// Parameter Models*, §5): 1 the optimizer states (Megatron-LM's distributed optimizer),
/// 2 and the gradients, 3 and the weights themselves (DeepSpeed stage 3, PyTorch FSDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ZeroStage(u8);

impl ZeroStage {
    /// A stage as people type it: `0` to `3`.
    pub fn parse(text: &str) -> Option<ZeroStage> {
        text.trim().parse::<u8>().ok().and_then(|z| ZeroStage::try_from(z).ok())
    }

    pub const NONE: ZeroStage = ZeroStage(0);
    pub const OPTIMIZER: ZeroStage = ZeroStage(1);
    pub const GRADIENTS: ZeroStage = ZeroStage(2);
    pub const WEIGHTS: ZeroStage = ZeroStage(3);

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for ZeroStage {
    type Error = String;
    fn try_from(v: u8) -> Result<ZeroStage, String> {
        match v {
            0..=3 => Ok(ZeroStage(v)),
            _ => Err(format!("ZeRO stage {v} does not exist (0 to 3)")),
        }
    }
}

impl From<ZeroStage> for u8 {
    fn from(z: ZeroStage) -> u8 {
        z.0
    }
}

/// Dtypes by module; each absent one falls back to `ModelSpec::dtype`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleDtypes {
    /// Routed expert weights (FP8 block-quantized in DeepSeek-V3, MXFP4 in gpt-oss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experts: Option<Dtype>,
    /// Attention, shared-expert and dense-FFN weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense: Option<Dtype>,
    /// Embedding and LM head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Dtype>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_cache: Option<Dtype>,
    /// EP dispatch payload (DeepEP dispatches FP8)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<Dtype>,
    /// ... and combines in BF16.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine: Option<Dtype>,
}

impl ModuleDtypes {
    pub fn is_empty(&self) -> bool {
        *self == ModuleDtypes::default()
    }
}

impl ModelSpec {
    /// What a deployment runs rather than what the model is: batch, prompt length, phase
    /// and decode context.
    pub fn workload(&self) -> ModelSpec {
        ModelSpec {
            batch: self.batch,
            seq_len: self.seq_len,
            phase: self.phase,
            context: self.context,
            zero_stage: self.zero_stage,
            zero_copies: self.zero_copies,
            micro_batches: self.micro_batches,
            sequence_parallel: self.sequence_parallel,
            ..ModelSpec::default()
        }
    }

    /// Whether this states anything of a model's architecture (a field beyond the workload).
    pub fn states_architecture(&self) -> bool {
        *self != self.workload()
    }

    pub fn is_empty(&self) -> bool {
        *self == ModelSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_with_lets_given_fields_win_and_keeps_the_rest() {
        let mut file = Meta::default();
        file.cluster.gpus = Some(16);
        file.model.layers = Some(16);
        let mut over = Meta::default();
        over.cluster.gpus = Some(128);
        over.model.hidden = Some(1024);
        let m = file.merged_with(&over);
        assert_eq!((m.cluster.gpus, m.model.layers, m.model.hidden), (Some(128), Some(16), Some(1024)));
    }

    #[test]
    fn a_second_model_replaces_the_first_and_keeps_the_workload() {
        let preset = |id| Meta { model: crate::conditions::model_preset(id).unwrap().spec(), ..Meta::default() };
        let mut typed = Meta::default();
        typed.model.batch = Some(64);
        typed.cluster.gpus = Some(128);
        let deepseek = typed.merged_with_file(&preset("deepseek-v3"));
        assert!(deepseek.model.kv_lora_rank.is_some() && deepseek.model.moe_layers == Some(58));
        let mixtral = deepseek.merged_with_file(&preset("mixtral-8x7b"));
        let mut expected = preset("mixtral-8x7b").model;
        expected.batch = Some(64);
        assert_eq!(mixtral.model, expected);
        assert_eq!(mixtral.cluster.gpus, Some(128));
        // A GPU after another: A100 has no FP8 peak, H100's does not stay.
        let gpu = |id| Meta { cluster: crate::conditions::hardware_preset(id).unwrap().spec(), ..Meta::default() };
        let a100 = mixtral.merged_with_file(&gpu("h100")).merged_with_file(&gpu("a100"));
        assert_eq!((a100.cluster.tflops_fp8, a100.cluster.gpus), (None, Some(128)));
        assert_eq!(a100.model, mixtral.model);
        // A workload alone (a typed batch) keeps the model.
        let mut batch = Meta::default();
        batch.model.batch = Some(8);
        assert_eq!(mixtral.merged_with_file(&batch).model.experts, Some(8));
    }
}
