use crate::model::TenantModel;
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a tenant table with no index whose first column is the tenant column
    /// (a PRIMARY KEY or UNIQUE constraint starting with it counts).
    ///
    /// ## Why is this bad?
    /// Every query filters by tenant first; without such an index each one scans every
    /// tenant's rows, and one tenant's growth slows all the others down.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE DOWNTIME_ENTRY (downtime_id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES CLIENT (client_id), shift_date TEXT);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE INDEX idx_downtime_entry_client ON DOWNTIME_ENTRY (client_id, shift_date);
    /// ```
    pub static RULE = {
        code: "TI204",
        name: "tenant-column-not-indexed",
        severity: Warning,
        summary: "no index starts with the tenant column",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    for (id, def) in tenant_tables(model) {
        let Some(tenant) = &model.info(id).tenant_column else {
            continue;
        };
        let leads = |columns: &[String]| {
            columns
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case(tenant))
        };
        let indexed = def.indexes.iter().any(|i| leads(&i.columns))
            || def.keys.iter().any(|k| leads(&k.columns));
        if indexed {
            continue;
        }
        if let Some(finding) = report.report(
            &RULE,
            id,
            def.origin.as_ref(),
            format!(
                "no index of `{}` starts with `{tenant}`",
                model.info(id).name
            ),
        ) {
            finding
                .label("every tenant-scoped query scans the whole table")
                .help(format!(
                    "add `CREATE INDEX {} ON {} ({}, …)`",
                    model
                        .dialect()
                        .show(&format!("idx_{}_{tenant}", def.name).to_ascii_lowercase()),
                    model.info(id).name,
                    model.dialect().show(tenant)
                ));
        }
    }
}
