//! The canonical planscope JSON: `{"planscope": 1, ...}` followed by the serde form of
//! `Plan` (schema: www/planscope.schema.json; prose: docs/formats.md). `read_json` reads
//! it back to an equal `Plan`.

use crate::model::Plan;
use serde::Serialize;

/// Format version written in the `planscope` key; bumped only on incompatible changes.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Canonical<'a> {
    planscope: u32,
    #[serde(flatten)]
    plan: &'a Plan,
}

/// Pretty-printed canonical JSON, ending with a newline.
pub fn write_json(plan: &Plan) -> String {
    // Through the capped writer with no cap: one copy of the serialization in the page.
    write_json_within(plan, usize::MAX).unwrap_or_else(|| {
        // Unreachable for the model's types (string keys only); never panic in the page.
        format!("{{\"planscope\": {VERSION}, \"error\": \"the plan could not be written\"}}\n")
    })
}

/// [`write_json`] when the text is at most `max_bytes` long, else None, having held at most
/// `max_bytes` (a plan generated in the page may be far past what a text or a link holds).
pub fn write_json_within(plan: &Plan, max_bytes: usize) -> Option<String> {
    /// Fails the write past the cap, which ends serde's serialization.
    struct Capped(Vec<u8>, usize);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > self.1 {
                return Err(std::io::Error::other("past the cap"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Capped(Vec::new(), max_bytes.saturating_sub(1));
    serde_json::to_writer_pretty(&mut out, &Canonical { planscope: VERSION, plan }).ok()?;
    let mut text = String::from_utf8(out.0).ok()?;
    text.push('\n');
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    #[test]
    fn within_writes_the_same_text_or_none() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let full = write_json(&plan);
        assert_eq!(write_json_within(&plan, full.len()).as_deref(), Some(full.as_str()));
        assert_eq!(write_json_within(&plan, full.len() - 1), None);
        assert_eq!(write_json_within(&plan, 0), None);
    }
}
