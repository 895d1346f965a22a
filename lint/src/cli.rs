//! The `tenant-lint` command line: a thin front end over [`crate::project`].
//!
//! Exit codes: 0 no error-severity finding, 1 error findings, 2 usage, configuration
//! or I/O error.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::Dialect;
use crate::project::{CheckReport, Overrides, Project, display_path, read_schema};
use crate::report::Summary;
use crate::report::baseline::Baseline;
use crate::report::suppress::{Extent, Suppression};
use crate::report::{audit, explain, github, human, json, junit, sarif};
use crate::rules;

#[derive(Parser, Debug)]
#[command(
    name = "tenant-lint",
    version,
    about = "Proves every use of a tenant table is bound to the caller's tenant",
    after_help = "Exit status: 0 no errors, 1 error findings, 2 usage, configuration or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check SQL files (default: the directory of tenant-lint.toml, or the working directory).
    Check(CheckArgs),
    /// A readiness report: every table classified, every statement and function
    /// grouped, findings by risk, a readiness percentage and a verdict.
    Audit(AuditArgs),
    /// Write a starter tenant-lint.toml from a schema.
    Init(InitArgs),
    /// Write the PostgreSQL row-level security that isolates every tenant table of the
    /// tenant model: one idempotent migration.
    Rls(RlsArgs),
    /// Print a rule's documentation.
    Rule {
        /// A code (`TI001`) or name (`missing-tenant-filter`).
        rule: String,
    },
    /// List every rule (`--format markdown`: every rule's documentation, as
    /// `docs/rules.md` holds it).
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum RulesFormat {
    /// One line per rule: code, name, severity, summary.
    Table,
    /// The documentation of every rule, as Markdown.
    Markdown,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// human: rustc-style with source; concise: one line per finding; json: the
    /// DESIGN contract; sarif: SARIF 2.1.0; github: workflow commands; junit: JUnit XML.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Colour the human output: auto, always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Fail only on findings not recorded in this baseline file; list recorded
    /// findings that no longer occur.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// List every suppression (comments and `cross_tenant` functions) with its reason.
    #[arg(long, conflicts_with_all = ["baseline", "write_baseline"])]
    list_suppressions: bool,
    /// Print, for each statement with a finding, the proof attempted for every tenant
    /// table in it: which predicates were considered and why each did not bind.
    #[arg(long)]
    explain: bool,
}

#[derive(clap::Args, Debug)]
struct AuditArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    format: AuditFormat,
}

/// What to check and how: shared by `check` and `audit`.
#[derive(clap::Args, Debug)]
struct ProjectArgs {
    /// Files and directories to check.
    paths: Vec<PathBuf>,
    /// The configuration file (default: tenant-lint.toml here or in a parent directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override `dialect`: sqlite, postgres, mysql or generic.
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// Override `[tenant] column`.
    #[arg(long)]
    tenant_column: Option<String>,
    /// Strict mode: only this bind parameter carries the tenant (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// An extra DDL or migration file to read the schema from (repeatable).
    #[arg(long)]
    schema: Vec<PathBuf>,
    /// A database to read the schema from, without writing to it: a SQLite file, or a
    /// PostgreSQL URL (`postgres://user@host/db`; the password from the URL,
    /// `PGPASSWORD` or the password file, and never shown).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Parse every Rust file, even those a byte scan shows hold no SQL (slower; the
    /// findings are the same).
    #[arg(long, hide = true)]
    no_prefilter: bool,
}

impl ProjectArgs {
    fn load(self, env: &Env) -> Result<Project, crate::project::ProjectError> {
        let overrides = Overrides {
            config: self.config,
            dialect: self.dialect,
            tenant_column: self.tenant_column,
            params: self.params,
            schema: self.schema,
            db: self.db,
            no_prefilter: self.no_prefilter,
        };
        Project::load(env.cwd, &self.paths, &overrides)
    }
}

#[derive(clap::Args, Debug)]
struct RlsArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Where to write the migration (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// A DDL file, migration file or directory of them (repeatable; default: every
    /// `.sql` file under the working directory that creates a table).
    #[arg(long)]
    schema: Vec<PathBuf>,
    /// A database to read the schema from, without writing to it: a SQLite file, or a
    /// PostgreSQL URL (`postgres://user@host/db`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// The SQL dialect of the schema: sqlite, postgres, mysql or generic (default:
    /// detected from the schema and the migration tool's files).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// The tenant column (default: detected from the schema).
    #[arg(long)]
    tenant_column: Option<String>,
    /// Where to write the configuration (`-` for standard output).
    #[arg(long, default_value = "tenant-lint.toml")]
    output: PathBuf,
    /// Overwrite an existing configuration file.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum AuditFormat {
    Markdown,
    Json,
    Human,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
}

/// Where the command runs: its working directory and whether stdout is a terminal.
pub struct Env<'a> {
    pub cwd: &'a Path,
    pub terminal: bool,
}

/// Runs the command line; returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args, env, out, err),
        Command::Audit(args) => run_audit(args, env, out, err),
        Command::Rls(args) => run_rls(args, env, out, err),
        Command::Init(args) => init(args, env, out, err),
        Command::Rule { rule } => show_rule(&rule, out, err),
        Command::Rules { format } => match format {
            RulesFormat::Table => list_rules(out),
            RulesFormat::Markdown => rules_markdown(out),
        },
    };
    result.unwrap_or_else(|e| {
        let _ = writeln!(err, "error: cannot write output: {e}");
        2
    })
}

fn check(
    args: CheckArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let project = match args.project.load(env) {
        Ok(project) => project,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let report = project.check();
    if args.list_suppressions {
        write!(
            out,
            "{}",
            list_suppressions(
                &report,
                project.engine.declarations(),
                project.config_path(),
                args.format
            )
        )?;
        return Ok(0);
    }
    let mut diagnostics = report.diagnostics.clone();
    let mut fingerprints: Vec<String> = Vec::new();
    if args.baseline.is_some() || args.write_baseline.is_some() || args.format == Format::Sarif {
        let (prints, paths): (Vec<String>, Vec<String>) =
            project.fingerprints(&report).into_iter().unzip();
        if let Some(file) = &args.write_baseline {
            let target = env.cwd.join(file);
            let baseline = Baseline::new(&diagnostics, &prints, &paths);
            let shown = display_path(&target, env.cwd);
            if let Err(e) = std::fs::write(&target, baseline.to_json()) {
                writeln!(
                    err,
                    "error: {}: cannot write the baseline: {e}",
                    shown.display()
                )?;
                return Ok(2);
            }
            writeln!(
                out,
                "tenant-lint: wrote {} finding{} to {}",
                baseline.findings.len(),
                if baseline.findings.len() == 1 {
                    ""
                } else {
                    "s"
                },
                shown.display()
            )?;
            return Ok(0);
        }
        fingerprints = prints;
    }
    if let Some(file) = &args.baseline {
        let target = env.cwd.join(file);
        let shown = display_path(&target, env.cwd).display().to_string();
        let baseline = match Baseline::read(&target, &shown) {
            Ok(baseline) => baseline,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(2);
            }
        };
        let matched = baseline.matches(&fingerprints);
        diagnostics = matched
            .new
            .iter()
            .map(|&i| diagnostics[i].clone())
            .collect();
        fingerprints = matched
            .new
            .iter()
            .map(|&i| fingerprints[i].clone())
            .collect();
        if matched.known > 0 {
            writeln!(
                err,
                "baseline: {} known finding{} in {shown} not reported",
                matched.known,
                if matched.known == 1 { "" } else { "s" }
            )?;
        }
        if !matched.stale.is_empty() {
            writeln!(
                err,
                "baseline: {} entr{} in {shown} no longer occur{}; shrink the file with `--write-baseline {shown}`:",
                matched.stale.len(),
                if matched.stale.len() == 1 { "y" } else { "ies" },
                if matched.stale.len() == 1 { "s" } else { "" },
            )?;
            for entry in &matched.stale {
                writeln!(err, "  {}: {} {}", entry.path, entry.code, entry.message)?;
            }
        }
    }
    let summary = Summary::new(
        report.summary.files,
        report.summary.statements,
        &diagnostics,
    );
    // `--explain`: inside the document in the structured formats, after the report in
    // the others.
    let explained = args.explain.then(|| {
        let proofs = project.proofs(&diagnostics);
        explain::explain(&proofs, project.engine.model())
    });
    match args.format {
        Format::Json => write!(
            out,
            "{}",
            json::render_explained(&diagnostics, summary, explained.as_deref())
        )?,
        Format::Sarif => write!(
            out,
            "{}",
            sarif::render_explained(&diagnostics, &fingerprints, explained.as_deref())
        )?,
        Format::Github => write!(
            out,
            "{}",
            github::render(&diagnostics, &summary, project.engine.model())
        )?,
        Format::Junit => {
            let mut files: Vec<&Path> = project
                .files
                .iter()
                .filter(|f| f.scanned)
                .map(|f| &*f.path)
                .collect();
            files.sort();
            write!(out, "{}", junit::render(&files, &diagnostics))?
        }
        Format::Concise => {
            write!(out, "{}", human::concise(&diagnostics))?;
            writeln!(out, "{}", human::summary_line(&summary))?;
        }
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => env.terminal && std::env::var_os("NO_COLOR").is_none(),
            };
            write!(
                out,
                "{}",
                human::render(&diagnostics, |p| project.source(p), color)
            )?;
            writeln!(out, "{}", human::summary_line(&summary))?;
        }
    }
    if let Some(explained) = &explained
        && !matches!(args.format, Format::Json | Format::Sarif)
    {
        write!(out, "{}", explain::render_text(explained))?;
    }
    Ok(if summary.errors > 0 { 1 } else { 0 })
}

/// What code declared cross-tenant covered: per declaration (or test code), the files
/// where it covered a finding.
struct DeclaredUse<'a> {
    at: Option<(u64, u64)>,
    shown: String,
    reason: &'a str,
    files: Vec<&'a Path>,
}

/// Every suppression of the checked files, sorted by place, then each cross-tenant
/// declaration with the files it covered: for review.
fn list_suppressions(
    report: &CheckReport,
    declarations: &crate::report::declared::Declarations,
    config: Option<&Path>,
    format: Format,
) -> String {
    let config = config.map_or_else(
        || "tenant-lint.toml".to_string(),
        |p| p.display().to_string(),
    );
    let mut all: Vec<(&Path, &Suppression)> = report
        .files
        .iter()
        .flat_map(|(path, outcome)| outcome.suppressions.iter().map(move |s| (&**path, s)))
        .filter(|(_, s)| !matches!(s.extent, Extent::Declared { .. }))
        .collect();
    all.sort_by_key(|(path, s)| (*path, s.at.line, s.at.column));
    // Declarations in the order of the configuration, test code last.
    let mut declared: Vec<DeclaredUse> = (0..declarations.len())
        .map(|i| {
            let (at, shown, reason) = declarations.describe(i);
            DeclaredUse {
                at: Some((at.line, at.column)),
                shown: shown.to_string(),
                reason,
                files: Vec::new(),
            }
        })
        .collect();
    let mut tests: Option<DeclaredUse> = None;
    for (path, outcome) in &report.files {
        for s in outcome.suppressions.iter().filter(|s| s.used) {
            let Extent::Declared { index, .. } = &s.extent else {
                continue;
            };
            let entry = match index {
                Some(i) => &mut declared[*i],
                None => tests.get_or_insert_with(|| DeclaredUse {
                    at: None,
                    shown: "test code".to_string(),
                    reason: "",
                    files: Vec::new(),
                }),
            };
            if entry.reason.is_empty() {
                entry.reason = &s.reason;
            }
            if entry.files.last() != Some(&&**path) {
                entry.files.push(path);
            }
        }
    }
    declared.extend(tests);
    if format == Format::Json {
        let mut entries: Vec<serde_json::Value> = all
            .iter()
            .map(|(path, s)| {
                serde_json::json!({
                    "path": path.display().to_string().replace('\\', "/"),
                    "line": s.at.line,
                    "column": s.at.column,
                    "extent": s.extent.describe(),
                    "rules": s.rules.iter().map(|r| r.code).collect::<Vec<_>>(),
                    "reason": s.reason,
                    "used": s.used,
                })
            })
            .collect();
        entries.extend(declared.iter().map(|d| {
            serde_json::json!({
                "declared": d.shown,
                "line": d.at.map(|a| a.0),
                "column": d.at.map(|a| a.1),
                "reason": d.reason,
                "used": !d.files.is_empty(),
                "files": d.files.iter().map(|p| p.display().to_string().replace('\\', "/")).collect::<Vec<_>>(),
            })
        }));
        let mut text = serde_json::to_string_pretty(&serde_json::json!({
            "version": 1,
            "suppressions": entries,
        }))
        .expect("plain data serializes");
        text.push('\n');
        return text;
    }
    let mut out = String::new();
    for (path, s) in &all {
        let codes: Vec<&str> = s.rules.iter().map(|r| r.code).collect();
        out.push_str(&format!(
            "{}:{}:{}: allow({}) on {}{}\n    reason: {}\n",
            path.display(),
            s.at.line,
            s.at.column,
            codes.join(", "),
            s.extent.describe(),
            if s.used { "" } else { " (suppresses nothing)" },
            s.reason
        ));
    }
    for d in &declared {
        let place = d.at.map_or_else(String::new, |(line, column)| {
            format!("{config}:{line}:{column}: ")
        });
        let files = match d.files.len() {
            0 => "covers nothing".to_string(),
            1 => "covers findings in 1 file".to_string(),
            n => format!("covers findings in {n} files"),
        };
        out.push_str(&format!(
            "{place}declared cross-tenant: {} {files}\n    reason: {}\n",
            d.shown, d.reason
        ));
    }
    let unused = all.iter().filter(|(_, s)| !s.used).count()
        + declared.iter().filter(|d| d.files.is_empty()).count();
    out.push_str(&format!(
        "tenant-lint: {} suppression{}, {} declaration{}, {unused} suppressing nothing\n",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        declared.len(),
        if declared.len() == 1 { "" } else { "s" },
    ));
    out
}

/// Exit codes: 0 written, 2 the project could not be read or is not PostgreSQL.
fn run_rls(
    args: RlsArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let project = match args.project.load(env) {
        Ok(project) => project,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let migration = match crate::rls::generate(project.engine.model()) {
        Ok(migration) => migration,
        Err(message) => {
            writeln!(err, "error: {message}")?;
            return Ok(2);
        }
    };
    match args.output {
        None => write!(out, "{migration}")?,
        Some(path) => {
            let target = env.cwd.join(&path);
            if let Err(e) = std::fs::write(&target, &migration) {
                writeln!(err, "error: {}: cannot write: {e}", path.display())?;
                return Ok(2);
            }
            writeln!(out, "wrote {}", display_path(&target, env.cwd).display())?;
        }
    }
    Ok(0)
}

/// Exit codes: 0 ready, 1 not ready, 2 the project could not be read.
fn run_audit(
    args: AuditArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let project = match args.project.load(env) {
        Ok(project) => project,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let report = project.check();
    let audit = audit::audit(project.engine.model(), &report.files, &report.diagnostics);
    let text = match args.format {
        AuditFormat::Markdown => audit::render_markdown(&audit),
        AuditFormat::Json => audit::render_json(&audit),
        AuditFormat::Human => audit::render_human(&audit),
    };
    write!(out, "{text}")?;
    Ok(if audit.ready() { 0 } else { 1 })
}

/// Writes a starter configuration; refuses to overwrite one unless `--force`.
fn init(
    args: InitArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let to_stdout = args.output.as_os_str() == "-";
    let target = env.cwd.join(&args.output);
    if !to_stdout && target.exists() && !args.force {
        writeln!(
            err,
            "error: {} already exists; pass --force to overwrite it",
            display_path(&target, env.cwd).display()
        )?;
        return Ok(2);
    }
    let read = match read_schema(env.cwd, &args.schema, args.db.as_deref(), args.dialect) {
        Ok(read) => read,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let base = if to_stdout {
        env.cwd.to_path_buf()
    } else {
        target
            .parent()
            .map_or(env.cwd.to_path_buf(), Path::to_path_buf)
    };
    let files: Vec<String> = read
        .files
        .iter()
        .map(|f| {
            crate::model::files::relative_to(f, &base)
                .unwrap_or_else(|| f.clone())
                .display()
                .to_string()
                .replace('\\', "/")
        })
        .collect();
    let listing = |dir: &str| -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(base.join(dir)) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sql")))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .map(|name| {
                if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                }
            })
            .collect();
        out.sort();
        out
    };
    let files = crate::init::schema_patterns(&files, &listing);
    // A URL is written with its password masked.
    let db = args
        .db
        .as_ref()
        .map(|d| match crate::project::postgres_url(d) {
            #[cfg(feature = "postgres")]
            Some(url) => crate::pg::mask(&url),
            _ => d.display().to_string(),
        });
    let context = crate::init::Context {
        dialect_reason: read.dialect_reason.clone(),
        skipped: read.skipped.clone(),
        tenant_column: args.tenant_column.clone(),
        excluded: read.excluded.clone(),
        not_read: read.not_read.clone(),
    };
    for skipped in read.skipped.iter().take(10) {
        writeln!(
            err,
            "warning: skipped a statement it cannot read: {skipped}"
        )?;
    }
    if read.skipped.len() > 10 {
        writeln!(
            err,
            "warning: and {} more statements it cannot read (listed in the configuration)",
            read.skipped.len() - 10
        )?;
    }
    let starter = crate::init::starter(&read.schema, &files, db.as_deref(), &context);
    if to_stdout {
        write!(out, "{}", starter.text)?;
        return Ok(0);
    }
    if let Err(e) = std::fs::write(&target, &starter.text) {
        writeln!(
            err,
            "error: {}: cannot write: {e}",
            display_path(&target, env.cwd).display()
        )?;
        return Ok(2);
    }
    writeln!(
        out,
        "wrote {}: dialect {} ({}), tenant column `{}` ({})",
        display_path(&target, env.cwd).display(),
        read.dialect,
        read.dialect_reason,
        starter.detected.column,
        starter.detected.how,
    )?;
    init_summary(&target, &starter, &read, args.db.clone(), env, out)?;
    Ok(0)
}

/// After `init`: the check run with the new configuration, summed up, and the next
/// things to decide.
fn init_summary(
    target: &Path,
    starter: &crate::init::Starter,
    read: &crate::project::ReadSchema,
    db: Option<PathBuf>,
    env: &Env,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let overrides = Overrides {
        config: Some(target.to_path_buf()),
        db,
        ..Overrides::default()
    };
    let root = target.parent().unwrap_or(env.cwd);
    let project = match Project::load(root, &[], &overrides) {
        Ok(project) => project,
        Err(e) => {
            writeln!(out, "the first check could not run: {e}")?;
            return Ok(());
        }
    };
    let report = project.check();
    let model = project.engine.model();
    let mut classes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, info) in model.tables() {
        *classes.entry(info.class.name()).or_default() += 1;
    }
    let tables: Vec<String> = classes.iter().map(|(c, n)| format!("{n} {c}")).collect();
    writeln!(out, "tables: {}", tables.join(", "))?;
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for d in &report.diagnostics {
        *by_rule.entry(d.code).or_default() += 1;
    }
    let rules: Vec<String> = by_rule.iter().map(|(c, n)| format!("{c} {n}")).collect();
    writeln!(
        out,
        "first check: {} errors, {} warnings in {} statements{}{}",
        report.summary.errors,
        report.summary.warnings,
        report.summary.statements,
        if rules.is_empty() { "" } else { "; by rule: " },
        rules.join(", ")
    )?;
    // The next decisions, most consequential first.
    let mut next: Vec<String> = Vec::new();
    if starter.detected.root.is_none() || starter.detected.outer.is_some() {
        next.push(format!(
            "Confirm the tenant column `{}` in [tenant]{}.",
            starter.detected.column,
            if starter.detected.outer.is_some() {
                " (tenancy has two levels: see the comment there)"
            } else {
                ""
            }
        ));
    }
    if starter.shared > 0 {
        next.push(format!(
            "Decide the {} candidate shared table{} in [tables] (commented out): uncomment only tables every tenant may read in full.",
            starter.shared,
            if starter.shared == 1 { "" } else { "s" }
        ));
    }
    // Where the errors of reads and writes gather: cross-tenant by design, or leaks.
    let mut by_dir: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for d in report.diagnostics.iter().filter(|d| {
        d.severity == crate::report::diagnostic::Severity::Error
            && (d.code.starts_with("TI0") || d.code.starts_with("TI1"))
    }) {
        let dir = d
            .path
            .parent()
            .map_or_else(String::new, |p| p.display().to_string());
        *by_dir.entry(dir).or_default() += 1;
    }
    let mut dirs: Vec<(String, usize)> = by_dir.into_iter().collect();
    dirs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if !dirs.is_empty() {
        let top: Vec<String> = dirs
            .iter()
            .take(3)
            .map(|(d, n)| format!("{} ({n})", if d.is_empty() { "." } else { d }))
            .collect();
        next.push(format!(
            "Read the unbound reads and writes, most in {}: fix the leaks, and declare code that is cross-tenant by design with [[cross_tenant]] and its reason.",
            top.join(", ")
        ));
    }
    let schema_errors = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.severity == crate::report::diagnostic::Severity::Error && d.code.starts_with("TI2")
        })
        .count();
    if schema_errors > 0 {
        next.push(format!(
            "Fix the {schema_errors} schema finding{} (tenant data without its column, nullable or unreferenced tenant columns, keys without the tenant), or suppress each with its reason.",
            if schema_errors == 1 { "" } else { "s" }
        ));
    }
    if !read.skipped.is_empty() {
        next.push(format!(
            "Look at the {} schema statement{} tenant-lint could not read (listed in [schema]).",
            read.skipped.len(),
            if read.skipped.len() == 1 { "" } else { "s" }
        ));
    }
    if next.is_empty() {
        next.push("Add `tenant-lint check` to CI (see the README).".to_string());
    }
    writeln!(out, "next:")?;
    for (i, step) in next.iter().take(3).enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    Ok(())
}

fn show_rule(rule: &str, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    match rules::find(rule) {
        Some(rule) => {
            writeln!(out, "# {} {}: {}\n", rule.code, rule.name, rule.summary)?;
            writeln!(out, "Default severity: {}\n", rule.severity)?;
            writeln!(out, "{}", rule.documentation())?;
            Ok(0)
        }
        None => {
            writeln!(
                err,
                "error: unknown rule `{rule}`; `tenant-lint rules` lists them"
            )?;
            Ok(2)
        }
    }
}

/// Every rule's documentation, in code order, with a table of contents.
fn rules_markdown(out: &mut dyn Write) -> std::io::Result<i32> {
    writeln!(out, "# Rules\n")?;
    writeln!(
        out,
        "Generated by `tenant-lint rules --format markdown` from the rules' own documentation\n(`tenant-lint rule <code>` prints one). Codes: `TI0xx` reads, `TI1xx` writes, `TI2xx`\nschema, `TI3xx` Rust-level, `TI9xx` meta. Configuration, command line and suppression\ncomments take a code or a name.\n"
    )?;
    writeln!(out, "| code | name | default | what it reports |")?;
    writeln!(out, "|---|---|---|---|")?;
    for rule in rules::ALL {
        writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} |",
            rule.code,
            rule.code.to_ascii_lowercase(),
            rule.name,
            rule.severity.name(),
            rule.summary
        )?;
    }
    for rule in rules::ALL {
        writeln!(out, "\n## {}\n", rule.code)?;
        writeln!(
            out,
            "`{}`, {} by default: {}.\n",
            rule.name,
            rule.severity.name(),
            rule.summary
        )?;
        // The rule's own headings sit one level below its section.
        for line in rule.documentation().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => writeln!(out, "### {heading}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(0)
}

fn list_rules(out: &mut dyn Write) -> std::io::Result<i32> {
    for rule in rules::ALL {
        writeln!(
            out,
            "{}  {:<36} {:<8} {}",
            rule.code,
            rule.name,
            rule.severity.name(),
            rule.summary
        )?;
    }
    Ok(0)
}
