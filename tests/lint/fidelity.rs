//! Real code's shapes read as the database and the compiler read them: a migrated
//! PostgreSQL schema with quoted names, SQL in Rust assembled across files.

use std::path::{Path, PathBuf};

use tenant_lint::project::{Overrides, Project};
use tenant_lint::report::human;

use crate::fixtures::{Marks, expected};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn the_migrated_schema_reports_exactly_its_marked_findings() {
    // Schema rules on the schema at the end of the migrations (a column made NOT NULL
    // later is not nullable, a dropped table is gone, a renamed parent keeps its
    // children), and the statements of each migration against the schema of its moment.
    let dir = root().join("fixtures/postgres");
    let project = Project::load(&dir, &["migrations".into()], &Overrides::default())
        .expect("the fixture loads");
    let report = project.check();
    let rendered = human::render(&report.diagnostics, |p| project.source(p), false);
    let mut want = Marks::new();
    let mut got = Marks::new();
    for entry in walkdir::WalkDir::new(dir.join("migrations")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|x| x == "sql") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let relative = entry.path().strip_prefix(&dir).unwrap().to_path_buf();
            for ((line, code), n) in expected(&text).0 {
                *want
                    .entry((line, format!("{}:{code}", relative.display())))
                    .or_default() += n;
            }
        }
    }
    for d in &report.diagnostics {
        let path = d.path.display().to_string();
        *got.entry((d.line(), format!("{path}:{}", d.code)))
            .or_default() += 1;
    }
    assert_eq!(
        got, want,
        "findings (left) differ from the marks (right)\n{rendered}"
    );
    assert!(
        !report.diagnostics.iter().any(|d| d.code.starts_with("TI9")),
        "valid PostgreSQL is never unreadable or unknown\n{rendered}"
    );
}

/// A project under cargo's temporary directory holding `files` (path, text).
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const CONFIG: &str = "dialect = \"postgres\"\n[tenant]\ncolumn = \"tenant_id\"\n[schema]\nfiles = [\"migrations/*.sql\"]\n";
const SCHEMA: &str = "CREATE TABLE tenant (id uuid PRIMARY KEY);\nCREATE TABLE widget (tenant_id uuid NOT NULL REFERENCES tenant(id), id uuid, name text, PRIMARY KEY (tenant_id, id));\n";

/// `(path, line, column, code)` of every finding.
fn findings(dir: &Path) -> Vec<(String, u64, u64, &'static str)> {
    let project = Project::load(dir, &[], &Overrides::default()).expect("loads");
    project
        .check()
        .diagnostics
        .iter()
        .map(|d| (d.path.display().to_string(), d.line(), d.column(), d.code))
        .collect()
}

#[test]
fn a_constant_of_another_module_fills_a_format_hole() {
    let dir = project(
        "consts-across-modules",
        &[
            ("tenant-lint.toml", CONFIG),
            ("migrations/0001_init.sql", SCHEMA),
            ("Cargo.toml", "[package]\nname = \"x\"\n"),
            (
                "src/sql.rs",
                "pub const WIDGET_COLUMNS: &str = \"id, name\";\n",
            ),
            (
                "src/repo.rs",
                "fn widgets(db: &Db) {\n    let sql = format!(\"SELECT {WIDGET_COLUMNS} FROM widget\");\n    db.query(&sql);\n}\n",
            ),
        ],
    );
    // The statement is read whole (the constant filled in) and its unscoped read found,
    // at the table in the file; no dynamic-sql warning for a constant.
    assert_eq!(
        findings(&dir),
        [("src/repo.rs".to_string(), 2, 53, "TI001")]
    );
}

#[test]
fn a_format_hole_in_table_position_is_dynamic_sql_only() {
    let dir = project(
        "hole-as-table",
        &[
            ("tenant-lint.toml", CONFIG),
            ("migrations/0001_init.sql", SCHEMA),
            (
                "src/repo.rs",
                "fn purge(db: &Db, table: &str) {\n    db.execute(&format!(\"DELETE FROM {} WHERE tenant_id = $1\", table));\n    db.execute(&format!(\"SELECT * FROM widget ORDER BY {} {}\", col, dir));\n}\n",
            ),
        ],
    );
    let found = findings(&dir);
    assert!(
        found.iter().all(|(_, _, _, code)| *code == "TI303"),
        "only dynamic-sql: {found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn query_file_paths_are_read_from_the_crate_root_and_include_str_honours_scan() {
    let dir = project(
        "query-file",
        &[
            (
                "tenant-lint.toml",
                &format!(
                    "{CONFIG}[scan]\ninclude = [\"**/*.rs\", \"queries/**\"]\nexclude = [\"fixtures/**\"]\n"
                ),
            ),
            ("migrations/0001_init.sql", SCHEMA),
            ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ("queries/widgets.sql", "SELECT * FROM widget\n"),
            ("fixtures/other_db.sql", "SELECT * FROM widget\n"),
            (
                "src/db/repo.rs",
                "fn widgets(db: &Db) {\n    sqlx::query_file!(\"queries/widgets.sql\").fetch_all(db);\n    let _ = include_str!(\"../../fixtures/other_db.sql\");\n}\n",
            ),
        ],
    );
    // `queries/widgets.sql` is found through the crate root and checked; the excluded
    // file is not read, though `include_str!` names it.
    assert_eq!(
        findings(&dir),
        [("queries/widgets.sql".to_string(), 1, 15, "TI001")]
    );
}

#[test]
fn temporary_tables_in_rust_sql_are_known_to_that_file() {
    let dir = project(
        "temporary-in-rust",
        &[
            ("tenant-lint.toml", CONFIG),
            ("migrations/0001_init.sql", SCHEMA),
            (
                "src/import.rs",
                "fn import(db: &Db) {\n    db.execute(\"CREATE TEMP TABLE staged (id uuid)\");\n    db.execute(\"SELECT w.name FROM widget w JOIN staged s ON s.id = w.id WHERE w.tenant_id = $1\");\n}\n",
            ),
        ],
    );
    assert_eq!(findings(&dir), []);
}

#[test]
fn explain_never_contradicts_the_verdict() {
    // Over every fixture: the occurrence a read or write error is about is explained as
    // not bound, a bound occurrence has no such error, and a flagged write is explained.
    let occurrence_codes = ["TI001", "TI002", "TI101", "TI102", "TI106"];
    let write_codes = ["TI103", "TI104", "TI105", "TI107", "TI108", "TI109"];
    let mut checked = 0;
    for group in ["fixtures/sql", "fixtures/postgres", "fixtures/proofs"] {
        for entry in std::fs::read_dir(root().join(group)).unwrap() {
            let dir = entry.unwrap().path();
            let bad = dir.join("bad.sql");
            if !bad.is_file() {
                continue;
            }
            let project = Project::load(&dir, &["bad.sql".into()], &Overrides::default())
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let report = project.check();
            let mine: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.path.ends_with("bad.sql"))
                .cloned()
                .collect();
            for (_, _, proofs) in project.proofs(&mine) {
                for proof in &proofs {
                    for d in mine.iter().filter(|d| d.starts_in(proof.statement)) {
                        if occurrence_codes.contains(&d.code) {
                            let about = proof.occurrences.iter().find(|(_, o)| {
                                o.span == d.span || d.labels.iter().any(|l| l.span == o.span)
                            });
                            if let Some((table, occurrence)) = about {
                                assert!(
                                    !occurrence.proved,
                                    "{}: {} {} but explained as bound ({table})",
                                    dir.display(),
                                    d.code,
                                    d.message
                                );
                                checked += 1;
                            }
                        }
                        if write_codes.contains(&d.code) {
                            assert!(
                                !proof.writes.is_empty(),
                                "{}: {} {} but no write is explained",
                                dir.display(),
                                d.code,
                                d.message
                            );
                            checked += 1;
                        }
                    }
                    for (table, occurrence) in proof.occurrences.iter().filter(|(_, o)| o.proved) {
                        let flagged = mine.iter().any(|d| {
                            occurrence_codes.contains(&d.code) && d.span == occurrence.span
                        });
                        assert!(
                            !flagged,
                            "{}: {table} explained as bound but flagged",
                            dir.display()
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} findings compared");
}

/// The KPI domain's schema in PostgreSQL (`fixtures/postgres-kpi/`) is the reference
/// application's migrations with `USER`, a reserved word in PostgreSQL, renamed
/// `APP_USER`, and nothing else: the two cannot drift apart.
#[test]
fn the_postgresql_kpi_schema_is_the_reference_apps() {
    let app = root().join("reference-app/migrations");
    let pg = root().join("fixtures/postgres-kpi/migrations");
    let mut names: Vec<_> = std::fs::read_dir(&app)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut pg_names: Vec<_> = std::fs::read_dir(&pg)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    pg_names.sort();
    assert_eq!(names, pg_names);
    for name in names {
        let sqlite = std::fs::read_to_string(app.join(&name)).unwrap();
        let postgres = std::fs::read_to_string(pg.join(&name)).unwrap();
        let renamed = sqlite
            .replace("TABLE USER (", "TABLE APP_USER (")
            .replace("REFERENCES USER (", "REFERENCES APP_USER (");
        assert_eq!(postgres, renamed, "{}", name.to_string_lossy());
    }
}
