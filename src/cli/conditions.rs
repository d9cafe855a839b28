//! `--conditions FILE`: cluster and model constants the plan itself does not declare,
//! as a JSON object shaped like the canonical plan's `meta`
//! (`{"strategy": "EP64_TP2", "cluster": {...}, "model": {...}}`).

use planscope_core::model::Meta;
use planscope_core::read::line_col;
use std::path::Path;

pub fn load(path: &Path) -> Result<Meta, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read the file: {e}"))?;
    serde_json::from_str::<Meta>(&text).map_err(|e| {
        let (line, col) = (e.line(), e.column());
        if line == 0 {
            let (l, c) = line_col(&text, 0);
            format!("{shown}:{l}:{c}: {e}")
        } else {
            format!("{shown}:{line}:{col}: expected conditions shaped like a plan's meta: {e}")
        }
    })
}
