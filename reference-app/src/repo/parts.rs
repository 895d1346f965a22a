//! PART_OPPORTUNITIES: defect opportunities per unit of a part, per client (the
//! audit's MEDIUM gap: its key was global, so one client's upsert overwrote another's).

use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, exactly_one, key};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartOpportunities {
    pub client_id: String,
    pub part_number: String,
    pub opportunities_per_unit: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPartOpportunities {
    pub part_number: String,
    pub opportunities_per_unit: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartChanges {
    pub opportunities_per_unit: Option<i64>,
}

fn positive(value: i64) -> Result<i64> {
    if value > 0 {
        Ok(value)
    } else {
        Err(AppError::invalid(
            "opportunities_per_unit",
            format!("{value} is not positive"),
        ))
    }
}

/// Creates or replaces the client's definition of a part: the conflict key is
/// `(client_id, part_number)`, so it can never touch another client's row.
#[tenant_scoped]
pub fn upsert(
    db: &Db,
    scope: &TenantScope,
    new: &NewPartOpportunities,
) -> Result<PartOpportunities> {
    let part = key("part_number", &new.part_number)?;
    let opportunities = positive(new.opportunities_per_unit)?;
    scope.single()?;
    db.conn().execute(
        scope,
        "INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit)
         VALUES (:client_id, :part, :opportunities)
         ON CONFLICT (client_id, part_number)
         DO UPDATE SET opportunities_per_unit = excluded.opportunities_per_unit",
        &[(":part", &part), (":opportunities", &opportunities)],
    )?;
    get(db, scope, &part)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, part: &str) -> Result<PartOpportunities> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, part_number, opportunities_per_unit FROM PART_OPPORTUNITIES
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND part_number = :part",
        &[(":part", &part)],
        |r| {
            Ok(PartOpportunities {
                client_id: r.get(0)?,
                part_number: r.get(1)?,
                opportunities_per_unit: r.get(2)?,
            })
        },
    )?;
    exactly_one(rows, |p| &p.client_id, "part", part)
}

#[tenant_scoped]
pub fn list(db: &Db, scope: &TenantScope, page: Page) -> Result<Vec<PartOpportunities>> {
    Ok(db.conn().query(
        scope,
        "SELECT client_id, part_number, opportunities_per_unit FROM PART_OPPORTUNITIES
         WHERE client_id IN (SELECT value FROM json_each(:scope))
         ORDER BY client_id, part_number
         LIMIT :limit OFFSET :offset",
        &[(":limit", &page.limit), (":offset", &page.offset)],
        |r| {
            Ok(PartOpportunities {
                client_id: r.get(0)?,
                part_number: r.get(1)?,
                opportunities_per_unit: r.get(2)?,
            })
        },
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    part: &str,
    changes: &PartChanges,
) -> Result<PartOpportunities> {
    let opportunities = changes.opportunities_per_unit.map(positive).transpose()?;
    let current = get(db, scope, part)?;
    let target = scope.narrow(Some(&current.client_id))?;
    db.conn().execute(
        &target,
        "UPDATE PART_OPPORTUNITIES
         SET opportunities_per_unit = coalesce(:opportunities, opportunities_per_unit)
         WHERE client_id = :client_id AND part_number = :part",
        &[(":opportunities", &opportunities), (":part", &part)],
    )?;
    get(db, &target, part)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, part: &str) -> Result<()> {
    let current = get(db, scope, part)?;
    let target = scope.narrow(Some(&current.client_id))?;
    db.conn().execute(
        &target,
        "DELETE FROM PART_OPPORTUNITIES WHERE client_id = :client_id AND part_number = :part",
        &[(":part", &part)],
    )?;
    Ok(())
}
