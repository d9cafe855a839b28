//! HTML escaping. Every string that comes from a plan (ids, file names, messages that
//! quote ids) goes through `esc` before it reaches the document, in text and in
//! attribute values alike, so `<img src=x onerror=…>` or `</script>` render as text.

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

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(esc("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(esc("</script>\"'&"), "&lt;/script&gt;&quot;&#39;&amp;");
        assert_eq!(esc("a\u{0}b\u{1b}c"), "abc");
    }
}
