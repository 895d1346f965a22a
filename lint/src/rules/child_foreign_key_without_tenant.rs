use crate::model::TenantModel;
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a foreign key from a tenant table to a tenant parent that does not
    /// include the tenant column (`quality_entry_id REFERENCES QUALITY_ENTRY` rather than
    /// `(client_id, quality_entry_id) REFERENCES QUALITY_ENTRY (client_id, quality_entry_id)`).
    ///
    /// ## Why is this bad?
    /// The database lets a child row of one tenant point at another tenant's parent: a
    /// defect of client A recorded against client B's inspection. Joins through the key
    /// then mix tenants. The composite key makes it impossible rather than merely checked
    /// (the seed audit's `DEFECT_DETAIL` consistency concern).
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE DEFECT_DETAIL (client_id TEXT NOT NULL REFERENCES CLIENT (client_id),
    ///     quality_entry_id INTEGER NOT NULL REFERENCES QUALITY_ENTRY (quality_entry_id));
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE DEFECT_DETAIL (client_id TEXT NOT NULL REFERENCES CLIENT (client_id),
    ///     quality_entry_id INTEGER NOT NULL,
    ///     FOREIGN KEY (client_id, quality_entry_id) REFERENCES QUALITY_ENTRY (client_id, quality_entry_id));
    /// ```
    pub static RULE = {
        code: "TI207",
        name: "child-foreign-key-without-tenant",
        severity: Error,
        summary: "a foreign key to a tenant parent omits the tenant column",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    for (id, def) in tenant_tables(model) {
        let Some(tenant) = model.info(id).tenant_column.clone() else {
            continue;
        };
        for fk in &def.foreign_keys {
            let Some(parent) = model.parent_of(fk) else {
                continue;
            };
            let parent_info = model.info(parent);
            if parent_info.class != crate::model::TableClass::Tenant
                || parent_info.tenant_column.is_none()
            {
                continue;
            }
            if fk.columns.iter().any(|c| c.eq_ignore_ascii_case(&tenant)) {
                continue;
            }
            let columns = fk.columns.join(", ");
            let referred = if fk.referred.is_empty() {
                columns.clone()
            } else {
                fk.referred.join(", ")
            };
            let parent_tenant = parent_info.tenant_column.clone().unwrap_or_default();
            if let Some(finding) = report.report(
                &RULE,
                id,
                fk.origin.as_ref().or(def.origin.as_ref()),
                format!(
                    "`{}` references `{}` by ({columns}) without `{tenant}`: a row can point at another tenant's parent",
                    model.info(id).name, parent_info.name
                ),
            ) {
                finding.label("tenant not part of the reference").help(format!(
                    "use `FOREIGN KEY ({tenant}, {columns}) REFERENCES {} ({parent_tenant}, {referred})`, with `UNIQUE ({parent_tenant}, {referred})` on the parent",
                    parent_info.name
                ));
            }
        }
    }
}
