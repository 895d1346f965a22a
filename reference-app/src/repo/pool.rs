//! FLOATING_POOL: employees shared between clients by design. A client sees a member
//! while it is available or working for the client; assigning one is a write in the
//! target client's scope, releasing one a write in the scope it works for.

use serde::Serialize;
use tenant_lint_macros::tenant_scoped;

use super::Page;
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::{Role, TenantScope};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolMember {
    pub pool_id: i64,
    pub employee_id: i64,
    pub current_client_id: Option<String>,
}

fn member(r: &rusqlite::Row) -> rusqlite::Result<PoolMember> {
    Ok(PoolMember {
        pool_id: r.get(0)?,
        employee_id: r.get(1)?,
        current_client_id: r.get(2)?,
    })
}

/// The members the scope may see: available ones, and those working for its clients.
#[tenant_scoped]
pub fn list(db: &Db, scope: &TenantScope, page: Page) -> Result<Vec<PoolMember>> {
    Ok(db.conn().query(
        scope,
        "SELECT pool_id, employee_id, current_client_id FROM FLOATING_POOL
         WHERE current_client_id IS NULL
            OR current_client_id IN (SELECT value FROM json_each(:scope))
         ORDER BY pool_id
         LIMIT :limit OFFSET :offset",
        &[(":limit", &page.limit), (":offset", &page.offset)],
        member,
    )?)
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, pool_id: i64) -> Result<PoolMember> {
    let found = db.conn().query_row(
        scope,
        "SELECT pool_id, employee_id, current_client_id FROM FLOATING_POOL
         WHERE pool_id = :id
           AND (current_client_id IS NULL
                OR current_client_id IN (SELECT value FROM json_each(:scope)))",
        &[(":id", &pool_id)],
        member,
    )?;
    found.ok_or_else(|| AppError::not_found("pool member", pool_id))
}

/// Adds an employee to the pool (available). ADMIN or POWERUSER.
#[tenant_scoped]
pub fn add(db: &Db, scope: &TenantScope, employee: i64) -> Result<PoolMember> {
    scope.require(
        &[Role::Admin, Role::PowerUser],
        "adding to the floating pool",
    )?;
    let id = db.conn().insert(
        scope,
        "INSERT INTO FLOATING_POOL (employee_id, current_client_id) VALUES (:employee, NULL)",
        &[(":employee", &employee)],
    )?;
    get(db, scope, id)
}

/// Assigns an available member to the scope's one client.
#[tenant_scoped]
pub fn assign(db: &Db, scope: &TenantScope, pool_id: i64) -> Result<PoolMember> {
    scope.single()?;
    let changed = db.conn().execute(
        scope,
        "UPDATE FLOATING_POOL SET current_client_id = :client_id
         WHERE pool_id = :id AND current_client_id IS NULL",
        &[(":id", &pool_id)],
    )?;
    if changed == 0 {
        return Err(AppError::invalid(
            "pool_id",
            format!("pool member {pool_id} is not available"),
        ));
    }
    get(db, scope, pool_id)
}

/// Releases a member working for one of the scope's clients back to the pool.
#[tenant_scoped]
pub fn release(db: &Db, scope: &TenantScope, pool_id: i64) -> Result<PoolMember> {
    let changed = db.conn().execute(
        scope,
        "UPDATE FLOATING_POOL SET current_client_id = NULL
         WHERE pool_id = :id AND current_client_id IN (SELECT value FROM json_each(:scope))",
        &[(":id", &pool_id)],
    )?;
    if changed == 0 {
        return Err(AppError::not_found(
            "pool member working for your clients",
            pool_id,
        ));
    }
    get(db, scope, pool_id)
}

/// Removes an available member from the pool. ADMIN or POWERUSER.
#[tenant_scoped]
pub fn remove(db: &Db, scope: &TenantScope, pool_id: i64) -> Result<()> {
    scope.require(
        &[Role::Admin, Role::PowerUser],
        "removing from the floating pool",
    )?;
    let changed = db.conn().execute(
        scope,
        "DELETE FROM FLOATING_POOL WHERE pool_id = :id AND current_client_id IS NULL",
        &[(":id", &pool_id)],
    )?;
    if changed == 0 {
        return Err(AppError::invalid(
            "pool_id",
            format!("pool member {pool_id} is not available (release it first)"),
        ));
    }
    Ok(())
}
