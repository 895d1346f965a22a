//! Rule fixtures: `fixtures/sql/<rule-name>/bad.sql` marks every line that must fire
//! with `-- expect: TI0xx`; `good.sql` must stay silent. Each file's rendered output is
//! a reviewed snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenant_lint::project::{Overrides, Project};
use tenant_lint::report::human;

/// `(line, code)` → how many findings of that code start on that line.
pub(crate) type Marks = BTreeMap<(u64, String), usize>;

/// `-- expect: TI001` (SQL) or `// expect: TI001@14` (Rust, with the column the
/// finding must start at): the marks of a fixture, and the columns required.
pub(crate) fn expected(text: &str) -> (Marks, Vec<(u64, String, u64)>) {
    let mut marks = Marks::new();
    let mut columns = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, codes)) = line
            .split_once("-- expect:")
            .or_else(|| line.split_once("// expect:"))
        else {
            continue;
        };
        let line_no = i as u64 + 1;
        for mark in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let (code, column) = match mark.split_once('@') {
                Some((code, column)) => (code, column.parse().ok()),
                None => (mark, None),
            };
            *marks.entry((line_no, code.to_string())).or_default() += 1;
            if let Some(column) = column {
                columns.push((line_no, code.to_string(), column));
            }
        }
    }
    (marks, columns)
}

fn check(path: &Path) -> (String, Marks, Vec<(u64, String, u64)>, usize) {
    let dir = path.parent().expect("fixture in a directory");
    let name = PathBuf::from(path.file_name().expect("file name"));
    // A fixture with DDL is schema too, as `tenant-lint check x.sql --schema x.sql` reads
    // it: the configured schema is the schema, and a file's own DDL joins it only so.
    let text = std::fs::read_to_string(path).unwrap_or_default();
    // (The PostgreSQL fixtures share one migrated schema instead.)
    let postgres = path
        .components()
        .any(|c| c.as_os_str() == "postgres" || c.as_os_str() == "proofs");
    let ddl = !postgres
        && [
            "CREATE TABLE",
            "ALTER TABLE",
            "CREATE UNIQUE INDEX",
            "CREATE INDEX",
            "DROP TABLE",
            "CREATE VIEW",
        ]
        .iter()
        .any(|k| text.to_ascii_uppercase().contains(k));
    let overrides = Overrides {
        schema: if ddl {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        },
        ..Overrides::default()
    };
    let project = Project::load(dir, std::slice::from_ref(&name), &overrides)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut report = project.check();
    // The configured schema's own findings belong to its file, not to the fixture.
    report
        .diagnostics
        .retain(|d| d.path.file_name() == path.file_name() && d.path.ends_with(&name));
    let mut actual = Marks::new();
    let mut at = Vec::new();
    for d in &report.diagnostics {
        // Every finding says how to fix it.
        assert!(
            d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
            "{}:{}: {} has no help",
            path.display(),
            d.line(),
            d.code
        );
        *actual.entry((d.line(), d.code.to_string())).or_default() += 1;
        at.push((d.line(), d.code.to_string(), d.column()));
    }
    let rendered = human::render(&report.diagnostics, |p| project.source(p), false);
    (rendered, actual, at, report.summary.statements)
}

#[test]
fn rule_fixtures() {
    insta::glob!(
        "../../fixtures",
        "{sql,rust,postgres,proofs,rls}/*/{bad,good}.{sql,rs}",
        |path| {
            let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
            let (want, columns) = expected(&text);
            let is_good = path.file_stem().is_some_and(|n| n == "good");
            if is_good {
                assert!(
                    want.is_empty(),
                    "{}: good fixtures expect nothing",
                    path.display()
                );
            } else {
                assert!(
                    !want.is_empty(),
                    "{}: a bad fixture must expect findings",
                    path.display()
                );
            }
            let (rendered, got, at, _) = check(path);
            assert_eq!(
                got,
                want,
                "{}: findings (left) differ from the `expect:` marks (right)\n{rendered}",
                path.display()
            );
            for column in &columns {
                assert!(
                    at.contains(column),
                    "{}: no {} at line {} column {}; found {at:?}\n{rendered}",
                    path.display(),
                    column.1,
                    column.0,
                    column.2
                );
            }
            insta::assert_snapshot!(rendered);
        }
    );
}

/// Every rule has a fixture directory named after it with a bad and a good file
/// (`fixtures/sql/<name>/*.sql`, `fixtures/rls/<name>/*.sql` for the row-level security
/// rules, or `fixtures/rust/<name>/*.rs` for Rust-level rules). `rls-bypassed` reads the
/// role a live database is connected as: the PostgreSQL suite is its fixture.
#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in tenant_lint::rules::ALL {
        if rule.name == "rls-bypassed" {
            let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/postgres/rls.rs");
            let text = std::fs::read_to_string(&suite).unwrap_or_default();
            assert!(
                text.contains("TI211"),
                "{} is tested in {}",
                rule.code,
                suite.display()
            );
            continue;
        }
        for stem in ["bad", "good"] {
            let sql = ["sql", "rls"]
                .iter()
                .map(|d| root.join(d).join(rule.name).join(format!("{stem}.sql")))
                .find(|p| p.is_file())
                .unwrap_or_else(|| root.join("sql").join(rule.name).join(format!("{stem}.sql")));
            let rust = root.join("rust").join(rule.name).join(format!("{stem}.rs"));
            assert!(
                sql.is_file() || rust.is_file(),
                "{} ({}) has neither {} nor {}",
                rule.code,
                rule.name,
                sql.display(),
                rust.display()
            );
        }
    }
}

/// The fixture corpus covers at least 150 statements, the floor.
#[test]
fn fixture_corpus_has_at_least_150_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sql");
    let mut total = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        for file in ["bad.sql", "good.sql"] {
            let path = dir.join(file);
            if path.is_file() {
                total += check(&path).3;
            }
        }
    }
    assert!(total >= 150, "only {total} fixture statements");
}
