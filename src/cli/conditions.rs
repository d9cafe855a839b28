//! `--conditions FILE_OR_PRESET` (repeatable): model, hardware and meta files, or preset
//! names, read by `planscope_core::conditions` and merged in order (`Meta::merged_with_file`:
//! a later model or GPU replaces an earlier one, anything else wins field by field), as the
//! page's Conditions panel merges them. A file that is not understood exits 2 with the
//! reader's message.

use super::capped;
use planscope_core::conditions::{self, Conditions, ConditionsError};
use planscope_core::model::Meta;
use std::path::Path;

/// Every argument read and merged, in order.
pub fn load(args: &[String]) -> Result<Meta, String> {
    args.iter().try_fold(Meta::default(), |meta, arg| Ok(meta.merged_with_file(&load_one(arg)?.meta)))
}

/// One argument: a file when one is there, else a preset name.
pub fn load_one(arg: &str) -> Result<Conditions, String> {
    let path = Path::new(arg);
    if path.exists() {
        let text = capped::read_text(path)?;
        let name = path.file_name().map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned());
        let read = conditions::read(&name, &text).map_err(|e| match e {
            ConditionsError::Syntax { .. } => format!("{arg}:{e}"),
            _ => format!("{arg}: {e}"),
        })?;
        for rule in &read.launch_broken {
            eprintln!("note: {arg}: the launch breaks {rule}; its strategy is read as written");
        }
        return Ok(read);
    }
    conditions::preset(arg).ok_or_else(|| {
        let models: Vec<&str> = conditions::model_presets().iter().map(|p| p.id).collect();
        let gpus: Vec<&str> = conditions::hardware_presets().iter().map(|p| p.id).collect();
        format!("{arg}: no such file, and not a preset (models: {}; GPUs: {})", models.join(", "), gpus.join(", "))
    })
}
