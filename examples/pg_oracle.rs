//! The PostgreSQL oracle of the test suite, run over a project of one's own:
//!
//! ```text
//! cargo run --features postgres --example pg_oracle -- path/to/project
//! ```
//!
//! Reads the project's `tenant-lint.toml`, applies its schema files to a scratch
//! database on the server of `TENANT_LINT_PG` (default 127.0.0.1:5432, user
//! `postgres`), judges every statement of its scanned `.sql` files with PostgreSQL, and
//! prints where tenant-lint disagrees: a statement PostgreSQL accepts that tenant-lint
//! calls unreadable or unknown, or one PostgreSQL refuses for an unknown table that
//! tenant-lint does not report.

#[path = "../tests/postgres/oracle.rs"]
#[allow(dead_code)]
mod oracle;
#[path = "../tests/postgres/server.rs"]
#[allow(dead_code)]
mod server;

use std::path::PathBuf;

use tenant_lint::model::files::schema_files;
use tenant_lint::project::{Overrides, load_config};

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: pg_oracle PROJECT_DIR"),
    );
    let dir = std::fs::canonicalize(&dir).expect("the project directory");
    let config = load_config(&dir, &[], &Overrides::default()).expect("tenant-lint.toml");
    let schema = schema_files(&config).expect("the schema files");
    let project = tenant_lint::project::Project::load(&dir, &[], &Overrides::default())
        .expect("the project loads");
    // The schema files were judged when they were applied: each statement against the
    // schema of its moment. The other scanned `.sql` files are judged against the end.
    let canonical_schema: Vec<PathBuf> = schema
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let files: Vec<PathBuf> = project
        .files
        .iter()
        .filter(|f| f.scanned && f.absolute.extension().is_some_and(|x| x == "sql"))
        .map(|f| std::fs::canonicalize(&f.absolute).unwrap_or_else(|_| f.absolute.clone()))
        .filter(|p| !canonical_schema.contains(p))
        .collect();
    let mut db = server::Scratch::new("oracle_run");
    let refused_schema = oracle::apply_schema(&mut db.client, &schema);
    let verdict = oracle::compare(&mut db.client, &dir, &files);
    let accepted = verdict
        .judged
        .iter()
        .filter(|j| j.refused.is_none())
        .count();
    println!(
        "schema: {} files, {} statements refused by PostgreSQL",
        schema.len(),
        refused_schema.len()
    );
    for line in refused_schema.iter().take(20) {
        println!("  schema refused: {line}");
    }
    println!(
        "statements judged: {} ({} accepted, {} refused)",
        verdict.judged.len(),
        accepted,
        verdict.judged.len() - accepted
    );
    println!(
        "accepted but unreadable/unknown to tenant-lint: {}",
        verdict.false_alarms.len()
    );
    for line in &verdict.false_alarms {
        println!("  {line}");
    }
    println!(
        "refused for an unknown table, not reported: {}",
        verdict.missed_unknown.len()
    );
    for line in &verdict.missed_unknown {
        println!("  {line}");
    }
}
