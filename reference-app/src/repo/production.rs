//! PRODUCTION_ENTRY: units produced per shift, product and work order.

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, date, non_negative, non_negative_f, optional_date, reference, work_orders};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductionEntry {
    pub production_entry_id: i64,
    pub client_id: String,
    pub product_id: i64,
    pub shift_id: i64,
    pub work_order_id: Option<String>,
    pub shift_date: String,
    pub units_produced: i64,
    pub run_time_hours: f64,
    pub employees_assigned: Option<i64>,
    pub employees_present: Option<i64>,
    pub defect_count: i64,
    pub scrap_count: i64,
    pub confirmed_by: Option<i64>,
}

impl ProductionEntry {
    fn from_row(r: &Row) -> rusqlite::Result<ProductionEntry> {
        Ok(ProductionEntry {
            production_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            product_id: r.get(2)?,
            shift_id: r.get(3)?,
            work_order_id: r.get(4)?,
            shift_date: r.get(5)?,
            units_produced: r.get(6)?,
            run_time_hours: r.get(7)?,
            employees_assigned: r.get(8)?,
            employees_present: r.get(9)?,
            defect_count: r.get(10)?,
            scrap_count: r.get(11)?,
            confirmed_by: r.get(12)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProductionEntry {
    pub product_id: i64,
    pub shift_id: i64,
    pub work_order_id: Option<String>,
    pub shift_date: String,
    pub units_produced: i64,
    pub run_time_hours: f64,
    pub employees_assigned: Option<i64>,
    pub employees_present: Option<i64>,
    #[serde(default)]
    pub defect_count: i64,
    #[serde(default)]
    pub scrap_count: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionChanges {
    pub units_produced: Option<i64>,
    pub run_time_hours: Option<f64>,
    pub defect_count: Option<i64>,
    pub scrap_count: Option<i64>,
    /// Confirms the entry as the caller.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub work_order_id: Option<String>,
    pub shift_id: Option<i64>,
}

/// Validates a new entry and its references (shared product and shift, and a work
/// order of the same client).
fn validate(db: &Db, scope: &TenantScope, new: &NewProductionEntry) -> Result<String> {
    let day = date("shift_date", &new.shift_date)?;
    non_negative("units_produced", new.units_produced)?;
    non_negative_f("run_time_hours", new.run_time_hours)?;
    non_negative("defect_count", new.defect_count)?;
    non_negative("scrap_count", new.scrap_count)?;
    for (field, value) in [
        ("employees_assigned", new.employees_assigned),
        ("employees_present", new.employees_present),
    ] {
        if let Some(v) = value {
            non_negative(field, v)?;
        }
    }
    reference::product(db, new.product_id)?;
    reference::shift(db, new.shift_id)?;
    if let Some(work_order) = &new.work_order_id {
        work_orders::require_in_client(db, scope, work_order)?;
    }
    Ok(day)
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewProductionEntry) -> Result<ProductionEntry> {
    scope.single()?;
    let day = validate(db, scope, new)?;
    let id = db.conn().insert(
        scope,
        "INSERT INTO PRODUCTION_ENTRY (client_id, product_id, shift_id, work_order_id, shift_date,
                units_produced, run_time_hours, employees_assigned, employees_present,
                defect_count, scrap_count)
         VALUES (:client_id, :product, :shift, :work_order, :day, :units, :hours, :assigned,
                 :present, :defects, :scrap)",
        &[
            (":product", &new.product_id),
            (":shift", &new.shift_id),
            (":work_order", &new.work_order_id),
            (":day", &day),
            (":units", &new.units_produced),
            (":hours", &new.run_time_hours),
            (":assigned", &new.employees_assigned),
            (":present", &new.employees_present),
            (":defects", &new.defect_count),
            (":scrap", &new.scrap_count),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<ProductionEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT production_entry_id, client_id, product_id, shift_id, work_order_id, shift_date,
                units_produced, run_time_hours, employees_assigned, employees_present,
                defect_count, scrap_count, confirmed_by
         FROM PRODUCTION_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND production_entry_id = :id",
        &[(":id", &id)],
        ProductionEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("production entry", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &ProductionFilter,
    page: Page,
) -> Result<Vec<ProductionEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT production_entry_id, client_id, product_id, shift_id, work_order_id, shift_date,
                units_produced, run_time_hours, employees_assigned, employees_present,
                defect_count, scrap_count, confirmed_by
         FROM PRODUCTION_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date >= coalesce(:from, '0000-01-01')
           AND shift_date <= coalesce(:to, '9999-12-31')
           AND (:work_order IS NULL OR work_order_id = :work_order)
           AND (:shift IS NULL OR shift_id = :shift)
         ORDER BY client_id, shift_date, production_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":work_order", &filter.work_order_id),
            (":shift", &filter.shift_id),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        ProductionEntry::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &ProductionChanges,
) -> Result<ProductionEntry> {
    if let Some(v) = changes.units_produced {
        non_negative("units_produced", v)?;
    }
    if let Some(v) = changes.run_time_hours {
        non_negative_f("run_time_hours", v)?;
    }
    if let Some(v) = changes.defect_count {
        non_negative("defect_count", v)?;
    }
    if let Some(v) = changes.scrap_count {
        non_negative("scrap_count", v)?;
    }
    let confirmed_by = changes.confirm.then_some(scope.user_id());
    let changed = db.conn().execute(
        scope,
        "UPDATE PRODUCTION_ENTRY
         SET units_produced = coalesce(:units, units_produced),
             run_time_hours = coalesce(:hours, run_time_hours),
             defect_count = coalesce(:defects, defect_count),
             scrap_count = coalesce(:scrap, scrap_count),
             confirmed_by = coalesce(:confirmed_by, confirmed_by)
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND production_entry_id = :id",
        &[
            (":units", &changes.units_produced),
            (":hours", &changes.run_time_hours),
            (":defects", &changes.defect_count),
            (":scrap", &changes.scrap_count),
            (":confirmed_by", &confirmed_by),
            (":id", &id),
        ],
    )?;
    AppError::changed(changed, "production entry", id)?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM PRODUCTION_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND production_entry_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "production entry", id)?;
    Ok(())
}
