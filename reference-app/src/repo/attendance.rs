//! ATTENDANCE_ENTRY: who was scheduled, present, absent or late, per shift.

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, assignments, date, non_negative_f, optional_date, reference};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceEntry {
    pub attendance_entry_id: i64,
    pub client_id: String,
    pub employee_id: i64,
    pub shift_id: i64,
    pub shift_date: String,
    pub scheduled_hours: f64,
    pub actual_hours: Option<f64>,
    pub absence_hours: Option<f64>,
    pub is_absent: bool,
    pub is_late: bool,
}

impl AttendanceEntry {
    fn from_row(r: &Row) -> rusqlite::Result<AttendanceEntry> {
        Ok(AttendanceEntry {
            attendance_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            employee_id: r.get(2)?,
            shift_id: r.get(3)?,
            shift_date: r.get(4)?,
            scheduled_hours: r.get(5)?,
            actual_hours: r.get(6)?,
            absence_hours: r.get(7)?,
            is_absent: r.get(8)?,
            is_late: r.get(9)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAttendanceEntry {
    pub employee_id: i64,
    pub shift_id: i64,
    pub shift_date: String,
    pub scheduled_hours: f64,
    pub actual_hours: Option<f64>,
    pub absence_hours: Option<f64>,
    #[serde(default)]
    pub is_absent: bool,
    #[serde(default)]
    pub is_late: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceChanges {
    pub actual_hours: Option<f64>,
    pub absence_hours: Option<f64>,
    pub is_absent: Option<bool>,
    pub is_late: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub employee_id: Option<i64>,
}

fn hours(field: &'static str, value: Option<f64>) -> Result<()> {
    if let Some(v) = value {
        non_negative_f(field, v)?;
        if v > 24.0 {
            return Err(AppError::invalid(field, format!("{v} hours in one shift")));
        }
    }
    Ok(())
}

/// Records attendance of an employee assigned to the client on that date.
#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewAttendanceEntry) -> Result<AttendanceEntry> {
    let day = date("shift_date", &new.shift_date)?;
    hours("scheduled_hours", Some(new.scheduled_hours))?;
    hours("actual_hours", new.actual_hours)?;
    hours("absence_hours", new.absence_hours)?;
    scope.single()?;
    reference::shift(db, new.shift_id)?;
    assignments::require_employee_in_client(db, scope, new.employee_id, &day)?;
    let id = db.conn().insert(
        scope,
        "INSERT INTO ATTENDANCE_ENTRY (client_id, employee_id, shift_id, shift_date, scheduled_hours,
                actual_hours, absence_hours, is_absent, is_late)
         VALUES (:client_id, :employee, :shift, :day, :scheduled, :actual, :absence, :absent, :late)",
        &[
            (":employee", &new.employee_id),
            (":shift", &new.shift_id),
            (":day", &day),
            (":scheduled", &new.scheduled_hours),
            (":actual", &new.actual_hours),
            (":absence", &new.absence_hours),
            (":absent", &new.is_absent),
            (":late", &new.is_late),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<AttendanceEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT attendance_entry_id, client_id, employee_id, shift_id, shift_date, scheduled_hours,
                actual_hours, absence_hours, is_absent, is_late
         FROM ATTENDANCE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND attendance_entry_id = :id",
        &[(":id", &id)],
        AttendanceEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("attendance entry", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &AttendanceFilter,
    page: Page,
) -> Result<Vec<AttendanceEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT attendance_entry_id, client_id, employee_id, shift_id, shift_date, scheduled_hours,
                actual_hours, absence_hours, is_absent, is_late
         FROM ATTENDANCE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date >= coalesce(:from, '0000-01-01')
           AND shift_date <= coalesce(:to, '9999-12-31')
           AND (:employee IS NULL OR employee_id = :employee)
         ORDER BY client_id, shift_date, attendance_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":employee", &filter.employee_id),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        AttendanceEntry::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &AttendanceChanges,
) -> Result<AttendanceEntry> {
    hours("actual_hours", changes.actual_hours)?;
    hours("absence_hours", changes.absence_hours)?;
    let changed = db.conn().execute(
        scope,
        "UPDATE ATTENDANCE_ENTRY
         SET actual_hours = coalesce(:actual, actual_hours),
             absence_hours = coalesce(:absence, absence_hours),
             is_absent = coalesce(:absent, is_absent),
             is_late = coalesce(:late, is_late)
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND attendance_entry_id = :id",
        &[
            (":actual", &changes.actual_hours),
            (":absence", &changes.absence_hours),
            (":absent", &changes.is_absent),
            (":late", &changes.is_late),
            (":id", &id),
        ],
    )?;
    AppError::changed(changed, "attendance entry", id)?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM ATTENDANCE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND attendance_entry_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "attendance entry", id)?;
    Ok(())
}
