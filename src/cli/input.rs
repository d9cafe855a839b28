//! Loading a plan file for a subcommand, with errors in `FILE:LINE:COL: message` form;
//! the file is read within planscope's input limit (`capped`).

use super::capped;
use planscope_core::model::Plan;
use planscope_core::read::{ReadError, is_gzip, line_col, read_gzip, read_plan};
use std::path::Path;

/// Reads and parses FILE (gzip-compressed or not), or returns the message to print on stderr.
pub fn load(path: &Path) -> Result<Plan, String> {
    let shown = path.display().to_string();
    let bytes = capped::read_bytes(path)?;
    if is_gzip(&bytes) {
        return read_gzip(&bytes).map_err(|e| e.with_file(&shown));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let (line, col) = line_col(&prefix, valid);
            let err = ReadError::at(line, col, "the file is not UTF-8 text: expected a JSON or DOT plan");
            return Err(err.with_file(&shown));
        }
    };
    read_plan(&text).map_err(|e| e.with_file(&shown))
}
