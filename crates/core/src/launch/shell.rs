//! Launch lines and launch scripts as the shell would split them: the words of each
//! command, with variables, arrays and arithmetic expanded and every word keeping the
//! line:col it was written at. What real launch scripts use (Megatron-LM's
//! examples/mixtral/train_mixtral_8x7b_distributed.sh, vLLM's docs/serving/
//! expert_parallel_deployment.md): `\` continuations, comments, quotes, `NAME=value`,
//! `export`, `${NAME:-default}`, arrays `NAME=( … )` / `NAME+=( … )` and `${NAME[@]}`,
//! `$(( a * b ))`. Hand-written because no crate splits shell words *and* keeps positions
//! and variables; it expands, it never runs anything. Conditionals are not evaluated: an
//! assignment inside `if … fi` applies as if the branch ran. A `\` followed only by spaces
//! and a comment continues the line, as vLLM's documented commands are written.

use crate::limits::{self, Limit, LimitError};
use std::collections::HashMap;

/// One word of a command after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub line: u32,
    pub col: u32,
    /// The first variable the word used that the script never sets (`$1`, `$TP`).
    pub unset: Option<String>,
}

/// A command: its words, the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    Var {
        name: String,
        default: Option<String>,
    },
    All(String),
    Arith(String),
    /// `$( … )`: a command's output, unknown without running it.
    Subst(String),
}

#[derive(Debug, Clone, PartialEq)]
struct RawWord {
    segs: Vec<Seg>,
    line: u32,
    col: u32,
    /// `NAME=( … )`: the array's elements.
    array: Option<Vec<RawWord>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(RawWord),
    Sep,
}

/// Why the text could not be split into words.
#[derive(Debug, Clone, PartialEq)]
pub enum ShellError {
    Unclosed { what: &'static str, line: u32, col: u32 },
    Limit { limit: LimitError, line: u32, col: u32 },
}

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    _text: &'a str,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// `\` then only blanks, an optional comment and the line's end: a continuation.
    fn continuation_ahead(&self) -> Option<usize> {
        let mut k = 1;
        while matches!(self.peek(k), Some(' ' | '\t' | '\r')) {
            k += 1;
        }
        match self.peek(k) {
            None | Some('\n') => Some(k),
            Some('#') if k > 1 => {
                while !matches!(self.peek(k), None | Some('\n')) {
                    k += 1;
                }
                Some(k)
            }
            _ => None,
        }
    }

    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    fn tokens(&mut self, in_array: bool) -> Result<Vec<Tok>, ShellError> {
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek(0) else {
                if in_array {
                    return Err(ShellError::Unclosed { what: "array `( … )`", line: self.line, col: self.col });
                }
                return Ok(out);
            };
            match c {
                ' ' | '\t' | '\r' => {
                    self.bump();
                }
                '\n' => {
                    self.bump();
                    if !in_array {
                        out.push(Tok::Sep);
                    }
                }
                '\\' if self.continuation_ahead().is_some() => {
                    let k = self.continuation_ahead().unwrap_or(1);
                    self.skip(k);
                    if self.peek(0) == Some('\n') {
                        self.bump();
                    }
                }
                '#' => {
                    while !matches!(self.peek(0), None | Some('\n')) {
                        self.bump();
                    }
                }
                ';' | '&' | '|' => {
                    self.bump();
                    if !in_array {
                        out.push(Tok::Sep);
                    }
                }
                ')' if in_array => {
                    self.bump();
                    return Ok(out);
                }
                '(' | ')' => {
                    // Subshells and groups: a separator for our purposes.
                    self.bump();
                    out.push(Tok::Sep);
                }
                _ => {
                    let w = self.word()?;
                    out.push(Tok::Word(w));
                }
            }
        }
    }

    fn word(&mut self) -> Result<RawWord, ShellError> {
        let (line, col) = (self.line, self.col);
        let mut segs: Vec<Seg> = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, segs: &mut Vec<Seg>| {
            if !lit.is_empty() {
                segs.push(Seg::Lit(std::mem::take(lit)));
            }
        };
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | ')' => break,
                '(' => {
                    // `NAME=(` opens an array.
                    if segs.is_empty() && (lit.ends_with('=')) && is_assignment(&lit) {
                        self.bump();
                        let toks = self.tokens(true)?;
                        let elems = toks
                            .into_iter()
                            .filter_map(|t| match t {
                                Tok::Word(w) => Some(w),
                                Tok::Sep => None,
                            })
                            .collect();
                        flush(&mut lit, &mut segs);
                        return Ok(RawWord { segs, line, col, array: Some(elems) });
                    }
                    break;
                }
                '\\' => {
                    if self.continuation_ahead().is_some() {
                        break;
                    }
                    self.bump();
                    if let Some(n) = self.bump() {
                        lit.push(n);
                    }
                }
                '\'' => {
                    let (l, c0) = (self.line, self.col);
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(ShellError::Unclosed { what: "quote '", line: l, col: c0 }),
                            Some('\'') => break,
                            Some(ch) => lit.push(ch),
                        }
                    }
                }
                '"' => {
                    let (l, c0) = (self.line, self.col);
                    self.bump();
                    loop {
                        match self.peek(0) {
                            None => return Err(ShellError::Unclosed { what: "quote \"", line: l, col: c0 }),
                            Some('"') => {
                                self.bump();
                                break;
                            }
                            Some('\\') => {
                                self.bump();
                                match self.bump() {
                                    Some('\n') | None => {}
                                    Some(ch @ ('"' | '\\' | '$' | '`')) => lit.push(ch),
                                    Some(ch) => {
                                        lit.push('\\');
                                        lit.push(ch);
                                    }
                                }
                            }
                            Some('$') => {
                                flush(&mut lit, &mut segs);
                                let s = self.dollar()?;
                                segs.push(s);
                            }
                            Some(_) => {
                                if let Some(ch) = self.bump() {
                                    lit.push(ch);
                                }
                            }
                        }
                    }
                }
                '$' => {
                    flush(&mut lit, &mut segs);
                    let s = self.dollar()?;
                    segs.push(s);
                }
                _ => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush(&mut lit, &mut segs);
        Ok(RawWord { segs, line, col, array: None })
    }

    /// After `$`: a variable, `${…}`, `$((…))` or `$(…)`.
    fn dollar(&mut self) -> Result<Seg, ShellError> {
        let (line, col) = (self.line, self.col);
        self.bump();
        match self.peek(0) {
            Some('(') if self.peek(1) == Some('(') => {
                self.skip(2);
                let inner = self.until_close("$(( … ))", line, col, '(', ')', 2)?;
                Ok(Seg::Arith(inner))
            }
            Some('(') => {
                self.bump();
                let inner = self.until_close("$( … )", line, col, '(', ')', 1)?;
                Ok(Seg::Subst(inner))
            }
            Some('{') => {
                self.bump();
                let inner = self.until_close("${ … }", line, col, '{', '}', 1)?;
                Ok(brace(&inner))
            }
            Some(c) if c.is_ascii_digit() || matches!(c, '@' | '*' | '#' | '?' | '$' | '!') => {
                self.bump();
                Ok(Seg::Var { name: c.to_string(), default: None })
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek(0).filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.bump();
                }
                Ok(Seg::Var { name, default: None })
            }
            _ => Ok(Seg::Lit("$".into())),
        }
    }

    /// The text up to the matching close (nesting counted), which is consumed; `depth`
    /// closes end it (2 for `))`).
    fn until_close(
        &mut self,
        what: &'static str,
        line: u32,
        col: u32,
        open: char,
        close: char,
        depth: usize,
    ) -> Result<String, ShellError> {
        let mut level = depth;
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else { return Err(ShellError::Unclosed { what, line, col }) };
            if c == open {
                level += 1;
            } else if c == close {
                level -= 1;
                if level == 0 {
                    // Drop the inner closes of `))` already pushed.
                    for _ in 1..depth {
                        out.pop();
                    }
                    return Ok(out);
                }
            }
            out.push(c);
        }
    }
}

fn brace(inner: &str) -> Seg {
    let name_end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_end);
    if rest == "[@]" || rest == "[*]" {
        return Seg::All(name.to_string());
    }
    if let Some(d) = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-')) {
        return Seg::Var { name: name.to_string(), default: Some(unquote(d)) };
    }
    if rest.is_empty() {
        return Seg::Var { name: name.to_string(), default: None };
    }
    Seg::Subst(inner.to_string())
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    t.to_string()
}

fn is_assignment(lit: &str) -> bool {
    let name = lit.trim_end_matches('=').trim_end_matches('+');
    !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A variable's value: one word, or an array's words.
#[derive(Debug, Clone)]
enum Value {
    Scalar(String),
    Array(Vec<Word>),
}

#[derive(Default)]
struct Env {
    vars: HashMap<String, Value>,
}

impl Env {
    /// Expands a word into words (one, or an array's many).
    fn expand(&self, w: &RawWord, out: &mut Vec<Word>) -> Result<(), ShellError> {
        let mut text = String::new();
        let mut unset = None;
        let mut spliced = false;
        for s in &w.segs {
            match s {
                Seg::Lit(l) => text.push_str(l),
                Seg::Var { name, default } => match (self.vars.get(name), default) {
                    (Some(Value::Scalar(v)), _) => text.push_str(v),
                    (Some(Value::Array(a)), _) => {
                        if let Some(first) = a.first() {
                            text.push_str(&first.text);
                        }
                    }
                    (None, Some(d)) => text.push_str(&self.expand_text(d)),
                    (None, None) => {
                        unset.get_or_insert_with(|| format!("${name}"));
                        text.push_str(&format!("${name}"));
                    }
                },
                Seg::All(name) => match self.vars.get(name) {
                    Some(Value::Array(a)) if text.is_empty() && w.segs.len() == 1 => {
                        out.extend(a.iter().cloned());
                        spliced = true;
                    }
                    Some(Value::Array(a)) => {
                        let joined: Vec<&str> = a.iter().map(|x| x.text.as_str()).collect();
                        text.push_str(&joined.join(" "));
                    }
                    Some(Value::Scalar(v)) => text.push_str(v),
                    None => {
                        unset.get_or_insert_with(|| format!("${{{name}[@]}}"));
                    }
                },
                Seg::Arith(e) => match arith(&self.expand_text(e)) {
                    Some(v) => text.push_str(&v.to_string()),
                    None => {
                        unset.get_or_insert_with(|| format!("$(({e}))"));
                        text.push_str(&format!("$(({e}))"));
                    }
                },
                Seg::Subst(e) => {
                    unset.get_or_insert_with(|| format!("$({e})"));
                    text.push_str(&format!("$({e})"));
                }
            }
        }
        if !spliced {
            out.push(Word { text, line: w.line, col: w.col, unset });
        }
        if out.len() > limits::LAUNCH_WORDS {
            let limit =
                LimitError { limit: Limit::LaunchWords, value: out.len() as u64, max: limits::LAUNCH_WORDS as u64 };
            return Err(ShellError::Limit { limit, line: w.line, col: w.col });
        }
        Ok(())
    }

    /// `$NAME` and `${NAME}` inside a default or an arithmetic expression.
    fn expand_text(&self, s: &str) -> String {
        let mut lx = Lexer { chars: s.chars().collect(), i: 0, line: 1, col: 1, _text: s };
        let mut out = String::new();
        while let Some(c) = lx.peek(0) {
            if c == '$' {
                match lx.dollar() {
                    Ok(Seg::Var { name, default }) => match (self.vars.get(&name), default) {
                        (Some(Value::Scalar(v)), _) => out.push_str(v),
                        (None, Some(d)) => out.push_str(&d),
                        _ => out.push_str(&format!("${name}")),
                    },
                    Ok(Seg::Lit(l)) => out.push_str(&l),
                    _ => out.push('$'),
                }
            } else {
                out.push(c);
                lx.bump();
            }
        }
        out
    }
}

/// Integer arithmetic of `$(( … ))`: `+ - * / %` and parentheses on whole numbers, with
/// checked arithmetic; anything else (an unset name, overflow, division by zero) is None.
fn arith(e: &str) -> Option<i64> {
    let toks: Vec<char> = e.chars().filter(|c| !c.is_whitespace()).collect();
    let mut p = 0;
    let v = sum(&toks, &mut p, 0)?;
    (p == toks.len()).then_some(v)
}

const ARITH_DEPTH: u32 = 64;

fn sum(t: &[char], p: &mut usize, depth: u32) -> Option<i64> {
    let mut v = product(t, p, depth)?;
    while let Some(&op) = t.get(*p).filter(|c| matches!(c, '+' | '-')) {
        *p += 1;
        let r = product(t, p, depth)?;
        v = if op == '+' { v.checked_add(r)? } else { v.checked_sub(r)? };
    }
    Some(v)
}

fn product(t: &[char], p: &mut usize, depth: u32) -> Option<i64> {
    let mut v = atom(t, p, depth)?;
    while let Some(&op) = t.get(*p).filter(|c| matches!(c, '*' | '/' | '%')) {
        *p += 1;
        let r = atom(t, p, depth)?;
        v = match op {
            '*' => v.checked_mul(r)?,
            '/' => v.checked_div(r)?,
            _ => v.checked_rem(r)?,
        };
    }
    Some(v)
}

fn atom(t: &[char], p: &mut usize, depth: u32) -> Option<i64> {
    if depth > ARITH_DEPTH {
        return None;
    }
    match t.get(*p)? {
        '(' => {
            *p += 1;
            let v = sum(t, p, depth + 1)?;
            (t.get(*p) == Some(&')')).then(|| *p += 1)?;
            Some(v)
        }
        '-' => {
            *p += 1;
            atom(t, p, depth + 1)?.checked_neg()
        }
        c if c.is_ascii_digit() => {
            let start = *p;
            while t.get(*p).is_some_and(char::is_ascii_digit) {
                *p += 1;
            }
            t[start..*p].iter().collect::<String>().parse().ok()
        }
        _ => None,
    }
}

/// The commands of `text`, words expanded. Assignments (`NAME=value`, `export NAME=…`,
/// arrays) set variables for the commands after them; an assignment before a program is
/// the program's environment and sets nothing. O(n) in the text plus the words expanded
/// (at most `limits::LAUNCH_WORDS` per command).
pub fn commands(text: &str) -> Result<Vec<Command>, ShellError> {
    let mut lx = Lexer { chars: text.chars().collect(), i: 0, line: 1, col: 1, _text: text };
    let toks = lx.tokens(false)?;
    let mut env = Env::default();
    let mut out = Vec::new();
    let mut current: Vec<RawWord> = Vec::new();
    for t in toks.into_iter().chain([Tok::Sep]) {
        match t {
            Tok::Word(w) => current.push(w),
            Tok::Sep if current.is_empty() => {}
            Tok::Sep => {
                let words = std::mem::take(&mut current);
                if let Some(c) = run(&mut env, words)? {
                    out.push(c);
                }
            }
        }
    }
    Ok(out)
}

/// Applies a command's assignments and expands its words; None for assignments only.
fn run(env: &mut Env, words: Vec<RawWord>) -> Result<Option<Command>, ShellError> {
    let mut rest = words.as_slice();
    if rest.first().is_some_and(|w| w.segs == [Seg::Lit("export".into())] || w.segs == [Seg::Lit("local".into())]) {
        rest = &rest[1..];
    }
    let mut assigns = Vec::new();
    while let Some(w) = rest.first() {
        let Some(Seg::Lit(first)) = w.segs.first() else { break };
        let Some(eq) = first.find('=') else { break };
        if !is_assignment(&first[..=eq]) {
            break;
        }
        assigns.push(w);
        rest = &rest[1..];
    }
    if !rest.is_empty() {
        let line = rest[0].line;
        let mut expanded = Vec::new();
        for w in rest {
            env.expand(w, &mut expanded)?;
        }
        return Ok(Some(Command { words: expanded, line }));
    }
    for w in assigns {
        let Some(Seg::Lit(first)) = w.segs.first() else { continue };
        let Some(eq) = first.find('=') else { continue };
        let append = first[..eq].ends_with('+');
        let name = first[..eq].trim_end_matches('+').to_string();
        let value = match &w.array {
            Some(elems) => {
                let mut items = match (append, env.vars.get(&name)) {
                    (true, Some(Value::Array(a))) => a.clone(),
                    _ => Vec::new(),
                };
                for e in elems {
                    env.expand(e, &mut items)?;
                }
                Value::Array(items)
            }
            None => {
                let mut head = first[eq + 1..].to_string();
                let tail = RawWord { segs: w.segs[1..].to_vec(), line: w.line, col: w.col, array: None };
                let mut words = Vec::new();
                env.expand(&tail, &mut words)?;
                for x in words {
                    head.push_str(&x.text);
                }
                if append && let Some(Value::Scalar(prev)) = env.vars.get(&name) {
                    head = format!("{prev}{head}");
                }
                if head.len() > limits::LAUNCH_VALUE_BYTES {
                    let limit = LimitError {
                        limit: Limit::LaunchValueBytes,
                        value: head.len() as u64,
                        max: limits::LAUNCH_VALUE_BYTES as u64,
                    };
                    return Err(ShellError::Limit { limit, line: w.line, col: w.col });
                }
                Value::Scalar(head)
            }
        };
        env.vars.insert(name, value);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(c: &Command) -> Vec<&str> {
        c.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn variables_arrays_and_arithmetic_expand_with_positions() {
        let script = "N=${SLURM_NNODES:-\"2\"}\nG=8\nW=$(($G*$N))\nA=(\n  --x $G\n  --y \"$W\"\n)\nA+=(--z 1)\nrun ${A[@]} --w=$W $1 \\\n  --last\n";
        let cs = commands(script).unwrap();
        assert_eq!(cs.len(), 1);
        assert_eq!(texts(&cs[0]), ["run", "--x", "8", "--y", "16", "--z", "1", "--w=16", "$1", "--last"]);
        let x = &cs[0].words[2];
        assert_eq!((x.line, x.col), (5, 7));
        assert_eq!(cs[0].words[8].unset.as_deref(), Some("$1"));
        assert_eq!((cs[0].words[9].line, cs[0].words[9].col), (10, 3));
    }

    #[test]
    fn continuations_with_comments_and_env_prefixes() {
        let t = "A=1 B=2 \\\n  vllm serve m \\   # a comment\n  -tp 2   # end\nnext 'a b' \"c$B\"";
        let cs = commands(t).unwrap();
        assert_eq!(texts(&cs[0]), ["vllm", "serve", "m", "-tp", "2"]);
        // B was the command's environment only.
        assert_eq!(texts(&cs[1]), ["next", "a b", "c$B"]);
    }

    #[test]
    fn hostile_scripts_stop_at_the_limits() {
        let mut s = String::from("A=(x)\n");
        for _ in 0..40 {
            s.push_str("A=(${A[@]} ${A[@]})\n");
        }
        assert!(matches!(commands(&s), Err(ShellError::Limit { .. })));
        let mut s = String::from("A=xxxxxxxxxxxxxxxx\n");
        for _ in 0..40 {
            s.push_str("A=$A$A\n");
        }
        assert!(matches!(commands(&s), Err(ShellError::Limit { .. })));
        assert!(matches!(commands("a 'b"), Err(ShellError::Unclosed { line: 1, col: 3, .. })));
        assert_eq!(arith("(((1)))*2+3"), Some(5));
        assert_eq!(arith("9223372036854775807*2"), None);
        assert_eq!(arith(&"(".repeat(200)), None);
    }
}
