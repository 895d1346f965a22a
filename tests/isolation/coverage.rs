//! Isolation coverage: every repository statement of the reference application runs
//! under an isolation check, and every tenant table is read and written by one.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tenant_isolation::coverage::{coverage, repository_statements};
use tenant_lint::engine::TableOperation;

use crate::runs::record;
use crate::world::{TenantData, World};
use crate::{fixed_world, tenant};

pub fn report_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("isolation");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_repository_statement_runs_under_an_isolation_check() {
    let mut world = fixed_world(3);
    let mut alone = World::build(&[
        (tenant(0), TenantData::fixed(0)),
        (tenant(1), TenantData::fixed(1)),
    ]);
    let recording = record(&mut world, &mut alone);
    assert!(
        recording.failures.is_empty(),
        "{}",
        recording.failures.join("\n")
    );
    let executed: BTreeSet<String> = recording.statements.keys().cloned().collect();
    let engine = world.db.conn().guard().engine();
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("reference-app/src");
    let repository = repository_statements(engine, &[app.join("repo"), app.join("kpi")]).unwrap();
    assert!(
        repository.len() > 60,
        "{} repository statements found",
        repository.len()
    );
    let report = coverage(engine, &executed, &repository).unwrap();
    let text = report.render();
    std::fs::write(report_dir().join("coverage.md"), &text).unwrap();
    println!("{text}");
    assert!(
        report.missed.is_empty(),
        "repository functions without isolation coverage:\n{text}"
    );
    // Every tenant table is read and written under a check (updates and deletes where
    // the application has them: the missed statements above; HOLD_STATUS_TRANSITION is
    // append-only, deleted with its hold by the schema's cascade).
    for table in &report.tables {
        for op in [TableOperation::Read, TableOperation::Insert] {
            assert!(
                report.exercised.contains_key(&(table.clone(), op)),
                "{table} {} never exercised:\n{text}",
                op.name()
            );
        }
    }
}
