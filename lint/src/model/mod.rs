//! The tenant model: configuration, schema, and the class of every table.

pub mod config;
pub mod dialect;
pub mod files;
pub mod loader;
pub mod schema;
pub mod tenant;

pub use config::{Config, ConfigError};
pub use dialect::Dialect;
pub use schema::Schema;
pub use tenant::{TableClass, TableId, TableInfo, TenantModel};
