use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::SchemaReporter;

declare_rule! {
    /// ## What it does
    /// On a live PostgreSQL database (`--db postgres://…`), reports when the role the
    /// application connects as is not subject to row-level security: a superuser, a
    /// role with `BYPASSRLS`, or the owner of a tenant table whose row-level security is
    /// not forced.
    ///
    /// ## Why is this bad?
    /// The policies are then silently off for every query the application runs: the
    /// database shows them, and they isolate nothing.
    ///
    /// ## Example
    /// ```sql
    /// ALTER ROLE app BYPASSRLS;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// ALTER ROLE app NOBYPASSRLS;   -- and connect as a role that does not own the tables
    /// ```
    pub static RULE = {
        code: "TI211",
        name: "rls-bypassed",
        severity: Error,
        summary: "the connecting role is not subject to row-level security",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let Some(role) = &model.schema.connection else {
        return;
    };
    let mut reported_role = false;
    for (id, info) in model.tables() {
        if !matches!(info.class, TableClass::Tenant | TableClass::Root) {
            continue;
        }
        let Some(def) = model.definition(id) else {
            continue;
        };
        if def.is_view || def.is_sequence {
            continue;
        }
        if (role.superuser || role.bypass_rls) && !reported_role {
            let why = if role.superuser {
                "a superuser"
            } else {
                "a role with BYPASSRLS"
            };
            if let Some(finding) = report.report(
                &RULE,
                id,
                role.origin.as_ref(),
                format!(
                    "the connecting role `{}` is {why}: row-level security does not apply to it",
                    role.name
                ),
            ) {
                finding.label("every policy is bypassed").help(format!(
                    "connect as a role without it (`ALTER ROLE {} NOSUPERUSER NOBYPASSRLS`)",
                    role.name
                ));
            }
            reported_role = true;
        }
        let owns = def.owner.as_deref().is_some_and(|owner| owner == role.name);
        if owns
            && def.rls_enabled
            && !def.rls_forced
            && let Some(finding) = report.report(
                &RULE,
                id,
                def.origin.as_ref(),
                format!(
                    "the connecting role `{}` owns `{}`, whose row-level security is not forced",
                    role.name, info.name
                ),
            )
        {
            finding
                    .label("the owner bypasses the policies")
                    .help(format!(
                        "`ALTER TABLE {} FORCE ROW LEVEL SECURITY`, or connect as a role that does not own the tables",
                        info.name
                    ));
        }
    }
}
