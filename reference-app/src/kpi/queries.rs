//! The rows each KPI reads, grouped by client. Every query is bound to the scope
//! (`client_id IN (SELECT value FROM json_each(:scope))`, joins through `client_id`),
//! and reads through an index whose first column is `client_id`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tenant_lint_macros::tenant_scoped;

use super::Window;
use super::calc::{AttendanceInput, HoldInput, InspectionInput, OrderInput, ProductionInput};
use crate::date::{Date, shift_hours};
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

/// Rows of a client, by client.
pub type ByClient<T> = BTreeMap<String, Vec<T>>;

fn group<T>(rows: Vec<(String, T)>) -> ByClient<T> {
    let mut out: ByClient<T> = BTreeMap::new();
    for (client, row) in rows {
        out.entry(client).or_default().push(row);
    }
    out
}

/// A date column read back: the schema stores ISO text; anything else is corrupt data.
fn parse_date(text: &str) -> Result<Date> {
    text.parse()
        .map_err(|e: String| AppError::Setup(format!("corrupt date in the database: {e}")))
}

/// What the KPIs read, for one scope and window.
pub struct Inputs<'a> {
    db: &'a Db,
    scope: &'a TenantScope,
    from: String,
    to: String,
}

impl<'a> Inputs<'a> {
    pub fn new(db: &'a Db, scope: &'a TenantScope, window: Window) -> Self {
        Inputs {
            db,
            scope,
            from: window.from.to_string(),
            to: window.to.to_string(),
        }
    }

    pub fn production(&self) -> Result<ByClient<ProductionInput>> {
        production(self.db, self.scope, &self.from, &self.to)
    }

    pub fn downtime_minutes(&self) -> Result<BTreeMap<String, i64>> {
        downtime_minutes(self.db, self.scope, &self.from, &self.to)
    }

    pub fn orders(&self) -> Result<ByClient<OrderInput>> {
        orders(self.db, self.scope, &self.from, &self.to)
    }

    pub fn late_orders(&self) -> Result<Vec<Value>> {
        late_orders(self.db, self.scope, &self.to)
    }

    pub fn holds(&self) -> Result<ByClient<(i64, HoldInput)>> {
        holds(self.db, self.scope, &self.to)
    }

    pub fn chronic_holds(&self, threshold: i32) -> Result<Vec<Value>> {
        let as_of = parse_date(&self.to)?;
        let mut rows: Vec<(String, i64, i32, String)> = Vec::new();
        for (client, holds) in self.holds()? {
            for (id, hold) in holds {
                let age = as_of.days_since(hold.hold_date);
                if super::calc::hold_active(&hold, as_of) && age >= threshold {
                    rows.push((client.clone(), id, age, hold.hold_date.to_string()));
                }
            }
        }
        // Oldest first; ties by client and hold.
        rows.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then_with(|| a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
        Ok(rows
            .into_iter()
            .map(|(client, id, age, held)| {
                json!({"client_id": client, "hold_entry_id": id, "hold_date": held, "age_days": age})
            })
            .collect())
    }

    pub fn attendance(&self) -> Result<ByClient<AttendanceInput>> {
        attendance(self.db, self.scope, &self.from, &self.to)
    }

    pub fn inspections(&self) -> Result<ByClient<InspectionInput>> {
        inspections(self.db, self.scope, &self.from, &self.to)
    }

    pub fn defects_by_type(&self) -> Result<ByClient<(String, i64)>> {
        defects_by_type(self.db, self.scope, &self.from, &self.to)
    }
}

#[tenant_scoped]
fn production(
    db: &Db,
    scope: &TenantScope,
    from: &str,
    to: &str,
) -> Result<ByClient<ProductionInput>> {
    let rows = db.conn().query(
        scope,
        "SELECT p.client_id, p.units_produced, p.run_time_hours, pr.ideal_cycle_time_hours,
                s.start_time, s.end_time, p.employees_assigned, p.employees_present,
                p.defect_count, p.scrap_count,
                (SELECT COUNT(*) FROM COVERAGE_ENTRY c
                 WHERE c.client_id = p.client_id AND c.shift_date = p.shift_date
                   AND c.shift_id = p.shift_id) AS coverage
         FROM PRODUCTION_ENTRY p
         JOIN PRODUCT pr ON pr.product_id = p.product_id
         JOIN SHIFT s ON s.shift_id = p.shift_id
         WHERE p.client_id IN (SELECT value FROM json_each(:scope))
           AND p.shift_date BETWEEN :from AND :to",
        &[(":from", &from), (":to", &to)],
        |r| {
            let start: String = r.get(4)?;
            let end: String = r.get(5)?;
            Ok((
                r.get::<_, String>(0)?,
                ProductionInput {
                    units_produced: r.get(1)?,
                    run_time_hours: r.get(2)?,
                    ideal_cycle_time_hours: r.get(3)?,
                    shift_hours: shift_hours(&start, &end),
                    employees_assigned: r.get(6)?,
                    employees_present: r.get(7)?,
                    defect_count: r.get(8)?,
                    scrap_count: r.get(9)?,
                    coverage: r.get(10)?,
                },
            ))
        },
    )?;
    Ok(group(rows))
}

#[tenant_scoped]
fn downtime_minutes(
    db: &Db,
    scope: &TenantScope,
    from: &str,
    to: &str,
) -> Result<BTreeMap<String, i64>> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, SUM(duration_minutes) FROM DOWNTIME_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date BETWEEN :from AND :to
         GROUP BY client_id",
        &[(":from", &from), (":to", &to)],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    Ok(rows.into_iter().collect())
}

#[tenant_scoped]
fn orders(db: &Db, scope: &TenantScope, from: &str, to: &str) -> Result<ByClient<OrderInput>> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, required_date, actual_delivery_date FROM WORK_ORDER
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND required_date BETWEEN :from AND :to",
        &[(":from", &from), (":to", &to)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        },
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (client, required, delivered) in rows {
        out.push((
            client,
            OrderInput {
                required_date: parse_date(&required)?,
                actual_delivery_date: delivered.as_deref().map(parse_date).transpose()?,
            },
        ));
    }
    Ok(group(out))
}

/// Work orders with production entries unconfirmed for more than 7 days at `as_of`,
/// longest pending first.
#[tenant_scoped]
fn late_orders(db: &Db, scope: &TenantScope, as_of: &str) -> Result<Vec<Value>> {
    let as_of_date = parse_date(as_of)?;
    let cutoff = as_of_date.add_days(-7).to_string();
    let rows = db.conn().query(
        scope,
        "SELECT p.client_id, p.work_order_id, MIN(p.shift_date), COUNT(*)
         FROM PRODUCTION_ENTRY p
         WHERE p.client_id IN (SELECT value FROM json_each(:scope))
           AND p.shift_date < :cutoff
           AND p.confirmed_by IS NULL
           AND p.work_order_id IS NOT NULL
         GROUP BY p.client_id, p.work_order_id",
        &[(":cutoff", &cutoff)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (client, work_order, oldest, entries) in rows {
        let pending = as_of_date.days_since(parse_date(&oldest)?);
        out.push((client, work_order, oldest, entries, pending));
    }
    out.sort_by(|a, b| {
        b.4.cmp(&a.4)
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(&b.1))
    });
    Ok(out
        .into_iter()
        .map(|(client, work_order, oldest, entries, pending)| {
            json!({
                "client_id": client,
                "work_order_id": work_order,
                "oldest_unconfirmed": oldest,
                "unconfirmed_entries": entries,
                "days_pending": pending,
            })
        })
        .collect())
}

/// Holds placed by `as_of` and not resumed by then (status filtered in `calc`).
#[tenant_scoped]
fn holds(db: &Db, scope: &TenantScope, as_of: &str) -> Result<ByClient<(i64, HoldInput)>> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, hold_entry_id, hold_date, resume_date, hold_status FROM HOLD_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND hold_date <= :as_of
           AND (resume_date IS NULL OR resume_date > :as_of)",
        &[(":as_of", &as_of)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (client, id, held, resumed, status) in rows {
        out.push((
            client,
            (
                id,
                HoldInput {
                    hold_date: parse_date(&held)?,
                    resume_date: resumed.as_deref().map(parse_date).transpose()?,
                    hold_status: status,
                },
            ),
        ));
    }
    Ok(group(out))
}

#[tenant_scoped]
fn attendance(
    db: &Db,
    scope: &TenantScope,
    from: &str,
    to: &str,
) -> Result<ByClient<AttendanceInput>> {
    let rows = db.conn().query(
        scope,
        "SELECT client_id, employee_id, shift_date, scheduled_hours, actual_hours, absence_hours,
                is_absent, is_late
         FROM ATTENDANCE_ENTRY
         WHERE client_id IN (SELECT value FROM json_each(:scope))
           AND shift_date BETWEEN :from AND :to",
        &[(":from", &from), (":to", &to)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
            ))
        },
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (client, employee, day, scheduled, actual, absence, absent, late) in rows {
        out.push((
            client,
            AttendanceInput {
                employee_id: employee,
                shift_date: parse_date(&day)?,
                scheduled_hours: scheduled,
                actual_hours: actual,
                absence_hours: absence,
                is_absent: absent,
                is_late: late,
            },
        ));
    }
    Ok(group(out))
}

/// Inspections with the opportunities of their job's part, from the same client.
#[tenant_scoped]
fn inspections(
    db: &Db,
    scope: &TenantScope,
    from: &str,
    to: &str,
) -> Result<ByClient<InspectionInput>> {
    let rows = db.conn().query(
        scope,
        "SELECT q.client_id, q.inspection_stage, q.process_step, q.units_inspected,
                q.units_passed, q.units_defective, q.total_defects_count, q.units_scrapped,
                po.opportunities_per_unit
         FROM QUALITY_ENTRY q
         LEFT JOIN JOB j ON j.client_id = q.client_id AND j.job_id = q.job_id
         LEFT JOIN PART_OPPORTUNITIES po
                ON po.client_id = j.client_id AND po.part_number = j.part_number
         WHERE q.client_id IN (SELECT value FROM json_each(:scope))
           AND q.shift_date BETWEEN :from AND :to",
        &[(":from", &from), (":to", &to)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                InspectionInput {
                    inspection_stage: r.get(1)?,
                    process_step: r.get(2)?,
                    units_inspected: r.get(3)?,
                    units_passed: r.get(4)?,
                    units_defective: r.get(5)?,
                    total_defects_count: r.get(6)?,
                    units_scrapped: r.get(7)?,
                    opportunities_per_unit: r.get(8)?,
                },
            ))
        },
    )?;
    Ok(group(rows))
}

/// Defect counts by type, for inspections in the window.
#[tenant_scoped]
fn defects_by_type(
    db: &Db,
    scope: &TenantScope,
    from: &str,
    to: &str,
) -> Result<ByClient<(String, i64)>> {
    let rows = db.conn().query(
        scope,
        "SELECT d.client_id, d.defect_type, SUM(d.defect_count)
         FROM QUALITY_ENTRY q
         JOIN DEFECT_DETAIL d
           ON d.client_id = q.client_id AND d.quality_entry_id = q.quality_entry_id
         WHERE q.client_id IN (SELECT value FROM json_each(:scope))
           AND q.shift_date BETWEEN :from AND :to
         GROUP BY d.client_id, d.defect_type",
        &[(":from", &from), (":to", &to)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, String>(1)?, r.get::<_, i64>(2)?),
            ))
        },
    )?;
    Ok(group(rows))
}
