//! Isolation coverage: which tenant table and operation (read, insert, update, delete)
//! the suite exercised, from the statements it ran; and which repository statements
//! (SQL literals of `#[tenant_scoped]` functions, found by tenant-lint's extractor) it
//! never ran, so a new repository function without isolation coverage fails the suite.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tenant_lint::engine::{Engine, TableOperation};
use tenant_lint::extract::rust::extract_file;
use tenant_lint::rust_check::is_sql;

/// A SQL statement of a repository function.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RepositoryStatement {
    pub function: String,
    pub file: PathBuf,
    pub line: u64,
    pub sql: String,
}

/// The SQL of every `#[tenant_scoped]` function (escape hatches excluded) in the Rust
/// files under `dirs`.
pub fn repository_statements(
    engine: &Engine,
    dirs: &[PathBuf],
) -> Result<Vec<RepositoryStatement>, String> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(dir, &mut files)?;
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let syntax = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let locate = |span: proc_macro2::Span| {
            let start = span.start();
            tenant_lint::sqlparser::tokenizer::Location::new(
                start.line as u64,
                start.column as u64 + 1,
            )
        };
        let extracted = extract_file(&syntax, &locate, &engine.model().config.scope_types);
        let facts = extracted.facts;
        let scoped: BTreeSet<&str> = facts
            .scoped
            .iter()
            .filter(|f| f.args.cross_tenant.is_none())
            .map(|f| f.name.as_str())
            .collect();
        for sql in &facts.sql {
            let Some(function) = &sql.function else {
                continue;
            };
            if !scoped.contains(function.as_str()) || !is_sql(engine, sql) {
                continue;
            }
            out.push(RepositoryStatement {
                function: function.clone(),
                file: file.clone(),
                line: sql.text.at.first().map_or(0, |l| l.line),
                sql: sql.text.text.clone(),
            });
        }
    }
    Ok(out)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// What the suite exercised.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// (table, operation) → distinct statements exercised.
    pub exercised: BTreeMap<(String, TableOperation), usize>,
    /// Repository statements the suite never ran.
    pub missed: Vec<RepositoryStatement>,
    /// Tenant tables of the model, for the matrix.
    pub tables: Vec<String>,
}

/// The coverage of the statements the suite ran (`executed`, distinct texts) against
/// the repository's statements.
pub fn coverage(
    engine: &Engine,
    executed: &BTreeSet<String>,
    repository: &[RepositoryStatement],
) -> Result<Coverage, String> {
    let mut exercised: BTreeMap<(String, TableOperation), usize> = BTreeMap::new();
    for sql in executed {
        let uses = engine.table_uses(sql).map_err(|e| {
            format!(
                "cannot parse a statement the suite ran: {}\n{sql}",
                e.message
            )
        })?;
        for (table, operation) in uses {
            *exercised.entry((table, operation)).or_default() += 1;
        }
    }
    let missed = repository
        .iter()
        .filter(|s| !executed.contains(&s.sql))
        .cloned()
        .collect();
    let tables = engine
        .model()
        .tables()
        .filter(|(_, info)| info.class == tenant_lint::model::TableClass::Tenant)
        .map(|(_, info)| info.name.clone())
        .collect();
    Ok(Coverage {
        exercised,
        missed,
        tables,
    })
}

impl Coverage {
    /// The matrix, tenant table × operation, with the number of statements exercised.
    pub fn render(&self) -> String {
        let ops = [
            TableOperation::Read,
            TableOperation::Insert,
            TableOperation::Update,
            TableOperation::Delete,
        ];
        let mut out =
            String::from("| table | read | insert | update | delete |\n|---|---|---|---|---|\n");
        for table in &self.tables {
            let cells: Vec<String> = ops
                .iter()
                .map(|op| match self.exercised.get(&(table.clone(), *op)) {
                    Some(n) => n.to_string(),
                    None => "-".to_string(),
                })
                .collect();
            let _ = writeln!(out, "| {table} | {} |", cells.join(" | "));
        }
        if !self.missed.is_empty() {
            let _ = writeln!(out, "\nRepository statements the suite never ran:");
            let cwd = std::env::current_dir().unwrap_or_default();
            for m in &self.missed {
                let file = m.file.strip_prefix(&cwd).unwrap_or(&m.file);
                let _ = writeln!(out, "- `{}` ({}:{})", m.function, file.display(), m.line);
            }
        }
        out
    }
}
