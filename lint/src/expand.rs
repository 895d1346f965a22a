//! What `#[tenant_scoped]` expands to, as a library function so it is tested here; the
//! `tenant-lint-macros` crate only supplies the compiler's span positions.
//!
//! The item is always re-emitted unchanged (errors do not cascade), followed by one
//! `compile_error!` per error-severity finding, under the literal (or function name) it
//! concerns. The expansion also includes the configuration and schema files, so cargo
//! rebuilds when they change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use sqlparser::tokenizer::Location;

use crate::engine::Engine;
use crate::extract::rust::{Extracted, Locate, ScopedArgs, extract_item};
use crate::model::files::configured_schema;
use crate::model::{Config, TenantModel};
use crate::report::diagnostic::{Finding, Severity};
use crate::rules;
use crate::rust_check::{SuppressionComment, suppression_comments};

/// What the macro knows about where it runs.
pub struct MacroEnv<'a> {
    /// `CARGO_MANIFEST_DIR` of the crate being compiled.
    pub manifest_dir: PathBuf,
    /// `TENANT_LINT_CONFIG`, when set: the configuration file to use instead of the one
    /// found above `manifest_dir`.
    pub config: Option<PathBuf>,
    /// Where a span starts in its file (`None` when the compiler cannot tell).
    pub locate: &'a dyn Fn(Span) -> Option<Location>,
    /// The file a span is in, to read its `// tenant-lint: allow` comments.
    pub file_of: &'a dyn Fn(Span) -> Option<PathBuf>,
}

/// A loaded configuration and schema, shared by every expansion in one compilation.
struct Loaded {
    engine: Engine,
    /// Files whose change must rebuild the crate, with when they were last modified.
    tracked: Vec<(PathBuf, Option<std::time::SystemTime>)>,
    /// Whether an expansion already included the tracked files: once per compilation
    /// is enough for cargo, and including them in every function would make the
    /// compiler read them once per function.
    included: std::sync::atomic::AtomicBool,
}

impl Loaded {
    /// Whether a tracked file changed since it was loaded (a long-lived process, such as
    /// an editor's proc-macro server, sees edits this way).
    fn stale(&self) -> bool {
        self.tracked
            .iter()
            .any(|(path, when)| modified(path) != *when)
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
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
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
    let loaded = match load(&env.manifest_dir, env.config.as_deref()) {
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
    let errors = findings(&loaded.engine, &extracted, env);
    let is_fn = matches!(parsed, syn::Item::Fn(_));
    with_errors(item, errors, &loaded.to_include(), is_fn)
}

/// The error-severity findings of an item, each with the span it goes under.
fn findings(engine: &Engine, extracted: &Extracted, env: &MacroEnv) -> Vec<(Span, String)> {
    let checked = engine.check_rust(&extracted.facts);
    let spans = &extracted.spans;
    // `// tenant-lint: allow(…)` comments of the item's file, read once per file; only
    // those within the item matter.
    let comments = spans
        .first()
        .and_then(|s| (env.file_of)(*s))
        .map(|file| file_comments(&file));
    let lines = item_lines(&extracted.facts);
    let mut all: Vec<Finding> = checked.findings.iter().map(|f| f.finding.clone()).collect();
    let kept: Vec<Finding> = match comments {
        Some(comments) => {
            let relevant: Vec<SuppressionComment> = comments
                .iter()
                .filter(|c| lines.contains(&c.target))
                .cloned()
                .collect();
            let mut suppressions = engine.rust_suppressions(&relevant, &extracted.facts, &mut all);
            crate::report::suppress::apply(&mut all, &mut suppressions);
            all
        }
        None => all,
    };
    let known = env_has_positions(env, spans);
    kept.into_iter()
        .filter(|f| rules::find(f.code).and_then(|r| engine.severity(r)) == Some(Severity::Error))
        .map(|finding| {
            let span = checked
                .findings
                .iter()
                .find(|r| r.finding == finding)
                .map_or_else(Span::call_site, |r| spans[r.span.0]);
            (span, message(&finding, known))
        })
        .collect()
}

/// The lines an item's SQL and functions span.
fn item_lines(facts: &crate::extract::rust::RustFacts) -> std::ops::RangeInclusive<u64> {
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

/// A file's suppression comments, read once per compilation.
fn file_comments(file: &Path) -> Arc<Vec<SuppressionComment>> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, Arc<Vec<SuppressionComment>>>>> = OnceLock::new();
    let files = FILES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut files = files
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    files
        .entry(file.to_path_buf())
        .or_insert_with(|| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            Arc::new(suppression_comments(&text))
        })
        .clone()
}

fn env_has_positions(env: &MacroEnv, spans: &[Span]) -> bool {
    spans.first().is_some_and(|s| (env.locate)(*s).is_some())
}

/// `[TI001] `JOB` is read without a `client_id` filter` with where in the SQL, and the help.
fn message(finding: &Finding, known_positions: bool) -> String {
    let mut text = format!("[{}] {}", finding.code, finding.message);
    if known_positions && finding.span.start.line > 0 {
        text.push_str(&format!(
            "\n  at line {}, column {}",
            finding.span.start.line, finding.span.start.column
        ));
    }
    if let Some(label) = &finding.label {
        text.push_str(&format!(": {label}"));
    }
    if let Some(help) = &finding.help {
        text.push_str(&format!("\n  help: {help}"));
    }
    text
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

/// The engine for the crate at `manifest_dir`, loaded once per compilation.
fn load(manifest_dir: &Path, config: Option<&Path>) -> Result<Arc<Loaded>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = config.unwrap_or(manifest_dir).to_path_buf();
    if let Some(Ok(loaded)) = cache.get(&key)
        && loaded.stale()
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
            "`#[tenant_scoped]` needs a tenant-lint.toml in {} or a parent directory, with `[schema] files`",
            manifest_dir.display()
        )
    })?;
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    let schema = configured_schema(&config).map_err(|e| e.to_string())?;
    if let Some((file, failure)) = schema.problems.first() {
        return Err(format!(
            "{}:{}:{}: the schema cannot be read: {}",
            file.display(),
            failure.at.line,
            failure.at.column,
            failure.message
        ));
    }
    let mut tracked = vec![path];
    tracked.extend(schema.files.iter().filter_map(|f| f.canonicalize().ok()));
    let tracked = tracked
        .into_iter()
        .map(|p| {
            let when = modified(&p);
            (p, when)
        })
        .collect();
    let engine = Engine::new(TenantModel::new(config, schema.schema)).map_err(|e| e.to_string())?;
    Ok(Loaded {
        engine,
        tracked,
        included: std::sync::atomic::AtomicBool::new(false),
    })
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
