//! The suites that need a PostgreSQL server (127.0.0.1:5432, trust authentication, or
//! the connection string in `TENANT_LINT_PG`): `cargo test --features postgres --test
//! postgres`. Each test works in a scratch database it creates and drops; a server that
//! cannot be reached fails the suite, it never passes it.

mod oracle;
mod rls;
mod server;
