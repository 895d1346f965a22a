use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a tenant column compared to, or inserted as, a hard-coded literal
    /// (`client_id = 'ACME'`).
    ///
    /// ## Why is this bad?
    /// The statement is bound to one particular tenant, not to the caller's. In a
    /// migration or an admin report that may be intended; in application code it
    /// serves one client's data to every caller. A literal is never a proof: the table
    /// stays unbound, which the read and write rules report as errors; this warning
    /// names the literal itself.
    ///
    /// ## Example
    /// ```sql
    /// SELECT * FROM WORK_ORDER WHERE client_id = 'ACME';
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// SELECT * FROM WORK_ORDER WHERE client_id = :client_id;
    /// ```
    pub static RULE = {
        code: "TI003",
        name: "hard-coded-tenant-literal",
        severity: Warning,
        summary: "a tenant column is compared to a hard-coded literal",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for literal in &cx.analysis.literals {
        let table = cx.table_name(literal.table);
        let column = cx.tenant_column(literal.table);
        report
            .report(
                &RULE,
                literal.span,
                format!(
                    "`{table}.{column}` is bound to the hard-coded tenant {}",
                    literal.literal
                ),
            )
            .label("a fixed tenant, not the caller's")
            .help(format!(
                "bind the caller's tenant instead: `{column} = {}`",
                cx.suggested_param()
            ))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, codes, render};

    #[test]
    fn literal_in_where_err() {
        insta::assert_snapshot!(render("SELECT * FROM WORK_ORDER WHERE client_id = 'ACME'"), @"
        error[TI002]: the `client_id` filter on `WORK_ORDER` does not bind it to one tenant
         --> test.sql:1:32
          |
        1 | SELECT * FROM WORK_ORDER WHERE client_id = 'ACME'
          |               ----------       ^^^^^^^^^^^^^^^^^^ compared to the hard-coded tenant 'ACME', not the caller's
          |               |
          |               this table is not bound to the caller's tenant
          |
        help: bind it with a top-level `AND`: `WORK_ORDER.client_id = :client_id`

        warning[TI003]: `WORK_ORDER.client_id` is bound to the hard-coded tenant 'ACME'
         --> test.sql:1:32
          |
        1 | SELECT * FROM WORK_ORDER WHERE client_id = 'ACME'
          |                                ^^^^^^^^^^^^^^^^^^ a fixed tenant, not the caller's
          |
        help: bind the caller's tenant instead: `client_id = :client_id`
        ");
    }

    #[test]
    fn a_literal_is_never_a_proof_the_table_stays_unbound() {
        // The warning names the literal; the read of one fixed tenant's rows by any
        // caller is an error.
        assert_eq!(
            codes("SELECT * FROM JOB WHERE client_id = 'ACME'"),
            ["TI002", "TI003"]
        );
    }

    #[test]
    fn literal_insert_err() {
        assert_eq!(
            codes("INSERT INTO DOWNTIME_ENTRY (client_id, reason) VALUES ('ACME', 'x')"),
            ["TI003", "TI105"]
        );
    }

    #[test]
    fn parameter_ok() {
        assert_clean("SELECT * FROM WORK_ORDER WHERE client_id = ?");
    }
}
