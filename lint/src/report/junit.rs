//! JUnit XML, for CI systems that show test reports: one test case per checked file.
//!
//! Each error-severity finding is a `<failure>` of its file's test case; warnings,
//! which do not fail the gate, are listed in the test case's `<system-out>`. A file
//! without errors is a passing test case, so the report also shows what was checked.

use std::path::Path;

use crate::report::diagnostic::{Diagnostic, Severity};

/// Renders one test suite; `files` are the checked files, in order.
pub fn render(files: &[&Path], diagnostics: &[Diagnostic]) -> String {
    let mut body = String::new();
    let mut failing = 0;
    for file in files {
        let path = file.display().to_string().replace('\\', "/");
        let mine: Vec<&Diagnostic> = diagnostics.iter().filter(|d| &*d.path == *file).collect();
        let line = |d: &Diagnostic| {
            let mut text = format!(
                "{path}:{}:{}: {}[{}] {}",
                d.line(),
                d.column(),
                d.severity,
                d.code,
                d.message
            );
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            text
        };
        let errors: Vec<&&Diagnostic> = mine
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let warnings: Vec<&&Diagnostic> = mine
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect();
        failing += usize::from(!errors.is_empty());
        body.push_str(&format!(
            "    <testcase classname=\"tenant-lint\" name=\"{}\" file=\"{}\"",
            attribute(&path),
            attribute(&path)
        ));
        if errors.is_empty() && warnings.is_empty() {
            body.push_str("/>\n");
            continue;
        }
        body.push_str(">\n");
        for d in errors {
            body.push_str(&format!(
                "      <failure type=\"{} {}\" message=\"{}\">{}</failure>\n",
                d.code,
                d.name,
                attribute(&format!("{}:{}: {}", d.line(), d.column(), d.message)),
                escape(&line(d))
            ));
        }
        if !warnings.is_empty() {
            let text: Vec<String> = warnings.iter().map(|d| line(d)).collect();
            body.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape(&text.join("\n"))
            ));
        }
        body.push_str("    </testcase>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tenant-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n  <testsuite name=\"tenant-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{body}  </testsuite>\n</testsuites>\n",
        tests = files.len(),
        failures = failing,
    )
}

/// Escapes an attribute value (line breaks as character references).
fn attribute(text: &str) -> String {
    escape(text).replace('\n', "&#10;")
}

/// Escapes element text; characters XML cannot hold are shown as `\u{…}`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\r' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_are_shown() {
        assert_eq!(
            escape("a<b & \"c\"\u{0}"),
            "a&lt;b &amp; &quot;c&quot;\\u{0}"
        );
    }
}
