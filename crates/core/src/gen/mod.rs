//! Generators of correct plans: what a deployment of any EP/TP/PP/DP shape looks like,
//! node by node. Used as test fixtures, as benchmark inputs, and by the rewriter as the
//! target a broken plan is repaired towards. The nodes are written by `deploy`, the same
//! builder the rewriter uses; the generator supplies the model's operators.

mod config;
mod moe;

pub use crate::deploy::Layout;
pub use config::{PlanError, plan_from};
pub use moe::generate;

use crate::model::{ClusterSpec, Dtype, Strategy};

/// What to generate. `GenSpec::new` fills the sizes of the seed's model and cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct GenSpec {
    pub strategy: Strategy,
    /// GPUs the cluster offers; None = exactly EP·TP·PP·DP.
    pub gpus: Option<u32>,
    pub gpus_per_server: u32,
    pub layers: u32,
    /// Experts per layer; 0 makes a dense model (an MLP per GPU instead of experts).
    pub experts: u32,
    pub top_k: u32,
    pub hidden: u64,
    pub expert_hidden: u64,
    pub heads: u32,
    pub batch: u64,
    pub seq: u64,
    pub dtype: Dtype,
    /// Hardware constants written into the plan's meta (GPU count and GPUs per server are set from the fields above).
    pub cluster: ClusterSpec,
}

impl GenSpec {
    /// The seed's conditions (hidden 1024, expert hidden 2048, 16 heads, batch 128, seq 1024,
    /// FP16, 64 GB / 400 TFLOPS / 1.8 TB/s GPUs) with the given strategy, layers and experts.
    pub fn new(strategy: Strategy, layers: u32, experts: u32) -> GenSpec {
        GenSpec {
            strategy,
            gpus: None,
            gpus_per_server: 8,
            layers,
            experts,
            top_k: if experts >= 2 { 2 } else { 1 },
            hidden: 1024,
            expert_hidden: 2048,
            heads: 16,
            batch: 128,
            seq: 1024,
            dtype: Dtype::Fp16,
            cluster: ClusterSpec {
                memory_gb: Some(64.0),
                tflops: Some(400.0),
                mfu: Some(0.6),
                memory_bandwidth_gbs: Some(1800.0),
                bandwidth_utilization: Some(0.8),
                intra_server_gbs: Some(400.0),
                inter_server_gbs: Some(50.0),
                ..ClusterSpec::default()
            },
        }
    }
}
