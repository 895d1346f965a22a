//! Findings: what rules report and renderers print.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sqlparser::tokenizer::Span;

/// How serious a finding is. Errors fail the gate (exit code 1); warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A secondary place a finding points at, with what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A finding as a rule reports it: no file yet, the engine adds that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub span: Span,
    pub message: String,
    /// What the primary span shows, printed under the caret.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The tenant table concerned, when there is one.
    pub table: Option<String>,
}

/// A finding in a file, with its severity decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub path: Arc<Path>,
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub table: Option<String>,
}

impl Diagnostic {
    pub fn new(finding: Finding, severity: Severity, path: Arc<Path>) -> Self {
        Diagnostic {
            code: finding.code,
            name: finding.name,
            severity,
            path,
            span: finding.span,
            message: finding.message,
            label: finding.label,
            labels: finding.labels,
            help: finding.help,
            table: finding.table,
        }
    }

    pub fn line(&self) -> u64 {
        self.span.start.line.max(1)
    }

    pub fn column(&self) -> u64 {
        self.span.start.column.max(1)
    }

    /// Whether the finding starts inside `span` (its statement, say), ends included.
    pub fn starts_in(&self, span: Span) -> bool {
        let at = (self.line(), self.column());
        (span.start.line, span.start.column) <= at && at <= (span.end.line, span.end.column)
    }

    /// The end position; a span with no extent ends one character after its start.
    pub fn end(&self) -> (u64, u64) {
        let end = self.span.end;
        if end.line == 0 || (end.line, end.column) <= (self.line(), self.column()) {
            (self.line(), self.column() + 1)
        } else {
            (end.line, end.column)
        }
    }
}

/// Sorts diagnostics by file, then position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line(), a.column(), a.code).cmp(&(&b.path, b.line(), b.column(), b.code))
    });
}
