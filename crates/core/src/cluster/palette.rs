//! Colour-blind-safe palettes. Sequential: cividis (Nuñez et al. 2018), designed to read
//! the same with deuteranomaly and in greyscale. Categorical: Paul Tol's "muted" set,
//! distinguishable under the common colour-vision deficiencies.

/// Cividis at 9 stops, dark blue to yellow.
const CIVIDIS: [(u8, u8, u8); 9] = [
    (0x00, 0x22, 0x4e),
    (0x12, 0x35, 0x70),
    (0x3b, 0x49, 0x6c),
    (0x57, 0x5d, 0x6d),
    (0x70, 0x71, 0x73),
    (0x8a, 0x87, 0x79),
    (0xa6, 0x9d, 0x75),
    (0xc4, 0xb5, 0x6c),
    (0xe4, 0xcf, 0x5b),
];

pub const CATEGORICAL: [&str; 9] =
    ["#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255", "#aa4499"];

/// `t` in 0..=1 (clamped; NaN reads as 0) to a `#rrggbb` colour.
pub fn sequential(t: f64) -> String {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (CIVIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(CIVIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (CIVIDIS[i], CIVIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Group `i` to a colour; groups beyond the palette cycle it.
pub fn categorical(i: u32) -> &'static str {
    CATEGORICAL[i as usize % CATEGORICAL.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ends_and_clamps() {
        assert_eq!(sequential(0.0), "#00224e");
        assert_eq!(sequential(1.0), "#e4cf5b");
        assert_eq!(sequential(7.0), "#e4cf5b");
        assert_eq!(sequential(f64::NAN), "#00224e");
        assert_eq!(categorical(9), categorical(0));
    }
}
