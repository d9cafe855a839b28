//! The gzip file format (RFC 1952) read over miniz_oxide's raw inflate: each member's
//! header (magic, method 8, flags with FEXTRA, FNAME, FCOMMENT and FHCRC), its deflate
//! data inflated into the caller's buffer, its trailer (CRC-32 and size mod 2^32) checked;
//! members one after another, as `gzip -d` and flate2's MultiGzDecoder read them, so a
//! concatenated file (`cat a.gz b.gz`) is the concatenated text. Anything after a member
//! that is not another member is an error, as in MultiGzDecoder.
//!
//! Why not flate2: it brought a second copy of miniz_oxide and crc32fast's tables into the
//! page's wasm (README "Page size"); the page already links miniz_oxide for permalinks.
//! Memory: the inflater's 32 KB window; the output goes straight into the reader's buffer,
//! so what is inflated is bounded by what the caller reads (`gzip.rs` caps it). O(n) time
//! in the compressed and inflated bytes.

use crate::crc32::{Crc32, crc32};
use miniz_oxide::inflate::stream::{InflateState, MinReset, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use std::fmt;
use std::io::{self, Read};

// RFC 1952 §2.3.1: the header's flag bits; the three high bits are reserved and "must" be
// refused.
const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0xe0;
/// ID1, ID2 and CM = 8 (deflate), the only method RFC 1952 defines.
const MAGIC: [u8; 3] = [0x1f, 0x8b, 8];
/// The fixed part of a header, and the trailer (CRC32, ISIZE).
const HEADER: usize = 10;
const TRAILER: usize = 8;

/// Why a gzip file does not decode, and at which byte of the compressed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GzipError {
    /// Where a member must start, the bytes are not a gzip header (magic 1f 8b, method 8,
    /// no reserved flag): also trailing bytes after the last member.
    NotAMember {
        at: usize,
    },
    /// The header's own CRC-16 (FHCRC) does not match it.
    HeaderChecksum {
        at: usize,
    },
    /// The file ends inside a member (header, data or trailer).
    Truncated {
        at: usize,
    },
    /// The deflate data does not decode (RFC 1951), near this byte.
    Deflate {
        at: usize,
    },
    /// The member's trailer disagrees with what it inflated to: its CRC-32, or its size.
    Checksum {
        member: usize,
    },
    Size {
        member: usize,
    },
}

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GzipError::NotAMember { at } => {
                write!(f, "byte {at} is not the start of a gzip member (expected 1f 8b 08, RFC 1952)")
            }
            GzipError::HeaderChecksum { at } => write!(f, "the gzip header at byte {at} fails its CRC-16"),
            GzipError::Truncated { at } => write!(f, "the file ends at byte {at}, inside a gzip member"),
            GzipError::Deflate { at } => write!(f, "the deflate data is invalid near byte {at}"),
            GzipError::Checksum { member } => {
                write!(f, "the gzip member at byte {member} fails its CRC-32 (its data is altered)")
            }
            GzipError::Size { member } => write!(f, "the gzip member at byte {member} inflates to the wrong size"),
        }
    }
}

impl std::error::Error for GzipError {}

/// Where the decoder is in the file.
#[derive(Clone, Copy)]
enum Part {
    /// Before a member's header (at the start, or after a trailer with bytes left).
    Header,
    /// Inside the deflate data of the member whose header starts at `member`.
    Data {
        member: usize,
    },
    /// Before the trailer of that member.
    Trailer {
        member: usize,
    },
    Done,
    /// Every later read gives the same error.
    Failed(GzipError),
}

/// The inflated bytes of every member of a gzip file, in order, as an `io::Read`; the
/// error of a file that does not decode is a `GzipError` inside the `io::Error`.
pub struct Members<'a> {
    input: &'a [u8],
    /// The next byte of `input` to read.
    at: usize,
    part: Part,
    inflater: Box<InflateState>,
    crc: Crc32,
    /// Bytes the member inflated to, mod 2^32 (ISIZE).
    size: u32,
}

impl<'a> Members<'a> {
    pub fn new(input: &'a [u8]) -> Members<'a> {
        Members {
            input,
            at: 0,
            part: Part::Header,
            inflater: InflateState::new_boxed(DataFormat::Raw),
            crc: Crc32::new(),
            size: 0,
        }
    }

    /// The next bytes, or 0 at the end of the last member.
    fn next(&mut self, out: &mut [u8]) -> Result<usize, GzipError> {
        loop {
            match self.part {
                Part::Header => {
                    let member = self.at;
                    self.at = header_end(self.input, member)?;
                    // Not zeroing the 32 KB window: a file of many tiny members would
                    // otherwise cost far more than its size; what it held came from this file.
                    self.inflater.reset_as(MinReset);
                    self.crc = Crc32::new();
                    self.size = 0;
                    self.part = Part::Data { member };
                }
                Part::Data { member } => {
                    if out.is_empty() {
                        return Ok(0);
                    }
                    let rest = &self.input[self.at..];
                    let r = inflate(&mut self.inflater, rest, out, MZFlush::None);
                    self.at += r.bytes_consumed;
                    let n = r.bytes_written;
                    self.crc.update(&out[..n]);
                    self.size = self.size.wrapping_add(n as u32);
                    match r.status {
                        Ok(MZStatus::StreamEnd) => self.part = Part::Trailer { member },
                        Ok(_) if n > 0 || r.bytes_consumed > 0 => {}
                        // No progress with input left cannot happen; without input it is
                        // the end of the file inside the data.
                        Ok(_) | Err(MZError::Buf) => return Err(GzipError::Truncated { at: self.input.len() }),
                        Err(_) => return Err(GzipError::Deflate { at: self.at }),
                    }
                    if n > 0 {
                        return Ok(n);
                    }
                }
                Part::Trailer { member } => {
                    let Some(t) = self.input.get(self.at..self.at + TRAILER) else {
                        return Err(GzipError::Truncated { at: self.input.len() });
                    };
                    let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
                    let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
                    if crc != self.crc.sum() {
                        return Err(GzipError::Checksum { member });
                    }
                    if size != self.size {
                        return Err(GzipError::Size { member });
                    }
                    self.at += TRAILER;
                    self.part = if self.at == self.input.len() { Part::Done } else { Part::Header };
                }
                Part::Done => return Ok(0),
                Part::Failed(e) => return Err(e),
            }
        }
    }
}

impl Read for Members<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.next(out).map_err(|e| {
            self.part = Part::Failed(e);
            io::Error::other(e)
        })
    }
}

/// Where the data of the member whose header starts at `at` begins (RFC 1952 §2.3.1). O(n)
/// in the header (a name or comment runs to its NUL).
fn header_end(input: &[u8], at: usize) -> Result<usize, GzipError> {
    let fixed = &input[at..input.len().min(at + HEADER)];
    let flags = fixed.get(3).copied().unwrap_or(0);
    if !MAGIC.starts_with(&fixed[..fixed.len().min(3)]) || flags & FRESERVED != 0 {
        return Err(GzipError::NotAMember { at });
    }
    let truncated = GzipError::Truncated { at: input.len() };
    if fixed.len() < HEADER {
        return Err(truncated);
    }
    let mut end = at + HEADER;
    if flags & FEXTRA != 0 {
        let xlen = input.get(end..end + 2).ok_or(truncated)?;
        end += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            let text = input.get(end..).ok_or(truncated)?;
            end += 1 + text.iter().position(|&b| b == 0).ok_or(truncated)?;
        }
    }
    if flags & FHCRC != 0 {
        let stored = input.get(end..end + 2).ok_or(truncated)?;
        // The low 16 bits of the CRC-32 of the header up to here (RFC 1952 §2.3.1).
        if crc32(&input[at..end]) as u16 != u16::from_le_bytes([stored[0], stored[1]]) {
            return Err(GzipError::HeaderChecksum { at });
        }
        end += 2;
    }
    if end > input.len() {
        return Err(truncated);
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// `gzip -9 -c hello.txt` (GNU gzip 1.12): FNAME "hello.txt", an mtime, "hello planscope\n".
    const GNU_GZIP: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x08, 0x00, 0xf1, 0x53, 0x65, 0x02, 0x03, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78,
        0x74, 0x00, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x28, 0xc8, 0x49, 0xcc, 0x2b, 0x4e, 0xce, 0x2f, 0x48, 0xe5,
        0x02, 0x00, 0x44, 0x48, 0x72, 0x2e, 0x10, 0x00, 0x00, 0x00,
    ];
    /// The same text with every optional header field (Python's zlib): FEXTRA (4 bytes),
    /// FNAME "a.txt", FCOMMENT "a comment" and FHCRC (0x4966), a 34-byte header.
    const ALL_FIELDS: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0x00, 0x61, 0x62, 0x01, 0x00, 0x61, 0x2e,
        0x74, 0x78, 0x74, 0x00, 0x61, 0x20, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x00, 0x66, 0x49, 0xcb, 0x48,
        0xcd, 0xc9, 0xc9, 0x57, 0x28, 0xc8, 0x49, 0xcc, 0x2b, 0x4e, 0xce, 0x2f, 0x48, 0xe5, 0x02, 0x00, 0x44, 0x48,
        0x72, 0x2e, 0x10, 0x00, 0x00, 0x00,
    ];
    const ALL_FIELDS_HEADER: usize = 34;
    const HELLO: &[u8] = b"hello planscope\n";

    fn gz(text: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    /// Everything the file inflates to, read `chunk` bytes at a time, or the error.
    fn inflate(bytes: &[u8], chunk: usize) -> Result<Vec<u8>, GzipError> {
        let mut m = Members::new(bytes);
        let (mut out, mut buf) = (Vec::new(), vec![0; chunk]);
        loop {
            match m.next(&mut buf)? {
                0 => return Ok(out),
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    #[test]
    fn files_of_other_writers_read() {
        assert_eq!(inflate(GNU_GZIP, 4096).unwrap(), HELLO);
        assert_eq!(inflate(ALL_FIELDS, 4096).unwrap(), HELLO);
        // flate2's FNAME, FEXTRA and FCOMMENT.
        let mut e = flate2::GzBuilder::new()
            .filename("plan.json")
            .extra(vec![7; 300])
            .comment("written by flate2")
            .write(Vec::new(), Compression::best());
        e.write_all(HELLO).unwrap();
        assert_eq!(inflate(&e.finish().unwrap(), 4096).unwrap(), HELLO);
    }

    #[test]
    fn large_text_reads_in_any_chunk_size() {
        // Past the 32 KB window, compressible and not, read a byte at a time too.
        let text: Vec<u8> = (0..200_000u32).map(|i| if i % 3 == 0 { (i >> 7) as u8 } else { b'x' }).collect();
        let file = gz(&text);
        for chunk in [1, 7, 4096, 1 << 20] {
            assert_eq!(inflate(&file, chunk).unwrap(), text, "chunk {chunk}");
        }
        assert_eq!(inflate(&gz(b""), 10).unwrap(), b"");
    }

    #[test]
    fn members_read_one_after_another() {
        let mut file = gz(b"first ");
        file.extend(GNU_GZIP);
        file.extend(gz(b""));
        file.extend(ALL_FIELDS);
        let mut whole = b"first ".to_vec();
        whole.extend(HELLO);
        whole.extend(HELLO);
        assert_eq!(inflate(&file, 5).unwrap(), whole);
        let mut reference = Vec::new();
        flate2::read::MultiGzDecoder::new(&file[..]).read_to_end(&mut reference).unwrap();
        assert_eq!(reference, whole, "as flate2's MultiGzDecoder reads them");
    }

    #[test]
    fn an_altered_header_or_checksum_is_refused() {
        let mut bad_hcrc = ALL_FIELDS.to_vec();
        bad_hcrc[ALL_FIELDS_HEADER - 2] ^= 1;
        assert_eq!(inflate(&bad_hcrc, 64), Err(GzipError::HeaderChecksum { at: 0 }));
        let mut renamed = ALL_FIELDS.to_vec();
        renamed[16] = b'b'; // "a.txt" → "b.txt", under the header's CRC-16
        assert_eq!(inflate(&renamed, 64), Err(GzipError::HeaderChecksum { at: 0 }));
        let n = GNU_GZIP.len();
        let mut bad_crc = GNU_GZIP.to_vec();
        bad_crc[n - 8] ^= 0x40;
        assert_eq!(inflate(&bad_crc, 64), Err(GzipError::Checksum { member: 0 }));
        let mut bad_size = GNU_GZIP.to_vec();
        bad_size[n - 4] += 1;
        assert_eq!(inflate(&bad_size, 64), Err(GzipError::Size { member: 0 }));
        // A second member with an altered CRC is named at its own offset.
        let mut two = GNU_GZIP.to_vec();
        two.extend(&bad_crc);
        assert_eq!(inflate(&two, 64), Err(GzipError::Checksum { member: n }));
        let mut method = GNU_GZIP.to_vec();
        method[2] = 7;
        assert_eq!(inflate(&method, 64), Err(GzipError::NotAMember { at: 0 }));
        let mut reserved = GNU_GZIP.to_vec();
        reserved[3] |= 0x20;
        assert_eq!(inflate(&reserved, 64), Err(GzipError::NotAMember { at: 0 }));
        // A literal block's length not matching its complement (RFC 1951 §3.2.4).
        let mut stored = GNU_GZIP[..20].to_vec();
        stored.extend([0x01, 0x05, 0x00, 0x00, 0x00]);
        stored.extend(b"hello\0\0\0\0\0\0\0\0");
        assert!(matches!(inflate(&stored, 64), Err(GzipError::Deflate { .. })), "{:?}", inflate(&stored, 64));
    }

    #[test]
    fn every_truncation_is_named() {
        for file in [GNU_GZIP, ALL_FIELDS] {
            for len in 0..file.len() {
                let e = inflate(&file[..len], 64).unwrap_err();
                assert_eq!(e, GzipError::Truncated { at: len }, "cut at {len}");
            }
        }
        let big = gz(&(0..100_000u32).map(|i| (i * 7 % 251) as u8).collect::<Vec<_>>());
        for len in [10, 11, 500, big.len() / 2, big.len() - 9, big.len() - 1] {
            assert_eq!(inflate(&big[..len], 4096), Err(GzipError::Truncated { at: len }), "cut at {len}");
        }
    }

    #[test]
    fn trailing_bytes_after_the_last_member_are_refused() {
        for tail in [&b"\n"[..], b"\x1f", b"\x1f\x8b", b"\0\0\0\0", b"garbage after the member"] {
            let mut file = GNU_GZIP.to_vec();
            file.extend(tail);
            let e = inflate(&file, 64).unwrap_err();
            let at = GNU_GZIP.len();
            // A tail that starts like a member is a member cut short.
            let expected = if b"\x1f\x8b\x08".starts_with(tail) {
                GzipError::Truncated { at: file.len() }
            } else {
                GzipError::NotAMember { at }
            };
            assert_eq!(e, expected, "tail {tail:?}");
        }
        assert_eq!(inflate(b"{\"planscope\": 1}", 64), Err(GzipError::NotAMember { at: 0 }));
    }

    #[test]
    fn an_error_stays_and_says_where() {
        let mut m = Members::new(&GNU_GZIP[..30]);
        let mut buf = [0u8; 64];
        // What inflated before the cut comes first.
        assert_eq!(m.read(&mut buf).unwrap(), 9);
        let first = m.read(&mut buf).unwrap_err();
        assert_eq!(first.to_string(), "the file ends at byte 30, inside a gzip member");
        assert_eq!(m.read(&mut buf).unwrap_err().to_string(), first.to_string(), "not a silent end");
        assert_eq!(
            GzipError::NotAMember { at: 46 }.to_string(),
            "byte 46 is not the start of a gzip member (expected 1f 8b 08, RFC 1952)"
        );
    }
}
