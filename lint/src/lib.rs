//! `tenant-lint`: proves that every use of a tenant table is bound to the caller's tenant.
//!
//! The data flows one way: source → [`extract`] → [`model`] + [`analysis`] → [`rules`] →
//! [`report`]. Nothing in `rules` prints or reads files; nothing in the CLI knows SQL.

pub use sqlparser;

pub mod analysis;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod corpus;
pub mod engine;
#[cfg(feature = "rust")]
pub mod expand;
pub mod extract;
#[cfg(feature = "guard")]
pub mod guard;
pub mod init;
pub mod model;
pub mod mutate;
#[cfg(feature = "postgres")]
pub mod pg;
#[cfg(feature = "cli")]
pub mod project;
pub mod report;
pub mod rls;
pub mod rules;
#[cfg(feature = "rust")]
pub mod rust_check;
