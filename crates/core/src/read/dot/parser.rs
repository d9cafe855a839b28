//! DOT syntax tree and a recursive-descent parser for the full grammar: strict/graph/
//! digraph, statements, attribute lists, edge chains with subgraph endpoints, ports and
//! nested subgraphs. Recursion is bounded by `MAX_DEPTH`, so hostile nesting gives an
//! error instead of a stack overflow.

use super::lexer::{Kind, LexError, Lexer, Token};
use crate::read::Fault;
use std::borrow::Cow;

/// Subgraphs nested deeper than this are refused.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub struct Id<'a> {
    pub text: Cow<'a, str>,
    pub html: bool,
    /// Byte offset of the id in the input, for errors found while building.
    pub start: usize,
}

#[derive(Debug)]
pub struct Attr<'a> {
    pub key: Id<'a>,
    pub value: Id<'a>,
}

#[derive(Debug)]
pub struct NodeRef<'a> {
    pub id: Id<'a>,
    /// `a:port` or `a:port:compass`, as written after the first colon.
    pub port: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Graph,
    Node,
    Edge,
}

#[derive(Debug)]
pub struct Subgraph<'a> {
    pub id: Option<Id<'a>>,
    pub stmts: Vec<Stmt<'a>>,
}

#[derive(Debug)]
pub enum EdgeEnd<'a> {
    Node(NodeRef<'a>),
    Subgraph(Subgraph<'a>),
}

#[derive(Debug)]
pub enum Stmt<'a> {
    Node(NodeRef<'a>, Vec<Attr<'a>>),
    /// Two or more endpoints joined by edge operators; `op_start` is the first operator.
    Edge {
        ends: Vec<EdgeEnd<'a>>,
        attrs: Vec<Attr<'a>>,
        op_start: usize,
    },
    Defaults(Target, Vec<Attr<'a>>),
    Assign(Attr<'a>),
    Subgraph(Subgraph<'a>),
}

#[derive(Debug)]
pub struct Graph<'a> {
    pub strict: bool,
    pub directed: bool,
    pub id: Option<Id<'a>>,
    pub stmts: Vec<Stmt<'a>>,
}

#[derive(Debug)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
    /// `NotAPlan` when the text does not start as a graph at all.
    pub fault: Fault,
}

impl SyntaxError {
    /// A fault of a graph at `offset`.
    pub fn new(offset: usize, message: String) -> SyntaxError {
        SyntaxError { offset, message, fault: Fault::InPlan }
    }
}

impl From<LexError> for SyntaxError {
    fn from(e: LexError) -> SyntaxError {
        SyntaxError::new(e.offset, e.message)
    }
}

type Res<T> = Result<T, SyntaxError>;

pub fn parse(text: &str) -> Res<Graph<'_>> {
    let mut lexer = Lexer::new(text);
    let tok = lexer.next_token()?;
    let mut p = Parser { lexer, tok, directed: true, text };
    let graph = p.graph()?;
    if p.tok.kind != Kind::Eof {
        return Err(
            p.expected("the end of the file after the graph's closing `}` (planscope reads one graph per file)")
        );
    }
    Ok(graph)
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Token<'a>,
    directed: bool,
    text: &'a str,
}

impl<'a> Parser<'a> {
    fn bump(&mut self) -> Res<Token<'a>> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.tok, next))
    }

    fn expected(&self, what: &str) -> SyntaxError {
        let mut message = format!("expected {what}, found {}", self.tok.describe());
        // The corpus has a file written with literal `\n` pairs instead of line breaks.
        if self.tok.kind == Kind::Stray
            && self.tok.text == "\\"
            && self.text.get(self.tok.start + 1..).is_some_and(|t| t.starts_with('n'))
        {
            message.push_str(" (the file seems to hold literal `\\n` sequences instead of line breaks)");
        }
        SyntaxError::new(self.tok.start, message)
    }

    fn expect(&mut self, kind: Kind, what: &str) -> Res<Token<'a>> {
        if self.tok.kind == kind { self.bump() } else { Err(self.expected(what)) }
    }

    fn graph(&mut self) -> Res<Graph<'a>> {
        let strict = self.tok.is_keyword("strict");
        if strict {
            self.bump()?;
        }
        self.directed = if self.tok.is_keyword("digraph") {
            true
        } else if self.tok.is_keyword("graph") {
            false
        } else {
            // Not even the start of a graph (with `strict`, a graph it is, badly written):
            // a config or a script dropped as a plan, which the page reads as conditions.
            let fault = if strict { Fault::InPlan } else { Fault::NotAPlan };
            return Err(SyntaxError { fault, ..self.expected("`digraph` or `graph` to start the file") });
        };
        self.bump()?;
        let id = if self.tok.is_id() && !self.tok.is_any_keyword() { Some(self.id()?) } else { None };
        let what = if id.is_some() { "`{` after the graph name" } else { "a graph name or `{`" };
        self.expect(Kind::LBrace, what)?;
        let stmts = self.stmt_list(1)?;
        Ok(Graph { strict, directed: self.directed, id, stmts })
    }

    fn id(&mut self) -> Res<Id<'a>> {
        let t = self.bump()?;
        Ok(Id { html: t.kind == Kind::Html, start: t.start, text: t.text })
    }

    /// Statements up to and including the closing `}`.
    fn stmt_list(&mut self, depth: usize) -> Res<Vec<Stmt<'a>>> {
        let mut stmts = Vec::new();
        loop {
            match self.tok.kind {
                Kind::RBrace => {
                    self.bump()?;
                    return Ok(stmts);
                }
                Kind::Semi => {
                    self.bump()?;
                }
                Kind::Eof => return Err(self.expected("`}` to close the graph")),
                _ => stmts.push(self.stmt(depth)?),
            }
        }
    }

    fn stmt(&mut self, depth: usize) -> Res<Stmt<'a>> {
        for (word, target) in [("graph", Target::Graph), ("node", Target::Node), ("edge", Target::Edge)] {
            if self.tok.is_keyword(word) {
                self.bump()?;
                if self.tok.kind != Kind::LBracket {
                    return Err(self.expected(&format!("`[` after `{word}`")));
                }
                return Ok(Stmt::Defaults(target, self.attr_lists()?));
            }
        }
        if self.tok.kind == Kind::LBrace || self.tok.is_keyword("subgraph") {
            let sub = self.subgraph(depth)?;
            return Ok(match self.edge_rest(EdgeEnd::Subgraph(sub), depth)? {
                Ok(stmt) => stmt,
                Err(EdgeEnd::Subgraph(sub)) => Stmt::Subgraph(sub),
                // edge_rest hands back the endpoint it was given, which was a subgraph.
                Err(EdgeEnd::Node(node)) => Stmt::Node(node, Vec::new()),
            });
        }
        if !self.tok.is_id() || self.tok.is_any_keyword() {
            return Err(self.expected("a statement (a node, an edge, `name = value`, `node [...]` or a subgraph)"));
        }
        let id = self.id()?;
        if self.tok.kind == Kind::Eq {
            self.bump()?;
            let value = self.value("a value after `=`")?;
            return Ok(Stmt::Assign(Attr { key: id, value }));
        }
        let node = self.node_ref(id)?;
        match self.edge_rest(EdgeEnd::Node(node), depth)? {
            Ok(stmt) => Ok(stmt),
            Err(EdgeEnd::Node(node)) => Ok(Stmt::Node(node, self.attr_lists()?)),
            Err(EdgeEnd::Subgraph(sub)) => Ok(Stmt::Subgraph(sub)),
        }
    }

    fn value(&mut self, what: &str) -> Res<Id<'a>> {
        if self.tok.is_id() { self.id() } else { Err(self.expected(what)) }
    }

    fn node_ref(&mut self, id: Id<'a>) -> Res<NodeRef<'a>> {
        let mut port: Option<String> = None;
        for _ in 0..2 {
            if self.tok.kind != Kind::Colon {
                break;
            }
            self.bump()?;
            let part = self.value("a port name after `:`")?;
            match &mut port {
                Some(p) => {
                    p.push(':');
                    p.push_str(&part.text);
                }
                None => port = Some(part.text.into_owned()),
            }
        }
        Ok(NodeRef { id, port })
    }

    fn subgraph(&mut self, depth: usize) -> Res<Subgraph<'a>> {
        if depth >= MAX_DEPTH {
            return Err(SyntaxError::new(
                self.tok.start,
                format!("subgraphs are nested more than {MAX_DEPTH} deep; planscope stops here"),
            ));
        }
        let mut id = None;
        if self.tok.is_keyword("subgraph") {
            self.bump()?;
            if self.tok.is_id() && !self.tok.is_any_keyword() {
                id = Some(self.id()?);
            }
        }
        self.expect(
            Kind::LBrace,
            if id.is_some() { "`{` after the subgraph name" } else { "`{` to open the subgraph" },
        )?;
        let stmts = self.stmt_list(depth + 1)?;
        Ok(Subgraph { id, stmts })
    }

    /// After a first endpoint: the rest of an edge chain and its attributes, or the
    /// endpoint back when no edge operator follows.
    fn edge_rest(&mut self, first: EdgeEnd<'a>, depth: usize) -> Res<EdgeOr<'a>> {
        if !matches!(self.tok.kind, Kind::Arrow | Kind::Line) {
            return Ok(Err(first));
        }
        let op_start = self.tok.start;
        let mut ends = vec![first];
        while matches!(self.tok.kind, Kind::Arrow | Kind::Line) {
            let op = self.bump()?;
            if (op.kind == Kind::Arrow) != self.directed {
                let (used, want, kind) =
                    if self.directed { ("--", "->", "a digraph") } else { ("->", "--", "an undirected graph") };
                return Err(SyntaxError::new(
                    op.start,
                    format!("expected `{want}` between nodes of {kind}, found `{used}`"),
                ));
            }
            if self.tok.kind == Kind::LBrace || self.tok.is_keyword("subgraph") {
                ends.push(EdgeEnd::Subgraph(self.subgraph(depth)?));
            } else if self.tok.is_id() && !self.tok.is_any_keyword() {
                let id = self.id()?;
                ends.push(EdgeEnd::Node(self.node_ref(id)?));
            } else {
                return Err(self.expected(&format!("a node or a subgraph after `{}`", op.text)));
            }
        }
        let attrs = self.attr_lists()?;
        Ok(Ok(Stmt::Edge { ends, attrs, op_start }))
    }

    /// Zero or more `[a=b, c=d; e=f]` lists, concatenated.
    fn attr_lists(&mut self) -> Res<Vec<Attr<'a>>> {
        if self.tok.kind != Kind::LBracket {
            return Ok(Vec::new());
        }
        let mut attrs = Vec::with_capacity(6);
        while self.tok.kind == Kind::LBracket {
            self.bump()?;
            loop {
                match self.tok.kind {
                    Kind::RBracket => {
                        self.bump()?;
                        break;
                    }
                    Kind::Comma | Kind::Semi => {
                        self.bump()?;
                    }
                    _ => {
                        let key = self.value("an attribute name or `]`")?;
                        // Tolerated: `label"text"` with the `=` missing (a corpus file embeds
                        // such DOT; Graphviz refuses it, the corpus index counts it).
                        let missing_eq = key.text == "label" && self.tok.kind == Kind::Quoted;
                        if self.tok.kind != Kind::Eq && !missing_eq {
                            return Err(self.expected(&format!("`=` after the attribute name `{}`", key.text)));
                        }
                        if !missing_eq {
                            self.bump()?;
                        }
                        let value = self.value(&format!("a value for the attribute `{}`", key.text))?;
                        attrs.push(Attr { key, value });
                    }
                }
            }
        }
        Ok(attrs)
    }
}

/// A finished edge statement, or the lone endpoint back when no edge operator followed.
type EdgeOr<'a> = Result<Stmt<'a>, EdgeEnd<'a>>;
