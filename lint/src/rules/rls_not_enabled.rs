use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::SchemaReporter;

declare_rule! {
    /// ## What it does
    /// Where the schema uses PostgreSQL row-level security (a table with it enabled, a
    /// policy, or a live database read with `--db postgres://…`), reports a tenant table
    /// (or the tenant root) on which it is not enabled, or enabled but not forced.
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
        } else {
            continue;
        };
        if let Some(finding) = report.report(&RULE, id, def.origin.as_ref(), message) {
            finding.label(label).help(help);
        }
    }
}
