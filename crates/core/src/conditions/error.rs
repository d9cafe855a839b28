//! Why a conditions file was refused: what went wrong and where (line:col for syntax, the
//! key for a value), so the user can fix the file.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum ConditionsError {
    /// The text is not valid JSON/YAML/TOML.
    Syntax { format: &'static str, line: u32, col: u32, message: String },
    /// A key holds a value of the wrong type or outside what it can mean.
    Field { key: String, message: String },
    /// A value whose magnitude says it is in other units than the format states
    /// (bytes given as GB, FLOP/s as TFLOPS, ...).
    Units { key: String, value: f64, expected: &'static str, found: &'static str },
    /// The file is in a format planscope recognises, but nothing in it could be read.
    NothingRead { format: &'static str },
    /// The file is not one planscope reads for conditions.
    NotUnderstood { reason: String },
    /// A strategy file or launch line: read by `planscope strategy` (the launch module),
    /// not by the model and hardware readers.
    Strategy { what: &'static str },
    /// A launch (strategy) the launch reader could not read, in its words (with line:col).
    Launch(String),
    /// A count past planscope's limits.
    Limit(String),
}

impl ConditionsError {
    /// A JSON syntax error in `format` (the file's kind, as the message names it), at
    /// serde_json's line:col.
    pub(super) fn json(format: &'static str, e: &serde_json::Error) -> ConditionsError {
        ConditionsError::Syntax { format, line: e.line() as u32, col: e.column() as u32, message: e.to_string() }
    }
}

impl fmt::Display for ConditionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionsError::Syntax { format, line, col, message } => {
                write!(f, "{line}:{col}: invalid {format}: {message}")
            }
            ConditionsError::Field { key, message } => write!(f, "{key}: {message}"),
            ConditionsError::Units { key, value, expected, found } => {
                write!(
                    f,
                    "{key}: {value} looks like {found}, but this format states {expected} (off by a power of 10^3)"
                )
            }
            ConditionsError::NothingRead { format } => {
                write!(f, "nothing planscope reads was found in this {format}: it states no model or hardware constant")
            }
            ConditionsError::NotUnderstood { reason } => write!(f, "not a model or hardware file: {reason}"),
            ConditionsError::Strategy { what } => write!(
                f,
                "not a model or hardware file: this is {what}, a strategy; give it to --strategy or `planscope strategy`"
            ),
            ConditionsError::Launch(e) => f.write_str(e),
            ConditionsError::Limit(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ConditionsError {}
