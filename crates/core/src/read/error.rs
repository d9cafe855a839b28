//! A read failure that says what was expected and where.

use std::fmt;

/// Where in the input a problem is: a 1-based line and column, a node id, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub node: Option<String>,
    pub fault: Fault,
}

/// Whether the input was a plan that could not be read, or no plan at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// A plan (JSON holding a graph, or a Graphviz graph) with a fault.
    #[default]
    InPlan,
    /// No plan at all: a JSON object with no node or edge list and nothing a plan declares
    /// (a model config.json), or text that starts as neither JSON nor a Graphviz graph (a
    /// YAML or TOML config, a launch script). The page reads such a file as conditions.
    NotAPlan,
}

impl ReadError {
    pub fn at(line: u32, col: u32, message: impl Into<String>) -> ReadError {
        ReadError { message: message.into(), line: Some(line), col: Some(col), node: None, fault: Fault::InPlan }
    }

    pub fn at_node(node: impl Into<String>, message: impl Into<String>) -> ReadError {
        ReadError { message: message.into(), line: None, col: None, node: Some(node.into()), fault: Fault::InPlan }
    }

    pub fn whole(message: impl Into<String>) -> ReadError {
        ReadError { message: message.into(), line: None, col: None, node: None, fault: Fault::InPlan }
    }

    /// The same error, saying the input is no plan at all.
    pub fn not_a_plan(self) -> ReadError {
        ReadError { fault: Fault::NotAPlan, ..self }
    }

    /// `LINE:COL`, `node ID`, or `LINE:COL (node ID)`, for prefixing messages.
    pub fn location(&self) -> Option<String> {
        match (self.line, self.col, &self.node) {
            (Some(l), Some(c), Some(n)) => Some(format!("{l}:{c} (node {n})")),
            (Some(l), Some(c), None) => Some(format!("{l}:{c}")),
            (Some(l), None, _) => Some(format!("{l}")),
            (None, _, Some(n)) => Some(format!("node {n}")),
            _ => None,
        }
    }

    /// `FILE:LINE:COL: message`, the form compilers use and editors jump to.
    pub fn with_file(&self, file: &str) -> String {
        match (self.line, self.col) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}: {}", self.message_with_node()),
            (Some(l), None) => format!("{file}:{l}: {}", self.message_with_node()),
            _ => format!("{file}: {}", self.message_with_node()),
        }
    }

    fn message_with_node(&self) -> String {
        match &self.node {
            Some(n) => format!("node `{n}`: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message_with_node()),
            _ => f.write_str(&self.message_with_node()),
        }
    }
}

impl std::error::Error for ReadError {}

/// serde_json's message without the position it ends with (" at line L column C"), for
/// callers that give the position apart or where it would mislead (JSON re-read from
/// bytes). Exact: the suffix is rebuilt from the error's own line and column, so a message
/// quoting " at line " keeps it.
pub fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())) {
        Some(bare) if e.line() > 0 => bare.to_string(),
        _ => full,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::serde_message;

    #[test]
    fn serde_messages_lose_only_their_position() {
        let e = serde_json::from_str::<u32>("\"x at line 9\"").unwrap_err();
        assert_eq!(serde_message(&e), "invalid type: string \"x at line 9\", expected u32");
        let e = serde_json::from_value::<u32>(serde_json::json!("a")).unwrap_err();
        assert_eq!(serde_message(&e), e.to_string());
    }
}
