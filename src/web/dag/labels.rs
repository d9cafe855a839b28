//! The text drawn in a box: the node's label (or id) wrapped between words as the layout
//! sized it,
//! then the operation and output shape; a collapsed group's label and member count.

use planscope_core::layout::Item;
use planscope_core::layout::wrap::{LINE, wrap};
use planscope_core::model::Node;

/// Width of a character at the 12px label font, as the layout assumes.
const CHAR_W: f32 = 7.0;
const LINE_H: f32 = 16.0;

/// Lines for an item of `width`×`height`, each cut to fit.
pub fn lines(item: &Item, node: Option<&Node>, group_label: Option<&str>) -> Vec<String> {
    let max_chars = (((item.width - 10.0) / CHAR_W).floor() as usize).max(3);
    let max_lines = (((item.height - 6.0) / LINE_H).floor() as usize).max(1);
    let mut out: Vec<String> = Vec::new();
    let (text, tail) = match (group_label, node) {
        (Some(g), _) => (g.to_string(), None),
        (None, Some(n)) => {
            let op = n.op.as_ref().map(|o| o.name().to_string()).unwrap_or_else(|| n.kind.as_str().to_string());
            let tail = match &n.output {
                Some(s) => format!("{op} · {s}"),
                None => op,
            };
            (n.label.clone().unwrap_or_else(|| n.id.clone()), Some(tail))
        }
        (None, None) => (String::new(), None),
    };
    // Wrapped between words as the layout sized the box (`layout::wrap`).
    out.extend(wrap(&text, LINE));
    // The operation and shape take the last line when there is room for two.
    let body = if tail.is_some() && max_lines >= 2 { max_lines - 1 } else { max_lines };
    if out.len() > body {
        out.truncate(body);
        if let Some(last) = out.last_mut() {
            last.push('…');
        }
    }
    if let Some(t) = tail
        && max_lines >= 2
    {
        out.push(t);
    }
    out.into_iter().map(|l| cut(&l, max_chars)).collect()
}

/// The first line of a label as the layout wraps it (for labels beside small boxes).
pub fn first_line(text: &str) -> String {
    wrap(text, LINE).into_iter().next().map(|l| cut(&l, LINE)).unwrap_or_default()
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}
