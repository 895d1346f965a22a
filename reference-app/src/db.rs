//! The database: versioned migrations embedded in the binary, and the one connection
//! type all SQL runs through, guarded by the engine against the same schema and
//! configuration the lint gate reads.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rusqlite::Connection;
use tenant_lint::guard::{Guard, GuardedConnection};

use crate::error::{AppError, Result};

/// The migrations, in version order; `PRAGMA user_version` records how many ran.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "V1__clients_and_users.sql",
        include_str!("../migrations/V1__clients_and_users.sql"),
    ),
    (
        "V2__production.sql",
        include_str!("../migrations/V2__production.sql"),
    ),
    (
        "V3__quality.sql",
        include_str!("../migrations/V3__quality.sql"),
    ),
    (
        "V4__people.sql",
        include_str!("../migrations/V4__people.sql"),
    ),
];

/// The lint configuration, strict mode included: the guard enforces what the gate checks.
pub const LINT_CONFIG: &str = include_str!("../tenant-lint.toml");

/// The guard, built once per process from the embedded configuration and migrations.
pub fn guard() -> Result<Arc<Guard>> {
    static GUARD: OnceLock<std::result::Result<Arc<Guard>, String>> = OnceLock::new();
    GUARD
        .get_or_init(|| {
            Guard::new(LINT_CONFIG, MIGRATIONS)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(AppError::Setup)
}

/// An open, migrated database.
pub struct Db {
    conn: GuardedConnection,
}

impl Db {
    /// Opens (creating if needed) a database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let conn = Connection::open(path).map_err(|e| {
            AppError::Setup(format!("{}: cannot open the database: {e}", path.display()))
        })?;
        Db::with(conn)
    }

    /// A fresh in-memory database.
    pub fn in_memory() -> Result<Db> {
        Db::with(Connection::open_in_memory()?)
    }

    fn with(conn: Connection) -> Result<Db> {
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        migrate(&conn)?;
        Ok(Db {
            conn: GuardedConnection::new(conn, guard()?),
        })
    }

    pub fn conn(&self) -> &GuardedConnection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut GuardedConnection {
        &mut self.conn
    }
}

/// Applies the migrations not yet applied, each in its own transaction.
fn migrate(conn: &Connection) -> Result<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if applied > known {
        return Err(AppError::Setup(format!(
            "the database has schema version {applied}, newer than this program's {known}"
        )));
    }
    for (version, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let batch = format!(
            "BEGIN; {sql}\nPRAGMA user_version = {}; COMMIT;",
            version + 1
        );
        conn.execute_batch(&batch).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            AppError::Setup(format!("migration {name} failed: {e}"))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_record_the_version() {
        let dir = std::env::temp_dir().join(format!("kpi-ops-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.sqlite");
        let _ = std::fs::remove_file(&path);
        drop(Db::open(&path).unwrap());
        // Reopening runs nothing again (a second CREATE TABLE would fail).
        let db = Db::open(&path).unwrap();
        let version: i64 = db
            .conn()
            .unguarded("test: read the schema version")
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        drop(db);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_newer_database_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        let err = Db::with(conn).err().unwrap();
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn the_guard_builds_from_the_embedded_schema() {
        let guard = guard().unwrap();
        assert_eq!(guard.reserved(), [":client_id", ":scope"]);
    }
}
