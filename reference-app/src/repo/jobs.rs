//! JOB: the line items of a work order, keyed per client by `job_id` (the audit's
//! CRITICAL gap: it had no client_id; here its key and its parent reference carry it).

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, exactly_one, in_use, key, non_negative, work_orders};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub client_id: String,
    pub job_id: String,
    pub work_order_id: String,
    pub part_number: String,
    pub completed_quantity: i64,
    pub quantity_scrapped: i64,
}

impl Job {
    fn from_row(r: &Row) -> rusqlite::Result<Job> {
        Ok(Job {
            client_id: r.get(0)?,
            job_id: r.get(1)?,
            work_order_id: r.get(2)?,
            part_number: r.get(3)?,
            completed_quantity: r.get(4)?,
            quantity_scrapped: r.get(5)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    pub job_id: String,
    pub work_order_id: String,
    pub part_number: String,
    #[serde(default)]
    pub completed_quantity: i64,
    #[serde(default)]
    pub quantity_scrapped: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobChanges {
    pub completed_quantity: Option<i64>,
    pub quantity_scrapped: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFilter {
    pub work_order_id: Option<String>,
    pub part_number: Option<String>,
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewJob) -> Result<Job> {
    let id = key("job_id", &new.job_id)?;
    let work_order = key("work_order_id", &new.work_order_id)?;
    let part = key("part_number", &new.part_number)?;
    let completed = non_negative("completed_quantity", new.completed_quantity)?;
    let scrapped = non_negative("quantity_scrapped", new.quantity_scrapped)?;
    scope.single()?;
    work_orders::require_in_client(db, scope, &work_order)?;
    db.conn().execute(
        scope,
        "INSERT INTO JOB (client_id, job_id, work_order_id, part_number, completed_quantity, quantity_scrapped)
         VALUES (:client_id, :id, :work_order, :part, :completed, :scrapped)",
        &[
            (":id", &id),
            (":work_order", &work_order),
            (":part", &part),
            (":completed", &completed),
            (":scrapped", &scrapped),
        ],
    )?;
    get(db, scope, &id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: &str) -> Result<Job> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, job_id, work_order_id, part_number, completed_quantity, quantity_scrapped
         FROM JOB
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND job_id = :id",
        &[(":id", &id)],
        Job::from_row,
    )?;
    exactly_one(rows, |j| &j.client_id, "job", id)
}

#[tenant_scoped]
pub fn list(db: &Db, scope: &TenantScope, filter: &JobFilter, page: Page) -> Result<Vec<Job>> {
    Ok(db.conn().query(
        scope,
        "SELECT client_id, job_id, work_order_id, part_number, completed_quantity, quantity_scrapped
         FROM JOB
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND (:work_order IS NULL OR work_order_id = :work_order)
           AND (:part IS NULL OR part_number = :part)
         ORDER BY client_id, job_id
         LIMIT :limit OFFSET :offset",
        &[
            (":work_order", &filter.work_order_id),
            (":part", &filter.part_number),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        Job::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(db: &Db, scope: &TenantScope, id: &str, changes: &JobChanges) -> Result<Job> {
    let completed = changes
        .completed_quantity
        .map(|q| non_negative("completed_quantity", q))
        .transpose()?;
    let scrapped = changes
        .quantity_scrapped
        .map(|q| non_negative("quantity_scrapped", q))
        .transpose()?;
    let current = get(db, scope, id)?;
    let target = scope.narrow(Some(&current.client_id))?;
    db.conn().execute(
        &target,
        "UPDATE JOB
         SET completed_quantity = coalesce(:completed, completed_quantity),
             quantity_scrapped = coalesce(:scrapped, quantity_scrapped)
         WHERE client_id = :client_id AND job_id = :id",
        &[
            (":completed", &completed),
            (":scrapped", &scrapped),
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
            "DELETE FROM JOB WHERE client_id = :client_id AND job_id = :id",
            &[(":id", &id)],
        )
        .map_err(|e| in_use(AppError::from(e), "job", id))?;
    Ok(())
}

/// Refuses a reference to a job that is not in the one client of `scope`.
#[tenant_scoped]
pub fn require_in_client(db: &Db, scope: &TenantScope, id: &str) -> Result<()> {
    let found = db.conn().query_row(
        scope,
        "SELECT 1 FROM JOB WHERE client_id = :client_id AND job_id = :id",
        &[(":id", &id)],
        |_| Ok(()),
    )?;
    found.ok_or(AppError::CrossClient {
        what: "job",
        id: id.to_string(),
    })
}
