//! Unit checks: a hardware value whose magnitude shows it is in other units than its
//! format states (80e9 given as GB, 989 given as FLOP/s) is an error naming the key, not a
//! GPU a billion times too large. The ranges bracket every datacenter GPU with room: no GPU
//! has under 1 GB or over 100 TB of memory, 1–10^6 TFLOPS, 10–10^6 GB/s of memory bandwidth.

use super::ConditionsError;

/// What a value measures, with the plausible range in the units planscope keeps.
#[derive(Clone, Copy)]
pub(super) enum Quantity {
    /// GB of memory.
    MemoryGb,
    /// TFLOPS.
    Tflops,
    /// GB/s of HBM.
    MemoryGbs,
    /// GB/s of a link (NVLink, NIC).
    LinkGbs,
    /// Seconds of latency.
    LatencySeconds,
    /// A fraction 0..1.
    Fraction,
}

impl Quantity {
    fn range(self) -> (f64, f64) {
        match self {
            Quantity::MemoryGb => (1.0, 1e5),
            Quantity::Tflops => (1.0, 1e6),
            Quantity::MemoryGbs => (10.0, 1e6),
            Quantity::LinkGbs => (0.1, 1e5),
            Quantity::LatencySeconds => (1e-9, 1e-1),
            Quantity::Fraction => (0.0, 1.0),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Quantity::MemoryGb => "GB",
            Quantity::Tflops => "TFLOPS",
            Quantity::MemoryGbs | Quantity::LinkGbs => "GB/s",
            Quantity::LatencySeconds => "seconds",
            Quantity::Fraction => "a fraction between 0 and 1",
        }
    }

    /// The same quantity in base units (bytes, FLOP/s, B/s), for the message.
    fn base_unit(self) -> &'static str {
        match self {
            Quantity::MemoryGb => "bytes",
            Quantity::Tflops => "FLOP/s",
            Quantity::MemoryGbs | Quantity::LinkGbs => "B/s",
            Quantity::LatencySeconds => "microseconds",
            Quantity::Fraction => "a percentage",
        }
    }
}

/// `value`, stated in `quantity`'s unit scaled by `scale` (1e-9 for bytes → GB), checked.
pub(super) fn check(
    key: &str,
    value: f64,
    stated: &'static str,
    scale: f64,
    quantity: Quantity,
) -> Result<f64, ConditionsError> {
    let v = value * scale;
    let (lo, hi) = quantity.range();
    if v >= lo && v <= hi {
        return Ok(v);
    }
    let found = match (v > hi, scale == 1.0) {
        // Stated in GB/TFLOPS/GB/s but far too big: it was given in bytes/FLOP/s/B/s.
        (true, true) => quantity.base_unit(),
        // Stated in bytes/FLOP/s/B/s but far too small: it was given in GB/TFLOPS/GB/s.
        (false, false) => quantity.unit(),
        _ => {
            return Err(ConditionsError::Field {
                key: key.to_string(),
                message: format!("{value} {stated} is outside what any GPU has ({lo}–{hi} {})", quantity.unit()),
            });
        }
    };
    Err(ConditionsError::Units { key: key.to_string(), value, expected: stated, found })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_values_off_by_powers_of_ten() {
        assert_eq!(check("m", 80.0, "GB", 1.0, Quantity::MemoryGb).unwrap(), 80.0);
        assert_eq!(check("m", 80e9, "bytes", 1e-9, Quantity::MemoryGb).unwrap(), 80.0);
        let e = check("mem_per_GPU_in_GB", 80e9, "GB", 1.0, Quantity::MemoryGb).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mem_per_GPU_in_GB: 80000000000 looks like bytes, but this format states GB (off by a power of 10^3)"
        );
        let e = check("bfloat16_tc_flops", 989.0, "FLOP/s", 1e-12, Quantity::Tflops).unwrap_err();
        assert!(e.to_string().contains("looks like TFLOPS"), "{e}");
    }
}
