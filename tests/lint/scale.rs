//! Scale: the pre-filter loses nothing, and the parallel scan reports exactly what a
//! serial one does, over the fixtures, the reference app and a generated corpus.

use std::path::{Path, PathBuf};

use tenant_lint::corpus::{Shape, generate};
use tenant_lint::project::{Overrides, Project};
use tenant_lint::report::{human, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// What a check reports, rendered: every finding with its place, the statements found
/// per file, and the summary.
fn outcome(dir: &Path, no_prefilter: bool) -> String {
    let overrides = Overrides {
        no_prefilter,
        ..Overrides::default()
    };
    let project =
        Project::load(dir, &[], &overrides).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let report = project.check();
    let mut out = json::render(&report.diagnostics, report.summary);
    out.push_str(&human::concise(&report.diagnostics));
    let mut files: Vec<String> = report
        .files
        .iter()
        .filter(|(_, o)| !o.statements.is_empty())
        .map(|(path, o)| {
            let spans: Vec<String> = o
                .statements
                .iter()
                .map(|s| format!("{}:{}", s.span.start.line, s.span.start.column))
                .collect();
            format!("{} {}", path.display(), spans.join(" "))
        })
        .collect();
    files.sort();
    out.push_str(&files.join("\n"));
    out
}

/// A small corpus under cargo's temporary directory (one per test: they run at once).
fn corpus(name: &str) -> (PathBuf, tenant_lint::corpus::Written) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-corpus")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let written = generate(
        &dir,
        Shape {
            files: 120,
            lines_per_file: 120,
            statements: 600,
            sql_file_every: 4,
        },
    )
    .unwrap();
    (dir, written)
}

#[test]
fn the_prefilter_loses_nothing_the_full_scan_finds() {
    let (corpus, written) = corpus("loses-nothing");
    let dirs = [
        root().join("fixtures/rust"),
        root().join("fixtures/apps/seed-audit"),
        root().join("fixtures/apps/leaky-kpi"),
        root().join("reference-app"),
        corpus.clone(),
    ];
    for dir in dirs {
        let filtered = outcome(&dir, false);
        let full = outcome(&dir, true);
        let differ = filtered.lines().zip(full.lines()).position(|(a, b)| a != b);
        assert_eq!(
            filtered,
            full,
            "{}: first difference at line {differ:?}: {:?} vs {:?}",
            dir.display(),
            differ.and_then(|i| filtered.lines().nth(i)),
            differ.and_then(|i| full.lines().nth(i)),
        );
    }
    // The corpus check found every generated statement, and the pre-filter did skip
    // the files without SQL (three in four) without parsing them.
    let project = Project::load(&corpus, &[], &Overrides::default()).unwrap();
    let report = project.check();
    assert_eq!(report.summary.statements, written.statements.len());
    let parsed = project.files.iter().filter(|f| f.source.is_some()).count();
    let rust_files = written.files;
    assert!(
        parsed <= rust_files / 4 + rust_files / 20 + 2,
        "{parsed} of {rust_files} files parsed"
    );
}

#[test]
fn every_file_the_prefilter_rejects_holds_no_sql_literal() {
    // Direct: over every Rust file of the repository and the corpus, a file the
    // pre-filter rejects has no literal the extraction would call SQL.
    use tenant_lint::extract::prefilter::may_hold_sql;
    use tenant_lint::extract::rust::{extract_file, starts_like_sql};
    let (corpus, _) = corpus("rejects");
    let mut checked = 0;
    for dir in [
        root().join("lint"),
        root().join("reference-app"),
        root().join("fixtures"),
        root().join("src"),
        root().join("tests"),
        corpus,
    ] {
        for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
            let path = entry.path();
            let inside = path.strip_prefix(&dir).unwrap_or(path);
            if path.extension().is_none_or(|x| x != "rs")
                || inside.components().any(|c| c.as_os_str() == "target")
            {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            if may_hold_sql(&text) {
                continue;
            }
            checked += 1;
            let Ok(file) = syn::parse_file(&text) else {
                continue;
            };
            let locate =
                |_: proc_macro2::Span| tenant_lint::sqlparser::tokenizer::Location::new(1, 1);
            let facts = extract_file(&file, &locate, &["TenantScope".to_string()]).facts;
            let sql: Vec<&str> = facts
                .sql
                .iter()
                .map(|s| s.text.text.as_str())
                .filter(|t| starts_like_sql(t))
                .collect();
            assert!(
                sql.is_empty(),
                "{}: rejected but holds {sql:?}",
                path.display()
            );
            assert!(facts.scoped.is_empty(), "{}", path.display());
        }
    }
    assert!(checked > 50, "only {checked} files rejected");
}

/// Every Rust file under `dirs` (outside `target`), with its text.
fn rust_files(dirs: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let path = entry.path();
            let inside = path.strip_prefix(dir).unwrap_or(path);
            if path.extension().is_none_or(|x| x != "rs")
                || inside.components().any(|c| c.as_os_str() == "target")
            {
                continue;
            }
            out.push((path.to_path_buf(), std::fs::read_to_string(path).unwrap()));
        }
    }
    out
}

/// The syn extractor's facts for `text` with the items `plan` leaves out blanked
/// equal `fast`'s, which the token-level extractor produced.
fn same_as_syn(
    path: &Path,
    text: &str,
    plan: &[(std::ops::Range<usize>, bool)],
    fast: &tenant_lint::extract::rust::RustFacts,
) {
    use tenant_lint::extract::prefilter::blank_items;
    use tenant_lint::extract::rust::extract_file;
    use tenant_lint::rust_check::span_location;
    let blanked = blank_items(text, plan).unwrap_or_else(|| text.to_string());
    let file = syn::parse_file(&blanked).unwrap_or_else(|e| {
        panic!(
            "{}: read by the token-level extractor but syn says {e}",
            path.display()
        )
    });
    let locate = |span: proc_macro2::Span| span_location(span);
    let syn_facts = extract_file(&file, &locate, &["TenantScope".to_string()]).facts;
    assert_eq!(
        format!("{fast:#?}"),
        format!("{syn_facts:#?}"),
        "{}",
        path.display()
    );
}

#[test]
fn the_token_level_extractor_finds_what_syn_finds() {
    // Over every Rust file of the repository and a corpus: where the token-level
    // extractor reads a file, its facts (SQL with positions, contexts, statement
    // lines, span ids, functions, `#[tenant_scoped]` facts) equal the syn extractor's
    // on the same blanked text.
    use tenant_lint::extract::fast;
    use tenant_lint::extract::prefilter::{item_plan, may_hold_sql};
    let (corpus, _) = corpus("fast");
    let scope = ["TenantScope".to_string()];
    let files = rust_files(&[
        root().join("lint"),
        root().join("macros"),
        root().join("reference-app"),
        root().join("fixtures"),
        root().join("src"),
        root().join("tests"),
        corpus.clone(),
    ]);
    let (mut read, mut declined, mut corpus_read) = (0, 0, 0);
    for (path, text) in &files {
        if !may_hold_sql(text) {
            continue;
        }
        let in_corpus = path.starts_with(&corpus);
        let plan = item_plan(text);
        let Some(fast) = fast::extract(text, &plan, &scope) else {
            declined += 1;
            // In the corpus, only ordinary modules whose log line starts like SQL
            // ("update available") hold code outside the subset (an `impl` block).
            assert!(
                !in_corpus || !text.starts_with("//! Repository functions."),
                "{}: a corpus repository left to syn",
                path.display()
            );
            continue;
        };
        read += 1;
        corpus_read += usize::from(in_corpus);
        same_as_syn(path, text, &plan, &fast);
    }
    // Item by item (each alone, the others blanked), which reaches the items of
    // files the token-level extractor declines as a whole.
    let mut items = 0;
    for (path, text) in &files {
        let plan = item_plan(text);
        for k in (0..plan.len()).filter(|&k| plan[k].1) {
            let alone: Vec<_> = plan
                .iter()
                .enumerate()
                .map(|(j, (range, _))| (range.clone(), j == k))
                .collect();
            if let Some(fast) = fast::extract(text, &alone, &scope) {
                items += 1;
                same_as_syn(path, text, &alone, &fast);
            }
        }
    }
    eprintln!(
        "token-level extractor: read {read} files, left {declined} to syn; read {items} items alone"
    );
    assert!(
        read > 40 && declined > 20,
        "read {read}, declined {declined}"
    );
    assert!(items > read * 3, "{items} items");
    assert!(corpus_read >= 30, "{corpus_read} corpus files read");
}

#[test]
fn the_parallel_scan_reports_exactly_what_a_serial_one_does() {
    let (corpus, _) = corpus("parallel");
    for dir in [
        root().join("reference-app"),
        root().join("fixtures/rust"),
        corpus,
    ] {
        let parallel = outcome(&dir, false);
        let serial = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| outcome(&dir, false));
        assert_eq!(parallel, serial, "{}", dir.display());
    }
}

/// Everything a check reports about each file, in full.
fn every_outcome(project: &Project) -> String {
    let report = project.check();
    format!("{:#?}\n{:?}", report.files, report.summary)
}

#[test]
fn checking_files_while_loading_reports_what_checking_them_afterwards_does() {
    // The first check returns the outcomes computed while the files were read (their
    // facts then dropped), against the configured schema; the second extracts every
    // file again and checks it against the schema of the whole project.
    let (corpus, _) = corpus("while-loading");
    for dir in [
        root().join("reference-app"),
        root().join("fixtures/rust"),
        root().join("fixtures/apps/seed-audit"),
        root().join("fixtures/apps/leaky-kpi"),
        root().join("fixtures/sql"),
        corpus,
    ] {
        let project = Project::load(&dir, &[], &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let first = every_outcome(&project);
        let second = every_outcome(&project);
        assert_eq!(first, second, "{}", dir.display());
    }
}

/// A project under cargo's temporary directory holding `files` (path, text).
fn small_project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A repository function reading `WIDGET` with no tenant filter.
const WIDGET_READ: &str = "pub fn widgets(conn: &Connection) -> Result<()> {\n    conn.execute(\"SELECT name FROM WIDGET\", [])\n}\n";

/// What the check reports about `repo.rs`: its one finding.
fn the_finding_in_repo(
    report: &tenant_lint::project::CheckReport,
) -> &tenant_lint::report::diagnostic::Diagnostic {
    report
        .diagnostics
        .iter()
        .find(|d| d.path.ends_with("repo.rs"))
        .unwrap_or_else(|| panic!("no finding in repo.rs: {:#?}", report.diagnostics))
}

/// A repository function reading `ORDERS` with no tenant filter.
const ORDERS_READ: &str = "pub fn orders(conn: &Connection) -> Result<()> {\n    conn.execute(\"SELECT order_id FROM ORDERS\", [])\n}\n";

#[test]
fn ddl_outside_the_configured_schema_does_not_change_it() {
    // A test's set-up recreates `ORDERS` without its tenant column, and another file
    // drops it: with `[schema] files` configured, neither is the schema, so the
    // unfiltered read of the tenant table is still reported (not hidden, not unknown).
    let dir = small_project(
        "late-ddl",
        &[
            (
                "tenant-lint.toml",
                "dialect = \"sqlite\"\n[schema]\nfiles = [\"schema/*.sql\"]\n",
            ),
            (
                "schema/V1__base.sql",
                "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);\nCREATE TABLE ORDERS (client_id TEXT NOT NULL REFERENCES CLIENT(client_id), order_id TEXT, PRIMARY KEY (client_id, order_id));\n",
            ),
            (
                "tests/setup.sql",
                "CREATE TABLE ORDERS (order_id TEXT);\nDROP TABLE CLIENT;\n",
            ),
            ("src/repo.rs", ORDERS_READ),
        ],
    );
    let project = Project::load(&dir, &[], &Overrides::default()).unwrap();
    let report = project.check();
    let leak = the_finding_in_repo(&report);
    assert_eq!(leak.code, "TI001");
    assert_eq!((leak.span.start.line, leak.span.start.column), (2, 40));
    assert_eq!(every_outcome(&project), {
        let again = Project::load(&dir, &[], &Overrides::default()).unwrap();
        again.check();
        every_outcome(&again)
    });
}

#[test]
fn without_a_configured_schema_the_scanned_ddl_is_the_schema() {
    // No `[schema] files`: the schema is the DDL of the scanned files, so files are
    // checked once all are read.
    let dir = small_project(
        "scanned-ddl",
        &[
            ("tenant-lint.toml", "dialect = \"sqlite\"\n"),
            (
                "src/schema.sql",
                "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);\nCREATE TABLE WIDGET (client_id TEXT NOT NULL REFERENCES CLIENT(client_id), widget_id TEXT, name TEXT, PRIMARY KEY (client_id, widget_id));\n",
            ),
            ("src/repo.rs", WIDGET_READ),
        ],
    );
    let project = Project::load(&dir, &[], &Overrides::default()).unwrap();
    let first = every_outcome(&project);
    let report = Project::load(&dir, &[], &Overrides::default())
        .unwrap()
        .check();
    assert_eq!(the_finding_in_repo(&report).code, "TI001");
    assert_eq!(first, every_outcome(&project));
}
