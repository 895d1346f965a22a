//! Row-level security, proven on the server: the KPI domain's schema in PostgreSQL with
//! the policies `tenant-lint rls` writes, canary tenants, and an application role that
//! is no superuser, has no BYPASSRLS and owns no table.
//!
//! - every mutant `tenant_lint::mutate` makes of the domain's queries (their tenant
//!   predicate dropped, `OR`ed with true, pointed at another tenant, made optional)
//!   returns only the caller's tenant's rows, and every cross-tenant write changes no
//!   other tenant's checksums (the harness's canaries, leak scan and checksums, over
//!   PostgreSQL through the interface they share with SQLite);
//! - `check --db` on that database reports no row-level security finding; dropping a
//!   policy fires TI209, granting BYPASSRLS fires TI211 (rls-bypassed);
//! - the seed audit's system in PostgreSQL: `audit --db` reproduces its findings from the
//!   live catalog.

use std::path::{Path, PathBuf};

use postgres::{Client, NoTls};
use tenant_isolation::canary::{Tenant, tenants};
use tenant_isolation::checksum::checksums_of;
use tenant_lint::model::Dialect;

use crate::server::{Scratch, admin_url, tenant_lint, url};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The schema files of a fixture directory, in migration order.
fn migrations(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    tenant_lint::model::schema::migration_order(&mut files);
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// A login role of the application: not a superuser, no BYPASSRLS, owning nothing;
/// dropped with the test.
struct AppRole {
    name: String,
}

impl AppRole {
    fn new(db: &mut Client, database: &str) -> AppRole {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("tl_app_{}_{n}", std::process::id());
        let _ = db.batch_execute(&format!("DROP OWNED BY {name}; DROP ROLE IF EXISTS {name}"));
        db.batch_execute(&format!(
            "CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS;
             GRANT CONNECT ON DATABASE {database} TO {name};
             GRANT USAGE ON SCHEMA public TO {name};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name};"
        ))
        .expect("creates the application role");
        AppRole { name }
    }

    fn url(&self, database: &str) -> String {
        url(database, Some(&self.name))
    }

    fn connect(&self, database: &str) -> Client {
        Client::connect(&self.url(database), NoTls).expect("the application role connects")
    }
}

impl Drop for AppRole {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&admin_url(), NoTls) {
            let _ = admin.batch_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{0}';
                 DROP OWNED BY {0}; DROP ROLE IF EXISTS {0}",
                self.name
            ));
        }
    }
}

/// Canary tenants C01…C03, their rows in every table of the domain, as the owner.
fn seed(db: &mut Client, tenants: &[Tenant]) {
    db.batch_execute(
        "INSERT INTO product VALUES (1, 'P-1', 'widget', 0.5);
         INSERT INTO shift VALUES (1, 'day', '06:00', '14:00');
         INSERT INTO employee VALUES (1, 'E-1', 'shared worker', 0);",
    )
    .unwrap();
    for (k, t) in tenants.iter().enumerate() {
        let id = &t.id;
        let n = |offset: i64| t.number(offset);
        let text = |what: &str| t.text(what);
        let base = (k as i64 + 1) * 100;
        db.execute(
            "INSERT INTO client VALUES ($1, $2, 1)",
            &[id, &text("NAME")],
        )
        .unwrap();
        db.execute(
            "INSERT INTO work_order (client_id, work_order_id, product_id, status, planned_quantity, required_date, delay_classification)
             VALUES ($1, $2, 1, 'OPEN', $3, '2026-03-20', $4)",
            &[id, &text("WO"), &(n(1) as i32), &text("DELAY")],
        )
        .unwrap();
        db.execute(
            "INSERT INTO job VALUES ($1, $2, $3, $4, $5, 0)",
            &[id, &text("JOB"), &text("WO"), &text("PART"), &(n(2) as i32)],
        )
        .unwrap();
        db.execute(
            "INSERT INTO production_entry (production_entry_id, client_id, product_id, shift_id, work_order_id, shift_date, units_produced, run_time_hours)
             VALUES ($1, $2, 1, 1, $3, '2026-03-10', $4, 7.5)",
            &[&(base as i32 + 1), id, &text("WO"), &(n(3) as i32)],
        )
        .unwrap();
        db.execute(
            "INSERT INTO downtime_entry (downtime_entry_id, client_id, work_order_id, shift_date, reason, duration_minutes)
             VALUES ($1, $2, $3, '2026-03-10', $4, $5)",
            &[&(base as i32 + 2), id, &text("WO"), &text("REASON"), &(n(4) as i32)],
        )
        .unwrap();
        db.execute(
            "INSERT INTO hold_entry (hold_entry_id, client_id, work_order_id, hold_status, hold_date)
             VALUES ($1, $2, $3, $4, '2026-03-01')",
            &[&(base as i32 + 3), id, &text("WO"), &text("HOLD")],
        )
        .unwrap();
        db.execute(
            "INSERT INTO quality_entry (quality_entry_id, client_id, work_order_id, job_id, shift_date, inspection_stage, process_step, units_inspected, units_passed, units_defective)
             VALUES ($1, $2, $3, $4, '2026-03-10', 'FINAL', $5, $6, 0, $6)",
            &[&(base as i32 + 4), id, &text("WO"), &text("JOB"), &text("STEP"), &(n(5) as i32)],
        )
        .unwrap();
        db.execute(
            "INSERT INTO attendance_entry (attendance_entry_id, client_id, employee_id, shift_id, shift_date, scheduled_hours, absence_hours)
             VALUES ($1, $2, 1, 1, '2026-03-10', 8, $3)",
            &[&(base as i32 + 5), id, &(n(6) as f32)],
        )
        .unwrap();
    }
}

/// A row of a result as JSON values, for the leak scan (texts and numbers both carry
/// canaries).
fn row_values(row: &postgres::Row) -> Vec<serde_json::Value> {
    use serde_json::Value;
    (0..row.len())
        .map(|i| {
            if let Ok(Some(v)) = row.try_get::<_, Option<String>>(i) {
                Value::from(v)
            } else if let Ok(Some(v)) = row.try_get::<_, Option<i64>>(i) {
                Value::from(v)
            } else if let Ok(Some(v)) = row.try_get::<_, Option<i32>>(i) {
                Value::from(v)
            } else if let Ok(Some(v)) = row.try_get::<_, Option<f64>>(i) {
                Value::from(v)
            } else if let Ok(Some(v)) = row.try_get::<_, Option<f32>>(i) {
                Value::from(f64::from(v))
            } else {
                Value::Null
            }
        })
        .collect()
}

/// The statement and its parameter values: `$1` the caller's client, `$2` an id of
/// another tenant's. A mutant that dropped `$1` has its `$2` renumbered (PostgreSQL
/// types every parameter up to the highest).
fn with_params<'a>(
    sql: &str,
    caller: &'a String,
    other: &'a String,
) -> (String, Vec<&'a (dyn postgres::types::ToSql + Sync)>) {
    let mut out: Vec<&'a (dyn postgres::types::ToSql + Sync)> = Vec::new();
    let mut sql = sql.to_string();
    if sql.contains("$1") {
        out.push(caller);
    } else {
        sql = sql.replace("$2", "$1");
        if sql.contains("$1") {
            out.push(other);
        }
        return (sql, out);
    }
    if sql.contains("$2") {
        out.push(other);
    }
    (sql, out)
}

#[test]
fn generated_rls_isolates_every_tenant_even_from_mutated_queries() {
    let mut db = Scratch::new("rls");
    let fixture = root().join("fixtures/postgres-kpi");
    for migration in migrations(&fixture.join("migrations")) {
        db.client
            .batch_execute(&migration)
            .expect("the schema applies");
    }
    // The policies, written from the tenant model, applied by the owner.
    let (code, policies) = tenant_lint(&fixture, &["rls"]);
    assert_eq!(code, 0, "{policies}");
    insta::assert_snapshot!("rls_kpi_domain", policies);
    db.client
        .batch_execute(&policies)
        .expect("the policies apply");
    // Applying them again changes nothing (idempotent).
    db.client
        .batch_execute(&policies)
        .expect("the policies apply twice");

    let all = tenants(3, |i| format!("C0{}", i + 1));
    seed(&mut db.client, &all);
    let role = AppRole::new(&mut db.client, &db.name);
    let mut app = role.connect(&db.name);

    // The live catalog, read as the application: no row-level security finding.
    let url = role.url(&db.name);
    let (_, report) = tenant_lint(&fixture, &["check", "--db", &url, "--format", "concise"]);
    for code in ["TI209", "TI210", "TI211"] {
        assert!(
            !report.contains(code),
            "{code} on the generated policies:\n{report}"
        );
    }

    // Every query of the domain, and every mutant of its tenant predicate, as C01.
    let queries = std::fs::read_to_string(fixture.join("queries/kpi.sql")).unwrap();
    let statements: Vec<String> = queries
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let caller = &all[0];
    let caller_id = caller.id.clone();
    let other_id = all[1].text("WO");
    let mut mutants_run = 0;
    let mut writes_run = 0;
    let before = checksums_of(&mut db.client, "client_id").unwrap();
    for statement in &statements {
        let mut variants = vec![statement.clone()];
        variants.extend(
            tenant_lint::mutate::mutants(statement, Dialect::Postgres, "client_id", &all[1].id)
                .into_iter()
                .map(|m| m.sql),
        );
        assert!(variants.len() > 1, "no mutant of {statement}");
        for sql in variants {
            mutants_run += 1;
            let mut tx = app.transaction().unwrap();
            tx.execute(
                "SELECT set_config('app.tenant_id', $1, true)",
                &[&caller_id],
            )
            .unwrap();
            let (sql, args) = with_params(&sql, &caller_id, &other_id);
            let is_write = !sql.trim_start().to_ascii_uppercase().starts_with("SELECT");
            if is_write {
                writes_run += 1;
                tx.execute(sql.as_str(), &args)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                tx.commit().unwrap();
                // No other tenant's rows changed.
                let after = checksums_of(&mut db.client, "client_id").unwrap();
                for other in &all[1..] {
                    let changed = before.changed(&after, &other.id);
                    assert!(changed.is_empty(), "{sql} changed {changed:?}");
                }
            } else {
                let rows = tx
                    .query(sql.as_str(), &args)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                let values: Vec<Vec<serde_json::Value>> = rows.iter().map(row_values).collect();
                let found = tenant_isolation::leaks::scan(&values, &[caller.id.as_str()], &all);
                assert!(found.is_empty(), "{sql} as {}: {found:?}", caller.id);
                tx.rollback().unwrap();
            }
        }
    }
    assert!(
        mutants_run >= 40 && writes_run >= 8,
        "{mutants_run} runs, {writes_run} writes"
    );

    // Without a tenant set, nothing is visible.
    let rows = app.query("SELECT * FROM work_order", &[]).unwrap();
    assert!(
        rows.is_empty(),
        "rows visible without a tenant: {}",
        rows.len()
    );
    // A write into another tenant's name is refused by the policy.
    let mut tx = app.transaction().unwrap();
    tx.execute("SELECT set_config('app.tenant_id', 'C01', true)", &[])
        .unwrap();
    let refused = tx.execute(
        "INSERT INTO work_order (client_id, work_order_id, product_id, status, planned_quantity) VALUES ('C02', 'X', 1, 'OPEN', 1)",
        &[],
    );
    assert!(refused.is_err(), "a row written for another tenant");
    drop(tx);

    // Breaking the configuration makes the matching rule fire.
    db.client
        .batch_execute("DROP POLICY tenant_isolation ON work_order")
        .unwrap();
    let (_, report) = tenant_lint(&fixture, &["check", "--db", &url, "--format", "concise"]);
    assert!(
        report.contains("error[TI209] row-level security on `work_order` has no policy"),
        "{report}"
    );
    db.client
        .batch_execute(&format!("ALTER ROLE {} BYPASSRLS", role.name))
        .unwrap();
    let (_, report) = tenant_lint(&fixture, &["check", "--db", &url, "--format", "concise"]);
    assert!(
        report.contains(&format!(
            "error[TI211] the connecting role `{}` is a role with BYPASSRLS",
            role.name
        )),
        "{report}"
    );
    // The password never shows, whatever the finding.
    let with_password = url.replacen('@', ":s3cret-pw@", 1);
    let (_, report) = tenant_lint(
        &fixture,
        &["check", "--db", &with_password, "--format", "json"],
    );
    assert!(!report.contains("s3cret-pw"), "{report}");
    assert!(report.contains(":***@"), "{report}");
}

#[test]
fn the_live_reader_only_reads_and_says_why_it_cannot_connect() {
    let mut db = Scratch::new("readonly");
    db.client
        .batch_execute("CREATE TABLE t (client_id text NOT NULL, id int PRIMARY KEY)")
        .unwrap();
    let role = AppRole::new(&mut db.client, &db.name);
    // A role that may only read: the check runs (a write would fail).
    db.client
        .batch_execute(&format!(
            "REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM {0};
             ALTER ROLE {0} SET default_transaction_read_only = on",
            role.name
        ))
        .unwrap();
    let dir = root().join("target/tmp/pg-readonly");
    let _ = std::fs::create_dir_all(&dir);
    std::fs::write(
        dir.join("tenant-lint.toml"),
        "dialect = \"postgres\"\n[tenant]\ncolumn = \"client_id\"\n",
    )
    .unwrap();
    let url = role.url(&db.name);
    let (code, report) = tenant_lint(&dir, &["check", "--db", &url, "--format", "concise"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("TI209"),
        "RLS missing on the tenant table: {report}"
    );
    let after: i64 = db
        .client
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(after, 0);

    // A refused connection and a missing database are clear errors, exit 2.
    let (code, report) = tenant_lint(
        &dir,
        &["check", "--db", "postgres://nobody:pw@127.0.0.1:1/none"],
    );
    assert_eq!(code, 2, "{report}");
    assert!(
        report.contains("cannot connect to postgres://nobody:***@127.0.0.1:1/none"),
        "{report}"
    );
    assert!(!report.contains(":pw@"), "{report}");
    let missing = crate::server::url("tl_no_such_database", Some(&role.name));
    let (code, report) = tenant_lint(&dir, &["check", "--db", &missing]);
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("does not exist"), "{report}");
}

#[test]
fn the_seed_audit_reproduces_its_findings_from_the_live_catalog() {
    let mut db = Scratch::new("seed");
    let app = root().join("fixtures/apps/seed-audit");
    for migration in migrations(&app.join("migrations")) {
        db.client
            .batch_execute(&migration)
            .expect("the seed schema applies");
    }
    // The audit from the migrations, and from the database they built.
    let dir = root().join("target/tmp/pg-seed-audit");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = std::fs::read_to_string(app.join("tenant-lint.toml"))
        .unwrap()
        .replace("dialect = \"sqlite\"", "dialect = \"postgres\"")
        .replace("[schema]\nfiles = [\"migrations/*.sql\"]\n", "");
    std::fs::write(dir.join("tenant-lint.toml"), &config).unwrap();
    std::fs::write(dir.join("q.sql"), "SELECT 1;\n").unwrap();
    // `rls` reads the catalog and writes the policies; the owner applies them.
    let url = url(&db.name, None);
    let (code, policies) = tenant_lint(&dir, &["rls", "--db", &url]);
    assert_eq!(code, 0, "{policies}");
    assert!(
        policies.contains("CREATE POLICY tenant_isolation ON job AS PERMISSIVE FOR ALL"),
        "{policies}"
    );
    db.client
        .batch_execute(&policies)
        .expect("the policies apply");
    // The audit of the live catalog, read as the application, finds the seed audit's
    // findings on the same tables with the same severities, and nothing of the
    // row-level security the policies now provide.
    let role = AppRole::new(&mut db.client, &db.name);
    let (code, audit) = tenant_lint(
        &dir,
        &["audit", "--db", &role.url(&db.name), "--format", "json"],
    );
    assert_eq!(code, 1, "{audit}");
    let audit: serde_json::Value = serde_json::from_str(&audit).expect("the audit is JSON");
    let tables: std::collections::BTreeMap<String, (String, String)> = audit["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_ascii_uppercase(),
                (
                    t["status"].as_str().unwrap().to_string(),
                    t["risk"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(
        tables["JOB"],
        ("missing-isolation".into(), "critical".into()),
        "{tables:?}"
    );
    assert_eq!(
        tables["DEFECT_DETAIL"],
        ("missing-isolation".into(), "high".into())
    );
    assert_eq!(
        tables["PART_OPPORTUNITIES"],
        ("missing-isolation".into(), "medium".into())
    );
    assert_eq!(tables["EMPLOYEE"], ("undecided".into(), "medium".into()));
    assert_eq!(tables["FLOATING_POOL"], ("undecided".into(), "low".into()));
    for (name, (status, risk)) in &tables {
        if status == "tenant" || status == "root" || status == "shared" {
            assert_eq!(risk, "", "{name}: {status} {risk}");
        }
    }
    let text = audit.to_string();
    for code in ["TI209", "TI210", "TI211"] {
        assert!(!text.contains(code), "{code}: {text}");
    }
}

#[test]
fn rls_refuses_another_dialect() {
    let (code, out) = tenant_lint(&root().join("fixtures/sql"), &["rls"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("row-level security is PostgreSQL's"), "{out}");
}

#[test]
fn a_superuser_connection_is_reported_as_bypassing_rls() {
    // TI211 on the server's own superuser.
    let db = Scratch::new("superuser");
    let url = url(&db.name, None);
    let dir = root().join("target/tmp/pg-superuser");
    let _ = std::fs::create_dir_all(&dir);
    std::fs::write(
        dir.join("tenant-lint.toml"),
        "dialect = \"postgres\"\n[tenant]\ncolumn = \"client_id\"\n",
    )
    .unwrap();
    let mut client =
        Client::connect(&format!("{} dbname={}", admin_url(), db.name), NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE client (client_id text PRIMARY KEY); CREATE TABLE t (client_id text NOT NULL REFERENCES client, id int PRIMARY KEY)")
        .unwrap();
    let (code, report) = tenant_lint(&dir, &["check", "--db", &url, "--format", "concise"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("error[TI211]") && report.contains("is a superuser"),
        "{report}"
    );
}
