//! KPI Operations: the multi-tenant manufacturing KPI platform of KPI-DOMAIN.md, built
//! so that one client can never see or change another's data. Isolation is enforced by
//! the schema (tenant columns, composite child keys, per-client natural keys), proven
//! at compile time (`#[tenant_scoped]` on every repository function) and guarded at run
//! time (every statement runs through [`tenant_lint::guard::GuardedConnection`]).

pub mod cli;
pub mod date;
pub mod db;
pub mod error;
pub mod kpi;
pub mod repo;
pub mod scope;
pub mod seed;

pub use db::Db;
pub use error::{AppError, Result};
pub use scope::{Role, TenantScope};
