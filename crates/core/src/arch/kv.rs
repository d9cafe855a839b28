//! KV-cache bytes per token: what each token of context holds on the GPUs, over all layers.

use super::{Arch, Missing, dtype_of};
use crate::model::{Dtype, ModelSpec};

/// The KV cache of one sequence, per token of context.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KvCache {
    /// Values one token caches in one layer (`Attention::kv_values_per_token`).
    pub values_per_layer: u64,
    pub layers: u32,
    /// Sliding-window or chunk span, with the layers that use it: those hold at most
    /// `window` tokens (Mistral's sliding window, gpt-oss `layer_types`, Llama-4 chunks).
    pub window: Option<u64>,
    pub window_layers: u32,
    pub dtype: Dtype,
}

impl KvCache {
    /// The cache `spec` states: its attention, its layers, `dtypes.kv_cache` or `dtype`.
    pub fn of(spec: &ModelSpec) -> Result<KvCache, Missing> {
        let arch = Arch::of(spec)?;
        let window_layers = match spec.window {
            Some(_) => spec.window_layers.unwrap_or(arch.layers).min(arch.layers),
            None => 0,
        };
        Ok(KvCache {
            values_per_layer: arch.attention.kv_values_per_token(),
            layers: arch.layers,
            window: spec.window,
            window_layers,
            dtype: dtype_of(spec.dtypes.kv_cache, spec)?,
        })
    }

    /// Bytes per token over all layers, while the context fits in every window.
    pub fn bytes_per_token(&self) -> f64 {
        self.values_per_layer as f64 * f64::from(self.layers) * self.dtype.bytes()
    }

    /// Bytes one sequence of `context` tokens caches: full layers hold every token,
    /// windowed layers at most `window`.
    pub fn bytes_for_context(&self, context: u64) -> f64 {
        let per_layer_token = self.values_per_layer as f64 * self.dtype.bytes();
        let full = f64::from(self.layers - self.window_layers) * context as f64;
        let windowed = f64::from(self.window_layers) * self.window.map_or(context, |w| w.min(context)) as f64;
        per_layer_token * (full + windowed)
    }
}
