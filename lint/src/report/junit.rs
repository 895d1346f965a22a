//! JUnit XML, for CI systems that show test reports: one test case per checked file.
//!
//! Each finding is a `<failure>` of its file's test case (as ESLint's JUnit output
//! does), its severity in the `type` and the text; a file without findings is a
//! passing test case, so the report also shows what was checked.

use std::path::Path;

use crate::report::diagnostic::Diagnostic;

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
        failing += usize::from(!mine.is_empty());
        body.push_str(&format!(
            "    <testcase classname=\"tenant-lint\" name=\"{}\" file=\"{}\"",
            attribute(&path),
            attribute(&path)
        ));
        if mine.is_empty() {
            body.push_str("/>\n");
            continue;
        }
        body.push_str(">\n");
        for d in mine {
            body.push_str(&format!(
                "      <failure type=\"{} {} {}\" message=\"{}\">{}</failure>\n",
                d.severity,
                d.code,
                d.name,
                attribute(&format!("{}:{}: {}", d.line(), d.column(), d.message)),
                escape(&line(d))
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
