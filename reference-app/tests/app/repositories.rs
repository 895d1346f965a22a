//! Every repository: a round trip in one client's scope, the same ids refused from
//! another client's, references across clients refused, bad input refused with
//! nothing changed.

use kpi_ops::repo::{
    self, Page, attendance, coverage, defects, downtime, holds, jobs, parts, pool, production,
    quality, work_orders,
};
use kpi_ops::{AppError, Role, TenantScope};
use serde_json::json;

use crate::{dump, operator, seeded};

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn not_found(e: AppError) {
    assert!(
        matches!(e, AppError::NotFound { .. }),
        "expected not found, got {e:?}"
    );
}

#[test]
fn work_orders_and_jobs_round_trip_and_stay_in_their_client() {
    let db = seeded(2, 3);
    let (a, b) = (operator("C01"), operator("C02"));
    let new: work_orders::NewWorkOrder = from_json(json!({
        "work_order_id": "WO-T1", "product_id": 2, "planned_quantity": 500,
        "required_date": "2026-04-15"
    }));
    let created = work_orders::create(&db, &a, &new).unwrap();
    assert_eq!(
        (created.client_id.as_str(), created.status.as_str()),
        ("C01", "OPEN")
    );
    // The same natural key in another client is another row.
    let other = work_orders::create(&db, &b, &new).unwrap();
    assert_eq!(other.client_id, "C02");
    let changes: work_orders::WorkOrderChanges =
        from_json(json!({"status": "COMPLETED", "actual_delivery_date": "2026-04-14"}));
    let updated = work_orders::update(&db, &a, "WO-T1", &changes).unwrap();
    assert_eq!(updated.actual_delivery_date.as_deref(), Some("2026-04-14"));
    assert_eq!(
        work_orders::get(&db, &b, "WO-T1").unwrap().status,
        "OPEN",
        "B's row untouched"
    );

    let job: jobs::NewJob =
        from_json(json!({"job_id": "J-T1", "work_order_id": "WO-T1", "part_number": "P-100"}));
    jobs::create(&db, &a, &job).unwrap();
    let listed = jobs::list(
        &db,
        &a,
        &from_json(json!({"work_order_id": "WO-T1"})),
        Page::default(),
    )
    .unwrap();
    assert_eq!(listed.len(), 1);
    not_found(jobs::get(&db, &b, "J-T1").unwrap_err());
    not_found(jobs::delete(&db, &b, "J-T1").unwrap_err());
    // A work order with jobs cannot be deleted; without, it can.
    let err = work_orders::delete(&db, &a, "WO-T1").unwrap_err();
    assert!(err.to_string().contains("still referenced"), "{err}");
    jobs::delete(&db, &a, "J-T1").unwrap();
    work_orders::delete(&db, &a, "WO-T1").unwrap();
    not_found(work_orders::get(&db, &a, "WO-T1").unwrap_err());
    assert_eq!(work_orders::get(&db, &b, "WO-T1").unwrap().client_id, "C02");
}

#[test]
fn a_leader_must_name_the_client_of_an_id_both_clients_use() {
    let db = seeded(2, 3);
    let lead = TenantScope::for_clients("lead", Role::Leader, &["C01", "C02"]).unwrap();
    // The seed numbers work orders per client: WO-00001 exists in both.
    match work_orders::get(&db, &lead, "WO-00001").unwrap_err() {
        AppError::Ambiguous { clients, .. } => assert_eq!(clients, ["C01", "C02"]),
        other => panic!("{other:?}"),
    }
    let c02 = lead.narrow(Some("C02")).unwrap();
    assert_eq!(
        work_orders::get(&db, &c02, "WO-00001").unwrap().client_id,
        "C02"
    );
}

#[test]
fn entries_round_trip_in_their_client_only() {
    let db = seeded(2, 3);
    let (a, b) = (operator("C01"), operator("C02"));
    let before_b = dump_client(&db, "C02");

    let p = production::create(
        &db,
        &a,
        &from_json(json!({
            "product_id": 1, "shift_id": 3, "work_order_id": "WO-00001", "shift_date": "2026-03-30",
            "units_produced": 120, "run_time_hours": 7.5, "employees_assigned": 3
        })),
    )
    .unwrap();
    let p2 = production::update(
        &db,
        &a,
        p.production_entry_id,
        &from_json(json!({"units_produced": 130})),
    )
    .unwrap();
    assert_eq!(p2.units_produced, 130);

    let d = downtime::create(
        &db,
        &a,
        &from_json(json!({
            "shift_date": "2026-03-30", "reason": "Breakdown", "duration_minutes": 45
        })),
    )
    .unwrap();
    downtime::update(
        &db,
        &a,
        d.downtime_entry_id,
        &from_json(json!({"duration_minutes": 50})),
    )
    .unwrap();

    let h = holds::create(
        &db,
        &a,
        &from_json(json!({"work_order_id": "WO-00001", "hold_date": "2026-03-29"})),
    )
    .unwrap();
    let h2 = holds::update(
        &db,
        &a,
        h.hold_entry_id,
        &from_json(json!({"hold_status": "RELEASED", "resume_date": "2026-03-31"})),
    )
    .unwrap();
    assert_eq!(h2.hold_status, "RELEASED");
    let log = holds::transitions(&db, &a, h.hold_entry_id, Page::default()).unwrap();
    let steps: Vec<(Option<&str>, &str)> = log
        .iter()
        .map(|t| (t.from_status.as_deref(), t.to_status.as_str()))
        .collect();
    assert_eq!(steps, [(None, "ON_HOLD"), (Some("ON_HOLD"), "RELEASED")]);

    let q = quality::create(&db, &a, &from_json(json!({
        "work_order_id": "WO-00001", "shift_date": "2026-03-30", "inspection_stage": "Final",
        "process_step": "Assembly", "units_inspected": 100, "units_passed": 96, "units_defective": 4
    }))).unwrap();
    let defect = defects::create(
        &db,
        &a,
        &from_json(json!({
            "quality_entry_id": q.quality_entry_id, "defect_type": "Scratch", "defect_count": 4
        })),
    )
    .unwrap();
    defects::update(
        &db,
        &a,
        defect.defect_detail_id,
        &from_json(json!({"defect_count": 5})),
    )
    .unwrap();

    let employee = 5; // the first dedicated employee of C01 (after the 4 floaters)
    let att = attendance::create(&db, &a, &from_json(json!({
        "employee_id": employee, "shift_id": 1, "shift_date": "2026-03-30", "scheduled_hours": 8.0,
        "actual_hours": 6.0
    }))).unwrap();
    attendance::update(
        &db,
        &a,
        att.attendance_entry_id,
        &from_json(json!({"is_late": true})),
    )
    .unwrap();
    let cov = coverage::create(&db, &a, &from_json(json!({
        "floating_employee_id": 1, "covered_employee_id": employee, "shift_id": 1, "shift_date": "2026-03-30"
    }))).unwrap();
    coverage::update(
        &db,
        &a,
        cov.coverage_entry_id,
        &from_json(json!({"shift_id": 2})),
    )
    .unwrap();

    let part = parts::upsert(
        &db,
        &a,
        &from_json(json!({"part_number": "P-900", "opportunities_per_unit": 7})),
    )
    .unwrap();
    assert_eq!(part.opportunities_per_unit, 7);
    // The upsert replaces the client's own row only.
    parts::upsert(
        &db,
        &b,
        &from_json(json!({"part_number": "P-900", "opportunities_per_unit": 3})),
    )
    .unwrap();
    assert_eq!(
        parts::get(&db, &a, "P-900").unwrap().opportunities_per_unit,
        7
    );
    parts::delete(&db, &b, "P-900").unwrap();

    // None of A's ids can be read, changed or deleted from B's scope.
    not_found(production::get(&db, &b, p.production_entry_id).unwrap_err());
    not_found(
        production::update(
            &db,
            &b,
            p.production_entry_id,
            &from_json(json!({"units_produced": 1})),
        )
        .unwrap_err(),
    );
    not_found(production::delete(&db, &b, p.production_entry_id).unwrap_err());
    not_found(downtime::delete(&db, &b, d.downtime_entry_id).unwrap_err());
    not_found(holds::get(&db, &b, h.hold_entry_id).unwrap_err());
    not_found(holds::delete(&db, &b, h.hold_entry_id).unwrap_err());
    not_found(quality::delete(&db, &b, q.quality_entry_id).unwrap_err());
    not_found(
        defects::update(
            &db,
            &b,
            defect.defect_detail_id,
            &from_json(json!({"defect_count": 0})),
        )
        .unwrap_err(),
    );
    not_found(attendance::delete(&db, &b, att.attendance_entry_id).unwrap_err());
    not_found(coverage::get(&db, &b, cov.coverage_entry_id).unwrap_err());
    not_found(parts::get(&db, &b, "P-900").unwrap_err());
    assert!(
        holds::transitions(&db, &b, h.hold_entry_id, Page::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(dump_client(&db, "C02"), before_b, "B's data unchanged");

    // And A deletes them all.
    coverage::delete(&db, &a, cov.coverage_entry_id).unwrap();
    attendance::delete(&db, &a, att.attendance_entry_id).unwrap();
    defects::delete(&db, &a, defect.defect_detail_id).unwrap();
    quality::delete(&db, &a, q.quality_entry_id).unwrap();
    holds::delete(&db, &a, h.hold_entry_id).unwrap();
    downtime::delete(&db, &a, d.downtime_entry_id).unwrap();
    production::delete(&db, &a, p.production_entry_id).unwrap();
    parts::delete(&db, &a, "P-900").unwrap();
}

/// Every row of one client, for "unchanged" comparisons.
fn dump_client(db: &kpi_ops::Db, client: &str) -> String {
    dump(db)
        .lines()
        .filter(|l| l.contains(&format!("\"{client}\"")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn references_to_another_clients_rows_are_refused() {
    let db = seeded(2, 3);
    let a = operator("C01");
    let before = dump(&db);
    let b_inspection = quality::list(&db, &operator("C02"), &Default::default(), Page::default())
        .unwrap()[0]
        .quality_entry_id;
    let cross = |e: AppError| assert!(matches!(e, AppError::CrossClient { .. }), "{e:?}");
    // A defect of A recorded against B's inspection (the audit's DEFECT_DETAIL concern).
    cross(
        defects::create(
            &db,
            &a,
            &from_json(json!({
                "quality_entry_id": b_inspection, "defect_type": "Scratch", "defect_count": 1
            })),
        )
        .unwrap_err(),
    );
    // Production of A on a work order only B has.
    work_orders::create(
        &db,
        &operator("C02"),
        &from_json(json!({
            "work_order_id": "WO-B-ONLY", "product_id": 1, "planned_quantity": 1
        })),
    )
    .unwrap();
    let before = {
        let _ = before;
        dump(&db)
    };
    cross(production::create(&db, &a, &from_json(json!({
        "product_id": 1, "shift_id": 1, "work_order_id": "WO-B-ONLY", "shift_date": "2026-03-30",
        "units_produced": 1, "run_time_hours": 1.0
    }))).unwrap_err());
    cross(
        jobs::create(
            &db,
            &a,
            &from_json(
                json!({"job_id": "J-X", "work_order_id": "WO-B-ONLY", "part_number": "P-1"}),
            ),
        )
        .unwrap_err(),
    );
    cross(
        holds::create(
            &db,
            &a,
            &from_json(json!({"work_order_id": "WO-B-ONLY", "hold_date": "2026-03-30"})),
        )
        .unwrap_err(),
    );
    // Attendance of B's employee (15 is C02's first) recorded by A.
    cross(
        attendance::create(
            &db,
            &a,
            &from_json(json!({
                "employee_id": 15, "shift_id": 1, "shift_date": "2026-03-30", "scheduled_hours": 8.0
            })),
        )
        .unwrap_err(),
    );
    assert_eq!(dump(&db), before, "nothing written");
}

#[test]
fn the_schema_refuses_a_cross_client_reference_the_code_did_not_check() {
    // The composite key (client_id, quality_entry_id) is the last line: even SQL that
    // skips the repository's check cannot attach A's defect to B's inspection.
    let db = seeded(2, 2);
    let b_inspection = quality::list(&db, &operator("C02"), &Default::default(), Page::default())
        .unwrap()[0]
        .quality_entry_id;
    let err = db
        .conn()
        .execute(
            &operator("C01"),
            "INSERT INTO DEFECT_DETAIL (client_id, quality_entry_id, defect_type, defect_count)
             VALUES (:client_id, :entry, 'Scratch', 1)",
            &[(":entry", &b_inspection)],
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("FOREIGN KEY constraint failed"),
        "{err}"
    );
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let db = seeded(1, 2);
    let a = operator("C01");
    let hold = holds::create(
        &db,
        &a,
        &from_json(json!({"work_order_id": "WO-00001", "hold_date": "2026-03-30"})),
    )
    .unwrap();
    let before = dump(&db);
    let invalid = |e: AppError, field: &str| match e {
        AppError::Invalid { field: f, .. } => assert_eq!(f, field),
        other => panic!("expected invalid {field}, got {other:?}"),
    };
    invalid(production::create(&db, &a, &from_json(json!({
        "product_id": 1, "shift_id": 1, "shift_date": "2026-03-30", "units_produced": -5, "run_time_hours": 1.0
    }))).unwrap_err(), "units_produced");
    invalid(production::create(&db, &a, &from_json(json!({
        "product_id": 1, "shift_id": 1, "shift_date": "2026-02-30", "units_produced": 5, "run_time_hours": 1.0
    }))).unwrap_err(), "shift_date");
    invalid(production::create(&db, &a, &from_json(json!({
        "product_id": 99, "shift_id": 1, "shift_date": "2026-03-30", "units_produced": 5, "run_time_hours": 1.0
    }))).unwrap_err(), "product_id");
    invalid(quality::create(&db, &a, &from_json(json!({
        "work_order_id": "WO-00001", "shift_date": "2026-03-30", "inspection_stage": "Final",
        "process_step": "Assembly", "units_inspected": 10, "units_passed": 11, "units_defective": 0
    }))).unwrap_err(), "units_passed");
    invalid(
        work_orders::create(
            &db,
            &a,
            &from_json(json!({
                "work_order_id": "WO 1; DROP TABLE JOB", "product_id": 1, "planned_quantity": 1
            })),
        )
        .unwrap_err(),
        "work_order_id",
    );
    invalid(
        work_orders::update(
            &db,
            &a,
            "WO-00001",
            &from_json(json!({"status": "SHIPPED"})),
        )
        .unwrap_err(),
        "status",
    );
    invalid(
        holds::update(
            &db,
            &a,
            hold.hold_entry_id,
            &from_json(json!({"resume_date": "2000-01-01"})),
        )
        .unwrap_err(),
        "resume_date",
    );
    invalid(
        parts::upsert(
            &db,
            &a,
            &from_json(json!({"part_number": "P-1", "opportunities_per_unit": 0})),
        )
        .unwrap_err(),
        "opportunities_per_unit",
    );
    invalid(repo::Page::new(0, 0).unwrap_err(), "limit");
    assert_eq!(dump(&db), before);
}

#[test]
fn role_checks_on_administrative_writes() {
    let db = seeded(1, 1);
    let op = operator("C01");
    let forbidden = |e: AppError| assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    forbidden(
        repo::assignments::assign_user(&db, &op, &from_json(json!({"user_id": 1}))).unwrap_err(),
    );
    forbidden(pool::add(&db, &op, 5).unwrap_err());
    forbidden(
        repo::reference::create_client(
            &db,
            &op,
            &from_json(json!({"client_id": "C99", "client_name": "X"})),
        )
        .unwrap_err(),
    );
    forbidden(
        repo::reference::create_product(
            &db,
            &op,
            &from_json(
                json!({"product_code": "X-1", "product_name": "X", "ideal_cycle_time_hours": 1.0}),
            ),
        )
        .unwrap_err(),
    );
}

#[test]
fn the_floating_pool_is_visible_while_available_or_assigned_to_you() {
    let db = seeded(2, 1);
    let (a, b) = (operator("C01"), operator("C02"));
    assert_eq!(pool::list(&db, &a, Page::default()).unwrap().len(), 4);
    pool::assign(&db, &a, 1).unwrap();
    // Now working for A: B no longer sees it, and cannot take or release it.
    assert_eq!(pool::list(&db, &b, Page::default()).unwrap().len(), 3);
    not_found(pool::get(&db, &b, 1).unwrap_err());
    assert!(pool::assign(&db, &b, 1).is_err());
    not_found(pool::release(&db, &b, 1).unwrap_err());
    pool::release(&db, &a, 1).unwrap();
    assert_eq!(pool::list(&db, &b, Page::default()).unwrap().len(), 4);
}

#[test]
fn assignments_and_employees_in_scope() {
    let db = seeded(2, 1);
    let power = TenantScope::for_clients("power", Role::PowerUser, &["C02"]).unwrap();
    let a = operator("C01");
    // C01 sees its 10 employees and the 4 floaters (available), not C02's.
    let seen: Vec<i64> = repo::reference::employees(&db, &a, Page::default())
        .unwrap()
        .iter()
        .map(|e| e.employee_id)
        .collect();
    assert_eq!(seen, (1..=14).collect::<Vec<_>>());
    not_found(repo::reference::employee(&db, &a, 15).unwrap_err());
    // Assign C01's employee 5 to C02 too: C02 now sees it; the assignment is C02's row.
    repo::assignments::assign_employee(
        &db,
        &power,
        &from_json(json!({
            "employee_id": 5, "assignment_type": "DEDICATED", "valid_from": "2026-04-01"
        })),
    )
    .unwrap();
    assert_eq!(
        repo::reference::employee(&db, &power, 5)
            .unwrap()
            .employee_id,
        5
    );
    let rows = repo::assignments::employee_assignments(&db, &a, Some(5), Page::default()).unwrap();
    assert_eq!(
        rows.len(),
        1,
        "A sees only its own assignment of employee 5"
    );
    repo::assignments::end_employee_assignment(&db, &power, 5, "2026-04-01", "2026-04-30").unwrap();
    repo::assignments::remove_employee_assignment(&db, &power, 5, "2026-04-01").unwrap();
    not_found(repo::reference::employee(&db, &power, 5).unwrap_err());
}

#[test]
fn the_guard_refuses_sql_that_is_not_bound_to_the_scope() {
    let db = seeded(2, 2);
    let err = db
        .conn()
        .query(
            &operator("C01"),
            "SELECT SUM(units_produced) FROM PRODUCTION_ENTRY WHERE shift_date >= :from",
            &[(":from", &"2026-01-01")],
            |r| r.get::<_, Option<i64>>(0),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`PRODUCTION_ENTRY` is read without a `client_id` filter"),
        "{err}"
    );
    // A caller cannot pass another client's id for the reserved parameter.
    let err = db
        .conn()
        .query(
            &operator("C01"),
            "SELECT COUNT(*) FROM PRODUCTION_ENTRY WHERE client_id = :client_id",
            &[(":client_id", &"C02")],
            |r| r.get::<_, i64>(0),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("reserved tenant parameter"),
        "{err}"
    );
}
