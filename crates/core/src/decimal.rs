//! Decimal numbers as people type them (`1.5`, `.5`, `5.`, `+2`, `007`, `1e3`), read by
//! serde_json's number parser rather than std's `f64::from_str`.
//!
//! Why by hand: std's parser links a 10 KB table of powers of five (Lemire's algorithm)
//! into the page's wasm, and serde_json, which reads every plan, carries a parser of its
//! own. This accepts std's decimal syntax without `inf`/`NaN` (no caller wanted those),
//! rewrites it into JSON's (no sign, `0` before a bare point, digits after it, no leading
//! zeros) and lets serde_json read that, so a number typed in the Conditions panel reads
//! as the same number in a plan file. serde_json's default parse is exact for up to 15
//! significant digits with a decimal exponent of at most 22 (Clinger's fast path), the
//! numbers people type; past that it may differ from std's in the last bit.

/// The number `text` writes, or None when it is not a decimal number. Surrounding spaces
/// are the caller's to trim. A number too large for f64 is None.
pub fn parse(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let mut json = String::with_capacity(text.len() + 3);
    if negative {
        json.push('-');
    }
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(e) = exponent {
        let unsigned = e.strip_prefix(['-', '+']).unwrap_or(e);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(e);
    }
    serde_json::from_str::<f64>(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_what_std_reads() {
        for t in [
            "0",
            "1",
            "-1",
            "+2",
            "007",
            "1.5",
            ".5",
            "5.",
            "-.25",
            "1e3",
            "1E3",
            "2.5e-3",
            "1e+2",
            "989.5",
            "0.1",
            "141",
            "1979",
            "3.35",
            "0.000001",
            "123456789012345",
            "00.5",
        ] {
            assert_eq!(parse(t), t.parse::<f64>().ok(), "{t}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_decimal_number() {
        for t in [
            "", "-", "+", ".", "e3", "1e", "1e+", "1.2.3", "1,5", "1_0", " 1", "1 ", "inf", "NaN", "0x10", "--1",
            "1e1.5",
        ] {
            assert_eq!(parse(t), None, "{t:?}");
        }
    }

    #[test]
    fn too_large_is_none() {
        assert_eq!(parse("1e400"), None);
    }

    #[test]
    fn agrees_with_std_on_random_short_decimals() {
        // 11 significant digits, decimal exponents −22…10: Clinger's fast path, exact.
        let mut draw = crate::seeded::below(7);
        for _ in 0..5_000 {
            let (whole, frac, exp) = (draw(100_000), draw(1_000_000), i64::from(draw(33)) - 16);
            let t = format!("{whole}.{frac:06}e{exp}");
            assert_eq!(parse(&t), t.parse::<f64>().ok(), "{t}");
        }
    }

    #[test]
    fn within_a_part_in_10_to_the_15_elsewhere() {
        let mut draw = crate::seeded::below(11);
        for _ in 0..5_000 {
            let (whole, frac, exp) = (draw(100_000), draw(1_000_000), i64::from(draw(200)) - 100);
            let t = format!("{whole}.{frac:06}e{exp}");
            let (ours, std) = (parse(&t).unwrap(), t.parse::<f64>().unwrap());
            assert!((ours - std).abs() <= 1e-15 * std.abs(), "{t}: {ours} vs {std}");
        }
    }
}
