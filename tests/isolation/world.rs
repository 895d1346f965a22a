//! A world of tenants built through the reference application's own API: shared
//! reference data and users first (what exists before any tenant), then each tenant's
//! data in its own operator scope, canaries in its text and numbers. Tenants are
//! written in order, so the first tenant's rows get the same ids whether or not others
//! follow (what non-interference compares).

use std::collections::BTreeMap;

use kpi_ops::repo::{
    assignments, attendance, coverage, defects, downtime, holds, jobs, parts, production, quality,
    reference, work_orders,
};
use kpi_ops::{Db, Role, TenantScope};
use proptest::prelude::*;
use serde_json::{Value, json};
use tenant_isolation::Tenant;

fn input<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("fixture input matches the repository's request type")
}

/// What one tenant's data holds: small, varied, days of March 2026.
#[derive(Debug, Clone)]
pub struct TenantData {
    /// (day, shift 1..=3, units, run hours ×2, employees assigned)
    pub production: Vec<(u8, u8, i64, u8, Option<i64>)>,
    /// (day, minutes)
    pub downtime: Vec<(u8, i64)>,
    /// (day held, days until resumed)
    pub holds: Vec<(u8, Option<u8>)>,
    /// (day, stage 0..3, inspected, defective)
    pub quality: Vec<(u8, u8, i64, i64)>,
    /// (day, absent, late)
    pub attendance: Vec<(u8, bool, bool)>,
    /// (day due, days late of delivery; `None` not delivered)
    pub orders: Vec<(u8, Option<i8>)>,
    /// Opportunities per unit of part P-100.
    pub opportunities: i64,
}

impl TenantData {
    /// A fixed data set, varied by `seed`, for deterministic worlds.
    pub fn fixed(seed: i64) -> TenantData {
        // Varied per tenant, within the month for any seed.
        let seed = seed % 7;
        TenantData {
            production: vec![
                (2, 1, 80 + seed * 7, 14, Some(3)),
                (3, 3, 60 + seed * 5, 12, None),
                (20, 2, 40 + seed * 3, 10, Some(2)),
            ],
            downtime: vec![(2, 30 + seed * 10), (21, 45)],
            holds: vec![(1, None), (15, Some(3 + seed as u8))],
            quality: vec![(2, 0, 100 + seed * 20, 3 + seed), (20, 2, 50, 1 + seed)],
            attendance: [(2, false, false), (3, true, false), (9, false, true)]
                .into_iter()
                .chain((seed % 2 == 1).then_some((10, true, false)))
                .collect(),
            orders: vec![(5, Some(-1)), (12 + seed as u8, None), (25, Some(2))],
            opportunities: 5 + seed,
        }
    }
}

fn day() -> impl Strategy<Value = u8> {
    1u8..=28
}

/// Random data for the tenants whose data must not matter.
pub fn tenant_data() -> impl Strategy<Value = TenantData> {
    (
        prop::collection::vec(
            (
                day(),
                1u8..=3,
                0i64..500,
                1u8..=16,
                prop::option::of(1i64..6),
            ),
            0..6,
        ),
        prop::collection::vec((day(), 0i64..300), 0..4),
        prop::collection::vec((day(), prop::option::of(0u8..20)), 0..4),
        prop::collection::vec((day(), 0u8..3, 0i64..400, 0i64..20), 0..5),
        prop::collection::vec((day(), any::<bool>(), any::<bool>()), 0..5),
        prop::collection::vec((day(), prop::option::of(-3i8..5)), 0..4),
        1i64..30,
    )
        .prop_map(
            |(production, downtime, holds, quality, attendance, orders, opportunities)| {
                TenantData {
                    production,
                    downtime,
                    holds,
                    quality: quality
                        .into_iter()
                        .map(|(d, s, i, x)| (d, s, i, x.min(i)))
                        .collect(),
                    attendance,
                    orders,
                    opportunities,
                }
            },
        )
}

/// The ids of a tenant's rows, for reads and writes by id.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub work_orders: Vec<String>,
    pub jobs: Vec<String>,
    pub parts: Vec<String>,
    pub production: Vec<i64>,
    pub downtime: Vec<i64>,
    pub holds: Vec<i64>,
    pub quality: Vec<i64>,
    pub defects: Vec<i64>,
    pub attendance: Vec<i64>,
    pub coverage: Vec<i64>,
    pub employees: Vec<i64>,
    pub users: Vec<i64>,
    /// The tenant's floating-pool member, working for it: its pool id and employee id.
    pub pool: Vec<i64>,
    pub floater: i64,
}

pub struct World {
    pub db: Db,
    pub tenants: Vec<Tenant>,
    pub ids: BTreeMap<String, Ids>,
}

/// The users besides one operator per tenant (`op.<id>`): every role, and every way to
/// have no access. The leader acts for the first two tenants.
pub const USERS: &[(&str, &str, bool)] = &[
    ("admin", "ADMIN", true),
    ("power", "POWERUSER", true),
    ("lead", "LEADER", true),
    ("nobody", "LEADER", true),
    ("retired", "OPERATOR", false),
    ("auditor", "AUDITOR", true),
    ("op.inactive", "OPERATOR", true),
];

pub fn operator_name(tenant: &str) -> String {
    format!("op.{}", tenant.to_lowercase())
}

impl World {
    /// A world of `tenants`, each with its data, built in order.
    pub fn build(tenants: &[(Tenant, TenantData)]) -> World {
        let db = Db::in_memory().expect("in-memory database");
        reference_data(&db, tenants);
        let mut ids = BTreeMap::new();
        for (i, (tenant, data)) in tenants.iter().enumerate() {
            ids.insert(tenant.id.clone(), tenant_rows(&db, i, tenant, data));
        }
        World {
            db,
            tenants: tenants.iter().map(|(t, _)| t.clone()).collect(),
            ids,
        }
    }

    pub fn scope(&self, user: &str) -> Result<TenantScope, kpi_ops::AppError> {
        TenantScope::resolve(&self.db, user)
    }
}

/// Clients, users, products, shifts: what exists before any tenant's data. Written
/// directly: it is not tenant data, and the application has no API to create users.
fn reference_data(db: &Db, tenants: &[(Tenant, TenantData)]) {
    let conn = db
        .conn()
        .unguarded("test fixture: tenants, users and reference data");
    for (tenant, _) in tenants {
        conn.execute(
            "INSERT INTO CLIENT (client_id, client_name, is_active) VALUES (?1, ?2, 1)",
            [&tenant.id, &tenant.text("NAME")],
        )
        .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO CLIENT (client_id, client_name, is_active) VALUES ('INACTIVE', 'Former client', 0);
         INSERT INTO PRODUCT (product_code, product_name, ideal_cycle_time_hours) VALUES
             ('A-1', 'Bracket', 0.05), ('B-2', 'Housing', 0.25);
         INSERT INTO SHIFT (shift_name, start_time, end_time) VALUES
             ('Day', '06:00', '14:00'), ('Evening', '14:00', '22:00'), ('Night', '22:00', '06:00');",
    )
    .unwrap();
    for (name, role, active) in USERS {
        conn.execute(
            "INSERT INTO USER (username, role, is_active) VALUES (?1, ?2, ?3)",
            rusqlite::params![name, role, active],
        )
        .unwrap();
    }
    for (tenant, _) in tenants {
        conn.execute(
            "INSERT INTO USER (username, role, is_active) VALUES (?1, 'OPERATOR', 1)",
            [operator_name(&tenant.id)],
        )
        .unwrap();
    }
    // Assignments go through the application, in each client's scope.
    let user_id = |name: &str| -> i64 {
        conn.query_row(
            "SELECT user_id FROM USER WHERE username = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    let assign = |user: &str, client: &str| {
        let power = TenantScope::for_clients("power", Role::PowerUser, &[client]).unwrap();
        assignments::assign_user(db, &power, &input(json!({"user_id": user_id(user)}))).unwrap();
    };
    for (i, (tenant, _)) in tenants.iter().enumerate() {
        assign(&operator_name(&tenant.id), &tenant.id);
        if i < 2 {
            assign("lead", &tenant.id);
        }
        if i == 0 {
            assign("retired", &tenant.id);
            assign("auditor", &tenant.id);
        }
    }
    assign("op.inactive", "INACTIVE");
}

fn floater_code(index: usize) -> String {
    format!("FLOAT-{}", index + 1)
}

fn date(day: u8) -> String {
    format!("2026-03-{day:02}")
}

/// One tenant's rows, through the repository functions, in its operator's scope.
fn tenant_rows(db: &Db, index: usize, tenant: &Tenant, data: &TenantData) -> Ids {
    let scope = TenantScope::for_clients(
        &operator_name(&tenant.id),
        Role::Operator,
        &[tenant.id.as_str()],
    )
    .unwrap();
    let power = TenantScope::for_clients("power", Role::PowerUser, &[tenant.id.as_str()]).unwrap();
    let s = &scope;
    let mut ids = Ids::default();

    // Work orders: `WO-1` in every tenant (natural keys are per client), and one named
    // by the canary; the rest from the data.
    let canary_order = tenant.text("WO");
    for (i, id) in ["WO-1".to_string(), canary_order.clone()]
        .into_iter()
        .enumerate()
    {
        work_orders::create(db, s, &input(json!({
            "work_order_id": id, "product_id": 1 + i as i64, "planned_quantity": tenant.number(1),
            "required_date": date(28),
        })))
        .unwrap();
        ids.work_orders.push(id);
    }
    for (n, (due, late)) in data.orders.iter().enumerate() {
        let id = format!("WO-{}", n + 2);
        work_orders::create(db, s, &input(json!({
            "work_order_id": id, "product_id": 1, "planned_quantity": 100, "required_date": date(*due),
        })))
        .unwrap();
        if let Some(late) = late {
            let delivered = (i32::from(*due) + i32::from(*late)).clamp(1, 31) as u8;
            work_orders::update(
                db,
                s,
                &id,
                &input(json!({"actual_delivery_date": date(delivered)})),
            )
            .unwrap();
        }
        ids.work_orders.push(id);
    }
    // Parts: P-100 in every tenant with its own opportunities, and a canary part.
    for (part, opportunities) in [
        ("P-100".to_string(), data.opportunities),
        (tenant.text("P"), 7),
    ] {
        parts::upsert(
            db,
            s,
            &input(json!({"part_number": part, "opportunities_per_unit": opportunities})),
        )
        .unwrap();
        ids.parts.push(part);
    }
    for (job, part) in [
        ("J-1".to_string(), "P-100".to_string()),
        (tenant.text("J"), tenant.text("P")),
    ] {
        jobs::create(db, s, &input(json!({
            "job_id": job, "work_order_id": "WO-1", "part_number": part, "completed_quantity": tenant.number(2),
        })))
        .unwrap();
        ids.jobs.push(job);
    }
    for (day, shift, units, half_hours, assigned) in &data.production {
        let entry = production::create(db, s, &input(json!({
            "product_id": 1 + i64::from(*shift % 2), "shift_id": shift, "work_order_id": "WO-1",
            "shift_date": date(*day), "units_produced": units, "run_time_hours": f64::from(*half_hours) / 2.0,
            "employees_assigned": assigned, "employees_present": 2, "defect_count": units / 50,
            "scrap_count": units / 100,
        })))
        .unwrap();
        ids.production.push(entry.production_entry_id);
    }
    for (day, minutes) in &data.downtime {
        let entry = downtime::create(db, s, &input(json!({
            "work_order_id": "WO-1", "shift_date": date(*day), "reason": tenant.text("DOWN"), "duration_minutes": minutes,
        })))
        .unwrap();
        ids.downtime.push(entry.downtime_entry_id);
    }
    for (day, resumed) in &data.holds {
        let hold = holds::create(
            db,
            s,
            &input(json!({"work_order_id": "WO-1", "hold_date": date(*day)})),
        )
        .unwrap();
        if let Some(after) = resumed {
            let resume = (day + after).min(31);
            holds::update(
                db,
                s,
                hold.hold_entry_id,
                &input(json!({"hold_status": "RELEASED", "resume_date": date(resume)})),
            )
            .unwrap();
        }
        ids.holds.push(hold.hold_entry_id);
    }
    for (day, stage, inspected, defective) in &data.quality {
        let stage = ["Incoming", "In-Process", "Final"][*stage as usize];
        let entry = quality::create(
            db,
            s,
            &input(json!({
                "work_order_id": "WO-1", "job_id": "J-1", "shift_date": date(*day),
                "inspection_stage": stage,
                "process_step": tenant.text("STEP"), "units_inspected": inspected,
                "units_passed": inspected - defective, "units_defective": defective,
                "total_defects_count": defective + defective / 2,
            })),
        )
        .unwrap();
        ids.quality.push(entry.quality_entry_id);
        if *defective > 0 {
            let d = defects::create(db, s, &input(json!({
                "quality_entry_id": entry.quality_entry_id, "defect_type": tenant.text("DEFECT"), "defect_count": defective,
            })))
            .unwrap();
            ids.defects.push(d.defect_detail_id);
        }
    }
    // The tenant's member of the floating pool (shared by design: an available member
    // is visible to every client, so it carries no canary), working for it and
    // assigned to it as FLOATING, and an employee of its own.
    let admin = TenantScope::for_clients("admin", Role::Admin, &[tenant.id.as_str()]).unwrap();
    let floater = reference::create_employee(
        db,
        &admin,
        &input(json!({"employee_code": floater_code(index), "name": format!("Floater {}", index + 1), "is_floating_pool": true})),
    )
    .unwrap();
    let member = kpi_ops::repo::pool::add(db, &admin, floater).unwrap();
    kpi_ops::repo::pool::assign(db, s, member.pool_id).unwrap();
    ids.pool.push(member.pool_id);
    ids.floater = floater;
    let employee = reference::create_employee(
        db,
        &admin,
        &input(json!({"employee_code": tenant.text("E"), "name": tenant.text("EMPLOYEE")})),
    )
    .unwrap();
    assignments::assign_employee(db, &power, &input(json!({"employee_id": employee, "assignment_type": "DEDICATED", "valid_from": "2026-01-01"}))).unwrap();
    assignments::assign_employee(db, &power, &input(json!({"employee_id": floater, "assignment_type": "FLOATING", "valid_from": "2026-01-01"}))).unwrap();
    ids.employees.push(employee);
    for (day, absent, late) in &data.attendance {
        let entry = attendance::create(db, s, &input(json!({
            "employee_id": employee, "shift_id": 1, "shift_date": date(*day), "scheduled_hours": 8.0,
            "actual_hours": if *absent { 0.0 } else if *late { 7.0 } else { 8.0 },
            "absence_hours": if *absent { Some(8.0) } else { None }, "is_absent": absent, "is_late": late,
        })))
        .unwrap();
        ids.attendance.push(entry.attendance_entry_id);
        if *absent {
            let c = coverage::create(db, s, &input(json!({
                "floating_employee_id": floater, "covered_employee_id": employee, "shift_id": 1, "shift_date": date(*day),
            })))
            .unwrap();
            ids.coverage.push(c.coverage_entry_id);
        }
    }
    let op: i64 = db
        .conn()
        .unguarded("test fixture: the operator's id")
        .query_row(
            "SELECT user_id FROM USER WHERE username = ?1",
            [operator_name(&tenant.id)],
            |r| r.get(0),
        )
        .unwrap();
    ids.users.push(op);
    if index < 2 {
        // The leader acts for the first two tenants: its assignment is theirs too.
        let lead: i64 = db
            .conn()
            .unguarded("test fixture: the leader's id")
            .query_row(
                "SELECT user_id FROM USER WHERE username = 'lead'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        ids.users.push(lead);
    }
    ids
}
