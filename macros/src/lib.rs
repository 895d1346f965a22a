//! `#[tenant_scoped]` (issue 3).
