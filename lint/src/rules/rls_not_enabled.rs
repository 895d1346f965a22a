use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::SchemaReporter;

declare_rule! {
    /// ## What it does
    /// Where the schema uses PostgreSQL row-level security (a table with it enabled, a
    /// policy, or a live database read with `--db postgres://…`), reports a tenant table
    /// (or the tenant root) on which it is not enabled, enabled but not forced, or
    /// enabled without a permissive policy for reads (a dropped policy).
    ///
    /// ## Why is this bad?
    /// Row-level security is the second wall that holds when application SQL forgets
    /// its tenant filter. A table without it is open to any such query. A table where it
    /// is enabled but not `FORCE`d exempts its owner, and applications often connect as
    /// the role that ran the migrations, which owns the tables: the policies are then
    /// silently off.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE orders (org_id uuid NOT NULL REFERENCES orgs (id), id uuid PRIMARY KEY);
    /// ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    /// ```
    ///
    /// Use instead (`tenant-lint rls` writes it):
    /// ```sql
    /// ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    /// ALTER TABLE orders FORCE ROW LEVEL SECURITY;
    /// ```
    pub static RULE = {
        code: "TI209",
        name: "tenant-table-without-rls",
        severity: Error,
        summary: "row-level security is not enabled, or not forced, on a tenant table",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    if !model.schema.uses_rls() {
        return;
    }
    for (id, info) in model.tables() {
        if !matches!(info.class, TableClass::Tenant | TableClass::Root) {
            continue;
        }
        let Some(def) = model.definition(id) else {
            continue;
        };
        if def.is_view || def.is_sequence || def.temporary {
            continue;
        }
        // Tenant data with neither the tenant column nor a tenant parent cannot be
        // isolated by a policy yet: `tenant-table-without-tenant-column` asks for the
        // column first.
        let has_parent = def.foreign_keys.iter().any(|fk| {
            model.lookup_ref(&fk.table).is_some_and(|p| {
                matches!(model.info(p).class, TableClass::Tenant | TableClass::Root)
            })
        });
        if info.tenant_column.is_none() && info.class == TableClass::Tenant && !has_parent {
            continue;
        }
        let (message, label, help) = if !def.rls_enabled {
            (
                format!("row-level security is not enabled on `{}`", info.name),
                "any query that forgets the tenant filter reads every tenant's rows",
                format!(
                    "`ALTER TABLE {0} ENABLE ROW LEVEL SECURITY; ALTER TABLE {0} FORCE ROW LEVEL SECURITY;` and a policy (`tenant-lint rls` writes them)",
                    info.name
                ),
            )
        } else if !def.rls_forced {
            (
                format!(
                    "row-level security on `{}` is not forced: its owner bypasses the policies",
                    info.name
                ),
                "an application connected as the owner is not isolated",
                format!("`ALTER TABLE {} FORCE ROW LEVEL SECURITY;`", info.name),
            )
        } else if !def
            .policies
            .iter()
            .any(|p| p.permissive && matches!(p.command.as_str(), "ALL" | "SELECT"))
        {
            (
                format!(
                    "row-level security on `{}` has no policy that lets a tenant read its rows",
                    info.name
                ),
                "every row is hidden: a policy was dropped, or never written",
                "write its policy (`tenant-lint rls` writes every table's)".to_string(),
            )
        } else {
            continue;
        };
        if let Some(finding) = report.report(&RULE, id, def.origin.as_ref(), message) {
            finding.label(label).help(help);
        }
    }
}
