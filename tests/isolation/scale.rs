//! The checks on 50 tenants: every KPI and list over an ADMIN scope of 50 clients and
//! over operators at both ends and the middle, every foreign id refused.

use crate::checks::{self, Run};
use crate::fixed_world;

#[test]
fn fifty_tenants_stay_apart() {
    let world = fixed_world(50);
    assert_eq!(world.scope("admin").unwrap().clients().len(), 50);
    let mut failures = Vec::new();
    for user in ["admin", "lead", "op.c01", "op.c25", "op.c50"] {
        failures.extend(checks::reads_see_only_the_scope(&world, user, &Run::ALL));
    }
    for user in ["lead", "op.c25"] {
        failures.extend(checks::foreign_ids_are_not_found(&world, user, &Run::ALL));
        failures.extend(checks::foreign_writes_are_refused(&world, user, &Run::ALL));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
