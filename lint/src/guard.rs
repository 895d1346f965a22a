//! The runtime guard: the engine asked at run time, for the SQL no static pass sees.
//!
//! Every statement an application runs goes through a [`GuardedConnection`]. Before it
//! executes, the [`Guard`] checks it with the same rules as `tenant-lint check` (the
//! verdict is cached by SQL text, so a repeated statement costs a hash lookup, not a
//! parse) and refuses it, naming the table, unless every tenant table in it is proved
//! bound to the caller's tenant: any finding refuses, warnings included (a tenant
//! bound to a hard-coded literal is not proved to be the caller's). The reserved tenant parameters (`[tenant] params` of
//! strict mode, e.g. `:client_id`, `:scope`) are bound by the guard itself from the
//! caller's [`Scope`]; a caller that supplies one is refused, so no request value can
//! pass for the authenticated tenant.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{Connection, Row, ToSql};

use crate::engine::Engine;
use crate::model::loader::{SchemaFile, SchemaProblem, build, read_statements, word_keys};
use crate::model::{Config, TenantModel};

mod cache;
#[cfg(test)]
mod workload;
use crate::report::diagnostic::Finding;
use cache::VerdictCache;

/// Why the guard refused a statement: the first unproved use of a tenant table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    /// The tenant table concerned, when there is one.
    pub table: Option<String>,
    /// 1-based position in the statement's text.
    pub line: u64,
    pub column: u64,
    /// How many findings the statement has in all.
    pub findings: usize,
}

impl Refusal {
    fn from_findings(findings: &[Finding]) -> Refusal {
        let first = &findings[0];
        Refusal {
            code: first.code,
            name: first.name,
            message: first.message.clone(),
            table: first.table.clone(),
            line: first.span.start.line,
            column: first.span.start.column,
            findings: findings.len(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused by the tenant guard: {} ({}) at {}:{} of the statement",
            self.message, self.code, self.line, self.column
        )?;
        if self.findings > 1 {
            write!(f, ", and {} more finding(s)", self.findings - 1)?;
        }
        Ok(())
    }
}

/// Why a guard could not be built: its configuration or schema cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tenant guard: {}", self.0)
    }
}

impl std::error::Error for SetupError {}

/// The engine with a verdict cache. Shared by every connection of an application.
pub struct Guard {
    engine: Engine,
    reserved: Vec<String>,
    /// Schema statements that could not be read.
    problems: Vec<SchemaProblem>,
    verdicts: VerdictCache,
}

/// How many distinct statements' verdicts a guard keeps unless told otherwise
/// ([`Guard::with_cache_limit`]): a few megabytes at typical statement lengths.
pub const DEFAULT_CACHE_ENTRIES: usize = 10_000;

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("reserved", &self.reserved)
            .field("cached", &self.cached())
            .field("cache_limit", &self.cache_limit())
            .finish()
    }
}

impl Guard {
    /// A guard from a `tenant-lint.toml` text and the schema's DDL, as
    /// `(name, text)` pairs applied in the order given (migrations in version order).
    /// The application embeds both, so the guard checks against the schema it runs.
    /// The schema is read as the CLI reads it ([`crate::model::loader`]); a statement
    /// of it that cannot be read makes the guard refuse every statement that names
    /// what it names, as the CLI reports it. A configuration that cannot be read, or a
    /// schema without a table, is an error: not a weaker guard.
    pub fn new(config: &str, schema: &[(&str, &str)]) -> Result<Guard, SetupError> {
        let config = Config::parse(config, Path::new("tenant-lint.toml"))
            .map_err(|e| SetupError(e.to_string()))?;
        let paths: Vec<Arc<Path>> = schema
            .iter()
            .map(|(name, _)| Arc::from(Path::new(name)))
            .collect();
        let statements: Vec<Vec<crate::engine::ParsedStatement>> = schema
            .iter()
            .map(|(_, text)| read_statements(text, config.dialect))
            .collect();
        // Applied in the order given: no file name is read for a version.
        let timeline = build(
            config.dialect,
            &config.search_path,
            (0..schema.len())
                .map(|i| SchemaFile {
                    path: &paths[i],
                    location: Path::new(""),
                    text: schema[i].1,
                    statements: &statements[i],
                    rank: i,
                })
                .collect(),
        );
        if timeline.schema.is_empty() {
            let why = timeline.problems.first().map_or_else(String::new, |p| {
                format!(
                    ": {}:{}:{}: cannot parse the schema: {}",
                    p.path.display(),
                    p.failure.at.line,
                    p.failure.at.column,
                    p.failure.message
                )
            });
            return Err(SetupError(format!("the schema defines no table{why}")));
        }
        let reserved = config.params.clone();
        let limit = config.guard_cache_entries.unwrap_or(DEFAULT_CACHE_ENTRIES);
        let engine = Engine::new(TenantModel::new(config, timeline.schema))
            .map_err(|e| SetupError(e.to_string()))?;
        Ok(Guard::with_engine(engine, reserved, timeline.problems).with_cache_limit(limit))
    }

    fn with_engine(engine: Engine, reserved: Vec<String>, problems: Vec<SchemaProblem>) -> Guard {
        Guard {
            engine,
            reserved,
            problems,
            verdicts: VerdictCache::new(DEFAULT_CACHE_ENTRIES),
        }
    }

    /// Sets how many distinct statements' verdicts are kept (`[guard] cache_entries`
    /// in the configuration; statements not checked since the cache last swept are
    /// dropped first; 0 keeps none). A service that formats values into its SQL
    /// makes a new text per value: the limit bounds the memory they take.
    pub fn with_cache_limit(mut self, entries: usize) -> Guard {
        self.verdicts = VerdictCache::new(entries);
        self
    }

    /// Checks one SQL text (one or more statements); the verdict is cached by text.
    pub fn check(&self, sql: &str) -> Result<(), Refusal> {
        if let Some(verdict) = self.verdicts.get(sql) {
            return verdict.map_or(Ok(()), Err);
        }
        let verdict = self.verdict(sql);
        self.verdicts.insert(sql, verdict.clone());
        verdict.map_or(Ok(()), Err)
    }

    /// The verdict on a SQL text, not cached: the CLI's findings on it, and the
    /// unreadable schema statements it depends on.
    pub fn verdict(&self, sql: &str) -> Option<Refusal> {
        self.verdict_with(&self.engine, sql)
    }

    /// [`Guard::verdict`] with `engine` (the guard's, with a connection's temporary
    /// tables).
    fn verdict_with(&self, engine: &Engine, sql: &str) -> Option<Refusal> {
        let mut findings = engine.check_sql_flagged(sql);
        if !self.problems.is_empty() {
            let words: Option<std::collections::HashSet<String>> =
                word_keys(sql, self.engine.model().dialect()).map(|w| w.into_iter().collect());
            if let Some(problem) = self
                .problems
                .iter()
                .find(|p| words.as_ref().is_none_or(|w| p.concerns(w)))
            {
                let mut finding = crate::engine::unparseable(&problem.failure);
                finding.message = format!(
                    "the statement uses what a schema statement the guard cannot read defines ({}:{}:{}: {})",
                    problem.path.display(),
                    problem.failure.at.line,
                    problem.failure.at.column,
                    problem.failure.message
                );
                finding.span = crate::extract::source::point(1, 1);
                findings.insert(0, finding);
            }
        }
        (!findings.is_empty()).then(|| Refusal::from_findings(&findings))
    }

    /// Whether a parameter name (with its prefix: `:client_id`) is reserved: bound
    /// from the scope by the guard, never by a caller.
    pub fn is_reserved(&self, name: &str) -> bool {
        self.reserved.iter().any(|r| r == name)
    }

    /// The reserved parameters (`[tenant] params`).
    pub fn reserved(&self) -> &[String] {
        &self.reserved
    }

    /// How many distinct statements have a cached verdict.
    pub fn cached(&self) -> usize {
        self.verdicts.len()
    }

    /// The most verdicts the cache keeps ([`Guard::with_cache_limit`]).
    pub fn cache_limit(&self) -> usize {
        self.verdicts.limit()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// What the caller may act for: the values of the reserved tenant parameters.
pub trait Scope {
    /// The value of reserved parameter `name` (`:client_id`, `:scope`) for this caller,
    /// or why the caller has none (e.g. a write needs one client and the scope holds two).
    fn tenant_value(&self, name: &str) -> Result<Value, String>;
}

/// Why a guarded statement did not run.
#[derive(Debug)]
pub enum GuardError {
    /// The engine could not prove the statement bound to the caller's tenant.
    Refused {
        refusal: Box<Refusal>,
        sql: String,
    },
    /// The caller supplied a reserved tenant parameter itself.
    ReservedParameter(String),
    /// A parameter of the statement was not supplied, or is unnamed (`?`).
    MissingParameter(String),
    /// A supplied parameter does not occur in the statement.
    UnknownParameter(String),
    /// The scope has no value for a reserved parameter.
    Scope {
        parameter: String,
        message: String,
    },
    Sqlite(rusqlite::Error),
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardError::Refused { refusal, .. } => write!(f, "{refusal}"),
            GuardError::ReservedParameter(name) => write!(
                f,
                "`{name}` is a reserved tenant parameter: the guard binds it from the caller's scope"
            ),
            GuardError::MissingParameter(name) => {
                write!(f, "parameter `{name}` of the statement has no value")
            }
            GuardError::UnknownParameter(name) => {
                write!(f, "parameter `{name}` does not occur in the statement")
            }
            GuardError::Scope { parameter, message } => write!(f, "{parameter}: {message}"),
            GuardError::Sqlite(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GuardError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GuardError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for GuardError {
    fn from(e: rusqlite::Error) -> Self {
        GuardError::Sqlite(e)
    }
}

/// Named parameters a caller supplies: `&[(":id", &id)]`.
pub type Params<'a> = &'a [(&'a str, &'a dyn ToSql)];

/// Rewrites a checked statement before it runs (mutation testing: the isolation
/// suite's proof that it catches a weakened tenant predicate). `None` runs it as is.
pub type Rewrite = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// A statement as it ran: its text (after any rewrite) and every parameter's value,
/// the reserved ones as the guard bound them.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub sql: String,
    pub params: Vec<(String, Value)>,
}

/// Sees every statement that runs (coverage reports, benchmarks, tracing).
pub type Observer = Arc<dyn Fn(&Executed) + Send + Sync>;

/// A SQLite connection through which all of an application's SQL runs.
pub struct GuardedConnection {
    conn: Connection,
    guard: Arc<Guard>,
    rewrite: Option<Rewrite>,
    observer: Option<Observer>,
    /// The engine with the temporary tables this connection created: they exist for
    /// this connection only, so statements here are checked against them (uncached).
    temporary: std::cell::RefCell<Option<Engine>>,
}

impl GuardedConnection {
    pub fn new(conn: Connection, guard: Arc<Guard>) -> Self {
        GuardedConnection {
            conn,
            guard,
            rewrite: None,
            observer: None,
            temporary: std::cell::RefCell::new(None),
        }
    }

    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Rows of a query, each mapped by `map`.
    pub fn query<T>(
        &self,
        scope: &dyn Scope,
        sql: &str,
        params: Params,
        mut map: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, GuardError> {
        self.run(scope, sql, params, |statement| {
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(map(row)?);
            }
            Ok(out)
        })
    }

    /// The first row of a query, if any.
    pub fn query_row<T>(
        &self,
        scope: &dyn Scope,
        sql: &str,
        params: Params,
        map: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, GuardError> {
        self.run(scope, sql, params, |statement| {
            let mut rows = statement.raw_query();
            match rows.next()? {
                Some(row) => Ok(Some(map(row)?)),
                None => Ok(None),
            }
        })
    }

    /// Runs a write; the number of rows it changed.
    pub fn execute(
        &self,
        scope: &dyn Scope,
        sql: &str,
        params: Params,
    ) -> Result<usize, GuardError> {
        self.run(scope, sql, params, |statement| Ok(statement.raw_execute()?))
    }

    /// Runs an INSERT; the rowid of the inserted row.
    pub fn insert(&self, scope: &dyn Scope, sql: &str, params: Params) -> Result<i64, GuardError> {
        self.execute(scope, sql, params)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Runs `body` in a transaction: committed when it returns `Ok`, rolled back
    /// otherwise, so a refused or failed step leaves nothing behind.
    pub fn transaction<T, E: From<GuardError>>(
        &self,
        body: impl FnOnce(&Self) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn
            .execute_batch("SAVEPOINT guarded")
            .map_err(|e| E::from(GuardError::Sqlite(e)))?;
        match body(self) {
            Ok(value) => {
                self.conn
                    .execute_batch("RELEASE guarded")
                    .map_err(|e| E::from(GuardError::Sqlite(e)))?;
                Ok(value)
            }
            Err(e) => {
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO guarded; RELEASE guarded");
                Err(e)
            }
        }
    }

    /// The raw connection, for what is not tenant data by construction: migrations,
    /// and reading a user's own identity to build its scope. The reason is the
    /// reviewer's to accept, as with `cross_tenant = "…"`.
    pub fn unguarded(&self, reason: &'static str) -> &Connection {
        debug_assert!(!reason.trim().is_empty(), "say why the guard is bypassed");
        &self.conn
    }

    /// Installs (or removes) a rewrite applied to statements after they are checked.
    /// Only the isolation suite's mutation testing uses it.
    pub fn set_rewrite(&mut self, rewrite: Option<Rewrite>) {
        self.rewrite = rewrite;
    }

    /// Installs (or removes) an observer called with every statement about to run.
    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    fn run<T>(
        &self,
        scope: &dyn Scope,
        sql: &str,
        params: Params,
        body: impl FnOnce(&mut rusqlite::Statement) -> Result<T, GuardError>,
    ) -> Result<T, GuardError> {
        for (name, _) in params {
            if self.guard.is_reserved(name) {
                return Err(GuardError::ReservedParameter(name.to_string()));
            }
        }
        let verdict = match &*self.temporary.borrow() {
            Some(engine) => self.guard.verdict_with(engine, sql).map_or(Ok(()), Err),
            None => self.guard.check(sql),
        };
        verdict.map_err(|refusal| GuardError::Refused {
            refusal: Box::new(refusal),
            sql: sql.to_string(),
        })?;
        // A temporary table the statement creates is known to this connection's later
        // statements (as a file's temporary tables are known to its statements). Only a
        // text that says `temp` is split to see: the check of a cached statement stays a
        // lookup.
        if mentions_temp(sql) {
            self.learn_temporary_tables(sql);
        }

        let rewritten = self.rewrite.as_ref().and_then(|r| r(sql));
        let text = rewritten.as_deref().unwrap_or(sql);
        let mut statement = self.conn.prepare_cached(text)?;
        let mut used = vec![false; params.len()];
        let mut observed = self.observer.as_ref().map(|_| Executed {
            sql: text.to_string(),
            params: Vec::new(),
        });
        for index in 1..=statement.parameter_count() {
            let Some(name) = statement.parameter_name(index).map(str::to_string) else {
                return Err(GuardError::MissingParameter(format!("?{index}")));
            };
            if self.guard.is_reserved(&name) {
                let value = scope
                    .tenant_value(&name)
                    .map_err(|message| GuardError::Scope {
                        parameter: name.clone(),
                        message,
                    })?;
                if let Some(o) = &mut observed {
                    o.params.push((name, value.clone()));
                }
                statement.raw_bind_parameter(index, value)?;
                continue;
            }
            let Some(position) = params.iter().position(|(n, _)| *n == name) else {
                return Err(GuardError::MissingParameter(name));
            };
            used[position] = true;
            let param = params[position].1;
            if let Some(o) = &mut observed {
                let value = match param.to_sql()? {
                    rusqlite::types::ToSqlOutput::Borrowed(v) => owned(v),
                    rusqlite::types::ToSqlOutput::Owned(v) => v,
                    _ => Value::Null,
                };
                o.params.push((name, value));
            }
            statement.raw_bind_parameter(index, param)?;
        }
        if let Some(unused) = used.iter().position(|u| !u) {
            return Err(GuardError::UnknownParameter(params[unused].0.to_string()));
        }
        if let (Some(observer), Some(executed)) = (&self.observer, &observed) {
            observer(executed);
        }
        body(&mut statement)
    }
}

impl GuardedConnection {
    /// Adds the temporary tables `sql` creates to this connection's engine.
    fn learn_temporary_tables(&self, sql: &str) {
        let split = crate::engine::SplitSql::new(sql, self.guard.engine.model().dialect(), None);
        if !(0..split.len()).any(|i| split.creates_temporary_table(i)) {
            return;
        }
        let mut temporary = self.temporary.borrow_mut();
        let base = temporary.as_ref().unwrap_or(&self.guard.engine);
        if let Some(engine) = base.with_temporary_tables(&split) {
            *temporary = Some(engine);
        }
    }
}

/// Whether `sql` holds `temp` in any case (`TEMP`, `TEMPORARY`, `pg_temp`).
fn mentions_temp(sql: &str) -> bool {
    sql.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"temp"))
}

fn owned(v: rusqlite::types::ValueRef) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[tenant]
column = "client_id"
params = [":client_id", ":scope"]
[tables]
shared = ["PRODUCT"]
"#;
    const SCHEMA: &str = "
CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);
CREATE TABLE PRODUCT (product_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE WORK_ORDER (
    client_id TEXT NOT NULL REFERENCES CLIENT (client_id),
    work_order_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (client_id, work_order_id)
);";

    struct Clients(Vec<&'static str>);

    impl Scope for Clients {
        fn tenant_value(&self, name: &str) -> Result<Value, String> {
            match (name, self.0.as_slice()) {
                (":client_id", [one]) => Ok(Value::Text(one.to_string())),
                (":client_id", many) => Err(format!("{} clients in scope: name one", many.len())),
                (":scope", all) => Ok(Value::Text(serde_json::to_string(all).unwrap())),
                _ => Err("not a tenant parameter".to_string()),
            }
        }
    }

    fn connection() -> GuardedConnection {
        let guard = Arc::new(Guard::new(CONFIG, &[("schema.sql", SCHEMA)]).unwrap());
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute_batch(
            "INSERT INTO CLIENT VALUES ('A'), ('B');
             INSERT INTO WORK_ORDER VALUES ('A', 'WO-1', 10), ('B', 'WO-1', 20), ('B', 'WO-2', 30);",
        )
        .unwrap();
        GuardedConnection::new(conn, guard)
    }

    fn quantities(
        db: &GuardedConnection,
        scope: &Clients,
        sql: &str,
    ) -> Result<Vec<i64>, GuardError> {
        db.query(scope, sql, &[], |r| r.get(0))
    }

    #[test]
    fn a_proved_read_sees_only_the_scope() {
        let db = connection();
        let sql = "SELECT quantity FROM WORK_ORDER WHERE client_id IN (SELECT value FROM json_each(:scope)) ORDER BY quantity";
        assert_eq!(quantities(&db, &Clients(vec!["A"]), sql).unwrap(), [10]);
        assert_eq!(quantities(&db, &Clients(vec!["B"]), sql).unwrap(), [20, 30]);
        assert_eq!(
            quantities(&db, &Clients(vec!["A", "B"]), sql).unwrap(),
            [10, 20, 30]
        );
    }

    #[test]
    fn an_unproved_statement_is_refused_naming_the_table_and_never_runs() {
        let db = connection();
        let err =
            quantities(&db, &Clients(vec!["A"]), "SELECT quantity FROM WORK_ORDER").unwrap_err();
        let GuardError::Refused { refusal, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            (refusal.code, refusal.table.as_deref()),
            ("TI001", Some("WORK_ORDER"))
        );
        assert_eq!((refusal.line, refusal.column), (1, 22));
        assert!(
            err.to_string()
                .contains("`WORK_ORDER` is read without a `client_id` filter"),
            "{err}"
        );

        // A write that is refused changes nothing.
        let scope = Clients(vec!["A"]);
        let err = db
            .execute(&scope, "UPDATE WORK_ORDER SET quantity = 0", &[])
            .unwrap_err();
        assert!(matches!(err, GuardError::Refused { .. }), "{err}");
        let all: i64 = db
            .unguarded("test: count every row")
            .query_row("SELECT SUM(quantity) FROM WORK_ORDER", [], |r| r.get(0))
            .unwrap();
        assert_eq!(all, 60);
    }

    #[test]
    fn a_hard_coded_tenant_is_refused_too() {
        // A hard-coded tenant is never the caller's: refused.
        let db = connection();
        let err = quantities(
            &db,
            &Clients(vec!["A"]),
            "SELECT quantity FROM WORK_ORDER WHERE client_id = 'B'",
        )
        .unwrap_err();
        let GuardError::Refused { refusal, .. } = err else {
            panic!()
        };
        assert_eq!(refusal.code, "TI002");
    }

    #[test]
    fn unparseable_sql_is_refused_not_run() {
        let db = connection();
        let err =
            quantities(&db, &Clients(vec!["A"]), "SELEC quantity FROM WORK_ORDER").unwrap_err();
        let GuardError::Refused { refusal, .. } = err else {
            panic!()
        };
        assert_eq!(refusal.code, "TI999");
    }

    #[test]
    fn a_caller_cannot_supply_the_tenant() {
        let db = connection();
        let sql = "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id";
        let err = db
            .query(&Clients(vec!["A"]), sql, &[(":client_id", &"B")], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap_err();
        assert!(
            matches!(&err, GuardError::ReservedParameter(p) if p == ":client_id"),
            "{err}"
        );
        // A look-alike parameter is not a tenant value in strict mode: refused statically.
        let err = db
            .query(
                &Clients(vec!["A"]),
                "SELECT quantity FROM WORK_ORDER WHERE client_id = :client",
                &[(":client", &"B")],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        assert!(matches!(err, GuardError::Refused { .. }), "{err}");
    }

    #[test]
    fn writes_bind_the_single_client_of_the_scope() {
        let db = connection();
        let insert = "INSERT INTO WORK_ORDER (client_id, work_order_id, quantity) VALUES (:client_id, :id, :quantity)";
        db.insert(
            &Clients(vec!["A"]),
            insert,
            &[(":id", &"WO-9"), (":quantity", &5)],
        )
        .unwrap();
        let owner: String = db
            .unguarded("test: read the owner back")
            .query_row(
                "SELECT client_id FROM WORK_ORDER WHERE work_order_id = 'WO-9'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(owner, "A");
        // Two clients in scope and no client named: the scope refuses to choose.
        let err = db
            .insert(
                &Clients(vec!["A", "B"]),
                insert,
                &[(":id", &"WO-8"), (":quantity", &5)],
            )
            .unwrap_err();
        assert!(err.to_string().contains("2 clients in scope"), "{err}");
    }

    #[test]
    fn parameters_must_match_the_statement() {
        let db = connection();
        let sql =
            "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id AND work_order_id = :id";
        let scope = Clients(vec!["A"]);
        let err = db
            .query(&scope, sql, &[], |r| r.get::<_, i64>(0))
            .unwrap_err();
        assert!(
            matches!(&err, GuardError::MissingParameter(p) if p == ":id"),
            "{err}"
        );
        let err = db
            .query(&scope, sql, &[(":id", &"WO-1"), (":typo", &1)], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap_err();
        assert!(
            matches!(&err, GuardError::UnknownParameter(p) if p == ":typo"),
            "{err}"
        );
    }

    #[test]
    fn verdicts_are_cached_by_text() {
        let db = connection();
        let scope = Clients(vec!["A"]);
        let sql = "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id";
        for _ in 0..3 {
            quantities(&db, &scope, sql).unwrap();
            let _ = quantities(&db, &scope, "SELECT quantity FROM WORK_ORDER");
        }
        assert_eq!(db.guard().cached(), 2);
    }

    #[test]
    fn the_observer_sees_each_statement_with_every_value_bound() {
        let mut db = connection();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        db.set_observer(Some(Arc::new(move |e: &Executed| {
            sink.lock().unwrap().push(e.clone())
        })));
        let sql =
            "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id AND work_order_id = :id";
        db.query(&Clients(vec!["B"]), sql, &[(":id", &"WO-2")], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].sql, sql);
        assert_eq!(
            seen[0].params,
            [
                (":client_id".to_string(), Value::Text("B".into())),
                (":id".to_string(), Value::Text("WO-2".into()))
            ]
        );
    }

    #[test]
    fn a_rewrite_runs_after_the_check() {
        let mut db = connection();
        let scope = Clients(vec!["A"]);
        let sql = "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id ORDER BY quantity";
        db.set_rewrite(Some(Arc::new(|sql: &str| {
            Some(sql.replace("client_id = :client_id", "(client_id = :client_id OR 1)"))
        })));
        // The checked text is proved; the mutant that runs leaks: what mutation testing
        // needs the suite to catch.
        assert_eq!(quantities(&db, &scope, sql).unwrap(), [10, 20, 30]);
        db.set_rewrite(None);
        assert_eq!(quantities(&db, &scope, sql).unwrap(), [10]);
    }

    #[test]
    fn a_failed_transaction_leaves_nothing_behind() {
        let db = connection();
        let scope = Clients(vec!["A"]);
        let result: Result<(), GuardError> = db.transaction(|db| {
            db.execute(
                &scope,
                "UPDATE WORK_ORDER SET quantity = 99 WHERE client_id = :client_id",
                &[],
            )?;
            db.execute(&scope, "DELETE FROM WORK_ORDER", &[])?;
            Ok(())
        });
        assert!(matches!(result, Err(GuardError::Refused { .. })));
        assert_eq!(
            quantities(
                &db,
                &scope,
                "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id"
            )
            .unwrap(),
            [10]
        );
    }

    /// The workload of a service that formats values into its SQL: `distinct` texts,
    /// a tenth of them checked nine times in ten (its fixed statements), the rest once
    /// in a while (a value formatted in), half of each bound to the tenant.
    fn workload(checks: usize, distinct: usize) -> Vec<String> {
        let text = |i: usize| {
            if i.is_multiple_of(2) {
                format!(
                    "SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id AND work_order_id = 'wo-{i}'"
                )
            } else {
                format!("SELECT quantity FROM WORK_ORDER WHERE work_order_id = 'wo-{i}'")
            }
        };
        super::workload::mixed(checks, distinct, &text)
    }

    #[test]
    fn a_guard_shared_by_sixteen_threads_gives_the_single_threaded_verdicts_within_its_limit() {
        let statements = workload(100_000, 10_000);
        let distinct: std::collections::HashSet<&String> = statements.iter().collect();
        assert_eq!(distinct.len(), 10_000);
        // The single-threaded verdict of every distinct text, uncached.
        let alone = Guard::new(CONFIG, &[("schema.sql", SCHEMA)]).unwrap();
        let expected: std::collections::HashMap<&str, bool> = distinct
            .iter()
            .map(|s| (s.as_str(), alone.verdict(s).is_none()))
            .collect();
        assert!(expected.values().any(|ok| *ok) && expected.values().any(|ok| !ok));
        let limit = 2_000;
        let guard = Arc::new(
            Guard::new(CONFIG, &[("schema.sql", SCHEMA)])
                .unwrap()
                .with_cache_limit(limit),
        );
        let threads = 16;
        let chunk = statements.len() / threads;
        let wrong = std::sync::atomic::AtomicUsize::new(0);
        let most = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for part in statements.chunks(chunk) {
                let guard = guard.clone();
                let (wrong, most, expected) = (&wrong, &most, &expected);
                scope.spawn(move || {
                    for (k, sql) in part.iter().enumerate() {
                        if guard.check(sql).is_ok() != expected[sql.as_str()] {
                            wrong.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        if k % 500 == 0 {
                            most.fetch_max(guard.cached(), std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(
            wrong.into_inner(),
            0,
            "verdicts differ from the single-threaded ones"
        );
        assert!(most.into_inner() <= limit);
        assert_eq!(
            guard.cached(),
            limit,
            "the cache fills up to its limit, no further"
        );
    }

    #[test]
    fn the_default_cache_keeps_ten_thousand_verdicts_and_zero_keeps_none() {
        let guard = Guard::new(CONFIG, &[("schema.sql", SCHEMA)]).unwrap();
        assert_eq!(guard.cache_limit(), DEFAULT_CACHE_ENTRIES);
        let configured = format!("{CONFIG}\n[guard]\ncache_entries = 500\n");
        let guard = Guard::new(&configured, &[("schema.sql", SCHEMA)]).unwrap();
        assert_eq!(guard.cache_limit(), 500);
        let none = Guard::new(CONFIG, &[("schema.sql", SCHEMA)])
            .unwrap()
            .with_cache_limit(0);
        let sql = "SELECT quantity FROM WORK_ORDER";
        assert!(none.check(sql).is_err() && none.check(sql).is_err());
        assert_eq!(none.cached(), 0);
    }

    #[test]
    fn an_unreadable_schema_statement_refuses_what_uses_its_table_only() {
        let schema = format!(
            "{SCHEMA}\nALTER TABLE WORK_ORDER ADD COLUMN weird int WITH SYSTEM VERSIONING;\n"
        );
        let guard = Guard::new(CONFIG, &[("schema.sql", &schema)]).unwrap();
        let refusal = guard
            .check("SELECT quantity FROM WORK_ORDER WHERE client_id = :client_id")
            .unwrap_err();
        assert_eq!(refusal.code, "TI999");
        assert!(
            refusal.message.contains("schema.sql:") && refusal.message.contains("cannot read"),
            "{refusal}"
        );
        // A statement that names no table the unreadable statement names is checked
        // as usual.
        assert_eq!(
            guard.check("SELECT name FROM PRODUCT WHERE product_id = :id"),
            Ok(())
        );
    }

    #[test]
    fn a_temporary_table_is_known_to_the_connection_that_created_it() {
        let db = connection();
        let scope = Clients(vec!["C01"]);
        db.execute(
            &scope,
            "CREATE TEMP TABLE picked (client_id TEXT NOT NULL, work_order_id TEXT)",
            &[],
        )
        .unwrap();
        db.execute(
            &scope,
            "INSERT INTO picked SELECT client_id, work_order_id FROM WORK_ORDER WHERE client_id = :client_id",
            &[],
        )
        .unwrap();
        let bound = db.query(
            &scope,
            "SELECT work_order_id FROM picked WHERE client_id = :client_id",
            &[],
            |r| r.get::<_, String>(0),
        );
        assert!(bound.is_ok(), "{bound:?}");
        // Its rows carry the tenant column: reading them unbound is refused.
        let unbound = db.query(&scope, "SELECT work_order_id FROM picked", &[], |r| {
            r.get::<_, String>(0)
        });
        assert!(
            matches!(&unbound, Err(GuardError::Refused { refusal, .. }) if refusal.code == "TI001"),
            "{unbound:?}"
        );
        // Another connection does not know it.
        let other = connection();
        let refused = other.query(
            &scope,
            "SELECT work_order_id FROM picked WHERE client_id = :client_id",
            &[],
            |r| r.get::<_, String>(0),
        );
        assert!(
            matches!(&refused, Err(GuardError::Refused { refusal, .. }) if refusal.code == "TI906"),
            "{refused:?}"
        );
    }

    #[test]
    fn a_guard_without_a_schema_is_an_error() {
        let err = Guard::new(CONFIG, &[("empty.sql", "-- nothing")]).unwrap_err();
        assert!(err.to_string().contains("no table"), "{err}");
        let err = Guard::new(CONFIG, &[("bad.sql", "CREATE TABLE (")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("tenant guard: the schema defines no table: bad.sql:1:"),
            "{err}"
        );
        let err = Guard::new("[tenant]\ncolumn = 3\n", &[("s.sql", SCHEMA)]).unwrap_err();
        assert!(
            err.to_string()
                .contains("tenant-lint.toml:2:10: `tenant.column`: invalid type"),
            "{err}"
        );
    }
}
