//! What `#[tenant_scoped]` expands to, as a library function so it is tested here; the
//! `tenant-lint-macros` crate only supplies the compiler's span positions.
//!
//! The item is always re-emitted unchanged (errors do not cascade), followed by one
//! `compile_error!` per error-severity finding, under the literal (or function name) it
//! concerns. The verdict is the CLI's: the schema is loaded by the same code
//! ([`crate::model::files::configured_schema`]), `format!` holes naming constants are
//! filled from the item's file and then the crate's as the CLI fills them,
//! `include_str!`/`query_file!` SQL is checked as the CLI checks the included file, and
//! `// tenant-lint: allow…` comments (`allow-file` included) apply alike. A schema
//! statement that cannot be read is reported under the SQL that uses what it names.
//!
//! The expansion also includes the configuration and schema files, so cargo rebuilds
//! when they change.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use sqlparser::tokenizer::Location;

use crate::engine::Engine;
use crate::extract::consts::{Constants, located_consts, string_consts};
use crate::extract::literal::Decoded;
use crate::extract::rust::{Extracted, Locate, RustFacts, ScopedArgs, extract_item};
use crate::model::files::{ScanFilter, configured_schema, normalize, relative_to};
use crate::model::loader::{SchemaProblem, word_keys};
use crate::model::{Config, TenantModel};
use crate::report::diagnostic::{Finding, Severity};
use crate::rules;
use crate::rust_check::{RustFinding, SuppressionComment, suppression_comments};

/// What the macro knows about where it runs.
pub struct MacroEnv<'a> {
    /// `CARGO_MANIFEST_DIR` of the crate being compiled.
    pub manifest_dir: PathBuf,
    /// `TENANT_LINT_CONFIG`, when set: the configuration file to use instead of the one
    /// found above `manifest_dir`.
    pub config: Option<PathBuf>,
    /// Where a span starts in its file (`None` when the compiler cannot tell).
    pub locate: &'a dyn Fn(Span) -> Option<Location>,
    /// The file a span is in, to read its `// tenant-lint: allow` comments, its
    /// constants and the files it includes.
    pub file_of: &'a dyn Fn(Span) -> Option<PathBuf>,
}

/// How long a loaded configuration and schema are trusted before the files are looked
/// at again. A compiler process sees no edit while it runs (cargo rebuilds after one);
/// a long-lived process, such as an editor's proc-macro server, sees an edit within
/// this delay. Looking at every file once per expansion would cost as much as the
/// check itself with hundreds of migrations.
const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// A file whose change must be noticed, with when it was last modified.
type Tracked = Vec<(PathBuf, Option<SystemTime>)>;

/// A loaded configuration and schema, shared by every expansion in one compilation.
struct Loaded {
    engine: Engine,
    /// Schema statements that could not be read (and the CLI reports), without the
    /// suppressed ones.
    problems: Vec<SchemaProblem>,
    /// Which files `[scan]` selects: the files a `format!` constant may come from, and
    /// the included files that are checked.
    scan: ScanFilter,
    /// The configuration and schema files, whose change must rebuild the crate.
    tracked: Tracked,
    /// When the tracked files were last looked at.
    looked: Mutex<Instant>,
    /// Whether an expansion already included the tracked files: once per compilation
    /// is enough for cargo, and including them in every function would make the
    /// compiler read them once per function.
    included: std::sync::atomic::AtomicBool,
    /// The string constants of the scanned Rust files, read when a `format!` hole
    /// first names one that is not in its own file, with the files that define them.
    constants: Mutex<Option<Arc<(Constants, Tracked)>>>,
}

impl Loaded {
    /// Whether a tracked file changed since it was loaded, looked at no more than
    /// once per `interval`. Constants of other files that changed are read again.
    fn stale(&self, interval: Duration) -> bool {
        {
            let mut looked = lock(&self.looked);
            if looked.elapsed() < interval {
                return false;
            }
            *looked = Instant::now();
        }
        let mut constants = lock(&self.constants);
        if constants.as_ref().is_some_and(|c| changed(&c.1)) {
            *constants = None;
        }
        changed(&self.tracked)
    }

    /// The files to include in this expansion: all of them the first time, then none.
    fn to_include(&self) -> Vec<PathBuf> {
        if self
            .included
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            Vec::new()
        } else {
            self.tracked.iter().map(|(p, _)| p.clone()).collect()
        }
    }

    /// The string constants of every scanned Rust file, as the CLI collects them.
    fn constants(&self) -> Arc<(Constants, Tracked)> {
        let mut cached = lock(&self.constants);
        if let Some(constants) = cached.as_ref() {
            return constants.clone();
        }
        let mut constants = Constants::default();
        let mut files = Vec::new();
        for path in self.scan.rust_files() {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let found = string_consts(&text);
            if found.is_empty() {
                continue;
            }
            for (name, value) in found {
                constants.add(name, value);
            }
            let when = modified(&path);
            files.push((path, when));
        }
        let loaded = Arc::new((constants, files));
        *cached = Some(loaded.clone());
        loaded
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn changed(tracked: &Tracked) -> bool {
    tracked.iter().any(|(path, when)| modified(path) != *when)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Expands `#[tenant_scoped(attr)] item`.
pub fn expand(attr: TokenStream, item: TokenStream, env: &MacroEnv) -> TokenStream {
    let args = ScopedArgs::parse(attr);
    let parsed: syn::Item = match syn::parse2(item.clone()) {
        Ok(parsed @ (syn::Item::Fn(_) | syn::Item::Impl(_))) => parsed,
        Ok(other) => {
            return with_errors(
                item,
                vec![(
                    other
                        .to_token_stream()
                        .into_iter()
                        .next()
                        .map_or_else(Span::call_site, |t| t.span()),
                    "`#[tenant_scoped]` applies to functions and `impl` blocks".to_string(),
                )],
                &[],
                false,
            );
        }
        Err(e) => return with_errors(item, vec![(e.span(), e.to_string())], &[], false),
    };
    let loaded = match load(&env.manifest_dir, env.config.as_deref(), RECHECK_AFTER) {
        Ok(loaded) => loaded,
        Err(message) => {
            return with_errors(item, vec![(Span::call_site(), message)], &[], false);
        }
    };
    let locate_or_start = |span: Span| (env.locate)(span).unwrap_or(Location::new(1, 1));
    let locate: Locate = &locate_or_start;
    let extracted = extract_item(
        &parsed,
        locate,
        &loaded.engine.model().config.scope_types,
        args,
    );
    let errors = findings(&loaded, &extracted, env);
    let is_fn = matches!(parsed, syn::Item::Fn(_));
    with_errors(item, errors, &loaded.to_include(), is_fn)
}

/// What the macro reads of the file an item is in, read once per version of the file.
struct FileFacts {
    modified: Option<SystemTime>,
    comments: Vec<SuppressionComment>,
    /// Its string constants, with their positions (read when a hole names one).
    consts: OnceLock<Vec<(String, Decoded)>>,
    /// The lines of its test items (read when test code is not checked).
    test_regions: OnceLock<Vec<std::ops::RangeInclusive<u64>>>,
    text: String,
}

/// The facts of the file an item is in: read once per compilation, and again when it
/// changes.
fn file_facts(file: &Path) -> Arc<FileFacts> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, Arc<FileFacts>>>> = OnceLock::new();
    let files = FILES.get_or_init(|| Mutex::new(HashMap::new()));
    let when = modified(file);
    let mut files = lock(files);
    if let Some(facts) = files.get(file)
        && facts.modified == when
    {
        return facts.clone();
    }
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let facts = Arc::new(FileFacts {
        modified: when,
        comments: suppression_comments(&text),
        consts: OnceLock::new(),
        test_regions: OnceLock::new(),
        text,
    });
    files.insert(file.to_path_buf(), facts.clone());
    facts
}

/// The error-severity findings of an item, each with the span it goes under.
fn findings(loaded: &Loaded, extracted: &Extracted, env: &MacroEnv) -> Vec<(Span, String)> {
    let engine = &loaded.engine;
    let spans = &extracted.spans;
    let facts = &extracted.facts;
    let file = spans.first().and_then(|s| (env.file_of)(*s));
    let file_facts = file.as_deref().map(file_facts);
    let dialect = file
        .as_deref()
        .map_or(engine.model().dialect(), |f| engine.dialect_of(f));
    let constants = constants_for(loaded, facts, file_facts.as_deref());
    let checked = engine.check_rust_with(facts, dialect, &constants);
    let mut found: Vec<RustFinding> = checked.findings;
    found.extend(schema_problems(loaded, facts, &constants, dialect));
    // Spans over the parentheses sqlparser leaves out, as the CLI widens them.
    if let Some(file_facts) = &file_facts
        && !found.is_empty()
    {
        let mut spans: Vec<Finding> = found.iter().map(|f| f.finding.clone()).collect();
        crate::engine::balance_spans(&file_facts.text, &mut spans);
        for (f, balanced) in found.iter_mut().zip(spans) {
            f.finding = balanced;
        }
    }
    let known = env_has_positions(env, spans);

    // `// tenant-lint: allow(…)` comments of the item's file: those within the item,
    // and the file's `allow-file` ones.
    let mut all: Vec<Finding> = found.iter().map(|f| f.finding.clone()).collect();
    if let Some(file_facts) = &file_facts {
        let lines = item_lines(facts);
        let relevant: Vec<SuppressionComment> = file_facts
            .comments
            .iter()
            .filter(|c| lines.contains(&c.target) || is_file_wide(c))
            .cloned()
            .collect();
        let mut suppressions = engine.rust_suppressions(&relevant, facts, &mut all);
        // Code declared cross-tenant, and test code, as the CLI reads them.
        if let Some(file) = &file {
            let regions = || {
                file_facts
                    .test_regions
                    .get_or_init(|| crate::report::declared::test_regions(&file_facts.text))
                    .clone()
            };
            suppressions.extend(engine.declarations().suppressions_with(
                file,
                &regions,
                &facts.functions,
            ));
        }
        crate::report::suppress::apply(&mut all, &mut suppressions);
    }
    let error =
        |code: &str| rules::find(code).and_then(|r| engine.severity(r)) == Some(Severity::Error);
    let mut out: Vec<(Span, String)> = all
        .into_iter()
        .filter(|f| error(f.code))
        .map(|finding| {
            let span = found
                .iter()
                .find(|r| r.finding == finding)
                .map_or_else(Span::call_site, |r| spans[r.span.0]);
            (span, Message::of(&finding).render(known, None))
        })
        .collect();
    out.extend(included_findings(
        loaded,
        facts,
        spans,
        env,
        file.as_deref(),
    ));
    out
}

/// Whether a comment is an `allow-file`, which covers the whole file.
fn is_file_wide(comment: &SuppressionComment) -> bool {
    matches!(
        crate::report::suppress::parse(&comment.text, comment.at),
        Some(Ok(allow)) if allow.file
    )
}

/// The constants a `format!` hole of the item may name: the item's file's, then the
/// crate's (read only when a hole names one the file does not define).
fn constants_for(loaded: &Loaded, facts: &RustFacts, file: Option<&FileFacts>) -> Constants {
    let named: Vec<&str> = facts
        .sql
        .iter()
        .flat_map(|s| s.holes.iter().filter_map(|h| h.name.as_deref()))
        .collect();
    if named.is_empty() {
        return Constants::default();
    }
    let local = file.map_or_else(Vec::new, |f| {
        f.consts.get_or_init(|| located_consts(&f.text)).clone()
    });
    let all_local = named.iter().all(|n| local.iter().any(|(l, _)| l == n));
    let project = if all_local {
        Constants::default()
    } else {
        loaded.constants().0.clone()
    };
    project.with_local(local)
}

/// An error under every SQL string that names what an unreadable schema statement
/// names: its tables may be other than the engine knows.
fn schema_problems(
    loaded: &Loaded,
    facts: &RustFacts,
    constants: &Constants,
    dialect: crate::model::Dialect,
) -> Vec<RustFinding> {
    if loaded.problems.is_empty() {
        return Vec::new();
    }
    let base = &loaded.engine.model().config.base_dir;
    let mut out = Vec::new();
    for sql in facts.sql.iter().filter(|s| s.include.is_none()) {
        let filled;
        let sql = if constants.fills(sql) {
            filled = constants.fill(sql);
            &filled
        } else {
            sql
        };
        let words: Option<HashSet<String>> =
            word_keys(&sql.text.text, dialect).map(|w| w.into_iter().collect());
        let Some(problem) = loaded
            .problems
            .iter()
            .find(|p| words.as_ref().is_none_or(|w| p.concerns(w)))
        else {
            continue;
        };
        let shown = relative_to(&problem.path, base).unwrap_or_else(|| problem.path.to_path_buf());
        let at = sql.text.at.first().unwrap_or(Location::new(1, 1));
        let mut reporter = crate::rules::Reporter::default();
        reporter
            .report(
                &rules::unparseable_sql::RULE,
                crate::extract::source::point(at.line, at.column),
                format!(
                    "this SQL uses what a schema statement tenant-lint cannot read defines ({}:{}:{}: {}), so it cannot be checked against the schema",
                    shown.display(),
                    problem.failure.at.line,
                    problem.failure.at.column,
                    problem.failure.message
                ),
            )
            .help("fix the schema statement, or suppress its finding where the CLI reports it");
        out.push(RustFinding {
            finding: reporter.findings.remove(0),
            span: sql.span,
            function: sql.function.clone(),
        });
    }
    out
}

/// The findings of the files the item includes (`include_str!`, `query_file!`), checked
/// as the CLI checks them (when `[scan]` selects them), under the including macro.
fn included_findings(
    loaded: &Loaded,
    facts: &RustFacts,
    spans: &[Span],
    env: &MacroEnv,
    file: Option<&Path>,
) -> Vec<(Span, String)> {
    let engine = &loaded.engine;
    let mut out = Vec::new();
    for sql in &facts.sql {
        let Some(included) = &sql.include else {
            continue;
        };
        // `query_file!` reads from the crate's root, `include_str!` from the file's
        // directory (unknown without the compiler's file: the CLI checks it then).
        let base = if sql.include_from_crate {
            env.manifest_dir.clone()
        } else {
            match file.and_then(Path::parent) {
                Some(dir) => dir.to_path_buf(),
                None => continue,
            }
        };
        let absolute = normalize(&base.join(included));
        if !loaded.scan.selects(&absolute) {
            continue;
        }
        let sql_file = absolute
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("sql"));
        let text = match std::fs::read_to_string(&absolute) {
            Ok(text) => text,
            Err(_) if !sql_file => continue,
            Err(e) => {
                out.push((
                    spans[sql.span.0],
                    format!("cannot read {}: {e}", absolute.display()),
                ));
                continue;
            }
        };
        if !sql_file && !crate::extract::rust::starts_like_sql(&text) {
            continue;
        }
        let shown = relative_to(&absolute, &engine.model().config.base_dir)
            .unwrap_or_else(|| absolute.clone());
        let path: Arc<Path> = Arc::from(shown.as_path());
        let outcome = engine.check_sql_file_at(
            &path,
            &text,
            Vec::new(),
            &|_| None,
            engine.dialect_of(&absolute),
        );
        for diagnostic in outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            let text = Message {
                code: diagnostic.code,
                message: &diagnostic.message,
                at: diagnostic.span.start,
                label: diagnostic.label.as_deref(),
                help: diagnostic.help.as_deref(),
            }
            .render(true, Some(&shown));
            out.push((spans[sql.span.0], text));
        }
    }
    out
}

/// The lines an item's SQL and functions span.
fn item_lines(facts: &RustFacts) -> std::ops::RangeInclusive<u64> {
    let starts = facts
        .scoped
        .iter()
        .map(|f| f.lines.start)
        .chain(facts.sql.iter().map(|s| s.statement_line));
    let ends = facts.scoped.iter().map(|f| f.lines.end).chain(
        facts
            .sql
            .iter()
            .filter_map(|s| s.text.at.last().map(|a| a.line)),
    );
    starts.min().unwrap_or(0)..=ends.max().unwrap_or(0)
}

fn env_has_positions(env: &MacroEnv, spans: &[Span]) -> bool {
    spans.first().is_some_and(|s| (env.locate)(*s).is_some())
}

/// A compile error's text: `[TI001] `JOB` is read without a `client_id` filter` with
/// where it is (in `file` when it is not the item's), and the help.
struct Message<'a> {
    code: &'a str,
    message: &'a str,
    at: Location,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

impl<'a> Message<'a> {
    fn of(finding: &'a Finding) -> Self {
        Message {
            code: finding.code,
            message: &finding.message,
            at: finding.span.start,
            label: finding.label.as_deref(),
            help: finding.help.as_deref(),
        }
    }

    fn render(&self, known_positions: bool, file: Option<&Path>) -> String {
        let mut text = format!("[{}] {}", self.code, self.message);
        if known_positions && self.at.line > 0 {
            if let Some(file) = file {
                text.push_str(&format!("\n  in {}", file.display()));
            }
            text.push_str(&format!(
                "\n  at line {}, column {}",
                self.at.line, self.at.column
            ));
        }
        if let Some(label) = self.label {
            text.push_str(&format!(": {label}"));
        }
        if let Some(help) = self.help {
            text.push_str(&format!("\n  help: {help}"));
        }
        text
    }
}

/// The item, then its errors and the tracked files. For a function the tracking goes
/// inside its body, so the attribute works on methods too.
fn with_errors(
    item: TokenStream,
    errors: Vec<(Span, String)>,
    tracked: &[PathBuf],
    is_fn: bool,
) -> TokenStream {
    let errors = errors
        .into_iter()
        .map(|(span, message)| syn::Error::new(span, message).to_compile_error());
    let includes: Vec<TokenStream> = tracked
        .iter()
        .filter_map(|p| p.to_str())
        .map(|p| quote! { const _: &[u8] = include_bytes!(#p); })
        .collect();
    if is_fn
        && !includes.is_empty()
        && let Ok(mut function) = syn::parse2::<syn::ItemFn>(item.clone())
    {
        let tracking: syn::Stmt = syn::parse_quote! { { #(#includes)* } };
        function.block.stmts.insert(0, tracking);
        return quote! { #function #(#errors)* };
    }
    quote! { #item #(#includes)* #(#errors)* }
}

/// Loaded engines by configuration (or crate) path.
type Cache = Mutex<HashMap<PathBuf, Result<Arc<Loaded>, String>>>;

/// The engine for the crate at `manifest_dir`, loaded once per compilation and again
/// when a tracked file changed (looked at no more than once per `recheck`).
fn load(
    manifest_dir: &Path,
    config: Option<&Path>,
    recheck: Duration,
) -> Result<Arc<Loaded>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = lock(cache);
    let key = config.unwrap_or(manifest_dir).to_path_buf();
    if let Some(Ok(loaded)) = cache.get(&key)
        && loaded.stale(recheck)
    {
        cache.remove(&key);
    }
    cache
        .entry(key)
        .or_insert_with(|| load_uncached(manifest_dir, config).map(Arc::new))
        .clone()
}

fn load_uncached(manifest_dir: &Path, config: Option<&Path>) -> Result<Loaded, String> {
    let found = config
        .map(Path::to_path_buf)
        .or_else(|| Config::discover(manifest_dir));
    let path = found.ok_or_else(|| {
        format!(
            "`#[tenant_scoped]` needs a tenant-lint.toml in {} or a parent directory, with `[schema] files` (`tenant-lint init` writes one)",
            manifest_dir.display()
        )
    })?;
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    if config.schema_files.is_empty() {
        return Err(format!(
            "{}: `#[tenant_scoped]` checks against the schema of `[schema] files`, and none is configured",
            path.display()
        ));
    }
    let schema = configured_schema(&config).map_err(|e| e.to_string())?;
    let scan = ScanFilter::new(&config).map_err(|e| e.to_string())?;
    let mut tracked = vec![path];
    tracked.extend(schema.files.iter().filter_map(|f| f.canonicalize().ok()));
    let tracked = tracked
        .into_iter()
        .map(|p| {
            let when = modified(&p);
            (p, when)
        })
        .collect();
    let timeline = schema.timeline;
    let engine =
        Engine::new(TenantModel::new(config, timeline.schema)).map_err(|e| e.to_string())?;
    let problems = reported_problems(&engine, timeline.problems);
    Ok(Loaded {
        engine,
        problems,
        scan,
        tracked,
        looked: Mutex::new(Instant::now()),
        included: std::sync::atomic::AtomicBool::new(false),
        constants: Mutex::new(None),
    })
}

/// The unreadable schema statements the CLI reports: not those a `-- tenant-lint:
/// allow` comment of their file suppresses.
fn reported_problems(engine: &Engine, problems: Vec<SchemaProblem>) -> Vec<SchemaProblem> {
    if problems.is_empty() {
        return problems;
    }
    let mut texts: HashMap<Arc<Path>, String> = HashMap::new();
    problems
        .into_iter()
        .filter(|problem| {
            let text = texts
                .entry(problem.path.clone())
                .or_insert_with(|| std::fs::read_to_string(&problem.path).unwrap_or_default());
            let split = crate::engine::SplitSql::new(text, engine.dialect_of(&problem.path), None);
            let mut findings = vec![crate::engine::unparseable(&problem.failure)];
            let mut suppressions =
                engine.sql_suppressions(&split.comments, &split.spans, text, &mut findings);
            crate::report::suppress::apply(&mut findings, &mut suppressions);
            findings
                .iter()
                .any(|f| f.code == rules::unparseable_sql::RULE.code)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/rust")
    }

    /// Expands with the positions span locations give (as in the CLI), and returns the
    /// error messages.
    fn errors(attr: TokenStream, item: &str) -> Vec<String> {
        let locate = |s: Span| Some(crate::rust_check::span_location(s));
        let file_of = |_: Span| None;
        let env = MacroEnv {
            manifest_dir: fixtures(),
            config: None,
            locate: &locate,
            file_of: &file_of,
        };
        let item: TokenStream = item.parse().unwrap();
        let out = expand(attr, item, &env).to_string();
        out.split("compile_error !")
            .skip(1)
            .map(|e| e.trim_start_matches(" {").trim().to_string())
            .collect()
    }

    /// A scratch project: a configuration, a schema and Rust files, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, files: &[(&str, &str)]) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("tenant-lint-expand-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for (path, text) in files {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Scratch(dir)
        }

        /// The compile errors of function `name` of `file`, expanded as the macro
        /// expands it (the attribute's arguments from its `#[tenant_scoped(…)]`).
        fn expand_fn(&self, file: &str, name: &str) -> Vec<String> {
            let path = self.0.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = syn::parse_file(&text).unwrap();
            let mut function = parsed
                .items
                .iter()
                .find_map(|item| match item {
                    syn::Item::Fn(f) if f.sig.ident == name => Some(f.clone()),
                    _ => None,
                })
                .unwrap();
            let attr = function
                .attrs
                .iter()
                .find(|a| a.path().is_ident("tenant_scoped"))
                .map(|a| match &a.meta {
                    syn::Meta::List(list) => list.tokens.clone(),
                    _ => TokenStream::new(),
                })
                .unwrap_or_default();
            function
                .attrs
                .retain(|a| !a.path().is_ident("tenant_scoped"));
            let locate = |s: Span| Some(crate::rust_check::span_location(s));
            let file_of = |_: Span| Some(path.clone());
            let env = MacroEnv {
                manifest_dir: self.0.clone(),
                config: None,
                locate: &locate,
                file_of: &file_of,
            };
            let out = expand(attr, function.to_token_stream(), &env).to_string();
            out.split("compile_error !")
                .skip(1)
                .map(|e| e.trim_start_matches(" {").trim().to_string())
                .collect()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const CONFIG: &str = "dialect = \"postgres\"\n[tenant]\ncolumn = \"client_id\"\n[schema]\nfiles = [\"migrations/*.sql\"]\n";

    #[test]
    fn an_unreadable_schema_statement_concerns_only_the_sql_that_uses_its_table() {
        let scratch = Scratch::new(
            "unreadable",
            &[
                ("tenant-lint.toml", CONFIG),
                (
                    "migrations/0001_init.sql",
                    "CREATE TABLE job (id bigint PRIMARY KEY, client_id bigint NOT NULL);\nCREATE TABLE hold (id bigint PRIMARY KEY, client_id bigint NOT NULL);\n",
                ),
                (
                    "migrations/0002_odd.sql",
                    "ALTER TABLE hold ADD COLUMN note text WITH SYSTEM VERSIONING;\n",
                ),
                (
                    "src/lib.rs",
                    "fn jobs(db: &Db, scope: &TenantScope) { db.query(scope, \"SELECT id FROM job WHERE client_id = $1\") }\nfn holds(db: &Db, scope: &TenantScope) { db.query(scope, \"SELECT id FROM hold WHERE client_id = $1\") }\n",
                ),
            ],
        );
        assert_eq!(
            scratch.expand_fn("src/lib.rs", "jobs"),
            Vec::<String>::new()
        );
        let errs = scratch.expand_fn("src/lib.rs", "holds");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("[TI999]") && errs[0].contains("migrations/0002_odd.sql:1:"),
            "{errs:?}"
        );
        // Suppressed where the CLI reports it, it concerns nobody.
        std::fs::write(
            scratch.0.join("migrations/0002_odd.sql"),
            "-- tenant-lint: allow(unparseable-sql) reason=\"applied by hand\"\nALTER TABLE hold ADD COLUMN note text WITH SYSTEM VERSIONING;\n",
        )
        .unwrap();
        let config = scratch.0.join("tenant-lint.toml");
        let reloaded = load(&scratch.0, Some(&config), Duration::ZERO).unwrap();
        assert!(reloaded.problems.is_empty());
    }

    #[test]
    fn included_sql_files_are_checked_as_the_cli_checks_them() {
        let scratch = Scratch::new(
            "include",
            &[
                ("tenant-lint.toml", CONFIG),
                (
                    "migrations/0001_init.sql",
                    "CREATE TABLE job (id bigint PRIMARY KEY, client_id bigint NOT NULL);\n",
                ),
                ("src/unbound.sql", "SELECT id\nFROM job;\n"),
                (
                    "queries/bound.sql",
                    "SELECT id FROM job WHERE client_id = $1;\n",
                ),
                (
                    "src/lib.rs",
                    "fn a(db: &Db, scope: &TenantScope) { db.query(scope, include_str!(\"unbound.sql\")) }\nfn b(db: &Db, scope: &TenantScope) { sqlx::query_file!(\"queries/bound.sql\", scope) }\n",
                ),
            ],
        );
        let errs = scratch.expand_fn("src/lib.rs", "a");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("[TI001]")
                && errs[0].contains("in src/unbound.sql")
                && errs[0].contains("at line 2, column 6"),
            "{errs:?}"
        );
        assert_eq!(scratch.expand_fn("src/lib.rs", "b"), Vec::<String>::new());
    }

    #[test]
    fn format_holes_name_constants_of_the_file_and_of_the_crate() {
        let scratch = Scratch::new(
            "consts",
            &[
                ("tenant-lint.toml", CONFIG),
                (
                    "migrations/0001_init.sql",
                    "CREATE TABLE job (id bigint PRIMARY KEY, client_id bigint NOT NULL, path text);\n",
                ),
                (
                    "src/lib.rs",
                    "const TENANT_FILTER: &str = \"client_id = $1\";\nconst WRONG: &str = \"id = $1\";\nfn here(db: &Db, scope: &TenantScope) { db.query(scope, &format!(\"SELECT path FROM job WHERE {TENANT_FILTER}\")) }\nfn wrong(db: &Db, scope: &TenantScope) { db.query(scope, &format!(\"SELECT path FROM job WHERE {WRONG}\")) }\nfn there(db: &Db, scope: &TenantScope) { db.query(scope, &format!(\"SELECT {COLUMNS} FROM job WHERE client_id = $1\")) }\n",
                ),
                (
                    "src/columns.rs",
                    "pub const COLUMNS: &str = \"id, path\";\n",
                ),
            ],
        );
        assert_eq!(
            scratch.expand_fn("src/lib.rs", "here"),
            Vec::<String>::new()
        );
        let errs = scratch.expand_fn("src/lib.rs", "wrong");
        // The finding points into the constant's text, where the CLI points.
        assert!(
            errs.len() == 1 && errs[0].contains("[TI001]") && errs[0].contains("at line 4, column"),
            "{errs:?}"
        );
        assert_eq!(
            scratch.expand_fn("src/lib.rs", "there"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_allow_file_comment_covers_the_item() {
        let scratch = Scratch::new(
            "allow-file",
            &[
                ("tenant-lint.toml", CONFIG),
                (
                    "migrations/0001_init.sql",
                    "CREATE TABLE job (id bigint PRIMARY KEY, client_id bigint NOT NULL);\n",
                ),
                (
                    "src/lib.rs",
                    "//! tenant-lint: allow-file(TI001) reason=\"the nightly export reads every tenant\"\n\nfn all(db: &Db, scope: &TenantScope) { db.query(scope, \"SELECT id FROM job\") }\n",
                ),
            ],
        );
        assert_eq!(scratch.expand_fn("src/lib.rs", "all"), Vec::<String>::new());
    }

    #[test]
    fn a_changed_schema_file_is_read_again_and_unchanged_files_are_not_looked_at_each_time() {
        let scratch = Scratch::new(
            "stale",
            &[
                ("tenant-lint.toml", CONFIG),
                (
                    "migrations/0001_init.sql",
                    "CREATE TABLE job (id bigint PRIMARY KEY);\n",
                ),
            ],
        );
        let config = scratch.0.join("tenant-lint.toml");
        let first = load(&scratch.0, Some(&config), Duration::ZERO).unwrap();
        assert!(!first.engine.model().config.schema_files.is_empty());
        // An edit that keeps the length but changes the time.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(
            scratch.0.join("migrations/0001_init.sql"),
            "CREATE TABLE job (id bigint PRIMARY KEY, client_id bigint);\n",
        )
        .unwrap();
        let within = load(&scratch.0, Some(&config), Duration::from_secs(3600)).unwrap();
        assert!(
            Arc::ptr_eq(&first, &within),
            "not looked at within the delay"
        );
        let after = load(&scratch.0, Some(&config), Duration::ZERO).unwrap();
        assert!(!Arc::ptr_eq(&first, &after), "read again once looked at");
    }

    #[test]
    fn unbound_sql_is_a_compile_error_with_its_position() {
        let errs = errors(
            TokenStream::new(),
            r#"fn kpi(db: &Db, scope: &TenantScope) -> f64 { db.query(scope, "SELECT SUM(units_produced)
                 FROM PRODUCTION_ENTRY", []) }"#,
        );
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("[TI001] `PRODUCTION_ENTRY` is read without a `client_id` filter"),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("at line 2, column 23"), "{}", errs[0]);
    }

    #[test]
    fn an_unused_scope_does_not_compile() {
        let errs = errors(
            TokenStream::new(),
            "fn wip(db: &Db, scope: &TenantScope) -> u32 { db.count() }",
        );
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("[TI302]"), "{}", errs[0]);
    }

    #[test]
    fn the_escape_hatch_needs_a_reason_and_then_allows_cross_tenant_sql() {
        let hatch =
            |reason: &str| -> TokenStream { format!("cross_tenant = {reason:?}").parse().unwrap() };
        let item = r#"fn all(db: &Db) { db.query("SELECT * FROM CLIENT", []) }"#;
        assert!(errors(hatch("admin console"), item).is_empty());
        let errs = errors(hatch(""), item);
        assert!(
            errs.iter().any(|e| e.contains("needs a reason")),
            "{errs:?}"
        );
    }

    #[test]
    fn the_item_is_re_emitted_unchanged_and_the_config_is_tracked_once() {
        let locate = |_: Span| None;
        let file_of = |_: Span| None;
        // A configuration named explicitly, so no other test shares its cache entry.
        let env = MacroEnv {
            manifest_dir: fixtures(),
            config: Some(fixtures().join("tenant-lint.toml")),
            locate: &locate,
            file_of: &file_of,
        };
        let expand_f = || {
            expand(
                TokenStream::new(),
                "fn f(scope: &TenantScope) -> u8 { scope.len() }"
                    .parse()
                    .unwrap(),
                &env,
            )
            .to_string()
        };
        let first = expand_f();
        assert!(
            first.contains("fn f (scope : & TenantScope) -> u8"),
            "{first}"
        );
        assert!(first.contains("include_bytes !"), "{first}");
        assert!(
            first.contains("tenant-lint.toml") && first.contains("kpi.sql"),
            "{first}"
        );
        assert!(!first.contains("compile_error"), "{first}");
        let second = expand_f();
        assert!(
            !second.contains("include_bytes !"),
            "included once per compilation: {second}"
        );
    }

    #[test]
    fn other_items_are_an_error_not_a_panic() {
        let errs = errors(TokenStream::new(), "struct S;");
        assert!(errs[0].contains("applies to functions"), "{errs:?}");
    }

    #[test]
    fn a_missing_configuration_is_a_clear_error() {
        let locate = |_: Span| None;
        let file_of = |_: Span| None;
        let env = MacroEnv {
            manifest_dir: PathBuf::from("/"),
            config: None,
            locate: &locate,
            file_of: &file_of,
        };
        let out = expand(TokenStream::new(), "fn f() {}".parse().unwrap(), &env).to_string();
        assert!(out.contains("needs a tenant-lint.toml"), "{out}");
    }
}
