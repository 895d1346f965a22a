use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a tenant table used in a construct the engine does not model: `TRUNCATE`,
    /// `MERGE`, `PIVOT` and other dialect extensions.
    ///
    /// ## Why is this bad?
    /// An analysis that skips what it does not understand reports a clean result for
    /// code it never checked. tenant-lint fails closed instead: a use it cannot prove is
    /// an error until the construct is supported or the use is suppressed with a reason.
    ///
    /// ## Example
    /// ```sql
    /// TRUNCATE TABLE DOWNTIME_ENTRY;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// DELETE FROM DOWNTIME_ENTRY WHERE client_id = :client_id;
    /// ```
    pub static RULE = {
        code: "TI904",
        name: "unsupported-sql",
        severity: Error,
        summary: "a tenant table is used in a construct the engine cannot prove",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for unsupported in &cx.analysis.unsupported {
        let table = cx.table_name(unsupported.table);
        report
            .report(
                &RULE,
                unsupported.span,
                format!(
                    "`{table}` is used in {}, which tenant-lint cannot prove bound to the tenant",
                    unsupported.construct
                ),
            )
            .label("not analysed")
            .help("rewrite it with plain SELECT / INSERT / UPDATE / DELETE, or suppress it with a reason")
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn truncate_of_a_tenant_table_err() {
        insta::assert_snapshot!(render("TRUNCATE TABLE WORK_ORDER"), @"
        error[TI904]: `WORK_ORDER` is used in `TRUNCATE TABLE`, which tenant-lint cannot prove bound to the tenant
         --> test.sql:1:16
          |
        1 | TRUNCATE TABLE WORK_ORDER
          |                ^^^^^^^^^^ not analysed
          |
        help: rewrite it with plain SELECT / INSERT / UPDATE / DELETE, or suppress it with a reason
        ");
    }

    #[test]
    fn a_view_definition_is_schema_ok() {
        // The view is tenant data; its reads are what must be bound.
        assert_clean("CREATE VIEW open_orders AS SELECT * FROM WORK_ORDER WHERE status = 'OPEN'");
    }

    #[test]
    fn view_over_shared_tables_ok() {
        assert_clean("CREATE VIEW products AS SELECT * FROM PRODUCT");
    }
}
