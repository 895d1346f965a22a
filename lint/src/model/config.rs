//! `tenant-lint.toml`: reading, validating and discovering the configuration.
//!
//! The file format is a contract (see `docs/DESIGN.md`); unknown keys and bad values
//! are errors with a line and column, never silently ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sqlparser::tokenizer::Location;
use toml::Spanned;

use crate::extract::source::LineIndex;
use crate::model::dialect::Dialect;

/// The name of the configuration file, looked for in the working directory and its parents.
pub const CONFIG_FILE: &str = "tenant-lint.toml";

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub dialect: Dialect,
    /// The tenant column (`client_id`).
    pub tenant_column: String,
    /// Strict mode: only these bind parameters carry the tenant. Empty = any parameter.
    pub params: Vec<String>,
    /// Tables declared tenant data in addition to what the schema shows.
    pub tenant_tables: Vec<String>,
    /// Reference data every tenant may read.
    pub shared_tables: Vec<String>,
    /// Per-table tenant column, for tables that name it differently.
    pub table_columns: BTreeMap<String, String>,
    /// DDL and migration files or globs, relative to `base_dir`, with where each is
    /// written in the configuration file.
    pub schema_files: Vec<(String, Option<Location>)>,
    /// Where unqualified names are looked for (`[schema] search_path`); empty: the
    /// dialect's default schema (`public` in PostgreSQL).
    pub search_path: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// `[scan.dialects]`: files whose SQL is written for another dialect than
    /// `dialect` (a SQLite cache beside a PostgreSQL service), by glob relative to
    /// `base_dir`, in the order written.
    pub path_dialects: Vec<(String, Dialect)>,
    /// Per-rule severity overrides, by code or name, validated against the rule registry.
    pub rule_levels: Vec<RuleSetting>,
    /// Rust-level checks: which parameter types carry the tenant scope.
    pub scope_types: Vec<String>,
    /// `[guard] cache_entries`: how many statements' verdicts the runtime guard keeps
    /// (`None`: its default).
    pub guard_cache_entries: Option<usize>,
    /// `[[cross_tenant]]`: code that reads or writes every tenant's rows on purpose.
    pub cross_tenant: Vec<CrossTenant>,
    /// `[scan] tests`: how test code is treated.
    pub tests: TestCode,
    /// `[rls]`: the row-level security `tenant-lint rls` writes and the rules check.
    pub rls: RlsConfig,
    /// The directory relative paths are resolved from (the config file's directory).
    pub base_dir: PathBuf,
    /// The file this configuration was read from, if any.
    pub path: Option<PathBuf>,
}

/// A `[[cross_tenant]]` declaration: code that is cross-tenant by design (background
/// workers, admin consoles, data migrations), with the reason. The tenant rules'
/// findings there are listed as declared, not reported; what the engine could not read
/// (`TI9xx`) and the schema rules are never hidden.
#[derive(Debug, Clone)]
pub struct CrossTenant {
    /// Path globs, relative to the configuration's directory (`workers/**`).
    pub paths: Vec<String>,
    /// Rust functions by path in their crate: the module path the file's place gives
    /// (`src/admin/export.rs` is `admin::export`) and the function's name, `*` one
    /// segment or part of one, `**` any number (`admin::**`, `jobs::sweep_*`).
    pub functions: Vec<String>,
    pub reason: String,
    /// Where the declaration is in the configuration file.
    pub at: Option<Location>,
}

/// `[rls]`: how row-level security names the caller's tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RlsConfig {
    /// The setting that holds the caller's tenant (one id, or several separated by
    /// commas): `current_setting('app.tenant_id')`.
    pub setting: String,
    /// The name of the generated policies.
    pub policy: String,
    /// The role that may write shared tables (none: nobody but the owner's migrations).
    pub admin_role: Option<String>,
}

impl Default for RlsConfig {
    fn default() -> Self {
        RlsConfig {
            setting: "app.tenant_id".to_string(),
            policy: "tenant_isolation".to_string(),
            admin_role: None,
        }
    }
}

/// `[scan] tests`: what test code (`tests/` directories, `tests.rs` and `*_test.rs`
/// files, `#[cfg(test)]` items and `#[test]` functions) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCode {
    /// Checked, and the tenant rules' findings listed as declared cross-tenant (test
    /// set-up reads and writes every tenant's rows): the default. What the engine could
    /// not read is still reported.
    Declared,
    /// Checked like any other code.
    Checked,
    /// Not checked at all.
    Skipped,
}

impl std::str::FromStr for TestCode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "declared" => Ok(TestCode::Declared),
            "checked" => Ok(TestCode::Checked),
            "skipped" => Ok(TestCode::Skipped),
            other => Err(format!(
                "`{other}` is not one of \"declared\", \"checked\", \"skipped\""
            )),
        }
    }
}

/// `[rules] TI001 = "warning"`: a rule's severity set by configuration.
#[derive(Debug, Clone)]
pub struct RuleSetting {
    pub rule: String,
    pub level: String,
    pub at: Option<Location>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dialect: Dialect::Sqlite,
            tenant_column: "client_id".to_string(),
            params: Vec::new(),
            tenant_tables: Vec::new(),
            shared_tables: Vec::new(),
            table_columns: BTreeMap::new(),
            schema_files: Vec::new(),
            search_path: Vec::new(),
            include: vec!["**/*.rs".to_string(), "**/*.sql".to_string()],
            exclude: vec!["target/**".to_string()],
            path_dialects: Vec::new(),
            rule_levels: Vec::new(),
            scope_types: vec!["TenantScope".to_string()],
            guard_cache_entries: None,
            cross_tenant: Vec::new(),
            tests: TestCode::Declared,
            rls: RlsConfig::default(),
            base_dir: PathBuf::from("."),
            path: None,
        }
    }
}

/// A configuration problem, with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub at: Option<Location>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.at) {
            (Some(path), Some(at)) => write!(
                f,
                "{}:{}:{}: {}",
                path.display(),
                at.line,
                at.column,
                self.message
            ),
            (Some(path), None) => write!(f, "{}: {}", path.display(), self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    dialect: Option<Spanned<String>>,
    tenant: RawTenant,
    tables: RawTables,
    schema: RawSchema,
    scan: RawScan,
    rules: BTreeMap<String, Spanned<String>>,
    rust: RawRust,
    guard: RawGuard,
    cross_tenant: Vec<Spanned<RawCrossTenant>>,
    rls: RawRls,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawRls {
    setting: Option<Spanned<String>>,
    policy: Option<String>,
    admin_role: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawCrossTenant {
    paths: Vec<String>,
    functions: Vec<String>,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawGuard {
    cache_entries: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawTenant {
    column: Option<Spanned<String>>,
    params: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawTables {
    tenant: Vec<String>,
    shared: Vec<String>,
    columns: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSchema {
    files: Vec<Spanned<String>>,
    search_path: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawScan {
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    tests: Option<Spanned<String>>,
    dialects: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawRust {
    scope_types: Option<Vec<String>>,
}

impl Config {
    /// Parses configuration text. `path` is used for error messages and as the base
    /// directory of relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let index = LineIndex::new(text);
        let error_at = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: Some(path.to_path_buf()),
            at: span.map(|s| index.position(text, s.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let mut message = e.message().trim_end().to_string();
            if let Some(suggestion) = suggest_field(&message) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            if let Some(key) = e.span().and_then(|span| key_at(text, span.start)) {
                message = format!("`{key}`: {message}");
            }
            error_at(e.span(), message)
        })?;

        let mut config = Config {
            base_dir: path
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(dialect) = raw.dialect {
            config.dialect = dialect
                .get_ref()
                .parse()
                .map_err(|msg| error_at(Some(dialect.span()), format!("`dialect`: {msg}")))?;
        }
        if let Some(column) = raw.tenant.column {
            if !is_identifier(column.get_ref()) {
                return Err(error_at(
                    Some(column.span()),
                    format!(
                        "`tenant.column`: `{}` is not a column name",
                        column.get_ref()
                    ),
                ));
            }
            config.tenant_column = column.into_inner();
        }
        for param in raw.tenant.params {
            if !is_parameter(param.get_ref()) {
                return Err(error_at(
                    Some(param.span()),
                    format!(
                        "`tenant.params`: `{}` is not a bind parameter: write it as in the SQL, e.g. `:client_id`, `$1`, `?1`, `@client_id` or `sqlc.arg(client_id)`",
                        param.get_ref()
                    ),
                ));
            }
            config.params.push(param.into_inner());
        }
        config.tenant_tables = raw.tables.tenant;
        config.shared_tables = raw.tables.shared;
        config.table_columns = raw.tables.columns;
        config.schema_files = raw
            .schema
            .files
            .into_iter()
            .map(|f| {
                (
                    f.get_ref().clone(),
                    Some(index.position(text, f.span().start)),
                )
            })
            .collect();
        config.search_path = raw
            .schema
            .search_path
            .iter()
            .map(
                |s| match crate::model::dialect::config_name_parts(s).as_deref() {
                    Some([(name, quoted)]) => config.dialect.fold_str(name, *quoted),
                    _ => s.clone(),
                },
            )
            .collect();
        if let Some(include) = raw.scan.include {
            config.include = include;
        }
        if let Some(exclude) = raw.scan.exclude {
            config.exclude = exclude;
        }
        for (glob, dialect) in raw.scan.dialects {
            if let Err(e) = globset::Glob::new(&glob) {
                return Err(error_at(
                    Some(dialect.span()),
                    format!("`scan.dialects`: bad glob `{glob}`: {e}"),
                ));
            }
            let parsed = dialect.get_ref().parse().map_err(|msg| {
                error_at(
                    Some(dialect.span()),
                    format!("`scan.dialects.\"{glob}\"`: {msg}"),
                )
            })?;
            config.path_dialects.push((glob, parsed));
        }
        if let Some(types) = raw.rust.scope_types {
            config.scope_types = types;
        }
        config.guard_cache_entries = raw.guard.cache_entries;
        if let Some(setting) = raw.rls.setting {
            let valid = setting.get_ref().split('.').count() == 2
                && setting.get_ref().split('.').all(is_identifier);
            if !valid {
                return Err(error_at(
                    Some(setting.span()),
                    format!(
                        "`rls.setting`: `{}` is not a custom setting name: write it as `app.tenant_id` (a prefix, a dot, a name)",
                        setting.get_ref()
                    ),
                ));
            }
            config.rls.setting = setting.into_inner();
        }
        if let Some(policy) = raw.rls.policy {
            config.rls.policy = policy;
        }
        config.rls.admin_role = raw.rls.admin_role;
        if let Some(tests) = raw.scan.tests {
            config.tests = tests
                .get_ref()
                .parse()
                .map_err(|msg| error_at(Some(tests.span()), format!("`scan.tests`: {msg}")))?;
        }
        for declared in raw.cross_tenant {
            let span = declared.span();
            let declared = declared.into_inner();
            if declared.reason.trim().is_empty() {
                return Err(error_at(
                    Some(span),
                    "`cross_tenant`: a declaration needs a `reason`: why this code may read or write every tenant's rows".to_string(),
                ));
            }
            if declared.paths.is_empty() && declared.functions.is_empty() {
                return Err(error_at(
                    Some(span),
                    "`cross_tenant`: a declaration names `paths` (globs) or `functions` (Rust paths)".to_string(),
                ));
            }
            for glob in declared.paths.iter().chain(&declared.functions) {
                let pattern = glob.replace("::", "/");
                if let Err(e) = globset::Glob::new(&pattern) {
                    return Err(error_at(
                        Some(span),
                        format!("`cross_tenant`: bad pattern `{glob}`: {e}"),
                    ));
                }
            }
            config.cross_tenant.push(CrossTenant {
                paths: declared.paths,
                functions: declared.functions,
                reason: declared.reason,
                at: Some(index.position(text, span.start)),
            });
        }
        config.rule_levels = raw
            .rules
            .into_iter()
            .map(|(rule, level)| RuleSetting {
                rule,
                at: Some(index.position(text, level.span().start)),
                level: level.into_inner(),
            })
            .collect();
        Ok(config)
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: Some(path.to_path_buf()),
            at: None,
            message: format!("cannot read the configuration: {e}"),
        })?;
        Config::parse(&text, path)
    }

    /// Finds `tenant-lint.toml` in `start` or the nearest parent that has one.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE))
            .find(|candidate| candidate.is_file())
    }

    /// Whether strict mode is on (only the named parameters carry the tenant).
    pub fn strict(&self) -> bool {
        !self.params.is_empty()
    }

    /// Whether a bind parameter as written in SQL (`:client_id`, `?1`, `$1`) carries the
    /// tenant. Outside strict mode every parameter does.
    pub fn is_tenant_param(&self, placeholder: &str) -> bool {
        if let Some(column) = row_column(placeholder) {
            return self.names_tenant_column(column);
        }
        !self.strict() || self.params.iter().any(|p| same_parameter(p, placeholder))
    }

    /// Whether a column name is the tenant column, by default or for some table.
    pub fn names_tenant_column(&self, column: &str) -> bool {
        let same = |configured: &str| {
            configured.trim_matches('"') == column
                || configured.trim_matches('"').eq_ignore_ascii_case(column)
        };
        same(&self.tenant_column) || self.table_columns.values().any(|c| same(c))
    }

    /// The parameter to suggest in a fix (`:client_id`, or the first strict parameter).
    pub fn suggested_param(&self) -> String {
        self.params
            .first()
            .cloned()
            .unwrap_or_else(|| format!(":{}", self.tenant_column))
    }
}

/// A trigger's `NEW.col` / `OLD.col` (see `extract::normalize::plpgsql`): the column
/// of the row being written. Its tenant column is that row's tenant, which the write
/// itself was checked to be the caller's.
fn row_column(placeholder: &str) -> Option<&str> {
    let (row, column) = placeholder.split_once('.')?;
    (row == "NEW" || row == "OLD").then_some(column)
}

/// `:client_id`, `@client_id`, `$client_id` and sqlc's `sqlc.arg(client_id)` name one
/// parameter; positional ones (`?`, `?1`, `$1`) must match exactly.
fn same_parameter(configured: &str, written: &str) -> bool {
    fn named(p: &str) -> Option<&str> {
        if let Some(call) = p.strip_prefix("sqlc.") {
            let (_, argument) = call.split_once('(')?;
            return Some(argument.strip_suffix(')')?.trim_matches(['\'', '"']));
        }
        let rest = p.strip_prefix([':', '@', '$'])?;
        rest.starts_with(|c: char| c.is_alphabetic() || c == '_')
            .then_some(rest)
    }
    match (named(configured), named(written)) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => configured == written,
    }
}

/// The closest of `candidates` to `word` when it is close enough to be a typo: an
/// edit distance of at most a third of the word's length (and at least 1), ignoring case.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A suggestion for serde's "unknown field `x`, expected one of `a`, `b`".
fn suggest_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, expected).map(str::to_string)
}

/// The dotted key a position in TOML text belongs to: the table header above it and
/// the key on its line (`tables.shared`), or the header itself on a header line.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim();
    let header = |l: &str| {
        let l = l.trim();
        (l.starts_with('[') && !l.starts_with("[[") || l.starts_with("[["))
            .then(|| l.trim_matches(['[', ']']).trim().to_string())
    };
    if let Some(h) = header(line) {
        return Some(h);
    }
    let section = text[..line_start].lines().rev().find_map(header);
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty());
    match (section, key) {
        (Some(s), Some(k)) => Some(format!("{s}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(s), None) => Some(s),
        (None, None) => None,
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A bind parameter as SQL writes it: `?`, `?1`, `$1`, `:name`, `@name`, `$name`, or
/// sqlc's `sqlc.arg(name)`, `sqlc.narg(name)`, `sqlc.slice(name)`.
fn is_parameter(s: &str) -> bool {
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some(call) = s.strip_prefix("sqlc.") {
        return ["arg(", "narg(", "slice("].iter().any(|m| {
            call.strip_prefix(m)
                .and_then(|rest| rest.strip_suffix(')'))
                .is_some_and(|name| word(name.trim_matches('\'')))
        });
    }
    match s.strip_prefix([':', '@', '$', '?']) {
        Some(rest) => rest.is_empty() || word(rest),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("dir/tenant-lint.toml"))
    }

    #[test]
    fn full_contract_example_parses() {
        let config = parse(
            r#"
dialect = "postgres"
[tenant]
column = "tenant_id"
params = [":tenant_id", "$1"]
[tables]
tenant = ["AUDIT_LOG"]
shared = ["PRODUCT", "SHIFT"]
[tables.columns]
JOB = "client_id_fk"
[schema]
files = ["schema.sql", "migrations/*.sql"]
[scan]
include = ["**/*.sql"]
exclude = ["target/**", "vendor/**"]
[rules]
TI003 = "error"
"#,
        )
        .unwrap();
        assert_eq!(config.dialect, Dialect::Postgres);
        assert_eq!(config.tenant_column, "tenant_id");
        assert!(config.strict());
        assert_eq!(config.table_columns["JOB"], "client_id_fk");
        assert_eq!(config.base_dir, Path::new("dir"));
        assert_eq!(config.rule_levels[0].rule, "TI003");
        assert_eq!(config.exclude.len(), 2);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let err = parse("[tenant]\ncolumn = \"client_id\"\ncolumns = 1\n").unwrap_err();
        assert_eq!(err.at.map(|l| l.line), Some(3), "{err}");
        assert!(err.message.contains("unknown field `columns`"), "{err}");
    }

    #[test]
    fn a_misspelt_key_gets_a_suggestion_and_its_table() {
        let err = parse("[tabels]\nshared = []\n").unwrap_err();
        assert_eq!(err.at.map(|l| l.line), Some(1), "{err}");
        assert!(err.message.ends_with("did you mean `tables`?"), "{err}");
        let err = parse("[tables]\nshraed = []\n").unwrap_err();
        assert!(
            err.message.starts_with("`tables.shraed`: unknown field"),
            "{err}"
        );
        assert!(err.message.ends_with("did you mean `shared`?"), "{err}");
        let err = parse("[tables]\nzzzzzz = []\n").unwrap_err();
        assert!(!err.message.contains("did you mean"), "{err}");
    }

    #[test]
    fn a_wrong_type_names_its_key() {
        let err = parse("[tables]\nshared = \"SHIFT\"\n").unwrap_err();
        assert_eq!(err.at.map(|l| l.line), Some(2), "{err}");
        assert!(
            err.message.starts_with("`tables.shared`: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn suggestions_are_typos_only() {
        assert_eq!(did_you_mean("tenat", ["tenant", "tables"]), Some("tenant"));
        assert_eq!(did_you_mean("TI0001", ["TI001", "TI002"]), Some("TI001"));
        assert_eq!(did_you_mean("rust", ["dialect", "scan"]), None);
    }

    #[test]
    fn unknown_dialect_points_at_the_value() {
        let err = parse("dialect = \"oracle\"\n").unwrap_err();
        assert_eq!(err.at, Some(Location::new(1, 11)));
        assert!(
            err.to_string()
                .starts_with("dir/tenant-lint.toml:1:11: `dialect`: unknown dialect")
        );
    }

    #[test]
    fn a_parameter_must_look_like_one() {
        let err = parse("[tenant]\nparams = [\"client_id\"]\n").unwrap_err();
        assert!(err.message.contains("is not a bind parameter"), "{err}");
    }

    #[test]
    fn strict_mode_matches_named_parameters_across_sigils() {
        let config = parse("[tenant]\nparams = [\":client_id\", \"?1\"]\n").unwrap();
        assert!(config.is_tenant_param("@client_id"));
        assert!(config.is_tenant_param("?1"));
        assert!(!config.is_tenant_param("?2"));
        assert!(!config.is_tenant_param(":client"));
        assert!(!config.is_tenant_param("?"));
    }

    #[test]
    fn without_params_every_parameter_carries_the_tenant() {
        let config = parse("").unwrap();
        assert!(config.is_tenant_param("?"));
        assert_eq!(config.suggested_param(), ":client_id");
    }
}
