use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a function under `#[tenant_scoped]` whose tenant scope parameter is never
    /// used in its body (macro arguments included).
    ///
    /// ## Why is this bad?
    /// The seed audit found KPI endpoints that receive `current_user` and never use it:
    /// the signature promises isolation, the body computes over every client. A scope
    /// that is passed but not used is that bug, caught at compile time.
    ///
    /// ## Example
    /// ```rust
    /// #[tenant_scoped]
    /// fn wip_aging(db: &ScopedConn, scope: &TenantScope, as_of: Date) -> Aging {
    ///     db.query("SELECT hold_date FROM HOLD_ENTRY WHERE resume_date IS NULL", [])
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// #[tenant_scoped]
    /// fn wip_aging(db: &ScopedConn, scope: &TenantScope, as_of: Date) -> Aging {
    ///     db.query(scope, "SELECT hold_date FROM HOLD_ENTRY WHERE client_id IN (SELECT value FROM json_each(:scope)) AND resume_date IS NULL", [])
    /// }
    /// ```
    pub static RULE = {
        code: "TI302",
        name: "unused-tenant-scope",
        severity: Error,
        summary: "a #[tenant_scoped] function never uses its tenant scope",
    };
}
