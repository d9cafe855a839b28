//! Numbers as plan files write them: `64`, `"64"`, `"64GB"`, `"400 TFLOPS"`,
//! `"1.8TB/s"`, `"60%"`. Each reader converts to the unit `Meta` documents and returns
//! None for anything it cannot read with confidence (the raw value stays in attrs).

use serde_json::Value;

/// The leading number of a string and the rest, trimmed: `"1.8TB/s"` -> (1.8, "TB/s").
fn split_number(text: &str) -> Option<(f64, &str)> {
    let t = text.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == ',')).unwrap_or(t.len());
    let digits: String = t[..end].chars().filter(|&c| c != '_' && c != ',').collect();
    let value = crate::decimal::parse(&digits)?;
    value.is_finite().then_some((value, t[end..].trim()))
}

fn number(v: &Value) -> Option<(f64, String)> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()).map(|f| (f, String::new())),
        Value::String(s) => split_number(s).map(|(f, unit)| (f, unit.to_string())),
        _ => None,
    }
}

/// A whole count (layers, GPUs, heads): `16`, `16.0`, `"16"`. No unit allowed.
pub fn count(v: &Value) -> Option<u64> {
    let (f, unit) = number(v)?;
    (unit.is_empty() && f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64).then_some(f as u64)
}

pub fn count32(v: &Value) -> Option<u32> {
    count(v).and_then(|c| u32::try_from(c).ok())
}

/// A fraction 0..1: `0.6`, `60`, `"60%"`, `"0.6"`. Values above 1 are read as percent.
pub fn fraction(v: &Value) -> Option<f64> {
    let (f, unit) = number(v)?;
    let f = match unit.as_str() {
        "%" => f / 100.0,
        "" if f > 1.0 => f / 100.0,
        "" => f,
        _ => return None,
    };
    (0.0..=1.0).contains(&f).then_some(f)
}

/// A power-of-ten prefix letter as a factor relative to giga.
fn prefix_to_giga(p: char) -> Option<f64> {
    Some(match p.to_ascii_lowercase() {
        'k' => 1e-6,
        'm' => 1e-3,
        'g' => 1.0,
        't' => 1e3,
        'p' => 1e6,
        _ => return None,
    })
}

/// Memory in GB: `64`, `"64GB"`, `"64 GiB"`, `"0.5TB"`, `"80G"`.
pub fn gigabytes(v: &Value) -> Option<f64> {
    let (f, unit) = number(v)?;
    let u = unit.to_ascii_lowercase();
    let factor = match u.as_str() {
        "" => 1.0,
        "gib" => 1.073_741_824,
        "tib" => 1_099.511_627_776,
        _ => {
            let mut chars = u.chars();
            let p = prefix_to_giga(chars.next()?)?;
            match chars.as_str() {
                "" | "b" | "byte" | "bytes" => p,
                _ => return None,
            }
        }
    };
    Some(f * factor)
}

/// Bandwidth in GB/s: `1800`, `"1.8TB/s"`, `"1.8TBps"`, `"900 GB/s"`. A lowercase `b`
/// after an uppercase prefix (`"400 Gb/s"`, `"100Gbps"`) is bits and divided by 8.
pub fn gigabytes_per_second(v: &Value) -> Option<f64> {
    let (f, unit) = number(v)?;
    if unit.is_empty() {
        return Some(f);
    }
    let mut chars = unit.chars();
    let prefix = chars.next()?;
    let rest = chars.as_str();
    let p = prefix_to_giga(prefix)?;
    let bits = prefix.is_ascii_uppercase() && rest.starts_with('b');
    let per_second = rest.to_ascii_lowercase();
    let per_second = per_second.strip_prefix("bytes").or_else(|| per_second.strip_prefix('b'))?;
    if !matches!(per_second.trim(), "/s" | "ps" | "/sec" | "per second" | "/ s") {
        return None;
    }
    Some(if bits { f * p / 8.0 } else { f * p })
}

/// Compute in TFLOPS: `400`, `"400 TFLOPS"`, `"400TFlops"`, `"1.2 PFLOPS"`.
pub fn teraflops(v: &Value) -> Option<f64> {
    let (f, unit) = number(v)?;
    let u = unit.to_ascii_lowercase();
    if u.is_empty() {
        return Some(f);
    }
    let mut chars = u.chars();
    let p = prefix_to_giga(chars.next()?)? / 1e3;
    matches!(chars.as_str(), "flops" | "flop/s" | "flop" | "flops/s").then_some(f * p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_corpus_spellings() {
        assert_eq!(gigabytes(&json!("64GB")), Some(64.0));
        assert_eq!(gigabytes(&json!(64)), Some(64.0));
        assert_eq!(teraflops(&json!("400TFlops")), Some(400.0));
        assert_eq!(teraflops(&json!("400 TFLOPS")), Some(400.0));
        assert_eq!(gigabytes_per_second(&json!("1.8TBps")), Some(1800.0));
        assert_eq!(gigabytes_per_second(&json!("1.8TB/s")), Some(1800.0));
        assert_eq!(gigabytes_per_second(&json!("400 Gb/s")), Some(50.0));
        assert_eq!(fraction(&json!("60%")), Some(0.6));
        assert_eq!(fraction(&json!(0.8)), Some(0.8));
        assert_eq!(fraction(&json!(80)), Some(0.8));
        assert_eq!(count(&json!("16")), Some(16));
        assert_eq!(count(&json!(16.0)), Some(16));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(count(&json!(16.5)), None);
        assert_eq!(count(&json!("235B")), None);
        assert_eq!(gigabytes(&json!("lots")), None);
        assert_eq!(fraction(&json!("150%")), None);
        assert_eq!(teraflops(&json!("400 apples")), None);
        assert_eq!(gigabytes_per_second(&json!("1.8TB")), None);
    }
}
