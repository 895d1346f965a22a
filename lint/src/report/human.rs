//! rustc-style output: the source line, a caret under the exact table reference or
//! predicate, labels, and a help line (annotate-snippets).

use std::path::Path;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::extract::source::SourceFile;
use crate::report::Summary;
use crate::report::diagnostic::{Diagnostic, Severity};

/// Renders diagnostics. `source` looks up a file's text by path.
pub fn render<'a>(
    diagnostics: &[Diagnostic],
    source: impl Fn(&Path) -> Option<&'a SourceFile>,
    color: bool,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(diagnostic, source(&diagnostic.path), &renderer));
        out.push_str("\n\n");
    }
    out
}

fn render_one(diagnostic: &Diagnostic, file: Option<&SourceFile>, renderer: &Renderer) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = diagnostic.path.display().to_string();
    let title = level
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.code);
    let mut groups: Vec<Group> = Vec::new();
    let main = match file {
        Some(file) => {
            let spans =
                std::iter::once(diagnostic.span).chain(diagnostic.labels.iter().map(|l| l.span));
            let first = spans
                .clone()
                .map(|s| s.start.line.max(1))
                .min()
                .unwrap_or(1);
            let last = spans
                .map(|s| s.end.line.max(s.start.line).max(1))
                .max()
                .unwrap_or(first);
            let start = file.lines().line_start(first).unwrap_or(0);
            let end = file
                .lines()
                .line_start(last + 1)
                .map_or(file.text.len(), |e| e.saturating_sub(1));
            let text = file.text[start..end.max(start)].trim_end_matches('\r');
            let range = |span| {
                let r = file.lines().byte_range(&file.text, span);
                let clamp = |x: usize| x.saturating_sub(start).min(text.len());
                clamp(r.start)..clamp(r.end)
            };
            let mut snippet = Snippet::source(text)
                .line_start(first as usize)
                .path(path.clone())
                .fold(true)
                .annotation(
                    AnnotationKind::Primary
                        .span(range(diagnostic.span))
                        .label(diagnostic.label.as_deref()),
                );
            for label in &diagnostic.labels {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(range(label.span))
                        .label(label.message.as_str()),
                );
            }
            title.element(snippet)
        }
        None => title.element(
            annotate_snippets::Origin::path(path.clone())
                .line(diagnostic.line() as usize)
                .char_column(diagnostic.column() as usize),
        ),
    };
    groups.push(main);
    if let Some(help) = &diagnostic.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    renderer.render(&groups)
}

/// One line per finding, `path:line:column: severity[code] message`, for editors and
/// terminals that jump to a location.
pub fn concise(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            d.path.display(),
            d.line(),
            d.column(),
            d.severity,
            d.code,
            d.message
        ));
    }
    out
}

/// The closing line: `3 errors, 1 warning (12 statements in 4 files)`.
pub fn summary_line(summary: &Summary) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "tenant-lint: {}, {} ({} in {})",
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
        plural(summary.statements, "statement", "statements"),
        plural(summary.files, "file", "files"),
    )
}
