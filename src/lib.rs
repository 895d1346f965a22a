//! The isolation harness: what static analysis cannot see, proved by running the
//! application. Generic over the application; `tests/isolation/` is its first user,
//! over the reference KPI application.
//!
//! - [`canary`]: tenants whose data carries values that identify them;
//! - [`leaks`]: every value an operation returns for a tenant, scanned for other
//!   tenants' canaries and ids;
//! - [`interference`]: an operation's result for a tenant compared between a database
//!   holding only its data and one holding others' too (aggregates leak that way
//!   without showing a single foreign row);
//! - [`checksum`]: per-tenant, per-table checksums of a SQLite database, so a refused
//!   write can be shown to have changed nothing;
//! - [`mutation`]: the report of a mutation run (weakened tenant predicates, from
//!   `tenant_lint::mutate`), killed or surviving;
//! - [`coverage`]: which tenant table and operation the suite exercised, and which
//!   repository functions it never ran.

pub mod canary;
pub mod checksum;
pub mod coverage;
pub mod interference;
pub mod leaks;
pub mod mutation;

pub use canary::{Canary, Tenant};
pub use leaks::{Found, Leak};
