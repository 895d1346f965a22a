use crate::analysis::UpsertKind;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an upsert whose conflict key does not include the tenant column: an
    /// `ON CONFLICT (…) DO UPDATE` target, the PRIMARY KEY or UNIQUE keys that
    /// `INSERT OR REPLACE` / `REPLACE INTO` / `UPDATE OR REPLACE` / MySQL
    /// `ON DUPLICATE KEY UPDATE` can hit (from the schema), or a named constraint.
    ///
    /// ## Why is this bad?
    /// The conflict is detected across tenants: when another tenant already has a row
    /// with that key, the caller's write updates or replaces it. `REPLACE` even
    /// deletes the other tenant's row.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO PART_CATALOG (client_id, part_number, description)
    /// VALUES (:client_id, :part, :description)
    /// ON CONFLICT (part_number) DO UPDATE SET description = excluded.description;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// -- with UNIQUE (client_id, part_number) in the schema
    /// INSERT INTO PART_CATALOG (client_id, part_number, description)
    /// VALUES (:client_id, :part, :description)
    /// ON CONFLICT (client_id, part_number) DO UPDATE SET description = excluded.description;
    /// ```
    pub static RULE = {
        code: "TI108",
        name: "upsert-conflict-key-without-tenant",
        severity: Error,
        summary: "an upsert's conflict key lacks the tenant column",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for upsert in &cx.analysis.upserts {
        let table = cx.table_name(upsert.table);
        let column = cx.tenant_column(upsert.table);
        let how = match upsert.kind {
            UpsertKind::OnConflict => "`ON CONFLICT`",
            UpsertKind::Replace => "`REPLACE`",
            UpsertKind::DuplicateKey => "`ON DUPLICATE KEY UPDATE`",
            UpsertKind::UpdateOrReplace => "`UPDATE OR REPLACE`",
        };
        if upsert.key.is_empty() {
            report
                .report(
                    &RULE,
                    upsert.span,
                    format!("cannot tell which key {how} on `{table}` conflicts on: the table's keys are unknown"),
                )
                .label("conflict key unknown")
                .help("declare the table's keys in a schema file, or name the conflict columns including the tenant column")
                .table(table);
            continue;
        }
        let key = upsert.key.join(", ");
        report
            .report(
                &RULE,
                upsert.span,
                format!("{how} on `{table}` conflicts on ({key}), which lacks `{column}`: one tenant can overwrite another's row"),
            )
            .label(format!("key ({key}) is shared by all tenants"))
            .help(format!(
                "make the key per tenant, `UNIQUE ({column}, {key})`, and conflict on it"
            ))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, codes, render};

    #[test]
    fn on_conflict_global_key_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO PART_CATALOG (client_id, part_number, description) VALUES (:client_id, :part, :d)\nON CONFLICT (part_number) DO UPDATE SET description = excluded.description"
        ), @"
        error[TI108]: `ON CONFLICT` on `PART_CATALOG` conflicts on (part_number), which lacks `client_id`: one tenant can overwrite another's row
         --> test.sql:2:14
          |
        2 | ON CONFLICT (part_number) DO UPDATE SET description = excluded.description
          |              ^^^^^^^^^^^ key (part_number) is shared by all tenants
          |
        help: make the key per tenant, `UNIQUE (client_id, part_number)`, and conflict on it
        ");
    }

    #[test]
    fn insert_or_replace_hits_the_global_primary_key_err() {
        insta::assert_snapshot!(render(
            "INSERT OR REPLACE INTO PART_CATALOG (client_id, part_number, description) VALUES (:client_id, :part, :d)"
        ), @"
        error[TI108]: `REPLACE` on `PART_CATALOG` conflicts on (part_number), which lacks `client_id`: one tenant can overwrite another's row
         --> test.sql:1:24
          |
        1 | INSERT OR REPLACE INTO PART_CATALOG (client_id, part_number, description) VALUES (:client_id, :part, :d)
          |                        ^^^^^^^^^^^^ key (part_number) is shared by all tenants
          |
        help: make the key per tenant, `UNIQUE (client_id, part_number)`, and conflict on it
        ");
    }

    #[test]
    fn replace_only_checks_keys_it_writes() {
        // WORK_ORDER's key is (client_id, work_order_id): REPLACE stays in the tenant.
        assert_eq!(
            codes(
                "INSERT OR REPLACE INTO WORK_ORDER (client_id, work_order_id, status) VALUES (:client_id, :id, :s)"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn per_tenant_conflict_key_ok() {
        assert_clean(
            "INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit) VALUES (:client_id, :p, :n)
             ON CONFLICT (client_id, part_number) DO UPDATE SET opportunities_per_unit = excluded.opportunities_per_unit",
        );
    }
}
