//! PostgreSQL figures: `cargo bench --features postgres --bench postgres` (the server at
//! 127.0.0.1:5432 or `TENANT_LINT_PG`, as for the PostgreSQL suite).
//!
//! - Schema load from a live database: `tenant-lint check --db postgres://…` over a
//!   database of 500 tenant tables (each with its tenant column, a foreign key to the
//!   root, an index, row-level security and a policy); the median of 7 loads.
//! - Row-level security overhead on the KPI workload: the KPI domain's schema in
//!   PostgreSQL, 50 clients × 365 days of data, the domain's read queries run for one
//!   client as an application role with the policies `tenant-lint rls` writes, and on
//!   an identical database without them; 21 alternating rounds, the median of the
//!   per-round ratios. The plans of both are printed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

#[path = "../tests/postgres/server.rs"]
#[allow(dead_code)]
mod server;

use server::{Scratch, admin_url, tenant_lint, url};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn schema_load() {
    let mut db = Scratch::new("bench_schema");
    let mut ddl =
        String::from("CREATE TABLE tenants (id bigint PRIMARY KEY, name text NOT NULL);\n");
    for i in 0..500 {
        ddl.push_str(&format!(
            "CREATE TABLE t{i} (tenant_id bigint NOT NULL REFERENCES tenants (id), id bigint PRIMARY KEY, label text, amount numeric, created_at timestamptz NOT NULL DEFAULT now());
             CREATE INDEX t{i}_tenant ON t{i} (tenant_id, created_at);
             ALTER TABLE t{i} ENABLE ROW LEVEL SECURITY; ALTER TABLE t{i} FORCE ROW LEVEL SECURITY;
             CREATE POLICY tenant_isolation ON t{i} USING (tenant_id = current_setting('app.tenant_id')::bigint) WITH CHECK (tenant_id = current_setting('app.tenant_id')::bigint);\n"
        ));
    }
    db.client.batch_execute(&ddl).unwrap();
    let dir = root().join("target/bench-postgres-schema");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tenant-lint.toml"),
        "dialect = \"postgres\"\n[tenant]\ncolumn = \"tenant_id\"\n",
    )
    .unwrap();
    let target = url(&db.name, None);
    let mut times = Vec::new();
    let mut report = String::new();
    for _ in 0..7 {
        let started = Instant::now();
        let (_, out) = tenant_lint(&dir, &["check", "--db", &target, "--format", "concise"]);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        report = out;
    }
    println!(
        "schema load from a live database of 500 tenant tables: {:.0} ms (median of 7; check --db, read, described, parsed and checked)",
        median(times)
    );
    println!("  check says: {}", report.lines().last().unwrap_or(""));
}

/// The KPI domain's schema and 50 clients × 365 days of rows.
fn kpi_database(name: &str, policies: Option<&str>) -> Scratch {
    let mut db = Scratch::new(name);
    let client = &mut db.client;
    let fixture = root().join("fixtures/postgres-kpi/migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&fixture)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    tenant_lint::model::schema::migration_order(&mut files);
    for file in files {
        client
            .batch_execute(&std::fs::read_to_string(file).unwrap())
            .unwrap();
    }
    client
        .batch_execute(
            "INSERT INTO product VALUES (1, 'P-1', 'widget', 0.5);
             INSERT INTO shift VALUES (1, 'day', '06:00', '14:00');
             INSERT INTO employee VALUES (1, 'E-1', 'worker', 0);
             INSERT INTO client SELECT 'C' || lpad(c::text, 2, '0'), 'client ' || c, 1 FROM generate_series(1, 50) c;
             INSERT INTO work_order (client_id, work_order_id, product_id, status, planned_quantity, required_date)
               SELECT 'C' || lpad(c::text, 2, '0'), 'WO-' || d, 1, CASE WHEN d % 3 = 0 THEN 'CLOSED' ELSE 'OPEN' END, 100, to_char(date '2026-01-01' + d, 'YYYY-MM-DD')
               FROM generate_series(1, 50) c, generate_series(1, 365) d;
             INSERT INTO job (client_id, job_id, work_order_id, part_number, completed_quantity, quantity_scrapped)
               SELECT client_id, 'J-' || work_order_id, work_order_id, 'PART', 10, 0 FROM work_order;
             INSERT INTO production_entry (production_entry_id, client_id, product_id, shift_id, work_order_id, shift_date, units_produced, run_time_hours)
               SELECT row_number() OVER (), client_id, 1, 1, work_order_id, required_date, 90, 7.5 FROM work_order;
             INSERT INTO downtime_entry (downtime_entry_id, client_id, work_order_id, shift_date, reason, duration_minutes)
               SELECT row_number() OVER (), client_id, work_order_id, required_date, 'setup', 15 FROM work_order;
             INSERT INTO hold_entry (hold_entry_id, client_id, work_order_id, hold_status, hold_date, resume_date)
               SELECT row_number() OVER (), client_id, work_order_id, 'HELD', required_date, CASE WHEN random() < 0.5 THEN required_date END FROM work_order;
             INSERT INTO quality_entry (quality_entry_id, client_id, work_order_id, job_id, shift_date, inspection_stage, process_step, units_inspected, units_passed, units_defective)
               SELECT row_number() OVER (), client_id, work_order_id, 'J-' || work_order_id, required_date, 'FINAL', 'step ' || (length(work_order_id) % 4), 90, 88, 2 FROM work_order;
             INSERT INTO attendance_entry (attendance_entry_id, client_id, employee_id, shift_id, shift_date, scheduled_hours, absence_hours)
               SELECT row_number() OVER (), client_id, 1, 1, required_date, 8, 0.5 FROM work_order;
             ANALYZE;",
        )
        .unwrap();
    if let Some(policies) = policies {
        client.batch_execute(policies).unwrap();
    }
    db
}

fn rls_overhead() {
    let fixture = root().join("fixtures/postgres-kpi");
    let (code, policies) = tenant_lint(&fixture, &["rls"]);
    assert_eq!(code, 0, "{policies}");
    let mut with_db = kpi_database("bench_rls_on", Some(&policies));
    let mut without_db = kpi_database("bench_rls_off", None);
    let role = format!("tl_bench_app_{}", std::process::id());
    let mut admin = Client::connect(&admin_url(), NoTls).unwrap();
    let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS"))
        .unwrap();
    for db in [&mut with_db, &mut without_db] {
        db.client
            .batch_execute(&format!(
                "GRANT CONNECT ON DATABASE {0} TO {role}; GRANT USAGE ON SCHEMA public TO {role};
                 GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};",
                db.name
            ))
            .unwrap();
    }
    let mut with = Client::connect(&url(&with_db.name, Some(&role)), NoTls).unwrap();
    let mut without = Client::connect(&url(&without_db.name, Some(&role)), NoTls).unwrap();

    let queries: Vec<String> = std::fs::read_to_string(fixture.join("queries/kpi.sql"))
        .unwrap()
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        })
        .filter(|s| s.starts_with("SELECT"))
        .collect();
    let client_id = "C25".to_string();
    let run = |c: &mut Client| -> Duration {
        let started = Instant::now();
        for _ in 0..20 {
            let mut tx = c.transaction().unwrap();
            tx.execute("SELECT set_config('app.tenant_id', 'C25', true)", &[])
                .unwrap();
            for q in &queries {
                let rows = tx.query(q.as_str(), &[&client_id]).unwrap();
                std::hint::black_box(rows.len());
            }
            tx.commit().unwrap();
        }
        started.elapsed()
    };
    // Warm both.
    run(&mut with);
    run(&mut without);
    let mut ratios = Vec::new();
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for round in 0..21 {
        let (a, b) = if round % 2 == 0 {
            let a = run(&mut with);
            (a, run(&mut without))
        } else {
            let b = run(&mut without);
            (run(&mut with), b)
        };
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
        on.push(a.as_secs_f64() * 1000.0);
        off.push(b.as_secs_f64() * 1000.0);
    }
    let overhead = (median(ratios) - 1.0) * 100.0;
    println!(
        "KPI workload (the {} read queries of the domain, 20 transactions, one client of 50 × 365 days): with row-level security {:.1} ms, without {:.1} ms (medians of 21 alternating rounds); overhead {overhead:+.1}% (median of the per-round ratios; target under 10%)",
        queries.len(),
        median(on),
        median(off)
    );
    // The plans: the policy's comparison is served by the tenant-leading index.
    let mut tx = with.transaction().unwrap();
    tx.execute("SELECT set_config('app.tenant_id', 'C25', true)", &[])
        .unwrap();
    let plan: Vec<String> = tx
        .query(
            &format!("EXPLAIN {}", queries[0].replace("$1", "'C25'")),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    println!("  plan with row-level security of: {}", queries[0]);
    for line in plan {
        println!("    {line}");
    }
    drop(tx);
    drop(with);
    drop(without);
    let _ = admin.batch_execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
    ));
    drop(with_db);
    drop(without_db);
    let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
}

fn main() {
    println!("PostgreSQL figures (the server of {})", admin_url());
    schema_load();
    rls_overhead();
}
