//! `tenant-lint check --explain`: the proof the engine attempted for each tenant table
//! of a flagged statement, conjunct by conjunct: as text after the human report, and as
//! structured data inside the JSON (`explain` of each diagnostic) and SARIF
//! (`properties.explain` of each result) reports.

use std::path::Path;

use serde::Serialize;
use sqlparser::tokenizer::Span;

use crate::analysis::{Occurrence, Role, Verdict};
use crate::engine::Proof;
use crate::extract::source::SourceFile;
use crate::model::TenantModel;
use crate::report::diagnostic::Diagnostic;

/// The proof of one statement.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub path: String,
    /// Where the statement starts (1-based).
    pub line: u64,
    pub column: u64,
    #[serde(skip)]
    pub span: Span,
    /// Each use of a tenant table in it.
    pub tables: Vec<ExplainedTable>,
    /// What the checks of its writes found, a sentence each.
    pub writes: Vec<String>,
}

/// One use of a tenant table, and what each conjunct did for it.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedTable {
    /// The table, with its alias when it has one (`JOB j`).
    pub table: String,
    /// `read`, `read for an insert`, `updated`, `deleted from`.
    pub role: &'static str,
    pub line: u64,
    pub column: u64,
    pub bound: bool,
    /// How it was proved, when it was.
    pub how: Option<String>,
    pub conjuncts: Vec<ExplainedConjunct>,
    /// Why nothing applied, when nothing did.
    pub note: Option<String>,
}

/// One conjunct considered for a table.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedConjunct {
    pub line: u64,
    pub column: u64,
    /// Its text, on one line.
    pub text: String,
    /// What it does for the table.
    pub effect: String,
}

/// The proofs of each file (see [`crate::project::Project::proofs`]), structured.
pub fn explain(files: &[(&Path, &SourceFile, Vec<Proof>)], model: &TenantModel) -> Vec<Explained> {
    let mut out = Vec::new();
    for (path, source, proofs) in files {
        let text = |span| {
            let span = source.lines().balanced(&source.text, span);
            let snippet = &source.text[source.lines().byte_range(&source.text, span)];
            snippet.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for proof in proofs {
            out.push(Explained {
                path: path.display().to_string().replace('\\', "/"),
                line: proof.statement.start.line,
                column: proof.statement.start.column,
                span: proof.statement,
                tables: proof
                    .occurrences
                    .iter()
                    .map(|(table, occ)| occurrence(table, occ, model, &text))
                    .collect(),
                writes: proof.writes.clone(),
            });
        }
    }
    out
}

/// The proof of the statement a diagnostic is in, if one was explained.
pub fn of<'a>(explained: &'a [Explained], diagnostic: &Diagnostic) -> Option<&'a Explained> {
    let path = diagnostic.path.display().to_string().replace('\\', "/");
    explained
        .iter()
        .find(|e| e.path == path && diagnostic.starts_in(e.span))
}

/// The proofs as text, statement by statement.
pub fn render_text(explained: &[Explained]) -> String {
    let mut out = String::new();
    for statement in explained {
        out.push_str(&format!(
            "proof of the statement at {}:{}:{}\n",
            statement.path, statement.line, statement.column
        ));
        if statement.tables.is_empty() && statement.writes.is_empty() {
            out.push_str("  no tenant table is read or written here\n");
        }
        for table in &statement.tables {
            let bound = if table.bound { "bound" } else { "NOT bound" };
            out.push_str(&format!(
                "  {} ({}) at {}:{}: {bound} to the caller's tenant\n",
                table.table, table.role, table.line, table.column
            ));
            if let Some(how) = &table.how {
                out.push_str(&format!("    how: {how}\n"));
            }
            if table.conjuncts.is_empty() {
                out.push_str("    no WHERE or ON predicate applies to it\n");
            }
            for conjunct in &table.conjuncts {
                out.push_str(&format!(
                    "    {}:{} `{}`: {}\n",
                    conjunct.line, conjunct.column, conjunct.text, conjunct.effect
                ));
            }
            if let Some(note) = &table.note {
                out.push_str(&format!("    {note}\n"));
            }
        }
        for write in &statement.writes {
            out.push_str(&format!("  {write}\n"));
        }
    }
    out
}

/// Renders the proofs of each file as text (see [`crate::project::Project::proofs`]).
pub fn render(files: &[(&Path, &SourceFile, Vec<Proof>)], model: &TenantModel) -> String {
    render_text(&explain(files, model))
}

/// One table occurrence: whether it is bound, and what each conjunct did for it.
fn occurrence(
    table: &str,
    occ: &Occurrence,
    model: &TenantModel,
    text: &dyn Fn(Span) -> String,
) -> ExplainedTable {
    let role = match occ.role {
        Role::Read => "read",
        Role::InsertSource => "read for an insert",
        Role::UpdateTarget => "updated",
        Role::DeleteTarget => "deleted from",
    };
    let name = match &occ.alias {
        Some(alias) => format!("{table} {alias}"),
        None => table.to_string(),
    };
    let column = match &model.info(occ.table).tenant_column {
        Some(c) => format!("`{}.{c}`", occ.alias.as_deref().unwrap_or(table)),
        None => "its parent key".to_string(),
    };
    let conjuncts = occ
        .considered
        .iter()
        .map(|considered| {
            let effect = match &considered.verdict {
                Verdict::Unrelated => format!("does not mention {column}"),
                Verdict::Binds => "binds it to the caller's tenant".to_string(),
                Verdict::Weak(w) => crate::rules::weakness_text(w),
                Verdict::Linked(others) => {
                    format!(
                        "equates it with {}, not bound themselves",
                        others.join(", ")
                    )
                }
                Verdict::Literal => {
                    "compares it with a hard-coded tenant, not the caller's".to_string()
                }
                Verdict::NotProved => {
                    "the other side is not proved to be the caller's tenant".to_string()
                }
            };
            ExplainedConjunct {
                line: considered.span.start.line,
                column: considered.span.start.column,
                text: text(considered.span),
                effect,
            }
        })
        .collect();
    let mentioned = occ
        .considered
        .iter()
        .any(|c| !matches!(c.verdict, Verdict::Unrelated));
    let note = (!occ.proved && !mentioned).then(|| {
        let params = &model.config.params;
        let listed = if params.is_empty() {
            String::new()
        } else {
            format!(" ({})", params.join(", "))
        };
        format!("nothing compares {column} with the tenant parameter{listed}")
    });
    ExplainedTable {
        table: name,
        role,
        line: occ.span.start.line,
        column: occ.span.start.column,
        bound: occ.proved,
        how: occ.proved_by.clone(),
        conjuncts,
        note,
    }
}
