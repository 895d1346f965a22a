//! The JSON report, a contract outside tools rely on (see `docs/DESIGN.md`):
//! `{"version":1,"diagnostics":[…],"summary":{…}}`, lines and columns 1-based,
//! columns counting Unicode characters, the end column exclusive.

use serde::Serialize;

use crate::report::Summary;
use crate::report::diagnostic::Diagnostic;

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
}

pub fn render(diagnostics: &[Diagnostic], summary: Summary) -> String {
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
                }
            })
            .collect(),
        summary,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("plain data serializes");
    text.push('\n');
    text
}
