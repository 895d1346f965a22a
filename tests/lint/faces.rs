//! One engine, one verdict: `#[tenant_scoped]` (its expansion, called as the macro
//! calls it) and the runtime guard agree with `tenant-lint check` on the fixtures, the
//! reference application, the seed audit's application and a generated corpus.
//!
//! For every function of every Rust file, the expansion's compile errors are the CLI's
//! errors within the function (and in the SQL files it includes), code, line and
//! column, the attribute-only rules TI301/TI302 aside. For every statement of a
//! scanned SQL file and every SQL string of a Rust file, the guard refuses exactly what
//! the CLI reports a finding on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use tenant_lint::expand::{MacroEnv, expand};
use tenant_lint::guard::Guard;
use tenant_lint::model::Config;
use tenant_lint::project::{Overrides, Project};
use tenant_lint::report::diagnostic::Severity;
use tenant_lint::rust_check::span_location;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A finding as both faces can state it: file, line, column, code.
type Point = (PathBuf, u64, u64, String);

/// A function to expand: its tokens (without `#[tenant_scoped]`), the attribute's
/// arguments, and the lines it spans.
struct Function {
    name: String,
    tokens: TokenStream,
    attr: TokenStream,
    lines: std::ops::RangeInclusive<u64>,
}

/// Every function of a file: free functions, methods, in modules at any depth.
fn functions(file: &syn::File) -> Vec<Function> {
    fn attr_of(attrs: &[syn::Attribute]) -> Option<TokenStream> {
        attrs
            .iter()
            .find(|a| a.path().is_ident("tenant_scoped"))
            .map(|a| match &a.meta {
                syn::Meta::List(list) => list.tokens.clone(),
                _ => TokenStream::new(),
            })
    }
    fn lines(span: Span) -> std::ops::RangeInclusive<u64> {
        span.start().line as u64..=span.end().line as u64
    }
    fn walk(items: &[syn::Item], inherited: Option<&TokenStream>, out: &mut Vec<Function>) {
        for item in items {
            match item {
                syn::Item::Fn(f) => {
                    let mut f = f.clone();
                    let attr = attr_of(&f.attrs).unwrap_or_default();
                    f.attrs.retain(|a| !a.path().is_ident("tenant_scoped"));
                    out.push(Function {
                        name: f.sig.ident.to_string(),
                        lines: lines(item.span()),
                        tokens: f.to_token_stream(),
                        attr,
                    });
                }
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        walk(items, None, out);
                    }
                }
                syn::Item::Impl(block) => {
                    let on_impl = attr_of(&block.attrs);
                    for member in &block.items {
                        let syn::ImplItem::Fn(method) = member else {
                            continue;
                        };
                        let attr = attr_of(&method.attrs)
                            .or_else(|| on_impl.clone())
                            .or_else(|| inherited.cloned())
                            .unwrap_or_default();
                        let mut method = method.clone();
                        method.attrs.retain(|a| !a.path().is_ident("tenant_scoped"));
                        out.push(Function {
                            name: method.sig.ident.to_string(),
                            lines: lines(member.span()),
                            tokens: method.to_token_stream(),
                            attr,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&file.items, None, &mut out);
    out
}

/// The errors of an expansion, as points: `[TI001] …\n  in path\n  at line L, column C`.
fn expansion_points(output: &str, file: &Path, base: &Path) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    for error in output.split("compile_error !").skip(1) {
        let text = error.trim_start_matches(" {").trim();
        let text = text
            .trim_start_matches('"')
            .split("\" }")
            .next()
            .unwrap_or(text);
        let code = text
            .strip_prefix("[")
            .and_then(|t| t.split_once(']'))
            .map(|(c, _)| c.to_string())
            .ok_or_else(|| format!("an error without a rule code: {text}"))?;
        // An unreadable schema statement stands where the CLI reports it.
        if let Some((_, rest)) = text.split_once("cannot read defines (") {
            let mut parts = rest.splitn(4, ':');
            let (path, line, column) = (parts.next(), parts.next(), parts.next());
            out.push((
                base.join(path.unwrap_or("")),
                line.and_then(|l| l.parse().ok()).unwrap_or(0),
                column.and_then(|c| c.parse().ok()).unwrap_or(0),
                code,
            ));
            continue;
        }
        let path = match text.split_once("\\n  in ") {
            Some((_, rest)) => base.join(rest.split("\\n").next().unwrap_or("")),
            None => file.to_path_buf(),
        };
        let (_, at) = text
            .split_once("at line ")
            .ok_or_else(|| format!("an error without a position: {text}"))?;
        let (line, rest) = at.split_once(", column ").unwrap();
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        out.push((path, line.parse().unwrap(), column.parse().unwrap(), code));
    }
    Ok(out)
}

/// The nearest directory holding a `Cargo.toml`, else the configuration's.
fn manifest_dir(file: &Path, config_dir: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(config_dir))
        .find(|d| d.join("Cargo.toml").is_file())
        .unwrap_or(config_dir)
        .to_path_buf()
}

/// What the two faces said differently, one line each.
fn disagreements(dir: &Path) -> (Vec<String>, Counts) {
    let project = Project::load(dir, &[], &Overrides::default()).expect("the project loads");
    let report = project.check();
    let config = &project.engine.model().config;
    let base = config.base_dir.clone();
    let absolute = |path: &Path| tenant_lint::model::files::normalize(&dir.join(path));
    let cli_errors: BTreeSet<Point> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && !matches!(d.code, "TI301" | "TI302"))
        .map(|d| {
            (
                absolute(&d.path),
                d.span.start.line,
                d.span.start.column,
                d.code.to_string(),
            )
        })
        .collect();
    let schema_files: BTreeSet<PathBuf> = tenant_lint::model::files::schema_files(config)
        .unwrap()
        .iter()
        .map(|p| tenant_lint::model::files::normalize(p))
        .collect();
    let mut problems = Vec::new();
    let mut blamed = 0;
    let mut functions_seen = 0;
    // Errors both faces reported at the same place.
    let mut matched = 0;
    // Errors of included files that some expansion reported, by file.
    let mut included: BTreeSet<Point> = BTreeSet::new();
    let mut including: BTreeSet<PathBuf> = BTreeSet::new();
    for file in project.files.iter().filter(|f| f.scanned) {
        let is_rust = file.absolute.extension().is_some_and(|x| x == "rs");
        let Some(source) = file.source.as_ref().filter(|_| is_rust) else {
            continue;
        };
        let Ok(parsed) = syn::parse_file(&source.text) else {
            continue;
        };
        let path = tenant_lint::model::files::normalize(&file.absolute);
        for function in functions(&parsed) {
            functions_seen += 1;
            let locate = |s: Span| Some(span_location(s));
            let file_of = |_: Span| Some(path.clone());
            let env = MacroEnv {
                manifest_dir: manifest_dir(&path, &base),
                config: None,
                locate: &locate,
                file_of: &file_of,
            };
            let output = expand(function.attr.clone(), function.tokens.clone(), &env).to_string();
            let points = match expansion_points(&output, &path, &base) {
                Ok(points) => points,
                Err(e) => {
                    problems.push(format!("{}::{}: {e}", path.display(), function.name));
                    continue;
                }
            };
            let mut mine: BTreeSet<Point> = BTreeSet::new();
            for point in points {
                if matches!(point.3.as_str(), "TI301" | "TI302") {
                    continue;
                }
                if schema_files.contains(&point.0) {
                    // Reported by the CLI in the schema file, once.
                    if !cli_errors.contains(&point) {
                        problems.push(format!(
                            "{}::{}: the attribute blames {point:?}, which the CLI does not report",
                            path.display(),
                            function.name
                        ));
                    }
                    blamed += 1;
                } else if point.0 != path {
                    including.insert(point.0.clone());
                    included.insert(point);
                } else {
                    mine.insert(point);
                }
            }
            let cli: BTreeSet<Point> = cli_errors
                .iter()
                .filter(|p| p.0 == path && function.lines.contains(&p.1))
                .cloned()
                .collect();
            matched += cli.len();
            if mine != cli {
                problems.push(format!(
                    "{}::{} (lines {:?}): the attribute says {:?}, the CLI {:?}",
                    path.display(),
                    function.name,
                    function.lines,
                    mine.difference(&cli).collect::<Vec<_>>(),
                    cli.difference(&mine).collect::<Vec<_>>(),
                ));
            }
        }
    }
    let cli_included: BTreeSet<Point> = cli_errors
        .iter()
        .filter(|p| including.contains(&p.0))
        .cloned()
        .collect();
    if included != cli_included {
        problems.push(format!(
            "included files: the attribute says {:?}, the CLI {:?}",
            included.difference(&cli_included).collect::<Vec<_>>(),
            cli_included.difference(&included).collect::<Vec<_>>(),
        ));
    }
    let (statements, refused) = guard_disagreements(&project, &report, &mut problems);
    let counts = Counts {
        functions: functions_seen,
        matched,
        included: included.len(),
        blamed,
        statements,
        refused,
    };
    eprintln!("{}: {counts:?}", dir.display());
    (problems, counts)
}

/// What a comparison covered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Counts {
    /// Functions expanded.
    functions: usize,
    /// Errors both the attribute and the CLI report at the same place in a function.
    matched: usize,
    /// Errors of included files both report.
    included: usize,
    /// Attribute errors on SQL that uses what an unreadable schema statement defines.
    blamed: usize,
    /// Statements the guard judged like the CLI.
    statements: usize,
    /// Statements the guard refused for an unreadable schema statement (which the CLI
    /// reports in its schema file).
    refused: usize,
}

/// The guard against the CLI on every statement it would see whole: each statement of
/// a scanned SQL file, and each SQL string of a Rust file that has no `format!` hole
/// and is not built at run time. Not compared: statements a suppression covers (the
/// guard has no comments), statements of schema files (they ran against the schema of
/// their migration), and files that create temporary tables or set the search path
/// (the guard checks each statement alone).
fn guard_disagreements(
    project: &Project,
    report: &tenant_lint::project::CheckReport,
    problems: &mut Vec<String>,
) -> (usize, usize) {
    let config = &project.engine.model().config;
    let config_text = std::fs::read_to_string(config.path.as_ref().expect("a configuration file"))
        .expect("the configuration reads");
    let schema_files = tenant_lint::model::files::schema_files(config).unwrap();
    let texts: Vec<(String, String)> = schema_files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut ordered: Vec<&(String, String)> = texts.iter().collect();
    ordered.sort_by_cached_key(|(p, _)| tenant_lint::model::schema::order_key(Path::new(p)));
    let schema: Vec<(&str, &str)> = ordered
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let guard = Guard::new(&config_text, &schema).expect("the guard builds");
    let schema_set: BTreeSet<PathBuf> = schema_files
        .iter()
        .map(|p| tenant_lint::model::files::canonical(p))
        .collect();
    // The schema statements the CLI reports as unreadable.
    let unread = tenant_lint::model::files::configured_schema(config)
        .unwrap()
        .timeline
        .problems;
    let cli_reports = |problem: &tenant_lint::model::loader::SchemaProblem| {
        report.diagnostics.iter().any(|d| {
            d.code == "TI999"
                && tenant_lint::model::files::canonical(&config.base_dir.join(&d.path))
                    == tenant_lint::model::files::canonical(&problem.path)
                && d.span.start == problem.failure.at
        })
    };
    let mut compared = 0;
    let mut refused = 0;
    for (file, (path, outcome)) in project.files.iter().zip(&report.files) {
        assert_eq!(&file.path, path);
        let Some(source) = file.source.as_ref().filter(|_| file.scanned) else {
            continue;
        };
        if schema_set.contains(&tenant_lint::model::files::canonical(&file.absolute)) {
            continue;
        }
        let lower = source.text.to_ascii_lowercase();
        if lower.contains("temporary")
            || lower.contains("temp table")
            || lower.contains("search_path")
        {
            continue;
        }
        if project.engine.dialect_of(&file.absolute) != config.dialect {
            continue;
        }
        let flagged = |from: u64, to: u64| {
            report.diagnostics.iter().any(|d| {
                // Findings about suppression comments are not about the statement.
                d.path == file.path
                    && !matches!(d.code, "TI902" | "TI903")
                    && (from..=to).contains(&d.span.start.line)
            })
        };
        let suppressed = |from: u64, to: u64| {
            outcome
                .suppressed
                .iter()
                .any(|r| r.contains(&from) || r.contains(&to))
        };
        let mut compare = |sql: &str, from: u64, to: u64, what: String| {
            if suppressed(from, to) {
                return;
            }
            let verdict = guard.check(sql);
            let words: BTreeSet<String> =
                tenant_lint::model::loader::word_keys(sql, config.dialect)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
            let words: std::collections::HashSet<String> = words.into_iter().collect();
            if let Some(problem) = unread.iter().find(|p| p.concerns(&words)) {
                // The CLI reports the schema statement; the guard refuses its uses.
                if !cli_reports(problem) || verdict.as_ref().map_err(|r| r.code) != Err("TI999") {
                    problems.push(format!(
                        "{} {what}: uses what an unreadable schema statement defines; the CLI {} it, the guard {verdict:?}",
                        file.path.display(),
                        if cli_reports(problem) { "reports" } else { "does not report" },
                    ));
                }
                refused += 1;
                return;
            }
            compared += 1;
            let cli = flagged(from, to);
            if cli != verdict.is_err() {
                problems.push(format!(
                    "{} {what}: the CLI {}, the guard {verdict:?}",
                    file.path.display(),
                    if cli { "reports it" } else { "passes it" },
                ));
            }
        };
        if let Some(rust) = project.rust_facts(file) {
            for sql in &rust.sql {
                if sql.built || !sql.holes.is_empty() || sql.include.is_some() {
                    continue;
                }
                if !tenant_lint::extract::rust::starts_like_sql(&sql.text.text)
                    || !tenant_lint::rust_check::is_sql(&project.engine, sql)
                {
                    continue;
                }
                let (Some(first), Some(last)) = (sql.text.at.first(), sql.text.at.last()) else {
                    continue;
                };
                compare(
                    &sql.text.text,
                    first.line,
                    last.line,
                    format!("SQL at line {}", first.line),
                );
            }
        } else if file.absolute.extension().is_some_and(|x| x == "sql") {
            let lines = source.lines();
            // A routine's statements are read inside it; the guard sees the routine.
            let whole = |inner: &tenant_lint::engine::StatementSite| {
                !outcome.statements.iter().any(|outer| {
                    outer.span != inner.span
                        && outer.span.start <= inner.span.start
                        && inner.span.end <= outer.span.end
                })
            };
            for site in outcome.statements.iter().filter(|s| whole(s)) {
                let range = lines.byte_range(&source.text, site.span);
                compare(
                    &source.text[range],
                    site.span.start.line,
                    site.span.end.line,
                    format!("statement at line {}", site.span.start.line),
                );
            }
        }
    }
    (compared, refused)
}

/// Asserts the faces agree on `dir`, and that the comparison covered at least `least`
/// (so an empty comparison cannot pass).
fn assert_agree(dir: &Path, least: Counts) {
    let (problems, counts) = disagreements(dir);
    assert!(
        problems.is_empty(),
        "{} disagreement(s) in {}:\n{}",
        problems.len(),
        dir.display(),
        problems.join("\n")
    );
    let covered = counts.functions >= least.functions
        && counts.matched >= least.matched
        && counts.included >= least.included
        && counts.blamed >= least.blamed
        && counts.statements >= least.statements
        && counts.refused >= least.refused;
    assert!(
        covered,
        "{}: compared {counts:?}, expected at least {least:?}",
        dir.display()
    );
}

#[test]
fn the_faces_agree_where_they_once_disagreed() {
    // Constants in holes (of the file, of another module), included SQL files, an
    // unreadable schema statement, line and file suppressions.
    assert_agree(
        &root().join("fixtures/apps/faces"),
        Counts {
            functions: 8,
            matched: 1,
            included: 1,
            blamed: 1,
            statements: 3,
            refused: 1,
        },
    );
}

#[test]
fn the_faces_agree_on_code_declared_cross_tenant_and_test_code() {
    assert_agree(
        &root().join("fixtures/apps/service"),
        Counts {
            functions: 5,
            statements: 1,
            ..Counts::default()
        },
    );
}

#[test]
fn the_faces_agree_on_the_rust_fixtures() {
    assert_agree(
        &root().join("fixtures/rust"),
        Counts {
            functions: 17,
            matched: 12,
            statements: 26,
            ..Counts::default()
        },
    );
}

#[test]
fn the_faces_agree_on_the_sql_fixtures() {
    for (dir, statements) in [("sql", 300), ("proofs", 35), ("postgres", 35)] {
        assert_agree(
            &root().join("fixtures").join(dir),
            Counts {
                statements,
                ..Counts::default()
            },
        );
    }
}

#[test]
fn the_faces_agree_on_the_reference_app_and_the_seed_audit_app() {
    assert_agree(
        &root().join("reference-app"),
        Counts {
            functions: 190,
            statements: 100,
            ..Counts::default()
        },
    );
    assert_agree(
        &root().join("fixtures/apps/seed-audit"),
        Counts {
            functions: 14,
            matched: 8,
            statements: 18,
            ..Counts::default()
        },
    );
    assert_agree(
        &root().join("fixtures/apps/leaky-kpi"),
        Counts {
            functions: 4,
            matched: 3,
            statements: 3,
            ..Counts::default()
        },
    );
}

#[test]
fn the_faces_agree_on_a_generated_corpus() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("faces-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    tenant_lint::corpus::generate(
        &dir,
        tenant_lint::corpus::Shape {
            files: 40,
            lines_per_file: 120,
            statements: 300,
            sql_file_every: 2,
        },
    )
    .unwrap();
    assert!(Config::discover(&dir).is_some(), "the corpus is configured");
    assert_agree(
        &dir,
        Counts {
            functions: 300,
            statements: 300,
            ..Counts::default()
        },
    );
}
