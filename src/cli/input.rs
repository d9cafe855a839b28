//! Loading a plan file for a subcommand, with errors in `FILE:LINE:COL: message` form;
//! the file is read within planscope's input limit (`capped`).

use super::capped;
use planscope_core::model::Plan;
use planscope_core::read::{Fault, read_bytes};
use std::path::Path;

/// Reads and parses FILE (gzip-compressed or not), or returns the message to print on stderr.
/// A file that is no plan at all (a config, a launch script) is told which commands read it.
pub fn load(path: &Path) -> Result<Plan, String> {
    let shown = path.display().to_string();
    let bytes = capped::read_bytes(path)?;
    read_bytes(&bytes).map_err(|e| match e.fault {
        Fault::NotAPlan => format!(
            "{}. A model or hardware config or a launch line is read as conditions: `planscope verify PLAN \
             --conditions {shown}`; `planscope plan --model CONFIG --hardware GPU --strategy EP64_TP2` deploys a \
             model with no plan",
            e.with_file(&shown)
        ),
        Fault::InPlan => e.with_file(&shown),
    })
}
