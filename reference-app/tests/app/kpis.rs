//! KPIs on hand-built data: two clients, C01 with a few rows whose KPIs are worked out
//! by hand below, C02 with large numbers that must not move C01's.

use kpi_ops::kpi::{self, Kpi, Options, Window};
use kpi_ops::repo::{
    attendance, coverage, defects, downtime, holds, jobs, parts, production, quality, work_orders,
};
use kpi_ops::{Db, TenantScope};
use serde_json::{Value, json};

use crate::{date, operator};

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// Reference data: two clients; product 1 (0.05 h per unit) and product 2 (0.5 h);
/// an 8-hour day shift, a 6-hour short shift and an 8-hour night shift over midnight;
/// employees 1 (C01) and 2 (C02), and floater 3 assigned to C01.
fn database() -> Db {
    let db = Db::in_memory().unwrap();
    db.conn()
        .unguarded("test: reference data")
        .execute_batch(
            "INSERT INTO CLIENT VALUES ('C01', 'One', 1), ('C02', 'Two', 1);
             INSERT INTO USER (user_id, username, role, is_active) VALUES (1, 'admin', 'ADMIN', 1);
             INSERT INTO PRODUCT VALUES (1, 'A', 'Part A', 0.05), (2, 'B', 'Part B', 0.5);
             INSERT INTO SHIFT VALUES (1, 'Day', '06:00', '14:00'), (2, 'Short', '14:00', '20:00'),
                                      (3, 'Night', '22:00', '06:00');
             INSERT INTO EMPLOYEE VALUES (1, 'E1', 'One', 0), (2, 'E2', 'Two', 0), (3, 'F3', 'Floater', 1);
             INSERT INTO EMPLOYEE_CLIENT_ASSIGNMENT VALUES
                 ('C01', 1, 'DEDICATED', '2026-01-01', NULL),
                 ('C01', 3, 'FLOATING', '2026-01-01', NULL),
                 ('C02', 2, 'DEDICATED', '2026-01-01', NULL);",
        )
        .unwrap();
    c01(&db, &operator("C01"));
    c02(&db, &operator("C02"));
    db
}

fn c01(db: &Db, a: &TenantScope) {
    for (id, due, delivered) in [
        ("WO-1", "2026-03-10", Some("2026-03-09")), // on time
        ("WO-2", "2026-03-20", None),               // past due, not delivered: late
        ("WO-3", "2026-03-31", None),               // due on the as-of date: not yet late
        ("WO-4", "2026-04-05", None),               // due after the window: not counted
    ] {
        work_orders::create(db, a, &from_json(json!({"work_order_id": id, "product_id": 1, "planned_quantity": 100, "required_date": due}))).unwrap();
        if let Some(d) = delivered {
            work_orders::update(db, a, id, &from_json(json!({"actual_delivery_date": d}))).unwrap();
        }
    }
    // e1: night shift (8 h over midnight), 100 units of product 1, 8 h run, 4 assigned.
    production::create(db, a, &from_json(json!({
        "product_id": 1, "shift_id": 3, "work_order_id": "WO-1", "shift_date": "2026-03-05",
        "units_produced": 100, "run_time_hours": 8.0, "employees_assigned": 4, "employees_present": 3,
        "defect_count": 2, "scrap_count": 1
    }))).unwrap();
    // e2: short shift (6 h), 48 units, 6 h run, 2 present, and a floater covering it.
    production::create(
        db,
        a,
        &from_json(json!({
            "product_id": 1, "shift_id": 2, "work_order_id": "WO-1", "shift_date": "2026-03-06",
            "units_produced": 48, "run_time_hours": 6.0, "employees_present": 2
        })),
    )
    .unwrap();
    coverage::create(
        db,
        a,
        &from_json(json!({"floating_employee_id": 3, "shift_id": 2, "shift_date": "2026-03-06"})),
    )
    .unwrap();
    for minutes in [90, 30] {
        downtime::create(db, a, &from_json(json!({"shift_date": "2026-03-05", "reason": "Breakdown", "duration_minutes": minutes}))).unwrap();
    }
    // Holds at the as-of date 2026-03-31: one 30 days old, one 6 days old resumed
    // after the as-of date, one released before it.
    holds::create(
        db,
        a,
        &from_json(json!({"work_order_id": "WO-2", "hold_date": "2026-03-01"})),
    )
    .unwrap();
    let h = holds::create(
        db,
        a,
        &from_json(json!({"work_order_id": "WO-2", "hold_date": "2026-03-25"})),
    )
    .unwrap();
    holds::update(
        db,
        a,
        h.hold_entry_id,
        &from_json(json!({"resume_date": "2026-04-02"})),
    )
    .unwrap();
    let h = holds::create(
        db,
        a,
        &from_json(json!({"work_order_id": "WO-2", "hold_date": "2026-03-10"})),
    )
    .unwrap();
    holds::update(
        db,
        a,
        h.hold_entry_id,
        &from_json(json!({"hold_status": "RELEASED", "resume_date": "2026-03-15"})),
    )
    .unwrap();
    // P-100 has 5 opportunities per unit for C01 (20 for C02).
    parts::upsert(
        db,
        a,
        &from_json(json!({"part_number": "P-100", "opportunities_per_unit": 5})),
    )
    .unwrap();
    jobs::create(
        db,
        a,
        &from_json(json!({"job_id": "J-1", "work_order_id": "WO-1", "part_number": "P-100"})),
    )
    .unwrap();
    let q1 = quality::create(db, a, &from_json(json!({
        "work_order_id": "WO-1", "job_id": "J-1", "shift_date": "2026-03-05", "inspection_stage": "In-Process",
        "process_step": "Welding", "units_inspected": 100, "units_passed": 96, "units_defective": 4,
        "total_defects_count": 6
    }))).unwrap();
    quality::create(db, a, &from_json(json!({
        "work_order_id": "WO-1", "shift_date": "2026-03-06", "inspection_stage": "Final",
        "process_step": "Assembly", "units_inspected": 50, "units_passed": 49, "units_defective": 1,
        "units_scrapped": 1
    }))).unwrap();
    // A day with nothing inspected.
    quality::create(db, a, &from_json(json!({
        "work_order_id": "WO-1", "shift_date": "2026-03-07", "inspection_stage": "Final",
        "process_step": "Assembly", "units_inspected": 0, "units_passed": 0, "units_defective": 0
    }))).unwrap();
    for (kind, count) in [("Scratch", 4), ("Burr", 2)] {
        defects::create(db, a, &from_json(json!({"quality_entry_id": q1.quality_entry_id, "defect_type": kind, "defect_count": count}))).unwrap();
    }
    // Employee 1: absent one day (8 h recorded), late the next (6 of 8 h).
    attendance::create(
        db,
        a,
        &from_json(json!({
            "employee_id": 1, "shift_id": 1, "shift_date": "2026-03-02", "scheduled_hours": 8.0,
            "actual_hours": 0.0, "absence_hours": 8.0, "is_absent": true
        })),
    )
    .unwrap();
    attendance::create(
        db,
        a,
        &from_json(json!({
            "employee_id": 1, "shift_id": 1, "shift_date": "2026-03-03", "scheduled_hours": 8.0,
            "actual_hours": 6.0, "is_late": true
        })),
    )
    .unwrap();
}

/// C02: large, different numbers in every table C01's KPIs read.
fn c02(db: &Db, b: &TenantScope) {
    work_orders::create(db, b, &from_json(json!({"work_order_id": "WO-1", "product_id": 2, "planned_quantity": 9, "required_date": "2026-03-10"}))).unwrap();
    production::create(db, b, &from_json(json!({
        "product_id": 2, "shift_id": 1, "work_order_id": "WO-1", "shift_date": "2026-03-05",
        "units_produced": 9000, "run_time_hours": 1.0, "employees_assigned": 1, "defect_count": 900
    }))).unwrap();
    downtime::create(
        db,
        b,
        &from_json(
            json!({"shift_date": "2026-03-05", "reason": "Fire", "duration_minutes": 10000}),
        ),
    )
    .unwrap();
    holds::create(
        db,
        b,
        &from_json(json!({"work_order_id": "WO-1", "hold_date": "2025-01-01"})),
    )
    .unwrap();
    parts::upsert(
        db,
        b,
        &from_json(json!({"part_number": "P-100", "opportunities_per_unit": 20})),
    )
    .unwrap();
    jobs::create(
        db,
        b,
        &from_json(json!({"job_id": "J-1", "work_order_id": "WO-1", "part_number": "P-100"})),
    )
    .unwrap();
    let q = quality::create(db, b, &from_json(json!({
        "work_order_id": "WO-1", "job_id": "J-1", "shift_date": "2026-03-05", "inspection_stage": "Final",
        "process_step": "Welding", "units_inspected": 10, "units_passed": 0, "units_defective": 10
    }))).unwrap();
    defects::create(db, b, &from_json(json!({"quality_entry_id": q.quality_entry_id, "defect_type": "Crack", "defect_count": 10}))).unwrap();
    attendance::create(
        db,
        b,
        &from_json(json!({
            "employee_id": 2, "shift_id": 1, "shift_date": "2026-03-02", "scheduled_hours": 8.0,
            "actual_hours": 0.0, "absence_hours": 8.0, "is_absent": true
        })),
    )
    .unwrap();
}

fn march() -> Window {
    Window::new(Some(date("2026-03-01")), Some(date("2026-03-31"))).unwrap()
}

/// The one row of client C01.
fn c01_row(db: &Db, kpi: Kpi) -> Value {
    let report = kpi::compute(db, &operator("C01"), kpi, march(), Options::default()).unwrap();
    assert_eq!(report.rows.len(), 1, "{kpi}: {:?}", report.rows);
    report.rows[0].clone()
}

fn number(row: &Value, field: &str) -> f64 {
    row[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} in {row}"))
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn production_kpis_of_one_client() {
    let db = database();
    // e1: 100 × 0.05 = 5 h of work / (4 assigned × 8 h night shift) = 15.625%.
    // e2: 48 × 0.05 = 2.4 h / ((2 present + 1 floater) × 6 h) = 13.333…%. Mean 14.479…%.
    close(
        number(&c01_row(&db, Kpi::Efficiency), "efficiency"),
        (15.625 + 2.4 / 18.0 * 100.0) / 2.0,
    );
    // Performance: 0.05 × 100 / 8 = 62.5%; 0.05 × 48 / 6 = 40%. Mean 51.25%.
    close(
        number(&c01_row(&db, Kpi::Performance), "performance"),
        51.25,
    );
    // Quality rate: (148 − 2 defects − 1 scrap) / 148.
    close(
        number(&c01_row(&db, Kpi::QualityRate), "quality_rate"),
        145.0 / 148.0 * 100.0,
    );
    // Availability: 31 days × 8 h = 248 h, 120 min = 2 h down: 246 / 248.
    let availability = 246.0 / 248.0 * 100.0;
    close(
        number(&c01_row(&db, Kpi::Availability), "availability"),
        availability,
    );
    let oee = c01_row(&db, Kpi::Oee);
    close(
        number(&oee, "oee"),
        availability * 51.25 * (145.0 / 148.0 * 100.0) / 10_000.0,
    );
}

#[test]
fn delivery_and_hold_kpis_of_one_client() {
    let db = database();
    // WO-1 on time, WO-2 late, WO-3 not yet due; WO-4 is due after the window.
    let otd = c01_row(&db, Kpi::Otd);
    assert_eq!(
        (otd["orders"].as_u64(), otd["on_time"].as_u64()),
        (Some(3), Some(2))
    );
    close(number(&otd, "percent"), 200.0 / 3.0);
    // Active at 03-31: the 30-day hold (15-30 bucket) and the 6-day one; mean 18.
    let wip = c01_row(&db, Kpi::WipAging);
    assert_eq!(wip["buckets"], json!([1, 0, 1, 0]));
    close(number(&wip, "mean_age_days"), 18.0);
    // Chronic (≥ 30 days): only the hold of 03-01. C02's 454-day hold stays C02's.
    let report = kpi::compute(
        &db,
        &operator("C01"),
        Kpi::ChronicHolds,
        march(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0]["age_days"], 30);
}

#[test]
fn quality_kpis_use_the_clients_own_part_definitions() {
    let db = database();
    // PPM: (4 + 1) defective / 150 inspected (the zero-inspection day adds nothing).
    close(number(&c01_row(&db, Kpi::Ppm), "ppm"), 5.0 / 150.0 * 1e6);
    // DPMO: (6 + 1) defects / (100 × 5 of C01's P-100 + 50 × 10 default) = 7 000;
    // with C02's 20 opportunities it would be 7 / 2 500 = 2 800.
    let dpmo = c01_row(&db, Kpi::Dpmo);
    close(number(&dpmo, "dpmo"), 7_000.0);
    assert_eq!(dpmo["sigma_level"], 3);
    // FPY 145 / 150; RTY In-Process 96% × Final 98% = 94.08%.
    close(
        number(&c01_row(&db, Kpi::Fpy), "fpy"),
        145.0 / 150.0 * 100.0,
    );
    close(number(&c01_row(&db, Kpi::Rty), "rty"), 94.08);
    // Score: 0.4 × 96.666… + 0.3 × 94.08 + 0.2 × (100 − 1/150 × 100) + 0.1 × (100 − 1/7 × 100).
    let score = c01_row(&db, Kpi::QualityScore);
    let expected = 0.4 * (145.0 / 1.5)
        + 0.3 * 94.08
        + 0.2 * (100.0 - 100.0 / 150.0)
        + 0.1 * (100.0 - 100.0 / 7.0);
    close(number(&score, "score"), expected);
    assert_eq!(score["grade"], "A+", "95.33");
    // Defects by type: Scratch 4, Burr 2 of C01's 6 (C02's Crack never appears).
    let report = kpi::compute(
        &db,
        &operator("C01"),
        Kpi::DefectsByType,
        march(),
        Options::default(),
    )
    .unwrap();
    let types: Vec<(&str, i64)> = report
        .rows
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["defects"].as_i64().unwrap()))
        .collect();
    assert_eq!(types, [("Scratch", 4), ("Burr", 2)]);
}

#[test]
fn attendance_kpis_of_one_client() {
    let db = database();
    // 8 h absent + (8 − 6) h short of 16 scheduled.
    close(number(&c01_row(&db, Kpi::Absenteeism), "absenteeism"), 62.5);
    // Employee 1: absent 03-02, late 03-03: one spell, two days: B = 1 × 2 = 2.
    let report = kpi::compute(
        &db,
        &operator("C01"),
        Kpi::Bradford,
        march(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(
        report.rows,
        [
            json!({"client_id": "C01", "employee_id": 1, "spells": 1, "days": 2, "factor": 2, "band": "low"})
        ]
    );
}

#[test]
fn a_two_client_scope_reports_each_client_and_the_whole() {
    let db = database();
    let admin = TenantScope::for_clients("admin", kpi_ops::Role::Admin, &["C01", "C02"]).unwrap();
    let report = kpi::compute(&db, &admin, Kpi::Ppm, march(), Options::default()).unwrap();
    let rows: Vec<(&str, f64)> = report
        .rows
        .iter()
        .map(|r| (r["client_id"].as_str().unwrap(), r["ppm"].as_f64().unwrap()))
        .collect();
    // C01 5/150, C02 10/10, together 15/160.
    assert_eq!(
        rows,
        [
            ("C01", 5.0 / 150.0 * 1e6),
            ("C02", 1e6),
            ("ALL", 15.0 / 160.0 * 1e6)
        ]
    );
}

#[test]
fn a_window_with_no_data_is_no_data_not_zero() {
    let db = database();
    let window = Window::new(Some(date("2025-06-01")), Some(date("2025-06-30"))).unwrap();
    let report = kpi::compute(&db, &operator("C01"), Kpi::Otd, window, Options::default()).unwrap();
    assert_eq!(report.rows[0]["percent"], Value::Null);
    let report = kpi::compute(&db, &operator("C01"), Kpi::Ppm, window, Options::default()).unwrap();
    assert_eq!(report.rows[0]["ppm"], Value::Null);
    assert!(Window::new(Some(date("2026-04-01")), Some(date("2026-03-01"))).is_err());
}
