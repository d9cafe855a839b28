//! The Conditions panel's fields as data: which `Meta` fields a user can declare by hand,
//! how each reads and writes its text, and what a bad entry says. The page draws one input
//! per field; the parsing and the limits live here, so a typed value is checked exactly as
//! a conditions file's is (`Meta::within_limits`).

use crate::model::{Dtype, Meta, Phase, ZeroStage};
use Section::{Hardware, Model};

/// The panel's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Model,
    Hardware,
}

/// What a field holds, and so how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number ≥ 1.
    Count,
    /// A positive number.
    Number,
    /// A fraction in (0, 1].
    Fraction,
    Dtype,
    Phase,
    /// A ZeRO stage, 0 to 3.
    ZeroStage,
    /// On or off (`on`, `off`; `true`, `yes`, `1` and their opposites read too).
    Switch,
    Text,
}

/// One field of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The meta JSON's name (`model.experts`), also the input's `data-field`.
    pub key: &'static str,
    pub label: &'static str,
    pub section: Section,
    pub kind: Kind,
}

const fn f(key: &'static str, label: &'static str, section: Section, kind: Kind) -> Field {
    Field { key, label, section, kind }
}

/// Every field, in the panel's order.
pub const FIELDS: &[Field] = &[
    f("model.name", "Model", Model, Kind::Text),
    f("model.layers", "Layers", Model, Kind::Count),
    f("model.moe_layers", "MoE layers", Model, Kind::Count),
    f("model.experts", "Experts", Model, Kind::Count),
    f("model.top_k", "Top-k", Model, Kind::Count),
    f("model.shared_experts", "Shared experts", Model, Kind::Count),
    f("model.hidden", "Hidden size", Model, Kind::Count),
    f("model.expert_hidden", "Expert FFN width", Model, Kind::Count),
    f("model.shared_expert_hidden", "Shared expert width", Model, Kind::Count),
    f("model.dense_hidden", "Dense FFN width", Model, Kind::Count),
    f("model.heads", "Heads", Model, Kind::Count),
    f("model.kv_heads", "KV heads", Model, Kind::Count),
    f("model.head_dim", "Head dim", Model, Kind::Count),
    f("model.vocab", "Vocabulary", Model, Kind::Count),
    f("model.dtype", "Dtype", Model, Kind::Dtype),
    f("model.phase", "Phase", Model, Kind::Phase),
    f("model.batch", "Batch (requests)", Model, Kind::Count),
    f("model.seq_len", "Prompt length", Model, Kind::Count),
    f("model.context", "Decode context", Model, Kind::Count),
    f("model.zero_stage", "ZeRO stage (train)", Model, Kind::ZeroStage),
    f("model.zero_copies", "Sharded-state copies (train)", Model, Kind::Count),
    f("model.micro_batches", "Micro-batches per step (train)", Model, Kind::Count),
    f("model.sequence_parallel", "Sequence parallel (train)", Model, Kind::Switch),
    f("cluster.gpu_name", "GPU", Hardware, Kind::Text),
    f("cluster.gpus", "GPUs", Hardware, Kind::Count),
    f("cluster.gpus_per_server", "GPUs per server", Hardware, Kind::Count),
    f("cluster.memory_gb", "HBM per GPU (GB)", Hardware, Kind::Number),
    f("cluster.tflops", "BF16 dense TFLOPS", Hardware, Kind::Number),
    f("cluster.tflops_fp8", "FP8 dense TFLOPS", Hardware, Kind::Number),
    f("cluster.memory_bandwidth_gbs", "HBM bandwidth (GB/s)", Hardware, Kind::Number),
    f("cluster.intra_server_gbs", "Intra-server link (GB/s)", Hardware, Kind::Number),
    f("cluster.inter_server_gbs", "Inter-server link (GB/s)", Hardware, Kind::Number),
    f("cluster.mfu", "MFU (0–1)", Hardware, Kind::Fraction),
];

/// A value as the field shows it, from a meta (None when the meta does not give it).
pub fn get(meta: &Meta, key: &str) -> Option<String> {
    let value = serde_json::to_value(meta).ok()?;
    let (block, name) = key.split_once('.')?;
    match value.get(block)?.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(if *b { "on" } else { "off" }.into()),
        // 80.0 GB reads as 80, as a person writes it.
        serde_json::Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() < 1e15) => {
            n.as_f64().map(|x| format!("{}", x as i64))
        }
        v => Some(v.to_string()),
    }
}

/// Why a typed value was refused: the field and what it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub label: &'static str,
    pub key: &'static str,
    pub why: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Conditions › {} ({}): {}", self.label, self.key, self.why)
    }
}

/// `meta` with `field` set from `text` (cleared when `text` is blank). The result is held
/// to planscope's limits as a conditions file is.
pub fn set(meta: &Meta, field: &Field, text: &str) -> Result<Meta, FieldError> {
    let err = |why: String| FieldError { label: field.label, key: field.key, why };
    let t = text.trim();
    let value = if t.is_empty() {
        serde_json::Value::Null
    } else {
        match field.kind {
            Kind::Count => match t.replace(['_', ','], "").parse::<u64>() {
                Ok(n) if n >= 1 => n.into(),
                _ => return Err(err(format!("`{t}` is not a whole number of at least 1"))),
            },
            Kind::Number => match crate::decimal::parse(t) {
                Some(x) if x.is_finite() && x > 0.0 => x.into(),
                _ => return Err(err(format!("`{t}` is not a positive number"))),
            },
            Kind::Fraction => match crate::decimal::parse(t) {
                Some(x) if x > 0.0 && x <= 1.0 => x.into(),
                _ => return Err(err(format!("`{t}` is not a fraction between 0 and 1"))),
            },
            Kind::Dtype => match Dtype::parse(t) {
                Some(d) => serde_json::to_value(d).map_err(|e| err(e.to_string()))?,
                None => return Err(err(format!("`{t}` is not a dtype (fp32, bf16, fp16, fp8, int8, int4, mxfp4)"))),
            },
            Kind::Phase => match Phase::parse(t) {
                Some(p) => serde_json::to_value(p).map_err(|e| err(e.to_string()))?,
                None => return Err(err(format!("`{t}` is not a phase (prefill, decode or train)"))),
            },
            Kind::ZeroStage => match ZeroStage::parse(t) {
                Some(z) => u8::from(z).into(),
                None => return Err(err(format!("`{t}` is not a ZeRO stage (0, 1, 2 or 3)"))),
            },
            Kind::Switch => match t.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => true.into(),
                "off" | "false" | "no" | "0" => false.into(),
                _ => return Err(err(format!("`{t}` is not on or off"))),
            },
            Kind::Text => t.into(),
        }
    };
    let mut json = serde_json::to_value(meta).map_err(|e| err(e.to_string()))?;
    let (block, name) = field.key.split_once('.').ok_or_else(|| err("not a meta field".into()))?;
    let obj = json.as_object_mut().ok_or_else(|| err("not a meta".into()))?;
    let inner = obj.entry(block).or_insert_with(|| serde_json::Value::Object(Default::default()));
    if let Some(inner) = inner.as_object_mut() {
        if value.is_null() {
            inner.remove(name);
        } else {
            inner.insert(name.to_string(), value);
        }
    }
    let out = Meta::from_value(&json).map_err(|e| err(crate::read::serde_message(&e)))?;
    out.within_limits().map_err(|e| err(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str) -> &'static Field {
        FIELDS.iter().find(|f| f.key == key).unwrap()
    }

    #[test]
    fn every_field_round_trips_through_meta() {
        for fl in FIELDS {
            let text = match fl.kind {
                Kind::Count => "64",
                Kind::Number => "80.5",
                Kind::Fraction => "0.5",
                Kind::Dtype => "bf16",
                Kind::Phase => "decode",
                Kind::ZeroStage => "1",
                Kind::Switch => "on",
                Kind::Text => "H800",
            };
            let m = set(&Meta::default(), fl, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(get(&m, fl.key).as_deref(), Some(text), "{}", fl.key);
            let cleared = set(&m, fl, " ").unwrap();
            assert_eq!(get(&cleared, fl.key), None, "{}", fl.key);
        }
    }

    #[test]
    fn whole_numbers_read_as_written() {
        let m = set(&Meta::default(), field("cluster.memory_gb"), "80").unwrap();
        assert_eq!(m.cluster.memory_gb, Some(80.0));
        assert_eq!(get(&m, "cluster.memory_gb").as_deref(), Some("80"));
    }

    #[test]
    fn bad_entries_name_the_field_and_the_limit() {
        let e = set(&Meta::default(), field("model.experts"), "sixty").unwrap_err();
        assert_eq!(e.to_string(), "Conditions › Experts (model.experts): `sixty` is not a whole number of at least 1");
        let e = set(&Meta::default(), field("cluster.gpus"), "4294967295").unwrap_err();
        assert!(e.why.contains("(GPUs)"), "{e}");
        assert!(set(&Meta::default(), field("cluster.mfu"), "1.5").is_err());
        assert!(set(&Meta::default(), field("model.phase"), "pretrain").is_err());
        assert_eq!(set(&Meta::default(), field("model.phase"), "Train").unwrap().model.phase, Some(Phase::Train));
        assert!(set(&Meta::default(), field("model.zero_stage"), "4").is_err());
        assert_eq!(
            set(&Meta::default(), field("model.zero_stage"), "0").unwrap().model.zero_stage,
            Some(ZeroStage::NONE)
        );
        let sp = field("model.sequence_parallel");
        assert_eq!(set(&Meta::default(), sp, "No").unwrap().model.sequence_parallel, Some(false));
        assert_eq!(get(&set(&Meta::default(), sp, "true").unwrap(), sp.key).as_deref(), Some("on"));
        assert_eq!(set(&Meta::default(), sp, "maybe").unwrap_err().why, "`maybe` is not on or off");
    }
}
