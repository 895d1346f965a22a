//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,endColumn=…::…`.
//!
//! GitHub shows at most ten error and ten warning annotations per step and drops the
//! rest, so the most important come first (errors before warnings, then by risk as the
//! audit grades it, then by place), and a notice counts the findings not shown.

use std::collections::BTreeMap;

use crate::model::TenantModel;
use crate::report::Summary;
use crate::report::audit::risk;
use crate::report::diagnostic::{Diagnostic, Severity};

/// Annotations GitHub shows per step, per level.
pub const SHOWN_PER_LEVEL: usize = 10;

pub fn render(diagnostics: &[Diagnostic], summary: &Summary, model: &TenantModel) -> String {
    let mut order: Vec<&Diagnostic> = diagnostics.iter().collect();
    // Stable: equal keys keep the file and position order of `diagnostics`.
    order.sort_by_key(|d| {
        (
            std::cmp::Reverse(d.severity),
            std::cmp::Reverse(risk(d, model)),
        )
    });
    let mut out = String::new();
    let mut shown = [0usize; 2];
    let mut hidden: BTreeMap<&str, usize> = BTreeMap::new();
    for d in order {
        let slot = usize::from(d.severity == Severity::Error);
        if shown[slot] == SHOWN_PER_LEVEL {
            *hidden.entry(d.code).or_default() += 1;
            continue;
        }
        shown[slot] += 1;
        let (end_line, end_column) = d.end();
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let mut properties = format!(
            "file={},line={},col={}",
            property(&d.path.display().to_string().replace('\\', "/")),
            d.line(),
            d.column()
        );
        if end_line == d.line() {
            properties.push_str(&format!(",endColumn={end_column}"));
        } else {
            properties.push_str(&format!(",endLine={end_line}"));
        }
        properties.push_str(&format!(
            ",title={}",
            property(&format!("{} {}", d.code, d.name))
        ));
        out.push_str(&format!(
            "::{} {properties}::{}\n",
            d.severity.name(),
            data(&message)
        ));
    }
    let rest: usize = hidden.values().sum();
    if rest > 0 {
        let by_rule: Vec<String> = hidden
            .iter()
            .map(|(code, n)| format!("{code} x{n}"))
            .collect();
        out.push_str(&format!(
            "::notice title=tenant-lint::{}\n",
            data(&format!(
                "{rest} more finding{} not shown as annotations ({}); run `tenant-lint check` for all of them",
                if rest == 1 { "" } else { "s" },
                by_rule.join(", ")
            ))
        ));
    }
    out.push_str(&crate::report::human::summary_line(summary));
    out.push('\n');
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        assert_eq!(data("50% of\nrows"), "50%25 of%0Arows");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
