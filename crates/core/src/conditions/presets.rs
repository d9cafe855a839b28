//! Model presets: the popular MoE models, each stored as its real Hugging Face config.json
//! (files under presets/) and read through the same HF reader as a user's file, so the
//! presets test the reader. Each file's source is in `source`; docs/conditions.md lists them.

use crate::model::{Dtype, ModelSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelPreset {
    /// What to type: `deepseek-v3`.
    pub id: &'static str,
    pub name: &'static str,
    /// Where the config.json comes from (its Hugging Face repository, and the public copy
    /// it was transcribed from).
    pub source: &'static str,
    /// Its config.json, read through [`ModelPreset::config`].
    pub file: ConfigFile,
    /// The checkpoint dtype when the config does not state one, with its source in
    /// `source`: gpt-oss's config has no `torch_dtype`; its non-MXFP4 tensors are BF16.
    pub dtype: Option<Dtype>,
}

/// The presets' config.json files. Their text is reached only through [`ConfigFile::text`],
/// so a build that lists the presets without reading them (the page: its readers' worker
/// reads them, README "Page size") links none of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFile {
    DeepseekV3,
    KimiK2,
    Mixtral8x7b,
    Mixtral8x22b,
    Qwen330bA3b,
    Qwen3235bA22b,
    GptOss20b,
    GptOss120b,
    Llama4Scout,
    Llama4Maverick,
}

impl ConfigFile {
    pub fn text(self) -> &'static str {
        match self {
            ConfigFile::DeepseekV3 => include_str!("presets/deepseek-v3.json"),
            ConfigFile::KimiK2 => include_str!("presets/kimi-k2.json"),
            ConfigFile::Mixtral8x7b => include_str!("presets/mixtral-8x7b.json"),
            ConfigFile::Mixtral8x22b => include_str!("presets/mixtral-8x22b.json"),
            ConfigFile::Qwen330bA3b => include_str!("presets/qwen3-30b-a3b.json"),
            ConfigFile::Qwen3235bA22b => include_str!("presets/qwen3-235b-a22b.json"),
            ConfigFile::GptOss20b => include_str!("presets/gpt-oss-20b.json"),
            ConfigFile::GptOss120b => include_str!("presets/gpt-oss-120b.json"),
            ConfigFile::Llama4Scout => include_str!("presets/llama-4-scout.json"),
            ConfigFile::Llama4Maverick => include_str!("presets/llama-4-maverick.json"),
        }
    }
}

const PRESETS: &[ModelPreset] = &[
    ModelPreset {
        id: "deepseek-v3",
        name: "DeepSeek-V3",
        source: "deepseek-ai/DeepSeek-V3 config.json, as vendored by ai-dynamo/aiconfigurator \
                 (model_configs/deepseek-ai--DeepSeek-V3_config.json; ../shared/real)",
        dtype: None,
        file: ConfigFile::DeepseekV3,
    },
    ModelPreset {
        id: "kimi-k2",
        name: "Kimi-K2",
        source: "moonshotai/Kimi-K2-Instruct config.json, as vendored (abridged to its architecture keys) by \
                 ai-dynamo/aiconfigurator src/aiconfigurator/model_configs/moonshotai--Kimi-K2-Instruct_config.json; \
                 that copy drops quantization_config, so its quant_method \"fp8\" is put back: the checkpoint \
                 ships native FP8 weights (vLLM recipes, moonshotai/Kimi-K2-Instruct)",
        dtype: None,
        file: ConfigFile::KimiK2,
    },
    ModelPreset {
        id: "mixtral-8x7b",
        name: "Mixtral 8x7B",
        source: "mistralai/Mixtral-8x7B-v0.1 config.json, as vendored by ai-dynamo/aiconfigurator \
                 (model_configs/mistralai--Mixtral-8x7B-v0.1_config.json; ../shared/real)",
        dtype: None,
        file: ConfigFile::Mixtral8x7b,
    },
    ModelPreset {
        id: "mixtral-8x22b",
        name: "Mixtral 8x22B",
        source: "mistralai/Mixtral-8x22B-v0.1 config.json, as copied into scaleapi/llm-engine's \
                 model-engine unit tests (test_infer_hardware)",
        dtype: None,
        file: ConfigFile::Mixtral8x22b,
    },
    ModelPreset {
        id: "qwen3-30b-a3b",
        name: "Qwen3-30B-A3B",
        source: "Qwen/Qwen3-30B-A3B config.json (a verbatim copy in a public collection of Qwen3 configs)",
        dtype: None,
        file: ConfigFile::Qwen330bA3b,
    },
    ModelPreset {
        id: "qwen3-235b-a22b",
        name: "Qwen3-235B-A22B",
        source: "Qwen/Qwen3-235B-A22B config.json, as vendored by ai-dynamo/aiconfigurator \
                 (model_configs/Qwen--Qwen3-235B-A22B_config.json; ../shared/real)",
        dtype: None,
        file: ConfigFile::Qwen3235bA22b,
    },
    ModelPreset {
        id: "gpt-oss-20b",
        name: "gpt-oss-20b",
        source: "openai/gpt-oss-20b config.json, as copied into EchoCog/gpt-oss-20b (config.json), with \
                 quantization_config.quant_method \"mxfp4\" as in the original (the copy says gptq)",
        // OpenAI gpt-oss model card §2: MoE weights in MXFP4, the other tensors in BF16.
        dtype: Some(Dtype::Bf16),
        file: ConfigFile::GptOss20b,
    },
    ModelPreset {
        id: "gpt-oss-120b",
        name: "gpt-oss-120b",
        source: "openai/gpt-oss-120b config.json: the gpt-oss-20b file with 120b's 36 layers (alternating \
                 sliding/full attention) and 128 experts (OpenAI gpt-oss model card, Table 1)",
        // OpenAI gpt-oss model card §2: MoE weights in MXFP4, the other tensors in BF16.
        dtype: Some(Dtype::Bf16),
        file: ConfigFile::GptOss120b,
    },
    ModelPreset {
        id: "llama-4-scout",
        name: "Llama-4 Scout",
        source: "meta-llama/Llama-4-Scout-17B-16E-Instruct config.json, as vendored by ai-dynamo/aiconfigurator \
                 (aic-core/.../model_configs/meta-llama--Llama-4-Scout-17B-16E-Instruct_config.json)",
        dtype: None,
        file: ConfigFile::Llama4Scout,
    },
    ModelPreset {
        id: "llama-4-maverick",
        name: "Llama-4 Maverick",
        source: "meta-llama/Llama-4-Maverick-17B-128E-Instruct config.json, as vendored by \
                 ai-dynamo/aiconfigurator (aic-core/.../model_configs/meta-llama--Llama-4-Maverick-17B-128E-Instruct_config.json)",
        dtype: None,
        file: ConfigFile::Llama4Maverick,
    },
];

pub fn model_presets() -> &'static [ModelPreset] {
    PRESETS
}

/// The preset whose id or name is `name`, ignoring case, spaces, dashes and underscores
/// (`DeepSeek-V3`, `deepseek_v3`, `Mixtral 8x7B`).
pub fn model_preset(name: &str) -> Option<&'static ModelPreset> {
    let key = squash(name);
    PRESETS.iter().find(|p| squash(p.id) == key || squash(p.name) == key)
}

pub(super) fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

impl ModelPreset {
    /// The config.json text.
    pub fn config(&self) -> &'static str {
        self.file.text()
    }

    /// The model the config states, named. The configs are fixed and tested
    /// (tests/conditions.rs reads every one); an unreadable one would give an empty spec.
    pub fn spec(&self) -> ModelSpec {
        let mut spec = super::read_hf_config(self.config()).map(|c| c.meta.model).unwrap_or_default();
        spec.name = Some(self.name.to_string());
        if spec.dtype.is_none() {
            spec.dtype = self.dtype;
        }
        spec
    }
}

#[cfg(test)]
mod tests {
    /// The presets are read by the HF reader alone (the page's wasm has no other), and
    /// that reading is the one a config file gets.
    #[test]
    fn a_preset_reads_as_its_config_file_does() {
        for p in super::model_presets() {
            let file = super::super::read("config.json", p.config()).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            let json = super::super::read_hf_config(p.config()).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert_eq!(json, file, "{}", p.id);
            assert!(!json.fields.is_empty(), "{}", p.id);
        }
    }
}
