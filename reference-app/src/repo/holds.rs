//! HOLD_ENTRY and HOLD_STATUS_TRANSITION: work held back, and every change of its
//! status (an append-only log, written with the change in one transaction).

use rusqlite::Row;
use serde::{Deserialize, Serialize};
use tenant_lint_macros::tenant_scoped;

use super::{Page, date, one_of, optional_date, work_orders};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

pub const STATUSES: &[&str] = &[
    "ON_HOLD",
    "PENDING_REVIEW",
    "RELEASED",
    "SCRAPPED",
    "CANCELLED",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldEntry {
    pub hold_entry_id: i64,
    pub client_id: String,
    pub work_order_id: String,
    pub hold_status: String,
    pub hold_date: String,
    pub resume_date: Option<String>,
}

impl HoldEntry {
    fn from_row(r: &Row) -> rusqlite::Result<HoldEntry> {
        Ok(HoldEntry {
            hold_entry_id: r.get(0)?,
            client_id: r.get(1)?,
            work_order_id: r.get(2)?,
            hold_status: r.get(3)?,
            hold_date: r.get(4)?,
            resume_date: r.get(5)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldStatusTransition {
    pub hold_status_transition_id: i64,
    pub client_id: String,
    pub hold_entry_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub changed_at: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHoldEntry {
    pub work_order_id: String,
    pub hold_date: String,
    #[serde(default = "on_hold")]
    pub hold_status: String,
}

fn on_hold() -> String {
    "ON_HOLD".to_string()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldChanges {
    pub hold_status: Option<String>,
    pub resume_date: Option<String>,
    /// The date of the status change (default: the resume date, else today).
    pub changed_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldFilter {
    pub hold_status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only holds not resumed.
    #[serde(default)]
    pub active: bool,
}

#[tenant_scoped]
pub fn create(db: &Db, scope: &TenantScope, new: &NewHoldEntry) -> Result<HoldEntry> {
    let day = date("hold_date", &new.hold_date)?;
    let status = one_of("hold_status", &new.hold_status, STATUSES)?;
    scope.single()?;
    work_orders::require_in_client(db, scope, &new.work_order_id)?;
    db.conn().transaction(|conn| {
        let id = conn.insert(
            scope,
            "INSERT INTO HOLD_ENTRY (client_id, work_order_id, hold_status, hold_date)
             VALUES (:client_id, :work_order, :status, :day)",
            &[
                (":work_order", &new.work_order_id),
                (":status", &status),
                (":day", &day),
            ],
        )?;
        conn.execute(
            scope,
            "INSERT INTO HOLD_STATUS_TRANSITION (client_id, hold_entry_id, from_status, to_status, changed_at)
             VALUES (:client_id, :hold, NULL, :status, :day)",
            &[(":hold", &id), (":status", &status), (":day", &day)],
        )?;
        get(db, scope, id)
    })
}

#[tenant_scoped]
pub fn get(db: &Db, scope: &TenantScope, id: i64) -> Result<HoldEntry> {
    let found = db.conn().query_row(
        scope,
        "SELECT hold_entry_id, client_id, work_order_id, hold_status, hold_date, resume_date
         FROM HOLD_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND hold_entry_id = :id",
        &[(":id", &id)],
        HoldEntry::from_row,
    )?;
    found.ok_or_else(|| AppError::not_found("hold", id))
}

#[tenant_scoped]
pub fn list(
    db: &Db,
    scope: &TenantScope,
    filter: &HoldFilter,
    page: Page,
) -> Result<Vec<HoldEntry>> {
    let from = optional_date("from", filter.from.as_deref())?;
    let to = optional_date("to", filter.to.as_deref())?;
    Ok(db.conn().query(
        scope,
        "SELECT hold_entry_id, client_id, work_order_id, hold_status, hold_date, resume_date
         FROM HOLD_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND hold_date >= coalesce(:from, '0000-01-01')
           AND hold_date <= coalesce(:to, '9999-12-31')
           AND (:status IS NULL OR hold_status = :status)
           AND (:active = 0 OR resume_date IS NULL)
         ORDER BY client_id, hold_date, hold_entry_id
         LIMIT :limit OFFSET :offset",
        &[
            (":from", &from),
            (":to", &to),
            (":status", &filter.hold_status),
            (":active", &filter.active),
            (":limit", &page.limit),
            (":offset", &page.offset),
        ],
        HoldEntry::from_row,
    )?)
}

/// Changes a hold's status or resume date; a status change is logged as a transition.
#[tenant_scoped]
pub fn update(db: &Db, scope: &TenantScope, id: i64, changes: &HoldChanges) -> Result<HoldEntry> {
    let status = changes
        .hold_status
        .as_deref()
        .map(|s| one_of("hold_status", s, STATUSES))
        .transpose()?;
    let resume = optional_date("resume_date", changes.resume_date.as_deref())?;
    let changed_at = match optional_date("changed_at", changes.changed_at.as_deref())? {
        Some(d) => d,
        None => resume
            .clone()
            .unwrap_or_else(|| crate::date::Date::today().to_string()),
    };
    db.conn().transaction(|conn| {
        // The scoped update is what finds the row: another client's id, or a resume date
        // before the hold, changes nothing. It returns the status the log holds last.
        let updated = conn.query_row(
            scope,
            "UPDATE HOLD_ENTRY
             SET hold_status = coalesce(:status, hold_status),
                 resume_date = coalesce(:resume, resume_date)
             WHERE client_id IN (SELECT value FROM json_each(:scope)) AND hold_entry_id = :id
               AND (:resume IS NULL OR :resume >= hold_date)
             RETURNING hold_entry_id, client_id, work_order_id, hold_status, hold_date, resume_date,
                 (SELECT t.to_status FROM HOLD_STATUS_TRANSITION t
                  WHERE t.client_id = HOLD_ENTRY.client_id AND t.hold_entry_id = HOLD_ENTRY.hold_entry_id
                  ORDER BY t.changed_at DESC, t.hold_status_transition_id DESC
                  LIMIT 1) AS logged_status",
            &[(":status", &status), (":resume", &resume), (":id", &id)],
            |r| Ok((HoldEntry::from_row(r)?, r.get::<_, Option<String>>(6)?)),
        )?;
        let Some((row, logged)) = updated else {
            let current = get(db, scope, id)?;
            return Err(AppError::invalid(
                "resume_date",
                format!(
                    "{} is before the hold date {}",
                    resume.as_deref().unwrap_or("?"),
                    current.hold_date
                ),
            ));
        };
        if let Some(to) = status.as_ref().filter(|to| logged.as_ref() != Some(*to)) {
            let target = scope.narrow(Some(&row.client_id))?;
            conn.execute(
                &target,
                "INSERT INTO HOLD_STATUS_TRANSITION (client_id, hold_entry_id, from_status, to_status, changed_at)
                 VALUES (:client_id, :hold, :from, :to, :at)",
                &[(":hold", &id), (":from", &logged), (":to", to), (":at", &changed_at)],
            )?;
        }
        Ok(row)
    })
}

/// Deletes a hold; its transition log goes with it (`ON DELETE CASCADE`).
#[tenant_scoped]
pub fn delete(db: &Db, scope: &TenantScope, id: i64) -> Result<()> {
    let changed = db.conn().execute(
        scope,
        "DELETE FROM HOLD_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND hold_entry_id = :id",
        &[(":id", &id)],
    )?;
    AppError::changed(changed, "hold", id)?;
    Ok(())
}

/// The status changes of one hold, oldest first.
#[tenant_scoped]
pub fn transitions(
    db: &Db,
    scope: &TenantScope,
    hold: i64,
    page: Page,
) -> Result<Vec<HoldStatusTransition>> {
    Ok(db.conn().query(
        scope,
        "SELECT hold_status_transition_id, client_id, hold_entry_id, from_status, to_status, changed_at
         FROM HOLD_STATUS_TRANSITION
         WHERE client_id IN (SELECT value FROM json_each(:scope)) AND hold_entry_id = :hold
         ORDER BY changed_at, hold_status_transition_id
         LIMIT :limit OFFSET :offset",
        &[(":hold", &hold), (":limit", &page.limit), (":offset", &page.offset)],
        |r| {
            Ok(HoldStatusTransition {
                hold_status_transition_id: r.get(0)?,
                client_id: r.get(1)?,
                hold_entry_id: r.get(2)?,
                from_status: r.get(3)?,
                to_status: r.get(4)?,
                changed_at: r.get(5)?,
            })
        },
    )?)
}
