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
use crate::extract::parse::{ParseFailure, offset_map, parse_statement};
use crate::extract::source::{LineIndex, point};
use crate::extract::split::split_statements;
use crate::model::{ConfigError, Dialect, TenantModel};
use crate::report::diagnostic::{Diagnostic, Finding, Severity};
use crate::report::suppress::{self, Suppression};
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

/// Splits and parses SQL text. `map` turns a position in `text` into a position in the
/// file the text comes from (the identity for a `.sql` file; the literal's mapping for
/// SQL inside a Rust string).
pub fn parse_sql(text: &str, dialect: Dialect, map: &dyn Fn(Location) -> Location) -> ParsedSql {
    let split = split_statements(text, dialect);
    let index = LineIndex::new(text);
    let statements = split
        .statements
        .iter()
        .map(|raw| {
            let shift = offset_map(raw.start);
            let to_file = |at: Location| map(shift(at));
            let end = index.position(text, raw.range.end);
            let parsed = if raw.range.len() > MAX_STATEMENT_BYTES {
                Err(ParseFailure {
                    at: map(raw.start),
                    message: format!(
                        "a statement of {} bytes is larger than the {} MiB the engine analyses",
                        raw.range.len(),
                        MAX_STATEMENT_BYTES >> 20
                    ),
                })
            } else {
                parse_statement(&text[raw.range.clone()], dialect, &to_file)
            };
            ParsedStatement {
                span: Span::new(map(raw.start), map(end)),
                parsed,
            }
        })
        .collect();
    let comments = split
        .comments
        .iter()
        .map(|c| (map(c.at), text[c.text.clone()].to_string()))
        .collect();
    ParsedSql {
        statements,
        comments,
    }
}

/// The tenant model plus the rule severities the configuration sets.
#[derive(Debug, Clone)]
pub struct Engine {
    model: TenantModel,
    /// `None`: the rule is off.
    levels: Vec<(&'static str, Option<Severity>)>,
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
            let rule = rules::find(&setting.rule)
                .ok_or_else(|| error(format!("unknown rule `{}` in `[rules]`", setting.rule)))?;
            let level = match setting.level.to_ascii_lowercase().as_str() {
                "error" => Some(Severity::Error),
                "warning" | "warn" => Some(Severity::Warning),
                "off" | "allow" => None,
                other => {
                    return Err(error(format!(
                        "unknown level `{other}` for `{}`: expected error, warning or off",
                        setting.rule
                    )));
                }
            };
            if level.is_none() && rule.code == rules::unparseable_sql::RULE.code {
                return Err(error(
                    "`unparseable-sql` cannot be turned off: the engine cannot prove what it cannot read"
                        .to_string(),
                ));
            }
            levels.push((rule.code, level));
        }
        Ok(Engine { model, levels })
    }

    pub fn model(&self) -> &TenantModel {
        &self.model
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

    /// Findings of every statement of parsed SQL, unreadable ones included.
    pub fn sql_findings(&self, sql: &ParsedSql) -> Vec<Finding> {
        let mut findings = Vec::new();
        for statement in &sql.statements {
            match &statement.parsed {
                Ok(parsed) => findings.extend(self.statement_findings(parsed)),
                Err(failure) => findings.push(unparseable(failure)),
            }
        }
        findings
    }

    /// The suppressions in a `.sql` file's comments, each with the lines it covers.
    pub fn sql_suppressions(
        &self,
        sql: &ParsedSql,
        text: &str,
        findings: &mut Vec<Finding>,
    ) -> Vec<Suppression> {
        let index = LineIndex::new(text);
        let mut out = Vec::new();
        for (at, comment) in &sql.comments {
            let Some(parsed) = suppress::parse(comment, *at) else {
                continue;
            };
            let (rules, reason) = match parsed {
                Ok(ok) => ok,
                Err(finding) => {
                    findings.push(*finding);
                    continue;
                }
            };
            let line_text = index.line_text(text, at.line);
            let leading = line_text.chars().take_while(|c| c.is_whitespace()).count() as u64 + 1;
            let trailing = at.column > leading;
            let inside = sql
                .statements
                .iter()
                .any(|s| s.span.start < *at && *at < s.span.end);
            let lines = if trailing {
                at.line..=at.line
            } else if inside {
                at.line..=at.line + 1
            } else {
                match sql.statements.iter().find(|s| s.span.start > *at) {
                    Some(next) => at.line..=next.span.end.line.max(next.span.start.line),
                    None => at.line..=at.line + 1,
                }
            };
            let end = Location::new(
                at.line,
                at.column + 2 + comment.trim_end().chars().count() as u64,
            );
            out.push(Suppression {
                rules,
                span: Span::new(*at, end),
                reason,
                at: *at,
                lines,
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

    /// Checks the SQL text of one `.sql` file: findings with suppressions and severities
    /// applied, and the number of statements.
    pub fn check_sql_file(&self, path: &Arc<Path>, text: &str, sql: &ParsedSql) -> Vec<Diagnostic> {
        let mut findings = self.sql_findings(sql);
        let mut suppressions = self.sql_suppressions(sql, text, &mut findings);
        self.finish(path, findings, &mut suppressions)
    }

    /// Checks one SQL string (the runtime guard's question): `Ok` when every statement
    /// is proved, else the findings of error severity.
    pub fn check_sql(&self, sql: &str) -> Vec<Finding> {
        let parsed = parse_sql(sql, self.model.dialect(), &|at| at);
        self.sql_findings(&parsed)
            .into_iter()
            .filter(|f| self.severity_of(f.code) == Some(Severity::Error))
            .collect()
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
