//! The isolation suite over the reference application: every repository function and
//! every KPI, as every role, checked for foreign values, for non-interference (with
//! randomised other tenants), for refused cross-tenant writes and references; what
//! each role sees, snapshotted; a 50-tenant run; the isolation coverage; mutation
//! testing of every tenant predicate; and a leaky application it must fail.

mod checks;
mod coverage;
mod leaky;
mod mutation;
mod ops;
mod runs;
mod scale;
mod snapshots;
mod suite;
mod world;

use tenant_isolation::Tenant;
use world::{TenantData, World};

/// Tenant ids `C01`, `C02`, …
pub fn tenant(index: usize) -> Tenant {
    Tenant::new(index, format!("C{:02}", index + 1))
}

/// A world of `n` tenants with fixed data.
pub fn fixed_world(n: usize) -> World {
    let tenants: Vec<(Tenant, TenantData)> = (0..n)
        .map(|i| (tenant(i), TenantData::fixed(i as i64)))
        .collect();
    World::build(&tenants)
}
