//! Throughput: statements per second for raw sqlparser parsing, and for the full check
//! (split, tokenize, parse, analyse, rules, suppressions) on the same statements.
//!
//! `cargo bench -p tenant-lint` prints both and the overhead of the check over parsing
//! alone; the target is at most 15%.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use tenant_lint::engine::{Engine, SplitSql, parse_sql};
use tenant_lint::model::{Config, Schema, TenantModel};

const SCHEMA: &str = include_str!("../../fixtures/sql/schema/kpi.sql");
const CONFIG: &str = include_str!("../../fixtures/sql/tenant-lint.toml");

/// Realistic repository SQL: KPI queries with joins, CTEs, subqueries and writes,
/// bound and unbound.
const STATEMENTS: &[&str] = &[
    "SELECT p.shift_date, SUM(p.units_produced) AS units, SUM(p.run_time_hours) AS hours, pr.ideal_cycle_time_hours FROM PRODUCTION_ENTRY p JOIN PRODUCT pr ON pr.product_id = p.product_id WHERE p.client_id = :client_id AND p.shift_date BETWEEN :from AND :to GROUP BY p.shift_date, pr.ideal_cycle_time_hours ORDER BY p.shift_date",
    "SELECT w.work_order_id, w.status, j.job_id, j.completed_quantity FROM WORK_ORDER w JOIN JOB j ON j.client_id = w.client_id AND j.work_order_id = w.work_order_id WHERE w.client_id = :client_id AND w.status IN ('OPEN', 'HELD') ORDER BY w.required_date LIMIT 50 OFFSET :offset",
    "WITH held AS (SELECT h.client_id, h.work_order_id, h.hold_date FROM HOLD_ENTRY h WHERE h.client_id = :client_id AND h.hold_status NOT IN ('RELEASED', 'CANCELLED', 'SCRAPPED') AND (h.resume_date IS NULL OR h.resume_date > :as_of)) SELECT held.work_order_id, julianday(:as_of) - julianday(held.hold_date) AS age FROM held ORDER BY age DESC",
    "SELECT q.process_step, SUM(q.units_defective) AS defects, SUM(q.units_inspected) AS inspected FROM QUALITY_ENTRY q WHERE q.client_id IN (SELECT value FROM json_each(:scope)) AND q.shift_date >= :from GROUP BY q.process_step ORDER BY defects DESC LIMIT 10",
    "SELECT COUNT(*) FROM WORK_ORDER WHERE required_date BETWEEN :from AND :to AND (actual_delivery_date IS NULL OR actual_delivery_date <= required_date)",
    "UPDATE WORK_ORDER SET status = :status, actual_delivery_date = :delivered WHERE client_id = :client_id AND work_order_id = :id",
    "INSERT INTO DOWNTIME_ENTRY (client_id, work_order_id, shift_date, reason, duration_minutes) VALUES (:client_id, :work_order_id, :shift_date, :reason, :minutes)",
    "DELETE FROM ATTENDANCE_ENTRY WHERE client_id = :client_id AND attendance_id = :id",
    "SELECT a.employee_id, SUM(COALESCE(a.absence_hours, a.scheduled_hours - a.actual_hours)) * 100.0 / SUM(a.scheduled_hours) AS rate FROM ATTENDANCE_ENTRY a JOIN EMPLOYEE e ON e.employee_id = a.employee_id WHERE a.client_id = :client_id AND a.shift_date BETWEEN :from AND :to GROUP BY a.employee_id",
    "SELECT d.defect_type, SUM(d.defect_count) FROM DEFECT_DETAIL d JOIN QUALITY_ENTRY q ON q.client_id = d.client_id AND q.quality_entry_id = d.quality_entry_id WHERE q.client_id = :client_id AND q.shift_date >= :from GROUP BY d.defect_type",
    "SELECT w.work_order_id FROM WORK_ORDER w WHERE w.client_id = :client_id AND EXISTS (SELECT 1 FROM PRODUCTION_ENTRY p WHERE p.client_id = w.client_id AND p.work_order_id = w.work_order_id AND p.confirmed_by IS NULL AND p.shift_date < :cutoff)",
    "INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit) VALUES (:client_id, :part, :n) ON CONFLICT (client_id, part_number) DO UPDATE SET opportunities_per_unit = excluded.opportunities_per_unit",
];

fn engine() -> Engine {
    let config = Config::parse(CONFIG, Path::new("tenant-lint.toml")).expect("config");
    let mut schema = Schema::new(config.dialect);
    let path: Arc<Path> = Arc::from(Path::new("kpi.sql"));
    for statement in parse_sql(SCHEMA, config.dialect, &|at| at).statements {
        schema.apply(&statement.parsed.expect("schema parses"), &path);
    }
    Engine::new(TenantModel::new(config, schema)).expect("engine")
}

/// Runs the candidates in alternation for about `budget` (so load on the machine hits
/// them alike). Returns each one's median seconds per call, and for each the median
/// over rounds of its time divided by the first candidate's time in the same round
/// (paired, so drift in the machine's speed cancels out).
fn measure<const N: usize>(budget: Duration, candidates: [&dyn Fn(); N]) -> ([f64; N], [f64; N]) {
    for f in &candidates {
        f();
    }
    let mut rounds: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    let started = Instant::now();
    while started.elapsed() < budget || rounds[0].len() < 9 {
        for (f, times) in candidates.iter().zip(rounds.iter_mut()) {
            let t = Instant::now();
            for _ in 0..3 {
                f();
            }
            times.push(t.elapsed().as_secs_f64() / 3.0);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratios: [f64; N] = std::array::from_fn(|k| {
        median(
            rounds[k]
                .iter()
                .zip(&rounds[0])
                .map(|(t, base)| t / base)
                .collect(),
        )
    });
    (rounds.map(median), ratios)
}

fn main() {
    let repeat = 40;
    let mut corpus = String::new();
    for _ in 0..repeat {
        for statement in STATEMENTS {
            corpus.push_str(statement);
            corpus.push_str(";\n");
        }
    }
    let statements = (repeat * STATEMENTS.len()) as f64;
    let engine = engine();
    let path: Arc<Path> = Arc::from(Path::new("bench.sql"));
    let budget = Duration::from_secs(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    );

    // Sanity: the check sees every statement, parses all of them, and finds the one
    // date-only KPI of each repetition.
    let parsed = parse_sql(&corpus, engine.model().dialect(), &|at| at);
    assert_eq!(parsed.statements.len() as f64, statements);
    assert!(parsed.statements.iter().all(|s| s.parsed.is_ok()));
    let findings = engine.check_sql_file(&path, &corpus).diagnostics;
    assert_eq!(findings.len(), repeat, "one unbound KPI per repetition");

    let texts: Vec<&str> = (0..repeat)
        .flat_map(|_| STATEMENTS.iter().copied())
        .collect();
    // The reference: sqlparser parsing each statement and dropping its tree, which is
    // what the check does too (parsing the whole file at once keeps every tree alive
    // and is slower, so it would flatter the check).
    let parse_only = || {
        for text in &texts {
            black_box(Parser::parse_sql(&SQLiteDialect {}, black_box(text)).expect("parses"));
        }
    };
    let parse_file = || {
        black_box(Parser::parse_sql(&SQLiteDialect {}, black_box(&corpus)).expect("parses"));
    };
    let full_check = || {
        black_box(engine.check_sql_file(&path, black_box(&corpus)));
    };
    let split_and_parse = || {
        let split = SplitSql::new(black_box(&corpus), engine.model().dialect(), None);
        for i in 0..split.len() {
            black_box(split.parse(i).expect("parses"));
        }
    };
    let rules_on_parsed = || {
        for statement in &parsed.statements {
            black_box(engine.statement_findings(statement.parsed.as_ref().expect("parsed")));
        }
    };
    let ([parse, whole_file, check, split_parse, analyse], ratios) = measure(
        budget,
        [
            &parse_only,
            &parse_file,
            &full_check,
            &split_and_parse,
            &rules_on_parsed,
        ],
    );

    let per_second = |seconds: f64| statements / seconds;
    println!(
        "corpus: {} statements, {} bytes ({} distinct, avg {} chars); median of interleaved rounds over {}s",
        statements,
        corpus.len(),
        STATEMENTS.len(),
        corpus.len() / statements as usize,
        budget.as_secs()
    );
    let line = |label: &str, seconds: f64| {
        println!("{label:<40} {:>9.0} statements/s", per_second(seconds));
    };
    line("sqlparser parse, statement by statement", parse);
    line("sqlparser parse, whole file at once", whole_file);
    line("tenant-lint full check", check);
    line("  of which split + tokenize + parse", split_parse);
    line("  analysis + rules alone (on the AST)", analyse);
    println!(
        "overhead of the full check over parsing statement by statement: {:+.1}% (median of paired rounds; target: at most +15%)",
        (ratios[2] - 1.0) * 100.0
    );

    rust_throughput(&engine, budget);
}

/// `tenant-lint check` on Rust source: parse the file (syn, with span positions),
/// extract the SQL, check it; in MB of source per second.
fn rust_throughput(engine: &Engine, budget: Duration) {
    use tenant_lint::extract::rust::extract_file;
    use tenant_lint::rust_check::span_location;

    let mut source = String::from("use crate::db::{Db, TenantScope};\n\n");
    let mut sql_strings = 0;
    for i in 0..1500 {
        let statement = STATEMENTS[i % STATEMENTS.len()];
        source.push_str(&format!(
            "/// Repository function {i}.\n#[tenant_scoped]\npub fn query_{i}(db: &Db, scope: &TenantScope, from: &str, to: &str) -> Result<Vec<Row>, Error> {{\n    let rows = db.query(\n        scope,\n        r#\"{statement}\"#,\n        &[&from, &to],\n    )?;\n    Ok(rows.into_iter().filter(|r| r.len() > {i} % 7).collect())\n}}\n\n"
        ));
        sql_strings += 1;
    }
    let scope_types = vec!["TenantScope".to_string()];
    let check = || {
        let file = syn::parse_file(black_box(&source)).expect("generated Rust parses");
        let locate = |span: proc_macro2::Span| span_location(span);
        let extracted = extract_file(&file, &locate, &scope_types);
        proc_macro2::extra::invalidate_current_thread_spans();
        black_box(engine.check_rust(&extracted.facts));
    };
    let parse_only = || {
        black_box(syn::parse_file(black_box(&source)).expect("generated Rust parses"));
        proc_macro2::extra::invalidate_current_thread_spans();
    };
    let ([parse, full], _) = measure(budget, [&parse_only, &check]);
    let mb = source.len() as f64 / 1_000_000.0;
    println!(
        "rust source: {:.2} MB, {sql_strings} SQL strings in as many functions",
        mb
    );
    println!("{:<40} {:>9.1} MB/s", "syn parse only", mb / parse);
    println!(
        "{:<40} {:>9.1} MB/s",
        "tenant-lint check of Rust source",
        mb / full
    );
}
