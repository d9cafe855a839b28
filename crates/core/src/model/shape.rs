//! Tensor shapes as plans write them: `[128, 1024, 4096]` or
//! `[batch_size=4, seq_len=2048, hidden=1024]`, where a dimension may be named,
//! sized, or both.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dim {
    pub name: Option<String>,
    pub size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape(pub Vec<Dim>);

impl Shape {
    pub fn from_sizes(sizes: &[u64]) -> Shape {
        Shape(sizes.iter().map(|&s| Dim { name: None, size: Some(s) }).collect())
    }

    /// Number of elements, when every dimension has a size.
    pub fn elements(&self) -> Option<u64> {
        self.0.iter().try_fold(1u64, |acc, d| d.size.and_then(|s| acc.checked_mul(s)))
    }

    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// Parses the inside or whole of a bracketed list: `[128,1024]`, `batch=4, seq=2048`,
    /// `[batch_size, seq_len, 1024]`, `128x1024`. Returns None when the text holds no list.
    pub fn parse(text: &str) -> Option<Shape> {
        let t = text.trim().trim_start_matches(['[', '(']).trim_end_matches([']', ')']);
        if t.trim().is_empty() {
            return None;
        }
        let sep: &[char] = if t.contains(',') { &[','] } else { &['x', '×', '*'] };
        let mut dims = Vec::new();
        for part in t.split(sep).map(str::trim) {
            if part.is_empty() {
                return None;
            }
            let dim = match part.split_once(['=', ':']) {
                Some((name, size)) => Dim { name: Some(name.trim().to_string()), size: parse_size(size) },
                None => match parse_size(part) {
                    Some(size) => Dim { name: None, size: Some(size) },
                    None if is_name(part) => Dim { name: Some(part.to_string()), size: None },
                    None => return None,
                },
            };
            dims.push(dim);
        }
        Some(Shape(dims))
    }

    /// Reads a JSON shape: an array of numbers and/or names, or a string.
    pub fn from_json(v: &serde_json::Value) -> Option<Shape> {
        use serde_json::Value;
        match v {
            Value::Array(items) => {
                let mut dims = Vec::with_capacity(items.len());
                for item in items {
                    dims.push(match item {
                        Value::Number(n) => {
                            Dim { name: None, size: Some(n.as_u64().or_else(|| n.as_f64().map(|f| f as u64))?) }
                        }
                        Value::String(s) => match parse_size(s) {
                            Some(size) => Dim { name: None, size: Some(size) },
                            None => match s.split_once('=') {
                                Some((n, v)) => Dim { name: Some(n.trim().to_string()), size: parse_size(v) },
                                None => Dim { name: Some(s.clone()), size: None },
                            },
                        },
                        _ => return None,
                    });
                }
                Some(Shape(dims))
            }
            Value::String(s) => Shape::parse(s),
            _ => None,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        Value::Array(
            self.0
                .iter()
                .map(|d| match (&d.name, d.size) {
                    (None, Some(s)) => Value::from(s),
                    (Some(n), Some(s)) => Value::from(format!("{n}={s}")),
                    (Some(n), None) => Value::from(n.clone()),
                    (None, None) => Value::from("?"),
                })
                .collect(),
        )
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().replace('_', "");
    if let Ok(v) = s.parse::<u64>() {
        return Some(v);
    }
    // `4k`, `2K`: some agents abbreviate sequence lengths.
    let (num, mult) = match s.strip_suffix(['k', 'K']) {
        Some(n) => (n, 1024),
        None => return None,
    };
    num.parse::<u64>().ok().and_then(|v| v.checked_mul(mult))
}

fn is_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-' | '*' | '+' | ' '))
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match (&d.name, d.size) {
                (None, Some(s)) => write!(f, "{s}")?,
                (Some(n), Some(s)) => write!(f, "{n}={s}")?,
                (Some(n), None) => f.write_str(n)?,
                (None, None) => f.write_str("?")?,
            }
        }
        f.write_str("]")
    }
}

impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Shape::from_json(&v)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a shape such as [128, 1024], got {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_label_forms() {
        let s = Shape::parse("[batch_size=4, seq_len=2048, hidden=1024]").unwrap();
        assert_eq!(s.elements(), Some(4 * 2048 * 1024));
        assert_eq!(s.to_string(), "[batch_size=4, seq_len=2048, hidden=1024]");
        assert_eq!(Shape::parse("[128,1024,1024]").unwrap(), Shape::from_sizes(&[128, 1024, 1024]));
        let sym = Shape::parse("[batch_size, seq_len, 4096]").unwrap();
        assert_eq!(sym.rank(), 3);
        assert_eq!(sym.elements(), None);
        assert!(Shape::parse("[]").is_none());
        assert!(Shape::parse("[1,,2]").is_none());
    }

    #[test]
    fn json_round_trip() {
        let v = serde_json::json!([128, "seq=1024", "hidden"]);
        let s = Shape::from_json(&v).unwrap();
        assert_eq!(serde_json::to_value(&s).unwrap(), v);
    }
}
