//! Just enough of a shell script to read the flags of a launch command: comments, line
//! continuations, `NAME=value` assignments, bash arrays `NAME=( ... )`, and `$NAME`,
//! `${NAME}`, `${NAME:-default}` substitution. Not a shell: what it cannot resolve
//! (`$((...))`, `$1`) stays as written, and a flag whose value is unresolved is an error
//! where it is read.

use std::collections::HashMap;

/// A substituted word longer than this stays as written (no amplification by `$A$A$A`).
const MAX_WORD: usize = 64 * 1024;

/// The words of the script, in order, with their 1-based line numbers.
pub(super) fn words(text: &str) -> Vec<(String, u32)> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let mut pending: Vec<(String, u32)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = strip_comment(raw);
        let (line, continued) = match line.trim_end().strip_suffix('\\') {
            Some(l) => (l.to_string(), true),
            None => (line.to_string(), false),
        };
        pending.extend(split(&line).into_iter().map(|w| (w, line_no)));
        if continued {
            continue;
        }
        for (w, ln) in pending.drain(..) {
            if w == "export" || w.ends_with("=(") {
                continue;
            }
            if let Some((name, value)) = assignment(&w) {
                let value = substitute(value, &vars);
                vars.insert(name.to_string(), value);
                continue;
            }
            let w = substitute(&w, &vars);
            if w == "(" || w == ")" || w.is_empty() {
                continue;
            }
            out.push((w, ln));
        }
    }
    out
}

/// `NAME=value` (a variable or the opening of an array, whose words follow).
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    (valid && !name.starts_with('-') && value != "(").then_some((name, value))
}

fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev_space => return &line[..i],
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// Splits on blanks outside quotes, dropping the quotes; `NAME=(` yields `NAME=(`.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME[@]}` replaced by known values;
/// unknown ones take their default or stay as written.
fn substitute(word: &str, vars: &HashMap<String, String>) -> String {
    if !word.contains('$') {
        return word.to_string();
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, default, used) = if let Some(body) = after.strip_prefix('{') {
            match body.find('}') {
                Some(end) => {
                    let inner = &body[..end];
                    let (name, default) = match inner.split_once(":-") {
                        Some((n, d)) => (n, Some(d)),
                        None => (inner.trim_end_matches("[@]"), None),
                    };
                    (name, default, end + 2)
                }
                None => ("", None, 0),
            }
        } else {
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            (&after[..len], None, len)
        };
        match vars.get(name).map(String::as_str).or(default) {
            Some(v) if used > 0 => out.push_str(v.trim_matches('"')),
            _ => out.push_str(&rest[at..at + 1 + used]),
        }
        rest = &after[used..];
        if out.len() > MAX_WORD {
            return word.to_string();
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variables_arrays_continuations_and_comments() {
        let w = words("N=8 # eight\nARGS=(\n  --num-experts $N \\\n  --x ${M:-\"4\"}\n)\ntorchrun ${ARGS[@]}\n");
        let w: Vec<&str> = w.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(w, vec!["--num-experts", "8", "--x", "4", "torchrun", "${ARGS[@]}"]);
    }
}
