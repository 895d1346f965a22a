//! `tenant-lint rls`: PostgreSQL row-level security from the tenant model.
//!
//! One idempotent migration: for every tenant table, row-level security enabled and
//! forced (so the tables' owner is held too) and a policy whose `USING` and `WITH
//! CHECK` bind the tenant column to the connection's tenant setting; for a child table
//! without the column, a policy through its parent; for the root, its key; for shared
//! tables, reads for everyone and writes for the named role only. The setting holds one
//! tenant or several separated by commas; it is read once per query (an `InitPlan`, not
//! once per row) and compared with `= ANY (…)`, which an index that starts with the
//! tenant column serves.

use std::fmt::Write as _;

use crate::model::schema::Table;
use crate::model::{Dialect, TableClass, TableId, TenantModel};

/// The migration, or why there is none.
pub fn generate(model: &TenantModel) -> Result<String, String> {
    if model.dialect() != Dialect::Postgres {
        return Err(format!(
            "row-level security is PostgreSQL's: the configuration's dialect is `{}` (set `dialect = \"postgres\"`)",
            model.dialect()
        ));
    }
    let rls = &model.config.rls;
    let policy = quote(&rls.policy);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- Row-level security for every tenant table, written by `tenant-lint rls` from the\n\
         -- tenant model (tenant column `{}`). Idempotent: run it again after the schema changes.\n\
         --\n\
         -- The application sets the caller's tenant for each transaction:\n\
         --     SELECT set_config('{}', '<tenant id>', true);\n\
         -- (several tenants separated by commas). Without it, no tenant row is visible.\n\
         -- Connect as a role that is not a superuser, has no BYPASSRLS, and does not own\n\
         -- the tables (FORCE holds the owner too, but not a superuser).",
        model.config.tenant_column, rls.setting
    );
    let mut children: Vec<String> = Vec::new();
    let mut undecided: Vec<String> = Vec::new();
    for (id, info) in model.tables() {
        let Some(def) = model.definition(id) else {
            continue;
        };
        if def.is_view || def.is_sequence || def.temporary {
            continue;
        }
        let table = model.schema.display_name(def);
        match info.class {
            TableClass::Root | TableClass::Tenant => {
                let Some((using, note)) = isolation(model, id, def, &table) else {
                    undecided.push(format!(
                        "{table}: tenant data without a tenant column or a parent that has one"
                    ));
                    continue;
                };
                let _ = writeln!(out, "\n-- {table}: {note}");
                if info.class == TableClass::Tenant && info.tenant_column.is_none() {
                    children.push(table.clone());
                }
                let _ = writeln!(out, "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
                let _ = writeln!(out, "ALTER TABLE {table} FORCE ROW LEVEL SECURITY;");
                let _ = writeln!(out, "DROP POLICY IF EXISTS {policy} ON {table};");
                let _ = writeln!(
                    out,
                    "CREATE POLICY {policy} ON {table} AS PERMISSIVE FOR ALL\n    USING ({using})\n    WITH CHECK ({using});"
                );
            }
            TableClass::Shared => {
                let _ = writeln!(
                    out,
                    "\n-- {table}: shared: every tenant reads it; {}",
                    match &rls.admin_role {
                        Some(role) => format!("only `{role}` writes it"),
                        None => "no application role writes it (`[rls] admin_role` names one)"
                            .to_string(),
                    }
                );
                let read = quote(&format!("{}_shared_read", rls.policy));
                let write = quote(&format!("{}_shared_write", rls.policy));
                let _ = writeln!(out, "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
                let _ = writeln!(out, "ALTER TABLE {table} FORCE ROW LEVEL SECURITY;");
                let _ = writeln!(out, "DROP POLICY IF EXISTS {read} ON {table};");
                let _ = writeln!(
                    out,
                    "CREATE POLICY {read} ON {table} AS PERMISSIVE FOR SELECT USING (true);"
                );
                let _ = writeln!(out, "DROP POLICY IF EXISTS {write} ON {table};");
                if let Some(role) = &rls.admin_role {
                    let _ = writeln!(
                        out,
                        "CREATE POLICY {write} ON {table} AS PERMISSIVE FOR ALL TO {} USING (true) WITH CHECK (true);",
                        quote(role)
                    );
                }
            }
            TableClass::Undecided => {
                undecided.push(format!("{table}: isolation undecided (TI208)"));
            }
            TableClass::Global => {}
        }
    }
    if !children.is_empty() {
        let _ = writeln!(
            out,
            "\n-- Isolated through their parent, without a tenant column of their own (TI201):\n\
             -- {}. A `{}` column on each, filled from the parent, makes the policy a plain\n\
             -- comparison that an index serves.",
            children.join(", "),
            model.config.tenant_column
        );
    }
    if !undecided.is_empty() {
        let _ = writeln!(out, "\n-- Not isolated here, decide first:");
        for line in &undecided {
            let _ = writeln!(out, "--   {line}");
        }
    }
    Ok(out)
}

/// The expression that binds a table to the connection's tenants, and how.
fn isolation(
    model: &TenantModel,
    id: TableId,
    def: &Table,
    table: &str,
) -> Option<(String, String)> {
    let info = model.info(id);
    let dialect = model.dialect();
    let tenants = |column_type: &str| {
        format!(
            "(SELECT string_to_array(current_setting('{}', true), ','))::{}[]",
            model.config.rls.setting,
            array_element_type(column_type)
        )
    };
    if let Some(column) = &info.tenant_column {
        let data_type = def
            .column(dialect, column)
            .map(|c| c.data_type.clone())
            .unwrap_or_default();
        let what = if info.class == TableClass::Root {
            "the tenant root, by its key"
        } else {
            "has the tenant column"
        };
        return Some((
            format!("{} = ANY ({})", dialect.show(column), tenants(&data_type)),
            format!("{what} `{column}`"),
        ));
    }
    // A child without the column: through the parent its foreign key names.
    for fk in &def.foreign_keys {
        let Some(parent_id) = model.lookup_ref(&fk.table) else {
            continue;
        };
        let parent = model.info(parent_id);
        if !matches!(parent.class, TableClass::Tenant | TableClass::Root) {
            continue;
        }
        let parent_def = model.definition(parent_id)?;
        let parent_name = model.schema.display_name(parent_def);
        let referred: Vec<String> = if fk.referred.is_empty() {
            parent_def
                .primary_key()
                .map(|k| k.columns.clone())
                .unwrap_or_default()
        } else {
            fk.referred.clone()
        };
        if referred.len() != fk.columns.len() || referred.is_empty() {
            continue;
        }
        let joins: Vec<String> = fk
            .columns
            .iter()
            .zip(&referred)
            .map(|(c, r)| format!("p.{} = {table}.{}", dialect.show(r), dialect.show(c)))
            .collect();
        let tenant = match &parent.tenant_column {
            Some(column) => {
                let data_type = parent_def
                    .column(dialect, column)
                    .map(|c| c.data_type.clone())
                    .unwrap_or_default();
                format!(
                    " AND p.{} = ANY ({})",
                    dialect.show(column),
                    tenants(&data_type)
                )
            }
            // A grandchild: the parent's own policy limits the rows this reads.
            None => String::new(),
        };
        return Some((
            format!(
                "EXISTS (SELECT 1 FROM {parent_name} p WHERE {}{tenant})",
                joins.join(" AND ")
            ),
            format!(
                "a child of `{parent_name}` without a tenant column: isolated through its parent"
            ),
        ));
    }
    None
}

/// The array element type for a column's declared type (`uuid`, `bigint`, `text`).
fn array_element_type(data_type: &str) -> String {
    let lower = data_type.trim().to_ascii_lowercase();
    match lower.as_str() {
        "" => "text".to_string(),
        "serial" | "serial4" => "integer".to_string(),
        "bigserial" | "serial8" => "bigint".to_string(),
        "smallserial" | "serial2" => "smallint".to_string(),
        other => other.to_string(),
    }
}

fn quote(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
