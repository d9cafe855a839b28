//! Which framework wrote a launch, and what each of its settings means. The program named
//! (`vllm serve`, `python -m sglang.launch_server`, `pretrain_gpt.py`, `torchtitan.train`,
//! `deepspeed`) decides; without one, the settings only one framework spells do
//! (vLLM's `-tp`, SGLang's `--tp` and `--enable-dp-attention`, Megatron-LM's
//! `--tensor-model-parallel-size`, torchtitan's `parallelism.*`, DeepSpeed's
//! `tensor_parallel.tp_size`).

use super::entry::{Entry, Failure, Field, Said, looks_parallel, normalize};
use super::shell::{self, ShellError, Word};
use super::{Framework, LaunchErrorKind, deepspeed, megatron, sglang, torchtitan, vllm};
use std::collections::HashMap;

/// The settings of each launch command in a script, with the line it starts on.
pub fn commands(text: &str) -> Result<Vec<(Said, u32)>, Failure> {
    let cmds = shell::commands(text).map_err(|e| match e {
        ShellError::Unclosed { what, line, col } => {
            (line, col, LaunchErrorKind::Syntax { notation: "shell", message: format!("unclosed {what}") })
        }
        ShellError::Limit { limit, line, col } => (line, col, LaunchErrorKind::Limit(limit)),
    })?;
    let mut out = Vec::new();
    for c in cmds {
        let hint = program(&c.words);
        let entries = flags(&c.words);
        if hint.is_none() && !entries.iter().any(|e| looks_parallel(e.leaf())) {
            continue;
        }
        if let Some(said) = interpret(entries, hint)? {
            out.push((said, c.line));
        }
    }
    Ok(out)
}

/// The framework a command's program names, if any.
fn program(words: &[Word]) -> Option<Framework> {
    let next_is = |i: usize, what: &[&str]| words.get(i + 1).is_some_and(|w| what.contains(&w.text.as_str()));
    for (i, w) in words.iter().enumerate() {
        let t = w.text.as_str();
        let base = t.rsplit('/').next().unwrap_or(t);
        if (base == "vllm" && next_is(i, &["serve"])) || t.contains("vllm.entrypoints") {
            return Some(Framework::Vllm);
        }
        if t.contains("sglang.launch_server")
            || t.contains("sglang_router.launch_server")
            || (base == "sglang" && next_is(i, &["serve", "launch_server"]))
        {
            return Some(Framework::Sglang);
        }
        if (base.starts_with("pretrain_") && base.ends_with(".py")) || t.contains("megatron.training") {
            return Some(Framework::Megatron);
        }
        if t.contains("torchtitan.train") || t.contains("torchtitan/train.py") {
            return Some(Framework::Torchtitan);
        }
        if i == 0 && base == "deepspeed" {
            return Some(Framework::Deepspeed);
        }
    }
    None
}

fn is_number(t: &str) -> bool {
    crate::decimal::parse(t.strip_prefix('-').unwrap_or(t)).is_some()
}

/// The flags of a command: `--name value`, `--name=value`, `-n value`, bare `--switch`.
pub fn flags(words: &[Word]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let t = w.text.as_str();
        i += 1;
        if !t.starts_with('-') || t.len() < 2 || is_number(t) || t == "--" {
            continue;
        }
        let dashes = if t.starts_with("--") { 2 } else { 1 };
        let (name, value, attached) = match t.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string()), true),
            None => match words.get(i) {
                Some(n) if !n.text.starts_with('-') || is_number(&n.text) => (t, Some(n.text.clone()), false),
                _ => (t, None, false),
            },
        };
        let unset =
            if attached { w.unset.clone() } else { value.as_ref().and(words.get(i).and_then(|n| n.unset.clone())) };
        out.push(Entry {
            key: normalize(name),
            shown: name.to_string(),
            dashes,
            value,
            attached,
            line: w.line,
            col: w.col,
            unset,
        });
    }
    out
}

/// Settings only `framework` spells.
fn marks(framework: Framework, e: &Entry) -> bool {
    let k = e.key.as_str();
    let leaf = e.leaf();
    match framework {
        Framework::Vllm => {
            (e.dashes == 1 && ["tp", "dp", "pp", "ep", "dpl"].contains(&k))
                || ["enable-expert-parallel", "data-parallel-size-local", "num-redundant-experts"].contains(&k)
                || k.starts_with("eplb-config")
        }
        Framework::Sglang => {
            (e.dashes == 2 && ["tp", "dp", "ep", "pp"].contains(&k))
                || [
                    "tp-size",
                    "dp-size",
                    "ep-size",
                    "pp-size",
                    "expert-parallel-size",
                    "enable-dp-attention",
                    "moe-dense-tp-size",
                    "ep-num-redundant-experts",
                    "enable-ep-moe",
                    "enable-deepep-moe",
                    "moe-a2a-backend",
                    "enable-dp-lm-head",
                ]
                .contains(&k)
        }
        Framework::Megatron => {
            leaf.ends_with("model-parallel-size")
                || [
                    "context-parallel-size",
                    "expert-tensor-parallel-size",
                    "num-layers-per-virtual-pipeline-stage",
                    "num-virtual-stages-per-pipeline-rank",
                    "decoder-first-pipeline-num-layers",
                    "decoder-last-pipeline-num-layers",
                    "num-layers-in-first-pipeline-stage",
                    "num-layers-in-last-pipeline-stage",
                ]
                .contains(&leaf)
        }
        Framework::Torchtitan => k.starts_with("parallelism."),
        Framework::Deepspeed => {
            ["tensor-parallel.tp-size", "tensor-parallel.autotp-size", "moe.ep-size", "mp-size"].contains(&k)
        }
        Framework::Planscope => false,
    }
}

const SHARED: [&str; 3] = ["tensor-parallel-size", "data-parallel-size", "pipeline-parallel-size"];

fn field(framework: Framework, e: &Entry) -> Option<Field> {
    match framework {
        Framework::Vllm => vllm::field(e),
        Framework::Sglang => sglang::field(e),
        Framework::Megatron => megatron::field(e),
        Framework::Torchtitan => torchtitan::field(e),
        Framework::Deepspeed => deepspeed::field(e),
        Framework::Planscope => None,
    }
}

/// The framework's reading of `entries`: None when nothing in them is parallel and no
/// program was named.
pub fn interpret(entries: Vec<Entry>, hint: Option<Framework>) -> Result<Option<Said>, Failure> {
    const ALL: [Framework; 5] =
        [Framework::Vllm, Framework::Sglang, Framework::Megatron, Framework::Torchtitan, Framework::Deepspeed];
    let framework = match hint {
        Some(f) => f,
        None => {
            let mut seen: Vec<(Framework, &Entry)> = Vec::new();
            for f in ALL {
                if let Some(e) = entries.iter().find(|e| marks(f, e)) {
                    seen.push((f, e));
                }
            }
            // NeMo/Megatron YAML and torchtitan TOML carry `trainer.devices`-style keys
            // that other frameworks never mark; two marking frameworks is a mix.
            match seen.as_slice() {
                [(f, _)] => *f,
                [(a, ea), (b, eb), ..] => {
                    let (first, second) =
                        if (ea.line, ea.col) <= (eb.line, eb.col) { ((a, ea), (b, eb)) } else { ((b, eb), (a, ea)) };
                    return Err((
                        second.1.line,
                        second.1.col,
                        LaunchErrorKind::Mixed {
                            first: *first.0,
                            first_flag: first.1.shown.clone(),
                            second: *second.0,
                            second_flag: second.1.shown.clone(),
                        },
                    ));
                }
                [] => {
                    if let Some(e) = entries.iter().find(|e| SHARED.contains(&e.key.as_str())) {
                        return Err((e.line, e.col, LaunchErrorKind::Ambiguous { flag: e.shown.clone() }));
                    }
                    if let Some(e) = entries.iter().find(|e| looks_parallel(e.leaf())) {
                        return Err((e.line, e.col, LaunchErrorKind::NoStrategy));
                    }
                    return Ok(None);
                }
            }
        }
    };
    let mut said = Said { framework, values: HashMap::new() };
    let mut queue = entries;
    queue.reverse();
    while let Some(e) = queue.pop() {
        match field(framework, &e) {
            Some(Field::EplbConfig) => {
                let text = e.value.clone().unwrap_or_default();
                let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
                    (
                        e.line,
                        e.col,
                        LaunchErrorKind::BadValue {
                            flag: e.shown.clone(),
                            value: text.clone(),
                            expected: "a JSON object",
                        },
                    )
                })?;
                let Some(obj) = parsed.as_object() else {
                    return Err((
                        e.line,
                        e.col,
                        LaunchErrorKind::BadValue { flag: e.shown.clone(), value: text, expected: "a JSON object" },
                    ));
                };
                for (k, v) in obj.iter().rev() {
                    let value = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    queue.push(Entry {
                        key: format!("{}.{}", e.key, normalize(k)),
                        shown: format!("{} {k}", e.shown),
                        dashes: 0,
                        value: Some(value),
                        attached: true,
                        line: e.line,
                        col: e.col,
                        unset: None,
                    });
                }
            }
            Some(f) => said.set(f, &e)?,
            None => {
                let parallel_table = framework == Framework::Torchtitan && e.key.starts_with("parallelism.");
                if parallel_table || looks_parallel(e.leaf()) {
                    return Err((e.line, e.col, LaunchErrorKind::Unknown { framework, flag: e.shown.clone() }));
                }
            }
        }
    }
    Ok(Some(said))
}
