//! SQL extraction without syn, for the shapes most repository code is written in.
//!
//! syn builds a full syntax tree of every item it parses, which costs more than parsing
//! the SQL inside. This module reads the items the pre-filter keeps with a small lexer
//! and a parser for a subset of Rust: `fn` items (attributes, `#[tenant_scoped]`,
//! visibility, `const`/`async`/`unsafe`, generics, parameters, return type) whose
//! bodies are `let` statements and expression statements made of literals, paths,
//! calls, method calls, macro invocations, field accesses, references, `?`, `.await`,
//! tuples, arrays, closures with expression bodies and `return`; and `const`/`static`
//! items. Anything else (an operator, a block, a nested item, a doc comment inside a
//! body, a raw identifier…) makes [`extract`] return `None`, and the caller parses
//! the file with syn.
//!
//! Within that subset it computes what [`crate::extract::rust::extract_file`] computes
//! on syn's tree, in the same order: the same candidates, contexts, statement lines,
//! functions and `#[tenant_scoped]` facts, span ids included. A test compares the two
//! on every Rust file of the fixtures, the reference application and a generated
//! corpus (`tests/lint/scale.rs`).

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;

use sqlparser::tokenizer::Location;

use crate::extract::literal::{Decoded, decode};
use crate::extract::prefilter::token_may_be_sql;
use crate::extract::rust::{
    Context, FILE_MACROS, RustFacts, RustSql, SINK_FUNCTIONS, SINK_MACROS, SINK_METHODS,
    ScopedArgs, ScopedFn, SpanId, fill_format_holes, sql_like_name, starts_like_sql,
};
use crate::extract::source::LineIndex;

/// Extracts the facts of the items `plan` keeps (`(range, keep)` per top-level item,
/// from [`crate::extract::prefilter::item_plan`]); `None` when an item is outside the
/// subset this module reads.
pub fn extract(
    text: &str,
    plan: &[(Range<usize>, bool)],
    scope_types: &[String],
) -> Option<RustFacts> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some()
        || text.starts_with('\u{feff}')
        || text.starts_with("#!")
    {
        return None;
    }
    // The token buffer is kept per thread: files are read one after another on each
    // worker, and a buffer grown anew for each file costs fresh memory pages.
    thread_local! {
        static TOKENS: std::cell::RefCell<Vec<Tok>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut tokens = TOKENS.with(|cell| cell.take());
    tokens.clear();
    let facts = extract_with(text, plan, scope_types, &mut tokens);
    TOKENS.with(|cell| cell.replace(tokens));
    facts
}

fn extract_with(
    text: &str,
    plan: &[(Range<usize>, bool)],
    scope_types: &[String],
    tokens: &mut Vec<Tok>,
) -> Option<RustFacts> {
    let lines = LineIndex::new(text);
    let mut items = Vec::new();
    for (range, keep) in plan {
        if !keep {
            continue;
        }
        let from = tokens.len();
        lex(text, range.clone(), tokens)?;
        let mut parser = Parser {
            text,
            toks: tokens,
            pos: from,
            end: tokens.len(),
            depth: 0,
        };
        if range.start == 0 {
            parser.inner_attributes()?;
        }
        while parser.pos < parser.end {
            items.push(parser.item()?);
        }
    }
    let mut collector = Collector {
        text,
        toks: tokens,
        lines: &lines,
        scope_types,
        candidates: Vec::new(),
        by_literal: HashMap::default(),
        vars: Vec::new(),
        consts: HashMap::new(),
        function: None,
        statement_line: 0,
        scoped: Vec::new(),
        functions: Vec::new(),
        spans: 0,
    };
    collector.consts = collector.file_consts(&items);
    for item in &items {
        collector.item(item);
    }
    Some(RustFacts {
        sql: collector.candidates,
        scoped: collector.scoped,
        functions: collector.functions,
    })
}

// ---------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Lifetime,
    /// A string literal (`"…"`, `r#"…"#`) without prefix or suffix.
    Str,
    /// Any other literal (numbers, chars, byte and C strings).
    Lit,
    Punct,
    /// An opening bracket; `partner` is the index of its closing one.
    Open(u8),
    Close,
    /// A doc comment: `///`, `/** */`, or inner (`//!`, `/*! */`) when `true`.
    Doc(bool),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    partner: usize,
}

/// ASCII bytes that continue an identifier.
const IDENT_BYTE: [bool; 256] =
    crate::extract::byte_set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

/// Bytes that start an operator token.
const PUNCT_BYTE: [bool; 256] = crate::extract::byte_set(b"!#$%&*+,-.:;<=>?@^|~");

/// The length of the operator at the start of `b`: the multi-character ones the
/// parser tells apart (`...`, `..=`, `::`, `->`, `=>`, comparisons, `&&`, `||`,
/// compound assignments, `..`). `>>`, `<<` and their assignments are left as single
/// characters (generic brackets).
fn punct_len(b: &[u8]) -> usize {
    match b {
        [b'.', b'.', b'.' | b'=', ..] => 3,
        [b'.', b'.', ..]
        | [b':', b':', ..]
        | [b'-', b'>', ..]
        | [b'=', b'>' | b'=', ..]
        | [b'!' | b'<' | b'>', b'=', ..]
        | [b'&', b'&', ..]
        | [b'|', b'|', ..]
        | [
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|',
            b'=',
            ..,
        ] => 2,
        _ => 1,
    }
}

/// Appends the tokens of `text[range]` to `out`; `None` on anything this lexer does
/// not read (inner doc comments, raw identifiers, unterminated literals, unbalanced
/// brackets, characters outside Rust's token set).
fn lex(text: &str, range: Range<usize>, out: &mut Vec<Tok>) -> Option<()> {
    let b = text.as_bytes();
    let mut i = range.start;
    let end = range.end;
    let mut open: Vec<usize> = Vec::new();
    let push = |out: &mut Vec<Tok>, kind, start, end| {
        out.push(Tok {
            kind,
            start,
            end,
            partner: 0,
        })
    };
    while i < end {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' => {
                i += 1;
                while i < end && matches!(b[i], b' ' | b'\t' | b'\n') {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let line_end = b[i..end]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(end, |p| i + p);
                let doc = b.get(i + 2) == Some(&b'/') && b.get(i + 3) != Some(&b'/');
                if b.get(i + 2) == Some(&b'!') {
                    push(out, Kind::Doc(true), i, line_end);
                } else if doc {
                    push(out, Kind::Doc(false), i, line_end);
                }
                i = line_end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                let kind = match (b.get(i + 2), b.get(i + 3)) {
                    (Some(b'!'), _) => Some(Kind::Doc(true)),
                    (Some(b'*'), Some(&c)) if c != b'*' && c != b'/' => Some(Kind::Doc(false)),
                    _ => None,
                };
                let mut level = 1;
                i += 2;
                while level > 0 {
                    if i + 1 >= end {
                        return None;
                    }
                    if b[i] == b'/' && b[i + 1] == b'*' {
                        level += 1;
                        i += 2;
                    } else if b[i] == b'*' && b[i + 1] == b'/' {
                        level -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                if let Some(kind) = kind {
                    push(out, kind, start, i);
                }
            }
            b'"' => {
                let close = string_end(b, i + 1, end)?;
                if !valid_escapes(&text[i + 1..close - 1]) {
                    return None;
                }
                let kind = suffixed(b, close, end, Kind::Str)?;
                push(out, kind, i, after_suffix(b, close, end));
                i = after_suffix(b, close, end);
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#')) => {
                if b.get(i + 1) == Some(&b'#')
                    && b.get(i + 2).is_some_and(|&c| c != b'#' && c != b'"')
                {
                    // `r#ident`: a raw identifier.
                    return None;
                }
                let close = raw_end(b, i + 1, end)?;
                let kind = suffixed(b, close, end, Kind::Str)?;
                push(out, kind, i, after_suffix(b, close, end));
                i = after_suffix(b, close, end);
            }
            b'b' | b'c' if matches!(b.get(i + 1), Some(b'"' | b'\'' | b'r')) => {
                if matches!(b[i + 1], b'"' | b'\'')
                    || b[i + 1] == b'r' && matches!(b.get(i + 2), Some(b'"' | b'#'))
                {
                    // Byte and C strings and characters: their escape rules differ;
                    // left to syn.
                    return None;
                }
                // An identifier starting with `b`/`c` (`br`, `crate`, …).
                i = ident(text, i, end, out)?;
            }
            b'\'' => {
                // A character: one plain character, or a simple escape; anything else
                // (`\u{…}`, `\x…`) is left to syn. Else a lifetime.
                let ch = text.get(i + 1..end)?.chars().next()?;
                let after = i + 1 + ch.len_utf8();
                let simple_escape = ch == '\\'
                    && matches!(
                        b.get(after),
                        Some(b'n' | b'r' | b't' | b'\\' | b'\'' | b'"' | b'0')
                    )
                    && b.get(after + 1) == Some(&b'\'');
                if simple_escape {
                    push(out, Kind::Lit, i, after + 2);
                    i = after + 2;
                } else if b.get(after) == Some(&b'\'') && !matches!(ch, '\\' | '\'' | '\n' | '\t') {
                    push(out, Kind::Lit, i, after + 1);
                    i = after + 1;
                } else if is_ident_start(ch) {
                    let stop = ident_end(text, i + 1, end);
                    push(out, Kind::Lifetime, i, stop);
                    i = stop;
                } else {
                    return None;
                }
            }
            b'0'..=b'9' => {
                // Decimal integers and simple floats, with a type suffix: other forms
                // (hex, exponents) are left to syn, which checks them.
                let digits = |from: usize| {
                    from + b[from..end]
                        .iter()
                        .take_while(|c| c.is_ascii_digit() || **c == b'_')
                        .count()
                };
                let mut j = digits(i);
                if j + 1 < end && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                    j = digits(j + 1);
                }
                let suffix_end = j + b[j..end]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                const SUFFIXES: &[&str] = &[
                    "", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
                    "i128", "isize", "f32", "f64",
                ];
                if !SUFFIXES.contains(&&text[j..suffix_end]) {
                    return None;
                }
                push(out, Kind::Lit, i, suffix_end);
                i = suffix_end;
            }
            b'(' | b'[' | b'{' => {
                open.push(out.len());
                push(out, Kind::Open(c), i, i + 1);
                i += 1;
            }
            b')' | b']' | b'}' => {
                let opener = open.pop()?;
                let expected = match out[opener].kind {
                    Kind::Open(b'(') => b')',
                    Kind::Open(b'[') => b']',
                    _ => b'}',
                };
                if c != expected {
                    return None;
                }
                out[opener].partner = out.len();
                push(out, Kind::Close, i, i + 1);
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let stop = ident_end(text, i, end);
                push(out, Kind::Ident, i, stop);
                i = stop;
            }
            c if c >= 0x80 => {
                i = ident(text, i, end, out)?;
            }
            c if PUNCT_BYTE[usize::from(c)] => {
                let len = punct_len(&b[i..end]);
                push(out, Kind::Punct, i, i + len);
                i += len;
            }
            _ => return None,
        }
    }
    open.is_empty().then_some(())
}

/// Rust's rule for the first character of an identifier (and of a lifetime's name), as
/// proc-macro2's lexer applies it: `_` or a character with the XID_Start property.
fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn ident(text: &str, i: usize, end: usize, out: &mut Vec<Tok>) -> Option<usize> {
    let first = text.get(i..end)?.chars().next()?;
    if !is_ident_start(first) {
        return None;
    }
    let stop = ident_end(text, i, end);
    out.push(Tok {
        kind: Kind::Ident,
        start: i,
        end: stop,
        partner: 0,
    });
    Some(stop)
}

fn ident_end(text: &str, i: usize, end: usize) -> usize {
    let b = text.as_bytes();
    let j = i + b[i..end]
        .iter()
        .position(|&c| !IDENT_BYTE[c as usize])
        .unwrap_or(end - i);
    if j == end || b[j] < 0x80 {
        return j;
    }
    text[j..end]
        .char_indices()
        .find(|&(_, c)| !unicode_ident::is_xid_continue(c))
        .map_or(end, |(k, _)| j + k)
}

/// The index just past the closing `"` of a string whose body starts at `i`.
fn string_end(b: &[u8], mut i: usize, end: usize) -> Option<usize> {
    while i < end {
        i += memchr::memchr2(b'\\', b'"', &b[i..end])?;
        match b[i] {
            b'\\' => i += 2,
            _ => return Some(i + 1),
        }
    }
    None
}

/// Whether the escapes of a string's body (between its quotes) are ones proc-macro2
/// accepts, as its lexer checks them: `\n \r \t \\ \' \" \0`, `\x` up to `7F`,
/// `\u{…}` of one to six hexadecimal digits naming a character, and a line
/// continuation.
fn valid_escapes(body: &str) -> bool {
    if !body.contains('\\') {
        return true;
    }
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            continue;
        }
        match chars.next() {
            Some('n' | 'r' | 't' | '\\' | '\'' | '"' | '0') => {}
            Some('x') => {
                let ok = chars.next().is_some_and(|d| ('0'..='7').contains(&d))
                    && chars.next().is_some_and(|d| d.is_ascii_hexdigit());
                if !ok {
                    return false;
                }
            }
            Some('u') => {
                if chars.next() != Some('{') {
                    return false;
                }
                let (mut value, mut len) = (0u32, 0);
                loop {
                    match chars.next() {
                        Some(d) if d.is_ascii_hexdigit() && len < 6 => {
                            value = value * 16 + d.to_digit(16).unwrap_or(0);
                            len += 1;
                        }
                        Some('_') if len > 0 => {}
                        Some('}') if len > 0 => break,
                        _ => return false,
                    }
                }
                if char::from_u32(value).is_none() {
                    return false;
                }
            }
            Some('\n') => while chars.next_if(|c| matches!(c, ' ' | '\t' | '\n')).is_some() {},
            _ => return false,
        }
    }
    true
}

/// The index just past a raw string whose `#`s or `"` start at `i`.
fn raw_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let hashes = b[i..end].iter().take_while(|&&c| c == b'#').count();
    if b.get(i + hashes) != Some(&b'"') {
        return None;
    }
    let body = i + hashes + 1;
    let mut j = body;
    while j < end {
        j += memchr::memchr(b'"', &b[j..end])?;
        if b[j + 1..end]
            .iter()
            .take(hashes)
            .filter(|&&c| c == b'#')
            .count()
            == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    None
}

/// A string followed by an identifier (`"…"suffix`) is refused: syn reads it as a
/// string with a suffix, which this module does not model.
fn suffixed(b: &[u8], close: usize, end: usize, kind: Kind) -> Option<Kind> {
    if close < end && (b[close].is_ascii_alphanumeric() || b[close] == b'_') {
        None
    } else {
        Some(kind)
    }
}

fn after_suffix(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    i
}

/// Whether token `t` is spelled `p` (compared inline: tokens are short).
fn spelled(text: &str, t: &Tok, p: &str) -> bool {
    let a = &text.as_bytes()[t.start..t.end];
    let b = p.as_bytes();
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

// ---------------------------------------------------------------------------------
// Parser: the subset, as a small tree of token indices.

/// Words that are not identifiers: syn's list (strict and reserved keywords, and `_`).
const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that may start or be a path segment.
const PATH_KEYWORDS: &[&str] = &["self", "Self", "crate", "super"];

enum Item {
    /// A `use` item: nothing to extract.
    Use,
    Fn(FnItem),
    /// A `const` or `static` item: its first token, name and value.
    Value {
        first: usize,
        name: usize,
        value: Ex,
    },
}

struct FnItem {
    first: usize,
    /// `Some` when an attribute is `#[tenant_scoped]`.
    scoped: Option<ScopedArgs>,
    name: usize,
    /// Typed parameters: pattern identifier and the token range of the type.
    params: Vec<(usize, Range<usize>)>,
    body: Range<usize>,
    close: usize,
    stmts: Vec<Stmt>,
}

enum Stmt {
    Let {
        first: usize,
        /// The bound name, when the pattern is a plain identifier without a type.
        name: Option<usize>,
        init: Option<Ex>,
    },
    Expr {
        first: usize,
        ex: Ex,
    },
}

enum Ex {
    Str(usize),
    Lit,
    /// The last segment's token.
    Path(usize),
    Macro {
        first: usize,
        name: usize,
        group: usize,
    },
    Call {
        /// Segment tokens of the called path.
        path: Vec<usize>,
        args: Vec<Ex>,
    },
    Method {
        receiver: Box<Ex>,
        method: usize,
        args: Vec<Ex>,
    },
    /// Field access, `?`, `.await`, `return`: the visit goes into the inner expression.
    Wrap(Box<Ex>),
    Ref(Box<Ex>),
    Paren(Box<Ex>),
    List(Vec<Ex>),
    /// `name = value` (a named `format!` argument).
    Assign {
        name: usize,
        value: Box<Ex>,
    },
    Return(Option<Box<Ex>>),
    /// A closure's block body.
    Block(Vec<Stmt>),
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Tok],
    pos: usize,
    end: usize,
    /// How deep the expression being read nests (see [`MAX_DEPTH`]).
    depth: usize,
}

/// Expressions nested deeper than this (`& & & …`, closures of closures) are left to
/// syn: the reading recurses, and a thread's stack is finite.
const MAX_DEPTH: usize = 128;

impl<'a> Parser<'a> {
    fn at(&self, i: usize) -> Option<&'a Tok> {
        (i < self.end).then(|| &self.toks[i])
    }

    fn word(&self, i: usize) -> Option<&'a str> {
        self.at(i)
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| &self.text[t.start..t.end])
    }

    fn punct(&self, i: usize, p: &str) -> bool {
        self.at(i)
            .is_some_and(|t| t.kind == Kind::Punct && spelled(self.text, t, p))
    }

    fn open(&self, i: usize, delim: u8) -> bool {
        self.at(i).is_some_and(|t| t.kind == Kind::Open(delim))
    }

    fn is_word(&self, i: usize, w: &str) -> bool {
        self.at(i)
            .is_some_and(|t| t.kind == Kind::Ident && spelled(self.text, t, w))
    }

    /// An identifier that is not a keyword.
    fn name(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        (!KEYWORDS.contains(&w)).then_some(i)
    }

    /// A parser over the inside of the group opening at `i`.
    fn inside(&self, i: usize) -> Parser<'a> {
        Parser {
            text: self.text,
            toks: self.toks,
            pos: i + 1,
            end: self.toks[i].partner,
            depth: self.depth,
        }
    }

    /// The file's inner attributes and doc comments (`#![…]`, `//!`).
    fn inner_attributes(&mut self) -> Option<()> {
        loop {
            if self.at(self.pos).is_some_and(|t| t.kind == Kind::Doc(true)) {
                self.pos += 1;
            } else if self.punct(self.pos, "#")
                && self.punct(self.pos + 1, "!")
                && self.open(self.pos + 2, b'[')
            {
                self.attribute(self.pos + 2)?;
                self.pos = self.toks[self.pos + 2].partner + 1;
            } else {
                return Some(());
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let first = self.pos;
        let mut scoped = None;
        // Outer attributes and doc comments.
        loop {
            match self.at(self.pos)?.kind {
                Kind::Doc(false) => self.pos += 1,
                Kind::Punct if self.punct(self.pos, "#") && self.open(self.pos + 1, b'[') => {
                    let attr = self.attribute(self.pos + 1)?;
                    if scoped.is_none() {
                        scoped = attr;
                    }
                    self.pos = self.toks[self.pos + 1].partner + 1;
                }
                _ => break,
            }
        }
        if self.is_word(self.pos, "pub") {
            self.pos += 1;
            if self.open(self.pos, b'(') {
                let inner = self.inside(self.pos);
                let ok = inner.end == inner.pos + 1
                    && ["crate", "self", "super"]
                        .iter()
                        .any(|w| inner.is_word(inner.pos, w));
                if !ok {
                    return None;
                }
                self.pos = self.toks[self.pos].partner + 1;
            }
        }
        if self.is_word(self.pos, "use") {
            if scoped.is_some() {
                return None;
            }
            self.pos += 1;
            while !self.punct(self.pos, ";") {
                let t = self.at(self.pos)?;
                let ok = match t.kind {
                    Kind::Ident | Kind::Close | Kind::Open(b'{') => true,
                    Kind::Punct => matches!(&self.text[t.start..t.end], "::" | "*" | ","),
                    _ => false,
                };
                if !ok {
                    return None;
                }
                self.pos += 1;
            }
            self.pos += 1;
            return Some(Item::Use);
        }
        let value = match self.word(self.pos)? {
            "const" if !self.is_word(self.pos + 1, "fn") => true,
            "static" => true,
            _ => false,
        };
        if value {
            if scoped.is_some() {
                return None;
            }
            self.pos += 1;
            if self.is_word(self.pos, "mut") {
                self.pos += 1;
            }
            let name = self.name(self.pos)?;
            self.pos += 1;
            if !self.punct(self.pos, ":") {
                return None;
            }
            self.pos += 1;
            self.ty(true)?;
            if !self.punct(self.pos, "=") {
                return None;
            }
            self.pos += 1;
            let value = self.expr(false)?;
            if !self.punct(self.pos, ";") {
                return None;
            }
            self.pos += 1;
            return Some(Item::Value { first, name, value });
        }
        for qualifier in ["const", "async", "unsafe"] {
            if self.is_word(self.pos, qualifier) {
                self.pos += 1;
            }
        }
        if !self.is_word(self.pos, "fn") {
            return None;
        }
        let name = self.name(self.pos + 1)?;
        self.pos += 2;
        if self.punct(self.pos, "<") {
            self.skip_generics()?;
        }
        if !self.open(self.pos, b'(') {
            return None;
        }
        let params = self.inside(self.pos).params()?;
        self.pos = self.toks[self.pos].partner + 1;
        if self.punct(self.pos, "->") {
            self.pos += 1;
            self.ty(true)?;
        }
        if !self.open(self.pos, b'{') {
            return None;
        }
        let open = self.pos;
        let close = self.toks[open].partner;
        let stmts = self.inside(open).block()?;
        self.pos = close + 1;
        Some(Item::Fn(FnItem {
            first,
            scoped,
            name,
            params,
            body: open + 1..close,
            close,
            stmts,
        }))
    }

    /// An attribute's contents (the `[…]` group at `i`): `Some(Some(args))` for
    /// `#[tenant_scoped…]`, `Some(None)` for another well-formed one.
    fn attribute(&self, i: usize) -> Option<Option<ScopedArgs>> {
        let mut p = self.inside(i);
        if p.punct(p.pos, "::") {
            p.pos += 1;
        }
        // Segments are identifiers, not keywords (an attribute path with `self` or
        // `crate` is left to syn).
        let mut last = p.word(p.name(p.pos)?)?;
        p.pos += 1;
        while p.punct(p.pos, "::") {
            last = p.word(p.name(p.pos + 1)?)?;
            p.pos += 2;
        }
        let args = if p.pos == p.end {
            ScopedArgs::default()
        } else if p.open(p.pos, b'(') && p.toks[p.pos].partner + 1 == p.end {
            let group = &p.toks[p.pos];
            let inner = &self.text[group.start + 1..self.toks[group.partner].start];
            ScopedArgs::parse(proc_macro2::TokenStream::from_str(inner).ok()?)
        } else if p.punct(p.pos, "=")
            && p.pos + 2 == p.end
            && matches!(p.toks[p.pos + 1].kind, Kind::Str | Kind::Lit)
        {
            ScopedArgs::default()
        } else {
            return None;
        };
        Some((last == "tenant_scoped").then_some(args))
    }

    /// Generic parameters `<'a, T: Bound + 'a, U = X>` at the cursor.
    fn skip_generics(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            if self.punct(self.pos, ">") {
                self.pos += 1;
                return Some(());
            }
            let t = self.at(self.pos)?;
            if t.kind == Kind::Lifetime {
                self.pos += 1;
                if self.punct(self.pos, ":") {
                    self.pos += 1;
                    self.bounds(true)?;
                }
            } else {
                self.name(self.pos)?;
                self.pos += 1;
                if self.punct(self.pos, ":") {
                    self.pos += 1;
                    self.bounds(true)?;
                }
                if self.punct(self.pos, "=") {
                    self.pos += 1;
                    self.ty(true)?;
                }
            }
            if self.punct(self.pos, ",") {
                self.pos += 1;
            } else if !self.punct(self.pos, ">") {
                return None;
            }
        }
    }

    /// Reads one type, strictly (what syn accepts, in a subset): references and
    /// pointers, tuples, slices and arrays of a literal length, `_`, `!`, `impl`/`dyn`
    /// bounds, `fn(…) -> …`, and paths with generic arguments or `Fn(…) -> …` sugar.
    /// `plus`: whether `A + B` bounds may follow (not right after `&`).
    fn ty(&mut self, plus: bool) -> Option<()> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = self.ty_here(plus);
        self.depth -= 1;
        out
    }

    fn ty_here(&mut self, plus: bool) -> Option<()> {
        let t = self.at(self.pos)?;
        match t.kind {
            Kind::Punct if self.punct(self.pos, "&") => {
                self.pos += 1;
                if self.at(self.pos).is_some_and(|t| t.kind == Kind::Lifetime) {
                    self.pos += 1;
                }
                if self.is_word(self.pos, "mut") {
                    self.pos += 1;
                }
                self.ty(false)
            }
            Kind::Punct if self.punct(self.pos, "*") => {
                if !(self.is_word(self.pos + 1, "const") || self.is_word(self.pos + 1, "mut")) {
                    return None;
                }
                self.pos += 2;
                self.ty(false)
            }
            Kind::Punct if self.punct(self.pos, "!") => {
                self.pos += 1;
                Some(())
            }
            Kind::Punct if self.punct(self.pos, "::") => self.path_type(false),
            Kind::Open(b'(') => {
                self.inside(self.pos).types(false)?;
                self.pos = t.partner + 1;
                Some(())
            }
            Kind::Open(b'[') => {
                let mut inner = self.inside(self.pos);
                inner.ty(true)?;
                let ok = inner.pos == inner.end
                    || inner.punct(inner.pos, ";")
                        && inner.pos + 2 == inner.end
                        && inner.toks[inner.pos + 1].kind == Kind::Lit;
                if !ok {
                    return None;
                }
                self.pos = t.partner + 1;
                Some(())
            }
            Kind::Ident => match self.word(self.pos)? {
                "_" => {
                    self.pos += 1;
                    Some(())
                }
                "impl" | "dyn" => {
                    self.pos += 1;
                    self.bounds(plus)
                }
                "fn" => {
                    self.pos += 1;
                    if !self.open(self.pos, b'(') {
                        return None;
                    }
                    self.inside(self.pos).types(true)?;
                    self.pos = self.toks[self.pos].partner + 1;
                    if self.punct(self.pos, "->") {
                        self.pos += 1;
                        self.ty(false)?;
                    }
                    Some(())
                }
                _ => self.path_type(false),
            },
            _ => None,
        }
    }

    /// Comma-separated types filling the group (a trailing comma allowed); `named`:
    /// each may be preceded by `name:` (the parameters of a `fn` pointer type).
    fn types(mut self, named: bool) -> Option<()> {
        while self.pos < self.end {
            if named && self.name(self.pos).is_some() && self.punct(self.pos + 1, ":") {
                self.pos += 2;
            }
            self.ty(true)?;
            if self.pos < self.end {
                if !self.punct(self.pos, ",") {
                    return None;
                }
                self.pos += 1;
            }
        }
        Some(())
    }

    /// A type path: `a::b::C<T, 'a, X = Y, 3>`, or in a bound (`sugar`) `Fn(A) -> B`.
    fn path_type(&mut self, sugar: bool) -> Option<()> {
        if self.punct(self.pos, "::") {
            self.pos += 1;
        }
        loop {
            let w = self.word(self.pos)?;
            if KEYWORDS.contains(&w) && !PATH_KEYWORDS.contains(&w) {
                return None;
            }
            self.pos += 1;
            if self.punct(self.pos, "::") && self.punct(self.pos + 1, "<") {
                self.pos += 1;
            }
            if self.punct(self.pos, "<") {
                self.generic_args()?;
            } else if sugar
                && matches!(self.word(self.pos - 1), Some("Fn" | "FnMut" | "FnOnce"))
                && self.open(self.pos, b'(')
            {
                self.inside(self.pos).types(false)?;
                self.pos = self.toks[self.pos].partner + 1;
                if self.punct(self.pos, "->") {
                    self.pos += 1;
                    self.ty(false)?;
                }
                return Some(());
            }
            if self.punct(self.pos, "::") && self.word(self.pos + 1).is_some() {
                self.pos += 1;
            } else {
                return Some(());
            }
        }
    }

    /// `<…>` after a path segment.
    fn generic_args(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            if self.punct(self.pos, ">") {
                self.pos += 1;
                return Some(());
            }
            let t = self.at(self.pos)?;
            match t.kind {
                Kind::Lifetime | Kind::Lit => self.pos += 1,
                Kind::Ident if self.punct(self.pos + 1, "=") => {
                    self.name(self.pos)?;
                    self.pos += 2;
                    self.ty(true)?;
                }
                _ => self.ty(true)?,
            }
            if self.punct(self.pos, ",") {
                self.pos += 1;
            } else if !self.punct(self.pos, ">") {
                return None;
            }
        }
    }

    /// Trait bounds: `A + ?Sized + 'a + (B)`; one bound only when `plus` is false.
    fn bounds(&mut self, plus: bool) -> Option<()> {
        loop {
            if self.at(self.pos).is_some_and(|t| t.kind == Kind::Lifetime) {
                self.pos += 1;
            } else {
                if self.punct(self.pos, "?") {
                    self.pos += 1;
                }
                self.path_type(true)?;
            }
            if plus && self.punct(self.pos, "+") {
                self.pos += 1;
            } else {
                return Some(());
            }
        }
    }

    /// Function parameters: receivers are skipped; typed ones give (name, type).
    fn params(mut self) -> Option<Vec<(usize, Range<usize>)>> {
        let mut out = Vec::new();
        while self.pos < self.end {
            // `self`, `mut self`, `&self`, `&'a mut self`, `self: Type`.
            let mut p = self.pos;
            if self.punct(p, "&") {
                p += 1;
                if self.at(p).is_some_and(|t| t.kind == Kind::Lifetime) {
                    p += 1;
                }
            }
            if self.is_word(p, "mut") {
                p += 1;
            }
            if self.is_word(p, "self") {
                self.pos = p + 1;
                if self.punct(self.pos, ":") {
                    self.pos += 1;
                    self.ty(true)?;
                }
            } else {
                if self.is_word(self.pos, "mut") {
                    self.pos += 1;
                }
                let name = self.name(self.pos)?;
                if !self.punct(self.pos + 1, ":") {
                    return None;
                }
                self.pos += 2;
                let ty = self.pos;
                self.ty(true)?;
                out.push((name, ty..self.pos));
            }
            if self.pos < self.end {
                if !self.punct(self.pos, ",") {
                    return None;
                }
                self.pos += 1;
            }
        }
        Some(out)
    }

    fn block(mut self) -> Option<Vec<Stmt>> {
        let mut out = Vec::new();
        while self.pos < self.end {
            let first = self.pos;
            if self.is_word(first, "let") {
                self.pos += 1;
                let mut plain = true;
                let name = if self.punct(self.pos, "_") || self.is_word(self.pos, "_") {
                    plain = false;
                    None
                } else {
                    if self.is_word(self.pos, "mut") {
                        self.pos += 1;
                    }
                    Some(self.name(self.pos)?)
                };
                self.pos += 1;
                if self.punct(self.pos, ":") {
                    plain = false;
                    self.pos += 1;
                    self.ty(true)?;
                }
                let init = if self.punct(self.pos, "=") {
                    self.pos += 1;
                    Some(self.expr(false)?)
                } else {
                    None
                };
                if !self.punct(self.pos, ";") {
                    return None;
                }
                self.pos += 1;
                out.push(Stmt::Let {
                    first,
                    name: name.filter(|_| plain),
                    init,
                });
                continue;
            }
            let ex = self.expr(false)?;
            if self.punct(self.pos, ";") {
                self.pos += 1;
            } else if self.pos < self.end {
                let braced_macro = matches!(ex, Ex::Macro { group, .. } if self.open(group, b'{'));
                if !braced_macro {
                    return None;
                }
            }
            out.push(Stmt::Expr { first, ex });
        }
        Some(out)
    }

    /// An expression of the subset; `args` allows `name = value` (macro arguments).
    fn expr(&mut self, args: bool) -> Option<Ex> {
        self.nested(|p| p.expr_here(args))
    }

    /// Runs `read` one level deeper; `None` past [`MAX_DEPTH`].
    fn nested(&mut self, read: impl FnOnce(&mut Self) -> Option<Ex>) -> Option<Ex> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }

    fn expr_here(&mut self, args: bool) -> Option<Ex> {
        if self.is_word(self.pos, "return") {
            self.pos += 1;
            if self.pos == self.end || self.punct(self.pos, ";") || self.punct(self.pos, ",") {
                return Some(Ex::Return(None));
            }
            return Some(Ex::Return(Some(Box::new(self.expr(false)?))));
        }
        if self.punct(self.pos, "|") || self.punct(self.pos, "||") || self.is_word(self.pos, "move")
        {
            return self.closure();
        }
        let ex = self.unary()?;
        if args
            && self.punct(self.pos, "=")
            && let Ex::Path(name) = ex
            && self.pos >= 2
            && !self.punct(self.pos - 2, "::")
        {
            self.pos += 1;
            let value = self.expr(false)?;
            return Some(Ex::Assign {
                name,
                value: Box::new(value),
            });
        }
        // Whatever follows must end the expression.
        let ends = self.pos == self.end
            || self.punct(self.pos, ";")
            || self.punct(self.pos, ",")
            || matches!(ex, Ex::Macro { group, .. } if self.open(group, b'{'));
        ends.then_some(ex)
    }

    fn closure(&mut self) -> Option<Ex> {
        if self.is_word(self.pos, "move") {
            self.pos += 1;
        }
        if self.punct(self.pos, "||") {
            self.pos += 1;
        } else {
            self.pos += 1;
            while !self.punct(self.pos, "|") {
                if !(self.name(self.pos).is_some() || self.is_word(self.pos, "_")) {
                    return None;
                }
                self.pos += 1;
                if self.punct(self.pos, ",") {
                    self.pos += 1;
                }
            }
            self.pos += 1;
        }
        if self.open(self.pos, b'{') {
            let open = self.pos;
            let stmts = self.inside(open).block()?;
            self.pos = self.toks[open].partner + 1;
            let ends =
                self.pos == self.end || self.punct(self.pos, ";") || self.punct(self.pos, ",");
            return ends.then_some(Ex::Block(stmts));
        }
        Some(Ex::Wrap(Box::new(self.expr(false)?)))
    }

    fn unary(&mut self) -> Option<Ex> {
        if self.punct(self.pos, "&") {
            self.pos += 1;
            if self.is_word(self.pos, "mut") {
                self.pos += 1;
            }
            return Some(Ex::Ref(Box::new(self.nested(Self::unary)?)));
        }
        let mut ex = self.primary()?;
        loop {
            if self.punct(self.pos, "?") {
                self.pos += 1;
                ex = Ex::Wrap(Box::new(ex));
            } else if self.punct(self.pos, ".") {
                let t = self.at(self.pos + 1)?;
                // `.await`, or a tuple field (`.0`).
                let tuple_field = t.kind == Kind::Lit
                    && self.text[t.start..t.end]
                        .bytes()
                        .all(|c| c.is_ascii_digit());
                if self.is_word(self.pos + 1, "await") || tuple_field {
                    self.pos += 2;
                    ex = Ex::Wrap(Box::new(ex));
                } else {
                    let member = self.name(self.pos + 1)?;
                    self.pos += 2;
                    if self.open(self.pos, b'(') {
                        let args = self.inside(self.pos).list()?;
                        self.pos = self.toks[self.pos].partner + 1;
                        ex = Ex::Method {
                            receiver: Box::new(ex),
                            method: member,
                            args,
                        };
                    } else if self.punct(self.pos, "::") {
                        return None;
                    } else {
                        ex = Ex::Wrap(Box::new(ex));
                    }
                }
            } else {
                return Some(ex);
            }
        }
    }

    fn primary(&mut self) -> Option<Ex> {
        let t = self.at(self.pos)?;
        match t.kind {
            Kind::Str => {
                self.pos += 1;
                Some(Ex::Str(self.pos - 1))
            }
            Kind::Lit => {
                self.pos += 1;
                Some(Ex::Lit)
            }
            Kind::Ident if self.is_word(self.pos, "true") || self.is_word(self.pos, "false") => {
                self.pos += 1;
                Some(Ex::Lit)
            }
            Kind::Ident | Kind::Punct => {
                let first = self.pos;
                let path = self.path()?;
                let last = *path.last()?;
                if self.punct(self.pos, "!") && matches!(self.at(self.pos + 1)?.kind, Kind::Open(_))
                {
                    let group = self.pos + 1;
                    self.pos = self.toks[group].partner + 1;
                    self.check_macro(last, group)?;
                    return Some(Ex::Macro {
                        first,
                        name: last,
                        group,
                    });
                }
                if self.open(self.pos, b'(') {
                    let args = self.inside(self.pos).list()?;
                    self.pos = self.toks[self.pos].partner + 1;
                    return Some(Ex::Call { path, args });
                }
                if self.open(self.pos, b'{') || self.open(self.pos, b'[') {
                    return None;
                }
                Some(Ex::Path(last))
            }
            Kind::Open(b'(') => {
                let inner = self.inside(self.pos);
                let trailing = inner.end > inner.pos && inner.punct(inner.end - 1, ",");
                let list = inner.list()?;
                self.pos = t.partner + 1;
                Some(if list.len() == 1 && !trailing {
                    Ex::Paren(Box::new(list.into_iter().next()?))
                } else {
                    Ex::List(list)
                })
            }
            Kind::Open(b'[') => {
                let list = self.inside(self.pos).list()?;
                self.pos = t.partner + 1;
                Some(Ex::List(list))
            }
            _ => None,
        }
    }

    /// Refuses a macro invocation whose reading could differ from syn's: a doc comment
    /// among its tokens (syn reads it as a string), or arguments of a macro the
    /// extractor interprets that are outside the subset.
    fn check_macro(&self, name: usize, group: usize) -> Option<()> {
        let partner = self.toks[group].partner;
        if (group..partner).any(|i| matches!(self.toks[i].kind, Kind::Doc(_))) {
            return None;
        }
        let name = self.word(name)?;
        let known = matches!(name, "format" | "format_args" | "concat" | "include_str")
            || FILE_MACROS.contains(&name)
            || SINK_MACROS.contains(&name);
        if known {
            let args = macro_args(self.text, self.toks, group, self.depth)?;
            // syn's `concat!` reading spells other literals as written; not done here.
            if name == "concat" && args.iter().any(|a| matches!(a, Ex::Lit)) {
                return None;
            }
        }
        Some(())
    }

    /// A path `a::b::c` (no generic arguments): its segment tokens.
    fn path(&mut self) -> Option<Vec<usize>> {
        let mut segments = Vec::new();
        if self.punct(self.pos, "::") {
            self.pos += 1;
        }
        loop {
            let w = self.word(self.pos)?;
            if KEYWORDS.contains(&w) && !PATH_KEYWORDS.contains(&w) {
                return None;
            }
            segments.push(self.pos);
            self.pos += 1;
            if self.punct(self.pos, "::") {
                self.pos += 1;
            } else {
                return Some(segments);
            }
        }
    }

    /// Comma-separated expressions filling the whole range (a trailing comma allowed).
    fn list(mut self) -> Option<Vec<Ex>> {
        let mut out = Vec::new();
        while self.pos < self.end {
            out.push(self.expr(true)?);
            if self.pos < self.end {
                if !self.punct(self.pos, ",") {
                    return None;
                }
                self.pos += 1;
            }
        }
        Some(out)
    }
}

// ---------------------------------------------------------------------------------
// Collector: `rust::Collector`'s logic over the small tree.

/// Hashing for keys that are byte offsets of tokens in one file: a multiplicative
/// hash instead of SipHash (the keys come from one file's layout, not from a caller
/// choosing them). A collision can only cost time, never a wrong answer.
type OffsetHash = std::hash::BuildHasherDefault<OffsetHasher>;

#[derive(Default)]
struct OffsetHasher(u64);

impl std::hash::Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
}

struct Collector<'a> {
    text: &'a str,
    toks: &'a [Tok],
    lines: &'a LineIndex,
    scope_types: &'a [String],
    candidates: Vec<RustSql>,
    /// Literal or macro (by first byte) → candidate.
    by_literal: HashMap<(bool, usize), usize, OffsetHash>,
    /// `let`/`const` names bound to candidates, the latest last (a function's are
    /// dropped at its end).
    vars: Vec<(&'a str, usize)>,
    consts: HashMap<String, Decoded>,
    function: Option<String>,
    statement_line: u64,
    scoped: Vec<ScopedFn>,
    functions: Vec<(String, Range<u64>)>,
    /// How many spans the syn extractor would have recorded so far.
    spans: usize,
}

impl<'a> Collector<'a> {
    fn tok_text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.text[t.start..t.end]
    }

    fn location(&self, i: usize) -> Location {
        self.lines.position(self.text, self.toks[i].start)
    }

    fn line(&self, i: usize) -> u64 {
        self.lines.line(self.toks[i].start)
    }

    fn span_id(&mut self) -> SpanId {
        self.spans += 1;
        SpanId(self.spans - 1)
    }

    fn file_consts(&self, items: &[Item]) -> HashMap<String, Decoded> {
        let mut out = HashMap::new();
        for item in items {
            if let Item::Value {
                name,
                value: Ex::Str(lit),
                ..
            } = item
                && let Some(decoded) = decode(self.tok_text(*lit), self.location(*lit))
            {
                out.insert(self.tok_text(*name).to_string(), decoded);
            }
        }
        out
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Value { first, name, value } => {
                self.statement_line = self.line(*first);
                if let Some(i) = self.string_expr(value) {
                    let name = self.tok_text(*name);
                    if sql_like_name(name) {
                        self.strengthen(i, Context::Named);
                    }
                    self.vars.push((name, i));
                }
                self.visit(value);
                self.statement_line = 0;
            }
            Item::Fn(f) => {
                self.statement_line = self.line(f.first);
                self.function_body(f);
                self.statement_line = 0;
            }
            Item::Use => {}
        }
    }

    fn function_body(&mut self, f: &FnItem) {
        let name = self.tok_text(f.name).to_string();
        let start = self.line(f.first);
        let end = self.line(f.close);
        let before = self.candidates.len();
        self.function = Some(name.clone());
        let outer_vars = self.vars.len();
        for stmt in &f.stmts {
            self.stmt(stmt);
        }
        self.vars.truncate(outer_vars);
        self.function = None;
        self.functions.push((name.clone(), start..end + 1));
        let Some(args) = f.scoped.clone() else {
            return;
        };
        let scope_param = f
            .params
            .iter()
            .find(|(_, ty)| {
                ty.clone().any(|i| {
                    self.toks[i].kind == Kind::Ident
                        && self.scope_types.iter().any(|n| n == self.tok_text(i))
                })
            })
            .map(|&(param, _)| (param, self.tok_text(param).to_string()));
        let scope_param = scope_param.map(|(token, name)| {
            let at = self.location(token);
            (name, self.span_id(), at)
        });
        let scope_used = scope_param.as_ref().is_some_and(|(param, _, _)| {
            f.body.clone().any(|i| match self.toks[i].kind {
                Kind::Ident => self.tok_text(i) == param,
                Kind::Lifetime => &self.tok_text(i)[1..] == param,
                _ => false,
            })
        });
        let at = self.location(f.name);
        let span = self.span_id();
        self.scoped.push(ScopedFn {
            name,
            span,
            at,
            line: at.line,
            args,
            direct: true,
            scope_param,
            scope_used,
            has_sql: self.candidates[before..]
                .iter()
                .any(|c| c.include.is_some() || starts_like_sql(&c.text.text)),
            lines: start..end + 1,
        });
    }

    fn stmt(&mut self, stmt: &Stmt) {
        let outer = self.statement_line;
        match stmt {
            Stmt::Let { first, name, init } => {
                self.statement_line = self.line(*first);
                if let (Some(init), Some(name)) = (init, name)
                    && let Some(i) = self.string_expr(init)
                {
                    let name = self.tok_text(*name);
                    if sql_like_name(name) {
                        self.strengthen(i, Context::Named);
                    }
                    self.vars.push((name, i));
                }
                if let Some(init) = init {
                    self.visit(init);
                }
            }
            Stmt::Expr { first, ex } => {
                self.statement_line = self.line(*first);
                self.visit(ex);
            }
        }
        self.statement_line = outer;
    }

    fn new_candidate(&mut self, text: Decoded, first: usize, pieces: Vec<Range<usize>>) -> usize {
        let line = self.line(first);
        let span = self.span_id();
        let pieces = pieces
            .into_iter()
            .map(|range| (range, self.span_id()))
            .collect();
        self.candidates.push(RustSql {
            text,
            span,
            pieces,
            context: Context::Plain,
            holes: Vec::new(),
            built: false,
            include: None,
            include_from_crate: false,
            function: self.function.clone(),
            statement_line: if self.statement_line == 0 {
                line
            } else {
                self.statement_line
            },
        });
        self.candidates.len() - 1
    }

    fn literal(&mut self, lit: usize) -> Option<usize> {
        // A literal seen before passed the test below (the syn extractor tests first;
        // the outcome is the same).
        let key = (false, self.toks[lit].start);
        if let Some(&i) = self.by_literal.get(&key) {
            return Some(i);
        }
        let repr = self.tok_text(lit);
        if !token_may_be_sql(repr) {
            return None;
        }
        let text = decode(repr, self.location(lit))?;
        let n = text.char_count();
        let i = self.new_candidate(text, lit, std::iter::once(0..n).collect());
        self.by_literal.insert(key, i);
        Some(i)
    }

    fn strengthen(&mut self, i: usize, context: Context) {
        let c = &mut self.candidates[i];
        c.context = c.context.max(context);
    }

    fn string_expr(&mut self, ex: &Ex) -> Option<usize> {
        match ex {
            Ex::Str(lit) => self.literal(*lit),
            Ex::Macro { .. } => self.macro_call(ex),
            Ex::Paren(inner) | Ex::Ref(inner) => self.string_expr(inner),
            Ex::Method {
                receiver,
                method,
                args,
            } if args.is_empty()
                && matches!(
                    self.tok_text(*method),
                    "to_string" | "to_owned" | "into" | "as_str" | "as_ref"
                ) =>
            {
                self.string_expr(receiver)
            }
            Ex::Call { path, args }
                if args.len() == 1
                    && path
                        .last()
                        .is_some_and(|&s| matches!(self.tok_text(s), "from" | "new")) =>
            {
                self.string_expr(&args[0])
            }
            Ex::Path(last) => {
                let name = self.tok_text(*last);
                self.vars
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, i)| i)
            }
            _ => None,
        }
    }

    fn macro_call(&mut self, ex: &Ex) -> Option<usize> {
        let Ex::Macro { first, .. } = ex else {
            return None;
        };
        let key = (true, self.toks[*first].start);
        if let Some(&i) = self.by_literal.get(&key) {
            return Some(i);
        }
        let found = self.new_macro_call(ex);
        if let Some(i) = found {
            self.by_literal.insert(key, i);
        }
        found
    }

    fn new_macro_call(&mut self, ex: &Ex) -> Option<usize> {
        let Ex::Macro { first, name, group } = *ex else {
            return None;
        };
        let name = self.tok_text(name).to_string();
        let known = matches!(
            name.as_str(),
            "format" | "format_args" | "concat" | "include_str"
        ) || FILE_MACROS.contains(&name.as_str())
            || SINK_MACROS.contains(&name.as_str());
        let inside = self.toks[group].partner;
        if !known {
            self.macro_tokens(group + 1..inside);
            return None;
        }
        // The arguments parsed when the tree was built (`Parser::check_macro`).
        let args = macro_args(self.text, self.toks, group, 0).unwrap_or_default();
        match name.as_str() {
            "format" | "format_args" => {
                let Some(Ex::Str(lit)) = args.first() else {
                    return None;
                };
                let decoded = decode(self.tok_text(*lit), self.location(*lit))?;
                let named: HashMap<String, &Ex> = args[1..]
                    .iter()
                    .filter_map(|a| match a {
                        Ex::Assign { name, value } => {
                            Some((self.tok_text(*name).to_string(), value.as_ref()))
                        }
                        _ => None,
                    })
                    .collect();
                Some(self.format_candidate(*lit, &decoded, &named))
            }
            "concat" => {
                let mut text = Decoded::default();
                let mut pieces = Vec::new();
                let mut end = Location::new(1, 1);
                for arg in &args {
                    let piece = match arg {
                        Ex::Str(lit) => decode(self.tok_text(*lit), self.location(*lit))?,
                        _ => return None,
                    };
                    let start = text.text.chars().count();
                    text.append(&piece);
                    pieces.push(start..text.text.chars().count());
                    end = piece.at.last()?;
                }
                text.finish(end);
                Some(self.new_candidate(text, first, pieces))
            }
            "include_str" => {
                let Some(Ex::Str(lit)) = args.first() else {
                    return None;
                };
                let path = decode(self.tok_text(*lit), Location::new(1, 1))?.text;
                self.include(path, first)
            }
            m if FILE_MACROS.contains(&m) => {
                let lit = args.iter().find_map(|a| match a {
                    Ex::Str(lit) => Some(*lit),
                    _ => None,
                })?;
                let path = decode(self.tok_text(lit), Location::new(1, 1))?.text;
                let i = self.include(path, first)?;
                self.candidates[i].include_from_crate = true;
                self.strengthen(i, Context::Sink);
                Some(i)
            }
            _ => {
                // A sink macro (`sqlx::query!`).
                let mut found = None;
                for arg in &args {
                    if let Some(i) = self.string_expr(arg) {
                        found.get_or_insert(i);
                    }
                }
                let i = found?;
                self.strengthen(i, Context::Sink);
                for arg in &args[1..] {
                    self.visit(arg);
                }
                Some(i)
            }
        }
    }

    fn include(&mut self, path: String, first: usize) -> Option<usize> {
        let i = self.new_candidate(Decoded::default(), first, Vec::new());
        self.candidates[i].include = Some(path);
        self.candidates[i].context = Context::Sink;
        Some(i)
    }

    fn macro_tokens(&mut self, range: Range<usize>) {
        for i in range {
            if self.toks[i].kind == Kind::Str {
                self.literal(i);
            }
        }
    }

    fn format_candidate(
        &mut self,
        lit: usize,
        decoded: &Decoded,
        named: &HashMap<String, &Ex>,
    ) -> usize {
        let (text, holes) = fill_format_holes(decoded, |name| {
            let target = match named.get(name) {
                Some(Ex::Path(last)) => Some(self.tok_text(*last).to_string()),
                Some(_) => None,
                None => Some(name.to_string()),
            };
            target.and_then(|t| self.consts.get(&t).cloned())
        });
        let n = text.char_count();
        let i = self.new_candidate(text, lit, std::iter::once(0..n).collect());
        self.candidates[i].holes = holes;
        i
    }

    /// syn's `visit_expr` order, with the collector's hooks.
    fn visit(&mut self, ex: &Ex) {
        match ex {
            Ex::Str(lit) => {
                self.literal(*lit);
            }
            Ex::Lit | Ex::Path(_) | Ex::Return(None) => {}
            Ex::Macro { .. } => {
                self.macro_call(ex);
            }
            Ex::Call { path, args } => {
                let last = path.last().map(|&s| self.tok_text(s));
                if last.is_some_and(|l| SINK_FUNCTIONS.contains(&l)) {
                    for arg in args {
                        if let Some(i) = self.string_expr(arg) {
                            self.strengthen(i, Context::Sink);
                        }
                    }
                }
                let builder = path.len() >= 2
                    && self.tok_text(path[path.len() - 2]) == "QueryBuilder"
                    && self.tok_text(path[path.len() - 1]) == "new";
                if builder {
                    for arg in args {
                        if let Some(i) = self.string_expr(arg) {
                            self.candidates[i].built = true;
                            self.strengthen(i, Context::Sink);
                        }
                    }
                }
                for arg in args {
                    self.visit(arg);
                }
            }
            Ex::Method {
                receiver,
                method,
                args,
            } => {
                let method = self.tok_text(*method).to_string();
                if SINK_METHODS.contains(&method.as_str()) {
                    for arg in args {
                        if let Some(i) = self.string_expr(arg) {
                            self.strengthen(i, Context::Sink);
                        }
                    }
                }
                if matches!(
                    method.as_str(),
                    "push_str" | "push" | "push_bind" | "extend"
                ) && let Some(i) = self.string_expr(receiver)
                {
                    self.candidates[i].built = true;
                }
                self.visit(receiver);
                for arg in args {
                    self.visit(arg);
                }
            }
            Ex::Wrap(inner) | Ex::Ref(inner) | Ex::Paren(inner) | Ex::Return(Some(inner)) => {
                self.visit(inner)
            }
            Ex::List(items) => {
                for item in items {
                    self.visit(item);
                }
            }
            Ex::Assign { value, .. } => self.visit(value),
            Ex::Block(stmts) => {
                for stmt in stmts {
                    self.stmt(stmt);
                }
            }
        }
    }
}

/// A known macro's arguments as comma-separated expressions of the subset.
fn macro_args(text: &str, toks: &[Tok], group: usize, depth: usize) -> Option<Vec<Ex>> {
    Parser {
        text,
        toks,
        pos: group + 1,
        end: toks[group].partner,
        depth,
    }
    .list()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(text: &str) -> bool {
        extract(text, &[(0..text.len(), true)], &["TenantScope".to_string()]).is_some()
    }

    #[test]
    fn repository_shapes_are_read() {
        assert!(reads(
            "#[tenant_scoped]\npub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<Option<Job>> {\n    let sql = r#\"SELECT * FROM JOB WHERE client_id = :c\"#;\n    db.conn().query_row(scope, sql, &[(\":id\", &id)], |r| Job::from_row(r))\n}\n"
        ));
        assert!(reads(
            "const COLS: &str = \"a, b\";\nfn f<'a, T: AsRef<str> + 'a>(c: &'a mut Vec<(T, [u8; 4])>, g: impl Fn(&str) -> bool) {\n    let q = format!(\"SELECT {COLS} FROM JOB\");\n    c.execute(&q, []).await?;\n}\n"
        ));
    }

    #[test]
    fn what_syn_rejects_is_left_to_syn() {
        // Found by fuzzing: two words in a row in a type; a keyword as an attribute path.
        assert!(!reads(
            "fn f(db: &ScopedConn, user: &T senantScope) -> f64 {}"
        ));
        assert!(!reads("#[box = \"SELECT * FROM JOB\"]\nfn f() {}"));
        // Found by fuzzing: an identifier starting with a letter that is not XID_Start
        // (U+06DC is alphabetic, a combining mark); Rust's lexer refuses it. One that
        // continues with it is an identifier.
        assert!(!reads(
            "fn f(c: &C) { \u{6dc}onn.query(\"SELECT 1 FROM t\", []); }"
        ));
        assert!(
            syn::parse_file("fn f(c: &C) { \u{6dc}onn.query(\"SELECT 1 FROM t\", []); }").is_err()
        );
        assert!(!reads("fn f<'\u{6dc}a>() {}"));
        assert!(reads(
            "fn f(c\u{6dc}: &C) { c\u{6dc}.query(\"SELECT 1 FROM t\", []); }"
        ));
        // And what the subset does not cover.
        assert!(!reads("fn f() where T: Copy {}"));
        assert!(!reads("fn f() { let x = a + b; }"));
        assert!(!reads("fn f() { if x { g(\"SELECT 1 FROM t\") } }"));
    }
}
