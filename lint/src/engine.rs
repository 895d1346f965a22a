//! The engine: parse SQL text once, analyse every statement against the tenant model,
//! run the rules, apply suppressions and severities.
//!
//! Every face uses this: the CLI on files, the attribute macro and the CLI on Rust
//! string literals (with positions mapped back into the `.rs` file), and the runtime
//! guard on single statements.

use std::path::Path;
use std::sync::Arc;

use sqlparser::ast::Statement;
use sqlparser::tokenizer::{Location, Span};

use crate::analysis::{self, StatementKind};
use crate::extract::parse::{Embedded, ParseFailure, Unread, parse_embedded_at};
use crate::extract::plpgsql::{self, Form, Language};
use crate::extract::source::{LineIndex, point};
use crate::extract::split::{RawStatement, split_statements};
use crate::model::{ConfigError, Dialect, TenantModel};
use crate::report::diagnostic::{Diagnostic, Finding, Severity};
use crate::report::suppress::{self, Extent, Suppression};
use crate::rules::{self, Context, Reporter, Rule};

/// Larger statements are reported, not parsed: no hand-written statement is this big,
/// and a pathological one must not stall a check.
pub const MAX_STATEMENT_BYTES: usize = 1 << 20;

/// A statement as parsed from a file, with its place in the file.
#[derive(Debug, Clone)]
pub struct ParsedStatement {
    pub span: Span,
    pub parsed: Result<Statement, ParseFailure>,
}

/// SQL text split and parsed, with its `--` comments for suppressions.
#[derive(Debug, Clone, Default)]
pub struct ParsedSql {
    pub statements: Vec<ParsedStatement>,
    /// `(position, text after --)`
    pub comments: Vec<(Location, String)>,
}

/// SQL text split into statements, each parsed on demand: a check parses, analyses and
/// drops one statement at a time, so memory stays bounded and the tree is analysed
/// while it is still in cache.
pub struct SplitSql<'t> {
    text: &'t str,
    dialect: Dialect,
    /// `None` when positions in the text are positions in the file, shifted to `origin`.
    map: Option<&'t dyn Fn(Location) -> Location>,
    /// Where the text starts in the file, when `map` is `None`.
    origin: Location,
    raw: Vec<RawStatement>,
    /// How each statement is read.
    readings: Vec<Reading>,
    /// Each statement's extent in the file.
    pub spans: Vec<Span>,
    /// `(position, text after --)`
    pub comments: Vec<(Location, String)>,
}

impl<'t> SplitSql<'t> {
    /// Splits `text`. `map` turns a position in `text` into a position in the file the
    /// text comes from (the identity for a `.sql` file; the literal's mapping for SQL
    /// inside a Rust string).
    pub fn new(
        text: &'t str,
        dialect: Dialect,
        map: Option<&'t dyn Fn(Location) -> Location>,
    ) -> Self {
        Self::split(text, dialect, map, Location::new(1, 1))
    }

    /// Splits `text` that lies in its file from `origin` on exactly as written (a
    /// one-line Rust literal without escapes, a raw string): positions are shifted,
    /// not looked up, as for a `.sql` file.
    pub fn at(text: &'t str, dialect: Dialect, origin: Location) -> Self {
        Self::split(text, dialect, None, origin)
    }

    fn split(
        text: &'t str,
        dialect: Dialect,
        map: Option<&'t dyn Fn(Location) -> Location>,
        origin: Location,
    ) -> Self {
        let mut split = split_statements(text, dialect);
        crate::extract::migration::drop_down_sections(&mut split, text);
        let (raw, readings) = read_routines(text, dialect, split.statements);
        split.statements = raw;
        let shift = crate::extract::parse::offset_map(origin);
        let map_at = |at: Location| map.map_or_else(|| shift(at), |m| m(at));
        let spans = split
            .statements
            .iter()
            .map(|raw| Span::new(map_at(raw.start), map_at(raw.end)))
            .collect();
        let comments = split
            .comments
            .iter()
            .map(|c| (map_at(c.at), text[c.text.clone()].to_string()))
            .collect();
        SplitSql {
            text,
            dialect,
            map,
            origin,
            raw: split.statements,
            readings,
            spans,
            comments,
        }
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Parses statement `i`, with spans in the file's coordinates.
    pub fn parse(&self, i: usize) -> Result<Statement, ParseFailure> {
        let raw = &self.raw[i];
        if raw.range.len() > MAX_STATEMENT_BYTES {
            return Err(ParseFailure::new(
                self.map_at(raw.start),
                format!(
                    "a statement of {} bytes is larger than the {} MiB the engine analyses",
                    raw.range.len(),
                    MAX_STATEMENT_BYTES >> 20
                ),
            ));
        }
        let embedded = match &self.readings[i] {
            Reading::Plain => None,
            Reading::Unread(kind, message) => {
                return Err(ParseFailure {
                    at: self.map_at(raw.start),
                    message: message.clone(),
                    kind: *kind,
                });
            }
            Reading::Embedded(embedded) => Some(embedded.as_ref()),
        };
        // Without a map, the statement's start in the file is its start in the text
        // shifted to the origin, and the two shifts compose into one.
        let start = match self.map {
            Some(_) => raw.start,
            None => self.map_at(raw.start),
        };
        parse_embedded_at(
            &self.text[raw.range.clone()],
            self.dialect,
            start,
            self.map,
            embedded,
        )
    }

    fn map_at(&self, at: Location) -> Location {
        match self.map {
            Some(map) => map(at),
            None => crate::extract::parse::offset_map(self.origin)(at),
        }
    }

    /// Whether statement `i` changes the schema (`CREATE`, `ALTER`, `DROP`), judged by
    /// its first word, so a schema pass parses only those.
    pub fn is_ddl(&self, i: usize) -> bool {
        let text = &self.text[self.raw[i].range.clone()];
        let word: String = text
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .take(6)
            .collect();
        ["CREATE", "ALTER", "DROP"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k))
    }

    /// The text of statement `i` as written (without its `;`).
    pub fn text_of(&self, i: usize) -> &'t str {
        &self.text[self.raw[i].range.clone()]
    }

    /// Whether statement `i` lies inside another one (a statement of a routine body,
    /// see [`crate::extract::plpgsql`]): the database runs it as part of its routine.
    pub fn is_embedded(&self, i: usize) -> bool {
        let range = &self.raw[i].range;
        (0..i).rev().any(|j| {
            let outer = &self.raw[j].range;
            outer.start <= range.start && range.end <= outer.end && outer != range
        })
    }

    /// Whether statement `i` creates a temporary table (`CREATE TEMP TABLE`, `CREATE
    /// TEMPORARY TABLE`, `CREATE TABLE pg_temp.x`), judged by its words.
    pub fn creates_temporary_table(&self, i: usize) -> bool {
        let text = &self.text[self.raw[i].range.clone()];
        let head: String = text
            .chars()
            .take(64)
            .collect::<String>()
            .to_ascii_uppercase();
        let words: Vec<&str> = head.split_whitespace().take(4).collect();
        matches!(
            words.as_slice(),
            ["CREATE", "TEMP" | "TEMPORARY", "TABLE", ..]
                | ["CREATE", "LOCAL" | "GLOBAL", "TEMP" | "TEMPORARY", "TABLE"]
        ) || (words.first() == Some(&"CREATE") && head.contains("PG_TEMP."))
    }

    /// Every statement, parsed.
    pub fn parse_all(&self) -> ParsedSql {
        ParsedSql {
            statements: (0..self.len())
                .map(|i| ParsedStatement {
                    span: self.spans[i],
                    parsed: self.parse(i),
                })
                .collect(),
            comments: self.comments.clone(),
        }
    }
}

/// How a statement of split SQL is read.
#[derive(Debug, Clone)]
enum Reading {
    Plain,
    /// A statement inside a routine body.
    Embedded(Arc<Embedded>),
    /// Not parsed: a `DO` block (its statements are read on their own), `EXECUTE`, or a
    /// routine body the reader cannot read; with its message.
    Unread(Unread, String),
}

/// Adds the statements inside PostgreSQL routines (`DO` blocks, `plpgsql` and `sql`
/// functions and procedures) after the statement that holds them, so they are checked
/// like any other SQL, with positions in the file.
fn read_routines(
    text: &str,
    dialect: Dialect,
    statements: Vec<RawStatement>,
) -> (Vec<RawStatement>, Vec<Reading>) {
    if dialect != Dialect::Postgres
        || !statements
            .iter()
            .any(|s| plpgsql::may_be_routine(&text[s.range.clone()]))
    {
        let readings = vec![Reading::Plain; statements.len()];
        return (statements, readings);
    }
    let index = LineIndex::new(text);
    let mut raw = Vec::with_capacity(statements.len());
    let mut readings = Vec::with_capacity(statements.len());
    for statement in statements {
        let routine = plpgsql::routine(&text[statement.range.clone()]);
        let base = statement.range.start;
        raw.push(statement);
        let Some(routine) = routine else {
            readings.push(Reading::Plain);
            continue;
        };
        // A `DO` block is not a statement sqlparser reads; a `CREATE FUNCTION` is.
        readings.push(if routine.anonymous {
            Reading::Unread(Unread::NoRows("DO"), "a DO block".to_string())
        } else {
            Reading::Plain
        });
        let body = base + routine.body.start..base + routine.body.end;
        let pieces = match (&routine.language, &routine.unreadable) {
            (_, Some(why)) => {
                let at = |offset| index.position(text, offset);
                raw.push(RawStatement {
                    range: body.clone(),
                    start: at(body.start),
                    end: at(body.end),
                });
                readings.push(Reading::Unread(Unread::Unreadable, why.clone()));
                continue;
            }
            (Language::PlPgSql, None) => plpgsql::pieces(&text[body.clone()]),
            (Language::Sql, None) => plpgsql::sql_pieces(&text[body.clone()]),
            (Language::Other(_), None) => continue,
        };
        let params: Arc<[String]> = routine.params.into();
        for piece in pieces {
            let range = body.start + piece.range.start..body.start + piece.range.end;
            raw.push(RawStatement {
                start: index.position(text, range.start),
                end: index.position(text, range.end),
                range,
            });
            readings.push(match piece.form {
                Form::Dynamic => Reading::Unread(
                    Unread::Dynamic,
                    "`EXECUTE` runs SQL built at run time, which the engine cannot see".to_string(),
                ),
                Form::Unreadable(why) => Reading::Unread(Unread::Unreadable, why.to_string()),
                form => Reading::Embedded(Arc::new(Embedded {
                    form,
                    params: params.clone(),
                    trigger: routine.trigger,
                })),
            });
        }
    }
    (raw, readings)
}

/// Splits and parses SQL text (see [`SplitSql::new`] for `map`).
pub fn parse_sql(text: &str, dialect: Dialect, map: &dyn Fn(Location) -> Location) -> ParsedSql {
    SplitSql::new(text, dialect, Some(map)).parse_all()
}

/// A checked statement: its extent, the Rust function it is in, and whether it
/// changes the schema (`CREATE`, `ALTER`, `DROP`) rather than reading or writing data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSite {
    pub span: Span,
    pub function: Option<String>,
    pub schema: bool,
}

/// What checking one file found: its diagnostics, and what an audit needs to group
/// them (its statements, the lines suppressions covered, its functions).
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    pub diagnostics: Vec<Diagnostic>,
    /// Each statement checked.
    pub statements: Vec<StatementSite>,
    /// The lines of suppressions that suppressed something.
    pub suppressed: Vec<std::ops::RangeInclusive<u64>>,
    /// Every suppression in the file, used or not, for `--list-suppressions`.
    pub suppressions: Vec<Suppression>,
    /// The functions of a Rust file that hold SQL or are `#[tenant_scoped]`, with
    /// their lines.
    pub functions: Vec<(String, std::ops::Range<u64>)>,
}

/// The tenant model plus the rule severities the configuration sets.
#[derive(Debug, Clone)]
pub struct Engine {
    model: TenantModel,
    /// `None`: the rule is off.
    levels: Vec<(&'static str, Option<Severity>)>,
    /// `[scan.dialects]`, compiled: the dialect of the files each glob matches.
    path_dialects: Vec<(globset::GlobMatcher, Dialect)>,
    /// `[[cross_tenant]]` and `[scan] tests`, compiled.
    declared: Arc<crate::report::declared::Declarations>,
}

impl Engine {
    /// Validates the `[rules]` table of the configuration against the rule registry.
    pub fn new(model: TenantModel) -> Result<Engine, ConfigError> {
        let mut levels = Vec::new();
        for setting in &model.config.rule_levels {
            let error = |message: String| ConfigError {
                path: model.config.path.clone(),
                at: setting.at,
                message,
            };
            let rule = rules::find(&setting.rule).ok_or_else(|| {
                let names = rules::ALL.iter().flat_map(|r| [r.code, r.name]);
                let hint = crate::model::config::did_you_mean(&setting.rule, names)
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                error(format!(
                    "`rules.{}`: unknown rule{hint} (`tenant-lint rules` lists them)",
                    setting.rule
                ))
            })?;
            let level = match setting.level.to_ascii_lowercase().as_str() {
                "error" => Some(Severity::Error),
                "warning" | "warn" => Some(Severity::Warning),
                "off" | "allow" => None,
                other => {
                    return Err(error(format!(
                        "`rules.{}`: unknown level `{other}`: expected error, warning or off",
                        setting.rule
                    )));
                }
            };
            if level.is_none() && rule.code == rules::unparseable_sql::RULE.code {
                return Err(error(format!(
                    "`rules.{}`: `unparseable-sql` cannot be turned off: the engine cannot prove what it cannot read",
                    setting.rule
                )));
            }
            levels.push((rule.code, level));
        }
        let path_dialects = model
            .config
            .path_dialects
            .iter()
            .filter_map(|(glob, dialect)| {
                let glob = globset::Glob::new(glob).ok()?;
                Some((glob.compile_matcher(), *dialect))
            })
            .collect();
        let declared = Arc::new(crate::report::declared::Declarations::new(&model.config));
        Ok(Engine {
            model,
            levels,
            path_dialects,
            declared,
        })
    }

    /// The engine for a text that creates temporary tables (`CREATE TEMP TABLE`): they
    /// are known to the statements of that text, and only there. `None` when it
    /// creates none.
    pub fn with_temporary_tables(&self, sql: &SplitSql) -> Option<Engine> {
        let mut schema: Option<crate::model::Schema> = None;
        let path: Arc<Path> = Arc::from(Path::new(""));
        for i in (0..sql.len()).filter(|&i| sql.creates_temporary_table(i)) {
            if let Ok(statement) = sql.parse(i) {
                schema
                    .get_or_insert_with(|| self.model.schema.clone())
                    .apply(&statement, &path);
            }
        }
        let model = TenantModel::new(self.model.config.clone(), schema?);
        Some(Engine {
            model,
            levels: self.levels.clone(),
            path_dialects: self.path_dialects.clone(),
            declared: self.declared.clone(),
        })
    }

    /// The dialect a file's SQL is written in: the first `[scan.dialects]` glob that
    /// matches its path (relative to the configuration's directory), else `dialect`.
    pub fn dialect_of(&self, path: &Path) -> Dialect {
        if self.path_dialects.is_empty() {
            return self.model.dialect();
        }
        let relative = crate::model::files::relative_to(path, &self.model.config.base_dir)
            .unwrap_or_else(|| path.to_path_buf());
        self.path_dialects
            .iter()
            .find(|(glob, _)| glob.is_match(&relative))
            .map_or(self.model.dialect(), |(_, dialect)| *dialect)
    }

    pub fn model(&self) -> &TenantModel {
        &self.model
    }

    /// The code declared cross-tenant (`[[cross_tenant]]`, `[scan] tests`).
    pub fn declarations(&self) -> &crate::report::declared::Declarations {
        &self.declared
    }

    /// The severity a rule reports at, `None` when the configuration turns it off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.levels
            .iter()
            .rev()
            .find(|(code, _)| *code == rule.code)
            .map_or(Some(rule.severity), |(_, level)| *level)
    }

    fn severity_of(&self, code: &str) -> Option<Severity> {
        rules::find(code).and_then(|rule| self.severity(rule))
    }

    /// Analyses one parsed statement and runs the statement rules on it.
    pub fn statement_findings(&self, statement: &Statement) -> Vec<Finding> {
        let analysis = analysis::analyze(&self.model, statement);
        if analysis.kind == StatementKind::Schema {
            return Vec::new();
        }
        let mut reporter = Reporter::default();
        rules::check_statement(
            &Context {
                analysis: &analysis,
                model: &self.model,
            },
            &mut reporter,
        );
        reporter.findings
    }

    /// Findings of every statement of split SQL, unreadable ones included: each
    /// statement is parsed, analysed and dropped in turn.
    pub fn sql_findings(&self, sql: &SplitSql) -> Vec<Finding> {
        let mut findings = Vec::new();
        for i in 0..sql.len() {
            match sql.parse(i) {
                Ok(parsed) => findings.extend(self.statement_findings(&parsed)),
                Err(failure) => findings.extend(unread(&failure)),
            }
        }
        findings
    }

    /// The suppressions in SQL comments, each with the lines it covers. `text` is the
    /// file's text, to tell a trailing comment from one on its own line.
    pub fn sql_suppressions(
        &self,
        comments: &[(Location, String)],
        statements: &[Span],
        text: &str,
        findings: &mut Vec<Finding>,
    ) -> Vec<Suppression> {
        let mut out = Vec::new();
        if !comments.iter().any(|(_, c)| c.contains(suppress::MARKER)) {
            return out;
        }
        let index = LineIndex::new(text);
        for (at, comment) in comments {
            let Some(parsed) = suppress::parse(comment, *at) else {
                continue;
            };
            let allow = match parsed {
                Ok(ok) => ok,
                Err(finding) => {
                    findings.push(*finding);
                    continue;
                }
            };
            let line_text = index.line_text(text, at.line);
            let leading = line_text.chars().take_while(|c| c.is_whitespace()).count() as u64 + 1;
            let trailing = at.column > leading;
            let inside = statements.iter().any(|s| s.start < *at && *at < s.end);
            let (lines, extent) = if allow.file {
                (1..=u64::MAX, Extent::File)
            } else if trailing {
                (at.line..=at.line, Extent::Line)
            } else if inside {
                (at.line..=at.line + 1, Extent::Line)
            } else {
                let lines = match statements.iter().find(|s| s.start > *at) {
                    Some(next) => at.line..=next.end.line.max(next.start.line),
                    None => at.line..=at.line + 1,
                };
                (lines, Extent::Statement)
            };
            let end = Location::new(
                at.line,
                at.column + 2 + comment.trim_end().chars().count() as u64,
            );
            out.push(Suppression {
                rules: allow.rules,
                span: Span::new(*at, end),
                reason: allow.reason,
                at: *at,
                lines,
                extent,
                used: false,
            });
        }
        out
    }

    /// Applies suppressions and severities, attaching the file.
    pub fn finish(
        &self,
        path: &Arc<Path>,
        mut findings: Vec<Finding>,
        suppressions: &mut [Suppression],
    ) -> Vec<Diagnostic> {
        suppress::apply(&mut findings, suppressions);
        findings
            .into_iter()
            .filter_map(|f| {
                let severity = self.severity_of(f.code)?;
                Some(Diagnostic::new(f, severity, path.clone()))
            })
            .collect()
    }

    /// Checks the text of one `.sql` file: findings with suppressions and severities
    /// applied, and the number of statements.
    pub fn check_sql_file(&self, path: &Arc<Path>, text: &str) -> FileOutcome {
        self.check_sql_file_with(path, text, Vec::new())
    }

    /// [`Engine::check_sql_file`] with findings found elsewhere about this file (the
    /// schema rules on its DDL), so suppressions in the file apply to them too.
    pub fn check_sql_file_with(
        &self,
        path: &Arc<Path>,
        text: &str,
        extra: Vec<Finding>,
    ) -> FileOutcome {
        self.check_sql_file_at(path, text, extra, &|_| None, self.dialect_of(path))
    }

    /// [`Engine::check_sql_file_with`] for a schema file, whose statement `i` reads or
    /// writes rows of the schema of its moment in the migrations (`at(i)`, see
    /// [`crate::model::loader::Timeline`]) rather than of the final one.
    pub fn check_sql_file_at<'e>(
        &'e self,
        path: &Arc<Path>,
        text: &str,
        extra: Vec<Finding>,
        at: &dyn Fn(usize) -> Option<&'e Engine>,
        dialect: Dialect,
    ) -> FileOutcome {
        self.check_sql_file_declared(path, text, extra, at, dialect, Vec::new())
    }

    /// [`Engine::check_sql_file_at`] with the suppressions the code declared
    /// cross-tenant makes over the file (see [`crate::report::declared`]).
    pub fn check_sql_file_declared<'e>(
        &'e self,
        path: &Arc<Path>,
        text: &str,
        extra: Vec<Finding>,
        at: &dyn Fn(usize) -> Option<&'e Engine>,
        dialect: Dialect,
        declared: Vec<Suppression>,
    ) -> FileOutcome {
        let sql = SplitSql::new(text, dialect, None);
        let temporary = self.with_temporary_tables(&sql);
        let here = temporary.as_ref().unwrap_or(self);
        let mut findings = Vec::new();
        for i in 0..sql.len() {
            match sql.parse(i) {
                Ok(parsed) => {
                    let engine = at(i).unwrap_or(here);
                    findings.extend(engine.statement_findings(&parsed));
                }
                Err(failure) => findings.extend(unread(&failure)),
            }
        }
        if !findings.is_empty() {
            balance_spans(text, &mut findings);
        }
        findings.extend(extra);
        let mut suppressions =
            self.sql_suppressions(&sql.comments, &sql.spans, text, &mut findings);
        suppressions.extend(declared);
        let diagnostics = self.finish(path, findings, &mut suppressions);
        FileOutcome {
            diagnostics,
            statements: (0..sql.len())
                .map(|i| StatementSite {
                    span: sql.spans[i],
                    function: None,
                    schema: sql.is_ddl(i),
                })
                .collect(),
            suppressed: used_lines(&suppressions),
            suppressions,
            functions: Vec::new(),
        }
    }

    /// Checks one SQL string: every finding the configuration does not turn off,
    /// warnings included (a tenant bound to a hard-coded literal is not proved to be
    /// the caller's). The runtime guard refuses a statement with any.
    pub fn check_sql_flagged(&self, sql: &str) -> Vec<Finding> {
        let split = SplitSql::new(sql, self.model.dialect(), None);
        self.sql_findings(&split)
            .into_iter()
            .filter(|f| self.severity_of(f.code).is_some())
            .collect()
    }

    /// Checks one SQL string: the findings of error severity, none when every
    /// statement is proved.
    pub fn check_sql(&self, sql: &str) -> Vec<Finding> {
        let split = SplitSql::new(sql, self.model.dialect(), None);
        self.sql_findings(&split)
            .into_iter()
            .filter(|f| self.severity_of(f.code) == Some(Severity::Error))
            .collect()
    }
}

/// The proof attempted for one statement (`tenant-lint check --explain`): each use of a
/// tenant table with the conjuncts considered for it.
#[derive(Debug, Clone)]
pub struct Proof {
    pub statement: Span,
    /// The table's name and its occurrence.
    pub occurrences: Vec<(String, analysis::Occurrence)>,
    /// What the checks of the statement's writes found: each row written into a tenant
    /// table, whether its tenant column and parent keys come from the caller's tenant,
    /// and what is wrong where they do not.
    pub writes: Vec<String>,
}

impl Engine {
    /// The proofs of the statements of `split` that `keep` selects (by span).
    pub fn proofs(&self, split: &SplitSql, keep: &dyn Fn(Span) -> bool) -> Vec<Proof> {
        let mut out = Vec::new();
        for i in 0..split.len() {
            if !keep(split.spans[i]) {
                continue;
            }
            let Ok(statement) = split.parse(i) else {
                continue;
            };
            let analysis = analysis::analyze_explained(&self.model, &statement);
            let writes = self.write_proofs(&statement, &analysis);
            out.push(Proof {
                statement: split.spans[i],
                occurrences: analysis
                    .occurrences
                    .into_iter()
                    .map(|o| (self.model.info(o.table).name.clone(), o))
                    .collect(),
                writes,
            });
        }
        out
    }

    /// The write checks of a statement, as `--explain` lines.
    fn write_proofs(
        &self,
        statement: &Statement,
        analysis: &analysis::StatementAnalysis,
    ) -> Vec<String> {
        use analysis::{InsertProblem, WriteKind};
        let name = |id| self.model.info(id).name.clone();
        let mut out = Vec::new();
        let at = |span: Span| format!("{}:{}", span.start.line, span.start.column);
        for insert in &analysis.inserts {
            let table = name(insert.table);
            let what = match &insert.problem {
                InsertProblem::NoColumnList => "no column list, and its columns are not known: the tenant column cannot be found".to_string(),
                InsertProblem::MissingTenantColumn => "the tenant column is not set".to_string(),
                InsertProblem::UnboundValue { value: Some(v) } => format!("the tenant column is set from `{v}`, not the caller's tenant"),
                InsertProblem::UnboundValue { value: None } => "the tenant column is set from a selected column that is not the caller's tenant".to_string(),
                InsertProblem::TableLacksTenantColumn => "the table has no tenant column and no tenant parent".to_string(),
            };
            out.push(format!(
                "INSERT into {table} at {}: {what}",
                at(insert.span)
            ));
        }
        for write in &analysis.parent_writes {
            let verb = match write.kind {
                WriteKind::Insert => "INSERT into",
                WriteKind::Update => "UPDATE of",
                WriteKind::Upsert => "upsert into",
            };
            let what = match (&write.column, write.parent) {
                (Some(column), Some(parent)) => format!(
                    "`{column}` is not taken from a `{}` row proved to be the caller's, and no key with the tenant column covers it",
                    name(parent)
                ),
                _ => "no parent key is written, so the row belongs to no tenant".to_string(),
            };
            out.push(format!(
                "{verb} {} at {}: {what}",
                name(write.table),
                at(write.span)
            ));
        }
        for assignment in &analysis.tenant_assignments {
            out.push(format!(
                "UPDATE of {} at {}: assigns the tenant column `{}`",
                name(assignment.table),
                at(assignment.span),
                assignment.column
            ));
        }
        for upsert in &analysis.upserts {
            out.push(format!(
                "upsert into {} at {}: its conflict key ({}) does not include the tenant column",
                name(upsert.table),
                at(upsert.span),
                upsert.key.join(", ")
            ));
        }
        // A write into a tenant table with nothing wrong: say what was proved.
        if out.is_empty()
            && let Statement::Insert(insert) = statement
            && let sqlparser::ast::TableObject::TableName(table) = &insert.table
            && let Some(id) = self.model.lookup_name(table)
            && self.model.info(id).class.is_scoped()
        {
            out.push(format!(
                "INSERT into {}: the tenant column and every parent key come from the caller's tenant or from proved rows",
                name(id)
            ));
        }
        out
    }

    /// The proofs of a SQL file's statements that `keep` selects.
    pub fn sql_proofs(&self, text: &str, keep: &dyn Fn(Span) -> bool) -> Vec<Proof> {
        self.proofs(&SplitSql::new(text, self.model.dialect(), None), keep)
    }
}

/// What a statement does to a tenant table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableOperation {
    Read,
    Insert,
    Update,
    Delete,
}

impl TableOperation {
    pub fn name(self) -> &'static str {
        match self {
            TableOperation::Read => "read",
            TableOperation::Insert => "insert",
            TableOperation::Update => "update",
            TableOperation::Delete => "delete",
        }
    }
}

impl Engine {
    /// The tenant tables (root included) each statement of `sql` reads or writes, and
    /// how; a statement that does not parse is an error.
    pub fn table_uses(&self, sql: &str) -> Result<Vec<(String, TableOperation)>, ParseFailure> {
        let split = SplitSql::new(sql, self.model.dialect(), None);
        let mut out = Vec::new();
        for i in 0..split.len() {
            let statement = split.parse(i)?;
            let analysis = analysis::analyze(&self.model, &statement);
            for occurrence in &analysis.occurrences {
                let operation = match occurrence.role {
                    analysis::Role::Read | analysis::Role::InsertSource => TableOperation::Read,
                    analysis::Role::UpdateTarget => TableOperation::Update,
                    analysis::Role::DeleteTarget => TableOperation::Delete,
                };
                out.push((self.model.info(occurrence.table).name.clone(), operation));
            }
            if let Statement::Insert(insert) = &statement
                && let sqlparser::ast::TableObject::TableName(name) = &insert.table
                && let Some(id) = self.model.lookup_name(name)
                && self.model.info(id).class.is_scoped()
            {
                out.push((self.model.info(id).name.clone(), TableOperation::Insert));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// Widens the findings' spans over the parentheses sqlparser's spans leave out (see
/// [`crate::extract::source::LineIndex::balanced`]).
pub fn balance_spans(text: &str, findings: &mut [Finding]) {
    let lines = crate::extract::source::LineIndex::new(text);
    for finding in findings {
        finding.span = lines.balanced(text, finding.span);
        for label in &mut finding.labels {
            label.span = lines.balanced(text, label.span);
        }
    }
}

/// The lines of the suppressions that were used.
pub fn used_lines(suppressions: &[Suppression]) -> Vec<std::ops::RangeInclusive<u64>> {
    suppressions
        .iter()
        .filter(|s| s.used)
        .map(|s| s.lines.clone())
        .collect()
}

/// What a statement that was not parsed reports: `unparseable-sql` when it cannot be
/// read, `dynamic-sql` for SQL built at run time, nothing for a statement that reads
/// and writes no rows.
pub fn unread(failure: &ParseFailure) -> Option<Finding> {
    match failure.kind {
        Unread::Unreadable => Some(unparseable(failure)),
        Unread::NoRows(_) => None,
        Unread::Dynamic => {
            let mut reporter = Reporter::default();
            reporter
                .report(
                    &rules::dynamic_sql::RULE,
                    point(failure.at.line, failure.at.column),
                    failure.message.clone(),
                )
                .help("write the statement with bind parameters (`USING`), or check it at run time with the guard");
            reporter.findings.pop()
        }
    }
}

/// `unparseable-sql` at the place reading failed.
pub fn unparseable(failure: &ParseFailure) -> Finding {
    let mut reporter = Reporter::default();
    reporter
        .report(
            &rules::unparseable_sql::RULE,
            point(failure.at.line, failure.at.column),
            format!("cannot parse this statement: {}", failure.message),
        )
        .label("parsing stopped here")
        .help("tenant-lint cannot prove what it cannot read: fix the SQL, or set `dialect` in tenant-lint.toml");
    reporter.findings.remove(0)
}
