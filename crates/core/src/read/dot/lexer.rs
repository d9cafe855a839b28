//! DOT tokens over bytes, with byte offsets for exact error positions. Quoted strings are
//! unescaped only as the DOT grammar says (`\"` and line continuations); label escapes
//! such as `\n` are left for the label reader. Strings borrow from the input unless an
//! escape or a `+` concatenation forces a copy, which keeps large files cheap.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain identifier, possibly a keyword (`digraph`, `node`, ...).
    Ident,
    Numeral,
    Quoted,
    Html,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Eq,
    Colon,
    /// `->`
    Arrow,
    /// `--`
    Line,
    /// A byte that starts no token; the parser says what it expected instead.
    Stray,
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub kind: Kind,
    /// Byte offset of the token's first byte.
    pub start: usize,
    pub text: Cow<'a, str>,
}

impl Token<'_> {
    pub fn is_id(&self) -> bool {
        matches!(self.kind, Kind::Ident | Kind::Numeral | Kind::Quoted | Kind::Html)
    }

    /// Keywords are case-insensitive and only count when unquoted.
    pub fn is_keyword(&self, word: &str) -> bool {
        self.kind == Kind::Ident && self.text.eq_ignore_ascii_case(word)
    }

    pub fn is_any_keyword(&self) -> bool {
        ["strict", "graph", "digraph", "node", "edge", "subgraph"].iter().any(|k| self.is_keyword(k))
    }

    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Eof => "the end of the file".to_string(),
            Kind::Quoted => format!("the string \"{}\"", clip(&self.text)),
            Kind::Html => format!("the HTML string <{}>", clip(&self.text)),
            _ => format!("`{}`", clip(&self.text)),
        }
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

#[derive(Debug)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_id_char(b: u8) -> bool {
    is_id_start(b) || b.is_ascii_digit()
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Lexer<'a> {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Lexer { text, bytes: text.as_bytes(), pos }
    }

    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.text.get(a..b).unwrap_or("")
    }

    /// Skips whitespace, `//` and `/* */` comments, and `#` lines (C preprocessor output).
    fn skip_trivia(&mut self) -> Result<(), LexError> {
        loop {
            let b = self.at(self.pos);
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0x0b => self.pos += 1,
                b'/' if self.at(self.pos + 1) == b'/' => self.skip_line(),
                b'/' if self.at(self.pos + 1) == b'*' => {
                    let start = self.pos;
                    match self.text.get(self.pos + 2..).and_then(|t| t.find("*/")) {
                        Some(end) => self.pos += 2 + end + 2,
                        None => {
                            return Err(LexError {
                                offset: start,
                                message: "this `/*` comment is never closed: expected `*/`".into(),
                            });
                        }
                    }
                }
                b'#' if self.at_line_start() => self.skip_line(),
                _ => return Ok(()),
            }
        }
    }

    fn at_line_start(&self) -> bool {
        self.bytes
            .get(..self.pos)
            .is_none_or(|before| before.iter().rev().take_while(|&&c| c != b'\n').all(|&c| c == b' ' || c == b'\t'))
    }

    fn skip_line(&mut self) {
        match self.bytes.get(self.pos..).and_then(|t| t.iter().position(|&c| c == b'\n')) {
            Some(n) => self.pos += n + 1,
            None => self.pos = self.bytes.len(),
        }
    }

    pub fn next_token(&mut self) -> Result<Token<'a>, LexError> {
        self.skip_trivia()?;
        let start = self.pos;
        let b = self.at(start);
        let single = |kind, lexer: &mut Lexer<'a>| {
            lexer.pos += 1;
            Ok(Token { kind, start, text: Cow::Borrowed(lexer.slice(start, start + 1)) })
        };
        match b {
            0 if start >= self.bytes.len() => Ok(Token { kind: Kind::Eof, start, text: Cow::Borrowed("") }),
            b'{' => single(Kind::LBrace, self),
            b'}' => single(Kind::RBrace, self),
            b'[' => single(Kind::LBracket, self),
            b']' => single(Kind::RBracket, self),
            b';' => single(Kind::Semi, self),
            b',' => single(Kind::Comma, self),
            b'=' => single(Kind::Eq, self),
            b':' => single(Kind::Colon, self),
            b'-' if self.at(start + 1) == b'>' => self.op(Kind::Arrow, 2),
            b'-' if self.at(start + 1) == b'-' => self.op(Kind::Line, 2),
            b'-' | b'.' | b'0'..=b'9' if self.numeral_len(start) > 0 => {
                let n = self.numeral_len(start);
                self.op(Kind::Numeral, n)
            }
            b'"' => self.quoted(),
            b'<' => self.html(),
            b if is_id_start(b) => {
                let len = self.bytes.get(start..).map_or(0, |t| t.iter().take_while(|&&c| is_id_char(c)).count());
                self.op(Kind::Ident, len)
            }
            _ => {
                // A whole character, so multi-byte input never splits inside a code point.
                let ch_len = self.text.get(start..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
                self.op(Kind::Stray, ch_len)
            }
        }
    }

    fn op(&mut self, kind: Kind, len: usize) -> Result<Token<'a>, LexError> {
        let start = self.pos;
        self.pos += len;
        Ok(Token { kind, start, text: Cow::Borrowed(self.slice(start, self.pos)) })
    }

    /// `[-]?(.[0-9]+ | [0-9]+(.[0-9]*)?)`; 0 when there is no numeral here.
    fn numeral_len(&self, start: usize) -> usize {
        let mut i = start;
        if self.at(i) == b'-' {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let s = *i;
            while self.at(*i).is_ascii_digit() {
                *i += 1;
            }
            *i - s
        };
        let int = digits(&mut i);
        let mut frac = 0;
        if self.at(i) == b'.' {
            let save = i;
            i += 1;
            frac = digits(&mut i);
            if int == 0 && frac == 0 {
                i = save;
            }
        }
        if int == 0 && frac == 0 { 0 } else { i - start }
    }

    /// A quoted string and any `+ "..."` continuations.
    fn quoted(&mut self) -> Result<Token<'a>, LexError> {
        let start = self.pos;
        let mut value = self.one_quoted()?;
        loop {
            let save = self.pos;
            self.skip_trivia()?;
            if self.at(self.pos) == b'+' {
                self.pos += 1;
                self.skip_trivia()?;
                if self.at(self.pos) == b'"' {
                    let more = self.one_quoted()?;
                    value.to_mut().push_str(&more);
                    continue;
                }
                return Err(LexError {
                    offset: self.pos,
                    message: "expected a quoted string after `+` (DOT concatenates only quoted strings)".into(),
                });
            }
            self.pos = save;
            return Ok(Token { kind: Kind::Quoted, start, text: value });
        }
    }

    fn one_quoted(&mut self) -> Result<Cow<'a, str>, LexError> {
        let open = self.pos;
        let body = open + 1;
        let mut i = body;
        let mut owned: Option<String> = None;
        let mut chunk = body;
        loop {
            match self.bytes.get(i) {
                None => {
                    return Err(LexError {
                        offset: open,
                        message: "this quoted string is never closed: expected a closing `\"`".into(),
                    });
                }
                Some(b'"') => break,
                Some(b'\\') => match self.at(i + 1) {
                    b'"' => {
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(self.slice(chunk, i));
                        s.push('"');
                        i += 2;
                        chunk = i;
                    }
                    b'\n' | b'\r' => {
                        // A backslash-newline continues the string on the next line.
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(self.slice(chunk, i));
                        i += 2;
                        if self.at(i - 1) == b'\r' && self.at(i) == b'\n' {
                            i += 1;
                        }
                        chunk = i;
                    }
                    b'\\' => i += 2,
                    _ => i += 1,
                },
                // Jump to the next quote or backslash: long `pos` strings dominate laid-out files.
                Some(_) => {
                    let rest = self.bytes.get(i..).unwrap_or(&[]);
                    i += rest.iter().position(|&b| b == b'"' || b == b'\\').unwrap_or(rest.len());
                }
            }
        }
        self.pos = i + 1;
        Ok(match owned {
            Some(mut s) => {
                s.push_str(self.slice(chunk, i));
                Cow::Owned(s)
            }
            None => Cow::Borrowed(self.slice(body, i)),
        })
    }

    /// `<...>` with nested angle brackets; the value is what lies between the outer pair.
    fn html(&mut self) -> Result<Token<'a>, LexError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut i = start;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'<' => depth += 1,
                b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok(Token { kind: Kind::Html, start, text: Cow::Borrowed(self.slice(start + 1, i)) });
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Err(LexError { offset: start, message: "this HTML string `<...>` is never closed: expected `>`".into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut lx = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.kind == Kind::Eof {
                return out;
            }
            out.push((t.kind, t.text.into_owned()));
        }
    }

    #[test]
    fn strings_numerals_and_comments() {
        let toks = kinds("a -> \"b\\\"c\" + \"d\" // x\n# pre\n/* y */ -1.5 <<b>x</b>> --");
        assert_eq!(
            toks,
            vec![
                (Kind::Ident, "a".into()),
                (Kind::Arrow, "->".into()),
                (Kind::Quoted, "b\"cd".into()),
                (Kind::Numeral, "-1.5".into()),
                (Kind::Html, "<b>x</b>".into()),
                (Kind::Line, "--".into()),
            ]
        );
    }

    #[test]
    fn double_backslash_does_not_escape_the_quote() {
        assert_eq!(kinds("\"a\\\\\" b"), vec![(Kind::Quoted, "a\\\\".into()), (Kind::Ident, "b".into())]);
    }

    #[test]
    fn unterminated_string_reports_its_start() {
        let mut lx = Lexer::new("a \"bc");
        lx.next_token().unwrap();
        assert_eq!(lx.next_token().unwrap_err().offset, 2);
    }
}
