use crate::model::TenantModel;
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a tenant column that allows NULL.
    ///
    /// ## Why is this bad?
    /// A row with a NULL tenant belongs to nobody: no tenant-scoped query finds it, and
    /// any query that tests `client_id IS NULL` (the optional-filter bug) finds it for
    /// everyone.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE HOLD_ENTRY (hold_entry_id INTEGER PRIMARY KEY, client_id TEXT REFERENCES CLIENT (client_id));
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE HOLD_ENTRY (hold_entry_id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES CLIENT (client_id));
    /// ```
    pub static RULE = {
        code: "TI202",
        name: "nullable-tenant-column",
        severity: Error,
        summary: "a tenant column allows NULL",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    for (id, def) in tenant_tables(model) {
        let Some(tenant) = &model.info(id).tenant_column else {
            continue;
        };
        let Some(column) = def.column(model.dialect(), tenant) else {
            continue;
        };
        if column.not_null {
            continue;
        }
        if let Some(finding) = report.report(
            &RULE,
            id,
            column.origin.as_ref(),
            format!(
                "`{}.{}` allows NULL: such a row belongs to no tenant",
                model.info(id).name,
                column.name
            ),
        ) {
            finding.label("nullable tenant column").help(format!(
                "declare it `{} {} NOT NULL`",
                column.name, column.data_type
            ));
        }
    }
}
