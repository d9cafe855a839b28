//! Which reader a file goes to: by its syntax (JSON, YAML, TOML, shell) and then by the
//! keys it holds. A file no reader claims is `NotUnderstood`, saying what was looked for.

use super::record::Record;
use super::{Conditions, ConditionsError, ConditionsKind, Format, deepseek, hardware, hf, megatron, meta_json};
use crate::model::Meta;
use serde_json::{Map, Value};

pub(super) fn read(file_name: &str, text: &str) -> Result<Conditions, ConditionsError> {
    match model_or_hardware(file_name, text) {
        // A strategy, or nothing a model or hardware reader claims: the launch reader may
        // know it (a launch line, a NeMo YAML, a torchtitan TOML, a DeepSpeed JSON).
        Err(e @ (ConditionsError::Strategy { .. } | ConditionsError::NotUnderstood { .. })) => {
            strategy(file_name, text).ok_or(e)?
        }
        // A Megatron-LM script states the model and the strategy: both are read, and a
        // parallel setting the launch reader refuses is the file's error, not dropped.
        Ok(mut c) if c.format == Format::MegatronFlags => {
            if let Some(st) = strategy(file_name, text) {
                let st = st?;
                c.meta.strategy = st.meta.strategy;
                if let Some(z) = st.meta.model.zero_stage {
                    c.meta.model.zero_stage = Some(z);
                    c.fields.push("model.zero_stage");
                }
                if let Some(n) = st.meta.model.zero_copies {
                    c.meta.model.zero_copies = Some(n);
                    c.fields.push("model.zero_copies");
                }
                if let Some(sp) = st.meta.model.sequence_parallel {
                    c.meta.model.sequence_parallel = Some(sp);
                    c.fields.push("model.sequence_parallel");
                }
                // The micro-batch is per replica: with the GPUs the script starts
                // (torchrun's --nproc_per_node × --nnodes), DP and so the batch are known.
                let dp = st.meta.strategy.filter(|_| st.fields.contains(&"cluster.gpus")).map(|s| s.dp.get());
                let flags = megatron::Flags::parse(text);
                let micro = megatron::micro_batch(&flags);
                if let (Some(dp), Some(micro)) = (dp, micro)
                    && let Some(batch) = micro.checked_mul(u64::from(dp))
                {
                    c.meta.model.batch = Some(batch);
                    c.fields.push("model.batch");
                    // Its global batch in micro-batches of the whole deployment: the
                    // micro-batches a step runs (Megatron-LM's num_microbatches, which
                    // it requires to divide evenly).
                    if let Some(m) = megatron::global_batch(&flags)
                        .filter(|g| g % batch == 0)
                        .and_then(|g| u32::try_from(g / batch).ok())
                    {
                        c.meta.model.micro_batches = Some(m);
                        c.fields.push("model.micro_batches");
                    }
                }
                c.meta.strategy_name = st.meta.strategy_name;
                c.launch_broken = st.launch_broken;
                c.fields.push("strategy");
            }
            Ok(c)
        }
        other => other,
    }
}

/// The strategy a launch states, as conditions: None when the launch reader finds no
/// strategy in the text (the model/hardware error then stands); its own error when it
/// finds a launch it cannot read (an unknown parallel flag is never dropped).
fn strategy(file_name: &str, text: &str) -> Option<Result<Conditions, ConditionsError>> {
    use crate::launch::{self, LaunchErrorKind};
    let ls = match launch::read(file_name, text) {
        Ok(ls) => ls,
        Err(e) if matches!(e.kind, LaunchErrorKind::NoStrategy) => return None,
        Err(e) => return Some(Err(ConditionsError::Launch(e.to_string()))),
    };
    let mut meta = Meta { strategy: Some(ls.strategy), ..Meta::default() };
    // A one-line launch stays the strategy's name, so the verifier holds the plan to the
    // framework's own rules (check/strategy.rs re-reads it); a file gives its degrees.
    let one_line = text.trim();
    let file = one_line.contains('\n');
    meta.strategy_name = Some(if file { ls.strategy.to_string() } else { one_line.to_string() });
    // A one-line launch's rules are the verifier's to say; a file's would be lost.
    let launch_broken = if file { ls.broken.iter().map(ToString::to_string).collect() } else { Vec::new() };
    let mut fields = vec!["strategy"];
    // A training launch: its memory holds the training states, sharded as it says.
    if let Some(run) = ls.training {
        meta.model.phase = Some(crate::model::Phase::Train);
        fields.push("model.phase");
        if let Some(z) = run.zero {
            meta.model.zero_stage = Some(z);
            fields.push("model.zero_stage");
        }
        if let Some(n) = run.zero_copies {
            meta.model.zero_copies = Some(n);
            fields.push("model.zero_copies");
        }
        if let Some(sp) = run.sequence_parallel {
            meta.model.sequence_parallel = Some(sp);
            fields.push("model.sequence_parallel");
        }
        if let Some(m) = run.micro_batches {
            meta.model.micro_batches = Some(m);
            fields.push("model.micro_batches");
        }
    }
    // The GPUs the launch runs on, when it states them or starts them itself: the verifier
    // then holds the plan to those, not to EP·TP·PP·DP (a vLLM EP16 over TP8·DP2 runs
    // on 16 GPUs, its experts on the attention's).
    let started = ls.framework.starts_its_gpus().then_some(ls.gpus);
    if let Some(world) = ls.world.or(started).and_then(|w| u32::try_from(w).ok()) {
        meta.cluster.gpus = Some(world);
        fields.push("cluster.gpus");
    }
    Some(Ok(Conditions {
        kind: ConditionsKind::Strategy,
        format: Format::Launch(ls.framework),
        meta,
        fields,
        launch_broken,
    }))
}

fn model_or_hardware(file_name: &str, text: &str) -> Result<Conditions, ConditionsError> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let trimmed = text.trim_start();
    match ext.as_str() {
        "yaml" | "yml" => yaml(text),
        "toml" => toml_file(text),
        "json" => json(text),
        _ if trimmed.starts_with('{') => json(text),
        _ => script(text),
    }
}

fn json(text: &str) -> Result<Conditions, ConditionsError> {
    object(&json_object(text)?, Some(text))
}

/// A Hugging Face config.json, by the HF reader alone: the model presets, which the page
/// reads itself (config files go to its readers' worker), so that the page's wasm links
/// no other reader (README "Page size").
pub(super) fn hf_json(text: &str) -> Result<Conditions, ConditionsError> {
    let mut rec = Record::default();
    let model = hf::read(&json_object(text)?, &mut rec)?;
    Ok(Conditions {
        kind: ConditionsKind::Model,
        format: Format::HfConfig,
        meta: Meta { model, ..Meta::default() },
        fields: rec.0,
        launch_broken: Vec::new(),
    })
}

fn json_object(text: &str) -> Result<Map<String, Value>, ConditionsError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ConditionsError::json("JSON", &e))?;
    match value {
        Value::Object(top) => Ok(top),
        _ => Err(ConditionsError::NotUnderstood { reason: "the JSON is not an object".into() }),
    }
}

/// A JSON-shaped object, from JSON or YAML. `json_text` is the JSON itself, for planscope's
/// meta (read through its serde types).
fn object(top: &Map<String, Value>, json_text: Option<&str>) -> Result<Conditions, ConditionsError> {
    let mut rec = Record::default();
    let (kind, format, meta) = if let Some(text) = json_text.filter(|_| meta_json::looks_like(top)) {
        (ConditionsKind::Meta, Format::PlanscopeMeta, meta_json::read(text, &mut rec)?)
    } else if deepseek::looks_like(top) {
        let model = deepseek::read(top, &mut rec)?;
        (ConditionsKind::Model, Format::DeepSeekReference, Meta { model, ..Meta::default() })
    } else if hardware::looks_like_aiconfigurator(top) {
        let cluster = hardware::read_aiconfigurator(top, &mut rec)?;
        (ConditionsKind::Hardware, Format::AiConfigurator, Meta { cluster, ..Meta::default() })
    } else if hardware::looks_like_llm_analysis(top) {
        let cluster = hardware::read_llm_analysis(top, &mut rec)?;
        (ConditionsKind::Hardware, Format::LlmAnalysis, Meta { cluster, ..Meta::default() })
    } else if hf::looks_like(top) {
        let model = hf::read(top, &mut rec)?;
        (ConditionsKind::Model, Format::HfConfig, Meta { model, ..Meta::default() })
    } else {
        return Err(ConditionsError::NotUnderstood {
            reason: "none of the keys of a Hugging Face config.json (num_hidden_layers, hidden_size, ...), \
                     DeepSeek's reference config (dim, n_layers, n_heads), an llm-analysis or aiconfigurator \
                     hardware file, or planscope's meta (strategy, cluster, model)"
                .into(),
        });
    };
    Ok(Conditions { kind, format, meta, fields: rec.0, launch_broken: Vec::new() })
}

fn yaml(text: &str) -> Result<Conditions, ConditionsError> {
    let value: Value = serde_norway::from_str(text).map_err(|e| {
        let (line, col) = e.location().map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        ConditionsError::Syntax { format: "YAML", line, col, message: e.to_string() }
    })?;
    match value {
        Value::Object(top) if hardware::looks_like_aiconfigurator(&top) || hf::looks_like(&top) => object(&top, None),
        Value::Object(_) => Err(ConditionsError::NotUnderstood {
            reason: "a YAML without an aiconfigurator system's gpu block (mem_bw, mem_capacity); strategy YAMLs (NeMo) go to --strategy".into(),
        }),
        _ => Err(ConditionsError::NotUnderstood { reason: "the YAML is not a mapping".into() }),
    }
}

fn toml_file(text: &str) -> Result<Conditions, ConditionsError> {
    let _: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| crate::read::line_col(text, s.start));
        ConditionsError::Syntax { format: "TOML", line, col, message: e.message().to_string() }
    })?;
    // torchtitan's TOML names a model flavor and parallelism, not model constants.
    Err(ConditionsError::Strategy { what: "a TOML launch file (torchtitan)" })
}

fn script(text: &str) -> Result<Conditions, ConditionsError> {
    let flags = megatron::Flags::parse(text);
    let mut rec = Record::default();
    let model = megatron::read(&flags, &mut rec)?;
    if !rec.0.is_empty() {
        return Ok(Conditions {
            kind: ConditionsKind::Model,
            format: Format::MegatronFlags,
            meta: Meta { model, ..Meta::default() },
            fields: rec.0,
            launch_broken: Vec::new(),
        });
    }
    // The launch-line slot: `crate::launch` (the strategy reader) takes these.
    let launcher = ["vllm serve", "sglang.launch_server", "python -m sglang", "torchrun", "deepspeed"];
    if flags.any(megatron::STRATEGY_FLAGS)
        || launcher.iter().any(|l| text.contains(l))
        || flags.any(&["--tp", "--ep", "--dp", "--tensor-parallel-size"])
    {
        return Err(ConditionsError::Strategy { what: "a launch line" });
    }
    Err(ConditionsError::NotUnderstood {
        reason: "neither JSON, YAML nor TOML, and no Megatron model flag (--num-layers, --hidden-size, --num-attention-heads, --num-experts)".into(),
    })
}
