//! The access rules of KPI-DOMAIN.md: who gets which clients, and every way to get none.

use kpi_ops::{AppError, Role, TenantScope};

use crate::seeded;

fn clients(scope: &TenantScope) -> Vec<&str> {
    scope.clients().iter().map(String::as_str).collect()
}

#[test]
fn each_role_gets_its_clients() {
    let db = seeded(3, 5);
    let admin = TenantScope::resolve(&db, "admin").unwrap();
    assert_eq!(
        (admin.role(), clients(&admin)),
        (Role::Admin, vec!["C01", "C02", "C03"])
    );
    let power = TenantScope::resolve(&db, "power").unwrap();
    assert_eq!(
        (power.role(), clients(&power)),
        (Role::PowerUser, vec!["C01", "C02", "C03"])
    );
    let lead = TenantScope::resolve(&db, "lead").unwrap();
    assert_eq!(
        (lead.role(), clients(&lead)),
        (Role::Leader, vec!["C01", "C02"])
    );
    let op = TenantScope::resolve(&db, "op.c03").unwrap();
    assert_eq!((op.role(), clients(&op)), (Role::Operator, vec!["C03"]));
}

#[test]
fn every_way_to_have_no_access_fails_closed() {
    let db = seeded(2, 3);
    let denied = |user: &str| match TenantScope::resolve(&db, user) {
        Err(AppError::Access(why)) => why,
        other => panic!("{user}: {other:?}"),
    };
    assert_eq!(denied("ghost"), "unknown user `ghost`");
    assert_eq!(denied("retired"), "user `retired` is inactive");
    assert_eq!(
        denied("auditor"),
        "user `auditor` has an unknown role `AUDITOR`"
    );
    assert_eq!(
        denied("nobody"),
        "user `nobody` (LEADER) has no active assignment to an active client"
    );
    // Assigned only to an inactive client: the assignment grants nothing.
    assert_eq!(
        denied("op.inactive"),
        "user `op.inactive` (OPERATOR) has no active assignment to an active client"
    );
    // ADMIN's "all clients" never includes an inactive one.
    let admin = TenantScope::resolve(&db, "admin").unwrap();
    assert!(!admin.contains(kpi_ops::seed::INACTIVE_CLIENT));
}

#[test]
fn an_operator_with_two_assignments_is_refused_not_widened() {
    let db = seeded(2, 3);
    db.conn()
        .unguarded("test: give an operator a second client")
        .execute_batch(
            "INSERT INTO USER_CLIENT_ASSIGNMENT (client_id, user_id, is_active)
             SELECT 'C02', user_id, 1 FROM USER WHERE username = 'op.c01'",
        )
        .unwrap();
    let err = TenantScope::resolve(&db, "op.c01").unwrap_err();
    assert!(err.to_string().contains("assigned to 2 clients"), "{err}");
}

#[test]
fn a_deactivated_assignment_or_client_takes_access_away() {
    let db = seeded(2, 3);
    let conn = db.conn().unguarded("test: deactivate");
    conn.execute_batch(
        "UPDATE USER_CLIENT_ASSIGNMENT SET is_active = 0
         WHERE client_id = 'C02' AND user_id = (SELECT user_id FROM USER WHERE username = 'lead')",
    )
    .unwrap();
    let lead = TenantScope::resolve(&db, "lead").unwrap();
    assert_eq!(clients(&lead), ["C01"]);
    conn.execute_batch("UPDATE CLIENT SET is_active = 0 WHERE client_id = 'C01'")
        .unwrap();
    assert!(matches!(
        TenantScope::resolve(&db, "lead"),
        Err(AppError::Access(_))
    ));
    assert!(matches!(
        TenantScope::resolve(&db, "op.c01"),
        Err(AppError::Access(_))
    ));
}

#[test]
fn naming_a_client_narrows_and_outside_the_scope_is_refused() {
    let db = seeded(3, 3);
    let lead = TenantScope::resolve(&db, "lead").unwrap();
    assert_eq!(clients(&lead.narrow(Some("C02")).unwrap()), ["C02"]);
    assert_eq!(clients(&lead.narrow(None).unwrap()), ["C01", "C02"]);
    let err = lead.narrow(Some("C03")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "access denied: client `C03` is outside your scope"
    );
    // A write needs one client: a two-client scope must name it.
    let err = lead.single().unwrap_err();
    assert!(
        err.to_string().contains("name the one to write to"),
        "{err}"
    );
}
