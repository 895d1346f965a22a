//! Suppression comments: `-- tenant-lint: allow(TI001, hard-coded-tenant-literal) reason="…"`.
//!
//! A suppression on its own line applies to the statement that follows it (or, inside a
//! statement, to the next line); a trailing one applies to its own line;
//! `tenant-lint: allow-file(…) reason="…"` applies to the whole file. A reason is
//! required; a malformed, unknown or reasonless one is `invalid-suppression`, one that
//! suppresses nothing is `unused-suppression`.

use std::ops::RangeInclusive;

use sqlparser::tokenizer::{Location, Span};

use crate::report::diagnostic::Finding;
use crate::rules::{self, Reporter, Rule};

/// The marker a comment starts with.
pub const MARKER: &str = "tenant-lint:";

/// What a suppression covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extent {
    /// The statement (or Rust item) that follows the comment.
    Statement,
    /// The comment's own line (a trailing comment), or the next line inside a statement.
    Line,
    /// The whole file (`allow-file`).
    File,
    /// A `#[tenant_scoped(cross_tenant = "…")]` function.
    Function(String),
    /// Code declared cross-tenant: by `[[cross_tenant]]` declaration `index` (how it
    /// reads), or, without an index, test code.
    Declared { index: Option<usize>, shown: String },
}

impl Extent {
    pub fn describe(&self) -> String {
        match self {
            Extent::Statement => "statement".to_string(),
            Extent::Line => "line".to_string(),
            Extent::File => "file".to_string(),
            Extent::Function(name) => format!("function `{name}`"),
            Extent::Declared {
                index: Some(_),
                shown,
            } => {
                format!("code declared cross-tenant ({shown})")
            }
            Extent::Declared { index: None, .. } => "test code".to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Suppression {
    pub rules: Vec<&'static Rule>,
    /// The comment's extent, for reporting it.
    pub span: Span,
    pub reason: String,
    /// Where the comment is.
    pub at: Location,
    /// The lines whose findings it covers.
    pub lines: RangeInclusive<u64>,
    pub extent: Extent,
    pub used: bool,
}

/// A parsed suppression comment: the rules it allows, its reason, and whether it is
/// the file-level form.
#[derive(Debug, Clone)]
pub struct Allow {
    pub rules: Vec<&'static Rule>,
    pub reason: String,
    pub file: bool,
}

/// Parses the text of a comment (after `--` or `//`). `None` if it is not a
/// suppression; `Err` with an `invalid-suppression` finding if it is a bad one.
pub fn parse(text: &str, at: Location) -> Option<Result<Allow, Box<Finding>>> {
    let body = text.trim_start().strip_prefix(MARKER)?.trim();
    let invalid = |message: String| {
        let mut reporter = Reporter::default();
        let end = Location::new(
            at.line,
            at.column + 2 + text.trim_end().chars().count() as u64,
        );
        reporter
            .report(
                &rules::invalid_suppression::RULE,
                Span::new(at, end),
                message,
            )
            .help("write `tenant-lint: allow(TI001) reason=\"why this is safe\"` (or `allow-file(…)` for the whole file)");
        Err(Box::new(reporter.findings.remove(0)))
    };
    let (file, rest) = if let Some(rest) = body.strip_prefix("allow-file(") {
        (true, rest)
    } else if let Some(rest) = body.strip_prefix("allow(") {
        (false, rest)
    } else {
        return Some(invalid(format!(
            "expected `allow(…)` or `allow-file(…)` after `{MARKER}`"
        )));
    };
    let Some((list, rest)) = rest.split_once(')') else {
        return Some(invalid("unclosed `allow(`".to_string()));
    };
    let mut found = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match rules::find(name) {
            Some(rule) => found.push(rule),
            None => {
                let names = rules::ALL.iter().flat_map(|r| [r.code, r.name]);
                let hint = crate::model::config::did_you_mean(name, names)
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Some(invalid(format!(
                    "unknown rule `{name}` in suppression{hint}"
                )));
            }
        }
    }
    if found.is_empty() {
        return Some(invalid(
            "a suppression must name at least one rule".to_string(),
        ));
    }
    let reason = rest
        .trim()
        .strip_prefix("reason")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('='))
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('"'))
        .and_then(|r| r.split_once('"'))
        .map(|(reason, _)| reason.trim().to_string());
    match reason {
        Some(reason) if !reason.is_empty() => Some(Ok(Allow {
            rules: found,
            reason,
            file,
        })),
        _ => Some(invalid(
            "a suppression needs a reason: `reason=\"…\"`".to_string(),
        )),
    }
}

/// Applies suppressions to findings: removes the suppressed ones and adds a finding
/// for every suppression that was not used.
pub fn apply(findings: &mut Vec<Finding>, suppressions: &mut [Suppression]) {
    findings.retain(|finding| {
        let line = finding.span.start.line;
        for s in suppressions.iter_mut() {
            let meta = finding.code == rules::invalid_suppression::RULE.code;
            if !meta && s.lines.contains(&line) && s.rules.iter().any(|r| r.code == finding.code) {
                s.used = true;
                return false;
            }
        }
        true
    });
    // A declaration covers many files: whether it covered anything is decided over
    // all of them (see `Project::check`).
    for s in suppressions
        .iter()
        .filter(|s| !s.used && !matches!(s.extent, Extent::Declared { .. }))
    {
        let names: Vec<&str> = s.rules.iter().map(|r| r.code).collect();
        let form = if s.extent == Extent::File {
            "allow-file"
        } else {
            "allow"
        };
        let mut reporter = Reporter::default();
        reporter
            .report(
                &rules::unused_suppression::RULE,
                s.span,
                format!("`{form}({})` suppresses nothing here", names.join(", ")),
            )
            .label("unused suppression")
            .help("remove it");
        findings.append(&mut reporter.findings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<(Vec<&'static str>, String), String> {
        match parse(text, Location::new(1, 1)).expect("a suppression") {
            Ok(allow) => Ok((allow.rules.iter().map(|r| r.code).collect(), allow.reason)),
            Err(finding) => Err(finding.message),
        }
    }

    #[test]
    fn codes_and_names_with_a_reason() {
        assert_eq!(
            parsed(" tenant-lint: allow(TI001, hard-coded-tenant-literal) reason=\"admin report\""),
            Ok((vec!["TI001", "TI003"], "admin report".to_string()))
        );
    }

    #[test]
    fn the_file_form_is_recognised() {
        let allow = parse(
            "tenant-lint: allow-file(TI001) reason=\"generated reports\"",
            Location::new(1, 1),
        )
        .unwrap()
        .unwrap();
        assert!(allow.file);
        assert_eq!(allow.reason, "generated reports");
        assert!(
            !parse(
                "tenant-lint: allow(TI001) reason=\"x\"",
                Location::new(1, 1)
            )
            .unwrap()
            .unwrap()
            .file
        );
    }

    #[test]
    fn a_reason_is_required() {
        assert!(
            parsed("tenant-lint: allow(TI001)")
                .unwrap_err()
                .contains("needs a reason")
        );
        assert!(parsed("tenant-lint: allow(TI001) reason=\"\"").is_err());
    }

    #[test]
    fn unknown_rules_are_reported() {
        assert!(
            parsed("tenant-lint: allow(TI0001) reason=\"x\"")
                .unwrap_err()
                .contains("unknown rule `TI0001`")
        );
    }

    #[test]
    fn other_comments_are_not_suppressions() {
        assert!(parse(" expect: TI001", Location::new(1, 1)).is_none());
    }
}
