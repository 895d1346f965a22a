//! Diagnostics, suppressions, baselines and renderers (human, concise, json, sarif,
//! github, junit).

pub mod audit;
pub mod baseline;
pub mod declared;
pub mod diagnostic;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod suppress;

use diagnostic::{Diagnostic, Severity};

/// Totals printed after the findings and in the JSON `summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub statements: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn new(files: usize, statements: usize, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            statements,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
        }
    }
}
