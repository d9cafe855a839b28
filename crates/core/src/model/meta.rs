//! What a plan says about its strategy, its cluster and its model. Every number is
//! optional: planscope never invents a size a file did not give (see the cost model).

use super::Strategy;
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
            inter_server_gbs
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
            seq_len
        );
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
        ];
        checks.into_iter().try_for_each(|(limit, v)| v.map_or(Ok(()), |v| limit.check(v as u64)))
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
}

impl ClusterSpec {
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
}

impl Dtype {
    pub fn bytes(self) -> f64 {
        match self {
            Dtype::Fp32 => 4.0,
            Dtype::Bf16 | Dtype::Fp16 => 2.0,
            Dtype::Fp8 | Dtype::Int8 => 1.0,
            Dtype::Int4 => 0.5,
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
}

impl ModelSpec {
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
}
