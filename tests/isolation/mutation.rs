//! Mutation testing: every tenant predicate of every statement the suite runs is
//! weakened in turn (dropped, OR-ed with true, compared with another tenant's id, made
//! optional) by the runtime guard, after its check; the checks of the operations that
//! run the statement must then fail. Every mutant must also be flagged by tenant-lint.
//! `cargo test -p tenant-isolation --test isolation mutation -- --nocapture` prints the
//! report (also written to `target/tmp/isolation/mutation-report.md`).

use std::sync::Arc;

use tenant_isolation::mutation::{Outcome, Report, mutants};
use tenant_lint::model::Dialect;

use crate::coverage::report_dir;
use crate::runs::{first_failure, record};
use crate::world::{TenantData, World};
use crate::{fixed_world, tenant};

#[test]
fn every_weakened_tenant_predicate_is_caught_by_the_suite_and_by_tenant_lint() {
    let mut world = fixed_world(3);
    let mut alone = World::build(&[
        (tenant(0), TenantData::fixed(0)),
        (tenant(1), TenantData::fixed(1)),
    ]);
    let recording = record(&mut world, &mut alone);
    assert!(
        recording.failures.is_empty(),
        "the unmutated suite fails:\n{}",
        recording.failures.join("\n")
    );
    let mut report = Report::default();
    // The engine the guard checks with (the same configuration and schema).
    let guard = kpi_ops::db::guard().unwrap();
    let engine = guard.engine();
    for (sql, operations) in &recording.statements {
        let tables: Vec<String> = engine
            .table_uses(sql)
            .unwrap()
            .into_iter()
            .map(|(t, _)| t)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let origin = operations.iter().next().cloned().unwrap_or_default();
        for mutant in mutants(sql, Dialect::Sqlite, "client_id", "C03") {
            let lint_codes: Vec<&'static str> = engine
                .check_sql_flagged(&mutant.sql)
                .into_iter()
                .map(|f| f.code)
                .collect();
            let (original, mutated) = (sql.clone(), mutant.sql.clone());
            let rewrite: tenant_lint::guard::Rewrite =
                Arc::new(move |s: &str| (s == original).then(|| mutated.clone()));
            world.db.conn_mut().set_rewrite(Some(rewrite.clone()));
            alone.db.conn_mut().set_rewrite(Some(rewrite));
            let killed_by = first_failure(&world, &alone, &recording, operations);
            world.db.conn_mut().set_rewrite(None);
            alone.db.conn_mut().set_rewrite(None);
            report.outcomes.push(Outcome {
                origin: origin.clone(),
                tables: tables.clone(),
                mutant,
                killed_by,
                lint_codes,
            });
        }
    }
    let text = report.render();
    std::fs::write(report_dir().join("mutation-report.md"), &text).unwrap();
    println!("{text}");
    assert!(report.total() >= 100, "only {} mutants", report.total());
    assert!(report.survivors().is_empty(), "surviving mutants:\n{text}");
    assert!(
        report.unflagged().is_empty(),
        "mutants tenant-lint does not flag:\n{text}"
    );
}
