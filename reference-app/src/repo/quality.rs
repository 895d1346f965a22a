//! QUALITY_ENTRY: inspections of a work order (and optionally one of its jobs).

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, date, in_use, jobs, non_negative, optional_date, text, work_orders};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityEntry {
    pub quality_entry_id: i64,
    pub client_id: String,
    pub work_order_id: String,
    pub job_id: Option<String>,
    pub shift_date: String,
    pub inspection_stage: String,
    pub process_step: String,
    pub units_inspected: i64,
    pub units_passed: i64,
    pub units_defective: i64,
    pub total_defects_count: Option<i64>,
    pub units_scrapped: i64,
}

impl QualityEntry {
    fn from_row(r: &Row) -> rusqlite::Result<QualityEntry> {
        Ok(QualityEntry {
            quality_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            work_order_id: r.get(2)?,
            job_id: r.get(3)?,
            shift_date: r.get(4)?,
            inspection_stage: r.get(5)?,
            process_step: r.get(6)?,
            units_inspected: r.get(7)?,
            units_passed: r.get(8)?,
            units_defective: r.get(9)?,
            total_defects_count: r.get(10)?,
            units_scrapped: r.get(11)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewQualityEntry {
    pub work_order_id: String,
    pub job_id: Option<String>,
    pub shift_date: String,
    pub inspection_stage: String,
    pub process_step: String,
    pub units_inspected: i64,
    pub units_passed: i64,
    pub units_defective: i64,
    pub total_defects_count: Option<i64>,
    #[serde(default)]
    pub units_scrapped: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityChanges {
    pub units_inspected: Option<i64>,
    pub units_passed: Option<i64>,
    pub units_defective: Option<i64>,
    pub total_defects_count: Option<i64>,
    pub units_scrapped: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub work_order_id: Option<String>,
    pub inspection_stage: Option<String>,
}

/// Passed and defective units cannot exceed the units inspected.
fn check_counts(inspected: i64, passed: i64, defective: i64) -> Result<()> {
    non_negative("units_inspected", inspected)?;
    non_negative("units_passed", passed)?;
    non_negative("units_defective", defective)?;
    if passed > inspected || defective > inspected {
        return Err(AppError::invalid(
            "units_passed",
            format!("{passed} passed and {defective} defective of {inspected} inspected"),
        ));
    }
    Ok(())
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewQualityEntry) -> Result<QualityEntry> {
    let day = date("shift_date", &new.shift_date)?;
    let stage = text("inspection_stage", &new.inspection_stage, 50)?;
    let step = text("process_step", &new.process_step, 50)?;
    check_counts(new.units_inspected, new.units_passed, new.units_defective)?;
    if let Some(total) = new.total_defects_count {
        non_negative("total_defects_count", total)?;
    }
    non_negative("units_scrapped", new.units_scrapped)?;
    scope.single()?;
    work_orders::require_in_client(db, scope, &new.work_order_id)?;
    if let Some(job) = &new.job_id {
        jobs::require_in_client(db, scope, job)?;
    }
    let id = db.conn().insert(
        scope,
        "INSERT INTO QUALITY_ENTRY (client_id, work_order_id, job_id, shift_date, inspection_stage,
                process_step, units_inspected, units_passed, units_defective, total_defects_count,
                units_scrapped)
         VALUES (:client_id, :work_order, :job, :day, :stage, :step, :inspected, :passed,
                 :defective, :total, :scrapped)",
        &[
            (":work_order", &new.work_order_id),
            (":job", &new.job_id),
            (":day", &day),
            (":stage", &stage),
            (":step", &step),
            (":inspected", &new.units_inspected),
            (":passed", &new.units_passed),
            (":defective", &new.units_defective),
            (":total", &new.total_defects_count),
            (":scrapped", &new.units_scrapped),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<QualityEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT quality_entry_id, client_id, work_order_id, job_id, shift_date, inspection_stage,
                process_step, units_inspected, units_passed, units_defective, total_defects_count,
                units_scrapped
         FROM QUALITY_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND quality_entry_id = :id",
        &[(":id", &id)],
        QualityEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("quality entry", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &QualityFilter,
    page: Page,
) -> Result<Vec<QualityEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT quality_entry_id, client_id, work_order_id, job_id, shift_date, inspection_stage,
                process_step, units_inspected, units_passed, units_defective, total_defects_count,
                units_scrapped
         FROM QUALITY_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date >= coalesce(:from, '0000-01-01')
           AND shift_date <= coalesce(:to, '9999-12-31')
           AND (:work_order IS NULL OR work_order_id = :work_order)
           AND (:stage IS NULL OR inspection_stage = :stage)
         ORDER BY client_id, shift_date, quality_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":work_order", &filter.work_order_id),
            (":stage", &filter.inspection_stage),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        QualityEntry::from_row,
    )?)
}

/// Changes counts; the counts after the change must still add up, else nothing
/// changes.
#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &QualityChanges,
) -> Result<QualityEntry> {
    for (field, value) in [
        ("units_inspected", changes.units_inspected),
        ("units_passed", changes.units_passed),
        ("units_defective", changes.units_defective),
        ("total_defects_count", changes.total_defects_count),
        ("units_scrapped", changes.units_scrapped),
    ] {
        if let Some(v) = value {
            non_negative(field, v)?;
        }
    }
    // The scoped update is what finds the row; the counts are checked on the result
    // and a refusal rolls the update back.
    db.conn().transaction(|conn| {
        let row = conn
            .query_row(
                scope,
                "UPDATE QUALITY_ENTRY
                 SET units_inspected = coalesce(:inspected, units_inspected),
                     units_passed = coalesce(:passed, units_passed),
                     units_defective = coalesce(:defective, units_defective),
                     total_defects_count = coalesce(:total, total_defects_count),
                     units_scrapped = coalesce(:scrapped, units_scrapped)
                 WHERE client_id IN (SELECT value FROM json_each(:scope)) AND quality_entry_id = :id
                 RETURNING quality_entry_id, client_id, work_order_id, job_id, shift_date,
                           inspection_stage, process_step, units_inspected, units_passed,
                           units_defective, total_defects_count, units_scrapped",
                &[
                    (":inspected", &changes.units_inspected),
                    (":passed", &changes.units_passed),
                    (":defective", &changes.units_defective),
                    (":total", &changes.total_defects_count),
                    (":scrapped", &changes.units_scrapped),
                    (":id", &id),
                ],
                QualityEntry::from_row,
            )?
            .ok_or_else(|| AppError::not_found("quality entry", id))?;
        check_counts(row.units_inspected, row.units_passed, row.units_defective)?;
        Ok(row)
    })
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db
        .conn()
        .execute(
            scope,
            "DELETE FROM QUALITY_ENTRY
             WHERE client_id IN (SELECT value FROM json_each(:scope)) AND quality_entry_id = :id",
            &[(":id", &id)],
        )
        .map_err(|e| in_use(AppError::from(e), "quality entry", &id.to_string()))?;
    AppError::changed(changed, "quality entry", id)?;
    Ok(())
}

/// Refuses a reference to a quality entry that is not in the one client of `scope`.
#[tenant_scoped]
pub fn require_in_client(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let found = db.conn().query_row(
        scope,
        "SELECT 1 FROM QUALITY_ENTRY WHERE client_id = :client_id AND quality_entry_id = :id",
        &[(":id", &id)],
        |_| Ok(()),
    )?;
    found.ok_or(AppError::CrossClient {
        what: "quality entry",
        id: id.to_string(),
    })
}
