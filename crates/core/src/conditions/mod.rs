//! Conditions: the model, hardware (and, through `launch`, strategy) a deployment runs
//! under, read from the files people already have: a model's Hugging Face `config.json`,
//! DeepSeek's reference-inference config, Megatron model flags in a launch script,
//! llm-analysis and aiconfigurator hardware files, planscope's own meta JSON, and presets.
//! Each reader turns a file into what it states, as a `Meta` to merge with
//! `Meta::merged_with`; a file not understood, or from which nothing was read, is an error.
//! Formats, aliases and sources: docs/conditions.md.

mod deepseek;
mod detect;
mod error;
mod hardware;
mod hardware_presets;
mod hf;
mod keys;
mod magnitude;
mod megatron;
mod meta_json;
mod presets;
pub mod reply;
mod shell;

pub use error::ConditionsError;
pub use hardware_presets::{HardwarePreset, hardware_preset, hardware_presets};
pub use presets::{ModelPreset, model_preset, model_presets};

use crate::model::Meta;

/// What a file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionsKind {
    Model,
    Hardware,
    Strategy,
    /// planscope's own meta JSON, which may state all three.
    Meta,
}

/// The format a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Hugging Face `config.json` (top level, or `text_config` of a multimodal model).
    HfConfig,
    /// DeepSeek-V3's `inference/configs/config_*.json`.
    DeepSeekReference,
    /// Megatron-LM model flags in a launch script.
    MegatronFlags,
    /// cli99/llm-analysis `gpu_configs/*.json`.
    LlmAnalysis,
    /// ai-dynamo/aiconfigurator `systems/*.yaml`.
    AiConfigurator,
    /// planscope's meta (`{"strategy": ..., "cluster": {...}, "model": {...}}`).
    PlanscopeMeta,
    /// A built-in preset.
    Preset,
    /// A strategy as a framework writes it (launch line, script, YAML, TOML, JSON), read by
    /// `crate::launch`.
    Launch(crate::launch::Framework),
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::HfConfig => "Hugging Face config.json",
            Format::DeepSeekReference => "DeepSeek reference-inference config",
            Format::MegatronFlags => "Megatron-LM launch script",
            Format::LlmAnalysis => "llm-analysis GPU config",
            Format::AiConfigurator => "aiconfigurator system YAML",
            Format::PlanscopeMeta => "planscope meta JSON",
            Format::Preset => "preset",
            Format::Launch(f) => match f {
                crate::launch::Framework::Vllm => "vLLM launch",
                crate::launch::Framework::Sglang => "SGLang launch",
                crate::launch::Framework::Megatron => "Megatron-LM launch",
                crate::launch::Framework::Torchtitan => "torchtitan config",
                crate::launch::Framework::Deepspeed => "DeepSpeed launch",
                crate::launch::Framework::Planscope => "planscope strategy name",
            },
        }
    }
}

/// What one file (or preset) states.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditions {
    pub kind: ConditionsKind,
    pub format: Format,
    /// What the file states, every other field `None`.
    pub meta: Meta,
    /// The meta fields it set (`model.layers`, `cluster.memory_gb`, ...), in reading order.
    pub fields: Vec<&'static str>,
    /// The framework's rules a launch file breaks, in full (framework, rule, numbers,
    /// source). Its strategy is read all the same; a file's strategy is kept as degrees, not
    /// as the launch, so the verifier cannot read these again and the shells say them.
    pub launch_broken: Vec<String>,
}

/// Reads a conditions file. `file_name` (its extension) helps tell the format; the text
/// decides. Never panics; sizes are held to `limits`.
pub fn read(file_name: &str, text: &str) -> Result<Conditions, ConditionsError> {
    checked(text, |text| detect::read(file_name, text))
}

/// [`read`] of a Hugging Face config.json (the model presets), by the HF reader only. The
/// page's readers' worker reads presets and config files (`reply`); natively the command
/// reads a preset's file with no other reader.
fn read_hf_config(text: &str) -> Result<Conditions, ConditionsError> {
    checked(text, detect::hf_json)
}

/// A reader's result held to `limits`; a file from which nothing was read is an error.
fn checked(
    text: &str,
    reader: impl FnOnce(&str) -> Result<Conditions, ConditionsError>,
) -> Result<Conditions, ConditionsError> {
    if text.len() > crate::limits::INPUT_BYTES {
        return Err(ConditionsError::Limit(format!(
            "the file is {} bytes; planscope reads at most {}",
            text.len(),
            crate::limits::INPUT_BYTES
        )));
    }
    let c = reader(text)?;
    c.meta.within_limits().map_err(|e| ConditionsError::Limit(e.to_string()))?;
    if c.fields.is_empty() {
        return Err(ConditionsError::NothingRead { format: c.format.name() });
    }
    Ok(c)
}

/// A preset by id or name (case-insensitive), as conditions: a model or a GPU.
pub fn preset(name: &str) -> Option<Conditions> {
    if let Some(p) = model_preset(name) {
        let meta = Meta { model: p.spec(), ..Meta::default() };
        return Some(Conditions {
            kind: ConditionsKind::Model,
            format: Format::Preset,
            fields: fields_of(&meta),
            meta,
            launch_broken: Vec::new(),
        });
    }
    hardware_preset(name).map(|p| {
        let meta = Meta { cluster: p.spec(), ..Meta::default() };
        Conditions {
            kind: ConditionsKind::Hardware,
            format: Format::Preset,
            fields: fields_of(&meta),
            meta,
            launch_broken: Vec::new(),
        }
    })
}

/// The meta fields set in `meta`, named as in its JSON (`model.layers`).
fn fields_of(meta: &Meta) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Ok(serde_json::Value::Object(top)) = serde_json::to_value(meta) {
        for (block, v) in &top {
            if let serde_json::Value::Object(inner) = v {
                out.extend(inner.keys().filter_map(|k| field_name(block, k)));
            }
        }
    }
    out
}

/// `block.key` as a static name, for the fields a meta JSON may set.
fn field_name(block: &str, key: &str) -> Option<&'static str> {
    record::FIELDS.iter().copied().find(|f| f.split_once('.') == Some((block, key)))
}

mod record;
