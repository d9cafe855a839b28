//! `--expert-load LOAD.json`: read through the core's one reader (`ExpertLoad::read`, the
//! page's too), its errors prefixed with the file (`LOAD.json:2:6: …`).

use super::capped;
use planscope_core::expert_load::{ExpertLoad, LoadError};
use std::path::Path;
use std::sync::Arc;

pub fn load(path: &Path) -> Result<Arc<ExpertLoad>, String> {
    let text = capped::read_text(path)?;
    ExpertLoad::read(&text).map(Arc::new).map_err(|e| match e {
        LoadError::Syntax { .. } => format!("{}:{e}", path.display()),
        _ => format!("{}: {e}", path.display()),
    })
}
