use crate::analysis::InsertProblem;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `INSERT` into a tenant table without a column list
    /// (`INSERT INTO t VALUES (…)`, `INSERT INTO t SELECT …`).
    ///
    /// ## Why is this bad?
    /// Which value lands in the tenant column depends on the table's column order, which
    /// a migration can change; the engine cannot prove by name that the tenant column is
    /// set from the caller's tenant, so it does not assume it.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO PART_OPPORTUNITIES VALUES (:client_id, :part, 12);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit)
    /// VALUES (:client_id, :part, 12);
    /// ```
    pub static RULE = {
        code: "TI104",
        name: "insert-without-column-list",
        severity: Error,
        summary: "an INSERT into a tenant table has no column list",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for insert in &cx.analysis.inserts {
        if insert.problem != InsertProblem::NoColumnList {
            continue;
        }
        let table = cx.table_name(insert.table);
        let column = cx.tenant_column(insert.table);
        report
            .report(
                &RULE,
                insert.span,
                format!(
                    "`INSERT` into `{table}` has no column list, so `{column}` cannot be checked"
                ),
            )
            .label("no column list")
            .help(format!(
                "name the columns: `INSERT INTO {table} ({column}, …)`"
            ))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn values_without_column_list_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO PART_OPPORTUNITIES VALUES (:client_id, :part, 12)"
        ), @"
        error[TI104]: `INSERT` into `PART_OPPORTUNITIES` has no column list, so `client_id` cannot be checked
         --> test.sql:1:13
          |
        1 | INSERT INTO PART_OPPORTUNITIES VALUES (:client_id, :part, 12)
          |             ^^^^^^^^^^^^^^^^^^ no column list
          |
        help: name the columns: `INSERT INTO PART_OPPORTUNITIES (client_id, …)`
        ");
    }

    #[test]
    fn shared_table_without_column_list_ok() {
        assert_clean("INSERT INTO SHIFT VALUES (1, 'First', '06:00', '14:00')");
    }
}
