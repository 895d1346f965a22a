use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, references_root, root};

declare_rule! {
    /// ## What it does
    /// Reports a text column named after the tenant column (`client_id_assigned`,
    /// `assigned_client_ids`) with no foreign key: tenant ids kept as free text, often
    /// comma-separated.
    ///
    /// ## Why is this bad?
    /// The database cannot check the ids, a `LIKE '%ACME%'` filter matches `ACME2`,
    /// and no index serves "which rows belong to this tenant". The seed audit's
    /// `EMPLOYEE.client_id_assigned` finding.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE EMPLOYEE (employee_id INTEGER PRIMARY KEY, client_id_assigned TEXT);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE EMPLOYEE_CLIENT_ASSIGNMENT (
    ///     client_id   TEXT NOT NULL REFERENCES CLIENT (client_id),
    ///     employee_id INTEGER NOT NULL REFERENCES EMPLOYEE (employee_id),
    ///     PRIMARY KEY (client_id, employee_id)
    /// );
    /// ```
    pub static RULE = {
        code: "TI205",
        name: "tenant-as-text",
        severity: Error,
        summary: "tenant ids are kept in a text column without a foreign key",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let root = root(model);
    let root_table = root
        .as_ref()
        .map_or("the tenant table".to_string(), |r| format!("`{}`", r.table));
    let root_name = root.as_ref().map_or("TENANT".to_string(), |r| {
        r.table.trim_matches('"').to_string()
    });
    let references = references_root(root.as_ref());
    let root_key = root
        .as_ref()
        .map_or("tenant_id".to_string(), |r| r.key.clone());
    let tenant = model.config.tenant_column.to_ascii_lowercase();
    let stem = tenant.trim_end_matches("_id").to_string();
    for (id, info) in model.tables() {
        if info.class == TableClass::Root {
            continue;
        }
        let Some(def) = model.definition(id) else {
            continue;
        };
        for column in &def.columns {
            let lower = column.name.to_ascii_lowercase();
            let own = info
                .tenant_column
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(&column.name));
            let named_after = !own && lower != tenant && lower.contains(&stem);
            let textual = column.data_type.is_empty()
                || ["TEXT", "CHAR", "CLOB", "STRING"]
                    .iter()
                    .any(|t| column.data_type.to_ascii_uppercase().contains(t));
            let has_fk = def.foreign_keys.iter().any(|fk| {
                fk.columns
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&column.name))
            });
            if !named_after || !textual || has_fk {
                continue;
            }
            if let Some(finding) = report.report(
                &RULE,
                id,
                column.origin.as_ref(),
                format!(
                    "`{}.{}` keeps tenant ids as text, with no foreign key to {root_table}",
                    info.name, column.name
                ),
            ) {
                finding.label("tenant ids as free text").help(format!(
                    "replace it with a junction table `{}_{root_name}_ASSIGNMENT ({root_key} {references}, … REFERENCES {})`",
                    def.name.trim_matches('"'),
                    info.name
                ));
            }
        }
    }
}
