//! The JSON report, a contract outside tools rely on (see `docs/DESIGN.md`):
//! `{"version":1,"diagnostics":[…],"summary":{…}}`, lines and columns 1-based,
//! columns counting Unicode characters, the end column exclusive.

use serde::Serialize;

use crate::report::Summary;
use crate::report::diagnostic::Diagnostic;
use crate::report::explain::{self, Explained};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<Entry<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    path: String,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
    message: &'a str,
    table: Option<&'a str>,
    /// With `--explain`: the proof attempted for the statement the diagnostic is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a Explained>,
}

pub fn render(diagnostics: &[Diagnostic], summary: Summary) -> String {
    render_explained(diagnostics, summary, None)
}

/// [`render`], each diagnostic with the proof of its statement (`--explain`).
pub fn render_explained(
    diagnostics: &[Diagnostic],
    summary: Summary,
    explained: Option<&[Explained]>,
) -> String {
    let report = Report {
        version: 1,
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let (end_line, end_column) = d.end();
                Entry {
                    code: d.code,
                    name: d.name,
                    severity: d.severity.name(),
                    path: d.path.display().to_string().replace('\\', "/"),
                    line: d.line(),
                    column: d.column(),
                    end_line,
                    end_column,
                    message: &d.message,
                    table: d.table.as_deref(),
                    explain: explained.and_then(|e| explain::of(e, d)),
                }
            })
            .collect(),
        summary,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("plain data serializes");
    text.push('\n');
    text
}
