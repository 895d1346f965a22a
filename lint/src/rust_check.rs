//! Checking the SQL found in Rust sources, with the same engine and rules as `.sql`
//! files and positions in the `.rs` file, plus the `#[tenant_scoped]` function rules.
//! The CLI and the attribute macro both use this; they differ only in where positions
//! come from and how findings are shown.

use sqlparser::tokenizer::{Location, Span as SqlSpan};

use crate::engine::{Engine, ParsedStatement, SplitSql, StatementSite};
use crate::extract::consts::Constants;
use crate::extract::rust::{Context, RustFacts, RustSql, ScopedFn, SpanId, starts_like_sql};
use crate::extract::source::point;
use crate::report::diagnostic::Finding;
use crate::report::suppress::{self, Extent, Suppression};
use crate::rules::{self, Reporter, Rule};

/// A finding in Rust source, with the token it belongs to (for a compile error).
#[derive(Debug, Clone)]
pub struct RustFinding {
    pub finding: Finding,
    pub span: SpanId,
    /// The function it is in, if any.
    pub function: Option<String>,
}

/// What checking a file's (or an item's) extracted SQL found.
#[derive(Debug, Clone, Default)]
pub struct RustChecked {
    pub findings: Vec<RustFinding>,
    /// Each checked statement's extent and the function it is in.
    pub statements: Vec<StatementSite>,
}

/// Rules an escape hatch `cross_tenant = "reason"` turns off inside its function.
pub(crate) const CROSS_TENANT_CODES: &[&str] = &[
    "TI001", "TI002", "TI003", "TI101", "TI102", "TI103", "TI105", "TI106", "TI301", "TI302",
];

/// The text positions of a Rust SQL string, mapped to where each character is in the
/// source.
struct TextMap<'a> {
    sql: &'a RustSql,
    line_starts: Vec<usize>,
}

impl<'a> TextMap<'a> {
    fn new(sql: &'a RustSql) -> Self {
        let mut line_starts = vec![0];
        for (i, c) in sql.text.text.chars().enumerate() {
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        TextMap { sql, line_starts }
    }

    fn index(&self, at: Location) -> usize {
        let line = (at.line.max(1) - 1) as usize;
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        (start + at.column.max(1) as usize - 1).min(self.sql.text.at.len().saturating_sub(1))
    }

    fn map(&self, at: Location) -> Location {
        if at.line == 0 {
            return at;
        }
        self.sql.text.at.get(self.index(at)).unwrap_or(at)
    }
}

/// Splits a Rust SQL string with positions in the `.rs` file: shifted when the text
/// lies in the file as written (see [`crate::extract::literal::Positions::as_shift`]),
/// else looked up character by character.
fn with_split<R>(
    sql: &RustSql,
    dialect: crate::model::Dialect,
    f: impl FnOnce(&SplitSql) -> R,
) -> R {
    if let Some(origin) = sql.text.at.as_shift(&sql.text.text) {
        return f(&SplitSql::at(&sql.text.text, dialect, origin));
    }
    let map = TextMap::new(sql);
    let to_file = |at: Location| map.map(at);
    f(&SplitSql::new(&sql.text.text, dialect, Some(&to_file)))
}

impl Engine {
    /// The engine that knows the temporary tables a Rust file's SQL creates (see
    /// [`Engine::with_temporary_tables`]).
    fn rust_temporary_tables(
        &self,
        extracted: &RustFacts,
        dialect: crate::model::Dialect,
    ) -> Option<Engine> {
        let mut texts = extracted
            .sql
            .iter()
            .filter(|s| s.include.is_none() && mentions_temporary(&s.text.text))
            .peekable();
        texts.peek()?;
        let joined: String = texts
            .map(|s| s.text.text.as_str())
            .collect::<Vec<_>>()
            .join(";\n");
        self.with_temporary_tables(&SplitSql::new(&joined, dialect, None))
    }
}

/// Whether SQL text may create a temporary table (`TEMP`, `pg_temp`), any case.
fn mentions_temporary(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"temp"))
}

/// Whether a finding is about a `format!` hole rather than SQL: an unknown table that
/// is a hole's placeholder, or a statement that does not parse with its holes filled.
fn stands_for_a_hole(finding: &Finding) -> bool {
    let hole = |name: &str| name.contains("__format_hole_");
    match finding.code {
        "TI901" | "TI906" => finding.table.as_deref().is_some_and(hole),
        "TI999" => true,
        _ => false,
    }
}

/// Whether a Rust string is SQL: it starts with a statement keyword, and, unless it is
/// passed to a query call or named like SQL, it parses.
pub fn is_sql(engine: &Engine, sql: &RustSql) -> bool {
    if sql.include.is_some() || !starts_like_sql(&sql.text.text) {
        return false;
    }
    if sql.context > Context::Plain {
        return true;
    }
    let split = SplitSql::new(&sql.text.text, engine.model().dialect(), None);
    !split.is_empty() && (0..split.len()).all(|i| split.parse(i).is_ok() || no_rows(&split, i))
}

/// Whether statement `i` is one that reads and writes no rows (it reads as SQL).
fn no_rows(split: &SplitSql, i: usize) -> bool {
    split.parse(i).is_err_and(|f| !f.is_unreadable())
}

/// The schema statements among a file's Rust SQL (`const SCHEMA: &str = "CREATE …"`).
pub fn rust_ddl(
    engine_dialect: crate::model::Dialect,
    extracted: &RustFacts,
) -> Vec<ParsedStatement> {
    let mut out = Vec::new();
    for sql in &extracted.sql {
        if sql.include.is_some()
            || sql.built
            || !sql.holes.is_empty()
            || !starts_like_sql(&sql.text.text)
            || !mentions_ddl_keyword(&sql.text.text)
        {
            continue;
        }
        with_split(sql, engine_dialect, |split| {
            for i in (0..split.len()).filter(|&i| split.is_ddl(i)) {
                out.push(ParsedStatement {
                    span: split.spans[i],
                    parsed: split.parse(i),
                });
            }
        });
    }
    out
}

/// Whether `text` holds `CREATE`, `ALTER` or `DROP` (any case) anywhere: a statement
/// without one cannot be schema (see [`SplitSql::is_ddl`]), so text without one need
/// not be split.
fn mentions_ddl_keyword(text: &str) -> bool {
    // Without `;` (or MySQL's `#` comments) the text is one statement at most, and
    // only its first word can make it schema.
    if memchr::memchr2(b';', b'#', text.as_bytes()).is_none() {
        return first_word_is_ddl(text);
    }
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        let rest = &b[i..];
        match b[i] | 0x20 {
            b'c' => rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"create"),
            b'a' => rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"alter"),
            b'd' => rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"drop"),
            _ => false,
        }
    })
}

/// Whether the first word of `text`, after blank space and `--`/`/* */` comments, is
/// `CREATE`, `ALTER` or `DROP` (any case); `true` when a comment does not end (the
/// full split then decides).
fn first_word_is_ddl(text: &str) -> bool {
    let Some(rest) = crate::extract::rust::skip_sql_comments(text) else {
        return true;
    };
    let word = &rest[..rest.bytes().take_while(u8::is_ascii_alphabetic).count()];
    ["CREATE", "ALTER", "DROP"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

impl Engine {
    /// Checks what [`crate::extract::rust`] found: every SQL string with the statement
    /// rules, `format!` holes and run-time building with `dynamic-sql`, and the
    /// `#[tenant_scoped]` functions with the scope rules.
    pub fn check_rust(&self, extracted: &RustFacts) -> RustChecked {
        self.check_rust_as(extracted, self.model().dialect())
    }

    /// [`Engine::check_rust`] for a file whose SQL is written in `dialect` (see
    /// [`Engine::dialect_of`]).
    pub fn check_rust_as(
        &self,
        extracted: &RustFacts,
        dialect: crate::model::Dialect,
    ) -> RustChecked {
        self.check_rust_with(extracted, dialect, &Constants::default())
    }

    /// [`Engine::check_rust_as`] with the string constants of the other files, which
    /// fill the `format!` holes that name them.
    pub fn check_rust_with(
        &self,
        extracted: &RustFacts,
        dialect: crate::model::Dialect,
        constants: &Constants,
    ) -> RustChecked {
        // Temporary tables the file's SQL creates are known to its statements.
        let temporary = self.rust_temporary_tables(extracted, dialect);
        let engine = temporary.as_ref().unwrap_or(self);
        let mut out = RustChecked::default();
        for sql in &extracted.sql {
            let filled;
            let sql = if constants.fills(sql) {
                filled = constants.fill(sql);
                &filled
            } else {
                sql
            };
            // `is_sql`, without parsing a plain string twice: its statements are parsed
            // once, with positions in the file, and kept if they all parse.
            if sql.include.is_some() || !starts_like_sql(&sql.text.text) {
                continue;
            }
            let plain = sql.context <= Context::Plain;
            if sql.built && plain && !is_sql(self, sql) {
                continue;
            }
            let mut findings = Vec::new();
            if sql.built {
                findings.push(dynamic(
                    point_of(sql.text.at.first()),
                    "this SQL is extended at run time (`push_str`, `+=` or a query builder), so the engine cannot see it whole".to_string(),
                    "write the statement whole, with optional filters as `(:p IS NULL OR col = :p)` beside the tenant filter",
                ));
                let start = sql.text.at.first().unwrap_or(Location::new(1, 1));
                let end = sql.text.at.last().unwrap_or(start);
                out.statements.push(StatementSite {
                    span: SqlSpan::new(start, end),
                    function: sql.function.clone(),
                    schema: false,
                });
            } else {
                let (parsed, sites) = with_split(sql, dialect, |split| {
                    let parsed: Vec<_> = (0..split.len()).map(|i| split.parse(i)).collect();
                    let sites: Vec<_> = (0..split.len())
                        .map(|i| (split.spans[i], split.is_ddl(i)))
                        .collect();
                    (parsed, sites)
                });
                let unreadable = |p: &Result<_, crate::extract::parse::ParseFailure>| {
                    p.as_ref().is_err_and(|f| f.is_unreadable())
                };
                if plain && (parsed.is_empty() || parsed.iter().any(unreadable)) {
                    continue;
                }
                out.statements
                    .extend(sites.into_iter().map(|(span, schema)| StatementSite {
                        span,
                        function: sql.function.clone(),
                        schema,
                    }));
                for statement in parsed {
                    match statement {
                        Ok(statement) => findings.extend(engine.statement_findings(&statement)),
                        Err(failure) => findings.extend(crate::engine::unread(&failure)),
                    }
                }
                // A hole is dynamic SQL, whatever it stands for: a table formatted in
                // is not an unknown table, and a statement that does not parse with its
                // holes filled is not unreadable SQL, only SQL the engine cannot see.
                let before = findings.len();
                if !sql.holes.is_empty() {
                    findings.retain(|f| !stands_for_a_hole(f));
                }
                let unchecked = findings.len() < before;
                for (i, hole) in sql.holes.iter().enumerate() {
                    for finding in &mut findings {
                        replace_placeholder(finding, &hole.placeholder, &hole.written);
                    }
                    let whole = if unchecked && i == 0 {
                        "; the statement cannot be read with it, and is not checked"
                    } else {
                        ""
                    };
                    findings.push(dynamic(
                        point(hole.at.line, hole.at.column),
                        format!("`{}` is formatted into the SQL at run time, so the engine cannot see it{whole}", hole.written),
                        "bind a parameter instead of formatting a value, or format only a string constant",
                    ));
                }
            }
            let cross = cross_tenant(extracted, sql.function.as_deref());
            out.findings.extend(
                findings
                    .into_iter()
                    .filter(|f| !(cross && CROSS_TENANT_CODES.contains(&f.code)))
                    .map(|finding| RustFinding {
                        finding,
                        span: sql.span,
                        function: sql.function.clone(),
                    }),
            );
        }
        for function in &extracted.scoped {
            out.findings.extend(scope_findings(function));
        }
        out
    }

    /// The proofs of the statements in a Rust file's SQL strings that `keep` selects.
    pub fn rust_proofs(
        &self,
        extracted: &RustFacts,
        keep: &dyn Fn(SqlSpan) -> bool,
    ) -> Vec<crate::engine::Proof> {
        let mut out = Vec::new();
        for sql in &extracted.sql {
            if sql.built || !is_sql(self, sql) {
                continue;
            }
            out.extend(with_split(sql, self.model().dialect(), |split| {
                self.proofs(split, keep)
            }));
        }
        out
    }

    /// The suppressions of a Rust file's `// tenant-lint:` comments (see
    /// [`suppression_comments`]) that concern `extracted`. One on its own line covers
    /// the statement, item or SQL string that starts on the next code line; a trailing
    /// one covers its own line.
    pub fn rust_suppressions(
        &self,
        comments: &[SuppressionComment],
        extracted: &RustFacts,
        findings: &mut Vec<Finding>,
    ) -> Vec<Suppression> {
        let mut out = Vec::new();
        for comment in comments {
            let allow = match suppress::parse(&comment.text, comment.at) {
                Some(Ok(ok)) => ok,
                Some(Err(finding)) => {
                    findings.push(*finding);
                    continue;
                }
                None => continue,
            };
            let (lines, extent) = if allow.file {
                (1..=u64::MAX, Extent::File)
            } else {
                let end = covered_until(extracted, comment.target);
                let extent = if comment.target == comment.at.line {
                    Extent::Line
                } else {
                    Extent::Statement
                };
                (
                    comment.target.min(comment.at.line)..=end.max(comment.target),
                    extent,
                )
            };
            out.push(Suppression {
                rules: allow.rules,
                span: comment.span,
                reason: allow.reason,
                at: comment.at,
                lines,
                extent,
                used: false,
            });
        }
        out
    }
}

/// A `// tenant-lint:` comment of a Rust file and the line it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionComment {
    /// The text after `//`.
    pub text: String,
    pub at: Location,
    pub span: SqlSpan,
    /// The line whose statement it covers: its own line for a trailing comment, else
    /// the next line with code.
    pub target: u64,
}

/// The `// tenant-lint:` comments of a Rust file, found once per file.
pub fn suppression_comments(text: &str) -> Vec<SuppressionComment> {
    let mut out = Vec::new();
    if !text.contains(suppress::MARKER) {
        return out;
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(at_byte) = line.find("//") else {
            continue;
        };
        let comment = &line[at_byte + 2..];
        // `///` and `//!` comments count too (`//! tenant-lint: allow-file(…)`).
        let comment = comment
            .strip_prefix('/')
            .or_else(|| comment.strip_prefix('!'))
            .unwrap_or(comment);
        if !comment.trim_start().starts_with(suppress::MARKER) {
            continue;
        }
        let line_no = i as u64 + 1;
        let at = Location::new(line_no, line[..at_byte].chars().count() as u64 + 1);
        let trailing = !line[..at_byte].trim().is_empty();
        let target = if trailing {
            line_no
        } else {
            (i + 1..lines.len())
                .find(|&k| {
                    let t = lines[k].trim();
                    !t.is_empty() && !t.starts_with("//")
                })
                .map_or(line_no + 1, |k| k as u64 + 1)
        };
        out.push(SuppressionComment {
            text: comment.to_string(),
            at,
            span: SqlSpan::new(at, Location::new(line_no, line.chars().count() as u64 + 1)),
            target,
        });
    }
    out
}

/// The last line of whatever starts on `line`: a SQL string's statement, or a function.
fn covered_until(extracted: &RustFacts, line: u64) -> u64 {
    let mut end = line;
    for sql in &extracted.sql {
        let first = sql.text.at.first().map_or(0, |a| a.line);
        if sql.statement_line == line || first == line {
            end = end.max(sql.text.at.last().map_or(line, |a| a.line));
        }
    }
    for function in &extracted.scoped {
        if function.lines.start == line || function.line == line {
            end = end.max(function.line);
        }
    }
    end
}

fn cross_tenant(extracted: &RustFacts, function: Option<&str>) -> bool {
    let Some(function) = function else {
        return false;
    };
    extracted.scoped.iter().any(|f| {
        f.name == function
            && f.args
                .cross_tenant
                .as_deref()
                .is_some_and(|r| !r.is_empty())
    })
}

fn point_of(at: Option<Location>) -> SqlSpan {
    let at = at.unwrap_or(Location::new(1, 1));
    point(at.line, at.column)
}

fn dynamic(span: SqlSpan, message: String, help: &str) -> Finding {
    let mut reporter = Reporter::default();
    reporter
        .report(&rules::dynamic_sql::RULE, span, message)
        .label("built at run time")
        .help(help);
    reporter.findings.remove(0)
}

fn replace_placeholder(finding: &mut Finding, placeholder: &str, written: &str) {
    if finding.message.contains(placeholder) {
        finding.message = finding.message.replace(placeholder, written);
    }
    for label in &mut finding.labels {
        label.message = label.message.replace(placeholder, written);
    }
    if let Some(label) = &mut finding.label {
        *label = label.replace(placeholder, written);
    }
    if let Some(help) = &mut finding.help {
        *help = help.replace(placeholder, written);
    }
}

/// `missing-tenant-scope`, `unused-tenant-scope`, and a bad escape hatch.
fn scope_findings(function: &ScopedFn) -> Vec<RustFinding> {
    let mut reporter = Reporter::default();
    let at = |start: Location| SqlSpan::new(start, Location::new(start.line, start.column + 1));
    let report = |reporter: &mut Reporter,
                  rule: &'static Rule,
                  start: Location,
                  message: String,
                  help: &str| {
        reporter.report(rule, at(start), message).help(help);
    };
    let report_wide = |reporter: &mut Reporter,
                       width: u64,
                       rule: &'static Rule,
                       start: Location,
                       message: String,
                       help: &str| {
        let span = SqlSpan::new(start, Location::new(start.line, start.column + width));
        reporter.report(rule, span, message).help(help);
    };
    let name_width = function
        .name
        .rsplit("::")
        .next()
        .map_or(1, |n| n.chars().count() as u64);
    for unknown in &function.args.unknown {
        report(
            &mut reporter,
            &rules::invalid_suppression::RULE,
            function.at,
            format!("`#[tenant_scoped]` does not understand `{unknown}`"),
            "the only argument is `cross_tenant = \"reason\"`",
        );
    }
    match function.args.cross_tenant.as_deref() {
        Some("") => report(
            &mut reporter,
            &rules::invalid_suppression::RULE,
            function.at,
            format!("`cross_tenant` on `{}` needs a reason", function.name),
            "write `#[tenant_scoped(cross_tenant = \"why this path may see every tenant\")]`",
        ),
        Some(_) => {}
        None => match &function.scope_param {
            None if function.direct || function.has_sql => report_wide(
                &mut reporter,
                name_width,
                &rules::missing_tenant_scope::RULE,
                function.at,
                format!(
                    "`{}` is `#[tenant_scoped]` but takes no tenant scope",
                    function.name
                ),
                "add a parameter of the scope type, e.g. `scope: &TenantScope`, and bind the SQL with it",
            ),
            None => {}
            Some((param, _, param_at)) if !function.scope_used => report_wide(
                &mut reporter,
                param.chars().count() as u64,
                &rules::unused_tenant_scope::RULE,
                *param_at,
                format!(
                    "`{}` takes the tenant scope `{param}` but never uses it",
                    function.name
                ),
                "bind every query to the scope, or mark an admin path `cross_tenant = \"reason\"`",
            ),
            Some(_) => {}
        },
    }
    reporter
        .findings
        .into_iter()
        .map(|finding| RustFinding {
            span: match (finding.code, &function.scope_param) {
                ("TI302", Some((_, span, _))) => *span,
                _ => function.span,
            },
            finding,
            function: Some(function.name.clone()),
        })
        .collect()
}

/// Where a token starts in its file. Needs span locations (the CLI); inside a proc
/// macro every token maps to the start of its text.
#[cfg(feature = "cli")]
pub fn span_location(span: proc_macro2::Span) -> Location {
    let start = span.start();
    Location::new(start.line as u64, start.column as u64 + 1)
}

#[cfg(not(feature = "cli"))]
pub fn span_location(_: proc_macro2::Span) -> Location {
    Location::new(1, 1)
}

#[cfg(test)]
mod tests {
    use super::mentions_ddl_keyword;

    #[test]
    fn the_ddl_keyword_filter_sees_every_schema_statement() {
        for text in [
            "CREATE TABLE job (id INTEGER)",
            "select 1; create index i on job (id)",
            "Alter TABLE job ADD COLUMN x",
            "DROP TABLE job",
            "-- first\ndrop view v",
        ] {
            assert!(mentions_ddl_keyword(text), "{text}");
        }
        for text in [
            "SELECT * FROM job",
            "UPDATE job SET a = 1",
            "",
            "cre",
            "dro",
        ] {
            assert!(!mentions_ddl_keyword(text), "{text}");
        }
    }
}
