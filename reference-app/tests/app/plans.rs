//! Every KPI and list query reads its rows through an index whose first column is
//! `client_id`, and scans no tenant table: `EXPLAIN QUERY PLAN` of each statement they
//! run, with the values they ran with, checked.

use std::sync::{Arc, Mutex};

use kpi_ops::kpi::{self, Kpi, Options, Window};
use kpi_ops::repo::{self, Page};
use kpi_ops::{Role, TenantScope};
use tenant_lint::guard::Executed;

use crate::{date, seeded};

/// The tenant tables of the schema (the guard's model says which tables are tenant).
fn tenant_tables(db: &kpi_ops::Db) -> Vec<String> {
    let model = db.conn().guard().engine().model();
    model
        .tables()
        .filter(|(_, info)| info.class == tenant_lint::model::TableClass::Tenant)
        .map(|(_, info)| info.name.clone())
        .collect()
}

#[test]
fn kpi_and_list_queries_search_tenant_tables_by_client_id() {
    let mut db = seeded(3, 40);
    let seen: Arc<Mutex<Vec<Executed>>> = Arc::default();
    let sink = seen.clone();
    db.conn_mut()
        .set_observer(Some(Arc::new(move |e: &Executed| {
            sink.lock().unwrap().push(e.clone())
        })));
    let window = Window::new(Some(date("2026-03-01")), Some(date("2026-03-31"))).unwrap();
    for scope in [
        TenantScope::for_clients("admin", Role::Admin, &["C01", "C02", "C03"]).unwrap(),
        TenantScope::for_clients("op", Role::Operator, &["C02"]).unwrap(),
    ] {
        for k in Kpi::ALL {
            kpi::compute(&db, &scope, k, window, Options::default()).unwrap();
        }
        let page = Page::default();
        repo::work_orders::list(&db, &scope, &Default::default(), page).unwrap();
        repo::jobs::list(&db, &scope, &Default::default(), page).unwrap();
        repo::production::list(&db, &scope, &Default::default(), page).unwrap();
        repo::downtime::list(&db, &scope, &Default::default(), page).unwrap();
        repo::holds::list(&db, &scope, &Default::default(), page).unwrap();
        repo::holds::transitions(&db, &scope, 1, page).unwrap();
        repo::quality::list(&db, &scope, &Default::default(), page).unwrap();
        repo::defects::list(&db, &scope, &Default::default(), page).unwrap();
        repo::parts::list(&db, &scope, page).unwrap();
        repo::attendance::list(&db, &scope, &Default::default(), page).unwrap();
        repo::coverage::list(&db, &scope, &Default::default(), page).unwrap();
        repo::assignments::user_assignments(&db, &scope, page).unwrap();
        repo::assignments::employee_assignments(&db, &scope, None, page).unwrap();
        repo::reference::employees(&db, &scope, page).unwrap();
        repo::reference::clients(&db, &scope).unwrap();
        repo::pool::list(&db, &scope, page).unwrap();
    }
    // One run of each statement, with the values it was bound to.
    let statements: Vec<Executed> = {
        let mut s: Vec<Executed> = seen.lock().unwrap().clone();
        s.sort_by(|a, b| a.sql.cmp(&b.sql));
        s.dedup_by(|a, b| a.sql == b.sql);
        s
    };
    assert!(statements.len() >= 20, "{} statements", statements.len());
    let tenant = tenant_tables(&db);
    let conn = db.conn().unguarded("test: EXPLAIN QUERY PLAN");
    let mut failures = Vec::new();
    for Executed { sql, params } in &statements {
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        for (name, value) in params {
            let index = plan.parameter_index(name).unwrap().unwrap();
            plan.raw_bind_parameter(index, value).unwrap();
        }
        let mut rows = plan.raw_query();
        let mut details = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            details.push(row.get::<_, String>(3).unwrap());
        }
        let mut searched_by_client = false;
        for detail in &details {
            // "SCAN p", "SEARCH p USING INDEX idx (client_id=? AND …)", with `p` the
            // alias or the table name.
            let mut words = detail.split_whitespace();
            let (Some(op), Some(alias)) = (words.next(), words.next()) else {
                continue;
            };
            if op != "SCAN" && op != "SEARCH" {
                continue;
            }
            let Some(table) = table_of(sql, alias, &tenant) else {
                continue;
            };
            // A full scan of a tenant table reads every client's rows.
            if op == "SCAN" {
                failures.push(format!("{table} scanned ({detail}) in:\n{sql}\n"));
            }
            if op == "SEARCH" && detail.contains("(client_id=") {
                searched_by_client = true;
            }
        }
        // The rows come from an index that starts with client_id (a row looked up by
        // its key from there is a point lookup, not a scan).
        let reads_tenant = tenant.iter().any(|t| {
            sql.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|w| w.eq_ignore_ascii_case(t))
        });
        if reads_tenant && !searched_by_client {
            failures.push(format!(
                "no index on client_id used ({details:?}) in:\n{sql}\n"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "query plans that scan a tenant table or use no client_id index:\n{}",
        failures.join("\n")
    );
}

/// The tenant table an alias of `sql` names, if it is one.
fn table_of(sql: &str, alias: &str, tenant: &[String]) -> Option<String> {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let is_table = tenant.iter().any(|t| t.eq_ignore_ascii_case(w));
        if !is_table {
            continue;
        }
        let named =
            w.eq_ignore_ascii_case(alias) || words.get(i + 1).is_some_and(|next| *next == alias);
        if named {
            return Some(w.to_string());
        }
    }
    None
}
