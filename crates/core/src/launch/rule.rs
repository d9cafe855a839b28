//! A framework's rule a launch breaks, as data: the framework, the rule in its words,
//! where the framework states it, and the numbers that break it, named as the framework
//! names them. The shells render it; nothing parses it back.

use super::Framework;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkRule {
    pub framework: Framework,
    /// The rule, in the framework's words (`world_size % (TP × PP × CP) == 0`).
    pub rule: String,
    /// Where the framework states it (file and function, or documentation page).
    pub source: &'static str,
    /// The values that break it, by the framework's names.
    pub numbers: Vec<(String, u64)>,
}

impl FrameworkRule {
    pub(crate) fn new(framework: Framework, rule: impl Into<String>, source: &'static str) -> FrameworkRule {
        FrameworkRule { framework, rule: rule.into(), source, numbers: Vec::new() }
    }

    pub(crate) fn with(mut self, name: &str, value: u64) -> FrameworkRule {
        self.numbers.push((name.to_string(), value));
        self
    }
}

impl fmt::Display for FrameworkRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.framework, self.rule)?;
        if !self.numbers.is_empty() {
            let n: Vec<String> = self.numbers.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            write!(f, " (here {})", n.join(", "))?;
        }
        write!(f, " [{}]", self.source)
    }
}

/// `needs` GPUs by the framework's count where `has` are given.
pub(crate) fn too_few_gpus(
    framework: Framework,
    count: &str,
    needs: u64,
    has: u64,
    source: &'static str,
) -> FrameworkRule {
    FrameworkRule::new(framework, format!("needs {count} = {needs} GPUs but {has} are given"), source)
        .with("needed", needs)
        .with("given", has)
}

/// Pushes `rule` when `value % by != 0` (and `by > 0`).
pub(crate) fn divides(out: &mut Vec<FrameworkRule>, value: u64, by: u64, rule: impl FnOnce() -> FrameworkRule) {
    if by > 0 && !value.is_multiple_of(by) {
        out.push(rule());
    }
}
