//! gzip-compressed plans (`plan.json.gz`, `plan.dot.gz`: bytes starting `1f 8b`). This is
//! how a plan larger than the input limit opens: a 1,000,000-node plan is about 540 MB of
//! canonical JSON but some 20 MB compressed. A compressed plan that inflates within
//! `limits::INPUT_BYTES` is read as its text, in any notation. One that inflates past it
//! must be planscope's canonical JSON (what `planscope rewrite` and the page's export
//! write, `{"planscope": 1, ...}` first), and is read straight from the decompressor into
//! the `Plan` (`stream.rs`), a slice at a time: the inflated text is never held, so memory
//! is the plan plus a few MB. Canonical JSON past `STREAM_ABOVE` (4 MB) streams the same way
//! even within the input limit; should it not read, it is read again as text for the same
//! error as ever. It may inflate to `limits::INFLATED_BYTES`; a gzip bomb stops there with
//! the limit named. O(n) time in the inflated size.

mod members;

use super::stream::{Reading, Step};
use super::{ReadError, read_plan, within_limits};
use crate::limits::{self, Limit, LimitError};
use crate::model::Plan;
use members::Members;
use serde::de::IgnoredAny;
use std::io::{self, BufReader, Read};

/// Whether `bytes` are gzip-compressed (RFC 1952 §2.3.1: ID1 = 0x1f, ID2 = 0x8b).
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Reads a gzip-compressed plan (see the module's comment for what is accepted).
pub fn read_gzip(bytes: &[u8]) -> Result<Plan, ReadError> {
    read_gzip_within(bytes, limits::INPUT_BYTES, limits::INFLATED_BYTES)
}

/// A compressed plan inflated: its text when that is within `limits::INPUT_BYTES` (read
/// it with `read_plan`; the page keeps it for a permalink), else the plan being streamed
/// from the decompressor.
pub enum Inflated<'a> {
    Text(String),
    Stream(Box<PlanStream<'a>>),
}

/// Inflates a compressed plan (see the module's comment for what is accepted): the text,
/// or the first `limits::INPUT_BYTES` inflated and the plan ready to be read from them on.
pub fn inflate(bytes: &[u8]) -> Result<Inflated<'_>, ReadError> {
    inflate_within(bytes, limits::INPUT_BYTES, limits::INFLATED_BYTES)
}

/// Inflated text read as a compressed plan past `STREAM_ABOVE` is read: streamed when it
/// starts as canonical JSON, else `None` (such text is read whole). `None` too when the
/// stream gives up (then the caller reads it again the slow way, for the exact error).
/// Whatever it reads, `read_plan` reads the same: the `stream` fuzz target holds it to that.
pub fn read_streamed(text: &[u8]) -> Option<Plan> {
    if !starts_canonical(strip_bom(text)) {
        return None;
    }
    let mut reading = Reading::new(strip_bom(text));
    loop {
        if let Step::Done(plan) = reading.step(usize::MAX)? {
            return Some(*plan);
        }
    }
}

/// As `read_gzip`, with the text and inflated limits given (tests use small ones).
fn read_gzip_within(bytes: &[u8], text_max: usize, inflated_max: u64) -> Result<Plan, ReadError> {
    match inflate_within(bytes, text_max, inflated_max)? {
        Inflated::Text(text) => read_plan(&text),
        Inflated::Stream(mut stream) => loop {
            if let Progress::Done(plan) = stream.step(usize::MAX)? {
                return Ok(*plan);
            }
        },
    }
}

/// Canonical text past this size is streamed rather than inflated whole first, even within
/// the input limit: a text that large never fits a permalink anyway (the page tries links
/// for plans up to 2.6 MB, `permalink.rs`), and inflating 64 MB before reading took over a
/// second in the page (a 250k-node plan, headless Chromium).
const STREAM_ABOVE: usize = 4 * 1024 * 1024;

fn inflate_within(bytes: &[u8], text_max: usize, inflated_max: u64) -> Result<Inflated<'_>, ReadError> {
    if let Err(e) = Limit::InputBytes.check(bytes.len() as u64) {
        return Err(ReadError::whole(e.to_string()));
    }
    let first = text_max.min(STREAM_ABOVE);
    let (mut head, mut decoder) = inflate_head(bytes, first)?;
    if head.len() > first && starts_canonical(strip_bom(&head)) {
        let reading = Reading::new(capped(without_bom(head), decoder, inflated_max));
        return Ok(Inflated::Stream(Box::new(PlanStream { bytes, text_max, inflated_max, reading })));
    }
    if head.len() > first {
        // Not canonical: the rest of the text, up to one byte past the input limit.
        let more = (text_max - first) as u64;
        (&mut decoder).take(more).read_to_end(&mut head).map_err(|e| damaged(&e))?;
    }
    if head.len() <= text_max {
        return utf8(head).map(Inflated::Text);
    }
    let mb = text_max / (1024 * 1024);
    Err(ReadError::whole(format!(
        "this compressed plan inflates past {mb} MB: planscope reads a compressed plan that large only as its \
         canonical JSON (starting {{\"planscope\": 1, ...}}, as `planscope rewrite` and the page's export write it)"
    )))
}

/// The inflated bytes as text, or where they stop being UTF-8.
fn utf8(head: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(head).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ReadError::whole(format!("the compressed file is not UTF-8 text (byte {at} inflated)"))
    })
}

fn strip_bom(head: &[u8]) -> &[u8] {
    head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head)
}

type Inflating<'a> = io::Chain<io::Cursor<Vec<u8>>, Capped<Members<'a>>>;

/// The inflated stream: the head already inflated, then the rest, held to `inflated_max`.
fn capped(head: Vec<u8>, decoder: Members<'_>, inflated_max: u64) -> Inflating<'_> {
    let left = inflated_max.saturating_sub(head.len() as u64);
    io::Cursor::new(head).chain(Capped { inner: decoder, left, max: inflated_max })
}

/// A large compressed canonical plan, read a slice at a time (`step`) so the page can show
/// progress and stay responsive. O(n) in the inflated size over all steps.
pub struct PlanStream<'a> {
    bytes: &'a [u8],
    text_max: usize,
    inflated_max: u64,
    reading: Reading<Inflating<'a>>,
}

/// How far a `PlanStream` has come.
pub enum Progress {
    /// Nodes and edges read so far.
    Reading {
        nodes: usize,
        edges: usize,
    },
    Done(Box<Plan>),
}

impl PlanStream<'_> {
    /// Reads about `elements` more nodes and edges, or the rest when fewer are left.
    /// On anything unusual the whole stream is read again through serde (the slow path,
    /// in one go), whose error names the limit or the line:col exactly.
    pub fn step(&mut self, elements: usize) -> Result<Progress, ReadError> {
        match self.reading.step(elements) {
            Some(Step::More { nodes, edges }) => Ok(Progress::Reading { nodes, edges }),
            Some(Step::Done(plan)) => within_limits(*plan).map(|p| Progress::Done(Box::new(p))),
            None => {
                // Within the input limit, the text is read as text, as it would have been
                // had it not streamed: its errors count columns in characters.
                let (head, decoder) = inflate_head(self.bytes, self.text_max)?;
                if head.len() <= self.text_max {
                    let plan = read_plan(&utf8(head)?)?;
                    return Ok(Progress::Done(Box::new(plan)));
                }
                let stream = BufReader::new(capped(without_bom(head), decoder, self.inflated_max));
                if !EXACT_FALLBACK {
                    // Syntax, limits and damage exactly; a value that does not read, as the
                    // fast path saw it.
                    serde_json::from_reader::<_, IgnoredAny>(stream).map_err(stream_error)?;
                    return Err(brief_error(self.reading.failure()));
                }
                let plan: Plan = serde_json::from_reader(stream).map_err(stream_error)?;
                within_limits(plan).map(|p| Progress::Done(Box::new(p)))
            }
        }
    }
}

/// Whether a stream that the fast path gave up on is read again through serde as a `Plan`
/// (every error exact at its line:col), or only checked as JSON. Not in the page: a second
/// copy of the whole plan deserializer (serde's `io::Read` one) costs the wasm 13.5 KB
/// gzipped, past its size budget, for errors in plans over 4 MB that are well-formed JSON.
const EXACT_FALLBACK: bool = cfg!(not(target_arch = "wasm32"));

/// The error for a well-formed stream the fast path could not read: what it saw.
fn brief_error(failure: Option<String>) -> ReadError {
    let what = failure.unwrap_or_else(|| {
        "the top level is not a plan as planscope writes it ({\"planscope\": 1, \"nodes\": [...], \"edges\": [...]}, each key once)"
            .to_string()
    });
    ReadError::whole(format!("invalid planscope plan: {what}"))
}

fn without_bom(mut head: Vec<u8>) -> Vec<u8> {
    if head.starts_with("\u{feff}".as_bytes()) {
        head.drain(..3);
    }
    head
}

/// The first `text_max + 1` inflated bytes and the decompressor, positioned after them.
fn inflate_head(bytes: &[u8], text_max: usize) -> Result<(Vec<u8>, Members<'_>), ReadError> {
    let mut decoder = Members::new(bytes);
    let mut head = Vec::new();
    (&mut decoder).take(text_max as u64 + 1).read_to_end(&mut head).map_err(|e| damaged(&e))?;
    Ok((head, decoder))
}

/// Whether the text opens as planscope's canonical JSON of version 1: `{`, then the key
/// `"planscope"` with the value `1`, whitespace allowed between. O(1): a few bytes.
fn starts_canonical(head: &[u8]) -> bool {
    let mut rest = head;
    let mut eat = |token: &[u8]| -> bool {
        rest = rest.trim_ascii_start();
        match rest.strip_prefix(token) {
            Some(r) => {
                rest = r;
                true
            }
            None => false,
        }
    };
    let opens = eat(b"{") && eat(b"\"planscope\"") && eat(b":") && eat(b"1");
    opens && matches!(rest.trim_ascii_start().first(), Some(b',' | b'}'))
}

/// A reader that fails once more than `left` bytes come through, with the limit named.
struct Capped<R> {
    inner: R,
    left: u64,
    max: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past the limit is read, so that exactly `max` bytes still pass.
        let want = buf.len().min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            let e = LimitError { limit: Limit::InflatedBytes, value: u64::MAX, max: self.max };
            return Err(io::Error::other(e));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn damaged(e: &io::Error) -> ReadError {
    ReadError::whole(format!("the compressed data is damaged or truncated: {e}"))
}

/// A streaming error: the limit when the decompressor passed it, damaged data, or the
/// JSON's own error at its line:col (columns in bytes: the text is not held to count
/// characters).
fn stream_error(e: serde_json::Error) -> ReadError {
    let (line, col) = (e.line(), e.column());
    if e.is_io() {
        let io = io::Error::from(e);
        return match io.get_ref().and_then(|inner| inner.downcast_ref::<LimitError>()) {
            Some(limit) => ReadError::whole(limit.to_string()),
            None => damaged(&io),
        };
    }
    let bare = super::serde_message(&e);
    let message = if e.is_eof() {
        format!("the file ends before the JSON is complete ({bare})")
    } else {
        format!("invalid planscope plan: {bare}")
    };
    match (u32::try_from(line), u32::try_from(col)) {
        (Ok(l), Ok(c)) if l > 0 => ReadError::at(l, c, message),
        _ => ReadError::whole(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(text: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    const CANONICAL: &str = r#"{"planscope": 1, "format": "json", "nodes": [{"id": "a", "kind": "compute", "gpu": 0}],
        "edges": [{"from": "a", "to": "b"}]}"#;

    #[test]
    fn small_compressed_plans_read_as_their_text() {
        let plain = read_plan(CANONICAL).unwrap();
        assert_eq!(read_gzip(&gz(CANONICAL.as_bytes())).unwrap(), plain);
        let dot = "digraph g { a -> b }";
        assert_eq!(read_gzip(&gz(dot.as_bytes())).unwrap(), read_plan(dot).unwrap());
        assert!(is_gzip(&gz(b"{}")) && !is_gzip(b"{}"));
    }

    #[test]
    fn large_canonical_plans_stream_and_others_are_refused() {
        // Past a 16-byte text limit: the canonical plan streams to the same plan.
        let plain = read_plan(CANONICAL).unwrap();
        assert_eq!(read_gzip_within(&gz(CANONICAL.as_bytes()), 16, 1 << 20).unwrap(), plain);
        let dialect = r#"{"nodes": [{"id": "a", "gpu": 0}], "edges": [], "planscope": 1}"#;
        let e = read_gzip_within(&gz(dialect.as_bytes()), 16, 1 << 20).unwrap_err();
        assert!(e.message.contains("canonical JSON"), "{e:?}");
        let old = r#"{"planscope": 2, "nodes": []}"#;
        assert!(read_gzip_within(&gz(old.as_bytes()), 20, 1 << 20).is_err());
    }

    #[test]
    fn bombs_stop_at_the_inflated_limit() {
        let mut bomb = br#"{"planscope": 1, "format": "json", "nodes": [], "edges": [], "name": ""#.to_vec();
        bomb.extend(std::iter::repeat_n(b'x', 1 << 20));
        bomb.extend(br#""}"#);
        let e = read_gzip_within(&gz(&bomb), 1024, 64 * 1024).unwrap_err();
        assert!(e.message.contains("inflated canonical plan size"), "{e:?}");
        // Exactly at the limit still reads.
        assert!(read_gzip_within(&gz(&bomb), 1024, bomb.len() as u64).is_ok());
    }

    #[test]
    fn without_the_exact_fallback_a_bad_node_is_still_named() {
        let text = r#"{"planscope": 1, "format": "json",
            "nodes": [{"id": "a", "kind": "compute"}, {"id": 7, "kind": "compute"}], "edges": []}"#;
        let mut reading = Reading::new(text.as_bytes());
        assert!(reading.step(usize::MAX).is_none());
        let e = brief_error(reading.failure());
        assert!(e.message.contains("`nodes` element 1: invalid type: integer `7`, expected a string"), "{e:?}");
        let dup = r#"{"planscope": 1, "format": "json", "nodes": [], "nodes": [], "edges": []}"#;
        let mut reading = Reading::new(dup.as_bytes());
        assert!(reading.step(usize::MAX).is_none());
        assert!(brief_error(reading.failure()).message.contains("each key once"));
    }

    #[test]
    fn damaged_and_truncated_data_is_named() {
        let mut bytes = gz(CANONICAL.as_bytes());
        bytes.truncate(bytes.len() / 2);
        assert!(read_gzip(&bytes).unwrap_err().message.contains("damaged or truncated"));
        let e = read_gzip_within(&gz(br#"{"planscope": 1, "nodes": [}"#), 20, 1 << 20).unwrap_err();
        assert_eq!((e.line, e.col), (Some(1), Some(28)), "{e:?}");
        // The same, streamed (past a 16-byte text limit): cut short, altered, or followed
        // by bytes that are no member.
        let whole = gz(CANONICAL.as_bytes());
        let e = read_gzip_within(&whole[..whole.len() - 3], 16, 1 << 20).unwrap_err();
        assert!(e.message.contains("damaged or truncated: the file ends at byte"), "{e:?}");
        let mut altered = whole.clone();
        let crc_at = altered.len() - 8;
        altered[crc_at] ^= 1;
        for (text_max, how) in [(16, "streamed"), (1 << 20, "as text")] {
            let e = read_gzip_within(&altered, text_max, 1 << 20).unwrap_err();
            assert!(
                e.message.contains("damaged or truncated: the gzip member at byte 0 fails its CRC-32"),
                "{how}: {e:?}"
            );
            let mut trailing = whole.clone();
            trailing.extend(b"\n");
            let e = read_gzip_within(&trailing, text_max, 1 << 20).unwrap_err();
            let at = whole.len();
            assert!(e.message.contains(&format!("byte {at} is not the start of a gzip member")), "{how}: {e:?}");
        }
    }

    #[test]
    fn a_plan_in_several_members_reads_whole() {
        // `cat a.gz b.gz`, split inside a node: the text is the members' texts in order.
        let (a, b) = CANONICAL.split_at(40);
        let mut file = gz(a.as_bytes());
        file.extend(gz(b.as_bytes()));
        let plain = read_plan(CANONICAL).unwrap();
        assert_eq!(read_gzip(&file).unwrap(), plain);
        assert_eq!(read_gzip_within(&file, 16, 1 << 20).unwrap(), plain, "streamed");
    }

    #[test]
    fn the_inflated_limit_counts_every_member() {
        // Each member alone is within the limit; together they pass it.
        let head = br#"{"planscope": 1, "format": "json", "nodes": [], "edges": [], "name": ""#;
        let mut file = gz(head);
        let filler = vec![b'x'; 40 * 1024];
        file.extend(gz(&filler));
        file.extend(gz(&filler));
        file.extend(gz(br#""}"#));
        let e = read_gzip_within(&file, 1024, 64 * 1024).unwrap_err();
        assert!(e.message.contains("inflated canonical plan size"), "{e:?}");
        let total = (head.len() + 2 * filler.len() + 2) as u64;
        assert!(read_gzip_within(&file, 1024, total).is_ok());
        assert!(read_gzip_within(&file, 1024, total - 1).is_err());
    }
}
