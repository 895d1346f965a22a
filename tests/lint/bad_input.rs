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
CREATE TABLE JOB (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), job_id TEXT, work_order_id TEXT);
CREATE INDEX wo_client ON WORK_ORDER (client_id); CREATE INDEX job_client ON JOB (client_id);";

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
fn a_directory_the_walk_cannot_read_is_a_finding_and_the_scan_goes_on() {
    let dir = project("unlistable");
    write(&dir, "sql/ok.sql", "SELECT * FROM JOB;");
    // A directory whose path is longer than the system allows cannot be listed, even
    // by root (a permission-less directory can be, by root). Built one level at a time.
    let level = "d".repeat(200);
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "cd sql && for i in $(seq 1 25); do mkdir {level} && cd {level} || exit 1; done"
        ))
        .current_dir(&dir)
        .status()
        .expect("bash runs");
    assert!(status.success());
    let (code, transcript) = tenant_lint(&dir, &["check", "sql", "--format", "concise"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("error[TI905] cannot be read: File name too long"),
        "{transcript}"
    );
    // The rest was checked.
    assert!(
        transcript.contains("sql/ok.sql:1:15: error[TI001]"),
        "{transcript}"
    );
    // Excluded, it is not the scan's to read.
    write(
        &dir,
        "tenant-lint.toml",
        &format!(
            "{}\n[scan]\nexclude = [\"sql/{level}/**\"]\n",
            std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap()
        ),
    );
    let (_, transcript) = tenant_lint(&dir, &["check", "sql", "--format", "concise"]);
    assert!(!transcript.contains("TI905"), "{transcript}");
    let _ = std::process::Command::new("rm")
        .arg("-rf")
        .arg(&dir)
        .status();
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

/// Runs `work` on a thread with a 2 MiB stack, as a rayon worker or a server's thread
/// would: the engine's limits must keep it within that.
fn on_small_stack<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(work)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

#[test]
fn deeply_nested_rust_is_reported_and_moderate_nesting_is_checked() {
    let dir = project("deep-rust");
    let nested = |n: usize| {
        format!(
            "fn f(c: &C) {{\n    c.query(\"SELECT * FROM JOB\");\n    let x = {}1{};\n}}\n",
            "(".repeat(n),
            ")".repeat(n)
        )
    };
    write(&dir, "deep.rs", &nested(10_000));
    write(&dir, "moderate.rs", &nested(200));
    // On a 2 MiB thread: the scan's own workers have large stacks, whatever the caller's.
    let found = on_small_stack(move || {
        let mut all = codes_in(&dir, "deep.rs");
        all.extend(codes_in(&dir, "moderate.rs"));
        all
    });
    assert_eq!(found, [(1, 1, "TI905"), (2, 28, "TI001")]);
}

#[test]
fn long_rust_operator_and_method_chains_are_reported_not_overflowed() {
    // Chains nest as deep as they are long in any syntax tree: 300 000 links would
    // overflow even a worker's 64 MiB stack in a recursive walk. Over the limit: the
    // file is reported (TI905); a long but ordinary chain is checked.
    let dir = project("long-rust-chains");
    let file = |links: usize, link: &str| {
        format!(
            "fn f(c: &C) {{\n    c.query(\"SELECT * FROM JOB\");\n    let x = a{};\n}}\n",
            link.repeat(links)
        )
    };
    write(&dir, "sum.rs", &file(300_000, " + a"));
    write(&dir, "methods.rs", &file(300_000, ".f()"));
    write(
        &dir,
        "refs.rs",
        &format!(
            "fn f(c: &C) {{\n    c.query(\"SELECT * FROM JOB\");\n    let x = {}a;\n}}\n",
            "& ".repeat(300_000)
        ),
    );
    write(&dir, "ordinary.rs", &file(2_000, " + a"));
    let dir2 = dir.clone();
    let found = on_small_stack(move || {
        ["sum.rs", "methods.rs", "refs.rs", "ordinary.rs"]
            .iter()
            .flat_map(|f| codes_in(&dir2, f))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        found,
        [
            (1, 1, "TI905"),
            (1, 1, "TI905"),
            (1, 1, "TI905"),
            (2, 28, "TI001")
        ]
    );
    let project = Project::load(&dir, &["sum.rs".into()], &Overrides::default()).unwrap();
    let message = &project.check().diagnostics[0].message;
    assert!(message.contains("operators"), "{message}");
    // The token-level reader declines deep unary chains itself (syn reads them), on
    // any stack.
    let refs = format!("fn f() {{ let x = {}a; }}", "& ".repeat(100_000));
    let declined = on_small_stack(move || {
        let plan = vec![(0..refs.len(), true)];
        tenant_lint::extract::fast::extract(&refs, &plan, &[]).is_none()
    });
    assert!(declined);
}

#[test]
fn a_long_operator_chain_is_refused_not_overflowed_on_a_small_stack() {
    let engine = engine();
    let chain = |n: usize| {
        format!(
            "SELECT * FROM JOB WHERE client_id = :c{}",
            " OR job_id = 'x'".repeat(n)
        )
    };
    // 100 000 operators: refused where the statement starts.
    let long = chain(50_000);
    let findings = engine.check_sql(&long);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "TI999");
    assert!(
        findings[0].message.contains("operators"),
        "{}",
        findings[0].message
    );
    // Just under the limit, the guard's path on a 2 MiB stack analyses it: the `OR`
    // swallows the filter (TI002), with no overflow.
    let near = chain(tenant_lint::extract::parse::MAX_OPERATORS / 2 - 1);
    let codes = on_small_stack(move || {
        engine
            .check_sql(&near)
            .iter()
            .map(|f| f.code)
            .collect::<Vec<_>>()
    });
    assert_eq!(codes, ["TI002"]);
}

#[test]
fn a_long_line_is_located_and_rendered_quickly() {
    let dir = project("long-line");
    let line = format!("SELECT 1;{}SELECT * FROM JOB;\n", " ".repeat(2_000_000));
    write(&dir, "long.sql", &line);
    let started = std::time::Instant::now();
    let (code, transcript) = tenant_lint(&dir, &["check", "long.sql"]);
    assert_eq!(code, 1);
    assert!(
        transcript.contains("long.sql:1:2000024"),
        "{}",
        &transcript[..transcript.len().min(500)]
    );
    // A guard against a quadratic render, not a speed claim.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn invalid_utf8_is_unreadable_at_the_first_bad_byte() {
    let dir = project("utf8");
    std::fs::write(dir.join("latin1.sql"), b"SELECT 1;\nSELECT 'caf\xe9';\n").unwrap();
    assert_eq!(codes_in(&dir, "latin1.sql"), [(2, 12, "TI905")]);
    std::fs::write(dir.join("bad.rs"), b"fn f() {}\n// \xff\xfe\n").unwrap();
    assert_eq!(codes_in(&dir, "bad.rs"), [(2, 4, "TI905")]);
}

#[cfg(unix)]
#[test]
fn fifos_symlink_loops_and_unreadable_files_are_reported_without_blocking() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = project("special-files");
    write(
        &dir,
        "sql/ok.sql",
        "SELECT * FROM JOB WHERE client_id = :c;\n",
    );
    // A FIFO named like SQL: opening it would block until a writer comes.
    let fifo = dir.join("sql/pipe.sql");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // A loop of file symlinks, and a directory symlink pointing at its parent.
    symlink("loop-b.sql", dir.join("sql/loop-a.sql")).unwrap();
    symlink("loop-a.sql", dir.join("sql/loop-b.sql")).unwrap();
    symlink(".", dir.join("sql/again")).unwrap();
    // A file without read permission (root reads it anyway: then it is checked).
    let locked = dir.join("sql/locked.sql");
    std::fs::write(&locked, "SELECT * FROM WORK_ORDER;\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let denied = std::fs::File::open(&locked).is_err();

    let started = std::time::Instant::now();
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise", "sql"]);
    assert!(started.elapsed().as_secs() < 60, "a hang: {transcript}");
    assert_eq!(code, 1, "{transcript}");
    for expected in [
        "sql/pipe.sql:1:1: error[TI905] not a regular file",
        "sql/loop-a.sql:1:1: error[TI905] cannot read the file",
        "sql/loop-b.sql:1:1: error[TI905] cannot read the file",
    ] {
        assert!(transcript.contains(expected), "{expected}: {transcript}");
    }
    if denied {
        assert!(
            transcript.contains(
                "sql/locked.sql:1:1: error[TI905] cannot read the file: Permission denied"
            ),
            "{transcript}"
        );
    } else {
        assert!(
            transcript.contains("sql/locked.sql:1:15: error[TI001]"),
            "{transcript}"
        );
    }
    // The directory loop was not followed: each file is reported once.
    assert_eq!(transcript.matches("pipe.sql").count(), 1, "{transcript}");
    let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644));
}

#[test]
fn a_file_over_the_size_limit_is_refused_with_its_size() {
    let dir = project("too-big");
    let path = dir.join("huge.sql");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: no disk used.
    file.set_len(tenant_lint::project::MAX_FILE_BYTES + 1)
        .unwrap();
    let found = codes_in(&dir, "huge.sql");
    assert_eq!(found, [(1, 1, "TI905")]);
    let (_, transcript) = tenant_lint(&dir, &["check", "--format", "concise", "huge.sql"]);
    assert!(
        transcript.contains("the file is 64.0 MiB, more than the 64 MiB the scan reads"),
        "{transcript}"
    );
}

#[test]
fn files_changing_during_scans_give_findings_or_errors_never_a_panic() {
    let dir = project("churn");
    for i in 0..40 {
        write(
            &dir,
            &format!("q/{i}.sql"),
            "SELECT * FROM JOB WHERE client_id = :c;\n",
        );
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let dir = dir.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut k = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let path = dir.join(format!("q/{}.sql", k % 40));
                match k % 3 {
                    0 => {
                        let _ = std::fs::remove_file(&path);
                    }
                    1 => {
                        let _ = std::fs::write(&path, "SELECT * FROM WORK_ORDER;\n".repeat(50));
                    }
                    _ => {
                        let _ = std::fs::write(&path, b"SELECT 1;\n\xff");
                    }
                }
                k += 1;
            }
        })
    };
    for _ in 0..20 {
        let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise", "q"]);
        // A file gone between listing and reading is an error finding; one rewritten is
        // checked as read. The exit code is 1 (findings) or 2 (the directory itself
        // changed under the walk), never a crash.
        assert!(code == 1 || code == 2, "{code}: {transcript}");
        if code == 1 {
            assert!(transcript.contains("error[TI"), "{transcript}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}
