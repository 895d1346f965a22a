//! The `tenant-lint` command line: a thin front end over [`crate::project`].
//!
//! Exit codes: 0 no error-severity finding, 1 error findings, 2 usage, configuration
//! or I/O error.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::Dialect;
use crate::project::{Overrides, Project};
use crate::report::{human, json};
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
    /// Print a rule's documentation.
    Rule {
        /// A code (`TI001`) or name (`missing-tenant-filter`).
        rule: String,
    },
    /// List every rule.
    Rules,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files and directories to check.
    paths: Vec<PathBuf>,
    /// The configuration file (default: tenant-lint.toml here or in a parent directory).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
    /// Colour the human output: auto, always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
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
        Command::Rule { rule } => show_rule(&rule, out, err),
        Command::Rules => list_rules(out),
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
    let overrides = Overrides {
        config: args.config,
        dialect: args.dialect,
        tenant_column: args.tenant_column,
        params: args.params,
        schema: args.schema,
    };
    let project = match Project::load(env.cwd, &args.paths, &overrides) {
        Ok(project) => project,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let report = project.check();
    match args.format {
        Format::Json => write!(out, "{}", json::render(&report.diagnostics, report.summary))?,
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => env.terminal && std::env::var_os("NO_COLOR").is_none(),
            };
            write!(
                out,
                "{}",
                human::render(&report.diagnostics, |p| project.source(p), color)
            )?;
            writeln!(out, "{}", human::summary_line(&report.summary))?;
        }
    }
    Ok(if report.has_errors() { 1 } else { 0 })
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
