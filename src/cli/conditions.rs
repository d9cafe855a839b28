//! `--conditions FILE`: cluster and model constants the plan itself does not declare,
//! as a JSON object shaped like the canonical plan's `meta`
//! (`{"strategy": "EP64_TP2", "cluster": {...}, "model": {...}}`).

use super::capped;
use planscope_core::model::Meta;
use planscope_core::read::line_col;
use std::path::Path;

pub fn load(path: &Path) -> Result<Meta, String> {
    let shown = path.display().to_string();
    let text = capped::read_text(path)?;
    let meta = serde_json::from_str::<Meta>(&text).map_err(|e| {
        let (line, col) = (e.line(), e.column());
        if line == 0 {
            let (l, c) = line_col(&text, 0);
            format!("{shown}:{l}:{c}: {e}")
        } else {
            format!("{shown}:{line}:{col}: expected conditions shaped like a plan's meta: {e}")
        }
    })?;
    meta.within_limits().map_err(|e| format!("{shown}: {e}"))?;
    Ok(meta)
}
