//! SQL inside Rust sources: string literals in calls, `const`/`static` items, `let`
//! bindings later passed to a query call, and inside macro invocations (whose token
//! streams are walked), with `concat!` pieces joined, `include_str!` resolved by the
//! caller, and `format!` holes replaced by placeholders (the statement is then
//! marked as built at run time).
//!
//! Every character of the extracted SQL keeps the position of the source character it
//! came from, so findings point into the `.rs` file.

use std::collections::HashMap;
use std::ops::Range;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use sqlparser::tokenizer::Location;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ExprLit, FnArg, Lit, LitStr, Pat, Type};

use crate::extract::literal::{Decoded, decode, format_holes};

/// Where a span starts in the file; the macro, which cannot know, maps every span to
/// the start of its own text.
pub type Locate<'a> = &'a dyn Fn(Span) -> Location;

/// How sure the extractor is that a string is SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    /// Any string literal: SQL only if it starts with a statement keyword and parses.
    Plain,
    /// A `const`, `static` or `let` named like SQL (`*_SQL`, `QUERY`, `stmt`).
    Named,
    /// An argument of a query call (`prepare`, `query`, `execute`, `sqlx::query!` …):
    /// SQL if it starts with a statement keyword, and an error if it does not parse.
    Sink,
}

/// A `{…}` of a `format!` string that was replaced by a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatHole {
    /// The argument the hole names (`COLUMNS` in `{COLUMNS}`), if any.
    pub name: Option<String>,
    pub written: String,
    pub placeholder: String,
    pub at: Location,
}

/// A token's span, by index into [`Extracted::spans`] (spans are not `Send`; the
/// facts that refer to them are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanId(pub usize);

/// One SQL string found in Rust source.
#[derive(Debug, Clone)]
pub struct RustSql {
    /// The SQL, with format holes replaced; each character has its source position.
    pub text: Decoded,
    /// The literal (or macro) it comes from, for compile errors.
    pub span: SpanId,
    /// Which literal each range of characters came from.
    pub pieces: Vec<(Range<usize>, SpanId)>,
    pub context: Context,
    pub holes: Vec<FormatHole>,
    /// The string is extended at run time (`push_str`, `+=`, a query builder).
    pub built: bool,
    /// `include_str!`/`query_file!` paths, to be read relative to the source file
    /// (`include_str!`) or to the crate's root (`query_file!`, see `include_from_crate`).
    pub include: Option<String>,
    /// The include is relative to the crate's root (`CARGO_MANIFEST_DIR`), as sqlx's
    /// `query_file!` family reads it, not to the source file.
    pub include_from_crate: bool,
    /// The function it is in (`Type::method` in an impl).
    pub function: Option<String>,
    /// The line of the statement or item it is in, where a suppression comment goes.
    pub statement_line: u64,
}

impl RustSql {
    /// The literal a position of the text came from.
    pub fn span_at(&self, char_index: usize) -> SpanId {
        self.pieces
            .iter()
            .find(|(range, _)| range.contains(&char_index))
            .map_or(self.span, |(_, span)| *span)
    }
}

/// `cross_tenant = "reason"` and the rest of a `#[tenant_scoped(…)]` attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopedArgs {
    /// `Some("")` when the escape hatch is given without a reason.
    pub cross_tenant: Option<String>,
    /// Arguments that were not understood, for an error.
    pub unknown: Vec<String>,
}

impl ScopedArgs {
    pub fn parse(tokens: TokenStream) -> ScopedArgs {
        let mut args = ScopedArgs::default();
        if tokens.is_empty() {
            return args;
        }
        let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
        match syn::parse::Parser::parse2(parser, tokens.clone()) {
            Ok(metas) => {
                for meta in metas {
                    match &meta {
                        syn::Meta::NameValue(nv) if nv.path.is_ident("cross_tenant") => {
                            let reason = match &nv.value {
                                Expr::Lit(ExprLit {
                                    lit: Lit::Str(s), ..
                                }) => s.value(),
                                _ => String::new(),
                            };
                            args.cross_tenant = Some(reason.trim().to_string());
                        }
                        syn::Meta::Path(p) if p.is_ident("cross_tenant") => {
                            args.cross_tenant = Some(String::new());
                        }
                        other => args.unknown.push(other.to_token_stream().to_string()),
                    }
                }
            }
            Err(_) => args.unknown.push(tokens.to_string()),
        }
        args
    }
}

/// A function under `#[tenant_scoped]` (directly or through its `impl`).
#[derive(Debug, Clone)]
pub struct ScopedFn {
    pub name: String,
    /// The function's name, where findings about it point.
    pub span: SpanId,
    pub at: Location,
    pub line: u64,
    pub args: ScopedArgs,
    /// Annotated itself, rather than through its `impl` block.
    pub direct: bool,
    /// The parameter whose type is a tenant scope: its name, span and position.
    pub scope_param: Option<(String, SpanId, Location)>,
    /// Whether that parameter is used in the body.
    pub scope_used: bool,
    /// Whether the function contains SQL literals.
    pub has_sql: bool,
    /// Lines the function spans.
    pub lines: Range<u64>,
}

/// What a Rust file or item holds: its SQL and its `#[tenant_scoped]` functions.
#[derive(Debug, Clone, Default)]
pub struct RustFacts {
    pub sql: Vec<RustSql>,
    pub scoped: Vec<ScopedFn>,
    /// Every function, with the lines it spans (for grouping statements by function).
    pub functions: Vec<(String, Range<u64>)>,
}

/// [`RustFacts`] and the spans they refer to.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub facts: RustFacts,
    pub spans: Vec<Span>,
}

/// Method calls whose string arguments are SQL.
pub(crate) const SINK_METHODS: &[&str] = &[
    "execute",
    "execute_batch",
    "prepare",
    "prepare_cached",
    "query",
    "query_row",
    "query_map",
    "query_and_then",
    "query_one",
    "query_opt",
    "query_as",
    "query_scalar",
    "fetch",
    "fetch_one",
    "fetch_all",
    "fetch_optional",
    "raw_sql",
    "batch_execute",
    "simple_query",
    "exec",
    "exec_drop",
    "exec_first",
    "exec_map",
    "query_first",
    "query_drop",
    "sql",
    "query_rows",
    "query_value",
    "list",
    "get_one",
    "run",
];

/// Free functions (`sqlx::query(...)`) whose string arguments are SQL.
pub(crate) const SINK_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "raw_sql",
    "execute",
    "sql",
];

/// Macros whose string arguments are SQL (sqlx).
pub(crate) const SINK_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
];

/// Macros naming a SQL file (sqlx).
pub(crate) const FILE_MACROS: &[&str] = &[
    "query_file",
    "query_file_as",
    "query_file_scalar",
    "query_file_unchecked",
    "query_file_as_unchecked",
    "query_file_scalar_unchecked",
];

/// Words a SQL statement starts with (`PRAGMA`, `BEGIN` and the like carry no tenant data).
pub(crate) const STATEMENT_KEYWORDS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "MERGE", "CREATE", "ALTER", "DROP",
    "UPSERT", "VALUES", "TRUNCATE", "EXPLAIN",
];

/// Whether text starts like a SQL statement: a statement keyword followed by more text.
/// `"DELETE"` (an HTTP method) and `"select_all"` do not.
pub fn starts_like_sql(text: &str) -> bool {
    let Some(rest) = skip_sql_comments(text) else {
        return false;
    };
    let word = &rest[..rest.bytes().take_while(|c| c.is_ascii_alphabetic()).count()];
    let after = &rest[word.len()..];
    STATEMENT_KEYWORDS
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
        && after.starts_with(|c: char| c.is_whitespace() || c == '(')
        && !after.trim().is_empty()
}

/// A `format!` string with each hole naming a string constant replaced by the
/// constant's text (`constant(name)`), and the others by placeholders
/// (`__format_hole_1` …), which are returned. Shared by both extractors.
pub(crate) fn fill_format_holes(
    decoded: &Decoded,
    constant: impl Fn(&str) -> Option<Decoded>,
) -> (Decoded, Vec<FormatHole>) {
    let split = format_holes(decoded);
    let mut text = Decoded::default();
    let mut holes = Vec::new();
    for (k, part) in split.parts.iter().enumerate() {
        text.append(part);
        let Some(hole) = split.holes.get(k) else {
            continue;
        };
        match hole.name.as_deref().and_then(&constant) {
            Some(value) => text.append(&value),
            None => {
                let placeholder = format!("__format_hole_{}", holes.len() + 1);
                text.append_at(&placeholder, hole.at);
                holes.push(FormatHole {
                    name: hole.name.clone(),
                    written: hole.written.clone(),
                    placeholder,
                    at: hole.at,
                });
            }
        }
    }
    text.finish(decoded.at.last().expect("finished"));
    (text, holes)
}

/// `text` after its leading blank space and SQL comments (`--` lines, `/* */`);
/// `None` when a comment does not end.
pub(crate) fn skip_sql_comments(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n')?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/")?.1.trim_start();
        } else {
            return Some(rest);
        }
    }
}

/// Collects the SQL and the `#[tenant_scoped]` functions of a parsed file.
pub fn extract_file(file: &syn::File, locate: Locate, scope_types: &[String]) -> Extracted {
    let mut collector = Collector::new(locate, scope_types);
    collector.consts = file_consts(&file.items, locate);
    collector.visit_file(file);
    collector.finish()
}

/// Collects the SQL of one item under `#[tenant_scoped]` (a function or an impl).
pub fn extract_item(
    item: &syn::Item,
    locate: Locate,
    scope_types: &[String],
    args: ScopedArgs,
) -> Extracted {
    let mut collector = Collector::new(locate, scope_types);
    collector.forced = Some(args);
    collector.consts = file_consts(std::slice::from_ref(item), locate);
    collector.visit_item(item);
    collector.finish()
}

/// `const NAME: &str = "…"` values, for `format!("… {NAME} …")` holes.
fn file_consts(items: &[syn::Item], locate: Locate) -> HashMap<String, Decoded> {
    let mut out = HashMap::new();
    for item in items {
        let (ident, expr) = match item {
            syn::Item::Const(c) => (&c.ident, &c.expr),
            syn::Item::Static(s) => (&s.ident, &s.expr),
            _ => continue,
        };
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = expr.as_ref()
            && let Some(decoded) = decode_lit(lit, locate)
        {
            out.insert(ident.to_string(), decoded);
        }
    }
    out
}

fn decode_lit(lit: &LitStr, locate: Locate) -> Option<Decoded> {
    decode(&lit.token().to_string(), locate(lit.span()))
}

struct Candidate {
    sql: RustSql,
}

struct Collector<'a> {
    locate: Locate<'a>,
    scope_types: &'a [String],
    candidates: Vec<Candidate>,
    /// Literal identity (its span, whose debug form holds its byte range) → candidate.
    by_literal: HashMap<String, usize>,
    vars: HashMap<String, usize>,
    consts: HashMap<String, Decoded>,
    function: Vec<String>,
    impl_type: Vec<(String, Option<ScopedArgs>)>,
    statement_line: u64,
    scoped: Vec<ScopedFn>,
    functions: Vec<(String, Range<u64>)>,
    /// Set when extracting one annotated item: its arguments apply to it directly.
    forced: Option<ScopedArgs>,
    spans: Vec<Span>,
}

impl<'a> Collector<'a> {
    fn new(locate: Locate<'a>, scope_types: &'a [String]) -> Self {
        Collector {
            locate,
            scope_types,
            candidates: Vec::new(),
            by_literal: HashMap::new(),
            vars: HashMap::new(),
            consts: HashMap::new(),
            function: Vec::new(),
            impl_type: Vec::new(),
            statement_line: 0,
            scoped: Vec::new(),
            functions: Vec::new(),
            forced: None,
            spans: Vec::new(),
        }
    }

    fn finish(self) -> Extracted {
        Extracted {
            facts: RustFacts {
                sql: self.candidates.into_iter().map(|c| c.sql).collect(),
                scoped: self.scoped,
                functions: self.functions,
            },
            spans: self.spans,
        }
    }

    fn span_id(&mut self, span: Span) -> SpanId {
        self.spans.push(span);
        SpanId(self.spans.len() - 1)
    }

    fn new_candidate(
        &mut self,
        text: Decoded,
        span: Span,
        pieces: Vec<(Range<usize>, Span)>,
    ) -> usize {
        let line = (self.locate)(span).line;
        let span = self.span_id(span);
        let pieces = pieces
            .into_iter()
            .map(|(range, span)| (range, self.span_id(span)))
            .collect();
        self.candidates.push(Candidate {
            sql: RustSql {
                text,
                span,
                pieces,
                context: Context::Plain,
                holes: Vec::new(),
                built: false,
                include: None,
                include_from_crate: false,
                function: self.function.last().cloned(),
                statement_line: if self.statement_line == 0 {
                    line
                } else {
                    self.statement_line
                },
            },
        });
        self.candidates.len() - 1
    }

    /// The candidate of a string literal, created once per literal.
    fn literal(&mut self, lit: &LitStr) -> Option<usize> {
        // A string that cannot start like SQL never becomes SQL (building on it keeps
        // its start): it needs no candidate.
        let repr = lit.token().to_string();
        if !crate::extract::prefilter::token_may_be_sql(&repr) {
            return None;
        }
        let key = format!("{:?}", lit.span());
        if let Some(&i) = self.by_literal.get(&key) {
            return Some(i);
        }
        let text = decode(&repr, (self.locate)(lit.span()))?;
        let n = text.char_count();
        let i = self.new_candidate(text, lit.span(), vec![(0..n, lit.span())]);
        self.by_literal.insert(key, i);
        Some(i)
    }

    fn strengthen(&mut self, i: usize, context: Context) {
        let c = &mut self.candidates[i].sql;
        c.context = c.context.max(context);
    }

    /// The SQL candidate an expression evaluates to, if it is a string the extractor can
    /// follow: a literal, `concat!`/`format!`/`include_str!`, a `const` or `let` name,
    /// through `&`, parentheses, `.to_string()`, `String::from(…)`.
    fn string_expr(&mut self, expr: &Expr) -> Option<usize> {
        match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => self.literal(lit),
            Expr::Macro(m) => self.macro_call(&m.mac),
            Expr::Paren(p) => self.string_expr(&p.expr),
            Expr::Group(g) => self.string_expr(&g.expr),
            Expr::Reference(r) => self.string_expr(&r.expr),
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && matches!(
                        m.method.to_string().as_str(),
                        "to_string" | "to_owned" | "into" | "as_str" | "as_ref"
                    ) =>
            {
                self.string_expr(&m.receiver)
            }
            Expr::Call(call)
                if call.args.len() == 1 && path_ends_with(&call.func, &["from", "new"]) =>
            {
                self.string_expr(&call.args[0])
            }
            Expr::Path(p) => {
                let name = p.path.segments.last()?.ident.to_string();
                self.vars.get(&name).copied()
            }
            _ => None,
        }
    }

    /// The candidate of a macro invocation, created once per invocation (a `let` visits
    /// its initializer, and the walk visits it again).
    fn macro_call(&mut self, mac: &syn::Macro) -> Option<usize> {
        let key = format!("macro {:?}", mac.span());
        if let Some(&i) = self.by_literal.get(&key) {
            return Some(i);
        }
        let found = self.new_macro_call(mac);
        if let Some(i) = found {
            self.by_literal.insert(key, i);
        }
        found
    }

    fn new_macro_call(&mut self, mac: &syn::Macro) -> Option<usize> {
        let name = mac.path.segments.last()?.ident.to_string();
        let known = matches!(
            name.as_str(),
            "format" | "format_args" | "concat" | "include_str"
        ) || FILE_MACROS.contains(&name.as_str())
            || SINK_MACROS.contains(&name.as_str());
        if !known {
            // An unknown macro: its string literals, wherever they are in its tokens.
            self.macro_tokens(mac.tokens.clone());
            return None;
        }
        let args = parse_macro_args(mac.tokens.clone());
        match name.as_str() {
            "format" | "format_args" => {
                let first = args.first()?;
                let Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }) = first
                else {
                    return None;
                };
                let decoded = decode_lit(lit, self.locate)?;
                let named: HashMap<String, &Expr> = args[1..]
                    .iter()
                    .filter_map(|a| match a {
                        Expr::Assign(assign) => match assign.left.as_ref() {
                            Expr::Path(p) => p
                                .path
                                .get_ident()
                                .map(|i| (i.to_string(), assign.right.as_ref())),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect();
                Some(self.format_candidate(lit, &decoded, &named))
            }
            "concat" => {
                let mut text = Decoded::default();
                let mut pieces = Vec::new();
                let mut end = Location::new(1, 1);
                for arg in &args {
                    let (piece, span) = match arg {
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(lit), ..
                        }) => (decode_lit(lit, self.locate)?, lit.span()),
                        Expr::Lit(ExprLit { lit, .. }) => {
                            let at = (self.locate)(lit.span());
                            let mut d = Decoded::default();
                            d.append_at(&lit.to_token_stream().to_string(), at);
                            d.finish(at);
                            (d, lit.span())
                        }
                        _ => return None,
                    };
                    let start = text.text.chars().count();
                    text.append(&piece);
                    pieces.push((start..text.text.chars().count(), span));
                    end = piece.at.last()?;
                }
                text.finish(end);
                Some(self.new_candidate(text, mac.span(), pieces))
            }
            "include_str" => {
                let Some(Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                })) = args.first()
                else {
                    return None;
                };
                self.include(lit.value(), mac.span())
            }
            m if FILE_MACROS.contains(&m) => {
                let lit = args.iter().find_map(|a| match a {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(lit), ..
                    }) => Some(lit.clone()),
                    _ => None,
                })?;
                let i = self.include(lit.value(), mac.span())?;
                self.candidates[i].sql.include_from_crate = true;
                self.strengthen(i, Context::Sink);
                Some(i)
            }
            m if SINK_MACROS.contains(&m) => {
                let mut found = None;
                for arg in &args {
                    if let Some(i) = self.string_expr(arg) {
                        found.get_or_insert(i);
                    }
                }
                let i = found?;
                self.strengthen(i, Context::Sink);
                for arg in &args[1..] {
                    self.visit_expr(arg);
                }
                Some(i)
            }
            _ => {
                // An unknown macro: its string literals, wherever they are in its tokens.
                self.macro_tokens(mac.tokens.clone());
                None
            }
        }
    }

    fn include(&mut self, path: String, span: Span) -> Option<usize> {
        let i = self.new_candidate(Decoded::default(), span, Vec::new());
        self.candidates[i].sql.include = Some(path);
        self.candidates[i].sql.context = Context::Sink;
        Some(i)
    }

    fn macro_tokens(&mut self, tokens: TokenStream) {
        for tree in tokens {
            match tree {
                TokenTree::Group(g) => self.macro_tokens(g.stream()),
                TokenTree::Literal(lit) => {
                    if !crate::extract::prefilter::token_may_be_sql(&lit.to_string()) {
                        continue;
                    }
                    if let Ok(lit) = syn::parse2::<LitStr>(TokenTree::Literal(lit).into()) {
                        self.literal(&lit);
                    }
                }
                _ => {}
            }
        }
    }

    fn format_candidate(
        &mut self,
        lit: &LitStr,
        decoded: &Decoded,
        named: &HashMap<String, &Expr>,
    ) -> usize {
        // A hole naming a string constant (directly or through `name = CONST`) is
        // replaced by the constant's text.
        let (text, holes) = fill_format_holes(decoded, |name| {
            let target = match named.get(name) {
                Some(Expr::Path(p)) => p.path.segments.last().map(|s| s.ident.to_string()),
                Some(_) => None,
                None => Some(name.to_string()),
            };
            target.and_then(|t| self.consts.get(&t).cloned())
        });
        let n = text.char_count();
        let i = self.new_candidate(text, lit.span(), vec![(0..n, lit.span())]);
        self.candidates[i].sql.holes = holes;
        i
    }

    fn scope_param(&mut self, sig: &syn::Signature) -> Option<(String, SpanId, Location)> {
        let (name, span) = sig.inputs.iter().find_map(|input| {
            let FnArg::Typed(typed) = input else {
                return None;
            };
            if !mentions_type(&typed.ty, self.scope_types) {
                return None;
            }
            match typed.pat.as_ref() {
                Pat::Ident(p) => Some((p.ident.to_string(), p.ident.span())),
                other => Some((other.to_token_stream().to_string(), other.span())),
            }
        })?;
        let at = (self.locate)(span);
        Some((name, self.span_id(span), at))
    }

    fn function_body(
        &mut self,
        name: String,
        sig: &syn::Signature,
        block: &syn::Block,
        attrs: &[syn::Attribute],
        span: Span,
    ) {
        let start = (self.locate)(span).line;
        let end = (self.locate)(block.brace_token.span.close()).line;
        let before = self.candidates.len();
        self.function.push(name.clone());
        let outer_vars = self.vars.clone();
        self.visit_signature(sig);
        self.visit_block(block);
        self.vars = outer_vars;
        self.function.pop();
        self.functions.push((name.clone(), start..end + 1));

        let direct = attrs
            .iter()
            .find(|a| is_tenant_scoped(a))
            .map(|a| match &a.meta {
                syn::Meta::List(list) => ScopedArgs::parse(list.tokens.clone()),
                _ => ScopedArgs::default(),
            });
        let direct = direct.or_else(|| self.forced.take().filter(|_| self.impl_type.is_empty()));
        let via_impl = self.impl_type.last().and_then(|(_, args)| args.clone());
        let (args, is_direct) = match (direct, via_impl) {
            (Some(args), _) => (args, true),
            (None, Some(args)) => (args, false),
            (None, None) => return,
        };
        let scope_param = self.scope_param(sig);
        let scope_used = scope_param
            .as_ref()
            .is_some_and(|(param, _, _)| block_mentions(block, param));
        let at = (self.locate)(sig.ident.span());
        let span = self.span_id(sig.ident.span());
        self.scoped.push(ScopedFn {
            name,
            span,
            at,
            line: at.line,
            args,
            direct: is_direct,
            scope_param,
            scope_used,
            has_sql: self.candidates[before..]
                .iter()
                .any(|c| c.sql.include.is_some() || starts_like_sql(&c.sql.text.text)),
            lines: start..end + 1,
        });
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    // Doc comments and attributes are not SQL.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let outer = self.statement_line;
        self.statement_line = (self.locate)(stmt.span()).line;
        visit::visit_stmt(self, stmt);
        self.statement_line = outer;
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        let outer = self.statement_line;
        self.statement_line = (self.locate)(item.span()).line;
        visit::visit_item(self, item);
        self.statement_line = outer;
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.function_body(
            f.sig.ident.to_string(),
            &f.sig,
            &f.block,
            &f.attrs,
            f.span(),
        );
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let name = i.self_ty.to_token_stream().to_string().replace(' ', "");
        let args = i
            .attrs
            .iter()
            .find(|a| is_tenant_scoped(a))
            .map(|a| match &a.meta {
                syn::Meta::List(list) => ScopedArgs::parse(list.tokens.clone()),
                _ => ScopedArgs::default(),
            })
            .or_else(|| self.forced.take());
        self.impl_type.push((name, args));
        visit::visit_item_impl(self, i);
        self.impl_type.pop();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let name = match self.impl_type.last() {
            Some((ty, _)) => format!("{ty}::{}", f.sig.ident),
            None => f.sig.ident.to_string(),
        };
        self.function_body(name, &f.sig, &f.block, &f.attrs, f.span());
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if let Some(i) = self.string_expr(&c.expr) {
            self.vars.insert(c.ident.to_string(), i);
            if sql_like_name(&c.ident.to_string()) {
                self.strengthen(i, Context::Named);
            }
        }
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if let Some(i) = self.string_expr(&s.expr) {
            self.vars.insert(s.ident.to_string(), i);
            if sql_like_name(&s.ident.to_string()) {
                self.strengthen(i, Context::Named);
            }
        }
        visit::visit_item_static(self, s);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Some(init), Pat::Ident(p)) = (&local.init, &local.pat)
            && let Some(i) = self.string_expr(&init.expr)
        {
            let name = p.ident.to_string();
            if sql_like_name(&name) {
                self.strengthen(i, Context::Named);
            }
            self.vars.insert(name, i);
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if SINK_METHODS.contains(&method.as_str()) {
            for arg in &call.args {
                if let Some(i) = self.string_expr(arg) {
                    self.strengthen(i, Context::Sink);
                }
            }
        }
        // `sql.push_str("…")`: the string is built at run time.
        if matches!(
            method.as_str(),
            "push_str" | "push" | "push_bind" | "extend"
        ) && let Some(i) = self.string_expr(&call.receiver)
        {
            self.candidates[i].sql.built = true;
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if path_ends_with(&call.func, SINK_FUNCTIONS) {
            for arg in &call.args {
                if let Some(i) = self.string_expr(arg) {
                    self.strengthen(i, Context::Sink);
                }
            }
        }
        // `QueryBuilder::new("SELECT …")`: a query builder.
        if let Expr::Path(p) = call.func.as_ref() {
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segments.ends_with(&["QueryBuilder".to_string(), "new".to_string()]) {
                for arg in &call.args {
                    if let Some(i) = self.string_expr(arg) {
                        self.candidates[i].sql.built = true;
                        self.strengthen(i, Context::Sink);
                    }
                }
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_binary(&mut self, binary: &'ast syn::ExprBinary) {
        // `sql += "…"` or `sql = sql + "…"`.
        if matches!(binary.op, syn::BinOp::AddAssign(_) | syn::BinOp::Add(_))
            && let Some(i) = self.string_expr(&binary.left)
        {
            self.candidates[i].sql.built = true;
        }
        visit::visit_expr_binary(self, binary);
    }

    fn visit_expr_lit(&mut self, lit: &'ast syn::ExprLit) {
        if let Lit::Str(s) = &lit.lit {
            self.literal(s);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_call(mac);
    }
}

/// Parses a macro's tokens as comma-separated expressions (`format!`, `concat!`,
/// `query!`); empty when they are not.
fn parse_macro_args(tokens: TokenStream) -> Vec<Expr> {
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    syn::parse::Parser::parse2(parser, tokens)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

fn path_ends_with(func: &Expr, names: &[&str]) -> bool {
    match func {
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| names.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

fn is_tenant_scoped(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "tenant_scoped")
}

pub(crate) fn sql_like_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["sql", "query", "stmt", "statement"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether a type names one of the scope types (`&TenantScope`, `Arc<TenantScope>`).
fn mentions_type(ty: &Type, names: &[String]) -> bool {
    fn any_ident(tokens: TokenStream, names: &[String]) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => names.iter().any(|n| i == n),
            TokenTree::Group(g) => any_ident(g.stream(), names),
            _ => false,
        })
    }
    any_ident(ty.to_token_stream(), names)
}

/// Whether an identifier occurs in a function body, macro arguments included (a walk
/// over the tree, not a token stream built from it).
fn block_mentions(block: &syn::Block, name: &str) -> bool {
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.found |= ident == self.name;
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            syn::visit::visit_macro(self, mac);
            self.found |= mentions_ident(mac.tokens.clone(), self.name);
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_block(block);
    finder.found
}

/// Whether an identifier occurs in a token stream (macro arguments included).
fn mentions_ident(tokens: TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == name,
        TokenTree::Group(g) => mentions_ident(g.stream(), name),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(source: &str) -> Extracted {
        let file = syn::parse_file(source).unwrap();
        extract_file(
            &file,
            &|s: Span| Location::new(s.start().line as u64, s.start().column as u64 + 1),
            &["TenantScope".to_string()],
        )
    }

    fn sql_texts(source: &str) -> Vec<(String, Context)> {
        extract(source)
            .facts
            .sql
            .into_iter()
            .map(|s| (s.text.text, s.context))
            .collect()
    }

    #[test]
    fn keyword_test_excludes_http_methods_and_identifiers() {
        assert!(starts_like_sql("  SELECT 1"));
        assert!(starts_like_sql(
            "-- note\nwith x as (select 1) select * from x"
        ));
        assert!(!starts_like_sql("DELETE"));
        assert!(!starts_like_sql("select_all"));
        assert!(!starts_like_sql("Updated"));
    }

    #[test]
    fn call_arguments_consts_lets_and_macros() {
        let found = sql_texts(
            r##"
const LIST_SQL: &str = "SELECT * FROM job WHERE client_id = ?";
fn f(conn: &Connection) {
    let q = r#"SELECT 1"#;
    conn.query(q, []);
    conn.execute("DELETE FROM job", []);
    sqlx::query!("SELECT 2", id);
    let s = concat!("SELECT ", "3");
    /// "SELECT doc comment"
    let _ = 1;
}
"##,
        );
        let contexts: HashMap<String, Context> = found.into_iter().collect();
        assert_eq!(
            contexts["SELECT * FROM job WHERE client_id = ?"],
            Context::Named
        );
        assert_eq!(contexts["SELECT 1"], Context::Sink);
        assert_eq!(contexts["DELETE FROM job"], Context::Sink);
        assert_eq!(contexts["SELECT 2"], Context::Sink);
        assert_eq!(contexts["SELECT 3"], Context::Plain);
        assert!(!contexts.contains_key("SELECT doc comment"));
    }

    #[test]
    fn format_holes_become_placeholders_or_constants() {
        let found = extract(
            r#"
const COLS: &str = "job_id, status";
fn f(filter: &str) -> String {
    format!("SELECT {COLS} FROM job WHERE {filter} AND client_id = ?")
}
"#,
        );
        let sql = found
            .facts
            .sql
            .iter()
            .find(|s| s.text.text.starts_with("SELECT job_id"))
            .expect("format string");
        assert_eq!(
            sql.text.text,
            "SELECT job_id, status FROM job WHERE __format_hole_1 AND client_id = ?"
        );
        assert_eq!(sql.holes[0].written, "{filter}");
    }

    #[test]
    fn pushes_mark_a_string_built_at_run_time() {
        let found = extract(
            r#"
fn f(status: Option<&str>) {
    let mut sql = String::from("SELECT * FROM job WHERE client_id = ?");
    if status.is_some() { sql.push_str(" AND status = ?"); }
}
"#,
        );
        assert!(
            found
                .facts
                .sql
                .iter()
                .any(|s| s.built && s.text.text.starts_with("SELECT"))
        );
    }

    #[test]
    fn scoped_functions_record_their_scope_parameter_and_its_use() {
        let found = extract(
            r#"
#[tenant_scoped]
fn used(scope: &TenantScope, conn: &Connection) { conn.query("SELECT 1", [scope.client_id()]); }
#[tenant_scoped]
fn unused(scope: &TenantScope) { }
#[tenant_scoped(cross_tenant = "admin console")]
fn admin() { }
#[tenant_scoped]
impl Repo {
    fn helper(&self) -> u32 { 1 }
    fn list(&self, conn: &Connection) { conn.query("SELECT 2", []); }
}
"#,
        );
        let by_name: HashMap<&str, &ScopedFn> = found
            .facts
            .scoped
            .iter()
            .map(|f| (f.name.as_str(), f))
            .collect();
        assert!(by_name["used"].scope_used);
        assert!(!by_name["unused"].scope_used);
        assert_eq!(
            by_name["admin"].args.cross_tenant.as_deref(),
            Some("admin console")
        );
        assert!(!by_name["Repo::helper"].direct && !by_name["Repo::helper"].has_sql);
        assert!(by_name["Repo::list"].has_sql && by_name["Repo::list"].scope_param.is_none());
    }

    #[test]
    fn positions_point_into_the_file_through_a_raw_string() {
        let source = "fn f(c: &C) {\n    c.query(r#\"SELECT *\n        FROM job\n        WHERE é = 1\"#, []);\n}\n";
        let found = extract(source);
        let sql = &found.facts.sql[0];
        let w = sql.text.text.find("WHERE").unwrap();
        let index = sql.text.text[..w].chars().count();
        assert_eq!(sql.text.at.nth(index), Location::new(4, 9));
        assert_eq!(sql.statement_line, 2);
    }
}
