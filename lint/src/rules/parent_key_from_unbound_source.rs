use crate::analysis::WriteKind;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a write that attaches a row of a tenant table to a parent (a foreign key
    /// to another tenant table) whose key is not proved to be a row of the caller's
    /// tenant: `INSERT … VALUES`, `INSERT … SELECT`, `UPDATE … SET parent_id = …` and an
    /// upsert's `DO UPDATE SET`. A key that includes the tenant column (`FOREIGN KEY
    /// (tenant_id, parent_id) REFERENCES parent (tenant_id, id)`) needs no proof: the
    /// database refuses another tenant's parent. Also a row of a child without a tenant
    /// column that sets no parent key at all: it belongs to no tenant.
    ///
    /// ## Why is this bad?
    /// The row is the caller's, but it points at another tenant's parent: the caller's
    /// data is attached to, and often then readable or writable through, the other
    /// tenant's pipeline, project or document. The tenant filter on the write does not
    /// help; the parent key is the hole.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO attached_connector (tenant_id, name, pipeline_id, connector_id)
    /// SELECT $1, $2, $3, c.id FROM connector c WHERE c.tenant_id = $1 AND c.id = $4;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO attached_connector (tenant_id, name, pipeline_id, connector_id)
    /// SELECT $1, $2, p.id, c.id FROM pipeline p, connector c
    /// WHERE p.tenant_id = $1 AND p.id = $3 AND c.tenant_id = $1 AND c.id = $4;
    /// ```
    pub static RULE = {
        code: "TI109",
        name: "parent-key-from-unbound-source",
        severity: Error,
        summary: "a write attaches a tenant row to a parent not proved to be the caller's",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for write in &cx.analysis.parent_writes {
        let table = cx.table_name(write.table);
        let verb = match write.kind {
            WriteKind::Insert => format!("`INSERT` into `{table}`"),
            WriteKind::Update => format!("`UPDATE` of `{table}`"),
            WriteKind::Upsert => format!("the upsert into `{table}`"),
        };
        let (Some(column), Some(parent)) = (&write.column, write.parent) else {
            report
                .report(
                    &RULE,
                    write.span,
                    format!("{verb} sets no parent key: the row belongs to no tenant"),
                )
                .label("no parent key written")
                .help("set the parent key from a row bound to the caller's tenant")
                .table(table);
            continue;
        };
        let parent_name = cx.table_name(parent);
        let parent_tenant = cx.column_sql(cx.tenant_column(parent));
        let param = cx.suggested_param();
        report
            .report(
                &RULE,
                write.span,
                format!(
                    "{verb} sets `{column}` from a value not proved to be a `{parent_name}` row of the caller's tenant"
                ),
            )
            .label(format!("any tenant's `{parent_name}` key is accepted here"))
            .help(format!(
                "take it from a bound row (`SELECT p.… FROM {parent_name} p WHERE p.… = … AND p.{parent_tenant} = {param}`), or reference the parent by a key that includes the tenant column"
            ))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn child_attached_to_a_parent_from_a_parameter_err() {
        insta::assert_snapshot!(render("INSERT INTO DEFECT_DETAIL (client_id, quality_entry_id, defect_type) VALUES (:client_id, :entry, 'x')"), @"
        error[TI109]: `INSERT` into `DEFECT_DETAIL` sets `quality_entry_id` from a value not proved to be a `QUALITY_ENTRY` row of the caller's tenant
         --> test.sql:1:90
          |
        1 | INSERT INTO DEFECT_DETAIL (client_id, quality_entry_id, defect_type) VALUES (:client_id, :entry, 'x')
          |                                                                                          ^^^^^^ any tenant's `QUALITY_ENTRY` key is accepted here
          |
        help: take it from a bound row (`SELECT p.… FROM QUALITY_ENTRY p WHERE p.… = … AND p.client_id = :client_id`), or reference the parent by a key that includes the tenant column
        ");
    }

    #[test]
    fn parent_key_from_a_bound_row_ok() {
        assert_clean(
            "INSERT INTO DEFECT_DETAIL (client_id, quality_entry_id, defect_type) SELECT :client_id, q.quality_entry_id, 'x' FROM QUALITY_ENTRY q WHERE q.client_id = :client_id AND q.quality_entry_id = :entry",
        );
    }
}
