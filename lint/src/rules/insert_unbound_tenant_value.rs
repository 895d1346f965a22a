use crate::analysis::InsertProblem;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `INSERT` into a tenant table whose tenant column is set from something
    /// that is not the caller's tenant: another column, NULL, an expression, a literal,
    /// a parameter that strict mode does not accept, or a `SELECT` column that is not
    /// bound. (Parent keys are `parent-key-from-unbound-source`.)
    ///
    /// ## Why is this bad?
    /// The row is written into a tenant the caller chose, which in strict mode is
    /// exactly what a malicious request would do.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO DOWNTIME_ENTRY (client_id, reason) VALUES (:body_client_id, :reason);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO DOWNTIME_ENTRY (client_id, reason) VALUES (:client_id, :reason);
    /// ```
    pub static RULE = {
        code: "TI105",
        name: "insert-unbound-tenant-value",
        severity: Error,
        summary: "an INSERT sets the tenant column from a value that is not the caller's tenant",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for insert in &cx.analysis.inserts {
        let table = cx.table_name(insert.table);
        let column = cx.tenant_column(insert.table);
        let param = cx.suggested_param();
        // A value that is not the tenant.
        let InsertProblem::UnboundValue { value } = &insert.problem else {
            continue;
        };
        let source = match value {
            Some(value) => format!("`{value}`, which is"),
            None => "a selected column that is".to_string(),
        };
        report
            .report(
                &RULE,
                insert.span,
                format!(
                    "`INSERT` into `{table}` sets `{column}` from {source} not the caller's tenant"
                ),
            )
            .label("not the caller's tenant")
            .help(format!("set `{column}` from `{param}`"))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn tenant_from_another_column_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO JOB (client_id, job_id, work_order_id) SELECT w.product_id, :job, w.work_order_id FROM WORK_ORDER w WHERE w.client_id = :client_id"
        ), @"
        error[TI105]: `INSERT` into `JOB` sets `client_id` from a selected column that is not the caller's tenant
         --> test.sql:1:59
          |
        1 | INSERT INTO JOB (client_id, job_id, work_order_id) SELECT w.product_id, :job, w.work_order_id FROM WORK_ORDER w WHERE w.client_id = :...
          |                                                           ^^^^^^^^^^^^ not the caller's tenant
          |
        help: set `client_id` from `:client_id`
        ");
    }

    #[test]
    fn child_from_a_bound_parent_ok() {
        assert_clean(
            "INSERT INTO LEGACY_INSPECTION_NOTE (quality_entry_id, note)
             SELECT q.quality_entry_id, :note FROM QUALITY_ENTRY q WHERE q.quality_entry_id = :qe AND q.client_id = :client_id",
        );
    }

    #[test]
    fn insert_select_of_the_bound_column_ok() {
        assert_clean(
            "INSERT INTO JOB (client_id, job_id, work_order_id) SELECT w.client_id, :job, w.work_order_id FROM WORK_ORDER w WHERE w.client_id = :client_id AND w.work_order_id = :wo",
        );
    }
}
