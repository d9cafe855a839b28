//! DOT reader. The parser is written by hand rather than taken from a crate, for three
//! reasons: speed (the 3.9 MB, 8,420-node laid-out corpus file must read no slower than
//! Graphviz's own `gc`; strings borrow from the input and the tree is walked once), exact
//! `line:column` errors that say what was expected, and tolerance for the corpus quirks
//! (misspelt shapes, double-escaped `\n`, GPU ids in free-text labels).
//!
//! lexer -> parser (syntax tree) -> build (Graphviz semantics into a `Plan`), with
//! label (GPU/shape/op extraction) and classify (node and edge kinds) as helpers.

mod build;
mod classify;
mod label;
mod lexer;
mod parser;

use super::{Fault, ReadError, line_col, within_size};
use crate::model::Plan;

/// Reads a Graphviz DOT graph into a plan (`format` Dot, `name` the graph's id).
pub fn read_dot(text: &str) -> Result<Plan, ReadError> {
    let text = within_size(text)?;
    let at = |e: parser::SyntaxError| {
        let (line, col) = line_col(text, e.offset);
        let message = match e.fault {
            Fault::NotAPlan => format!("{}: the file is neither JSON nor a Graphviz graph", e.message),
            Fault::InPlan => e.message,
        };
        ReadError { fault: e.fault, ..ReadError::at(line, col, message) }
    };
    let graph = parser::parse(text).map_err(at)?;
    build::build(graph, text.len()).map_err(at)
}
