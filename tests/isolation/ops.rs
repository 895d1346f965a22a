//! Every operation of the reference application the suite runs: every repository
//! function (lists, gets by id, updates, deletes, creates, cross-client creates) and
//! every KPI, each with a name the reports use.

use kpi_ops::kpi::{self, Kpi, Options, Window};
use kpi_ops::repo::{
    Page, assignments, attendance, coverage, defects, downtime, holds, jobs, parts, pool,
    production, quality, reference, work_orders,
};
use kpi_ops::{AppError, Db, TenantScope};
use serde::Serialize;
use serde_json::{Value, json};

use crate::world::Ids;

pub type Outcome = Result<Value, AppError>;

/// Called with each operation: its name, whether it reads shared data, and how to run it.
pub type ReadRunner<'a> = &'a mut dyn FnMut(&str, bool, &dyn Fn() -> Outcome);

fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).expect("results serialise")
}

fn ok<T: Serialize>(r: Result<T, AppError>) -> Outcome {
    r.map(value)
}

fn input<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("operation input matches the request type")
}

pub fn window() -> Window {
    Window::new(
        Some("2026-03-01".parse().unwrap()),
        Some("2026-03-31".parse().unwrap()),
    )
    .unwrap()
}

/// Every list and every KPI: what a caller sees without naming an id. Lists of shared
/// data (employees, the pool) are marked: they are visible across clients by design,
/// so they are checked for canaries but not for non-interference.
pub fn reads(db: &Db, scope: &TenantScope, run: ReadRunner) {
    let page = Page::default();
    run("list clients", false, &|| ok(reference::clients(db, scope)));
    run("list work-orders", false, &|| {
        ok(work_orders::list(db, scope, &Default::default(), page))
    });
    run("list jobs", false, &|| {
        ok(jobs::list(db, scope, &Default::default(), page))
    });
    run("list parts", false, &|| ok(parts::list(db, scope, page)));
    run("list production", false, &|| {
        ok(production::list(db, scope, &Default::default(), page))
    });
    run("list downtime", false, &|| {
        ok(downtime::list(db, scope, &Default::default(), page))
    });
    run("list holds", false, &|| {
        ok(holds::list(db, scope, &Default::default(), page))
    });
    run("list quality", false, &|| {
        ok(quality::list(db, scope, &Default::default(), page))
    });
    run("list defects", false, &|| {
        ok(defects::list(db, scope, &Default::default(), page))
    });
    run("list attendance", false, &|| {
        ok(attendance::list(db, scope, &Default::default(), page))
    });
    run("list coverage", false, &|| {
        ok(coverage::list(db, scope, &Default::default(), page))
    });
    run("list user-assignments", false, &|| {
        ok(assignments::user_assignments(db, scope, page))
    });
    run("list employee-assignments", false, &|| {
        ok(assignments::employee_assignments(db, scope, None, page))
    });
    run("list employees", true, &|| {
        ok(reference::employees(db, scope, page))
    });
    run("list pool", true, &|| ok(pool::list(db, scope, page)));
    for k in Kpi::ALL {
        run(&format!("kpi {k}"), false, &|| {
            ok(kpi::compute(db, scope, k, window(), Options::default()))
        });
    }
}

/// Reads by id of every row in `ids`.
pub fn gets(
    db: &Db,
    scope: &TenantScope,
    ids: &Ids,
    run: &mut dyn FnMut(&str, &dyn Fn() -> Outcome),
) {
    for id in &ids.work_orders {
        run("get work-order", &|| ok(work_orders::get(db, scope, id)));
    }
    for id in &ids.jobs {
        run("get job", &|| ok(jobs::get(db, scope, id)));
    }
    for id in &ids.parts {
        run("get part", &|| ok(parts::get(db, scope, id)));
    }
    for id in &ids.production {
        run("get production", &|| ok(production::get(db, scope, *id)));
    }
    for id in &ids.downtime {
        run("get downtime", &|| ok(downtime::get(db, scope, *id)));
    }
    for id in &ids.holds {
        run("get hold", &|| ok(holds::get(db, scope, *id)));
        run("list hold-transitions", &|| {
            ok(holds::transitions(db, scope, *id, Page::default()))
        });
    }
    for id in &ids.quality {
        run("get quality", &|| ok(quality::get(db, scope, *id)));
    }
    for id in &ids.defects {
        run("get defect", &|| ok(defects::get(db, scope, *id)));
    }
    for id in &ids.attendance {
        run("get attendance", &|| ok(attendance::get(db, scope, *id)));
    }
    for id in &ids.coverage {
        run("get coverage", &|| ok(coverage::get(db, scope, *id)));
    }
    for id in &ids.employees {
        run("get employee", &|| ok(reference::employee(db, scope, *id)));
    }
    for id in &ids.users {
        run("get user-assignment", &|| {
            ok(assignments::user_assignment(db, scope, *id))
        });
    }
}

/// Writes by id of every row in `ids`: an update that changes a value, then a delete.
/// Children before parents, so deletes are not refused for being referenced.
pub fn writes(
    db: &Db,
    scope: &TenantScope,
    ids: &Ids,
    run: &mut dyn FnMut(&str, &dyn Fn() -> Outcome),
) {
    for id in &ids.coverage {
        run("update coverage", &|| {
            ok(coverage::update(
                db,
                scope,
                *id,
                &input(json!({"shift_id": 2})),
            ))
        });
        run("delete coverage", &|| ok(coverage::delete(db, scope, *id)));
    }
    for id in &ids.attendance {
        run("update attendance", &|| {
            ok(attendance::update(
                db,
                scope,
                *id,
                &input(json!({"is_late": true})),
            ))
        });
        run("delete attendance", &|| {
            ok(attendance::delete(db, scope, *id))
        });
    }
    for id in &ids.defects {
        run("update defect", &|| {
            ok(defects::update(
                db,
                scope,
                *id,
                &input(json!({"defect_count": 0})),
            ))
        });
        run("delete defect", &|| ok(defects::delete(db, scope, *id)));
    }
    for id in &ids.quality {
        run("update quality", &|| {
            ok(quality::update(
                db,
                scope,
                *id,
                &input(json!({"units_scrapped": 0})),
            ))
        });
        run("delete quality", &|| ok(quality::delete(db, scope, *id)));
    }
    for id in &ids.holds {
        // A resume date alone (no status change, so nothing is logged), then a status.
        run("resume hold", &|| {
            ok(holds::update(
                db,
                scope,
                *id,
                &input(json!({"resume_date": "2026-03-31"})),
            ))
        });
        run("update hold", &|| {
            ok(holds::update(
                db,
                scope,
                *id,
                &input(json!({"hold_status": "PENDING_REVIEW", "changed_at": "2026-03-30"})),
            ))
        });
        run("delete hold", &|| ok(holds::delete(db, scope, *id)));
    }
    for id in &ids.downtime {
        run("update downtime", &|| {
            ok(downtime::update(
                db,
                scope,
                *id,
                &input(json!({"duration_minutes": 1})),
            ))
        });
        run("delete downtime", &|| ok(downtime::delete(db, scope, *id)));
    }
    for id in &ids.production {
        run("update production", &|| {
            ok(production::update(
                db,
                scope,
                *id,
                &input(json!({"units_produced": 1})),
            ))
        });
        run("delete production", &|| {
            ok(production::delete(db, scope, *id))
        });
    }
    for id in &ids.jobs {
        run("update job", &|| {
            ok(jobs::update(
                db,
                scope,
                id,
                &input(json!({"quantity_scrapped": 1})),
            ))
        });
        run("delete job", &|| ok(jobs::delete(db, scope, id)));
    }
    for id in &ids.parts {
        run("update part", &|| {
            ok(parts::update(
                db,
                scope,
                id,
                &input(json!({"opportunities_per_unit": 99})),
            ))
        });
        run("delete part", &|| ok(parts::delete(db, scope, id)));
    }
    for id in &ids.work_orders {
        run("update work-order", &|| {
            ok(work_orders::update(
                db,
                scope,
                id,
                &input(json!({"status": "ON_HOLD"})),
            ))
        });
        run("delete work-order", &|| {
            ok(work_orders::delete(db, scope, id))
        });
    }
    for id in &ids.pool {
        run("release pool member", &|| ok(pool::release(db, scope, *id)));
        run("assign pool member", &|| ok(pool::assign(db, scope, *id)));
    }
    for id in &ids.employees {
        run("end employee-assignment", &|| {
            ok(assignments::end_employee_assignment(
                db,
                scope,
                *id,
                "2026-01-01",
                "2026-03-31",
            ))
        });
    }
    for id in &ids.users {
        run("deactivate user-assignment", &|| {
            ok(assignments::set_user_active(db, scope, *id, false))
        });
        run("remove user-assignment", &|| {
            ok(assignments::unassign_user(db, scope, *id))
        });
    }
}

/// Grants in the caller's one client to people of `ids` (global records): an
/// employee assignment created and removed, a user assignment, a pool membership.
pub fn grants(
    db: &Db,
    scope: &TenantScope,
    ids: &Ids,
    run: &mut dyn FnMut(&str, &dyn Fn() -> Outcome),
) {
    for id in &ids.employees {
        run("create employee-assignment", &|| {
            ok(assignments::assign_employee(
                db,
                scope,
                &input(json!({
                    "employee_id": id, "assignment_type": "DEDICATED", "valid_from": "2026-04-01",
                })),
            ))
        });
        run("remove employee-assignment", &|| {
            ok(assignments::remove_employee_assignment(
                db,
                scope,
                *id,
                "2026-04-01",
            ))
        });
        run("add and remove a pool member", &|| {
            let member = pool::add(db, scope, *id)?;
            ok(pool::remove(db, scope, member.pool_id))
        });
    }
    for id in &ids.users {
        run("create user-assignment", &|| {
            ok(assignments::assign_user(
                db,
                scope,
                &input(json!({"user_id": id})),
            ))
        });
    }
}

/// Creates in the caller's one client that reference another tenant's rows (`other`):
/// each must be refused by the application itself.
pub fn cross_creates(
    db: &Db,
    scope: &TenantScope,
    other: &Ids,
    run: &mut dyn FnMut(&str, &dyn Fn() -> Outcome),
) {
    // The tenant's canary-named work order and job: no other client has these keys.
    let order = other.work_orders[1].clone();
    let job = other.jobs[1].clone();
    run("create job on a foreign work order", &|| {
        ok(jobs::create(
            db,
            scope,
            &input(json!({"job_id": "J-X", "work_order_id": order, "part_number": "P-X"})),
        ))
    });
    run("create production on a foreign work order", &|| {
        ok(production::create(
            db,
            scope,
            &input(json!({
                "product_id": 1, "shift_id": 1, "work_order_id": order, "shift_date": "2026-03-30",
                "units_produced": 1, "run_time_hours": 1.0,
            })),
        ))
    });
    run("create downtime on a foreign work order", &|| {
        ok(downtime::create(
            db,
            scope,
            &input(json!({
                "work_order_id": order, "shift_date": "2026-03-30", "reason": "X", "duration_minutes": 1,
            })),
        ))
    });
    run("create hold on a foreign work order", &|| {
        ok(holds::create(
            db,
            scope,
            &input(json!({"work_order_id": order, "hold_date": "2026-03-30"})),
        ))
    });
    run("create quality on a foreign job", &|| {
        ok(quality::create(
            db,
            scope,
            &input(json!({
                "work_order_id": "WO-1", "job_id": job, "shift_date": "2026-03-30", "inspection_stage": "Final",
                "process_step": "X", "units_inspected": 1, "units_passed": 1, "units_defective": 0,
            })),
        ))
    });
    if let Some(entry) = other.quality.first() {
        run("create defect on a foreign inspection", &|| {
            ok(defects::create(
                db,
                scope,
                &input(json!({"quality_entry_id": entry, "defect_type": "X", "defect_count": 1})),
            ))
        });
    }
    let employee = other.employees[0];
    run("create attendance of a foreign employee", &|| {
        ok(attendance::create(
            db,
            scope,
            &input(json!({
                "employee_id": employee, "shift_id": 1, "shift_date": "2026-03-30", "scheduled_hours": 8.0,
            })),
        ))
    });
    run("create coverage by a foreign employee", &|| {
        ok(coverage::create(
            db,
            scope,
            &input(json!({
                "floating_employee_id": employee, "shift_id": 1, "shift_date": "2026-03-30",
            })),
        ))
    });
}

/// Creates in the caller's one client, one per table: each must land in that client.
pub fn creates(
    db: &Db,
    scope: &TenantScope,
    ids: &Ids,
    run: &mut dyn FnMut(&str, &dyn Fn() -> Outcome),
) {
    run("create work-order", &|| {
        ok(work_orders::create(
            db,
            scope,
            &input(json!({"work_order_id": "WO-NEW", "product_id": 1, "planned_quantity": 1})),
        ))
    });
    run("create part", &|| {
        ok(parts::upsert(
            db,
            scope,
            &input(json!({"part_number": "P-100", "opportunities_per_unit": 3})),
        ))
    });
    run("create job", &|| {
        ok(jobs::create(
            db,
            scope,
            &input(json!({"job_id": "J-NEW", "work_order_id": "WO-NEW", "part_number": "P-100"})),
        ))
    });
    run("create production", &|| {
        ok(production::create(
            db,
            scope,
            &input(json!({
                "product_id": 1, "shift_id": 3, "work_order_id": "WO-NEW", "shift_date": "2026-03-30",
                "units_produced": 5, "run_time_hours": 1.0,
            })),
        ))
    });
    run("create downtime", &|| {
        ok(downtime::create(
            db,
            scope,
            &input(json!({"shift_date": "2026-03-30", "reason": "X", "duration_minutes": 5})),
        ))
    });
    run("create hold", &|| {
        ok(holds::create(
            db,
            scope,
            &input(json!({"work_order_id": "WO-NEW", "hold_date": "2026-03-30"})),
        ))
    });
    run("create quality", &|| {
        ok(quality::create(
            db,
            scope,
            &input(json!({
                "work_order_id": "WO-NEW", "job_id": "J-NEW", "shift_date": "2026-03-30", "inspection_stage": "Final",
                "process_step": "X", "units_inspected": 2, "units_passed": 2, "units_defective": 0,
            })),
        ))
    });
    run("create defect", &|| {
        let entry = quality::create(
            db,
            scope,
            &input(json!({
                "work_order_id": "WO-NEW", "shift_date": "2026-03-30", "inspection_stage": "Final",
                "process_step": "X", "units_inspected": 2, "units_passed": 1, "units_defective": 1,
            })),
        )?;
        ok(defects::create(
            db,
            scope,
            &input(json!({
                "quality_entry_id": entry.quality_entry_id, "defect_type": "X", "defect_count": 1,
            })),
        ))
    });
    run("create attendance", &|| {
        ok(attendance::create(
            db,
            scope,
            &input(json!({
                "employee_id": ids.employees[0], "shift_id": 1, "shift_date": "2026-03-30", "scheduled_hours": 8.0,
            })),
        ))
    });
    run("create coverage", &|| {
        ok(coverage::create(
            db,
            scope,
            &input(json!({
                "floating_employee_id": ids.floater, "covered_employee_id": ids.employees[0], "shift_id": 1,
                "shift_date": "2026-03-30",
            })),
        ))
    });
}
