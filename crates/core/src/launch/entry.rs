//! One setting of a launch, whatever its notation: a flag of a command line
//! (`--tensor-parallel-size 8`, `-tp=8`, `--enable-expert-parallel`) or a key of a config
//! file (`model.tensor_model_parallel_size: 8`), with where it was written. Keys are
//! compared normalized: lower case, `_` as `-`, leading dashes dropped (they are kept in
//! `dashes`, since vLLM's `-tp` and SGLang's `--tp` differ only there).

use super::{Framework, LaunchErrorKind};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Normalized key, dotted for nested keys (`parallelism.tensor-parallel-degree`).
    pub key: String,
    /// As written (`--tensor-parallel-size`, `tensor_model_parallel_size`).
    pub shown: String,
    /// Leading dashes of a flag (0 for a config key).
    pub dashes: u8,
    /// The value: a flag's following word or `=value`, a key's scalar; None for a bare flag.
    pub value: Option<String>,
    /// Whether the value was written with `=` or as a config value (not merely the next word).
    pub attached: bool,
    pub line: u32,
    pub col: u32,
    /// A variable the value uses that the script never sets.
    pub unset: Option<String>,
}

impl Entry {
    /// The key's last dotted segment.
    pub fn leaf(&self) -> &str {
        self.key.rsplit('.').next().unwrap_or(&self.key)
    }
}

pub fn normalize(key: &str) -> String {
    key.trim_start_matches('-').to_ascii_lowercase().replace('_', "-")
}

/// Whether a key names a parallel setting, so that not knowing it is an error rather
/// than a flag of something else: it says `parallel`, is a degree's short name (`tp`,
/// `ep-size`, `dp-degree`), or names redundant experts or pipeline stage layers.
pub fn looks_parallel(leaf: &str) -> bool {
    const SHORT: [&str; 13] = ["tp", "dp", "pp", "ep", "cp", "etp", "vpp", "sp", "dcp", "pcp", "dpl", "mp", "edp"];
    let base = leaf.trim_end_matches("-size").trim_end_matches("-degree");
    leaf.contains("parallel")
        || SHORT.contains(&base)
        || ["-tp-size", "-ep-size", "-dp-size", "-pp-size", "-cp-size"].iter().any(|s| leaf.ends_with(s))
        || leaf.contains("redundant-expert")
        || leaf.contains("virtual-stages")
        || leaf.contains("pipeline-num-layers")
        || leaf.contains("pipeline-stage")
}

/// What a setting means, across frameworks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Tp,
    Dp,
    Pp,
    Ep,
    Cp,
    Etp,
    Vpp,
    /// Megatron-LM `--num-layers-per-virtual-pipeline-stage`.
    VppLayers,
    FirstStage,
    LastStage,
    Layers,
    /// Megatron-LM `--num-experts` (NeMo `num_moe_experts`).
    Experts,
    DpLocal,
    Nnodes,
    NprocPerNode,
    MoeDenseTp,
    DpShard,
    DpReplicate,
    Redundant,
    /// vLLM `--eplb-config '{…}'`: a JSON object of `eplb-config.*` settings.
    EplbConfig,
    EnableEp,
    EnableEplb,
    DpAttention,
    DpLmHead,
    /// SGLang's older `--enable-ep-moe` and `--enable-deepep-moe`: EP = TP.
    EpMoe,
    /// SGLang `--moe-a2a-backend`: 1 for the backends with which server_args.py sets
    /// `ep_size = tp_size` (deepep, mooncake, flashinfer), 0 for none.
    A2aBackend,
    OverlapP2p,
    /// Megatron-LM `--use-distributed-optimizer`: ZeRO stage 1.
    DistributedOptimizer,
    /// Megatron-LM `--num-distributed-optimizer-instances`: copies of the sharded states.
    DistOptInstances,
    /// Megatron-LM `--sequence-parallel` (NeMo `sequence_parallel: true`).
    SequenceParallel,
    /// Megatron-LM `--account-for-embedding-in-pipeline-split` and
    /// `--account-for-loss-in-pipeline-split`: each counts as a layer when PP splits them.
    AccountEmbedding,
    AccountLoss,
    /// Megatron-LM `--use-megatron-fsdp` (`--use-custom-fsdp`).
    MegatronFsdp,
    /// Megatron-LM `--use-torch-fsdp2`.
    TorchFsdp2,
    /// Megatron-FSDP's `--data-parallel-sharding-strategy`, as the ZeRO stage it names.
    ShardingStrategy,
    /// DeepSpeed `zero_optimization.stage`.
    ZeroStage,
    /// DeepSpeed `train_batch_size` / `train_micro_batch_size_per_gpu`: a training config.
    TrainBatch,
    /// DeepSpeed `gradient_accumulation_steps`: the micro-batches of an optimizer step.
    GradAccum,
    /// Megatron-LM model sizes a script states beside its degrees (`--num-attention-heads`,
    /// `--num-query-groups`, `--group-query-attention`, `--hidden-size`, `--kv-channels`,
    /// `--seq-length`), read for the framework's rules that tie them to the degrees. The
    /// model itself is the conditions reader's (conditions/megatron.rs); a value these
    /// cannot read (an unset variable) leaves its rules unchecked.
    Heads,
    QueryGroups,
    Gqa,
    Hidden,
    KvChannels,
    SeqLength,
    /// Understood and not a degree (ports, addresses, schedules, switches like `--use-tp-pp-dp-mapping`).
    Known,
}

impl Field {
    pub fn is_switch(self) -> bool {
        matches!(
            self,
            Field::EnableEp
                | Field::EnableEplb
                | Field::DpAttention
                | Field::DpLmHead
                | Field::EpMoe
                | Field::OverlapP2p
                | Field::DistributedOptimizer
                | Field::SequenceParallel
                | Field::AccountEmbedding
                | Field::AccountLoss
                | Field::MegatronFsdp
                | Field::TorchFsdp2
                | Field::Gqa
        )
    }

    /// Read only to check a rule: a value that cannot be read is left out, not an error.
    fn checks_only(self) -> bool {
        matches!(self, Field::Heads | Field::QueryGroups | Field::Hidden | Field::KvChannels | Field::SeqLength)
    }
}

/// The value of a DeepSpeed batch size written "auto": no count a launch can write.
pub const AUTO: i64 = -1;

/// A setting's value where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub n: i64,
    pub shown: String,
    pub line: u32,
    pub col: u32,
}

/// What a command or file sets, by field, for one framework; the last setting of a field
/// wins, as argparse does.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub framework: Framework,
    pub values: HashMap<Field, Value>,
}

pub type Failure = (u32, u32, LaunchErrorKind);

impl Said {
    pub fn get(&self, f: Field) -> Option<i64> {
        self.values.get(&f).map(|v| v.n)
    }

    pub fn on(&self, f: Field) -> bool {
        self.get(f).is_some_and(|v| v != 0)
    }

    /// A degree: at least 1, else an error at the setting.
    pub fn degree(&self, f: Field) -> Result<Option<u32>, Failure> {
        let Some(v) = self.values.get(&f) else { return Ok(None) };
        u32::try_from(v.n).ok().filter(|&n| n >= 1).map(Some).ok_or_else(|| {
            (
                v.line,
                v.col,
                LaunchErrorKind::BadValue {
                    flag: v.shown.clone(),
                    value: v.n.to_string(),
                    expected: "a whole number of at least 1",
                },
            )
        })
    }

    /// A count that may be 0.
    pub fn count(&self, f: Field) -> Result<Option<u32>, Failure> {
        let Some(v) = self.values.get(&f) else { return Ok(None) };
        u32::try_from(v.n).ok().map(Some).ok_or_else(|| {
            (
                v.line,
                v.col,
                LaunchErrorKind::BadValue { flag: v.shown.clone(), value: v.n.to_string(), expected: "a whole number" },
            )
        })
    }

    pub fn at(&self, f: Field) -> (u32, u32, String) {
        self.values.get(&f).map_or((0, 0, String::new()), |v| (v.line, v.col, v.shown.clone()))
    }

    /// Records `e` as `field`, its value read as the field needs.
    pub fn set(&mut self, field: Field, e: &Entry) -> Result<(), Failure> {
        if field == Field::Known {
            return Ok(());
        }
        let bad = |expected: &'static str, value: &str| {
            (e.line, e.col, LaunchErrorKind::BadValue { flag: e.shown.clone(), value: value.to_string(), expected })
        };
        let n = if field == Field::ShardingStrategy {
            let expected = "no_shard, optim, optim_grads or optim_grads_params";
            match e.value.as_deref().map(|v| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase()).as_deref() {
                Some("no_shard") => 0,
                Some("optim") => 1,
                Some("optim_grads") => 2,
                Some("optim_grads_params") => 3,
                _ => return Err(bad(expected, e.value.as_deref().unwrap_or(""))),
            }
        } else if field == Field::A2aBackend {
            let expected = "none, deepep, mooncake or flashinfer";
            match e.value.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("deepep" | "mooncake" | "flashinfer") => 1,
                Some("none") => 0,
                _ => return Err(bad(expected, e.value.as_deref().unwrap_or(""))),
            }
        } else if field.is_switch() {
            match e.value.as_deref().filter(|_| e.attached) {
                None => 1,
                Some(v) => match v.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => 1,
                    "false" | "0" | "no" | "off" => 0,
                    _ => return Err(bad("true or false", v)),
                },
            }
        } else if matches!(field, Field::TrainBatch | Field::GradAccum)
            && e.value.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case("auto"))
        {
            // Hugging Face's Trainer fills DeepSpeed's "auto" batch sizes from its own
            // arguments (transformers' integrations/deepspeed.py): set, its number unknown.
            AUTO
        } else if field.checks_only() {
            match e.value.as_deref().filter(|_| e.unset.is_none()).and_then(|v| v.trim().parse::<i64>().ok()) {
                Some(n) => n,
                None => return Ok(()),
            }
        } else {
            if let Some(var) = &e.unset {
                return Err((e.line, e.col, LaunchErrorKind::Unset { flag: e.shown.clone(), variable: var.clone() }));
            }
            let Some(v) = e.value.as_deref() else { return Err(bad("a whole number", "")) };
            v.trim().parse::<i64>().map_err(|_| bad("a whole number", v))?
        };
        self.values.insert(field, Value { n, shown: e.shown.clone(), line: e.line, col: e.col });
        Ok(())
    }
}
