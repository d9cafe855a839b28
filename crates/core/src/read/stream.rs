//! A canonical plan read from a byte stream one node and one edge at a time, each parsed
//! from a slice. Why: serde_json reading straight from an `io::Read` goes byte by byte
//! through a line/column counter and is about three times slower than reading a slice
//! (profiled on the 1,000,000-node plan: 70% of the read), but the whole inflated text of
//! a large plan (540 MB for 1M nodes) is too much to hold. So the top level is scanned
//! here, a value at a time: every element of `nodes` and `edges` is cut out and handed to
//! `serde_json::from_slice`, and the small rest of the top level (name, format, meta,
//! groups, attrs) is gathered into a text of its own and read as a `Plan` whose arrays are
//! then filled. Anything unusual (bad JSON, a duplicate key, a node that does not read, a
//! limit passed) gives up with `None`: the caller then reads the stream again the slow
//! way, which reports the exact error at its line:col, so errors are the same either way.
//! (One difference: serde's nesting limit of 128 levels counts from each element here,
//! two levels deeper than in the whole document, so an element nested 127 or 128 deep
//! reads here; it is still bounded.) The end of each value is where serde stopped reading
//! it (`StreamDeserializer::byte_offset`), so the text is parsed once.
//! O(n) time in the stream; memory is the plan plus the largest single value.

use super::quick::Quick;
use crate::limits;
use crate::model::{Edge, Node, Plan};
use serde::de::{DeserializeOwned, IgnoredAny};
use std::io::Read;
use std::ops::Range;

/// How much is inflated at a time.
const CHUNK: usize = 1 << 20;

/// The plan in `src` (canonical JSON), or `None` when anything is unusual (see the module).
#[cfg(test)]
pub fn read_canonical<R: Read>(src: R) -> Option<Plan> {
    let mut r = Reading::new(src);
    loop {
        if let Step::Done(plan) = r.step(usize::MAX)? {
            return Some(*plan);
        }
    }
}

/// A canonical plan being read, a slice at a time (`step`), so a shell can show progress
/// and let the page breathe between slices.
pub struct Reading<R> {
    s: Scan<R>,
    /// The top level without its arrays: `{` then `key:value` pairs joined by commas.
    rest: Vec<u8>,
    nodes: Option<Vec<Node>>,
    edges: Option<Vec<Edge>>,
    at: At,
}

/// Where the reading is.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Start,
    /// Before a top-level key (after `{` or `,`).
    Key,
    /// Inside the `nodes` or `edges` array, before an element.
    Nodes,
    Edges,
    /// After a top-level value.
    AfterValue,
}

/// What one slice of reading came to.
pub enum Step {
    /// Elements read so far.
    More {
        nodes: usize,
        edges: usize,
    },
    Done(Box<Plan>),
}

impl<R: Read> Reading<R> {
    pub fn new(src: R) -> Reading<R> {
        Reading {
            s: Scan { src, buf: Vec::new(), end: 0, pos: 0, eof: false, failure: None },
            rest: b"{".to_vec(),
            nodes: None,
            edges: None,
            at: At::Start,
        }
    }

    /// Reads on for about `elements` nodes and edges; `None` when anything is unusual.
    pub fn step(&mut self, elements: usize) -> Option<Step> {
        let mut left = elements;
        loop {
            match self.at {
                At::Start => {
                    self.s.expect(b'{')?;
                    if self.s.next_byte()? == b'}' {
                        self.s.pos += 1;
                        return self.finish().map(|p| Step::Done(Box::new(p)));
                    }
                    self.at = At::Key;
                }
                At::Key => self.key()?,
                At::Nodes => {
                    let nodes = self.nodes.get_or_insert_with(Vec::new);
                    if self.s.element(nodes, limits::NODES, &mut left)? {
                        self.at = At::AfterValue;
                    }
                }
                At::Edges => {
                    let edges = self.edges.get_or_insert_with(Vec::new);
                    if self.s.element(edges, limits::EDGES, &mut left)? {
                        self.at = At::AfterValue;
                    }
                }
                At::AfterValue => match self.s.next_byte()? {
                    b',' => {
                        self.s.pos += 1;
                        self.at = At::Key;
                    }
                    b'}' => {
                        self.s.pos += 1;
                        return self.finish().map(|p| Step::Done(Box::new(p)));
                    }
                    _ => return None,
                },
            }
            if left == 0 {
                let nodes = self.nodes.as_ref().map_or(0, Vec::len);
                return Some(Step::More { nodes, edges: self.edges.as_ref().map_or(0, Vec::len) });
            }
        }
    }

    /// Why the reading gave up, as far as it knows: which array element did not read and
    /// serde's message (its line:col counted from that element), or a limit. For a shell
    /// that does not keep the slow path's exact errors (`gzip::EXACT_FALLBACK`).
    pub fn failure(&self) -> Option<String> {
        let which = match self.at {
            At::Nodes => "nodes",
            At::Edges => "edges",
            _ => return self.s.failure.clone(),
        };
        self.s.failure.as_ref().map(|f| format!("`{which}` {f}"))
    }

    /// A top-level key and, unless it opens an array read element by element, its value.
    fn key(&mut self) -> Option<()> {
        if self.s.next_byte()? != b'"' {
            return None;
        }
        let key: String = self.s.value()?;
        self.s.expect(b':')?;
        if self.rest.len() > 1 {
            self.rest.push(b',');
        }
        self.rest.extend_from_slice(&serde_json::to_vec(&key).ok()?);
        self.rest.push(b':');
        let array = match key.as_str() {
            "nodes" if self.nodes.is_none() => Some(At::Nodes),
            "edges" if self.edges.is_none() => Some(At::Edges),
            "nodes" | "edges" => return None,
            _ => None,
        };
        match array {
            Some(at) => {
                self.s.expect(b'[')?;
                self.rest.extend_from_slice(b"[]");
                // Present from here on, even when empty (a second `nodes` key is refused).
                match at {
                    At::Nodes => self.nodes = Some(Vec::new()),
                    _ => self.edges = Some(Vec::new()),
                }
                self.at = at;
            }
            None => {
                let (IgnoredAny, at) = self.s.value_at()?;
                self.rest.extend_from_slice(&self.s.buf[at]);
                self.at = At::AfterValue;
            }
        }
        Some(())
    }

    /// The plan, once the top level has closed and nothing but whitespace follows.
    fn finish(&mut self) -> Option<Plan> {
        if self.s.next_byte().is_some() || !self.s.eof {
            return None;
        }
        self.rest.push(b'}');
        let mut plan: Plan = match serde_json::from_slice(&self.rest) {
            Ok(p) => p,
            Err(e) => {
                // The top level without its arrays: serde's line:col would be of that text.
                self.s.failure = Some(super::serde_message(&e));
                return None;
            }
        };
        plan.nodes = self.nodes.take()?;
        plan.edges = self.edges.take()?;
        Some(plan)
    }
}

/// Whether serde's error in `text` lies within a few bytes of its end, where a value cut
/// short by the buffer can look invalid rather than unfinished. O(n) in `text`, and only on
/// an error (about once per refill).
fn near_end(text: &[u8], e: &serde_json::Error) -> bool {
    let line_start = match e.line() {
        0 | 1 => 0,
        l => match text.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(l - 2) {
            Some((i, _)) => i + 1,
            None => return false,
        },
    };
    line_start + e.column() + 8 >= text.len()
}

struct Scan<R> {
    src: R,
    buf: Vec<u8>,
    /// Where the bytes read into `buf` end.
    end: usize,
    /// The next unread byte in `buf`.
    pos: usize,
    eof: bool,
    /// Why reading stopped, when serde said (a value that does not read) or a limit did.
    failure: Option<String>,
}

impl<R: Read> Scan<R> {
    /// Drops what was read and inflates more: at least `CHUNK`, and as much as is held
    /// (so a long value is re-read from its start O(log n) times, not O(n / CHUNK)).
    /// `None` at the end or on an error (a limit passed, damaged data). The buffer only
    /// grows, and its bytes past `end` are left as they are for the next read to overwrite:
    /// zeroing a megabyte per refill was a tenth of reading a million-node plan in wasm.
    fn fill(&mut self) -> Option<()> {
        if self.eof {
            return None;
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        let want = self.end + self.end.max(CHUNK);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let read = self.src.read(&mut self.buf[self.end..want]);
        self.end += *read.as_ref().unwrap_or(&0);
        match read {
            Ok(0) => {
                self.eof = true;
                None
            }
            Ok(_) => Some(()),
            Err(_) => None,
        }
    }

    /// The next byte that is not JSON whitespace, left unread.
    fn next_byte(&mut self) -> Option<u8> {
        loop {
            while let Some(&b) = self.buf[..self.end].get(self.pos) {
                if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    return Some(b);
                }
                self.pos += 1;
            }
            self.fill()?;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_byte()? == byte).then(|| self.pos += 1)
    }

    /// The next value, read by serde from the buffer; when the buffer ends inside it (or
    /// right after it, where a number might go on), more is inflated and it is read again.
    /// The value's first byte stays at the start of `buf` across refills.
    fn value<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.value_at().map(|(v, _)| v)
    }

    /// As `value`, with where its text is in `buf` (valid until the next `fill`).
    fn value_at<T: DeserializeOwned>(&mut self) -> Option<(T, Range<usize>)> {
        self.next_byte()?;
        loop {
            let mut values = serde_json::Deserializer::from_slice(&self.buf[self.pos..self.end]).into_iter::<T>();
            match values.next() {
                Some(Ok(v)) if self.pos + values.byte_offset() < self.end || self.eof => {
                    let at = self.pos..self.pos + values.byte_offset();
                    self.pos = at.end;
                    return Some((v, at));
                }
                Some(Ok(_)) => {}
                // Cut short by the buffer's end (`64.` before `0`): read more and again.
                Some(Err(e)) if e.is_eof() || near_end(&self.buf[self.pos..self.end], &e) => {}
                Some(Err(e)) => {
                    self.failure = Some(e.to_string());
                    return None;
                }
                None => return None,
            }
            self.fill()?;
        }
    }

    /// Reads array elements into `out` (at most `max` in all) while `left` lasts, the
    /// opening `[` already read; true once the array has closed.
    fn element<T: DeserializeOwned + Quick>(&mut self, out: &mut Vec<T>, max: usize, left: &mut usize) -> Option<bool> {
        if out.is_empty() && self.next_byte()? == b']' {
            self.pos += 1;
            return Some(true);
        }
        while *left > 0 {
            *left -= 1;
            // By hand when canonical and whole in the buffer, else by serde (`quick`).
            let quick = T::quick(&self.buf[self.pos..self.end]).map(|(v, len)| {
                self.pos += len;
                v
            });
            let Some(v) = quick.or_else(|| self.value()) else {
                let at = out.len();
                self.failure = self.failure.take().map(|e| format!("element {at}: {e} (counted from that element)"));
                return None;
            };
            out.push(v);
            if out.len() > max {
                self.failure = Some(format!("more than {max} elements: past the limit"));
                return None;
            }
            match self.next_byte()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(true);
                }
                _ => return None,
            }
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r#gen::{GenSpec, generate};
    use crate::model::Strategy;
    use crate::write::json::write_json;

    /// Hands out at most `step` bytes per read, so values straddle every refill.
    struct Trickle<'a> {
        rest: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.step).min(self.rest.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    #[test]
    fn reads_what_serde_reads_at_any_refill_boundary() {
        let plan = generate(&GenSpec::new(Strategy::parse("EP4_TP2_PP2_DP1").unwrap(), 2, 8));
        let text = write_json(&plan);
        let whole: Plan = serde_json::from_str(&text).unwrap();
        for step in [1, 7, 4096, usize::MAX] {
            let read = read_canonical(Trickle { rest: text.as_bytes(), step }).unwrap_or_else(|| panic!("step {step}"));
            assert_eq!(read, whole, "step {step}");
        }
        // Compact text (numbers right before a refill) reads the same.
        let compact = serde_json::to_vec(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
        assert_eq!(read_canonical(Trickle { rest: &compact, step: 3 }).unwrap(), whole);
    }

    #[test]
    fn gives_up_on_anything_unusual() {
        for bad in [
            r#"{"planscope": 1, "format": "json", "nodes": [], "nodes": [], "edges": []}"#,
            r#"{"planscope": 1, "format": "json", "nodes": [{"id": 1}], "edges": []}"#,
            r#"{"planscope": 1, "format": "json", "nodes": [], "edges": [],}"#,
            r#"{"planscope": 1, "format": "json", "nodes": [], "edges": []} x"#,
            r#"{"planscope": 1, "format": "json", "nodes": [], "edges": ["#,
            r#"{"planscope": 1, "format": "json", "nodes": []}"#,
            r#"{"planscope": 1, "format": "json", "meta": 1, "meta": 2, "nodes": [], "edges": []}"#,
        ] {
            assert!(read_canonical(Trickle { rest: bad.as_bytes(), step: 5 }).is_none(), "{bad}");
        }
        let ok = r#" { "planscope" : 1 , "format":"json","nodes":[ ] ,"edges":[{"from":"a","to":"b"}] } "#;
        assert_eq!(read_canonical(ok.as_bytes()).unwrap().edges.len(), 1);
    }
}

#[cfg(test)]
mod slices {
    use super::*;
    use crate::r#gen::{GenSpec, generate};
    use crate::model::Strategy;
    use crate::write::json::write_json;

    #[test]
    fn reads_the_same_a_slice_at_a_time() {
        let plan = generate(&GenSpec::new(Strategy::parse("EP4_TP2_PP1_DP1").unwrap(), 2, 8));
        let text = write_json(&plan);
        let whole: Plan = serde_json::from_str(&text).unwrap();
        let mut reading = Reading::new(text.as_bytes());
        let mut slices = 0;
        let read = loop {
            match reading.step(5).expect("reads") {
                Step::More { nodes, edges } => {
                    slices += 1;
                    assert!(nodes + edges <= 5 * slices, "{nodes} + {edges} after {slices} slices");
                }
                Step::Done(plan) => break *plan,
            }
        };
        assert_eq!(read, whole);
        assert!(slices >= (whole.nodes.len() + whole.edges.len()) / 5 - 1, "{slices} slices");
    }
}
