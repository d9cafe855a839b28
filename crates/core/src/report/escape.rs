//! HTML escaping. Every string that comes from a plan (ids, file names, messages that
//! quote ids) goes through `esc` before it reaches the document, in text and in
//! attribute values alike, so `<img src=x onerror=…>` or `</script>` render as text.

pub use crate::write::xml::esc;

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
