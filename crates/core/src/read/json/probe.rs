//! What the top level of a JSON text is, found in one pass that builds nothing: a
//! planscope canonical plan (`{"planscope": 1, ...}`) is then read straight into `Plan`,
//! without a `serde_json::Value` tree of the whole file first. That tree costs about ten
//! times the file's size (a map entry, a `String` and a `Value` per field), and the
//! canonical form is the one large plans come in (the generator, the rewriter, the page's
//! export). O(n) time in the text, O(1) memory beyond the version value.

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The top level as far as the reader needs it to choose its path.
pub enum Top {
    /// An object with a `planscope` key: its value (the last one, as a map would keep).
    Canonical(Value),
    /// Anything else, read through a `Value` tree as before.
    Other,
}

/// The top level of `text`, or `Other` when the text is not valid JSON (the `Value` path
/// then reports the error where it is).
pub fn probe(text: &str) -> Top {
    let mut de = serde_json::Deserializer::from_str(text);
    match de.deserialize_any(TopVisitor).and_then(|top| de.end().map(|()| top)) {
        Ok(top) => top,
        Err(_) => Top::Other,
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Version => version = Some(map.next_value::<Value>()?),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(version.map_or(Top::Other, Top::Canonical))
    }

    // Every other top level (a list, a string, ...) is not canonical; its contents are skipped.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other)
    }
    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other)
    }
}

/// A top-level key: the version key or another, told apart without keeping the text.
enum Key {
    Version,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, key: &str) -> Result<Key, E> {
                Ok(if key == super::VERSION_KEY { Key::Version } else { Key::Other })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_canonical_from_other() {
        assert!(matches!(probe(r#"{"nodes": [], "planscope": 1}"#), Top::Canonical(v) if v == 1));
        assert!(
            matches!(probe(r#"{"a": {"planscope": 1}, "planscope": 2, "planscope": "x"}"#), Top::Canonical(v) if v == "x")
        );
        assert!(matches!(probe(r#"{"nodes": [{"planscope": 1}]}"#), Top::Other));
        assert!(matches!(probe(r#"[{"planscope": 1}]"#), Top::Other));
        assert!(matches!(probe(r#"{"planscope": 1"#), Top::Other));
        assert!(matches!(probe(r#"{"planscope": 1} x"#), Top::Other));
        assert!(matches!(probe("\"planscope\""), Top::Other));
    }
}
