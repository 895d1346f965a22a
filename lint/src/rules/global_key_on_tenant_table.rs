use crate::model::TenantModel;
use crate::model::schema::{Key, Table};
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a PRIMARY KEY or UNIQUE key (or unique index) of a tenant table that does
    /// not include the tenant column: a natural key shared by all tenants. Keys the
    /// database generates (SQLite's `INTEGER PRIMARY KEY`, `AUTOINCREMENT`, identity,
    /// `SERIAL`) are exempt: no tenant chooses them.
    ///
    /// ## Why is this bad?
    /// One tenant's part `P-100` blocks every other tenant from having a part `P-100`;
    /// an insert that fails reveals that another tenant has it (a probe); an upsert on
    /// the key overwrites the other tenant's row. The seed audit's `PART_OPPORTUNITIES`.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE PART_OPPORTUNITIES (client_id TEXT NOT NULL, part_number TEXT PRIMARY KEY, opportunities_per_unit INTEGER);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE PART_OPPORTUNITIES (client_id TEXT NOT NULL, part_number TEXT NOT NULL, opportunities_per_unit INTEGER,
    ///     PRIMARY KEY (client_id, part_number));
    /// ```
    pub static RULE = {
        code: "TI206",
        name: "global-key-on-tenant-table",
        severity: Error,
        summary: "a key of a tenant table is shared by all tenants",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let column = &model.config.tenant_column;
    for (id, def) in tenant_tables(model) {
        let tenant = model.info(id).tenant_column.clone();
        for key in &def.keys {
            let covered = tenant
                .as_deref()
                .is_some_and(|t| key.columns.iter().any(|c| c.eq_ignore_ascii_case(t)));
            if covered || !is_natural(model, def, key) {
                continue;
            }
            let kind = if key.primary {
                "primary key"
            } else {
                "unique key"
            };
            let columns = key.columns.join(", ");
            if let Some(finding) = report.report(
                &RULE,
                id,
                key.origin.as_ref().or(def.origin.as_ref()),
                format!(
                    "the {kind} ({columns}) of `{}` does not include `{column}`: one tenant can collide with, probe, or overwrite another's row",
                    model.info(id).name
                ),
            ) {
                finding
                    .label("shared by all tenants")
                    .help(format!(
                        "make it per tenant: `{} ({column}, {columns})`",
                        if key.primary { "PRIMARY KEY" } else { "UNIQUE" }
                    ));
            }
        }
    }
}

/// Whether a key is made of values a tenant chooses (`name`, `code`, `email`, a
/// composite of business columns): one column that is neither generated nor an integer
/// or UUID, nor a reference to another table's key. Surrogate keys (serial, identity,
/// UUID, integer ids) and keys made only of references do not collide across tenants
/// by what a tenant writes.
fn is_natural(model: &TenantModel, def: &Table, key: &Key) -> bool {
    let dialect = model.dialect();
    key.columns.iter().any(|column| {
        let single = Key {
            columns: vec![column.clone()],
            ..key.clone()
        };
        let reference = def
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.iter().any(|c| dialect.same_name(c, column)));
        let known = def.column(dialect, column).is_some();
        known && !def.is_surrogate(dialect, &single) && !reference
    })
}
