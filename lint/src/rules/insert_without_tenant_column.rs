use crate::analysis::InsertProblem;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `INSERT` into a tenant table whose column list leaves out the tenant
    /// column, `INSERT … DEFAULT VALUES`, and inserts into a tenant table that has no
    /// tenant column and no tenant parent to be bound through.
    ///
    /// ## Why is this bad?
    /// The row gets the column's default (often NULL): it belongs to no tenant, or to
    /// whichever tenant a default or trigger picks, and no tenant-scoped query finds it
    /// again, or the wrong one does.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO DOWNTIME_ENTRY (work_order_id, reason) VALUES (:wo, :reason);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO DOWNTIME_ENTRY (client_id, work_order_id, reason)
    /// VALUES (:client_id, :wo, :reason);
    /// ```
    pub static RULE = {
        code: "TI103",
        name: "insert-without-tenant-column",
        severity: Error,
        summary: "an INSERT into a tenant table does not set the tenant column",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for insert in &cx.analysis.inserts {
        let table = cx.table_name(insert.table);
        let column = cx.tenant_column(insert.table);
        // The table itself has no tenant column and no tenant parent.
        if insert.problem == InsertProblem::TableLacksTenantColumn {
            report
                .report(
                    &RULE,
                    insert.span,
                    format!("`INSERT` into `{table}` cannot set `{column}`: the table has no such column"),
                )
                .label("a tenant table without a tenant column")
                .help(format!("add `{column}` to `{table}` (a schema fix), then set it on insert"))
                .table(table);
            continue;
        }
        if insert.problem != InsertProblem::MissingTenantColumn {
            continue;
        }
        report
            .report(
                &RULE,
                insert.span,
                format!("`INSERT` into `{table}` does not set `{column}`"),
            )
            .label(format!("`{column}` is missing here"))
            .help(format!(
                "add `{column}` to the column list and set it from `{}`",
                cx.suggested_param()
            ))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn column_list_without_tenant_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO DOWNTIME_ENTRY (work_order_id, reason) VALUES (:wo, :reason)"
        ), @"
        error[TI103]: `INSERT` into `DOWNTIME_ENTRY` does not set `client_id`
         --> test.sql:1:29
          |
        1 | INSERT INTO DOWNTIME_ENTRY (work_order_id, reason) VALUES (:wo, :reason)
          |                             ^^^^^^^^^^^^^^^^^^^^^ `client_id` is missing here
          |
        help: add `client_id` to the column list and set it from `:client_id`
        ");
    }

    #[test]
    fn tenant_column_set_ok() {
        assert_clean(
            "INSERT INTO DOWNTIME_ENTRY (client_id, work_order_id, reason) VALUES (:client_id, :wo, :reason)",
        );
    }
}
