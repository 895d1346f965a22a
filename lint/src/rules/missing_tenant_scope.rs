use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a function under `#[tenant_scoped]` that takes no tenant scope
    /// parameter (a parameter whose type is one of `[rust] scope_types`, by default
    /// `TenantScope`). In an annotated `impl`, only methods that contain SQL must take
    /// one.
    ///
    /// ## Why is this bad?
    /// A repository function that does not receive the caller's scope can only bind its
    /// SQL to a tenant from somewhere else: a global, a field set long ago, or the
    /// request body. The scope parameter makes "which tenant?" part of the signature.
    ///
    /// ## Example
    /// ```rust
    /// #[tenant_scoped]
    /// fn open_orders(db: &ScopedConn) -> Result<Vec<WorkOrder>> { … }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// #[tenant_scoped]
    /// fn open_orders(db: &ScopedConn, scope: &TenantScope) -> Result<Vec<WorkOrder>> { … }
    /// ```
    /// For an admin path that must cross tenants, say so:
    /// `#[tenant_scoped(cross_tenant = "admin console lists every client")]`.
    pub static RULE = {
        code: "TI301",
        name: "missing-tenant-scope",
        severity: Error,
        summary: "a #[tenant_scoped] function takes no tenant scope parameter",
    };
}
