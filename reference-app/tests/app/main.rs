//! The reference application end to end: access rules, every repository, cross-client
//! references, bad input, KPIs on hand-built data, query plans, the command line.

mod access;
mod cli;
mod kpis;
mod plans;
mod repositories;

use kpi_ops::date::Date;
use kpi_ops::seed::{self, SeedOptions};
use kpi_ops::{Db, Role, TenantScope};

/// A database seeded with `clients` clients over `days` days ending 2026-03-31.
pub fn seeded(clients: u32, days: u32) -> Db {
    let db = Db::in_memory().unwrap();
    seed::seed(
        &db,
        SeedOptions {
            clients,
            days,
            until: "2026-03-31".parse().unwrap(),
            seed: 7,
        },
    )
    .unwrap();
    db
}

/// An operator scope of one client.
pub fn operator(client: &str) -> TenantScope {
    TenantScope::for_clients(
        &format!("op.{}", client.to_lowercase()),
        Role::Operator,
        &[client],
    )
    .unwrap()
}

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Every row of every table, as text: what "nothing changed" is compared against.
pub fn dump(db: &Db) -> String {
    let conn = db.conn().unguarded("test: compare the whole database");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for table in tables {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .unwrap();
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |r| {
                let cells: Vec<String> = (0..columns)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(f) => f.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            format!("{:?}", String::from_utf8_lossy(t))
                        }
                        rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                    })
                    .collect();
                Ok(cells.join("|"))
            })
            .unwrap();
        for row in rows {
            out.push_str(&table);
            out.push(':');
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}
