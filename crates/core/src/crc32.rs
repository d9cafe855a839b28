//! CRC-32 as gzip (RFC 1952 §8), zip and PNG compute it: the IEEE 802.3 polynomial,
//! reflected (0xEDB88320), starting and ending inverted. The checksum of gzip members
//! (`read::gzip`) and of permalinks (`share::permalink`).
//!
//! Why hand-written: flate2's CRC (crc32fast) put 16 KB of tables into the page's wasm as
//! data, where every gzipped kilobyte is load time (README "Page size"). The same
//! slicing-by-16 method here (Intel's "A Systematic Approach to Building High Performance
//! Software-based CRC Generators", 2006: sixteen bytes folded per step through sixteen
//! tables) builds its tables on first use instead, so the wasm carries a few hundred
//! bytes of code and a compressed plan of hundreds of MB still checks at about 2.4 GB/s
//! natively (one table a byte at a time: 0.4 GB/s). O(n).

use std::sync::OnceLock;

/// Bytes folded per step, and tables.
const SLICES: usize = 16;
type Tables = [[u32; 256]; SLICES];

/// `t[0]` is the byte-at-a-time table; `t[k][b]` is the CRC step of byte `b` followed by
/// `k` zero bytes. O(1): 4,096 entries.
fn build() -> Box<Tables> {
    let mut t = Box::new([[0u32; 256]; SLICES]);
    for i in 0..256 {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        t[0][i] = c;
    }
    for s in 1..SLICES {
        for i in 0..256 {
            let prev = t[s - 1][i];
            t[s][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
        }
    }
    t
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(build)
}

/// A CRC-32 computed over bytes given in pieces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Crc32(u32);

impl Crc32 {
    pub const fn new() -> Crc32 {
        Crc32(0)
    }

    /// Folds `bytes` in. O(n).
    pub fn update(&mut self, bytes: &[u8]) {
        let t = tables();
        let mut c = !self.0;
        let mut chunks = bytes.chunks_exact(SLICES);
        for ch in &mut chunks {
            let word = |i: usize| u32::from_le_bytes([ch[i], ch[i + 1], ch[i + 2], ch[i + 3]]);
            let (a, b, d, e) = (c ^ word(0), word(4), word(8), word(12));
            // Byte j of the chunk goes through the table of the 15 - j bytes after it;
            // spelled out, as the size-optimised builds do not unroll a loop of it.
            c = t[15][(a & 0xff) as usize]
                ^ t[14][((a >> 8) & 0xff) as usize]
                ^ t[13][((a >> 16) & 0xff) as usize]
                ^ t[12][(a >> 24) as usize]
                ^ t[11][(b & 0xff) as usize]
                ^ t[10][((b >> 8) & 0xff) as usize]
                ^ t[9][((b >> 16) & 0xff) as usize]
                ^ t[8][(b >> 24) as usize]
                ^ t[7][(d & 0xff) as usize]
                ^ t[6][((d >> 8) & 0xff) as usize]
                ^ t[5][((d >> 16) & 0xff) as usize]
                ^ t[4][(d >> 24) as usize]
                ^ t[3][(e & 0xff) as usize]
                ^ t[2][((e >> 8) & 0xff) as usize]
                ^ t[1][((e >> 16) & 0xff) as usize]
                ^ t[0][(e >> 24) as usize];
        }
        self.0 = !bytewise(t, c, chunks.remainder());
    }

    /// The checksum of the bytes so far.
    pub const fn sum(self) -> u32 {
        self.0
    }
}

/// One byte a step, with the first table.
fn bytewise(t: &Tables, c: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(c, |c, &b| t[0][((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// The CRC-32 of `bytes`. O(n).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = Crc32::new();
    c.update(bytes);
    c.sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time definition, for the slicing to be held to.
    fn definition(bytes: &[u8]) -> u32 {
        !bytewise(tables(), !0, bytes)
    }

    #[test]
    fn the_standard_check_values() {
        // "123456789" is the check input of the CRC catalogue (CRC-32/ISO-HDLC: 0xCBF43926);
        // zlib's crc32 of "a" is 0xE8B7BE43.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(tables()[0][1], 0x7707_3096, "RFC 1952 §8's table");
    }

    #[test]
    fn pieces_and_slices_agree_with_the_bytewise_definition() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in [0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 999, 1000] {
            let whole = crc32(&data[..len]);
            assert_eq!(whole, definition(&data[..len]), "length {len}");
            for cut in [0, 1, 3, 8, 16, len / 2, len] {
                let cut = cut.min(len);
                let mut c = Crc32::new();
                c.update(&data[..cut]);
                c.update(&data[cut..len]);
                assert_eq!(c.sum(), whole, "length {len} cut at {cut}");
            }
        }
    }
}
