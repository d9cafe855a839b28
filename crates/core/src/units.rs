//! Numbers as people read them, shared by the page, the HTML report and the CLI.

pub fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return "—".into();
    }
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// A share as a percentage: one decimal below 10%, none above. A share above zero that one
/// decimal would round to "0.0%" reads "<0.1%", so that a part that is there (a step's
/// communication, a GPU's memory) is never shown as absent.
pub fn percent(fraction: f64) -> String {
    match fraction * 100.0 {
        p if !p.is_finite() => "—".into(),
        p if p > 0.0 && p < 0.05 => "<0.1%".into(),
        p if p != 0.0 && p.abs() < 10.0 => format!("{p:.1}%"),
        p => format!("{p:.0}%"),
    }
}

pub fn gigabytes(gb: f64) -> String {
    if !gb.is_finite() {
        "—".into()
    } else if gb >= 10.0 {
        format!("{gb:.0} GB")
    } else {
        format!("{gb:.2} GB")
    }
}

pub fn flops(f: f64) -> String {
    let (v, unit) = if f >= 1e15 {
        (f / 1e15, "PFLOP")
    } else if f >= 1e12 {
        (f / 1e12, "TFLOP")
    } else if f >= 1e9 {
        (f / 1e9, "GFLOP")
    } else {
        (f / 1e6, "MFLOP")
    };
    format!("{v:.1} {unit}")
}

/// The form of a word that agrees with a count: `agree(n, "has", "have")`.
pub fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// A count with its noun in the right number and thousands separated: "1 server",
/// "3,715 GPUs". Takes both forms, since English plurals are not all an added "s".
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands_u64(n)) }
}

/// A count with thousands separated by commas: 12,345.
pub fn thousands(n: usize) -> String {
    thousands_u64(n as u64)
}

pub fn thousands_u64(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn bytes(n: usize) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.0} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(seconds(0.02905), "29.05 ms");
        assert_eq!(seconds(2.5e-5), "25.0 µs");
        assert_eq!(percent(0.008), "0.8%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(percent(0.0005), "0.1%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(f64::NAN), "—");
        assert_eq!(gigabytes(0.55), "0.55 GB");
        assert_eq!(flops(1.1e12), "1.1 TFLOP");
        assert_eq!(bytes(3_938_261), "3.9 MB");
        assert_eq!(plural(1, "note"), "1 note");
        assert_eq!(plural(2, "note"), "2 notes");
        assert_eq!(count(1, "server", "servers"), "1 server");
        assert_eq!(count(0, "server", "servers"), "0 servers");
        assert_eq!(count(3715, "GPU", "GPUs"), "3,715 GPUs");
        assert_eq!(count(1, "strategy", "strategies"), "1 strategy");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(123_456_789), "123,456,789");
    }
}
