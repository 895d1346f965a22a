//! Baselines: switch the gate on in an imperfect codebase today and never lose ground.
//!
//! `--write-baseline FILE` records every current finding by fingerprint; `--baseline
//! FILE` then fails only on findings that are not in it, and lists the entries that no
//! longer occur so the file only shrinks.
//!
//! A fingerprint hashes what identifies a finding independently of where it sits: the
//! rule, the table, the file's path (relative to the configuration's directory), the
//! statement's text with its whitespace collapsed, and the text of the flagged table
//! or predicate. Line numbers are left out, so moving code or editing around it keeps
//! the fingerprint; changing the flagged statement itself makes it a new finding. The
//! same fingerprint may occur more than once (two identical statements in one file):
//! a baseline holds one entry per occurrence, and matching counts them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::diagnostic::Diagnostic;

/// The version of the baseline file format.
pub const VERSION: u32 = 1;

/// What identifies a finding, before hashing.
pub struct Identity<'a> {
    pub code: &'a str,
    pub table: Option<&'a str>,
    /// The path relative to the configuration's directory, with `/` separators.
    pub path: &'a str,
    /// The text of the statement the finding is in, when it is in one.
    pub statement: Option<&'a str>,
    /// The text of the flagged table or predicate.
    pub flagged: &'a str,
    pub message: &'a str,
}

/// A stable 64-bit fingerprint as 16 hex digits (FNV-1a over the identity's parts,
/// whitespace runs collapsed to one space).
pub fn fingerprint(identity: &Identity) -> String {
    let mut hash = Fnv::new();
    hash.part(identity.code);
    hash.part(identity.table.unwrap_or(""));
    hash.part(identity.path);
    match identity.statement {
        Some(statement) => hash.normalized(statement),
        // A finding outside any statement (a function signature, a suppression
        // comment) is identified by what it says.
        None => hash.part(identity.message),
    }
    hash.normalized(identity.flagged);
    format!("{:016x}", hash.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn part(&mut self, text: &str) {
        text.bytes().for_each(|b| self.byte(b));
        self.byte(0);
    }

    /// Hashes `text` with every whitespace run as one space and the ends trimmed.
    fn normalized(&mut self, text: &str) {
        let mut first = true;
        for word in text.split_whitespace() {
            if !first {
                self.byte(b' ');
            }
            first = false;
            word.bytes().for_each(|b| self.byte(b));
        }
        self.byte(0);
    }
}

/// One recorded finding. Only `fingerprint` is matched; the rest is for reading the
/// file in review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub code: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub message: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// A baseline file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineError {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.path, self.message)
            }
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl Baseline {
    /// The baseline of `diagnostics`, whose fingerprints are `fingerprints` (same order),
    /// sorted so that the file changes only where findings do.
    pub fn new(diagnostics: &[Diagnostic], fingerprints: &[String], paths: &[String]) -> Self {
        let mut findings: Vec<Entry> = diagnostics
            .iter()
            .zip(fingerprints)
            .zip(paths)
            .map(|((d, fingerprint), path)| Entry {
                fingerprint: fingerprint.clone(),
                code: d.code.to_string(),
                path: path.clone(),
                table: d.table.clone(),
                message: d.message.clone(),
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.path, &a.code, &a.fingerprint, &a.message).cmp(&(
                &b.path,
                &b.code,
                &b.fingerprint,
                &b.message,
            ))
        });
        Baseline {
            version: VERSION,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serializes");
        text.push('\n');
        text
    }

    /// Reads a baseline file; `shown` is its path as reported.
    pub fn read(path: &Path, shown: &str) -> Result<Baseline, BaselineError> {
        let error = |line, column, message: String| BaselineError {
            path: shown.to_string(),
            line,
            column,
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(None, None, format!("cannot read the baseline: {e}")))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            error(
                Some(e.line()),
                Some(e.column().max(1)),
                format!("not a tenant-lint baseline: {message}"),
            )
        })?;
        if baseline.version != VERSION {
            return Err(error(
                None,
                None,
                format!(
                    "baseline version {} is not supported (expected {VERSION})",
                    baseline.version
                ),
            ));
        }
        if let Some(bad) = baseline.findings.iter().find(|e| {
            e.fingerprint.len() != 16 || !e.fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
        }) {
            return Err(error(
                None,
                None,
                format!("`{}` is not a fingerprint (16 hex digits)", bad.fingerprint),
            ));
        }
        Ok(baseline)
    }

    /// Splits findings into new ones (indices into `fingerprints`) and recorded ones,
    /// and returns the entries that no longer occur. Each entry matches one finding.
    pub fn matches(&self, fingerprints: &[String]) -> Matched<'_> {
        let mut left: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for entry in &self.findings {
            left.entry(entry.fingerprint.as_str())
                .or_default()
                .push(entry);
        }
        let mut new = Vec::new();
        let mut known = 0;
        for (i, fingerprint) in fingerprints.iter().enumerate() {
            match left.get_mut(fingerprint.as_str()).and_then(Vec::pop) {
                Some(_) => known += 1,
                None => new.push(i),
            }
        }
        let mut stale: Vec<&Entry> = left.into_values().flatten().collect();
        stale.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
        Matched { new, known, stale }
    }
}

/// The outcome of matching findings against a baseline.
#[derive(Debug)]
pub struct Matched<'b> {
    /// Indices of the findings not in the baseline.
    pub new: Vec<usize>,
    /// How many findings the baseline accounts for.
    pub known: usize,
    /// Entries with no finding any more: fixed, so they can leave the file.
    pub stale: Vec<&'b Entry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(statement: &'a str, flagged: &'a str) -> Identity<'a> {
        Identity {
            code: "TI001",
            table: Some("JOB"),
            path: "q.sql",
            statement: Some(statement),
            flagged,
            message: "m",
        }
    }

    #[test]
    fn whitespace_does_not_change_a_fingerprint_but_the_statement_does() {
        let a = fingerprint(&id("SELECT *\n  FROM JOB", "JOB"));
        assert_eq!(a, fingerprint(&id("  SELECT * FROM   JOB ", "JOB")));
        assert_ne!(a, fingerprint(&id("SELECT * FROM JOB WHERE x = 1", "JOB")));
        assert_ne!(a, fingerprint(&id("SELECT *\n  FROM JOB", "JOB j")));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn each_entry_matches_one_finding() {
        let entry = |f: &str| Entry {
            fingerprint: f.to_string(),
            code: "TI001".into(),
            path: "q.sql".into(),
            table: None,
            message: "m".into(),
        };
        let baseline = Baseline {
            version: VERSION,
            findings: vec![entry("a"), entry("b"), entry("b")],
        };
        let found = [
            "b".to_string(),
            "c".to_string(),
            "b".to_string(),
            "b".to_string(),
        ];
        let matched = baseline.matches(&found);
        assert_eq!(matched.new, vec![1, 3]);
        assert_eq!(matched.known, 2);
        assert_eq!(matched.stale.len(), 1);
        assert_eq!(matched.stale[0].fingerprint, "a");
    }
}
