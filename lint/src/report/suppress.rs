//! Suppression comments: `-- tenant-lint: allow(TI001, hard-coded-tenant-literal) reason="…"`.
//!
//! A suppression on its own line applies to the statement that follows it (or, inside a
//! statement, to the next line); a trailing one applies to its own line. A reason is
//! required; a malformed, unknown or reasonless one is `invalid-suppression`, one that
//! suppresses nothing is `unused-suppression`.

use std::ops::RangeInclusive;

use sqlparser::tokenizer::{Location, Span};

use crate::report::diagnostic::Finding;
use crate::rules::{self, Reporter, Rule};

/// The marker a comment starts with.
pub const MARKER: &str = "tenant-lint:";

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
    pub used: bool,
}

/// The rules a suppression allows and its reason.
pub type Allow = (Vec<&'static Rule>, String);

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
            .help("write `tenant-lint: allow(TI001) reason=\"why this is safe\"`");
        Err(Box::new(reporter.findings.remove(0)))
    };
    let Some(rest) = body.strip_prefix("allow(") else {
        return Some(invalid(format!("expected `allow(…)` after `{MARKER}`")));
    };
    let Some((list, rest)) = rest.split_once(')') else {
        return Some(invalid("unclosed `allow(`".to_string()));
    };
    let mut found = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match rules::find(name) {
            Some(rule) => found.push(rule),
            None => return Some(invalid(format!("unknown rule `{name}` in suppression"))),
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
        Some(reason) if !reason.is_empty() => Some(Ok((found, reason))),
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
    for s in suppressions.iter().filter(|s| !s.used) {
        let names: Vec<&str> = s.rules.iter().map(|r| r.code).collect();
        let mut reporter = Reporter::default();
        reporter
            .report(
                &rules::unused_suppression::RULE,
                s.span,
                format!("`allow({})` suppresses nothing here", names.join(", ")),
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
            Ok((rules, reason)) => Ok((rules.iter().map(|r| r.code).collect(), reason)),
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
