//! Shared reference data (PRODUCT, SHIFT), global person records (EMPLOYEE), and the
//! clients of the caller's scope (CLIENT, the tenant root).

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, key, text};
use crate::date::{minutes_of, shift_hours};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::{Role, TenantScope};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Client {
    pub client_id: String,
    pub client_name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub ideal_cycle_time_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    pub shift_id: i64,
    pub shift_name: String,
    pub start_time: String,
    pub end_time: String,
}

impl Shift {
    /// The shift's length in hours, wrapping midnight.
    pub fn hours(&self) -> Option<f64> {
        shift_hours(&self.start_time, &self.end_time)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employee {
    pub employee_id: i64,
    pub employee_code: String,
    pub name: String,
    pub is_floating_pool: bool,
}

fn product_row(r: &Row) -> rusqlite::Result<Product> {
    Ok(Product {
        product_id: r.get(0)?,
        product_code: r.get(1)?,
        product_name: r.get(2)?,
        ideal_cycle_time_hours: r.get(3)?,
    })
}

fn shift_row(r: &Row) -> rusqlite::Result<Shift> {
    Ok(Shift {
        shift_id: r.get(0)?,
        shift_name: r.get(1)?,
        start_time: r.get(2)?,
        end_time: r.get(3)?,
    })
}

fn employee_row(r: &Row) -> rusqlite::Result<Employee> {
    Ok(Employee {
        employee_id: r.get(0)?,
        employee_code: r.get(1)?,
        name: r.get(2)?,
        is_floating_pool: r.get(3)?,
    })
}

/// The clients of the scope.
#[tenant_scoped]
pub fn clients(db: &Db, scope: &TenantScope) -> Result<Vec<Client>> {
    Ok(db.conn().query(
        scope,
        "SELECT client_id, client_name, is_active FROM CLIENT
         WHERE client_id IN (SELECT value FROM json_each(:scope))
         ORDER BY client_id",
        &[],
        |r| {
            Ok(Client {
                client_id: r.get(0)?,
                client_name: r.get(1)?,
                is_active: r.get(2)?,
            })
        },
    )?)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    pub client_id: String,
    pub client_name: String,
}

/// Onboards a client: a new tenant, which no scope holds yet. ADMIN only.
#[tenant_scoped(cross_tenant = "creating a tenant happens outside every tenant's scope")]
pub fn create_client(db: &Db, caller: &TenantScope, new: &NewClient) -> Result<Client> {
    caller.require(&[Role::Admin], "creating a client")?;
    let id = key("client_id", &new.client_id)?;
    let name = text("client_name", &new.client_name, 100)?;
    db.conn()
        .unguarded("a new tenant belongs to no scope yet")
        .execute(
            "INSERT INTO CLIENT (client_id, client_name, is_active) VALUES (?1, ?2, 1)",
            [&id, &name],
        )
        .map_err(AppError::from)?;
    Ok(Client {
        client_id: id,
        client_name: name,
        is_active: true,
    })
}

pub fn products(db: &Db, page: Page) -> Result<Vec<Product>> {
    let conn = db.conn().unguarded("PRODUCT is shared reference data");
    let mut statement = conn.prepare_cached(
        "SELECT product_id, product_code, product_name, ideal_cycle_time_hours
         FROM PRODUCT ORDER BY product_id LIMIT ?1 OFFSET ?2",
    )?;
    let rows = statement.query_map([page.limit, page.offset], product_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn product(db: &Db, id: i64) -> Result<Product> {
    let conn = db.conn().unguarded("PRODUCT is shared reference data");
    let mut statement = conn.prepare_cached(
        "SELECT product_id, product_code, product_name, ideal_cycle_time_hours
         FROM PRODUCT WHERE product_id = ?1",
    )?;
    let mut rows = statement.query_map([id], product_row)?;
    rows.next()
        .transpose()?
        .ok_or_else(|| AppError::invalid("product_id", format!("no product {id}")))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub product_code: String,
    pub product_name: String,
    pub ideal_cycle_time_hours: f64,
}

/// Adds reference data every client reads: ADMIN or POWERUSER.
pub fn create_product(db: &Db, caller: &TenantScope, new: &NewProduct) -> Result<Product> {
    caller.require(&[Role::Admin, Role::PowerUser], "adding a product")?;
    let code = key("product_code", &new.product_code)?;
    let name = text("product_name", &new.product_name, 100)?;
    let cycle = new.ideal_cycle_time_hours;
    if !(cycle.is_finite() && cycle > 0.0) {
        return Err(AppError::invalid(
            "ideal_cycle_time_hours",
            "must be positive",
        ));
    }
    let conn = db.conn().unguarded("PRODUCT is shared reference data");
    conn.execute(
        "INSERT INTO PRODUCT (product_code, product_name, ideal_cycle_time_hours) VALUES (?1, ?2, ?3)",
        rusqlite::params![code, name, cycle],
    )?;
    product(db, conn.last_insert_rowid())
}

pub fn shifts(db: &Db) -> Result<Vec<Shift>> {
    let conn = db.conn().unguarded("SHIFT is shared reference data");
    let mut statement = conn.prepare_cached(
        "SELECT shift_id, shift_name, start_time, end_time FROM SHIFT ORDER BY shift_id",
    )?;
    let rows = statement.query_map([], shift_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn shift(db: &Db, id: i64) -> Result<Shift> {
    shifts(db)?
        .into_iter()
        .find(|s| s.shift_id == id)
        .ok_or_else(|| AppError::invalid("shift_id", format!("no shift {id}")))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    pub shift_name: String,
    pub start_time: String,
    pub end_time: String,
}

pub fn create_shift(db: &Db, caller: &TenantScope, new: &NewShift) -> Result<Shift> {
    caller.require(&[Role::Admin, Role::PowerUser], "adding a shift")?;
    let name = text("shift_name", &new.shift_name, 50)?;
    for (field, time) in [("start_time", &new.start_time), ("end_time", &new.end_time)] {
        if minutes_of(time).is_none() {
            return Err(AppError::invalid(field, format!("`{time}` is not HH:MM")));
        }
    }
    let conn = db.conn().unguarded("SHIFT is shared reference data");
    conn.execute(
        "INSERT INTO SHIFT (shift_name, start_time, end_time) VALUES (?1, ?2, ?3)",
        [&name, &new.start_time, &new.end_time],
    )?;
    shift(db, conn.last_insert_rowid())
}

/// Employees the scope may see: those with an assignment to one of its clients, and
/// floating-pool members that are available or working for one of them.
#[tenant_scoped]
pub fn employees(db: &Db, scope: &TenantScope, page: Page) -> Result<Vec<Employee>> {
    Ok(db.conn().query(
        scope,
        "SELECT e.employee_id, e.employee_code, e.name, e.is_floating_pool
         FROM EMPLOYEE e
         WHERE e.employee_id IN (
                 SELECT a.employee_id FROM EMPLOYEE_CLIENT_ASSIGNMENT a
                 WHERE a.client_id IN (SELECT value FROM json_each(:scope)))
            OR e.employee_id IN (
                 SELECT f.employee_id FROM FLOATING_POOL f
                 WHERE f.current_client_id IS NULL
                    OR f.current_client_id IN (SELECT value FROM json_each(:scope)))
         ORDER BY e.employee_id
         LIMIT :limit OFFSET :offset",
        &[(":limit", &page.limit), (":offset", &page.offset)],
        employee_row,
    )?)
}

#[tenant_scoped]
pub fn employee(db: &Db, scope: &TenantScope, id: i64) -> Result<Employee> {
    let found = db.conn().query_row(
        scope,
        "SELECT e.employee_id, e.employee_code, e.name, e.is_floating_pool
         FROM EMPLOYEE e
         WHERE e.employee_id = :id
           AND (e.employee_id IN (
                  SELECT a.employee_id FROM EMPLOYEE_CLIENT_ASSIGNMENT a
                  WHERE a.client_id IN (SELECT value FROM json_each(:scope)))
             OR e.employee_id IN (
                  SELECT f.employee_id FROM FLOATING_POOL f
                  WHERE f.current_client_id IS NULL
                     OR f.current_client_id IN (SELECT value FROM json_each(:scope))))",
        &[(":id", &id)],
        employee_row,
    )?;
    found.ok_or_else(|| AppError::not_found("employee", id))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEmployee {
    pub employee_code: String,
    pub name: String,
    #[serde(default)]
    pub is_floating_pool: bool,
}

/// Adds a person record (global); link it to clients with an assignment.
pub fn create_employee(db: &Db, caller: &TenantScope, new: &NewEmployee) -> Result<i64> {
    caller.require(
        &[Role::Admin, Role::PowerUser, Role::Leader],
        "adding an employee",
    )?;
    let code = key("employee_code", &new.employee_code)?;
    let name = text("name", &new.name, 100)?;
    let conn = db.conn().unguarded("EMPLOYEE is a global person record");
    conn.execute(
        "INSERT INTO EMPLOYEE (employee_code, name, is_floating_pool) VALUES (?1, ?2, ?3)",
        rusqlite::params![code, name, new.is_floating_pool],
    )?;
    Ok(conn.last_insert_rowid())
}
