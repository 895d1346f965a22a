//! Per-tenant checksums of a database (SQLite, or PostgreSQL with the `postgres`
//! feature): for every table with the tenant column, a hash of each tenant's rows. A
//! write refused for tenant A must leave tenant B's checksums exactly as they were.

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// Tenant → table → (rows, hash of the rows in rowid order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checksums(pub BTreeMap<String, BTreeMap<String, (u64, u64)>>);

/// FNV-1a, 64 bits: stable across runs and platforms.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// One value of a row, as every database can give it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// A database the harness reads tenants' rows from: SQLite (`rusqlite::Connection`) and,
/// with the `postgres` feature, PostgreSQL (`postgres::Client`). The checksums, the
/// canaries and the leak scan work alike over either.
pub trait Database {
    type Error;
    /// The tables that have `column`.
    fn tables_with(&mut self, column: &str) -> Result<Vec<String>, Self::Error>;
    /// Every row of `table` in an order that does not depend on how it was stored:
    /// its `column` value as text, then its cells.
    fn tenant_rows(
        &mut self,
        table: &str,
        column: &str,
    ) -> Result<Vec<(String, Vec<Cell>)>, Self::Error>;
}

impl Database for &Connection {
    type Error = rusqlite::Error;

    fn tables_with(&mut self, column: &str) -> rusqlite::Result<Vec<String>> {
        self.prepare(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = ?1 COLLATE NOCASE ORDER BY m.name",
        )?
        .query_map([column], |r| r.get(0))?
        .collect()
    }

    fn tenant_rows(
        &mut self,
        table: &str,
        column: &str,
    ) -> rusqlite::Result<Vec<(String, Vec<Cell>)>> {
        let sql = format!(
            "SELECT \"{column}\", * FROM \"{}\" ORDER BY rowid",
            table.replace('"', "\"\"")
        );
        let mut statement = self.prepare(&sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let tenant = match row.get_ref(0)? {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Null => "NULL".to_string(),
                other => format!("{other:?}"),
            };
            let mut cells = Vec::with_capacity(columns - 1);
            for i in 1..columns {
                cells.push(match row.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Integer(n),
                    ValueRef::Real(f) => Cell::Real(f),
                    ValueRef::Text(t) => Cell::Text(t.to_vec()),
                    ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                });
            }
            out.push((tenant, cells));
        }
        Ok(out)
    }
}

#[cfg(feature = "postgres")]
impl Database for postgres::Client {
    type Error = postgres::Error;

    fn tables_with(&mut self, column: &str) -> Result<Vec<String>, postgres::Error> {
        Ok(self
            .query(
                "SELECT table_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND column_name = lower($1)
                 ORDER BY table_name",
                &[&column],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn tenant_rows(
        &mut self,
        table: &str,
        column: &str,
    ) -> Result<Vec<(String, Vec<Cell>)>, postgres::Error> {
        // A row as JSON text: every column, in a form independent of the storage order.
        let sql = format!(
            "SELECT t.\"{}\"::text, row_to_json(t)::text AS r FROM \"{}\" t ORDER BY r",
            column.to_ascii_lowercase().replace('"', "\"\""),
            table.replace('"', "\"\"")
        );
        Ok(self
            .query(&sql, &[])?
            .iter()
            .map(|r| {
                let tenant: Option<String> = r.get(0);
                let row: String = r.get(1);
                (
                    tenant.unwrap_or_else(|| "NULL".to_string()),
                    vec![Cell::Text(row.into_bytes())],
                )
            })
            .collect())
    }
}

/// The checksums of every table that has `column`, in a SQLite database.
pub fn checksums(conn: &Connection, column: &str) -> rusqlite::Result<Checksums> {
    checksums_of(&mut &*conn, column)
}

/// The checksums of every table that has `column`, in any [`Database`].
pub fn checksums_of<D: Database>(db: &mut D, column: &str) -> Result<Checksums, D::Error> {
    let tables = db.tables_with(column)?;
    let mut out: BTreeMap<String, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
    for table in tables {
        let mut sums: BTreeMap<String, (u64, Fnv)> = BTreeMap::new();
        for (tenant, cells) in db.tenant_rows(&table, column)? {
            let entry = sums.entry(tenant).or_insert_with(|| (0, Fnv::new()));
            entry.0 += 1;
            for cell in cells {
                let (tag, bytes): (u8, Vec<u8>) = match cell {
                    Cell::Null => (0, Vec::new()),
                    Cell::Integer(n) => (1, n.to_le_bytes().to_vec()),
                    Cell::Real(f) => (2, f.to_bits().to_le_bytes().to_vec()),
                    Cell::Text(t) => (3, t),
                    Cell::Blob(b) => (4, b),
                };
                entry.1.bytes(&[tag]);
                entry.1.bytes(&(bytes.len() as u64).to_le_bytes());
                entry.1.bytes(&bytes);
            }
        }
        for (tenant, (count, hash)) in sums {
            out.entry(tenant)
                .or_default()
                .insert(table.clone(), (count, hash.0));
        }
    }
    Ok(Checksums(out))
}

impl Checksums {
    /// The tables whose rows of `tenant` differ between `self` and `after`.
    pub fn changed(&self, after: &Checksums, tenant: &str) -> Vec<Change> {
        let empty = BTreeMap::new();
        let before = self.0.get(tenant).unwrap_or(&empty);
        let now = after.0.get(tenant).unwrap_or(&empty);
        let mut tables: Vec<&String> = before.keys().chain(now.keys()).collect();
        tables.sort();
        tables.dedup();
        tables
            .into_iter()
            .filter(|t| before.get(*t) != now.get(*t))
            .map(|t| Change {
                tenant: tenant.to_string(),
                table: t.clone(),
                rows_before: before.get(t).map_or(0, |c| c.0),
                rows_after: now.get(t).map_or(0, |c| c.0),
            })
            .collect()
    }
}

/// A table whose rows of a tenant changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub tenant: String,
    pub table: String,
    pub rows_before: u64,
    pub rows_after: u64,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}'s rows of {} changed ({} rows before, {} after)",
            self.tenant, self.table, self.rows_before, self.rows_after
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_to_one_tenants_rows_shows_in_its_checksum_only() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE T (client_id TEXT NOT NULL, v INTEGER);
             CREATE TABLE S (name TEXT);
             INSERT INTO T VALUES ('A', 1), ('B', 2), ('B', 3);",
        )
        .unwrap();
        let before = checksums(&conn, "client_id").unwrap();
        assert_eq!(before.0["B"]["T"].0, 2);
        conn.execute_batch("UPDATE T SET v = 4 WHERE v = 3")
            .unwrap();
        let after = checksums(&conn, "client_id").unwrap();
        assert!(before.changed(&after, "A").is_empty());
        let changes = before.changed(&after, "B");
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].to_string(),
            "B's rows of T changed (2 rows before, 2 after)"
        );
        // A row moved to another tenant changes both.
        conn.execute_batch("UPDATE T SET client_id = 'A' WHERE v = 2")
            .unwrap();
        let moved = checksums(&conn, "client_id").unwrap();
        assert_eq!(after.changed(&moved, "A").len(), 1);
        assert_eq!(after.changed(&moved, "B")[0].rows_after, 1);
    }
}
