//! A plan's declared strategy written as a framework's launch line (`"strategy": "vllm
//! serve m -tp 8 -dp 16 -ep"`), read into what the verifier says about it.
//!
//! The reading is plain data, and the verifier asks for it through [`LaunchLines`], because
//! the page does not link the launch readers (21 KB of its gzipped wasm, README "Page
//! size"): its readers' worker reads the lines and the page hands the verifier the
//! readings ([`Readings`]). Natively the verifier reads them itself ([`ReadHere`]).

use crate::launch::{self, Framework, LaunchErrorKind};
use crate::model::{Meta, Plan, Strategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a declared strategy means as a launch line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DeclaredLaunch {
    /// A planscope name, prose or nothing a framework launches: nothing to say.
    NotLaunch,
    /// Flags that do not read: the launch reader's message (with line:col).
    Unreadable(String),
    /// A framework's launch: the framework, the degrees it means, the rules it breaks.
    Launch { framework: String, strategy: Strategy, broken: Vec<BrokenLaunchRule> },
    /// Not read: a shell that keeps the launch readers elsewhere had no reading for it.
    Unread,
}

/// A framework rule the launch breaks, in full: framework, rule, numbers, source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokenLaunchRule {
    pub text: String,
}

/// Reads `name` as a launch line held to `gpus` GPUs.
pub fn read_declared(name: &str, gpus: Option<u64>) -> DeclaredLaunch {
    if !needs_reading(name) {
        return DeclaredLaunch::NotLaunch;
    }
    match launch::read_line("strategy", name, gpus) {
        Ok(ls) if ls.framework != Framework::Planscope => DeclaredLaunch::Launch {
            framework: ls.framework.to_string(),
            strategy: ls.strategy,
            broken: ls.broken.iter().map(|r| BrokenLaunchRule { text: r.to_string() }).collect(),
        },
        Ok(_) => DeclaredLaunch::NotLaunch,
        // Only a name written as flags is a launch line gone wrong; prose names stay the
        // name parser's to judge.
        Err(e) if matches!(e.kind, LaunchErrorKind::NoStrategy) || !looks_like_flags(name) => DeclaredLaunch::NotLaunch,
        Err(e) => DeclaredLaunch::Unreadable(e.to_string()),
    }
}

/// A reading as the readers' worker posts it to the page.
pub fn encode(reading: &DeclaredLaunch) -> String {
    // Strings and degrees only: it always serialises; should it not, the page hears why.
    serde_json::to_string(reading).unwrap_or_else(|e| {
        serde_json::to_string(&DeclaredLaunch::Unreadable(format!("the reading could not be passed on: {e}")))
            .unwrap_or_default()
    })
}

/// A reading as the page receives it; anything else is an error saying so.
pub fn decode(json: &str) -> Result<DeclaredLaunch, String> {
    // From bytes, as the page reads all JSON (one serde_json reader type in its wasm).
    serde_json::from_slice(json.as_bytes()).map_err(|e| format!("the launch reader's reply could not be read: {e}"))
}

/// Whether `name` could be a launch line: a launch has words, so a name of one word of
/// letters, digits, `_` and `-` (`EP64_TP2`, every declared strategy of the corpus) is
/// none, and the page asks its worker only for the rare other. [`read_declared`] applies
/// it too, so both ways agree.
pub fn needs_reading(name: &str) -> bool {
    !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn looks_like_flags(text: &str) -> bool {
    text.split_whitespace()
        .any(|w| w.len() > 1 && w.starts_with('-') && !w[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Whether a strategy given by hand (the command's `--strategy`, the page's Target box)
/// is a launch line, to be read by its framework's reader: the name parser would find
/// `-tp 8 -dp 2` in `vllm serve m -tp 8 -dp 2 --enable-expert-parallel` and miss what the
/// flag around them means (EP = TP·DP, experts whole).
pub fn reads_as_launch(text: &str) -> bool {
    needs_reading(text) && looks_like_flags(text)
}

/// The declared name a plan's verification reads as a launch line, with the GPU count it
/// is held to (the options', else the plan's after `overrides`), when it needs reading.
/// The verifier and the page (which reads it beforehand) both key readings by it.
pub fn launch_key(plan: &Plan, gpus: Option<u32>, overrides: &Meta) -> Option<(String, Option<u64>)> {
    let name = overrides.strategy_name.as_ref().or(plan.meta.strategy_name.as_ref())?;
    let gpus = gpus.or(overrides.cluster.gpus).or(plan.meta.cluster.gpus).map(u64::from);
    needs_reading(name).then(|| (name.clone(), gpus))
}

/// How the verifier gets a declared launch line read.
pub trait LaunchLines: std::fmt::Debug + Send + Sync {
    fn declared(&self, name: &str, gpus: Option<u64>) -> DeclaredLaunch;
}

/// The launch readers, here.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadHere;

impl LaunchLines for ReadHere {
    fn declared(&self, name: &str, gpus: Option<u64>) -> DeclaredLaunch {
        read_declared(name, gpus)
    }
}

/// Readings made beforehand, by [`launch_key`]; a name that needs reading and has none is
/// [`DeclaredLaunch::Unread`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Readings(BTreeMap<(String, Option<u64>), DeclaredLaunch>);

impl Readings {
    pub fn has(&self, key: &(String, Option<u64>)) -> bool {
        self.0.contains_key(key)
    }

    pub fn insert(&mut self, key: (String, Option<u64>), reading: DeclaredLaunch) {
        self.0.insert(key, reading);
    }
}

impl LaunchLines for Readings {
    fn declared(&self, name: &str, gpus: Option<u64>) -> DeclaredLaunch {
        if !needs_reading(name) {
            return DeclaredLaunch::NotLaunch;
        }
        self.0.get(&(name.to_string(), gpus)).cloned().unwrap_or(DeclaredLaunch::Unread)
    }
}

/// What verifying reads launch lines with when the caller says nothing: natively the
/// readers themselves; in wasm32 builds none, since the page's launch readers are in its
/// readers' worker and it passes its [`Readings`] (README "Page size").
pub fn default_lines() -> Arc<dyn LaunchLines> {
    #[cfg(not(target_arch = "wasm32"))]
    return Arc::new(ReadHere);
    #[cfg(target_arch = "wasm32")]
    return Arc::new(Readings::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_names_need_no_reading_and_are_no_launch_to_the_readers_either() {
        for name in
            ["EP64_TP2", "EP8", "TP4_PP2_DP2", "EP16_TP2_CP2", "ep64-tp2", "TP2-EP4-PP2-DP2", "vllm", "torchrun"]
        {
            assert!(!needs_reading(name), "{name}");
            assert_eq!(read_declared(name, Some(128)), DeclaredLaunch::NotLaunch, "{name}");
            let said = launch::read_line("strategy", name, Some(128));
            assert!(said.is_err() || said.is_ok_and(|l| l.framework == Framework::Planscope), "{name}");
        }
    }

    #[test]
    fn a_launch_line_reads_the_same_here_and_from_readings() {
        let name = "vllm serve m -tp 2 -dp 64 -ep";
        let here = ReadHere.declared(name, Some(128));
        let DeclaredLaunch::Launch { framework, strategy, .. } = &here else { panic!("{here:?}") };
        assert_eq!((framework.as_str(), strategy.to_string().as_str()), ("vLLM", "EP128_TP2_PP1_DP64_ETP1"));
        let mut given = Readings::default();
        assert_eq!(given.declared(name, Some(128)), DeclaredLaunch::Unread);
        given.insert((name.into(), Some(128)), here.clone());
        assert_eq!(given.declared(name, Some(128)), here);
        assert_eq!(given.declared(name, Some(64)), DeclaredLaunch::Unread, "keyed by the GPU count too");
        assert_eq!(given.declared("EP64_TP2", None), DeclaredLaunch::NotLaunch);
    }

    #[test]
    fn unreadable_flags_say_why_and_prose_is_no_launch() {
        assert!(
            matches!(read_declared("vllm serve m -tp x", None), DeclaredLaunch::Unreadable(m) if m.contains("-tp"))
        );
        assert_eq!(read_declared("expert parallel over sixty-four GPUs", None), DeclaredLaunch::NotLaunch);
    }

    #[test]
    fn a_reading_crosses_as_json() {
        for (name, gpus) in [("vllm serve Qwen/Qwen3-30B-A3B --enable-eplb", Some(8)), ("vllm serve m -tp x", None)] {
            let r = read_declared(name, gpus);
            assert_eq!(decode(&encode(&r)), Ok(r));
        }
        assert!(decode("{").unwrap_err().contains("could not be read"));
    }
}
