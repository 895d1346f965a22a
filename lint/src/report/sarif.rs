//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One run; the driver lists every rule with its summary, documentation and default
//! level, and each result points at its rule by id and index. Regions use Unicode code
//! point columns (`columnKind`), the end column exclusive, as the JSON report does.
//! `partialFingerprints` carries the baseline fingerprint (see
//! [`crate::report::baseline`]), which does not change when code moves.

use serde_json::{Value, json};

use crate::report::diagnostic::{Diagnostic, Severity};
use crate::report::explain::{self, Explained};
use crate::rules;

/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "tenantLint/v1";

/// Renders `diagnostics` with their fingerprints (same order).
pub fn render(diagnostics: &[Diagnostic], fingerprints: &[String]) -> String {
    render_explained(diagnostics, fingerprints, None)
}

/// [`render`], each result with the proof of its statement in `properties.explain`
/// (`--explain`).
pub fn render_explained(
    diagnostics: &[Diagnostic],
    fingerprints: &[String],
    explained: Option<&[Explained]>,
) -> String {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|rule| rule_descriptor(rule))
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let mut result = result(d, fingerprint);
            if let Some(proof) = explained.and_then(|e| explain::of(e, d)) {
                let value = serde_json::to_value(proof).expect("plain data serializes");
                match result.get_mut("properties") {
                    Some(Value::Object(properties)) => {
                        properties.insert("explain".to_string(), value);
                    }
                    _ => result["properties"] = json!({ "explain": value }),
                }
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tenant-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("plain data serializes");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_descriptor(rule: &rules::Rule) -> Value {
    let docs = rule.documentation();
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": first_paragraph(&docs) },
        "help": {
            "text": format!("{}\n\nSuppress with `tenant-lint: allow({}) reason=\"…\"`.", docs, rule.code),
            "markdown": docs,
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["security", "multi-tenancy"],
            "precision": "very-high",
            // GitHub code scanning ranks security alerts by this score.
            "security-severity": if rule.severity == Severity::Error { "8.0" } else { "4.0" },
        },
    })
}

fn first_paragraph(docs: &str) -> String {
    docs.split("\n\n")
        .next()
        .unwrap_or(docs)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn result(d: &Diagnostic, fingerprint: &str) -> Value {
    let index = rules::ALL
        .iter()
        .position(|r| r.code == d.code)
        .expect("every finding has a registered rule");
    let uri = uri(&d.path.display().to_string());
    let (end_line, end_column) = d.end();
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": {
                    "startLine": d.line(),
                    "startColumn": d.column(),
                    "endLine": end_line,
                    "endColumn": end_column,
                }
            }
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
    });
    if !d.labels.is_empty() {
        let related: Vec<Value> = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let start = label.span.start;
                let end = label.span.end;
                let (end_line, end_column) =
                    if end.line == 0 || (end.line, end.column) <= (start.line, start.column) {
                        (start.line.max(1), start.column.max(1) + 1)
                    } else {
                        (end.line, end.column)
                    };
                json!({
                    "id": i,
                    "message": { "text": label.message },
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": start.line.max(1),
                            "startColumn": start.column.max(1),
                            "endLine": end_line,
                            "endColumn": end_column,
                        }
                    }
                })
            })
            .collect();
        result["relatedLocations"] = Value::Array(related);
    }
    if let Some(table) = &d.table {
        result["properties"] = json!({ "table": table });
    }
    result
}

/// A relative path as a URI reference: `/` separators, everything outside the
/// unreserved characters percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/a b/ü.sql"), "src/a%20b/%C3%BC.sql");
        assert_eq!(uri("db\\q.sql"), "db/q.sql");
    }
}
