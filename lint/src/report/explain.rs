//! `tenant-lint check --explain`: the proof the engine attempted for each tenant table
//! of a flagged statement, conjunct by conjunct, as text.

use std::path::Path;

use sqlparser::tokenizer::Span;

use crate::analysis::{Occurrence, Role, Verdict};
use crate::engine::Proof;
use crate::extract::source::SourceFile;
use crate::model::TenantModel;

/// Renders the proofs of each file (see [`crate::project::Project::proofs`]).
pub fn render(files: &[(&Path, &SourceFile, Vec<Proof>)], model: &TenantModel) -> String {
    let mut out = String::new();
    for (path, source, proofs) in files {
        let text = |span| {
            let span = source.lines().balanced(&source.text, span);
            let snippet = &source.text[source.lines().byte_range(&source.text, span)];
            snippet.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for proof in proofs {
            out.push_str(&format!(
                "proof of the statement at {}:{}:{}\n",
                path.display(),
                proof.statement.start.line,
                proof.statement.start.column
            ));
            if proof.occurrences.is_empty() && proof.writes.is_empty() {
                out.push_str("  no tenant table is read or written here\n");
            }
            for (table, occ) in &proof.occurrences {
                occurrence(&mut out, table, occ, model, &text);
            }
            for write in &proof.writes {
                out.push_str(&format!("  {write}\n"));
            }
        }
    }
    out
}

/// One table occurrence: whether it is bound, and what each conjunct did for it.
fn occurrence(
    out: &mut String,
    table: &str,
    occ: &Occurrence,
    model: &TenantModel,
    text: &dyn Fn(Span) -> String,
) {
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
    let bound = if occ.proved { "bound" } else { "NOT bound" };
    out.push_str(&format!(
        "  {name} ({role}) at {}:{}: {bound} to the caller's tenant\n",
        occ.span.start.line, occ.span.start.column
    ));
    if let Some(how) = &occ.proved_by {
        out.push_str(&format!("    how: {how}\n"));
    }
    let column = match &model.info(occ.table).tenant_column {
        Some(c) => format!("`{}.{c}`", occ.alias.as_deref().unwrap_or(table)),
        None => "its parent key".to_string(),
    };
    if occ.considered.is_empty() {
        out.push_str("    no WHERE or ON predicate applies to it\n");
    }
    for considered in &occ.considered {
        let why = match &considered.verdict {
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
        out.push_str(&format!(
            "    {}:{} `{}`: {why}\n",
            considered.span.start.line,
            considered.span.start.column,
            text(considered.span)
        ));
    }
    let mentioned = occ
        .considered
        .iter()
        .any(|c| !matches!(c.verdict, Verdict::Unrelated));
    if !occ.proved && !mentioned {
        let params = &model.config.params;
        let listed = if params.is_empty() {
            String::new()
        } else {
            format!(" ({})", params.join(", "))
        };
        out.push_str(&format!(
            "    nothing compares {column} with the tenant parameter{listed}\n"
        ));
    }
}
