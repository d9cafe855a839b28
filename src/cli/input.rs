//! Loading a plan file for a subcommand, with errors in `FILE:LINE:COL: message` form;
//! the file is read within planscope's input limit (`capped`).

use super::capped;
use planscope_core::model::Plan;
use planscope_core::read::read_bytes;
use std::path::Path;

/// Reads and parses FILE (gzip-compressed or not), or returns the message to print on stderr.
pub fn load(path: &Path) -> Result<Plan, String> {
    let shown = path.display().to_string();
    let bytes = capped::read_bytes(path)?;
    read_bytes(&bytes).map_err(|e| e.with_file(&shown))
}
