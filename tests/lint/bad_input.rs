//! Bad input never panics, hangs or passes silently: each case gives a clear error or a
//! finding with its location.

use std::fmt::Write as _;

use proptest::prelude::*;
use tenant_lint::engine::{Engine, parse_sql};
use tenant_lint::model::{Config, Schema, TenantModel};
use tenant_lint::project::{Overrides, Project};

use crate::cli::{scratch, tenant_lint, write};

const SCHEMA: &str = "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);
CREATE TABLE WORK_ORDER (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), work_order_id TEXT NOT NULL, status TEXT);
CREATE TABLE JOB (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), job_id TEXT, work_order_id TEXT);";

fn codes_in(dir: &std::path::Path, file: &str) -> Vec<(u64, u64, &'static str)> {
    let project = Project::load(dir, &[file.into()], &Overrides::default()).expect("loads");
    project
        .check()
        .diagnostics
        .iter()
        .map(|d| (d.line(), d.column(), d.code))
        .collect()
}

fn project(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    write(
        &dir,
        "tenant-lint.toml",
        "[schema]\nfiles = [\"schema.sql\"]\n",
    );
    write(&dir, "schema.sql", SCHEMA);
    dir
}

#[test]
fn ten_thousand_deep_nesting_is_reported_where_it_starts() {
    let dir = project("deep");
    let depth = 10_000;
    let sql = format!(
        "SELECT 1;\nSELECT * FROM WORK_ORDER WHERE client_id = :c AND status = {}'x'{};\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    write(&dir, "deep.sql", &sql);
    assert_eq!(codes_in(&dir, "deep.sql"), [(2, 1, "TI999")]);
}

#[test]
fn ten_thousand_nested_subqueries_are_reported_not_overflowed() {
    let dir = project("deep-subqueries");
    let depth = 10_000;
    let mut sql = String::new();
    for _ in 0..depth {
        sql.push_str("SELECT * FROM (");
    }
    sql.push_str("SELECT * FROM JOB");
    sql.push_str(&")".repeat(depth));
    write(&dir, "deep.sql", &sql);
    assert_eq!(codes_in(&dir, "deep.sql"), [(1, 1, "TI999")]);
}

#[test]
fn nesting_just_under_the_limit_is_analysed() {
    let dir = project("nested-ok");
    let depth = 20;
    let mut sql = String::new();
    for _ in 0..depth {
        sql.push_str("SELECT * FROM (");
    }
    sql.push_str("SELECT * FROM JOB");
    sql.push_str(&")".repeat(depth));
    write(&dir, "nested.sql", &sql);
    let found = codes_in(&dir, "nested.sql");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].2, "TI001",
        "the innermost JOB is unbound: {found:?}"
    );
}

#[test]
fn a_50_mb_file_is_read_and_every_statement_accounted_for() {
    let dir = project("huge");
    // 50 statements of about 1 MB each (over the per-statement limit), then an
    // ordinary unbound query at the end that must still be found.
    let mut sql = String::with_capacity(52 << 20);
    let blob = "x".repeat((1 << 20) + 16);
    for i in 0..50 {
        writeln!(sql, "SELECT '{blob}' AS c{i};").unwrap();
    }
    sql.push_str("SELECT * FROM JOB;\n");
    assert!(sql.len() > 50_000_000);
    write(&dir, "huge.sql", &sql);
    let started = std::time::Instant::now();
    let found = codes_in(&dir, "huge.sql");
    assert_eq!(found.len(), 51, "{:?}", &found[..3.min(found.len())]);
    assert!(
        found[..50]
            .iter()
            .all(|(_, col, code)| *code == "TI999" && *col == 1)
    );
    assert_eq!(found[50], (51, 15, "TI001"));
    // Not a timing assertion on speed, a guard against a hang: minutes would mean one.
    assert!(started.elapsed().as_secs() < 120);
}

#[test]
fn binary_file_is_unreadable_at_its_first_nul() {
    let dir = project("binary");
    std::fs::write(dir.join("blob.sql"), b"SELECT 1;\n\x00\x01\x02").unwrap();
    assert_eq!(codes_in(&dir, "blob.sql"), [(2, 1, "TI905")]);
}

#[test]
fn broken_symlink_is_reported_not_skipped() {
    let dir = project("symlink");
    write(
        &dir,
        "sql/ok.sql",
        "SELECT * FROM JOB WHERE client_id = :c;",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("gone.sql"), dir.join("sql/broken.sql")).unwrap();
    let (code, transcript) = tenant_lint(&dir, &["check", "sql"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("error[TI905]: cannot read the file"),
        "{transcript}"
    );
    assert!(transcript.contains("sql/broken.sql:1:1"), "{transcript}");
}

#[test]
fn schema_file_that_does_not_parse_is_reported_even_when_not_scanned() {
    let dir = scratch("bad-schema");
    write(
        &dir,
        "tenant-lint.toml",
        "[schema]\nfiles = [\"db/schema.sql\"]\n",
    );
    write(
        &dir,
        "db/schema.sql",
        "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);\nCREATE TABEL JOB (x INT);\n",
    );
    write(&dir, "q/q.sql", "SELECT 1;");
    let (code, transcript) = tenant_lint(&dir, &["check", "q"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(transcript.contains("db/schema.sql:2:8"), "{transcript}");
}

fn engine() -> Engine {
    let config = Config::parse("", std::path::Path::new("tenant-lint.toml")).unwrap();
    let mut schema = Schema::new(config.dialect);
    let path: std::sync::Arc<std::path::Path> =
        std::sync::Arc::from(std::path::Path::new("schema.sql"));
    for statement in parse_sql(SCHEMA, config.dialect, &|at| at).statements {
        schema.apply(&statement.parsed.unwrap(), &path);
    }
    Engine::new(TenantModel::new(config, schema)).unwrap()
}

const WORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "JOIN",
    "LEFT",
    "ON",
    "AND",
    "OR",
    "NOT",
    "IN",
    "EXISTS",
    "(",
    ")",
    ",",
    ";",
    "=",
    "<>",
    "IS",
    "NULL",
    "WITH",
    "AS",
    "UNION",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "JOB",
    "WORK_ORDER",
    "CLIENT",
    "j",
    "w",
    "client_id",
    "j.client_id",
    "w.client_id",
    ":c",
    "?",
    "'x'",
    "1",
    "*",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "BEGIN",
    "--",
    "/*",
    "*/",
    "\"",
    "'",
    "ON CONFLICT",
    "DO UPDATE",
    "REPLACE",
    "RECURSIVE",
    "LATERAL",
    "USING",
];

const SEEDS: &[&str] = &[
    "SELECT j.job_id FROM JOB j JOIN WORK_ORDER w ON w.client_id = j.client_id WHERE w.client_id = :c",
    "WITH RECURSIVE r(a, client_id) AS (SELECT job_id, client_id FROM JOB WHERE client_id = ? UNION ALL SELECT j.job_id, j.client_id FROM JOB j JOIN r ON r.client_id = j.client_id) SELECT * FROM r",
    "INSERT INTO JOB (client_id, job_id) SELECT client_id, work_order_id FROM WORK_ORDER WHERE client_id = :c ON CONFLICT (job_id) DO UPDATE SET client_id = excluded.client_id",
    "UPDATE JOB SET job_id = (SELECT MAX(job_id) FROM JOB x WHERE x.client_id = JOB.client_id) WHERE client_id IN (SELECT value FROM json_each(:s))",
    "DELETE FROM JOB WHERE NOT (client_id = :c OR client_id IS NULL) AND EXISTS (SELECT 1 FROM WORK_ORDER w WHERE w.client_id = JOB.client_id)",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Random token soup never panics the engine.
    #[test]
    fn random_sql_never_panics(words in prop::collection::vec(prop::sample::select(WORDS), 0..40)) {
        let sql = words.join(" ");
        let _ = engine().check_sql(&sql);
    }

    /// Valid statements with random edits (deleted, inserted or replaced characters)
    /// never panic the engine, and what it reports points inside the text.
    #[test]
    fn mutated_sql_never_panics(
        seed in prop::sample::select(SEEDS),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(WORDS)), 1..6),
    ) {
        let mut sql: Vec<char> = seed.chars().collect();
        for (at, kind, word) in edits {
            let i = at.index(sql.len() + 1);
            match kind {
                0 if i < sql.len() => { sql.remove(i); }
                1 => { for (k, c) in word.chars().enumerate() { sql.insert(i + k, c); } }
                _ if i < sql.len() => sql[i] = word.chars().next().unwrap_or(' '),
                _ => {}
            }
        }
        let sql: String = sql.into_iter().collect();
        let lines = sql.lines().count().max(1) as u64;
        for finding in engine().check_sql(&sql) {
            prop_assert!(finding.span.start.line >= 1 && finding.span.start.line <= lines,
                "{finding:?} outside {sql:?}");
        }
    }
}
