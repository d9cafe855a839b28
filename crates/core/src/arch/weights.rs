//! Weight bytes per dtype: routed experts, the dense modules and the embeddings may each
//! be stored in their own dtype (DeepSeek-V3: FP8 block-quantized linears, BF16
//! embeddings; gpt-oss: MXFP4 experts, BF16 elsewhere).

use super::{Arch, Missing, dtype_of};
use crate::model::{Dtype, ModelSpec};

/// The weights held in one dtype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightShare {
    pub dtype: Dtype,
    pub params: u64,
    /// `params · dtype.bytes()`. FP8 block scales (one FP32 per 128×128 block, 0.02%) are
    /// left out; MXFP4's per-32 scale is in its 4.25 bits.
    pub bytes: f64,
}

/// Shares in the order experts, dense, embedding, one per distinct dtype.
pub(super) fn by_dtype(arch: &Arch, spec: &ModelSpec) -> Result<Vec<WeightShare>, Missing> {
    let p = arch.params();
    let d = &spec.dtypes;
    let dense = super::count::add(&[p.attention, p.norms, p.router, p.shared_experts, p.dense_ffn]);
    let parts = [
        (dtype_of(d.experts, spec)?, p.routed_experts),
        (dtype_of(d.dense, spec)?, dense),
        (dtype_of(d.embedding, spec)?, p.embedding.saturating_add(p.lm_head)),
    ];
    let mut shares: Vec<WeightShare> = Vec::with_capacity(3);
    for (dtype, params) in parts {
        match shares.iter_mut().find(|s| s.dtype == dtype) {
            Some(s) => s.params = s.params.saturating_add(params),
            None => shares.push(WeightShare { dtype, params, bytes: 0.0 }),
        }
    }
    for s in &mut shares {
        s.bytes = s.params as f64 * s.dtype.bytes();
    }
    Ok(shares)
}
