//! The junction tables: USER_CLIENT_ASSIGNMENT (which clients a user acts for) and
//! EMPLOYEE_CLIENT_ASSIGNMENT (which clients an employee works for; it replaces the
//! audit's comma-separated `client_id_assigned`).

use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, date, one_of, optional_date};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::{Role, TenantScope};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserAssignment {
    pub client_id: String,
    pub user_id: i64,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployeeAssignment {
    pub client_id: String,
    pub employee_id: i64,
    pub assignment_type: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserAssignment {
    pub user_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEmployeeAssignment {
    pub employee_id: i64,
    pub assignment_type: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

const MANAGERS: &[Role] = &[Role::Admin, Role::PowerUser];
const STAFFERS: &[Role] = &[Role::Admin, Role::PowerUser, Role::Leader];

/// Grants a user access to the scope's one client. ADMIN or POWERUSER only: a client's
/// own users cannot widen who reads it.
#[tenant_scoped]
pub fn assign_user(
    db: &Db,
    scope: &TenantScope,
    new: &NewUserAssignment,
) -> Result<UserAssignment> {
    scope.require(MANAGERS, "assigning a user to a client")?;
    scope.single()?;
    db.conn().execute(
        scope,
        "INSERT INTO USER_CLIENT_ASSIGNMENT (client_id, user_id, is_active) VALUES (:client_id, :user, 1)
         ON CONFLICT (client_id, user_id) DO UPDATE SET is_active = 1",
        &[(":user", &new.user_id)],
    )?;
    user_assignment(db, scope, new.user_id)
}

#[tenant_scoped]
pub fn user_assignment(db: &Db, scope: &TenantScope, user: i64) -> Result<UserAssignment> {
    let found = db.conn().query_row(
        scope,
        "SELECT client_id, user_id, is_active FROM USER_CLIENT_ASSIGNMENT
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND user_id = :user
         ORDER BY client_id",
        &[(":user", &user)],
        |r| {
            Ok(UserAssignment {
                client_id: r.get(0)?,
                user_id: r.get(1)?,
                is_active: r.get(2)?,
            })
        },
    )?;
    found.ok_or_else(|| AppError::not_found("user assignment", user))
}

#[tenant_scoped]
pub fn user_assignments(db: &Db, scope: &TenantScope, page: Page) -> Result<Vec<UserAssignment>> {
    Ok(db.conn().query(
        scope,
        "SELECT client_id, user_id, is_active FROM USER_CLIENT_ASSIGNMENT
         WHERE client_id IN (SELECT value FROM json_each(:scope))
         ORDER BY client_id, user_id
         LIMIT :limit OFFSET :offset",
        &[(":limit", &page.limit), (":offset", &page.offset)],
        |r| {
            Ok(UserAssignment {
                client_id: r.get(0)?,
                user_id: r.get(1)?,
                is_active: r.get(2)?,
            })
        },
    )?)
}

/// Activates or deactivates a user's access to the scope's one client.
#[tenant_scoped]
pub fn set_user_active(
    db: &Db,
    scope: &TenantScope,
    user: i64,
    active: bool,
) -> Result<UserAssignment> {
    scope.require(MANAGERS, "changing a user's access")?;
    scope.single()?;
    let changed = db.conn().execute(
        scope,
        "UPDATE USER_CLIENT_ASSIGNMENT SET is_active = :active
         WHERE client_id = :client_id AND user_id = :user",
        &[(":active", &active), (":user", &user)],
    )?;
    AppError::changed(changed, "user assignment", user)?;
    user_assignment(db, scope, user)
}

#[tenant_scoped]
pub fn unassign_user(db: &Db, scope: &TenantScope, user: i64) -> Result<()> {
    scope.require(MANAGERS, "removing a user's access")?;
    scope.single()?;
    let changed = db.conn().execute(
        scope,
        "DELETE FROM USER_CLIENT_ASSIGNMENT WHERE client_id = :client_id AND user_id = :user",
        &[(":user", &user)],
    )?;
    AppError::changed(changed, "user assignment", user)?;
    Ok(())
}

/// Assigns an employee to the scope's one client for a period.
#[tenant_scoped]
pub fn assign_employee(
    db: &Db,
    scope: &TenantScope,
    new: &NewEmployeeAssignment,
) -> Result<EmployeeAssignment> {
    scope.require(STAFFERS, "assigning an employee")?;
    let kind = one_of(
        "assignment_type",
        &new.assignment_type,
        &["DEDICATED", "FLOATING"],
    )?;
    let from = date("valid_from", &new.valid_from)?;
    let to = optional_date("valid_to", new.valid_to.as_deref())?;
    if to.as_ref().is_some_and(|t| *t < from) {
        return Err(AppError::invalid("valid_to", "ends before valid_from"));
    }
    scope.single()?;
    db.conn().execute(
        scope,
        "INSERT INTO EMPLOYEE_CLIENT_ASSIGNMENT (client_id, employee_id, assignment_type, valid_from, valid_to)
         VALUES (:client_id, :employee, :kind, :from, :to)",
        &[
            (":employee", &new.employee_id),
            (":kind", &kind),
            (":from", &from),
            (":to", &to),
        ],
    )?;
    Ok(EmployeeAssignment {
        client_id: scope.single()?.to_string(),
        employee_id: new.employee_id,
        assignment_type: kind,
        valid_from: from,
        valid_to: to,
    })
}

#[tenant_scoped]
pub fn employee_assignments(
    db: &Db,
    scope: &TenantScope,
    employee: Option<i64>,
    page: Page,
) -> Result<Vec<EmployeeAssignment>> {
    Ok(db.conn().query(
        scope,
        "SELECT client_id, employee_id, assignment_type, valid_from, valid_to
         FROM EMPLOYEE_CLIENT_ASSIGNMENT
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND (:employee IS NULL OR employee_id = :employee)
         ORDER BY client_id, employee_id, valid_from
         LIMIT :limit OFFSET :offset",
        &[
            (":employee", &employee),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        |r| {
            Ok(EmployeeAssignment {
                client_id: r.get(0)?,
                employee_id: r.get(1)?,
                assignment_type: r.get(2)?,
                valid_from: r.get(3)?,
                valid_to: r.get(4)?,
            })
        },
    )?)
}

/// Ends an employee's assignment to the scope's one client on `valid_to`.
#[tenant_scoped]
pub fn end_employee_assignment(
    db: &Db,
    scope: &TenantScope,
    employee: i64,
    valid_from: &str,
    valid_to: &str,
) -> Result<()> {
    scope.require(STAFFERS, "ending an assignment")?;
    let from = date("valid_from", valid_from)?;
    let to = date("valid_to", valid_to)?;
    if to < from {
        return Err(AppError::invalid("valid_to", "ends before valid_from"));
    }
    scope.single()?;
    let changed = db.conn().execute(
        scope,
        "UPDATE EMPLOYEE_CLIENT_ASSIGNMENT SET valid_to = :to
         WHERE client_id = :client_id AND employee_id = :employee AND valid_from = :from",
        &[(":to", &to), (":employee", &employee), (":from", &from)],
    )?;
    AppError::changed(changed, "employee assignment", employee)?;
    Ok(())
}

#[tenant_scoped]
pub fn remove_employee_assignment(
    db: &Db,
    scope: &TenantScope,
    employee: i64,
    valid_from: &str,
) -> Result<()> {
    scope.require(STAFFERS, "removing an assignment")?;
    let from = date("valid_from", valid_from)?;
    scope.single()?;
    let changed = db.conn().execute(
        scope,
        "DELETE FROM EMPLOYEE_CLIENT_ASSIGNMENT
         WHERE client_id = :client_id AND employee_id = :employee AND valid_from = :from",
        &[(":employee", &employee), (":from", &from)],
    )?;
    AppError::changed(changed, "employee assignment", employee)?;
    Ok(())
}

/// Refuses an employee who is not assigned to the scope's one client on `day`.
#[tenant_scoped]
pub fn require_employee_in_client(
    db: &Db,
    scope: &TenantScope,
    employee: i64,
    day: &str,
) -> Result<()> {
    let found = db.conn().query_row(
        scope,
        "SELECT 1 FROM EMPLOYEE_CLIENT_ASSIGNMENT
         WHERE client_id = :client_id AND employee_id = :employee
           AND valid_from <= :day AND (valid_to IS NULL OR valid_to >= :day)",
        &[(":employee", &employee), (":day", &day)],
        |_| Ok(()),
    )?;
    found.ok_or(AppError::CrossClient {
        what: "employee",
        id: employee.to_string(),
    })
}
