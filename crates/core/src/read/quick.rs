//! Canonical nodes and edges read by hand, before serde is asked. Why: a million-node plan
//! is three million small JSON objects, and serde's derived reader, built for size in the
//! page, spent 2.4 of the page's 10 s reading them (profiled: key matching, `Option`
//! wrappers, and `Placement` and `Shape` read through a `serde_json::Value`). This reads
//! only what planscope writes (`write::json`): an object whose keys are the fields' names,
//! each at most once, with plain strings (no escapes), whole numbers, `null` and arrays of
//! whole numbers. Anything else (an escape, a float, an unknown key, `attrs`, an object
//! where a string goes, the buffer ending inside the value) answers `None`, and serde reads
//! that element as before, errors included. So what this accepts, serde accepts and reads
//! to the same value: the `stream` fuzz target holds the streamed plan to the one serde reads whole.
//! O(n) in the element's bytes.

use crate::model::{Dim, Edge, EdgeKind, MAX_GPU_ID, Node, NodeKind, Op, Placement, Ranks, Shape};

/// A value read by hand, or not at all.
pub(crate) trait Quick: Sized {
    /// The value at the start of `text` (after JSON whitespace) and how many bytes it
    /// took, when it is in the canonical form; `None` otherwise.
    fn quick(text: &[u8]) -> Option<(Self, usize)>;
}

impl Quick for Node {
    fn quick(text: &[u8]) -> Option<(Node, usize)> {
        let mut c = Cursor { text, at: 0 };
        let mut node = Node::new(String::new(), NodeKind::Compute);
        let (mut seen, mut id, mut kind) = (0u16, None, None);
        c.object(|c, key| {
            let bit = match key {
                b"id" => {
                    id = Some(c.string()?.to_owned());
                    0
                }
                b"kind" => {
                    kind = Some(node_kind(c.string()?)?);
                    1
                }
                b"op" => {
                    node.op = Some(op(c.string()?)?);
                    2
                }
                b"label" => {
                    node.label = c.string_or_null()?.map(str::to_owned);
                    3
                }
                b"gpu" => {
                    node.placement = c.placement()?;
                    4
                }
                b"inputs" => {
                    node.inputs = c.list(|c| c.shape())?;
                    5
                }
                b"output" => {
                    node.output = Some(c.shape()?);
                    6
                }
                b"layer" => {
                    node.layer = c.u32_or_null()?;
                    7
                }
                b"expert" => {
                    node.expert = c.u32_or_null()?;
                    8
                }
                b"ranks" => {
                    node.ranks = c.ranks()?;
                    9
                }
                b"group" => {
                    node.group = c.string_or_null()?.map(str::to_owned);
                    10
                }
                _ => return None,
            };
            once(&mut seen, bit)
        })?;
        node.id = id?;
        node.kind = kind?;
        Some((node, c.at))
    }
}

impl Quick for Edge {
    fn quick(text: &[u8]) -> Option<(Edge, usize)> {
        let mut c = Cursor { text, at: 0 };
        let (mut seen, mut from, mut to) = (0u16, None, None);
        let mut edge = Edge::data(String::new(), String::new());
        c.object(|c, key| {
            let bit = match key {
                b"from" => {
                    from = Some(c.string()?.to_owned());
                    0
                }
                b"to" => {
                    to = Some(c.string()?.to_owned());
                    1
                }
                b"kind" => {
                    edge.kind = match c.string()? {
                        "data" => EdgeKind::Data,
                        "control" => EdgeKind::Control,
                        _ => return None,
                    };
                    2
                }
                b"style" => {
                    edge.style = c.string_or_null()?.map(str::to_owned);
                    3
                }
                _ => return None,
            };
            once(&mut seen, bit)
        })?;
        (edge.from, edge.to) = (from?, to?);
        Some((edge, c.at))
    }
}

/// Marks field `bit` as read; `None` the second time (serde refuses a duplicate field).
fn once(seen: &mut u16, bit: u16) -> Option<()> {
    let mask = 1 << bit;
    (*seen & mask == 0).then(|| *seen |= mask)
}

fn node_kind(s: &str) -> Option<NodeKind> {
    Some(match s {
        "compute" => NodeKind::Compute,
        "communication" => NodeKind::Communication,
        "aggregation" => NodeKind::Aggregation,
        "input" => NodeKind::Input,
        "output" => NodeKind::Output,
        _ => return None,
    })
}

/// The named operations, as serde names them (`Other` is an object: left to serde).
fn op(s: &str) -> Option<Op> {
    Some(match s {
        "embedding" => Op::Embedding,
        "layer_norm" => Op::LayerNorm,
        "attention" => Op::Attention,
        "projection" => Op::Projection,
        "mlp" => Op::Mlp,
        "gate" => Op::Gate,
        "expert" => Op::Expert,
        "residual" => Op::Residual,
        "lm_head" => Op::LmHead,
        "all_to_all" => Op::AllToAll,
        "all_reduce" => Op::AllReduce,
        "all_gather" => Op::AllGather,
        "reduce_scatter" => Op::ReduceScatter,
        "broadcast" => Op::Broadcast,
        "send_recv" => Op::SendRecv,
        "route" => Op::Route,
        "split" => Op::Split,
        "aggregate" => Op::Aggregate,
        _ => return None,
    })
}

/// Reads JSON from `text[at..]`; every method answers `None` on anything outside the
/// canonical subset, and may then have moved `at` anywhere.
struct Cursor<'t> {
    text: &'t [u8],
    at: usize,
}

// Inlined by force: the page's wasm is built for size (opt-level "z"), which calls even
// these one-line helpers, three million elements' worth (profiled: a third of the read).
impl<'t> Cursor<'t> {
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.text.get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// `{ "key": value, ... }`, each value read by `field`.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.raw_string()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `[ item, ... ]`, each item read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// A string's bytes, when it has no escape and no control character (which serde
    /// would refuse).
    #[inline(always)]
    fn raw_string(&mut self) -> Option<&'t [u8]> {
        self.eat(b'"')?;
        let start = self.at;
        // A plain loop: `position` with a closure is a call per byte in the page's build.
        let mut end = start;
        loop {
            match *self.text.get(end)? {
                b'"' => break,
                b'\\' => return None,
                b if b < 0x20 => return None,
                _ => end += 1,
            }
        }
        self.at = end + 1;
        Some(&self.text[start..end])
    }

    #[inline(always)]
    fn string(&mut self) -> Option<&'t str> {
        std::str::from_utf8(self.raw_string()?).ok()
    }

    fn null(&mut self) -> Option<()> {
        self.peek()?;
        self.text[self.at..].starts_with(b"null").then(|| self.at += 4)?;
        self.ends_word()
    }

    /// Whether the literal or number just read ends there (the buffer may end in it).
    #[inline(always)]
    fn ends_word(&mut self) -> Option<()> {
        match self.text.get(self.at) {
            Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+') => None,
            Some(_) => Some(()),
            None => None,
        }
    }

    #[inline(always)]
    fn is_null(&mut self) -> Option<bool> {
        Some(self.peek()? == b'n')
    }

    fn string_or_null(&mut self) -> Option<Option<&'t str>> {
        if self.is_null()? { self.null().map(|()| None) } else { self.string().map(Some) }
    }

    /// A whole number as JSON writes it: `0` or digits not starting with 0; no sign,
    /// fraction or exponent (serde reads those differently, so they are left to it).
    #[inline(always)]
    fn u64(&mut self) -> Option<u64> {
        self.peek()?;
        let digits = self.text[self.at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || (digits > 1 && self.text[self.at] == b'0') {
            return None;
        }
        let mut n = 0u64;
        for &b in &self.text[self.at..self.at + digits] {
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        self.at += digits;
        self.ends_word()?;
        Some(n)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    fn u32_or_null(&mut self) -> Option<Option<u32>> {
        if self.is_null()? { self.null().map(|()| None) } else { self.u32().map(Some) }
    }

    /// `gpu`: `null`, a GPU id, or a text form (`Placement::parse`, as serde's reader does).
    fn placement(&mut self) -> Option<Placement> {
        match self.peek()? {
            b'n' => self.null().map(|()| Placement::Unassigned),
            b'"' => Placement::parse(self.string()?).ok(),
            _ => match self.u64()? {
                id if id <= u64::from(MAX_GPU_ID) => Some(Placement::gpu(id as u32)),
                _ => None,
            },
        }
    }

    /// A shape of sizes only: `[128, 1024]`.
    fn shape(&mut self) -> Option<Shape> {
        self.list(|c| c.u64().map(|s| Dim { name: None, size: Some(s) })).map(Shape)
    }

    /// `{"ep": 0, "tp": 1, ...}`: only these keys, each at most once.
    fn ranks(&mut self) -> Option<Ranks> {
        let mut r = Ranks::default();
        let mut seen = 0u16;
        self.object(|c, key| {
            let (slot, bit) = match key {
                b"ep" => (&mut r.ep, 0),
                b"tp" => (&mut r.tp, 1),
                b"pp" => (&mut r.pp, 2),
                b"dp" => (&mut r.dp, 3),
                _ => return None,
            };
            *slot = c.u32_or_null()?;
            once(&mut seen, bit)
        })?;
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r#gen::{GenSpec, generate};
    use crate::model::Strategy;

    /// What serde reads from `text`, and where it stopped.
    fn serde<T: serde::de::DeserializeOwned>(text: &[u8]) -> Option<(T, usize)> {
        let mut it = serde_json::Deserializer::from_slice(text).into_iter::<T>();
        let v = it.next()?.ok()?;
        Some((v, it.byte_offset()))
    }

    /// Every node and edge planscope writes is read by hand, to what serde reads.
    #[test]
    fn reads_what_planscope_writes_as_serde_does() {
        let plan = generate(&GenSpec::new(Strategy::parse("EP4_TP2_PP2_DP1").unwrap(), 2, 8));
        for pretty in [false, true] {
            for n in &plan.nodes {
                let text = if pretty { serde_json::to_vec_pretty(n).unwrap() } else { serde_json::to_vec(n).unwrap() };
                let mut text = text;
                text.push(b',');
                let quick = Node::quick(&text);
                if matches!(n.op, Some(Op::Other(_))) {
                    assert!(quick.is_none());
                    continue;
                }
                assert_eq!(quick, serde::<Node>(&text), "{}", String::from_utf8_lossy(&text));
            }
            for e in &plan.edges {
                let mut text = serde_json::to_vec(e).unwrap();
                text.push(b']');
                assert_eq!(Edge::quick(&text).unwrap(), serde::<Edge>(&text).unwrap());
            }
        }
    }

    #[test]
    fn leaves_the_unusual_to_serde() {
        for text in [
            r#"{"id": "a", "kind": "compute", "id": "b"},"#,
            r#"{"id": "a\n", "kind": "compute"},"#,
            r#"{"id": "a", "kind": "compute", "layer": 1.0},"#,
            r#"{"id": "a", "kind": "compute", "layer": 01},"#,
            r#"{"id": "a", "kind": "compute", "layer": 4294967296},"#,
            r#"{"id": "a", "kind": "compute", "gpu": 1048576},"#,
            r#"{"id": "a", "kind": "compute", "gpu": "x"},"#,
            r#"{"id": "a", "kind": "compute", "attrs": {}},"#,
            r#"{"id": "a", "kind": "compute", "ranks": {"ep": 1, "ep": 1}},"#,
            r#"{"id": "a", "kind": "Compute"},"#,
            r#"{"id": "a"},"#,
            r#"{"id": "a", "kind": "compute", "layer": 12"#,
            r#"{"id": "a", "kind": "compute", "label": nul"#,
        ] {
            assert!(Node::quick(text.as_bytes()).is_none(), "{text}");
        }
        let ok = br#" { "kind" : "input" , "id":"x", "gpu": "0-3", "label": null, "output": [1, 2] } ,"#;
        let (n, len) = Node::quick(ok).unwrap();
        assert_eq!((n.clone(), len), serde::<Node>(ok).unwrap());
        assert_eq!(n.placement.gpu_set().len(), 4);
    }
}
