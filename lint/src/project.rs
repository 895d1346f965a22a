//! A project on disk: its configuration, the files to scan, the schema they are checked
//! against, and the check itself.
//!
//! Files are read and parsed once (in parallel); the schema is built from the DDL of the
//! configured schema files and of the scanned files, in migration order; then every
//! scanned statement is analysed.
//!
//! The configured schema files are read first. Every other file is checked against
//! their schema as soon as it is read, and its extracted facts dropped, so memory does
//! not grow with the repository and each file is checked while its text is still in
//! cache. A scanned file that holds DDL itself is kept and checked last; if any does,
//! the schema is rebuilt from every file and all files are checked again against it
//! (their facts extracted again from the kept text), so the result never depends on
//! which path was taken. Without a configured schema (no schema files, no database)
//! the schema can only come from the scanned files, and files are checked once all are
//! read.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use rayon::prelude::*;
use sqlparser::tokenizer::Location;

use crate::engine::{Engine, FileOutcome, ParsedStatement, SplitSql, unparseable, used_lines};
use crate::extract::consts::Constants;
use crate::extract::fast;
use crate::extract::prefilter::{Outline, blank_items, outline, plan_items, sql_hits};
use crate::extract::rust::{RustFacts, extract_file};
use crate::extract::source::{LineIndex, SourceFile, point};
use crate::model::files::{canonical, normalize, relative_to, schema_files, skipped_dir};
use crate::model::loader::{SchemaFile, Timeline};
use crate::model::schema::migration_order;
use crate::model::{Config, ConfigError, Dialect, Schema, TenantModel};
use crate::report::Summary;
use crate::report::diagnostic::{self, Diagnostic, Finding};
use crate::report::suppress::{Extent, Suppression};
use crate::rules::{self, Reporter};
use crate::rust_check::{rust_ddl, span_location, suppression_comments};

/// Settings given on the command line; they override the configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub dialect: Option<Dialect>,
    pub tenant_column: Option<String>,
    pub params: Vec<String>,
    pub schema: Vec<PathBuf>,
    /// A live SQLite database to read the schema from (read-only).
    pub db: Option<PathBuf>,
    /// Parse every Rust file with syn, even those the byte-level pre-filter shows hold
    /// no SQL (for measuring the pre-filter, and for comparing both scans).
    pub no_prefilter: bool,
}

/// Rust files nested deeper than this are reported, not parsed: syn is recursive
/// descent (files are parsed on [`on_workers`] threads, whose stacks are large).
pub const MAX_RUST_NESTING: usize = 256;

/// Rust statements with more operator characters than this (between two `;`, `{` or
/// `}`) are reported, not parsed: an operator or method chain parses into a tree as
/// deep as it is long, which every walk over it (extraction, dropping it) recurses
/// through. Code written by hand stays far below it.
pub const MAX_RUST_OPERATORS: usize = 20_000;

/// The stack of the threads that read and check files.
pub const WORKER_STACK: usize = 64 << 20;

/// Runs `work` on a thread pool for reading and checking: as many threads as the
/// current rayon pool (so a caller can run a scan serially), with stacks large enough
/// for the deepest input the limits admit. Runs it here if no thread can be started.
///
/// The pools are kept for the life of the process, one per size: reading and checking
/// then run on the same threads, and a scan does not start threads per phase.
fn on_workers<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    static POOLS: std::sync::Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> =
        std::sync::Mutex::new(Vec::new());
    let threads = rayon::current_num_threads();
    let pool = {
        let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
        match pools.iter().find(|(n, _)| *n == threads) {
            Some((_, pool)) => Some(pool.clone()),
            None => rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .stack_size(WORKER_STACK)
                .thread_name(|i| format!("tenant-lint-{i}"))
                .build()
                .ok()
                .map(|pool| {
                    let pool = Arc::new(pool);
                    pools.push((threads, pool.clone()));
                    pool
                }),
        }
    };
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Why a project could not be checked at all (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectError {
    Config(ConfigError),
    /// A path given on the command line (or in the configuration) does not exist or
    /// cannot be listed.
    Path {
        path: PathBuf,
        message: String,
    },
    /// A schema file that cannot be read whole: where, and why.
    Schema {
        path: PathBuf,
        at: Location,
        message: String,
    },
    /// No table definition was found.
    NoSchema {
        looked: String,
    },
    /// Nothing to check under the given paths.
    NoFiles {
        paths: Vec<PathBuf>,
    },
    /// No `tenant-lint.toml` in the checked path, the working directory or a parent,
    /// and no schema given on the command line: checking with defaults would guess the
    /// tenant column and the schema.
    NoConfig {
        looked: PathBuf,
    },
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectError::Config(e) => write!(f, "{e}"),
            ProjectError::Path { path, message } => write!(f, "{}: {message}", path.display()),
            ProjectError::Schema { path, at, message } => {
                write!(f, "{}:{}:{}: {message}", path.display(), at.line, at.column)
            }
            ProjectError::NoSchema { looked } => {
                write!(f, "no CREATE TABLE found in {looked}")
            }
            ProjectError::NoConfig { looked } => write!(
                f,
                "no tenant-lint.toml in {} or a parent directory: run `tenant-lint init` to write one from your schema, or name one with --config (or give the schema with --schema / --db)",
                looked.display()
            ),
            ProjectError::NoFiles { paths } => {
                let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "nothing to check under {} (looked for `.sql` and `.rs` files matching `[scan] include`)",
                    list.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for ProjectError {}

impl From<ConfigError> for ProjectError {
    fn from(e: ConfigError) -> Self {
        ProjectError::Config(e)
    }
}

/// A file read from disk: its text, or why it could not be read.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The path as reported (relative to the working directory when inside it).
    pub path: Arc<Path>,
    /// The absolute path it was read from.
    pub absolute: PathBuf,
    pub source: Option<SourceFile>,
    /// The statements that shape the schema (`CREATE`, `ALTER`, `DROP`), parsed when the
    /// file is read; a schema-only file has all its statements here.
    pub ddl: Vec<ParsedStatement>,
    /// `unreadable-source` when the file is not UTF-8 text.
    pub problem: Option<Finding>,
    /// Whether the file is one the user asked to check (not only a schema file).
    pub scanned: bool,
    /// For a Rust file, the SQL and `#[tenant_scoped]` functions it holds (`None` once
    /// the file was checked while loading: see [`Project::rust_facts`]).
    pub rust: Option<RustFacts>,
    /// The schema of a live database, shown as the DDL SQLite keeps for it.
    pub database: bool,
    /// The `include_str!`/`query_file!` paths of a Rust file, as written, and whether
    /// each is relative to the crate's root (`query_file!`).
    pub includes: Vec<(String, bool)>,
    /// The string constants a Rust file defines (see [`crate::extract::consts`]).
    pub consts: Vec<(String, String)>,
    /// For a configured schema file, its place in `[schema] files` (see
    /// [`crate::model::loader::SchemaFile::rank`]).
    pub schema_rank: usize,
    /// Whether `rust` was dropped after the file was checked while loading (it is
    /// extracted again from `source` when asked for).
    facts_dropped: bool,
    /// For a live PostgreSQL database, the role it was read as.
    pub connection: Option<crate::model::schema::ConnectionRole>,
}

impl LoadedFile {
    /// A file at `path` (as reported) and `absolute`, nothing read yet.
    fn new(path: Arc<Path>, absolute: PathBuf, scanned: bool) -> LoadedFile {
        LoadedFile {
            path,
            absolute,
            source: None,
            ddl: Vec::new(),
            problem: None,
            scanned,
            rust: None,
            database: false,
            includes: Vec::new(),
            consts: Vec::new(),
            schema_rank: usize::MAX,
            facts_dropped: false,
            connection: None,
        }
    }

    /// A database's schema, described as DDL `text` (see [`read_database`]).
    fn database(shown: &Path, absolute: PathBuf, text: String, dialect: Dialect) -> LoadedFile {
        let mut file = LoadedFile::new(Arc::from(shown), absolute, true);
        file.ddl = crate::model::loader::read_statements(&text, dialect);
        file.source = Some(SourceFile::new(shown, text));
        file.database = true;
        file
    }
}

/// A loaded project, ready to check.
pub struct Project {
    pub engine: Engine,
    /// The string constants of every Rust file, for `format!` holes naming them.
    constants: Constants,
    /// The schema each row-touching statement of a schema file ran against.
    timeline: Timeline,
    /// An engine per schema of `timeline`'s snapshots.
    snapshot_engines: Vec<Engine>,
    pub files: Vec<LoadedFile>,
    /// Index into `files` by reported path.
    by_path: std::collections::HashMap<OsString, usize>,
    /// The outcomes of the files checked while they were loaded, by index into
    /// `files`; taken by the first [`Project::check`].
    prechecked: std::sync::Mutex<Vec<Option<FileOutcome>>>,
    /// Whether Rust files were read with the pre-filter (to extract them again alike).
    prefilter: bool,
    /// The configuration file as reports show it.
    config_shown: Option<Arc<Path>>,
}

/// The outcome of a check.
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Per scanned file: statements, used suppressions and functions (for the audit).
    pub files: Vec<(Arc<Path>, FileOutcome)>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Finds and applies the configuration: `--config`; else `tenant-lint.toml` in the
/// first checked path or its nearest parent (so `tenant-lint check app/` uses
/// `app/tenant-lint.toml`); else in `cwd` or its nearest parent; else the defaults
/// (with `cwd` as base directory).
pub fn load_config(
    cwd: &Path,
    paths: &[PathBuf],
    overrides: &Overrides,
) -> Result<Config, ProjectError> {
    let shown = |mut e: ConfigError| {
        e.path = e.path.map(|p| display_path(&p, cwd));
        ProjectError::Config(e)
    };
    let mut config = match &overrides.config {
        Some(path) => {
            let path = cwd.join(path);
            if !path.is_file() {
                return Err(ProjectError::Path {
                    path,
                    message: "configuration file not found".to_string(),
                });
            }
            Config::load(&path).map_err(shown)?
        }
        None => match paths
            .first()
            .map(|p| cwd.join(p))
            .and_then(|p| {
                Config::discover(if p.is_dir() {
                    &p
                } else {
                    p.parent().unwrap_or(&p)
                })
            })
            .or_else(|| Config::discover(cwd))
        {
            Some(path) => Config::load(&path).map_err(shown)?,
            // Flags that name the schema configure the check themselves.
            None if !overrides.schema.is_empty() || overrides.db.is_some() => Config {
                base_dir: cwd.to_path_buf(),
                ..Config::default()
            },
            None => {
                return Err(ProjectError::NoConfig {
                    looked: display_path(
                        &paths
                            .first()
                            .map_or_else(|| cwd.to_path_buf(), |p| cwd.join(p)),
                        cwd,
                    ),
                });
            }
        },
    };
    if let Some(dialect) = overrides.dialect {
        config.dialect = dialect;
    }
    if let Some(column) = &overrides.tenant_column {
        config.tenant_column = column.clone();
    }
    if !overrides.params.is_empty() {
        config.params = overrides.params.clone();
    }
    // A live PostgreSQL database is the schema: the migrations that built it are not
    // applied again over it.
    if overrides.db.as_ref().is_some_and(|db| {
        db.to_string_lossy().contains("postgres://")
            || db.to_string_lossy().contains("postgresql://")
    }) {
        config.schema_files.clear();
    }
    for schema in &overrides.schema {
        let absolute = cwd.join(schema);
        config
            .schema_files
            .push((absolute.display().to_string(), None));
    }
    Ok(config)
}

impl Project {
    /// Loads the configuration, the files under `paths` (the configuration's directory
    /// when empty), and the schema.
    pub fn load(
        cwd: &Path,
        paths: &[PathBuf],
        overrides: &Overrides,
    ) -> Result<Project, ProjectError> {
        let config = load_config(cwd, paths, overrides)?;
        let config_shown: Option<Arc<Path>> = config
            .path
            .as_ref()
            .map(|p| Arc::from(display_path(p, cwd).as_path()));
        let relativize = |e: ProjectError| match e {
            ProjectError::Config(mut c) => {
                c.path = c.path.map(|p| display_path(&p, cwd));
                ProjectError::Config(c)
            }
            other => other,
        };
        let roots: Vec<PathBuf> = if paths.is_empty() {
            vec![config.base_dir.clone()]
        } else {
            paths.iter().map(|p| cwd.join(p)).collect()
        };
        let (scanned, unlisted) = collect_files(&roots, &config, cwd).map_err(relativize)?;
        // A database alone (`--db`) is something to check: its schema.
        if scanned.is_empty() && overrides.db.is_none() {
            return Err(ProjectError::NoFiles {
                paths: if paths.is_empty() {
                    roots
                } else {
                    paths.to_vec()
                },
            });
        }
        let schema_paths = schema_files(&config).map_err(|e| relativize(e.into()))?;

        // Each file's canonical path, in the order of `files`.
        let mut canonicals: Vec<PathBuf> = Vec::with_capacity(scanned.len());
        let mut to_read: Vec<(PathBuf, PathBuf, bool)> = Vec::with_capacity(scanned.len());
        for (abs, shown, canonical) in scanned {
            to_read.push((abs, shown, true));
            canonicals.push(canonical);
        }
        // Sets of paths are keyed by their bytes (hashing a `Path` walks its components;
        // canonical paths are already normal, so equal bytes are equal paths).
        let schema_canonicals: Vec<PathBuf> = schema_paths.iter().map(|p| canonical(p)).collect();
        // Each configured file's place in the configuration, for files without a version.
        let schema_rank: std::collections::HashMap<OsString, usize> = schema_canonicals
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_os_str().to_owned(), i))
            .collect();
        let schema_set: HashSet<&OsStr> = schema_canonicals.iter().map(|c| c.as_os_str()).collect();
        let mut is_configured: Vec<bool> = canonicals
            .iter()
            .map(|c| schema_set.contains(c.as_os_str()))
            .collect();
        drop(schema_set);
        // Configured schema files outside the scanned paths are read for the schema only.
        let scanned_set: HashSet<&OsStr> = canonicals.iter().map(|c| c.as_os_str()).collect();
        let schema_only: Vec<(&PathBuf, PathBuf)> = schema_paths
            .iter()
            .zip(schema_canonicals)
            .filter(|(_, c)| !scanned_set.contains(c.as_os_str()))
            .collect();
        drop(scanned_set);
        for (path, canonical) in schema_only {
            to_read.push((path.clone(), display_path(path, cwd), false));
            canonicals.push(canonical);
            is_configured.push(true);
        }
        let ranks: Vec<usize> = canonicals
            .iter()
            .map(|c| {
                schema_rank
                    .get(c.as_os_str())
                    .copied()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        drop(schema_rank);
        let dialect = config.dialect;
        let prefilter = !overrides.no_prefilter;
        let database = match &overrides.db {
            Some(db) => {
                let absolute = cwd.join(db);
                Some(read_database(
                    &absolute,
                    &display_path(&absolute, cwd),
                    dialect,
                )?)
            }
            None => None,
        };

        // The configured schema files first: with the database they are the schema.
        // Every other file is checked against it as soon as it is read, so its facts
        // need not be kept (memory stays flat). Without a configured schema, the DDL
        // of the scanned files is the schema, and files are checked once all are read.
        let configured_schema = database.is_some() || is_configured.iter().any(|&c| c);
        let read = |i: usize| {
            let (abs, shown, scanned) = &to_read[i];
            let role = if is_configured[i] {
                Role::Schema
            } else if configured_schema {
                Role::Checked
            } else {
                Role::CheckedAndSchema
            };
            let mut file = read_file(abs, shown, *scanned, role, &config, prefilter);
            file.schema_rank = ranks[i];
            file
        };
        let (configured, others): (Vec<usize>, Vec<usize>) =
            (0..to_read.len()).partition(|&i| is_configured[i]);
        let mut slots: Vec<Option<LoadedFile>> = vec![None; to_read.len()];
        for (i, file) in on_workers(|| {
            configured
                .par_iter()
                .map(|&i| (i, read(i)))
                .collect::<Vec<_>>()
        }) {
            slots[i] = Some(file);
        }
        let timeline = build_schema(database.iter().chain(slots.iter().flatten()), &config);
        let check_early = configured_schema;
        let engine = Engine::new(TenantModel::new(config.clone(), timeline.schema.clone()))
            .map_err(|e| relativize(e.into()))?;
        let snapshot_engines = timeline
            .snapshots()
            .iter()
            .map(|s| Engine::new(TenantModel::new(config.clone(), s.clone())))
            .collect::<Result<Vec<Engine>, ConfigError>>()
            .map_err(|e| relativize(e.into()))?;
        let at = |file: &LoadedFile| {
            let path = file.path.clone();
            let timeline = &timeline;
            let engines = &snapshot_engines;
            move |i: usize| timeline.snapshot_of(&path, i).map(|s| &engines[s])
        };
        let mut prechecked: Vec<Option<FileOutcome>> = vec![None; to_read.len()];
        for (i, file, outcome) in on_workers(|| {
            others
                .par_iter()
                .map(|&i| {
                    let mut file = read(i);
                    // A hole naming a constant of another file waits for every file.
                    let outcome = (check_early && !names_other_constants(&file)).then(|| {
                        let outcome = check_file(
                            &engine,
                            &file,
                            file.rust.as_ref(),
                            Vec::new(),
                            &at(&file),
                            &Constants::default(),
                        );
                        file.facts_dropped = file.rust.take().is_some();
                        outcome
                    });
                    (i, file, outcome)
                })
                .collect::<Vec<_>>()
        }) {
            slots[i] = Some(file);
            prechecked[i] = outcome;
        }
        let mut files: Vec<LoadedFile> = slots.into_iter().flatten().collect();

        // `include_str!("x.sql")` files outside the scanned paths are checked too; a
        // file of another kind (`include_str!("config.toml")`) only if it reads as SQL.
        let mut loaded: HashSet<OsString> = canonicals
            .iter()
            .map(|c| c.as_os_str().to_owned())
            .collect();
        let mut included = Vec::new();
        let include_globs = glob_set(&config.include, &config)?;
        let exclude_globs = glob_set(&config.exclude, &config)?;
        for file in &files {
            let dir = file.absolute.parent().unwrap_or(Path::new("."));
            for (path, from_crate) in &file.includes {
                // `query_file!("queries/x.sql")` is read from the crate's root, as sqlx
                // reads it; `include_str!("x.sql")` from the including file's directory.
                let base = if *from_crate {
                    crate_root(dir).unwrap_or(dir)
                } else {
                    dir
                };
                let absolute = normalize(&base.join(path));
                // An included file is scanned like any other: `[scan]` decides.
                let relative = relative_to(&absolute, &config.base_dir).unwrap_or_default();
                if !include_globs.is_match(&relative) || exclude_globs.is_match(&relative) {
                    continue;
                }
                let sql_file = absolute
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("sql"));
                if !sql_file
                    && std::fs::read_to_string(&absolute)
                        .is_ok_and(|text| !crate::extract::rust::starts_like_sql(&text))
                {
                    continue;
                }
                let canonical = canonical(&absolute);
                if loaded.insert(canonical.into_os_string()) {
                    included.push(read_file(
                        &absolute,
                        &display_path(&absolute, cwd),
                        true,
                        if configured_schema {
                            Role::Checked
                        } else {
                            Role::CheckedAndSchema
                        },
                        &config,
                        prefilter,
                    ));
                    prechecked.push(None);
                }
            }
        }
        files.extend(included);
        // Directories the walk could not list: a finding at each, the scan goes on.
        for (path, message) in unlisted {
            files.push(unlisted_file(path, message));
            prechecked.push(None);
        }
        is_configured.resize(files.len(), false);
        if let Some(db) = database {
            files.insert(0, db);
            is_configured.insert(0, false);
            prechecked.insert(0, None);
        }

        // Without a configured schema, the DDL of the scanned files is the schema: it is
        // built now that every file is read, and nothing was checked before.
        let (engine, timeline, snapshot_engines) = if configured_schema {
            (engine, timeline, snapshot_engines)
        } else {
            prechecked.iter_mut().for_each(|o| *o = None);
            let timeline = build_schema(files.iter(), &config);
            let engine = Engine::new(TenantModel::new(config.clone(), timeline.schema.clone()))
                .map_err(|e| relativize(e.into()))?;
            let snapshot_engines = timeline
                .snapshots()
                .iter()
                .map(|s| Engine::new(TenantModel::new(config.clone(), s.clone())))
                .collect::<Result<Vec<Engine>, ConfigError>>()
                .map_err(|e| relativize(e.into()))?;
            (engine, timeline, snapshot_engines)
        };
        let mut constants = Constants::default();
        for file in &files {
            for (name, value) in &file.consts {
                constants.add(name.clone(), value.clone());
            }
        }
        let by_path = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_os_str().to_owned(), i))
            .collect();
        Ok(Project {
            engine,
            constants,
            timeline,
            snapshot_engines,
            files,
            by_path,
            prechecked: std::sync::Mutex::new(prechecked),
            prefilter,
            config_shown,
        })
    }

    /// Checks every scanned file (and reports unreadable schema files).
    pub fn check(&self) -> CheckReport {
        let schema = crate::rules::schema::check_schema(self.engine.model());
        let mut prechecked =
            std::mem::take(&mut *self.prechecked.lock().unwrap_or_else(|e| e.into_inner()));
        prechecked.resize_with(self.files.len(), || None);
        let checked: Vec<(Arc<Path>, FileOutcome)> = on_workers(|| {
            self.files
                .par_iter()
                .zip(prechecked.into_par_iter())
                .map(|(file, prechecked)| {
                    let extra: Vec<Finding> = schema
                        .iter()
                        .filter(|f| f.path == file.path)
                        .map(|f| f.finding.clone())
                        .collect();
                    let outcome = match prechecked {
                        Some(outcome) if extra.is_empty() => outcome,
                        _ => {
                            let rust = self.rust_facts(file);
                            let at = |i: usize| {
                                self.timeline
                                    .snapshot_of(&file.path, i)
                                    .map(|s| &self.snapshot_engines[s])
                            };
                            check_file(
                                &self.engine,
                                file,
                                rust.as_deref(),
                                extra,
                                &at,
                                &self.constants,
                            )
                        }
                    };
                    (file.path.clone(), outcome)
                })
                .collect()
        });
        let statements = checked.iter().map(|(_, o)| o.statements.len()).sum();
        let mut diagnostics: Vec<Diagnostic> = checked
            .iter()
            .flat_map(|(_, o)| o.diagnostics.iter().cloned())
            .collect();
        diagnostics.extend(self.unused_declarations(&checked));
        diagnostic::sort(&mut diagnostics);
        let files = self.files.iter().filter(|f| f.scanned).count();
        let summary = Summary::new(files, statements, &diagnostics);
        CheckReport {
            diagnostics,
            summary,
            files: checked,
        }
    }

    /// A `[[cross_tenant]]` declaration that covered no finding in any file:
    /// `unused-suppression`, at its place in the configuration.
    fn unused_declarations(&self, checked: &[(Arc<Path>, FileOutcome)]) -> Vec<Diagnostic> {
        let declarations = self.engine.declarations();
        let Some(config) = &self.config_shown else {
            return Vec::new();
        };
        let mut used = vec![false; declarations.len()];
        for (_, outcome) in checked {
            for s in outcome.suppressions.iter().filter(|s| s.used) {
                if let Extent::Declared { index: Some(i), .. } = s.extent {
                    used[i] = true;
                }
            }
        }
        let rule = &rules::unused_suppression::RULE;
        let Some(severity) = self.engine.severity(rule) else {
            return Vec::new();
        };
        (0..declarations.len())
            .filter(|&i| !used[i])
            .map(|i| {
                let (at, shown, _) = declarations.describe(i);
                let mut reporter = Reporter::default();
                reporter
                    .report(
                        rule,
                        point(at.line, at.column),
                        format!("the cross-tenant declaration ({shown}) covers no finding"),
                    )
                    .help("remove it, or correct its paths or functions");
                Diagnostic::new(reporter.findings.remove(0), severity, config.clone())
            })
            .collect()
    }

    /// A Rust file's facts: kept since loading, or extracted again from its text when
    /// they were dropped after the file was checked.
    pub fn rust_facts<'a>(&self, file: &'a LoadedFile) -> Option<std::borrow::Cow<'a, RustFacts>> {
        if let Some(rust) = &file.rust {
            return Some(std::borrow::Cow::Borrowed(rust));
        }
        if !file.facts_dropped {
            return None;
        }
        let text = &file.source.as_ref()?.text;
        match read_rust(text, &self.engine.model().config, self.prefilter) {
            RustRead::Facts(facts) => Some(std::borrow::Cow::Owned(facts)),
            // The same text read with the same settings: the same facts as before.
            RustRead::NoSql | RustRead::Unreadable(..) => None,
        }
    }

    /// Each diagnostic's baseline fingerprint and its path relative to the
    /// configuration's directory (see [`crate::report::baseline`]), in order.
    pub fn fingerprints(&self, report: &CheckReport) -> Vec<(String, String)> {
        let base = &self.engine.model().config.base_dir;
        report
            .diagnostics
            .iter()
            .map(|d| {
                let file = self.file(&d.path);
                let path = file
                    .and_then(|f| relative_to(&f.absolute, base))
                    .unwrap_or_else(|| d.path.to_path_buf())
                    .display()
                    .to_string()
                    .replace('\\', "/");
                let source = file.and_then(|f| f.source.as_ref());
                let text = |span: sqlparser::tokenizer::Span| {
                    source.map_or("", |s| &s.text[s.lines().byte_range(&s.text, span)])
                };
                // `report.files` is in the order of `self.files` (see `check`).
                let statement = self
                    .by_path
                    .get(d.path.as_os_str())
                    .and_then(|&i| report.files.get(i))
                    .filter(|(p, _)| *p == d.path)
                    .and_then(|(_, outcome)| {
                        outcome.statements.iter().find(|s| d.starts_in(s.span))
                    })
                    .map(|s| text(s.span));
                let fingerprint =
                    crate::report::baseline::fingerprint(&crate::report::baseline::Identity {
                        code: d.code,
                        table: d.table.as_deref(),
                        path: &path,
                        statement,
                        flagged: text(d.span),
                        message: &d.message,
                    });
                (fingerprint, path)
            })
            .collect()
    }

    /// The proofs attempted for every statement with one of `diagnostics`, per file
    /// (for `--explain`, rendered by [`crate::report::explain`]).
    pub fn proofs<'a>(
        &'a self,
        diagnostics: &[Diagnostic],
    ) -> Vec<(&'a Path, &'a SourceFile, Vec<crate::engine::Proof>)> {
        let mut out = Vec::new();
        for file in self.files.iter().filter(|f| f.scanned) {
            let mine: Vec<&Diagnostic> =
                diagnostics.iter().filter(|d| d.path == file.path).collect();
            let Some(source) = file.source.as_ref().filter(|_| !mine.is_empty()) else {
                continue;
            };
            let keep = |span| mine.iter().any(|d| d.starts_in(span));
            let proofs = match self.rust_facts(file) {
                Some(rust) => self.engine.rust_proofs(&rust, &keep),
                None => self.engine.sql_proofs(&source.text, &keep),
            };
            out.push((&*file.path, source, proofs));
        }
        out
    }

    /// The configuration file as reports show it.
    pub fn config_path(&self) -> Option<&Path> {
        self.config_shown.as_deref()
    }

    /// The source text of a file, for rendering.
    pub fn source(&self, path: &Path) -> Option<&SourceFile> {
        self.file(path).and_then(|f| f.source.as_ref())
    }

    /// A loaded file by its reported path.
    pub fn file(&self, path: &Path) -> Option<&LoadedFile> {
        self.by_path.get(path.as_os_str()).map(|&i| &self.files[i])
    }
}

/// One file's diagnostics, statements, used suppressions and functions.
fn check_file<'e>(
    engine: &'e Engine,
    file: &LoadedFile,
    rust: Option<&RustFacts>,
    schema: Vec<Finding>,
    at: &dyn Fn(usize) -> Option<&'e Engine>,
    constants: &Constants,
) -> FileOutcome {
    let severity = |f: &Finding| rules::find(f.code).and_then(|r| engine.severity(r));
    if let Some(problem) = &file.problem {
        return FileOutcome {
            diagnostics: severity(problem)
                .map(|s| Diagnostic::new(problem.clone(), s, file.path.clone()))
                .into_iter()
                .collect(),
            ..FileOutcome::default()
        };
    }
    let Some(source) = &file.source else {
        return FileOutcome::default();
    };
    let dialect = engine.dialect_of(&file.absolute);
    if let (true, Some(rust)) = (file.scanned, rust) {
        // A hole naming a constant: the file's own constants first, as the compiler
        // resolves a name in scope (and as `#[tenant_scoped]` fills it).
        let named_holes = rust
            .sql
            .iter()
            .any(|s| s.holes.iter().any(|h| h.name.is_some()));
        let local;
        let constants = if named_holes {
            local = constants.with_local(crate::extract::consts::located_consts(&source.text));
            &local
        } else {
            constants
        };
        let checked = engine.check_rust_with(rust, dialect, constants);
        let mut findings: Vec<Finding> = checked.findings.into_iter().map(|f| f.finding).collect();
        if !findings.is_empty() {
            crate::engine::balance_spans(&source.text, &mut findings);
        }
        findings.extend(schema);
        let comments = suppression_comments(&source.text);
        let mut suppressions = engine.rust_suppressions(&comments, rust, &mut findings);
        suppressions.extend(engine.declarations().suppressions(
            &file.absolute,
            &source.text,
            &rust.functions,
        ));
        let diagnostics = engine.finish(&file.path, findings, &mut suppressions);
        let functions = rust
            .functions
            .iter()
            .filter(|(name, _)| {
                checked
                    .statements
                    .iter()
                    .any(|s| s.function.as_deref() == Some(name))
                    || rust.scoped.iter().any(|f| &f.name == name)
            })
            .cloned()
            .collect();
        // A `cross_tenant = "reason"` function is suppressed with its reason, as a
        // whole: the audit lists it for review rather than counting it as scoped.
        let mut suppressed = used_lines(&suppressions);
        suppressed.extend(
            rust.scoped
                .iter()
                .filter(|f| {
                    f.args
                        .cross_tenant
                        .as_deref()
                        .is_some_and(|r| !r.is_empty())
                })
                .map(|f| f.lines.start..=f.lines.end.saturating_sub(1).max(f.lines.start)),
        );
        // `cross_tenant` functions are listed with the comments, for review.
        let mut listed = suppressions;
        listed.extend(rust.scoped.iter().filter_map(|f| {
            let reason = f.args.cross_tenant.as_deref().filter(|r| !r.is_empty())?;
            let at = Location::new(f.line, 1);
            Some(Suppression {
                rules: crate::rust_check::CROSS_TENANT_CODES
                    .iter()
                    .filter_map(|c| rules::find(c))
                    .collect(),
                span: sqlparser::tokenizer::Span::new(at, at),
                reason: reason.to_string(),
                at,
                lines: f.lines.start..=f.lines.end,
                extent: Extent::Function(f.name.clone()),
                used: true,
            })
        }));
        return FileOutcome {
            diagnostics,
            statements: checked.statements,
            suppressed,
            suppressions: listed,
            functions,
        };
    }
    if file.scanned {
        let declared = engine
            .declarations()
            .suppressions(&file.absolute, &source.text, &[]);
        return engine.check_sql_file_declared(
            &file.path,
            &source.text,
            schema,
            at,
            dialect,
            declared,
        );
    }
    // A schema file outside the scanned paths: the schema rules and what stops the
    // schema from being read are reported (the schema is checked whichever paths are),
    // its statements are not checked.
    let mut findings: Vec<Finding> = file
        .ddl
        .iter()
        .filter_map(|s| s.parsed.as_ref().err())
        .filter(|failure| failure.is_unreadable())
        .map(unparseable)
        .collect();
    findings.extend(schema);
    let split = SplitSql::new(&source.text, engine.model().dialect(), None);
    let mut suppressions =
        engine.sql_suppressions(&split.comments, &split.spans, &source.text, &mut findings);
    let diagnostics = engine.finish(&file.path, findings, &mut suppressions);
    FileOutcome {
        diagnostics,
        suppressed: used_lines(&suppressions),
        suppressions,
        ..FileOutcome::default()
    }
}

/// The schema of a live database (`--db`) and the schema files among `files`, or,
/// when neither exists, of every file's DDL (see [`crate::model::loader`]).
fn build_schema<'a>(files: impl IntoIterator<Item = &'a LoadedFile>, config: &Config) -> Timeline {
    let files: Vec<&LoadedFile> = files.into_iter().collect();
    let database: Vec<&LoadedFile> = files.iter().copied().filter(|f| f.database).collect();
    let rest: Vec<SchemaFile> = files
        .iter()
        .filter(|f| !f.database && !f.ddl.is_empty())
        .map(|f| SchemaFile {
            path: &f.path,
            location: &f.absolute,
            text: f.source.as_ref().map_or("", |s| &s.text),
            statements: &f.ddl,
            rank: f.schema_rank,
        })
        .collect();
    // The database comes first, whatever its name: it is the schema the migrations
    // were applied to.
    let mut ordered: Vec<SchemaFile> = database
        .iter()
        .map(|f| SchemaFile {
            path: &f.path,
            location: Path::new(""),
            text: f.source.as_ref().map_or("", |s| &s.text),
            statements: &f.ddl,
            rank: 0,
        })
        .collect();
    ordered.extend(rest);
    let mut timeline = crate::model::loader::build(config.dialect, &config.search_path, ordered);
    if let Some(connection) = database.iter().find_map(|f| f.connection.clone()) {
        timeline.schema.live = true;
        timeline.schema.connection = Some(connection);
    }
    timeline
}

/// What a file is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A configured schema file: every statement, in order.
    Schema,
    /// A file checked against the configured schema: its DDL is not schema.
    Checked,
    /// Without a configured schema: checked, and its DDL is the schema.
    CheckedAndSchema,
}

fn read_file(
    abs: &Path,
    shown: &Path,
    scanned: bool,
    role: Role,
    config: &Config,
    prefilter: bool,
) -> LoadedFile {
    let dialect = config.dialect;
    let mut loaded = LoadedFile::new(Arc::from(shown), abs.to_path_buf(), scanned);
    let unreadable = |at: Location, message: String| {
        let mut reporter = Reporter::default();
        reporter
            .report(
                &rules::unreadable_source::RULE,
                point(at.line, at.column),
                message,
            )
            .help("save the file as UTF-8 text, or exclude it with `[scan] exclude`");
        reporter.findings.remove(0)
    };
    let bytes = match read_bounded(abs) {
        Ok(bytes) => bytes,
        Err(message) => {
            loaded.problem = Some(unreadable(Location::new(1, 1), message));
            return loaded;
        }
    };
    let sniff = &bytes[..bytes.len().min(8192)];
    if let Some(offset) = memchr::memchr(0, sniff) {
        let at = position_in(&bytes, offset);
        loaded.problem = Some(unreadable(
            at,
            "binary file: it contains NUL bytes".to_string(),
        ));
        return loaded;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let at = position_in(e.as_bytes(), offset);
            loaded.problem = Some(unreadable(at, "the file is not valid UTF-8".to_string()));
            // Shown (not checked) with the bad bytes replaced, so the report can point at them.
            let shown_text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            loaded.source = Some(SourceFile::new(shown, shown_text));
            return loaded;
        }
    };
    if is_rust(abs) {
        loaded.consts = crate::extract::consts::string_consts(&text);
        match read_rust(&text, config, prefilter) {
            // No literal starts like SQL and nothing else the scan reports is there:
            // the file holds no statement, and is not parsed (nor kept).
            RustRead::NoSql => return loaded,
            RustRead::Unreadable(at, message) => loaded.problem = Some(unreadable(at, message)),
            RustRead::Facts(facts) => {
                if role != Role::Checked {
                    loaded.ddl = rust_ddl(dialect, &facts);
                }
                loaded.includes = facts
                    .sql
                    .iter()
                    .filter_map(|s| Some((s.include.clone()?, s.include_from_crate)))
                    .collect();
                loaded.rust = Some(facts);
            }
        }
        loaded.source = Some(SourceFile::new(shown, text));
        return loaded;
    }
    loaded.ddl = match role {
        Role::Schema => crate::model::loader::read_statements(&text, dialect),
        Role::Checked => Vec::new(),
        Role::CheckedAndSchema => {
            let split = SplitSql::new(&text, dialect, None);
            (0..split.len())
                .filter(|&i| split.is_ddl(i))
                .map(|i| ParsedStatement {
                    span: split.spans[i],
                    parsed: split.parse(i),
                })
                .collect()
        }
    };
    loaded.source = Some(SourceFile::new(shown, text));
    loaded
}

/// What reading a Rust file's text gave.
enum RustRead {
    /// The pre-filter shows it holds no SQL: it was not parsed.
    NoSql,
    /// It cannot be read: where, and why.
    Unreadable(Location, String),
    Facts(RustFacts),
}

/// Extracts the SQL and `#[tenant_scoped]` functions of a Rust file's text.
fn read_rust(text: &str, config: &Config, prefilter: bool) -> RustRead {
    let hits = prefilter.then(|| sql_hits(text));
    if hits.as_ref().is_some_and(Vec::is_empty) {
        return RustRead::NoSql;
    }
    let Outline {
        items,
        depth,
        operators,
    } = outline(text);
    if depth > MAX_RUST_NESTING {
        return RustRead::Unreadable(
            Location::new(1, 1),
            format!(
                "brackets nest {depth} levels deep, more than the {MAX_RUST_NESTING} the scan parses"
            ),
        );
    }
    if operators > MAX_RUST_OPERATORS {
        return RustRead::Unreadable(
            Location::new(1, 1),
            format!(
                "a statement holds {operators} operators, more than the {MAX_RUST_OPERATORS} the scan parses"
            ),
        );
    }
    // Items with nothing to report are skipped; the others are read by the token-level
    // extractor when they are in its subset of Rust, else by syn, with the skipped
    // items blanked out (same lines and columns); if that split does not parse, syn
    // parses the whole file.
    let plan = hits.map(|hits| plan_items(text, items, &hits));
    if let Some(facts) = plan
        .as_ref()
        .and_then(|plan| fast::extract(text, plan, &config.scope_types))
    {
        return RustRead::Facts(facts);
    }
    let parsed = plan
        .and_then(|plan| blank_items(text, &plan))
        .and_then(|blanked| syn::parse_file(&blanked).ok())
        .map_or_else(|| syn::parse_file(text), Ok);
    let read = match parsed {
        Ok(file) => {
            let locate = |span: proc_macro2::Span| span_location(span);
            RustRead::Facts(extract_file(&file, &locate, &config.scope_types).facts)
        }
        Err(e) => RustRead::Unreadable(
            span_location(e.span()),
            format!("cannot parse this Rust file: {e}"),
        ),
    };
    // Span positions are kept in a per-thread table that would otherwise grow with
    // every file parsed on this thread.
    proc_macro2::extra::invalidate_current_thread_spans();
    read
}

/// The largest file the scan reads.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. A FIFO, socket or device is
/// refused before it is opened (reading one could block forever); a file that grows
/// past the limit while it is read is refused too.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !metadata.is_file() {
        return Err(
            "not a regular file (a FIFO, socket or device): it cannot be checked".to_string(),
        );
    }
    let too_big = |size: u64| {
        format!(
            "the file is {:.1} MiB, more than the {} MiB the scan reads",
            size as f64 / f64::from(1 << 20),
            MAX_FILE_BYTES >> 20
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_big(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads the schema of a SQLite database file, read-only: the `CREATE` statements
/// SQLite keeps in `sqlite_master`, in creation order. Findings about it point into
/// that DDL, shown under the database's path.
fn read_database(path: &Path, shown: &Path, dialect: Dialect) -> Result<LoadedFile, ProjectError> {
    if let Some(url) = postgres_url(path) {
        return read_postgres(&url);
    }
    use rusqlite::{Connection, OpenFlags};
    let error = |message: String| ProjectError::Path {
        path: shown.to_path_buf(),
        message,
    };
    if !path.is_file() {
        return Err(error("no such database file".to_string()));
    }
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| error(format!("cannot open the database: {e}")))?;
    let mut statement = connection
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
        .map_err(|e| error(format!("not a SQLite database: {e}")))?;
    let ddl: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| error(format!("cannot read the schema: {e}")))?;
    let text: String = ddl.iter().map(|s| format!("{s};\n\n")).collect();
    Ok(LoadedFile::database(
        shown,
        path.to_path_buf(),
        text,
        dialect,
    ))
}

/// The PostgreSQL URL a `--db` value holds (`postgres://…` or `postgresql://…`), also
/// once the working directory was joined to it as to a path.
pub fn postgres_url(db: &Path) -> Option<String> {
    let text = db.to_string_lossy();
    let at = text
        .find("postgres://")
        .or_else(|| text.find("postgresql://"))?;
    Some(text[at..].to_string())
}

/// A live PostgreSQL database's catalog, described as DDL (see [`crate::pg`]).
#[cfg(feature = "postgres")]
fn read_postgres(url: &str) -> Result<LoadedFile, ProjectError> {
    let shown = PathBuf::from(crate::pg::mask(url));
    let catalog = crate::pg::read(url).map_err(|message| ProjectError::Path {
        path: shown.clone(),
        message,
    })?;
    let mut file = LoadedFile::database(&shown, shown.clone(), catalog.ddl, Dialect::Postgres);
    let path = file.path.clone();
    file.connection = Some(crate::model::schema::ConnectionRole {
        name: catalog.role,
        superuser: catalog.superuser,
        bypass_rls: catalog.bypass_rls,
        origin: Some(crate::model::schema::Origin {
            path,
            span: sqlparser::tokenizer::Span::new(Location::new(1, 1), Location::new(1, 3)),
        }),
    });
    Ok(file)
}

#[cfg(not(feature = "postgres"))]
fn read_postgres(url: &str) -> Result<LoadedFile, ProjectError> {
    Err(ProjectError::Path {
        path: PathBuf::from(url.split('@').next_back().unwrap_or(url)),
        message:
            "this build of tenant-lint reads PostgreSQL databases only with its `postgres` feature"
                .to_string(),
    })
}

/// A schema read on its own (for `tenant-lint init`): the schema, the files it came
/// from, the dialect and why, and what could not be read.
pub struct ReadSchema {
    pub schema: Schema,
    /// The schema files read, absolute, in the order applied.
    pub files: Vec<PathBuf>,
    pub dialect: Dialect,
    /// How the dialect was chosen.
    pub dialect_reason: String,
    /// Statements that could not be read, as `file:line:column: why`; the schema is
    /// built without them.
    pub skipped: Vec<String>,
    /// Directories whose SQL is mostly not this dialect's (another database's), as
    /// `[scan] exclude` globs relative to the working directory, with why.
    pub excluded: Vec<(String, String)>,
    /// Files that create tables but were not read as schema, because migration
    /// directories define it (a schema dump, another application's schema), relative
    /// to the working directory, with how many tables each creates.
    pub not_read: Vec<(String, usize)>,
}

/// Reads a schema for `init` from DDL files or directories of them (all `.sql` files
/// under the working directory that create or alter a table, outside test directories,
/// when none is given; down migrations never) and from a SQLite database, as the
/// check reads it ([`crate::model::loader`]): in migration order, tables dropped later
/// gone, a statement that cannot be read skipped and listed. The dialect is `dialect`
/// when given, else detected ([`crate::init::detect_dialect`]).
pub fn read_schema(
    cwd: &Path,
    paths: &[PathBuf],
    db: Option<&Path>,
    dialect: Option<Dialect>,
) -> Result<ReadSchema, ProjectError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    // Test code's SQL: never schema, but looked at for another database's SQL.
    let mut tests: HashSet<PathBuf> = HashSet::new();
    let mut locks: Vec<String> = Vec::new();
    let explicit = !paths.is_empty();
    let roots: Vec<PathBuf> = if explicit || db.is_some() {
        paths.iter().map(|p| cwd.join(p)).collect()
    } else {
        vec![cwd.to_path_buf()]
    };
    for root in &roots {
        if root.is_file() {
            candidates.push(root.clone());
            continue;
        }
        if !root.is_dir() {
            return Err(ProjectError::Path {
                path: display_path(root, cwd),
                message: "no such file or directory".to_string(),
            });
        }
        for entry in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_dir(e))
            // A directory that cannot be listed holds no schema we can read.
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == "migration_lock.toml" {
                locks.push(std::fs::read_to_string(path).unwrap_or_default());
                continue;
            }
            let relative = relative_to(path, root).unwrap_or_else(|| path.to_path_buf());
            let sql = path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("sql"));
            if sql && !crate::extract::migration::is_down_migration(path) {
                candidates.push(path.to_path_buf());
                if !explicit && crate::report::declared::is_test_path(&relative) {
                    tests.insert(path.to_path_buf());
                }
            }
        }
    }
    migration_order(&mut candidates);
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    for path in candidates {
        match read_bounded(&path).map(String::from_utf8) {
            Ok(Ok(text)) => texts.push((path, text)),
            Ok(Err(_)) | Err(_) if !explicit => continue,
            Ok(Err(_)) => {
                return Err(ProjectError::Schema {
                    path: display_path(&path, cwd),
                    at: Location::new(1, 1),
                    message: "the file is not valid UTF-8".to_string(),
                });
            }
            Err(message) => {
                return Err(ProjectError::Schema {
                    path: display_path(&path, cwd),
                    at: Location::new(1, 1),
                    message,
                });
            }
        }
    }
    let (dialect, dialect_reason) = match dialect {
        Some(d) => (d, "given with --dialect".to_string()),
        None if db.and_then(postgres_url).is_some() => (
            Dialect::Postgres,
            "the schema comes from a PostgreSQL database".to_string(),
        ),
        None if db.is_some() && texts.is_empty() => (
            Dialect::Sqlite,
            "the schema comes from a SQLite database".to_string(),
        ),
        None => {
            let all: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
            crate::init::detect_dialect(&all, &locks).unwrap_or((
                Dialect::Generic,
                "nothing in the schema tells which database it is for; set it with --dialect"
                    .to_string(),
            ))
        }
    };
    let config = Config {
        dialect,
        ..Config::default()
    };
    let mut read: Vec<Candidate> = texts
        .into_iter()
        .map(|(path, text)| {
            let statements = crate::model::files::schema_statements(&path, &text, &config);
            let split = SplitSql::new(&text, dialect, None);
            let shapes = (0..split.len()).any(|i| split.is_ddl(i));
            let unreadable = statements
                .iter()
                .filter(|s| s.parsed.as_ref().is_err_and(|f| f.is_unreadable()))
                .count();
            let creates = statements
                .iter()
                .filter(|s| matches!(&s.parsed, Ok(sqlparser::ast::Statement::CreateTable(_))))
                .count();
            Candidate {
                path,
                text,
                statements,
                shapes,
                unreadable,
                creates,
            }
        })
        .collect();
    // The directory a migration belongs to: its folder, or for one folder per
    // migration (`migrations/<version>_x/migration.sql`), the folder's parent.
    let group_of = |path: &Path| -> PathBuf {
        let dir = path.parent().unwrap_or(Path::new(""));
        let own_folder = crate::model::schema::version_of(path).is_some()
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| crate::model::schema::version_of(Path::new(n)).is_none());
        if own_folder {
            dir.parent().unwrap_or(dir).to_path_buf()
        } else {
            dir.to_path_buf()
        }
    };
    let mut excluded: Vec<(String, String)> = Vec::new();
    let mut migration_dirs: Vec<PathBuf> = Vec::new();
    if !explicit {
        // Directories whose SQL is mostly unreadable in this dialect hold another
        // database's SQL (ClickHouse beside PostgreSQL, a SQL engine's test inputs).
        // Counted for every directory up to the working directory's children: the
        // highest one mostly unreadable is left out whole (`server/clickhouse/**`).
        let mut by_dir: std::collections::BTreeMap<PathBuf, (usize, usize)> =
            std::collections::BTreeMap::new();
        for c in &read {
            for dir in c.path.ancestors().skip(1) {
                if dir == cwd || !dir.starts_with(cwd) {
                    break;
                }
                let entry = by_dir.entry(dir.to_path_buf()).or_default();
                entry.0 += c.unreadable;
                entry.1 += c.statements.len();
            }
        }
        let mut other: Vec<PathBuf> = Vec::new();
        for (dir, (unreadable, total)) in &by_dir {
            let mostly = *unreadable >= 3 && unreadable * 2 > *total;
            if !mostly || other.iter().any(|o| dir.starts_with(o)) {
                continue;
            }
            let relative = relative_to(dir, cwd).unwrap_or_else(|| dir.clone());
            excluded.push((
                format!("{}/**", relative.display()).replace('\\', "/"),
                format!(
                    "{unreadable} of its {total} statements are not {dialect} SQL: another database's?"
                ),
            ));
            other.push(dir.clone());
        }
        read.retain(|c| !other.iter().any(|d| c.path.starts_with(d)));
        // Directories of versioned migrations that shape the schema.
        let mut versioned: std::collections::BTreeMap<PathBuf, usize> =
            std::collections::BTreeMap::new();
        for c in read.iter().filter(|c| c.shapes && !tests.contains(&c.path)) {
            if crate::model::schema::version_of(&c.path).is_some() {
                *versioned.entry(group_of(&c.path)).or_default() += 1;
            }
        }
        migration_dirs = versioned
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .map(|(d, _)| d)
            .collect();
        // Two migration directories that create the same tables are one schema for
        // two databases (`migrations/` and `sqlite_migrations/`): the one written for
        // another database (by its name, else by what this dialect cannot read) is
        // left out.
        let created = |dir: &Path| -> (HashSet<String>, usize) {
            let mut names = HashSet::new();
            let mut unreadable = 0;
            for c in read.iter().filter(|c| group_of(&c.path) == dir) {
                unreadable += c.unreadable;
                for s in &c.statements {
                    if let Ok(sqlparser::ast::Statement::CreateTable(t)) = &s.parsed
                        && let Some(name) = crate::model::dialect::last_ident(&t.name)
                    {
                        names.insert(dialect.key(name).into_owned());
                    }
                }
            }
            (names, unreadable)
        };
        let foreign_name = |dir: &Path| {
            let name = dir.to_string_lossy().to_ascii_lowercase();
            Dialect::NAMES
                .iter()
                .chain(&["clickhouse", "mssql", "oracle"])
                .any(|d| *d != dialect.name() && name.contains(d))
        };
        let mut dropped: Vec<PathBuf> = Vec::new();
        for (i, a) in migration_dirs.iter().enumerate() {
            for b in migration_dirs.iter().skip(i + 1) {
                if dropped.contains(a) || dropped.contains(b) {
                    continue;
                }
                let ((na, ua), (nb, ub)) = (created(a), created(b));
                let shared = na.intersection(&nb).count();
                if shared == 0 || shared * 2 < na.len().min(nb.len()) {
                    continue;
                }
                let drop = match (foreign_name(a), foreign_name(b)) {
                    (true, false) => a,
                    (false, true) => b,
                    _ if ua > ub => a,
                    _ => b,
                };
                let kept = if drop == a { b } else { a };
                let shown = |d: &Path| {
                    relative_to(d, cwd)
                        .unwrap_or_else(|| d.to_path_buf())
                        .display()
                        .to_string()
                        .replace('\\', "/")
                };
                excluded.push((
                    format!("{}/**", shown(drop)),
                    format!(
                        "migrations of the same tables as {} for another database",
                        shown(kept)
                    ),
                ));
                dropped.push(drop.clone());
            }
        }
        migration_dirs.retain(|d| !dropped.contains(d));
        read.retain(|c| !dropped.iter().any(|d| c.path.starts_with(d)));
    }
    // With migration directories, they are the schema: another file that creates
    // tables (a dump of the same schema, another application's) is listed, not read.
    let mut not_read: Vec<(String, usize)> = Vec::new();
    let mut files: Vec<LoadedFile> = Vec::new();
    // The files not read as schema, to look at once the schema is known.
    let mut others: Vec<Candidate> = Vec::new();
    for (rank, c) in read.into_iter().enumerate() {
        let in_migrations = migration_dirs.iter().any(|d| group_of(&c.path) == *d);
        let keep = if explicit {
            true
        } else if tests.contains(&c.path) {
            false
        } else if migration_dirs.is_empty() {
            c.shapes
        } else {
            in_migrations
        };
        if !keep {
            if c.shapes && c.creates > 0 && !tests.contains(&c.path) {
                let shown = relative_to(&c.path, cwd).unwrap_or_else(|| c.path.clone());
                not_read.push((shown.display().to_string().replace('\\', "/"), c.creates));
            }
            others.push(c);
            continue;
        }
        let shown = display_path(&c.path, cwd);
        let mut file = LoadedFile::new(Arc::from(shown.as_path()), c.path, false);
        file.source = Some(SourceFile::new(shown, c.text));
        file.ddl = c.statements;
        file.schema_rank = rank;
        files.push(file);
    }
    let database = match db {
        Some(db) => {
            let absolute = cwd.join(db);
            Some(read_database(
                &absolute,
                &display_path(&absolute, cwd),
                dialect,
            )?)
        }
        None => None,
    };
    let timeline = build_schema(database.iter().chain(files.iter()), &config);
    if timeline.schema.is_empty() {
        return Err(ProjectError::NoSchema {
            looked: if db.is_some() || explicit {
                "the given schema".to_string()
            } else {
                format!("`.sql` files under {}", cwd.display())
            },
        });
    }
    if !explicit {
        exclude_other_schemas(
            &timeline.schema,
            &files,
            others,
            cwd,
            dialect,
            &mut excluded,
        );
    }
    let skipped = timeline
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                p.path.display(),
                p.failure.at.line,
                p.failure.at.column,
                p.failure.message
            )
        })
        .collect();
    Ok(ReadSchema {
        schema: timeline.schema,
        files: files.into_iter().map(|f| f.absolute).collect(),
        dialect,
        dialect_reason,
        skipped,
        excluded,
        not_read,
    })
}

/// A `.sql` file `init` read: its statements, whether it shapes the schema, how many
/// of its statements cannot be read, and how many tables it creates.
struct Candidate {
    path: PathBuf,
    text: String,
    statements: Vec<ParsedStatement>,
    shapes: bool,
    unreadable: usize,
    creates: usize,
}

/// Leaves out of the scan, once the schema is known, the SQL written for another
/// schema: a directory tree with a schema of its own whose tables are mostly not this
/// one's (another application's, an example's), and a file whose statements mostly
/// cannot be read or name no table of this schema (another database's seed data).
fn exclude_other_schemas(
    schema: &Schema,
    files: &[LoadedFile],
    others: Vec<Candidate>,
    cwd: &Path,
    dialect: Dialect,
    excluded: &mut Vec<(String, String)>,
) {
    let known: HashSet<String> = schema
        .tables()
        .map(|t| dialect.name_key(&t.name).into_owned())
        .collect();
    let glob_of = |path: &Path| {
        relative_to(path, cwd)
            .unwrap_or_else(|| path.to_path_buf())
            .display()
            .to_string()
            .replace('\\', "/")
    };
    let covered = |path: &Path, excluded: &[(String, String)]| {
        let relative = glob_of(path);
        excluded.iter().any(|(glob, _)| {
            glob.strip_suffix("/**")
                .is_some_and(|dir| relative.starts_with(&format!("{dir}/")))
                || *glob == relative
        })
    };
    // Trees with a schema of their own first, then single files.
    for c in &others {
        if covered(&c.path, excluded) {
            continue;
        }
        // Another schema: most tables it creates are not this schema's.
        if c.creates > 0 {
            let created: Vec<String> = c
                .statements
                .iter()
                .filter_map(|s| match &s.parsed {
                    Ok(sqlparser::ast::Statement::CreateTable(t)) => {
                        crate::model::dialect::last_ident(&t.name)
                            .map(|i| dialect.key(i).into_owned())
                    }
                    _ => None,
                })
                .collect();
            let ours = created.iter().filter(|n| known.contains(*n)).count();
            if ours * 2 < created.len() {
                // The highest directory above it that holds no schema file of ours.
                let top = c
                    .path
                    .ancestors()
                    .skip(1)
                    .take_while(|d| *d != cwd && d.starts_with(cwd))
                    .filter(|d| !files.iter().any(|f| f.absolute.starts_with(d)))
                    .last();
                if let Some(top) = top {
                    excluded.push((
                        format!("{}/**", glob_of(top)),
                        format!(
                            "{} defines a schema of its own ({} of its {} tables are not this schema's)",
                            glob_of(&c.path),
                            created.len() - ours,
                            created.len()
                        ),
                    ));
                }
            }
        }
    }
    for c in &others {
        if covered(&c.path, excluded) {
            continue;
        }
        // Another database's statements: unreadable, or naming no table of ours.
        let lines = crate::extract::source::LineIndex::new(&c.text);
        let foreign = c
            .statements
            .iter()
            .filter(|s| match &s.parsed {
                Err(f) => f.is_unreadable(),
                Ok(_) => {
                    let text = &c.text[lines.byte_range(&c.text, s.span)];
                    crate::model::loader::word_keys(text, dialect)
                        .is_none_or(|words| !words.iter().any(|w| known.contains(w)))
                }
            })
            .count();
        if foreign >= 3 && foreign * 2 > c.statements.len() {
            excluded.push((
                glob_of(&c.path),
                format!(
                    "{foreign} of its {} statements are not {dialect} SQL or name no table of this schema: another database's?",
                    c.statements.len()
                ),
            ));
        }
    }
}

/// The position of a byte offset in the valid UTF-8 prefix of `bytes`.
fn position_in(bytes: &[u8], offset: usize) -> Location {
    let prefix = String::from_utf8_lossy(&bytes[..offset]);
    LineIndex::new(&prefix).position(&prefix, prefix.len())
}

/// A directory (or file) the walk met but could not read: reported as
/// `unreadable-source` at its path.
fn unlisted_file(shown: PathBuf, message: String) -> LoadedFile {
    let mut reporter = Reporter::default();
    reporter
        .report(&rules::unreadable_source::RULE, point(1, 1), message)
        .help("give tenant-lint read access to it, or exclude it with `[scan] exclude`");
    let mut file = LoadedFile::new(Arc::from(shown.as_path()), shown, true);
    file.problem = Some(reporter.findings.remove(0));
    file
}

/// What the walk found: the files to scan under the roots `(absolute, as shown,
/// canonical)`, and the entries below a root it could not read `(as shown, why)`.
type Collected = (Vec<(PathBuf, PathBuf, PathBuf)>, Vec<(PathBuf, String)>);

/// The files to scan under the roots.
fn collect_files(
    roots: &[PathBuf],
    config: &Config,
    cwd: &Path,
) -> Result<Collected, ProjectError> {
    let include = glob_set(&config.include, config)?;
    let exclude = glob_set(&config.exclude, config)?;
    let mut out = Vec::new();
    let mut unlisted = Vec::new();
    let skip_tests = config.tests == crate::model::config::TestCode::Skipped;
    let mut seen: HashSet<OsString> = HashSet::new();
    // Normalized once: most paths are then made relative by stripping a prefix.
    let base = normalize(&config.base_dir);
    let here = normalize(cwd);
    for root in roots {
        let metadata = std::fs::metadata(root).map_err(|e| ProjectError::Path {
            path: display_path(root, cwd),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => e.to_string(),
            },
        })?;
        let root_canonical = canonical(root);
        if metadata.is_file() {
            if seen.insert(root_canonical.as_os_str().to_owned()) {
                out.push((root.clone(), display_path(root, cwd), root_canonical));
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_dir(e));
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                // Below the root: a directory that cannot be listed (permissions, a
                // `/proc` entry gone) is a finding at its path; the walk goes on.
                Err(e) if e.depth() > 0 => {
                    let at = e.path().unwrap_or(root);
                    let relative = relative_to(at, &base).unwrap_or_else(|| at.to_path_buf());
                    // An excluded directory is not the scan's to read.
                    if exclude.is_match(&relative) || exclude.is_match(relative.join("x")) {
                        continue;
                    }
                    let why = e
                        .io_error()
                        .map_or_else(|| e.to_string(), std::string::ToString::to_string);
                    unlisted.push((display_path(at, cwd), format!("cannot be read: {why}")));
                    continue;
                }
                Err(e) => {
                    return Err(ProjectError::Path {
                        path: display_path(e.path().unwrap_or(root), cwd),
                        message: e.to_string(),
                    });
                }
            };
            // Anything but a directory is included: a broken symlink, a symlink loop,
            // a FIFO named `x.sql` are reported as unreadable rather than skipped.
            // Symlinks are not followed into directories, so a loop cannot recur.
            let kind = entry.file_type();
            let file_like = !(kind.is_dir() || kind.is_symlink() && entry.path().is_dir());
            // A down migration undoes the schema: it is neither schema nor checked.
            if !file_like
                || !is_source(entry.path())
                || crate::extract::migration::is_down_migration(entry.path())
            {
                continue;
            }
            let relative = relative_fast(entry.path(), &base)
                .or_else(|| relative_to(entry.path(), root))
                .unwrap_or_else(|| entry.path().to_path_buf());
            if !include.is_match(&relative) || exclude.is_match(&relative) {
                continue;
            }
            if skip_tests && crate::report::declared::is_test_path(&relative) {
                continue;
            }
            // The walk does not follow symlinked directories, so below the root only
            // the entry itself can be a link: the canonical path is built, not asked
            // of the file system (one system call per path component).
            let canonical = match entry.path().strip_prefix(root) {
                Ok(inside) if !entry.path_is_symlink() => root_canonical.join(inside),
                _ => canonical(entry.path()),
            };
            if seen.insert(canonical.as_os_str().to_owned()) {
                let shown = match relative_fast(entry.path(), &here) {
                    Some(shown) if entry.path().is_absolute() => shown,
                    _ => display_path(entry.path(), cwd),
                };
                out.push((entry.path().to_path_buf(), shown, canonical));
            }
        }
    }
    Ok((out, unlisted))
}

/// [`relative_to`] for a path already normal (no `.` or `..`, as the walk yields below
/// a normal root) against a normalized base; `None` otherwise, and when outside it.
fn relative_fast(path: &Path, base: &Path) -> Option<PathBuf> {
    // The common case by bytes: `base/rest` where `rest` has no `.`, `..` or empty
    // component (what the walk yields under a normalized base).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let rest = path
            .as_os_str()
            .as_bytes()
            .strip_prefix(base.as_os_str().as_bytes())
            .and_then(|r| r.strip_prefix(b"/"));
        if let Some(rest) = rest
            && !base.as_os_str().as_bytes().ends_with(b"/")
            && rest
                .split(|&c| c == b'/')
                .all(|c| !(c.is_empty() || c == b"." || c == b".."))
        {
            return Some(PathBuf::from(OsStr::from_bytes(rest)));
        }
    }
    let normal = path.components().all(|c| {
        !matches!(
            c,
            std::path::Component::CurDir | std::path::Component::ParentDir
        )
    });
    if !normal {
        return relative_to(path, base);
    }
    path.strip_prefix(base).ok().map(Path::to_path_buf)
}

/// Whether a Rust file's SQL has a `format!` hole naming something its own file does
/// not define (a constant of another module, or a variable).
fn names_other_constants(file: &LoadedFile) -> bool {
    file.rust.as_ref().is_some_and(|r| {
        r.sql
            .iter()
            .any(|s| s.holes.iter().any(|h| h.name.is_some()))
    })
}

/// The nearest directory at or above `dir` that holds a `Cargo.toml`.
fn crate_root(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join("Cargo.toml").is_file())
}

/// `.sql` and `.rs` files are scanned.
fn is_source(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sql") || e.eq_ignore_ascii_case("rs"))
}

fn is_rust(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("rs"))
}

fn glob_set(patterns: &[String], config: &Config) -> Result<GlobSet, ProjectError> {
    crate::model::files::glob_set(patterns, config).map_err(ProjectError::Config)
}

/// How a path is shown: relative to the working directory (with `..` when it is
/// outside it), so reports read the same on every machine.
pub fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    let path = normalize(&cwd.join(path));
    let cwd = normalize(cwd);
    let common = path
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in cwd.components().skip(common) {
        out.push("..");
    }
    for part in path.components().skip(common) {
        out.push(part.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_by_bytes_agree_with_relative_paths_by_components() {
        let cases = [
            ("/w/repo/src/a.rs", "/w/repo"),
            ("/w/repo/src/a.rs", "/w/rep"),
            ("/w/repository/a.rs", "/w/repo"),
            ("/w/repo/./src/a.rs", "/w/repo"),
            ("/w/repo/src/../a.rs", "/w/repo"),
            ("/w/repo//src/a.rs", "/w/repo"),
            ("/w/repo", "/w/repo"),
            ("/w/repo/a.rs", "/"),
            ("/x/a.rs", "/w/repo"),
            ("/w/repo/é/ü.rs", "/w/repo"),
        ];
        for (path, base) in cases {
            let (path, base) = (Path::new(path), Path::new(base));
            assert_eq!(
                relative_fast(path, base),
                relative_to(path, base),
                "{} in {}",
                path.display(),
                base.display()
            );
        }
    }
}
