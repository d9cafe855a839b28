//! The page's model of "what is open": a parsed plan with its name and summary.

use crate::model::Plan;
use crate::read::read_plan;
use crate::summary::Summary;
use std::sync::Arc;

#[derive(Clone)]
pub struct Loaded {
    pub file_name: String,
    pub plan: Arc<Plan>,
    pub summary: Summary,
}

/// Parses text from a file, a drop or a paste. The error is ready to show:
/// `NAME:LINE:COL: message`.
pub fn load_text(file_name: &str, text: &str) -> Result<Loaded, String> {
    let plan = read_plan(text).map_err(|e| e.with_file(file_name))?;
    let summary = Summary::of(&plan);
    Ok(Loaded { file_name: file_name.to_string(), plan: Arc::new(plan), summary })
}
