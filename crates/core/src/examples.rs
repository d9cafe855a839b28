//! Plans built into planscope, so the page opens on something real.

/// The seed's situation: EP64_TP2 declared for 128 GPUs, while the DAG uses 3 GPUs,
/// one expert node, and single communication and aggregation nodes.
pub const SEED_EP64_TP2: Example =
    Example { file_name: "seed-ep64-tp2.json", text: include_str!("../../../www/examples/seed-ep64-tp2.json") };

pub struct Example {
    pub file_name: &'static str,
    pub text: &'static str,
}
