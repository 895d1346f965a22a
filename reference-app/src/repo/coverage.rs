//! COVERAGE_ENTRY: a floating-pool employee covering a shift for the client.

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, assignments, date, optional_date, reference};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageEntry {
    pub coverage_entry_id: i64,
    pub client_id: String,
    pub floating_employee_id: i64,
    pub covered_employee_id: Option<i64>,
    pub shift_id: i64,
    pub shift_date: String,
}

impl CoverageEntry {
    fn from_row(r: &Row) -> rusqlite::Result<CoverageEntry> {
        Ok(CoverageEntry {
            coverage_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            floating_employee_id: r.get(2)?,
            covered_employee_id: r.get(3)?,
            shift_id: r.get(4)?,
            shift_date: r.get(5)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCoverageEntry {
    pub floating_employee_id: i64,
    pub covered_employee_id: Option<i64>,
    pub shift_id: i64,
    pub shift_date: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageChanges {
    pub covered_employee_id: Option<i64>,
    pub shift_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub shift_id: Option<i64>,
}

/// Records coverage by an employee assigned to the client on that date (a floating
/// assignment), for an employee of the same client.
#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewCoverageEntry) -> Result<CoverageEntry> {
    let day = date("shift_date", &new.shift_date)?;
    scope.single()?;
    reference::shift(db, new.shift_id)?;
    assignments::require_employee_in_client(db, scope, new.floating_employee_id, &day)?;
    if let Some(covered) = new.covered_employee_id {
        assignments::require_employee_in_client(db, scope, covered, &day)?;
    }
    let id = db.conn().insert(
        scope,
        "INSERT INTO COVERAGE_ENTRY (client_id, floating_employee_id, covered_employee_id, shift_id, shift_date)
         VALUES (:client_id, :floating, :covered, :shift, :day)",
        &[
            (":floating", &new.floating_employee_id),
            (":covered", &new.covered_employee_id),
            (":shift", &new.shift_id),
            (":day", &day),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<CoverageEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT coverage_entry_id, client_id, floating_employee_id, covered_employee_id, shift_id, shift_date
         FROM COVERAGE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND coverage_entry_id = :id",
        &[(":id", &id)],
        CoverageEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("coverage entry", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &CoverageFilter,
    page: Page,
) -> Result<Vec<CoverageEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT coverage_entry_id, client_id, floating_employee_id, covered_employee_id, shift_id, shift_date
         FROM COVERAGE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date >= coalesce(:from, '0000-01-01')
           AND shift_date <= coalesce(:to, '9999-12-31')
           AND (:shift IS NULL OR shift_id = :shift)
         ORDER BY client_id, shift_date, coverage_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":shift", &filter.shift_id),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        CoverageEntry::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &CoverageChanges,
) -> Result<CoverageEntry> {
    if let Some(shift) = changes.shift_id {
        reference::shift(db, shift)?;
    }
    // The scoped update is what finds the row (another client's id changes nothing);
    // the covered employee is then checked against the row's client, and a refusal
    // rolls the update back.
    db.conn().transaction(|conn| {
        let row = conn
            .query_row(
                scope,
                "UPDATE COVERAGE_ENTRY
                 SET covered_employee_id = coalesce(:covered, covered_employee_id),
                     shift_id = coalesce(:shift, shift_id)
                 WHERE client_id IN (SELECT value FROM json_each(:scope)) AND coverage_entry_id = :id
                 RETURNING coverage_entry_id, client_id, floating_employee_id, covered_employee_id,
                           shift_id, shift_date",
                &[
                    (":covered", &changes.covered_employee_id),
                    (":shift", &changes.shift_id),
                    (":id", &id),
                ],
                CoverageEntry::from_row,
            )?
            .ok_or_else(|| AppError::not_found("coverage entry", id))?;
        if let Some(covered) = changes.covered_employee_id {
            let target = scope.narrow(Some(&row.client_id))?;
            assignments::require_employee_in_client(db, &target, covered, &row.shift_date)?;
        }
        Ok(row)
    })
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM COVERAGE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND coverage_entry_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "coverage entry", id)?;
    Ok(())
}
