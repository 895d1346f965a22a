//! DOWNTIME_ENTRY: minutes a line stood still, and why.

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, date, non_negative, optional_date, text, work_orders};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DowntimeEntry {
    pub downtime_entry_id: i64,
    pub client_id: String,
    pub work_order_id: Option<String>,
    pub shift_date: String,
    pub reason: String,
    pub duration_minutes: i64,
    pub is_planned: bool,
}

impl DowntimeEntry {
    fn from_row(r: &Row) -> rusqlite::Result<DowntimeEntry> {
        Ok(DowntimeEntry {
            downtime_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            work_order_id: r.get(2)?,
            shift_date: r.get(3)?,
            reason: r.get(4)?,
            duration_minutes: r.get(5)?,
            is_planned: r.get(6)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDowntimeEntry {
    pub work_order_id: Option<String>,
    pub shift_date: String,
    pub reason: String,
    pub duration_minutes: i64,
    #[serde(default)]
    pub is_planned: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeChanges {
    pub reason: Option<String>,
    pub duration_minutes: Option<i64>,
    pub is_planned: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub work_order_id: Option<String>,
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewDowntimeEntry) -> Result<DowntimeEntry> {
    let day = date("shift_date", &new.shift_date)?;
    let reason = text("reason", &new.reason, 200)?;
    non_negative("duration_minutes", new.duration_minutes)?;
    scope.single()?;
    if let Some(work_order) = &new.work_order_id {
        work_orders::require_in_client(db, scope, work_order)?;
    }
    let id = db.conn().insert(
        scope,
        "INSERT INTO DOWNTIME_ENTRY (client_id, work_order_id, shift_date, reason, duration_minutes, is_planned)
         VALUES (:client_id, :work_order, :day, :reason, :minutes, :planned)",
        &[
            (":work_order", &new.work_order_id),
            (":day", &day),
            (":reason", &reason),
            (":minutes", &new.duration_minutes),
            (":planned", &new.is_planned),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<DowntimeEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT downtime_entry_id, client_id, work_order_id, shift_date, reason, duration_minutes, is_planned
         FROM DOWNTIME_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND downtime_entry_id = :id",
        &[(":id", &id)],
        DowntimeEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("downtime entry", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &DowntimeFilter,
    page: Page,
) -> Result<Vec<DowntimeEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT downtime_entry_id, client_id, work_order_id, shift_date, reason, duration_minutes, is_planned
         FROM DOWNTIME_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date >= coalesce(:from, '0000-01-01')
           AND shift_date <= coalesce(:to, '9999-12-31')
           AND (:work_order IS NULL OR work_order_id = :work_order)
         ORDER BY client_id, shift_date, downtime_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":work_order", &filter.work_order_id),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        DowntimeEntry::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &DowntimeChanges,
) -> Result<DowntimeEntry> {
    let reason = changes
        .reason
        .as_deref()
        .map(|r| text("reason", r, 200))
        .transpose()?;
    if let Some(m) = changes.duration_minutes {
        non_negative("duration_minutes", m)?;
    }
    let changed = db.conn().execute(
        scope,
        "UPDATE DOWNTIME_ENTRY
         SET reason = coalesce(:reason, reason),
             duration_minutes = coalesce(:minutes, duration_minutes),
             is_planned = coalesce(:planned, is_planned)
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND downtime_entry_id = :id",
        &[
            (":reason", &reason),
            (":minutes", &changes.duration_minutes),
            (":planned", &changes.is_planned),
            (":id", &id),
        ],
    )?;
    AppError::changed(changed, "downtime entry", id)?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM DOWNTIME_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND downtime_entry_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "downtime entry", id)?;
    Ok(())
}
