//! DEFECT_DETAIL: the defects found by one inspection (the audit's HIGH gap: it had no
//! client_id, and could point at another client's inspection).

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, non_negative, quality, text};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefectDetail {
    pub defect_detail_id: i64,
    pub client_id: String,
    pub quality_entry_id: i64,
    pub defect_type: String,
    pub defect_count: i64,
}

impl DefectDetail {
    fn from_row(r: &Row) -> rusqlite::Result<DefectDetail> {
        Ok(DefectDetail {
            defect_detail_id: r.get(0)?,
            client_id: r.get(1)?,
            quality_entry_id: r.get(2)?,
            defect_type: r.get(3)?,
            defect_count: r.get(4)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDefectDetail {
    pub quality_entry_id: i64,
    pub defect_type: String,
    pub defect_count: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefectChanges {
    pub defect_type: Option<String>,
    pub defect_count: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefectFilter {
    pub quality_entry_id: Option<i64>,
    pub defect_type: Option<String>,
}

/// Records a defect against an inspection of the same client; a quality entry of
/// another client is refused (and the composite key would refuse it too).
#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewDefectDetail) -> Result<DefectDetail> {
    let kind = text("defect_type", &new.defect_type, 50)?;
    non_negative("defect_count", new.defect_count)?;
    scope.single()?;
    quality::require_in_client(db, scope, new.quality_entry_id)?;
    let id = db.conn().insert(
        scope,
        "INSERT INTO DEFECT_DETAIL (client_id, quality_entry_id, defect_type, defect_count)
         VALUES (:client_id, :entry, :kind, :count)",
        &[
            (":entry", &new.quality_entry_id),
            (":kind", &kind),
            (":count", &new.defect_count),
        ],
    )?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<DefectDetail> {
    let found = db.conn().query_row(
        scope,
        "SELECT defect_detail_id, client_id, quality_entry_id, defect_type, defect_count
         FROM DEFECT_DETAIL
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND defect_detail_id = :id",
        &[(":id", &id)],
        DefectDetail::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("defect detail", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &DefectFilter,
    page: Page,
) -> Result<Vec<DefectDetail>> {
    Ok(db.conn().query(
        scope,
        "SELECT defect_detail_id, client_id, quality_entry_id, defect_type, defect_count
         FROM DEFECT_DETAIL
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND (:entry IS NULL OR quality_entry_id = :entry)
           AND (:kind IS NULL OR defect_type = :kind)
         ORDER BY client_id, quality_entry_id, defect_detail_id
         LIMIT :limit OFFSET :offset",
        &[
            (":entry", &filter.quality_entry_id),
            (":kind", &filter.defect_type),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        DefectDetail::from_row,
    )?)
}

#[tenant_scoped]
pub fn update(
    db: &Db,
    scope: &TenantScope,
    id: i64,
    changes: &DefectChanges,
) -> Result<DefectDetail> {
    let kind = changes
        .defect_type
        .as_deref()
        .map(|k| text("defect_type", k, 50))
        .transpose()?;
    if let Some(c) = changes.defect_count {
        non_negative("defect_count", c)?;
    }
    let changed = db.conn().execute(
        scope,
        "UPDATE DEFECT_DETAIL
         SET defect_type = coalesce(:kind, defect_type),
             defect_count = coalesce(:count, defect_count)
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND defect_detail_id = :id",
        &[
            (":kind", &kind),
            (":count", &changes.defect_count),
            (":id", &id),
        ],
    )?;
    AppError::changed(changed, "defect detail", id)?;
    get(db, scope, id)
}

#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM DEFECT_DETAIL
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND defect_detail_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "defect detail", id)?;
    Ok(())
}
