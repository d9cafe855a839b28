//! Finds where a value sits in the raw JSON text, so semantic errors (found after
//! serde_json has built a `Value`, which keeps no positions) can still say line:col.
//! Only run when an error is reported: one linear scan, no recursion, no allocation
//! beyond decoding object keys. On text it does not understand it returns None.

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg::Index(i)
    }
}

/// Byte offset of the value at `path` (of its first byte), or None.
pub fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for seg in path {
        pos = match (b.get(pos)?, seg) {
            (b'{', Seg::Key(want)) => find_key(text, pos, want)?,
            (b'[', Seg::Index(want)) => find_index(b, pos, *want)?,
            _ => return None,
        };
    }
    Some(pos)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the string starting at `pos` (its opening quote).
fn string_end(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// End (exclusive) of any value starting at `pos`; nesting is counted, not recursed.
fn value_end(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => string_end(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while let Some(c) = b.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
    }
}

fn find_key(text: &str, open: usize, want: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, open + 1);
    loop {
        if *b.get(pos)? != b'"' {
            return None;
        }
        let key_end = string_end(b, pos)?;
        let key: String = serde_json::from_str(text.get(pos..key_end)?).ok()?;
        pos = skip_ws(b, key_end);
        if *b.get(pos)? != b':' {
            return None;
        }
        pos = skip_ws(b, pos + 1);
        if key == want {
            return Some(pos);
        }
        pos = skip_ws(b, value_end(b, pos)?);
        match b.get(pos)? {
            b',' => pos = skip_ws(b, pos + 1),
            _ => return None,
        }
    }
}

fn find_index(b: &[u8], open: usize, want: usize) -> Option<usize> {
    let mut pos = skip_ws(b, open + 1);
    for _ in 0..want {
        pos = skip_ws(b, value_end(b, pos)?);
        match b.get(pos)? {
            b',' => pos = skip_ws(b, pos + 1),
            _ => return None,
        }
    }
    if matches!(b.get(pos)?, b']') { None } else { Some(pos) }
}

/// Byte offset in `text` of the decoded character at 1-based (`line`, `col`) of the JSON
/// string literal whose opening quote is at `open`: maps an error inside an embedded
/// document (a DOT string in `dag_content`) back to the outer file.
pub fn offset_in_string(text: &str, open: usize, line: u32, col: u32) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(open) != Some(&b'"') {
        return None;
    }
    let (mut l, mut c) = (1u32, 1u32);
    let mut i = open + 1;
    loop {
        if l == line && c == col {
            return Some(i);
        }
        let (decoded_newline, next) = match b.get(i)? {
            b'"' => return None,
            b'\\' => match b.get(i + 1)? {
                b'n' => (true, i + 2),
                b'u' => {
                    // A surrogate pair is one character written as two escapes.
                    let hi = u32::from_str_radix(text.get(i + 2..i + 6)?, 16).ok()?;
                    let pair = (0xD800..0xDC00).contains(&hi) && text.get(i + 6..i + 8) == Some("\\u");
                    (false, if pair { i + 12 } else { i + 6 })
                }
                _ => (false, i + 2),
            },
            _ => {
                let ch = text.get(i..)?.chars().next()?;
                (false, i + ch.len_utf8())
            }
        };
        if decoded_newline {
            l += 1;
            c = 1;
        } else {
            c += 1;
        }
        i = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let text = "{\"a\": [1, {\"x\": \"]\"}, {\"gpu\" : 7}], \"b\\\"c\": true}";
        let at = locate(text, &["a".into(), 2.into(), "gpu".into()]).unwrap();
        assert_eq!(&text[at..at + 1], "7");
        let at = locate(text, &["b\"c".into()]).unwrap();
        assert_eq!(&text[at..at + 4], "true");
        assert_eq!(locate(text, &["a".into(), 3.into()]), None);
        assert_eq!(locate(text, &["zz".into()]), None);
        assert_eq!(locate("[", &[0.into()]), None);
    }

    #[test]
    fn maps_string_positions() {
        let text = r#"{"d": "ab\ncd\u00e9x"}"#;
        let open = locate(text, &["d".into()]).unwrap();
        let at = offset_in_string(text, open, 2, 2).unwrap();
        assert_eq!(&text[at..at + 1], "d");
        let at = offset_in_string(text, open, 2, 4).unwrap();
        assert_eq!(&text[at..at + 1], "x");
        assert_eq!(offset_in_string(text, open, 9, 1), None);
    }
}
