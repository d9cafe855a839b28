//! What [`read`](super::read) found, as it crosses from the page's reader worker to the
//! page. The page loads the config readers (YAML, TOML, launch lines, hardware files) as a
//! second wasm module, in a Web Worker, only when a config file is first chosen or dropped
//! (README "Page size"); the two modules share no memory, so the result travels as JSON.
//! The `Meta` goes as the typed value it is (serde, as the canonical plan stores it); the
//! format and the refusal go as the words the page shows, since it only shows them.

use super::{Conditions, read};
use crate::model::Meta;
use serde::{Deserialize, Serialize};

/// A file read into conditions: what it states, what it was read as, the fields it set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read {
    pub meta: Meta,
    /// [`Format::name`](super::Format::name) of the format the file was read as.
    pub format: String,
    /// The meta fields it set (`model.layers`, ...), in reading order.
    pub fields: Vec<String>,
    /// The framework's rules a launch file breaks ([`Conditions::launch_broken`](super::Conditions)).
    pub launch_broken: Vec<String>,
}

impl Read {
    fn of(c: Conditions) -> Read {
        Read {
            meta: c.meta,
            format: c.format.name().to_string(),
            fields: c.fields.iter().map(|f| (*f).to_string()).collect(),
            launch_broken: c.launch_broken,
        }
    }
}

/// [`read`], with a refusal as its message (`ConditionsError`'s Display: line:col, key).
pub fn read_reply(file_name: &str, text: &str) -> Result<Read, String> {
    read(file_name, text).map(Read::of).map_err(|e| e.to_string())
}

/// A preset by id (`deepseek-v3`, `h100`), read as [`preset`](super::preset) reads it: the
/// page lists the model presets but their config.json files load with the worker.
pub fn preset_reply(id: &str) -> Result<Read, String> {
    super::preset(id).map(Read::of).ok_or_else(|| format!("there is no preset `{id}`"))
}

/// The reply as the worker posts it.
pub fn encode(reply: &Result<Read, String>) -> String {
    // A Meta within limits always serializes (no map with non-string keys, no non-finite
    // float: `within_limits` refuses them); should it not, the page still gets a refusal.
    serde_json::to_string(reply).unwrap_or_else(|e| {
        serde_json::to_string(&Err::<Read, _>(format!("the conditions could not be passed to the page: {e}")))
            .unwrap_or_default()
    })
}

/// The reply as the page receives it; anything else is a refusal saying so.
pub fn decode(json: &str) -> Result<Read, String> {
    // From the bytes, as plans are read (read/json/canonical.rs): a second reader type
    // would compile the Meta's deserializer a second time into the page (README "Page size").
    serde_json::from_slice::<Result<Read, String>>(json.as_bytes())
        .unwrap_or_else(|e| Err(format!("the config reader's reply could not be read: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reader's result arrives as read: the Meta is equal after the trip.
    #[test]
    fn a_reply_arrives_as_read() {
        let files = [
            ("config.json", super::super::model_presets()[0].config()),
            ("serve.sh", "vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 16 --enable-expert-parallel"),
            (
                "train.toml",
                "[parallelism]\ntensor_parallel_degree = 2\nexpert_parallel_degree = 4\ndata_parallel_shard_degree = 4\n",
            ),
            ("meta.json", r#"{"strategy": "EP8_TP2", "cluster": {"gpus": 16, "memory_gb": 80.5, "tflops": 989.4}}"#),
        ];
        for (name, text) in files {
            let direct = read(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let got = decode(&encode(&read_reply(name, text))).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.meta, direct.meta, "{name}");
            assert_eq!(got.format, direct.format.name(), "{name}");
            assert_eq!(got.fields, direct.fields, "{name}");
            assert!(!got.fields.is_empty(), "{name}");
        }
    }

    /// A preset arrives as the model its config.json states, named.
    #[test]
    fn a_preset_arrives_as_its_spec() {
        for p in super::super::model_presets() {
            let got = decode(&encode(&preset_reply(p.id))).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert_eq!(got.meta.model, p.spec(), "{}", p.id);
            assert!(!got.fields.is_empty(), "{}", p.id);
        }
        assert_eq!(decode(&encode(&preset_reply("gpt-5"))), Err("there is no preset `gpt-5`".into()));
    }

    #[test]
    fn a_refusal_arrives_with_its_place() {
        let direct = read("sys.yaml", "gpu:\n  mem: [1, 2\n").unwrap_err().to_string();
        assert_eq!(decode(&encode(&read_reply("sys.yaml", "gpu:\n  mem: [1, 2\n"))), Err(direct.clone()));
        assert!(direct.contains(':'), "{direct}");
        assert!(decode("not json").unwrap_err().contains("could not be read"));
    }
}
