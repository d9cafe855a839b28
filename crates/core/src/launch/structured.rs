//! Config files as settings: YAML (serde_norway, a maintained fork of serde_yaml), TOML
//! (toml) and JSON (serde_json), each flattened into dotted keys with the line:col the key
//! is written at. Which notation: the file's extension, else the text's first character
//! (`{` JSON, `[` TOML), else flags.

use super::entry::{Entry, Failure, normalize};
use super::{LaunchErrorKind, Notation};
use crate::read::line_col;

/// Nesting deeper than this is refused: no launch config nests past a handful of levels.
const MAX_DEPTH: usize = 64;

pub fn notation(file_name: &str, text: &str) -> Notation {
    let lower = file_name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "yaml" | "yml" => return Notation::Yaml,
        "toml" => return Notation::Toml,
        "json" => return Notation::Json,
        "sh" | "bash" | "txt" => return Notation::Flags,
        _ => {}
    }
    let t = text.trim_start();
    if t.starts_with('{') {
        Notation::Json
    } else if t.starts_with('[') {
        Notation::Toml
    } else if !t.contains(char::is_whitespace) && !t.starts_with('-') {
        Notation::Name
    } else {
        Notation::Flags
    }
}

/// A scalar or list value, and the keys under it.
enum Node {
    Leaf(String),
    Map(Vec<(String, Node)>),
    Empty,
}

fn from_json(v: &serde_json::Value, depth: usize) -> Result<Node, ()> {
    if depth > MAX_DEPTH {
        return Err(());
    }
    Ok(match v {
        serde_json::Value::Object(m) => {
            Node::Map(m.iter().map(|(k, v)| Ok((k.clone(), from_json(v, depth + 1)?))).collect::<Result<_, ()>>()?)
        }
        serde_json::Value::String(s) => Node::Leaf(s.clone()),
        serde_json::Value::Null => Node::Empty,
        other => Node::Leaf(other.to_string()),
    })
}

fn from_yaml(v: &serde_norway::Value, depth: usize) -> Result<Node, ()> {
    use serde_norway::Value as Y;
    if depth > MAX_DEPTH {
        return Err(());
    }
    Ok(match v {
        Y::Mapping(m) => {
            let mut out = Vec::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => continue,
                };
                out.push((key, from_yaml(v, depth + 1)?));
            }
            Node::Map(out)
        }
        Y::String(s) => Node::Leaf(s.clone()),
        Y::Number(n) => Node::Leaf(n.to_string()),
        Y::Bool(b) => Node::Leaf(b.to_string()),
        Y::Tagged(t) => from_yaml(&t.value, depth + 1)?,
        Y::Sequence(s) => Node::Leaf(format!("[{} items]", s.len())),
        Y::Null => Node::Empty,
    })
}

fn from_toml(v: &toml::Value, depth: usize) -> Result<Node, ()> {
    if depth > MAX_DEPTH {
        return Err(());
    }
    Ok(match v {
        toml::Value::Table(t) => {
            Node::Map(t.iter().map(|(k, v)| Ok((k.clone(), from_toml(v, depth + 1)?))).collect::<Result<_, ()>>()?)
        }
        toml::Value::String(s) => Node::Leaf(s.clone()),
        toml::Value::Integer(i) => Node::Leaf(i.to_string()),
        toml::Value::Float(f) => Node::Leaf(f.to_string()),
        toml::Value::Boolean(b) => Node::Leaf(b.to_string()),
        toml::Value::Array(a) => Node::Leaf(format!("[{} items]", a.len())),
        toml::Value::Datetime(d) => Node::Leaf(d.to_string()),
    })
}

/// The offset of the first flow bracket (`[`, `{`) nested deeper than `MAX_DEPTH`
/// outside comments. libyaml scans deep flow nesting in quadratic time before
/// serde_norway's recursion limit refuses it (50,000 levels: ~10 s), so depth is held
/// here first, in one pass.
fn too_deep_flow(text: &str) -> Option<usize> {
    // Quotes are not skipped: an unclosed quote must not hide brackets libyaml would scan.
    // Brackets nested 64 deep inside a real config's strings do not occur.
    let mut depth = 0usize;
    let mut comment = false;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match b {
            b'\n' => comment = false,
            _ if comment => {}
            b'#' if i == 0 || matches!(text.as_bytes()[i - 1], b' ' | b'\t' | b'\n') => comment = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn too_deep() -> Failure {
    (0, 0, LaunchErrorKind::Syntax { notation: "config", message: format!("nested deeper than {MAX_DEPTH} levels") })
}

/// The settings of a config file, flattened to dotted keys in the file's order (TOML's
/// in key order), each at the line:col its key is written.
pub fn entries(notation: Notation, text: &str) -> Result<Vec<Entry>, Failure> {
    let root = match notation {
        Notation::Json => {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                (
                    e.line() as u32,
                    e.column() as u32,
                    LaunchErrorKind::Syntax { notation: "JSON", message: e.to_string() },
                )
            })?;
            from_json(&v, 0).map_err(|_| too_deep())?
        }
        Notation::Yaml => {
            if let Some(at) = too_deep_flow(text) {
                let (l, c) = line_col(text, at);
                return Err((
                    l,
                    c,
                    LaunchErrorKind::Syntax {
                        notation: "YAML",
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    },
                ));
            }
            let v: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
                let (l, c) = e.location().map_or((0, 0), |p| (p.line() as u32, p.column() as u32));
                (l, c, LaunchErrorKind::Syntax { notation: "YAML", message: e.to_string() })
            })?;
            from_yaml(&v, 0).map_err(|_| too_deep())?
        }
        _ => {
            let v: toml::Table = toml::from_str(text).map_err(|e| {
                let (l, c) = e.span().map_or((0, 0), |s| line_col(text, s.start));
                (l, c, LaunchErrorKind::Syntax { notation: "TOML", message: e.message().to_string() })
            })?;
            from_toml(&toml::Value::Table(v), 0).map_err(|_| too_deep())?
        }
    };
    let mut out = Vec::new();
    flatten(&root, "", "", text, 0, &mut out);
    Ok(out)
}

fn flatten(node: &Node, key: &str, shown: &str, text: &str, from: usize, out: &mut Vec<Entry>) {
    match node {
        Node::Map(items) => {
            for (k, v) in items {
                let at = locate(text, k, from).unwrap_or(from);
                let key = if key.is_empty() { normalize(k) } else { format!("{key}.{}", normalize(k)) };
                let shown = if shown.is_empty() { k.clone() } else { format!("{shown}.{k}") };
                flatten(v, &key, &shown, text, at, out);
            }
        }
        Node::Leaf(value) => {
            let (line, col) = line_col(text, from);
            out.push(Entry {
                key: key.to_string(),
                shown: shown.to_string(),
                dashes: 0,
                value: Some(value.clone()),
                attached: true,
                line,
                col,
                unset: None,
            });
        }
        Node::Empty => {}
    }
}

/// The byte offset of `key` written as a key at or after `from`: not inside a longer name.
fn locate(text: &str, key: &str, from: usize) -> Option<usize> {
    let is_name = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let bytes = text.as_bytes();
    let mut start = from.min(text.len());
    while let Some(p) = text.get(start..).and_then(|t| t.find(key)) {
        let at = start + p;
        let end = at + key.len();
        let before_ok = at == 0 || !is_name(bytes[at - 1]);
        let after_ok = end >= bytes.len() || !is_name(bytes[end]);
        if before_ok && after_ok {
            // A JSON key starts at its opening quote.
            return Some(if at > 0 && bytes[at - 1] == b'"' { at - 1 } else { at });
        }
        start = end;
    }
    None
}

/// planscope's own meta (`{"strategy": "EP64_TP2", …}`, a `--conditions` file).
pub fn planscope_strategy(entries: &[Entry]) -> Option<String> {
    entries.iter().find(|e| e.key == "strategy" || e.key == "strategy-name").and_then(|e| e.value.clone())
}
