//! Rule fixtures: `fixtures/sql/<rule-name>/bad.sql` marks every line that must fire
//! with `-- expect: TI0xx`; `good.sql` must stay silent. Each file's rendered output is
//! a reviewed snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenant_lint::project::{Overrides, Project};
use tenant_lint::report::human;

/// `(line, code)` → how many findings of that code start on that line.
type Marks = BTreeMap<(u64, String), usize>;

fn expected(text: &str) -> Marks {
    let mut marks = Marks::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, codes)) = line.split_once("-- expect:") else {
            continue;
        };
        for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            *marks.entry((i as u64 + 1, code.to_string())).or_default() += 1;
        }
    }
    marks
}

fn check(path: &Path) -> (String, Marks, usize) {
    let dir = path.parent().expect("fixture in a directory");
    let name = PathBuf::from(path.file_name().expect("file name"));
    let project = Project::load(dir, &[name], &Overrides::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = project.check();
    let mut actual = Marks::new();
    for d in &report.diagnostics {
        *actual.entry((d.line(), d.code.to_string())).or_default() += 1;
    }
    let rendered = human::render(&report.diagnostics, |p| project.source(p), false);
    (rendered, actual, report.summary.statements)
}

#[test]
fn rule_fixtures() {
    insta::glob!("../../fixtures/sql", "*/{bad,good}.sql", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let want = expected(&text);
        let is_good = path.file_name().is_some_and(|n| n == "good.sql");
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
        let (rendered, got, _) = check(path);
        assert_eq!(
            got,
            want,
            "{}: findings (left) differ from the `-- expect:` marks (right)\n{rendered}",
            path.display()
        );
        insta::assert_snapshot!(rendered);
    });
}

/// Every rule has a fixture directory named after it with a bad and a good file.
#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sql");
    for rule in tenant_lint::rules::ALL {
        for file in ["bad.sql", "good.sql"] {
            let path = root.join(rule.name).join(file);
            assert!(
                path.is_file(),
                "{} ({}) has no {}",
                rule.code,
                rule.name,
                path.display()
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
                total += check(&path).2;
            }
        }
    }
    assert!(total >= 150, "only {total} fixture statements");
}
