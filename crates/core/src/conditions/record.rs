//! Setting a meta field while remembering that the file stated it.

/// Every meta field a conditions file can state, as `block.key`.
pub(super) const FIELDS: &[&str] = &[
    "cluster.gpus",
    "cluster.gpus_per_server",
    "cluster.memory_gb",
    "cluster.tflops",
    "cluster.mfu",
    "cluster.memory_bandwidth_gbs",
    "cluster.bandwidth_utilization",
    "cluster.intra_server_gbs",
    "cluster.inter_server_gbs",
    "cluster.gpu_name",
    "cluster.tflops_fp8",
    "cluster.tflops_fp4",
    "cluster.alpha_intra_us",
    "cluster.alpha_inter_us",
    "cluster.link_efficiency",
    "model.layers",
    "model.moe_layers",
    "model.experts",
    "model.top_k",
    "model.hidden",
    "model.expert_hidden",
    "model.heads",
    "model.kv_heads",
    "model.head_dim",
    "model.vocab",
    "model.dtype",
    "model.batch",
    "model.seq_len",
    "model.phase",
    "model.context",
    "model.zero_stage",
    "model.zero_copies",
    "model.micro_batches",
    "model.sequence_parallel",
    "model.name",
    "model.layer_pattern",
    "model.dense_hidden",
    "model.gated",
    "model.shared_experts",
    "model.shared_expert_hidden",
    "model.expert_groups",
    "model.topk_groups",
    "model.q_lora_rank",
    "model.kv_lora_rank",
    "model.qk_rope_head_dim",
    "model.qk_nope_head_dim",
    "model.v_head_dim",
    "model.window",
    "model.window_layers",
    "model.tie_embeddings",
    "model.mtp_layers",
    "model.dtypes",
    "strategy.strategy",
];

/// The fields a reader set, in order.
#[derive(Debug, Default)]
pub(super) struct Record(pub Vec<&'static str>);

impl Record {
    /// Sets `slot` to `value` when there is one, noting `name`.
    pub fn set<T>(&mut self, slot: &mut Option<T>, value: Option<T>, name: &'static str) {
        if let Some(v) = value {
            *slot = Some(v);
            if !self.0.contains(&name) {
                self.0.push(name);
            }
        }
    }

    pub fn note(&mut self, name: &'static str) {
        if !self.0.contains(&name) {
            self.0.push(name);
        }
    }
}
