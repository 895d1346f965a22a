use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, references_root, root, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a tenant column with no foreign key to the tenant root: neither
    /// `REFERENCES CLIENT (client_id)` nor a composite key `(client_id, parent_id)` to
    /// a tenant parent that has one.
    ///
    /// ## Why is this bad?
    /// The database accepts any value: a typo, a deleted client, another system's id.
    /// Isolation then rests on every writer being right; the audit called this "not
    /// enforced at database level".
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE DOWNTIME_ENTRY (downtime_id INTEGER PRIMARY KEY, client_id TEXT NOT NULL);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE DOWNTIME_ENTRY (downtime_id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES CLIENT (client_id));
    /// ```
    pub static RULE = {
        code: "TI203",
        name: "tenant-column-without-foreign-key",
        severity: Error,
        summary: "a tenant column has no foreign key to the tenant root",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let root = root(model);
    for (id, def) in tenant_tables(model) {
        let Some(tenant) = &model.info(id).tenant_column else {
            continue;
        };
        let enforced = def.foreign_keys.iter().any(|fk| {
            let includes = fk
                .columns
                .iter()
                .any(|c| model.dialect().same_name(c, tenant));
            let target = model.parent_of(fk).map(|t| model.info(t));
            includes
                && target.is_some_and(|t| {
                    t.class == TableClass::Root
                        || (t.class == TableClass::Tenant
                            && t.tenant_column.is_some()
                            && fk.columns.len() > 1)
                })
        });
        if enforced {
            continue;
        }
        let column = def.column(model.dialect(), tenant);
        if let Some(finding) = report.report(
            &RULE,
            id,
            column
                .and_then(|c| c.origin.as_ref())
                .or(def.origin.as_ref()),
            format!(
                "`{}.{tenant}` has no foreign key to {}",
                model.info(id).name,
                root.as_ref()
                    .map_or("the tenant table".to_string(), |r| format!("`{}`", r.table))
            ),
        ) {
            finding
                .label("any value is accepted")
                .help(format!("add `{}`", references_root(root.as_ref())));
        }
    }
}
