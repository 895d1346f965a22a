//! WORK_ORDER: a client's orders, keyed per client by `work_order_id`.

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, exactly_one, in_use, key, non_negative, one_of, optional_date};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

pub const STATUSES: &[&str] = &["OPEN", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CANCELLED"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkOrder {
    pub client_id: String,
    pub work_order_id: String,
    pub product_id: i64,
    pub status: String,
    pub planned_quantity: i64,
    pub required_date: Option<String>,
    pub planned_ship_date: Option<String>,
    pub actual_delivery_date: Option<String>,
    pub planned_start_date: Option<String>,
    pub delay_classification: Option<String>,
}

impl WorkOrder {
    fn from_row(r: &Row) -> rusqlite::Result<WorkOrder> {
        Ok(WorkOrder {
            client_id: r.get(0)?,
            work_order_id: r.get(1)?,
            product_id: r.get(2)?,
            status: r.get(3)?,
            planned_quantity: r.get(4)?,
            required_date: r.get(5)?,
            planned_ship_date: r.get(6)?,
            actual_delivery_date: r.get(7)?,
            planned_start_date: r.get(8)?,
            delay_classification: r.get(9)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorkOrder {
    pub work_order_id: String,
    pub product_id: i64,
    #[serde(default = "open")]
    pub status: String,
    pub planned_quantity: i64,
    pub required_date: Option<String>,
    pub planned_ship_date: Option<String>,
    pub planned_start_date: Option<String>,
}

fn open() -> String {
    "OPEN".to_string()
}

/// Fields an update may change; `None` keeps the current value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderChanges {
    pub status: Option<String>,
    pub planned_quantity: Option<i64>,
    pub required_date: Option<String>,
    pub actual_delivery_date: Option<String>,
    pub delay_classification: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderFilter {
    pub status: Option<String>,
    pub required_from: Option<String>,
    pub required_to: Option<String>,
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewWorkOrder) -> Result<WorkOrder> {
    let id = key("work_order_id", &new.work_order_id)?;
    let status = one_of("status", &new.status, STATUSES)?;
    let quantity = non_negative("planned_quantity", new.planned_quantity)?;
    let required = optional_date("required_date", new.required_date.as_deref())?;
    let ship = optional_date("planned_ship_date", new.planned_ship_date.as_deref())?;
    let start = optional_date("planned_start_date", new.planned_start_date.as_deref())?;
    scope.single()?;
    super::reference::product(db, new.product_id)?;
    db.conn().execute(
        scope,
        "INSERT INTO WORK_ORDER (client_id, work_order_id, product_id, status, planned_quantity,
                                 required_date, planned_ship_date, planned_start_date)
         VALUES (:client_id, :id, :product, :status, :quantity, :required, :ship, :start)",
        &[
            (":id", &id),
            (":product", &new.product_id),
            (":status", &status),
            (":quantity", &quantity),
            (":required", &required),
            (":ship", &ship),
            (":start", &start),
        ],
    )?;
    get(db, scope, &id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: &str) -> Result<WorkOrder> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, work_order_id, product_id, status, planned_quantity, required_date,
                planned_ship_date, actual_delivery_date, planned_start_date, delay_classification
         FROM WORK_ORDER
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND work_order_id = :id",
        &[(":id", &id)],
        WorkOrder::from_row,
    )?;
    exactly_one(rows, |w| &w.client_id, "work order", id)
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &WorkOrderFilter,
    page: Page,
) -> Result<Vec<WorkOrder>> {
    let from = optional_date("required_from", filter.required_from.as_deref())?;
    let to = optional_date("required_to", filter.required_to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT client_id, work_order_id, product_id, status, planned_quantity, required_date,
                planned_ship_date, actual_delivery_date, planned_start_date, delay_classification
         FROM WORK_ORDER
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND (:status IS NULL OR status = :status)
           AND (:from IS NULL OR required_date >= :from)
           AND (:to IS NULL OR required_date <= :to)
         ORDER BY client_id, work_order_id
         LIMIT :limit OFFSET :offset",
        &[
            (":status", &filter.status),
            (":from", &from),
            (":to", &to),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        WorkOrder::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: &str,
    changes: &WorkOrderChanges,
) -> Result<WorkOrder> {
    let status = changes
        .status
        .as_deref()
        .map(|s| one_of("status", s, STATUSES))
        .transpose()?;
    let quantity = changes
        .planned_quantity
        .map(|q| non_negative("planned_quantity", q))
        .transpose()?;
    let required = optional_date("required_date", changes.required_date.as_deref())?;
    let delivered = optional_date(
        "actual_delivery_date",
        changes.actual_delivery_date.as_deref(),
    )?;
    let current = get(db, scope, id)?;
    let target = scope.narrow(Some(&current.client_id))?;
    db.conn().execute(
        &target,
        "UPDATE WORK_ORDER
         SET status = coalesce(:status, status),
             planned_quantity = coalesce(:quantity, planned_quantity),
             required_date = coalesce(:required, required_date),
             actual_delivery_date = coalesce(:delivered, actual_delivery_date),
             delay_classification = coalesce(:delay, delay_classification)
         WHERE client_id = :client_id AND work_order_id = :id",
        &[
            (":status", &status),
            (":quantity", &quantity),
            (":required", &required),
            (":delivered", &delivered),
            (":delay", &changes.delay_classification),
            (":id", &id),
        ],
    )?;
    get(db, &target, id)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: &str) -> Result<()> {
    let current = get(db, scope, id)?;
    let target = scope.narrow(Some(&current.client_id))?;
    db.conn()
        .execute(
            &target,
            "DELETE FROM WORK_ORDER WHERE client_id = :client_id AND work_order_id = :id",
            &[(":id", &id)],
        )
        .map_err(|e| in_use(AppError::from(e), "work order", id))?;
    Ok(())
}

/// Refuses a reference to a work order that is not in the one client of `scope`.
#[tenant_scoped]
pub fn require_in_client(db: &Db, scope: &TenantScope, id: &str) -> Result<()> {
    let found = db.conn().query_row(
        scope,
        "SELECT 1 FROM WORK_ORDER WHERE client_id = :client_id AND work_order_id = :id",
        &[(":id", &id)],
        |_| Ok(()),
    )?;
    found.ok_or(AppError::CrossClient {
        what: "work order",
        id: id.to_string(),
    })
}
