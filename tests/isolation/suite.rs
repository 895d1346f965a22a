//! The checks over a three-tenant world (the leader acts for C01 and C02; C03 is
//! outside its scope), for every role.

use proptest::prelude::*;

use crate::checks::{self, Run};
use crate::world::{TenantData, World, tenant_data};
use crate::{fixed_world, tenant};

const WITH_ACCESS: &[&str] = &[
    "admin",
    "power",
    "lead",
    "op.c01",
    "op.c02",
    "op.c03",
    "power@C02",
];
const NO_ACCESS: &[(&str, &str)] = &[
    (
        "nobody",
        "access denied: user `nobody` (LEADER) has no active assignment to an active client",
    ),
    ("retired", "access denied: user `retired` is inactive"),
    (
        "auditor",
        "access denied: user `auditor` has an unknown role `AUDITOR`",
    ),
    (
        "op.inactive",
        "access denied: user `op.inactive` (OPERATOR) has no active assignment to an active client",
    ),
    ("ghost", "access denied: unknown user `ghost`"),
];

fn assert_none(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_role_reads_only_its_clients() {
    let world = fixed_world(3);
    for user in WITH_ACCESS {
        assert_none(checks::reads_see_only_the_scope(&world, user, &Run::ALL));
        assert_none(checks::foreign_ids_are_not_found(&world, user, &Run::ALL));
    }
}

#[test]
fn users_without_access_get_nothing() {
    let world = fixed_world(3);
    for (user, why) in NO_ACCESS {
        match world.scope(user) {
            Err(e) => assert_eq!(e.to_string(), *why),
            Ok(scope) => panic!("{user} got a scope: {scope:?}"),
        }
    }
}

#[test]
fn writes_to_other_tenants_are_refused_and_change_nothing() {
    let world = fixed_world(3);
    for user in ["op.c01", "op.c03", "lead", "power@C02"] {
        assert_none(checks::foreign_writes_are_refused(&world, user, &Run::ALL));
        assert_none(checks::cross_references_are_refused(
            &world,
            user,
            &Run::ALL,
        ));
    }
}

#[test]
fn own_writes_change_only_the_callers_clients() {
    let world = fixed_world(3);
    for user in ["op.c01", "op.c03", "lead", "power@C02"] {
        assert_none(checks::own_writes_stay_in_scope(&world, user, &Run::ALL));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// What C01 and C02 (and their leader) see does not change with what C03 and C04
    /// hold.
    #[test]
    fn results_do_not_depend_on_other_tenants_data(c03 in tenant_data(), c04 in tenant_data()) {
        let mine = [(tenant(0), TenantData::fixed(0)), (tenant(1), TenantData::fixed(1))];
        let alone = World::build(&mine);
        let mut all = mine.to_vec();
        all.push((tenant(2), c03));
        all.push((tenant(3), c04));
        let together = World::build(&all);
        for user in ["op.c01", "op.c02", "lead"] {
            let failures = checks::no_interference(&alone, &together, user, &Run::ALL);
            prop_assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    }
}
