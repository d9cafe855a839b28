//! Which layers of a model are MoE and which are dense, as real configs state it:
//! DeepSeek's `first_k_dense_replace`, Qwen's `decoder_sparse_step` and `mlp_only_layers`,
//! Llama-4's `interleave_moe_layer_step`, Megatron's `--moe-layer-freq` (an int or a list).

use super::limits::{Limit, LimitError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", try_from = "Tagged")]
pub enum LayerPattern {
    /// Layers `0..first_dense` are dense, the rest MoE (`first_k_dense_replace`).
    FirstDense { first_dense: u32 },
    /// Layer `l` is MoE when `(l + 1) % step == 0` and `l >= first_dense`
    /// (`decoder_sparse_step`, `interleave_moe_layer_step`, `moe_layer_freq` as an int).
    Every { step: u32, first_dense: u32 },
    /// Exactly these layers are MoE (Megatron's list form, or all minus `mlp_only_layers`),
    /// ascending, each below the model's layer count.
    Listed { moe: Vec<u32> },
}

/// A pattern as written: `{"kind": …, …}`, read as one flat struct. serde's internally
/// tagged enums buffer each value before choosing the variant, which compiled to 9 KB of
/// the page's wasm for this one field.
#[derive(Deserialize)]
struct Tagged {
    kind: Kind,
    first_dense: Option<u32>,
    step: Option<u32>,
    moe: Option<Vec<u32>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    FirstDense,
    Every,
    Listed,
}

impl TryFrom<Tagged> for LayerPattern {
    type Error = String;
    fn try_from(t: Tagged) -> Result<LayerPattern, String> {
        let need = |v: Option<u32>, name: &str| v.ok_or_else(|| format!("missing field `{name}`"));
        Ok(match t.kind {
            Kind::FirstDense => LayerPattern::FirstDense { first_dense: need(t.first_dense, "first_dense")? },
            Kind::Every => {
                LayerPattern::Every { step: need(t.step, "step")?, first_dense: need(t.first_dense, "first_dense")? }
            }
            Kind::Listed => LayerPattern::Listed { moe: t.moe.ok_or("missing field `moe`")? },
        })
    }
}

impl LayerPattern {
    /// Whether layer `l` is an MoE layer. O(1), or O(log n) for a list.
    pub fn is_moe(&self, l: u32) -> bool {
        match self {
            LayerPattern::FirstDense { first_dense } => l >= *first_dense,
            LayerPattern::Every { step, first_dense } => {
                l >= *first_dense && *step > 0 && (l as u64 + 1).is_multiple_of(*step as u64)
            }
            LayerPattern::Listed { moe } => moe.binary_search(&l).is_ok(),
        }
    }

    /// The number of MoE layers among `layers`. O(layers) at most, layers ≤ `limits::LAYERS`.
    pub fn moe_count(&self, layers: u32) -> u32 {
        let layers = layers.min(super::limits::LAYERS);
        (0..layers).filter(|&l| self.is_moe(l)).count() as u32
    }

    pub fn within_limits(&self) -> Result<(), LimitError> {
        match self {
            LayerPattern::FirstDense { first_dense } | LayerPattern::Every { first_dense, .. } => {
                Limit::Layers.check(*first_dense as u64)
            }
            LayerPattern::Listed { moe } => {
                Limit::Layers.check(moe.len() as u64)?;
                moe.iter().try_for_each(|&l| Limit::Layers.check(l as u64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_of_real_models() {
        // DeepSeek-V3: 61 layers, the first 3 dense.
        assert_eq!(LayerPattern::FirstDense { first_dense: 3 }.moe_count(61), 58);
        // Llama-4 Maverick: interleave_moe_layer_step 2 → every other layer, the odd ones.
        let every2 = LayerPattern::Every { step: 2, first_dense: 0 };
        assert_eq!((every2.is_moe(0), every2.is_moe(1), every2.moe_count(48)), (false, true, 24));
        let listed = LayerPattern::Listed { moe: vec![1, 3, 5] };
        assert_eq!((listed.is_moe(3), listed.is_moe(4), listed.moe_count(8)), (true, false, 3));
    }

    /// Written and read back as `{"kind": …}`; a kind without its fields, or an unknown
    /// kind, is refused with the name of what is wrong.
    #[test]
    fn patterns_read_as_written() {
        for p in [
            LayerPattern::FirstDense { first_dense: 3 },
            LayerPattern::Every { step: 2, first_dense: 1 },
            LayerPattern::Listed { moe: vec![1, 3] },
        ] {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<LayerPattern>(&json).unwrap(), p, "{json}");
        }
        let every = serde_json::to_value(LayerPattern::Every { step: 2, first_dense: 0 }).unwrap();
        assert_eq!(every, serde_json::json!({"kind": "every", "step": 2, "first_dense": 0}));
        let err = |json: &str| serde_json::from_str::<LayerPattern>(json).unwrap_err().to_string();
        assert!(err(r#"{"kind": "every", "first_dense": 0}"#).contains("missing field `step`"));
        assert!(err(r#"{"kind": "listed"}"#).contains("missing field `moe`"));
        assert!(err(r#"{"kind": "odd"}"#).contains("unknown variant `odd`"));
        assert!(err(r#"{"first_dense": 3}"#).contains("missing field `kind`"));
    }
}
