//! `kpi-ops`: the command line of the reference application. Every command acts as a
//! user (`--as`), inside that user's scope; bad input is refused before anything runs.
//!
//! Exit codes: 0 done, 1 refused (access, validation, not found), 2 usage or setup.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::date::Date;
use crate::db::{Db, MIGRATIONS};
use crate::error::{AppError, Result};
use crate::kpi::{self, Kpi, Options, Window};
use crate::repo::{self, Page};
use crate::scope::TenantScope;
use crate::seed::{self, SeedOptions};

#[derive(Parser, Debug)]
#[command(
    name = "kpi-ops",
    version,
    about = "KPI Operations: multi-tenant manufacturing KPIs, isolated by client",
    after_help = "Without --db, commands run on an in-memory demo database: 3 clients, 90 days up to today.\nExit status: 0 done, 1 refused (access, validation, not found), 2 usage or setup error."
)]
struct Cli {
    /// The SQLite database file (default: an in-memory demo database).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the database file and apply the migrations.
    Init,
    /// Fill an empty database with deterministic demo data.
    Seed {
        #[arg(long, default_value_t = 3)]
        clients: u32,
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// The last day with data (default: today).
        #[arg(long, value_parser = parse_date)]
        until: Option<Date>,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Show the scope of a user: role and clients.
    Scope(Caller),
    /// Compute a KPI (or `all`) in the caller's scope.
    Kpi {
        /// A KPI name (`tenant-lint`'s reference app knows 18; `all` runs every one).
        name: String,
        #[command(flatten)]
        caller: Caller,
        /// First day of the window (default: 29 days before --to).
        #[arg(long, value_parser = parse_date)]
        from: Option<Date>,
        /// Last day of the window and the as-of date (default: today).
        #[arg(long, value_parser = parse_date)]
        to: Option<Date>,
        /// Chronic holds: minimum age in days.
        #[arg(long, default_value_t = 30)]
        threshold: i32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List rows of a table in the caller's scope (`field=value` filters).
    List {
        table: String,
        #[command(flatten)]
        caller: Caller,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Filters, `field=value`.
        fields: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one row.
    Get {
        table: String,
        id: String,
        #[command(flatten)]
        caller: Caller,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create a row from `field=value` pairs (values are JSON, else text).
    Create {
        table: String,
        #[command(flatten)]
        caller: Caller,
        fields: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Change fields of a row.
    Update {
        table: String,
        id: String,
        #[command(flatten)]
        caller: Caller,
        fields: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Delete a row.
    Delete {
        table: String,
        id: String,
        #[command(flatten)]
        caller: Caller,
        /// Fields that identify the row besides its id (`valid_from=…`).
        fields: Vec<String>,
    },
}

#[derive(clap::Args, Debug)]
struct Caller {
    /// The user acting.
    #[arg(long = "as", value_name = "USER")]
    user: String,
    /// Act for one client of the scope (required for writes when it holds several).
    #[arg(long)]
    client: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    s.parse()
}

/// Runs the command line; returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
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
    match execute(cli, out) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            match e {
                AppError::Setup(_) => 2,
                _ => 1,
            }
        }
    }
}

fn open(db: Option<&PathBuf>) -> Result<Db> {
    match db {
        Some(path) => Db::open(path),
        None => {
            let db = Db::in_memory()?;
            seed::seed(
                &db,
                SeedOptions {
                    clients: 3,
                    days: 90,
                    until: Date::today(),
                    seed: 7,
                },
            )?;
            Ok(db)
        }
    }
}

fn write_out(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .map_err(|e| AppError::Setup(format!("cannot write output: {e}")))
}

fn execute(cli: Cli, out: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Init => {
            let Some(path) = &cli.db else {
                return Err(AppError::Setup(
                    "init needs a database file: kpi-ops --db FILE init".to_string(),
                ));
            };
            Db::open(path)?;
            write_out(
                out,
                &format!(
                    "database ready: {} (schema version {})\n",
                    path.display(),
                    MIGRATIONS.len()
                ),
            )
        }
        Command::Seed {
            clients,
            days,
            until,
            seed: seed_value,
        } => {
            let Some(path) = &cli.db else {
                return Err(AppError::Setup(
                    "seed needs a database file: kpi-ops --db FILE seed".to_string(),
                ));
            };
            let db = Db::open(path)?;
            let options = SeedOptions {
                clients,
                days,
                until: until.unwrap_or_else(Date::today),
                seed: seed_value,
            };
            let started = Instant::now();
            let report = seed::seed(&db, options)?;
            let seconds = started.elapsed().as_secs_f64();
            write_out(
                out,
                &format!(
                    "seeded {} clients, {} days ({} to {}): {} rows in {:.2} s ({:.0} rows/s)\n",
                    report.clients,
                    days,
                    options.first_day(),
                    options.until,
                    report.rows,
                    seconds,
                    report.rows as f64 / seconds.max(1e-9)
                ),
            )
        }
        Command::Scope(caller) => {
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            write_out(
                out,
                &format!(
                    "{} ({}): {}\n",
                    scope.username(),
                    scope.role(),
                    scope.clients().join(", ")
                ),
            )
        }
        Command::Kpi {
            name,
            caller,
            from,
            to,
            threshold,
            format,
        } => {
            let kpis: Vec<Kpi> = if name == "all" {
                Kpi::ALL.to_vec()
            } else {
                vec![
                    name.parse()
                        .map_err(|e: String| AppError::invalid("kpi", e))?,
                ]
            };
            let window = Window::new(from, to)?;
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            let options = Options {
                chronic_threshold_days: threshold,
            };
            let mut reports = Vec::new();
            for kpi in kpis {
                reports.push(kpi::compute(&db, &scope, kpi, window, options)?);
            }
            let text = match format {
                Format::Json if reports.len() == 1 => json(&reports[0]),
                Format::Json => json(&reports),
                Format::Table => reports
                    .iter()
                    .map(|r| {
                        format!(
                            "{} ({} to {})\n{}",
                            r.kpi,
                            r.window.from,
                            r.window.to,
                            table(&r.rows)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            write_out(out, &text)
        }
        Command::List {
            table: name,
            caller,
            limit,
            offset,
            fields,
            format,
        } => {
            let page = Page::new(limit, offset)?;
            let fields = parse_fields(&fields)?;
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            let rows = list(&db, &scope, &name, fields, page)?;
            write_out(out, &render_rows(&rows, format))
        }
        Command::Get {
            table: name,
            id,
            caller,
            format,
        } => {
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            let row = get(&db, &scope, &name, &id)?;
            write_out(out, &render_row(&row, format))
        }
        Command::Create {
            table: name,
            caller,
            fields,
            format,
        } => {
            let fields = parse_fields(&fields)?;
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            let row = create(&db, &scope, &name, fields)?;
            write_out(out, &render_row(&row, format))
        }
        Command::Update {
            table: name,
            id,
            caller,
            fields,
            format,
        } => {
            let fields = parse_fields(&fields)?;
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            let row = update(&db, &scope, &name, &id, fields)?;
            write_out(out, &render_row(&row, format))
        }
        Command::Delete {
            table: name,
            id,
            caller,
            fields,
        } => {
            let fields = parse_fields(&fields)?;
            let db = open(cli.db.as_ref())?;
            let scope = resolve(&db, &caller)?;
            delete(&db, &scope, &name, &id, fields)?;
            write_out(out, &format!("deleted {name} {id}\n"))
        }
    }
}

fn resolve(db: &Db, caller: &Caller) -> Result<TenantScope> {
    TenantScope::resolve(db, &caller.user)?.narrow(caller.client.as_deref())
}

/// `field=value` pairs as a JSON object: a value that parses as JSON is taken as such
/// (`5`, `true`, `null`, `"007"`), anything else as text (`WO-1`, `2026-03-01`).
fn parse_fields(fields: &[String]) -> Result<Map<String, Value>> {
    let mut map = Map::new();
    for field in fields {
        let Some((key, value)) = field.split_once('=') else {
            return Err(AppError::invalid(
                "field",
                format!("`{field}` is not `field=value`"),
            ));
        };
        let value =
            serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
        if map.insert(key.to_string(), value).is_some() {
            return Err(AppError::invalid(
                "field",
                format!("`{key}` is given twice"),
            ));
        }
    }
    Ok(map)
}

/// The fields as a request struct; unknown fields and wrong types are refused.
fn input<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T> {
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| AppError::invalid("fields", e.to_string()))
}

fn int_id(id: &str) -> Result<i64> {
    id.parse()
        .map_err(|_| AppError::invalid("id", format!("`{id}` is not a number")))
}

fn value(v: impl Serialize) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| AppError::Setup(e.to_string()))
}

fn values<T: Serialize>(rows: Vec<T>) -> Result<Vec<Value>> {
    rows.into_iter().map(value).collect()
}

fn no_filters(name: &str, fields: &Map<String, Value>) -> Result<()> {
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(
            "fields",
            format!("`{name}` takes no filters"),
        ))
    }
}

const TABLES: &str = "clients, products, shifts, employees, work-orders, jobs, production, downtime, holds, hold-transitions, quality, defects, parts, attendance, coverage, user-assignments, employee-assignments, pool";

fn unknown_table(name: &str) -> AppError {
    AppError::invalid("table", format!("unknown table `{name}`; one of: {TABLES}"))
}

fn unsupported(name: &str, operation: &str) -> AppError {
    AppError::invalid("table", format!("`{name}` does not support {operation}"))
}

fn list(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    fields: Map<String, Value>,
    page: Page,
) -> Result<Vec<Value>> {
    match name {
        "clients" => {
            no_filters(name, &fields)?;
            values(repo::reference::clients(db, scope)?)
        }
        "products" => {
            no_filters(name, &fields)?;
            values(repo::reference::products(db, page)?)
        }
        "shifts" => {
            no_filters(name, &fields)?;
            values(repo::reference::shifts(db)?)
        }
        "employees" => {
            no_filters(name, &fields)?;
            values(repo::reference::employees(db, scope, page)?)
        }
        "work-orders" => values(repo::work_orders::list(db, scope, &input(fields)?, page)?),
        "jobs" => values(repo::jobs::list(db, scope, &input(fields)?, page)?),
        "production" => values(repo::production::list(db, scope, &input(fields)?, page)?),
        "downtime" => values(repo::downtime::list(db, scope, &input(fields)?, page)?),
        "holds" => values(repo::holds::list(db, scope, &input(fields)?, page)?),
        "hold-transitions" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct ByHold {
                hold_entry_id: i64,
            }
            let by: ByHold = input(fields)?;
            values(repo::holds::transitions(db, scope, by.hold_entry_id, page)?)
        }
        "quality" => values(repo::quality::list(db, scope, &input(fields)?, page)?),
        "defects" => values(repo::defects::list(db, scope, &input(fields)?, page)?),
        "parts" => {
            no_filters(name, &fields)?;
            values(repo::parts::list(db, scope, page)?)
        }
        "attendance" => values(repo::attendance::list(db, scope, &input(fields)?, page)?),
        "coverage" => values(repo::coverage::list(db, scope, &input(fields)?, page)?),
        "user-assignments" => {
            no_filters(name, &fields)?;
            values(repo::assignments::user_assignments(db, scope, page)?)
        }
        "employee-assignments" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct ByEmployee {
                employee_id: Option<i64>,
            }
            let by: ByEmployee = input(fields)?;
            values(repo::assignments::employee_assignments(
                db,
                scope,
                by.employee_id,
                page,
            )?)
        }
        "pool" => {
            no_filters(name, &fields)?;
            values(repo::pool::list(db, scope, page)?)
        }
        other => Err(unknown_table(other)),
    }
}

fn get(db: &Db, scope: &TenantScope, name: &str, id: &str) -> Result<Value> {
    match name {
        "products" => value(repo::reference::product(db, int_id(id)?)?),
        "shifts" => value(repo::reference::shift(db, int_id(id)?)?),
        "employees" => value(repo::reference::employee(db, scope, int_id(id)?)?),
        "work-orders" => value(repo::work_orders::get(db, scope, id)?),
        "jobs" => value(repo::jobs::get(db, scope, id)?),
        "production" => value(repo::production::get(db, scope, int_id(id)?)?),
        "downtime" => value(repo::downtime::get(db, scope, int_id(id)?)?),
        "holds" => value(repo::holds::get(db, scope, int_id(id)?)?),
        "quality" => value(repo::quality::get(db, scope, int_id(id)?)?),
        "defects" => value(repo::defects::get(db, scope, int_id(id)?)?),
        "parts" => value(repo::parts::get(db, scope, id)?),
        "attendance" => value(repo::attendance::get(db, scope, int_id(id)?)?),
        "coverage" => value(repo::coverage::get(db, scope, int_id(id)?)?),
        "user-assignments" => value(repo::assignments::user_assignment(db, scope, int_id(id)?)?),
        "pool" => value(repo::pool::get(db, scope, int_id(id)?)?),
        "clients" | "hold-transitions" | "employee-assignments" => {
            Err(unsupported(name, "get: use list"))
        }
        other => Err(unknown_table(other)),
    }
}

fn create(db: &Db, scope: &TenantScope, name: &str, fields: Map<String, Value>) -> Result<Value> {
    match name {
        "clients" => value(repo::reference::create_client(db, scope, &input(fields)?)?),
        "products" => value(repo::reference::create_product(db, scope, &input(fields)?)?),
        "shifts" => value(repo::reference::create_shift(db, scope, &input(fields)?)?),
        "employees" => {
            let id = repo::reference::create_employee(db, scope, &input(fields)?)?;
            Ok(serde_json::json!({"employee_id": id}))
        }
        "work-orders" => value(repo::work_orders::create(db, scope, &input(fields)?)?),
        "jobs" => value(repo::jobs::create(db, scope, &input(fields)?)?),
        "production" => value(repo::production::create(db, scope, &input(fields)?)?),
        "downtime" => value(repo::downtime::create(db, scope, &input(fields)?)?),
        "holds" => value(repo::holds::create(db, scope, &input(fields)?)?),
        "quality" => value(repo::quality::create(db, scope, &input(fields)?)?),
        "defects" => value(repo::defects::create(db, scope, &input(fields)?)?),
        "parts" => value(repo::parts::upsert(db, scope, &input(fields)?)?),
        "attendance" => value(repo::attendance::create(db, scope, &input(fields)?)?),
        "coverage" => value(repo::coverage::create(db, scope, &input(fields)?)?),
        "user-assignments" => value(repo::assignments::assign_user(db, scope, &input(fields)?)?),
        "employee-assignments" => value(repo::assignments::assign_employee(
            db,
            scope,
            &input(fields)?,
        )?),
        "pool" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Member {
                employee_id: i64,
            }
            let member: Member = input(fields)?;
            value(repo::pool::add(db, scope, member.employee_id)?)
        }
        "hold-transitions" => Err(unsupported(name, "create: change the hold's status")),
        other => Err(unknown_table(other)),
    }
}

fn update(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    id: &str,
    fields: Map<String, Value>,
) -> Result<Value> {
    match name {
        "work-orders" => value(repo::work_orders::update(db, scope, id, &input(fields)?)?),
        "jobs" => value(repo::jobs::update(db, scope, id, &input(fields)?)?),
        "production" => value(repo::production::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "downtime" => value(repo::downtime::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "holds" => value(repo::holds::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "quality" => value(repo::quality::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "defects" => value(repo::defects::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "parts" => value(repo::parts::update(db, scope, id, &input(fields)?)?),
        "attendance" => value(repo::attendance::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "coverage" => value(repo::coverage::update(
            db,
            scope,
            int_id(id)?,
            &input(fields)?,
        )?),
        "user-assignments" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Active {
                is_active: bool,
            }
            let active: Active = input(fields)?;
            value(repo::assignments::set_user_active(
                db,
                scope,
                int_id(id)?,
                active.is_active,
            )?)
        }
        "employee-assignments" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct End {
                valid_from: String,
                valid_to: String,
            }
            let end: End = input(fields)?;
            repo::assignments::end_employee_assignment(
                db,
                scope,
                int_id(id)?,
                &end.valid_from,
                &end.valid_to,
            )?;
            Ok(
                serde_json::json!({"employee_id": int_id(id)?, "valid_from": end.valid_from, "valid_to": end.valid_to}),
            )
        }
        "pool" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Action {
                action: String,
            }
            let action: Action = input(fields)?;
            match action.action.as_str() {
                "assign" => value(repo::pool::assign(db, scope, int_id(id)?)?),
                "release" => value(repo::pool::release(db, scope, int_id(id)?)?),
                other => Err(AppError::invalid(
                    "action",
                    format!("`{other}` is not assign or release"),
                )),
            }
        }
        "clients" | "products" | "shifts" | "employees" | "hold-transitions" => {
            Err(unsupported(name, "update"))
        }
        other => Err(unknown_table(other)),
    }
}

fn delete(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    id: &str,
    fields: Map<String, Value>,
) -> Result<()> {
    if name != "employee-assignments" {
        no_filters(name, &fields)?;
    }
    match name {
        "work-orders" => repo::work_orders::delete(db, scope, id),
        "jobs" => repo::jobs::delete(db, scope, id),
        "production" => repo::production::delete(db, scope, int_id(id)?),
        "downtime" => repo::downtime::delete(db, scope, int_id(id)?),
        "holds" => repo::holds::delete(db, scope, int_id(id)?),
        "quality" => repo::quality::delete(db, scope, int_id(id)?),
        "defects" => repo::defects::delete(db, scope, int_id(id)?),
        "parts" => repo::parts::delete(db, scope, id),
        "attendance" => repo::attendance::delete(db, scope, int_id(id)?),
        "coverage" => repo::coverage::delete(db, scope, int_id(id)?),
        "user-assignments" => repo::assignments::unassign_user(db, scope, int_id(id)?),
        "employee-assignments" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Key {
                valid_from: String,
            }
            let key: Key = input(fields)?;
            repo::assignments::remove_employee_assignment(db, scope, int_id(id)?, &key.valid_from)
        }
        "pool" => repo::pool::remove(db, scope, int_id(id)?),
        "clients" | "products" | "shifts" | "employees" | "hold-transitions" => {
            Err(unsupported(name, "delete"))
        }
        other => Err(unknown_table(other)),
    }
}

fn json(v: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(v).expect("plain data serializes");
    text.push('\n');
    text
}

fn render_rows(rows: &[Value], format: Format) -> String {
    match format {
        Format::Json => json(&rows),
        Format::Table => table(rows),
    }
}

fn render_row(row: &Value, format: Format) -> String {
    match format {
        Format::Json => json(row),
        Format::Table => {
            let Value::Object(fields) = row else {
                return format!("{row}\n");
            };
            let width = fields.keys().map(|k| k.len()).max().unwrap_or(0);
            fields
                .iter()
                .map(|(k, v)| format!("{k:<width$}  {}\n", cell(v)))
                .collect()
        }
    }
}

/// A value in a table cell: numbers to two decimals, `-` for no data.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => format!("{:.2}", n.as_f64().unwrap_or_default()),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("/"),
        other => other.to_string(),
    }
}

/// Rows of objects as an aligned text table, columns in the order of the first row.
fn table(rows: &[Value]) -> String {
    let Some(Value::Object(first)) = rows.first() else {
        return "(no rows)\n".to_string();
    };
    // The client first, then the other fields of the first row, then any field only
    // later rows have (a client with no data has fewer).
    let mut columns: Vec<&String> = first.keys().filter(|k| *k == "client_id").collect();
    for row in rows {
        if let Value::Object(fields) = row {
            for key in fields.keys() {
                if !columns.contains(&key) {
                    columns.push(key);
                }
            }
        }
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| columns.iter().map(|c| cell(&r[c.as_str()])).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].len())
                .max()
                .unwrap_or(0)
                .max(c.len())
        })
        .collect();
    let line = |items: Vec<&str>| -> String {
        let mut s = items
            .iter()
            .zip(&widths)
            .map(|(item, w)| format!("{item:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = line(columns.iter().map(|c| c.as_str()).collect());
    for row in &cells {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out
}
