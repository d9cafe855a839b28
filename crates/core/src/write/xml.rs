//! Escaping for XML and HTML text and attribute values: the SVG writer and the HTML
//! report share it.

/// Escapes `& < > " '` (enough for text and for double- or single-quoted attributes).
/// Control characters other than tab and newline are dropped: they are not valid HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(ch),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
