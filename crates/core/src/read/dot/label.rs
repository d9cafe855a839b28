//! What node labels (and ids) say about a node: the GPU placement, tensor shapes and the
//! operation. The corpus writes these as free text in many forms, so each extractor
//! tries the explicit form first and falls back to looser patterns.
//!
//! Rules, in order of precedence:
//! - Placement: the last `GPU: ...` / `GPUs: ...` line (so an appended line overrides an
//!   earlier one), cut at `(` (`GPU: 3712 (Node 464, GPU 0)` is GPU 3712); else the first
//!   `GPU<n>` / `GPU <n>` / `GPU-<n>,<m>` / `gpu_<n>` mention in the label; else in the id.
//! - Shapes: the last `Input:` line gives `inputs` (every `[...]` on it), the last
//!   `Output:` line gives `output`; with no `Output:` line, a line that is only a
//!   bracketed list (`[128,1024,1024]`) is the output.
//! - Literal `\n` pairs left in a label (files that double-escaped them) split lines too.

use crate::model::{GpuSet, Op, Placement, Shape};

/// Graphviz label escapes: `\n`, `\l`, `\r` end a line, `\\` is a backslash, `\N` is the
/// node id and `\G` the graph name; any other escape is kept as written.
pub fn unescape(raw: &str, node_id: &str, graph_name: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'l' | 'r') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('N') => out.push_str(node_id),
            Some('G') => out.push_str(graph_name),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// How long [`unescape`] would make `raw`, at most, without building it: O(n) in `raw`,
/// so that a label of many `\N` can be refused before it is expanded.
pub fn unescaped_len_bound(raw: &str, node_id: &str, graph_name: &str) -> usize {
    let bytes = raw.as_bytes();
    let (mut len, mut i) = (0usize, 0);
    while let Some(&b) = bytes.get(i) {
        let add = match (b, bytes.get(i + 1)) {
            (b'\\', Some(b'N')) => node_id.len(),
            (b'\\', Some(b'G')) => graph_name.len(),
            (b'\\', Some(_)) => 2,
            _ => 1,
        };
        i += if b == b'\\' { 2 } else { 1 };
        len = len.saturating_add(add);
    }
    len
}

/// Label lines, also split at literal `\n` pairs.
pub fn lines(label: &str) -> impl Iterator<Item = &str> {
    label.split('\n').flat_map(|l| l.split("\\n")).map(str::trim)
}

#[derive(Debug, Default, PartialEq)]
pub struct Facts {
    pub placement: Placement,
    pub inputs: Vec<Shape>,
    pub output: Option<Shape>,
    pub op: Option<Op>,
}

pub fn facts(label: Option<&str>, id: &str) -> Facts {
    let label = label.unwrap_or("");
    let mut explicit_gpu: Option<Placement> = None;
    let mut loose_gpu: Option<Placement> = None;
    let mut inputs: Option<Vec<Shape>> = None;
    let mut output: Option<Option<Shape>> = None;
    let mut positional: Option<Shape> = None;
    for line in lines(label) {
        if let Some(rest) = after_prefix(line, &["gpus:", "gpu:", "gpu(s):"])
            && let Some(p) = explicit_placement(rest)
        {
            explicit_gpu = Some(p);
            continue;
        }
        if let Some(rest) = after_prefix(line, &["inputs:", "input:"]) {
            inputs = Some(bracketed(rest).into_iter().filter_map(Shape::parse).collect());
            continue;
        }
        if let Some(rest) = after_prefix(line, &["outputs:", "output:"]) {
            output = Some(bracketed(rest).into_iter().find_map(Shape::parse));
            continue;
        }
        if positional.is_none() && line.starts_with('[') && line.ends_with(']') {
            positional = Shape::parse(line);
        }
        if loose_gpu.is_none() {
            loose_gpu = gpu_mention(line);
        }
    }
    let placement = explicit_gpu.or(loose_gpu).or_else(|| gpu_mention(id)).unwrap_or_default();
    let first_line = lines(label).next().unwrap_or("");
    Facts {
        placement,
        inputs: inputs.unwrap_or_default(),
        output: output.unwrap_or(positional),
        op: Op::recognise(first_line).or_else(|| Op::recognise(id)),
    }
}

/// The rest of `line` after one of `prefixes` (ASCII case-insensitive).
fn after_prefix<'l>(line: &'l str, prefixes: &[&str]) -> Option<&'l str> {
    prefixes.iter().find_map(|p| {
        let head = line.get(..p.len())?;
        head.eq_ignore_ascii_case(p).then(|| line.get(p.len()..).unwrap_or("").trim())
    })
}

fn explicit_placement(rest: &str) -> Option<Placement> {
    let cut = rest.split('(').next().unwrap_or(rest).trim();
    if let Ok(p) = Placement::parse(cut) {
        return Some(p);
    }
    let lead: String = cut.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ',' | ' ' | '~')).collect();
    GpuSet::parse(lead.trim().trim_end_matches([',', '-', '~'])).ok().map(Placement::Gpus)
}

/// The `[...]` groups of `text` (brackets may nest), or the whole text when it has none.
fn bracketed(text: &str) -> Vec<&str> {
    let mut groups = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    groups.push(text.get(start..=i).unwrap_or(""));
                }
            }
            _ => {}
        }
    }
    if groups.is_empty() && !text.is_empty() {
        groups.push(text);
    }
    groups
}

/// The first `gpu` word followed by GPU ids: `GPU0`, `GPU 3`, `(GPU-0,1)`, `gpu_3`,
/// `GPUs 0-7`. A letter just before `gpu` (as in `vgpu`) does not count.
pub fn gpu_mention(text: &str) -> Option<Placement> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = find_gpu(bytes, from) {
        from = pos + 3;
        if pos > 0 && bytes.get(pos - 1).is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let mut i = pos + 3;
        if bytes.get(i).is_some_and(|b| b.eq_ignore_ascii_case(&b's')) {
            i += 1;
        }
        while bytes.get(i).is_some_and(|b| matches!(b, b' ' | b'_' | b'-' | b':' | b'#')) {
            i += 1;
        }
        let start = i;
        let mut end = i;
        // Digits, then more digit groups joined by `-`, `,` or `~` (`0-7`, `0,1`).
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            let sep = bytes.get(end).copied();
            let next_digit = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
            if matches!(sep, Some(b'-' | b',' | b'~')) && next_digit {
                end += 1;
            } else {
                break;
            }
        }
        if end > start
            && let Ok(set) = GpuSet::parse(text.get(start..end).unwrap_or(""))
        {
            return Some(Placement::Gpus(set));
        }
    }
    None
}

fn find_gpu(bytes: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.windows(3).position(|w| w.eq_ignore_ascii_case(b"gpu")).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpu(label: &str, id: &str) -> String {
        facts(Some(label), id).placement.to_string()
    }

    #[test]
    fn placements_in_corpus_forms() {
        assert_eq!(gpu("MHA\nGPU: 0", "x"), "0");
        assert_eq!(gpu("MHA\nGPU: 0-127", "x"), "0-127");
        assert_eq!(gpu("LN\nGPU: GPUs 0-1023", "x"), "0-1023");
        assert_eq!(gpu("Input\nGPU: All", "x"), "all");
        assert_eq!(gpu("Input\nGPU: Host", "x"), "host");
        assert_eq!(gpu("GPU0: Q Linear (TP0)", "x"), "0");
        assert_eq!(gpu("Embedding (GPU-0,1)", "x"), "0-1");
        assert_eq!(gpu("Expert\nGPU: 3712 (Node 464, GPU 0)", "x"), "3712");
        assert_eq!(gpu("Layer0 QKV TP0\nGPU:0-15", "x"), "0-15");
        assert_eq!(gpu("Layer 0 Expert 0\nGPU 5\nInput: [1]", "x"), "5");
        assert_eq!(gpu("LayerNorm", "layer_0_ln1_gpu3"), "3");
        assert_eq!(gpu("QKV", "L0_S0_TP0_GPU7_qkv"), "7");
        assert_eq!(gpu("Q Projection L0\nGPU: GPU0", "x"), "0");
        assert_eq!(gpu("3,715 GPUs across 488 nodes", "x"), "unassigned");
        assert_eq!(gpu("GPU: 1\nGPU: 2", "x"), "2");
    }

    #[test]
    fn shapes_from_labels() {
        let f = facts(Some("Add\nInput: [1,2048,4096], [1,2048,4096]\nOutput: [batch_size=4, seq_len=2048]"), "a");
        assert_eq!(f.inputs, vec![Shape::from_sizes(&[1, 2048, 4096]); 2]);
        assert_eq!(f.output.unwrap().to_string(), "[batch_size=4, seq_len=2048]");
        let f = facts(Some("Layer0 QKV\nGPU:0-15\n[batch=128, seq=10240, hidden=256]"), "a");
        assert_eq!(f.output.unwrap().to_string(), "[batch=128, seq=10240, hidden=256]");
        let f = facts(Some("Expert\\nInput: [128,1024]\\nOutput: expert_out[hidden=512]"), "a");
        assert_eq!(f.inputs, vec![Shape::from_sizes(&[128, 1024])]);
        assert_eq!(f.output.unwrap().to_string(), "[hidden=512]");
    }

    #[test]
    fn label_escapes() {
        let raw = "a\\nb\\lc\\\\N \\N \\q\\G\\";
        assert_eq!(unescape(raw, "id", "g"), "a\nb\nc\\N id \\qg\\");
        assert!(unescaped_len_bound(raw, "id", "g") >= unescape(raw, "id", "g").len());
    }
}
