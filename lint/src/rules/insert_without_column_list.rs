use crate::analysis::InsertProblem;
use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `INSERT` without a column list (`INSERT INTO t VALUES (…)`, `INSERT
    /// INTO t SELECT …`) into a tenant table whose columns the engine does not know: a
    /// table listed in `[tables] tenant` without DDL, or one created by `CREATE TABLE …
    /// AS SELECT`. When the columns are known, the values are read in the table's column
    /// order, as the database reads them, and checked like any other insert.
    ///
    /// ## Why is this bad?
    /// Which value lands in the tenant column depends on a column order the engine
    /// cannot see, so it cannot prove the tenant column is set from the caller's tenant,
    /// and it does not assume it.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO IMPORTED_ROWS VALUES (:client_id, :part, 12);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO IMPORTED_ROWS (client_id, part_number, quantity)
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
    use crate::rules::testing::{assert_clean, engine_with, render, render_with};

    #[test]
    fn values_without_column_list_into_a_table_of_unknown_columns_err() {
        let engine = engine_with("[tables]\ntenant = [\"IMPORTED_ROWS\"]\n");
        insta::assert_snapshot!(render_with(
            &engine,
            "INSERT INTO IMPORTED_ROWS VALUES (:client_id, :part, 12)"
        ), @"
        error[TI104]: `INSERT` into `IMPORTED_ROWS` has no column list, so `client_id` cannot be checked
         --> test.sql:1:13
          |
        1 | INSERT INTO IMPORTED_ROWS VALUES (:client_id, :part, 12)
          |             ^^^^^^^^^^^^^ no column list
          |
        help: name the columns: `INSERT INTO IMPORTED_ROWS (client_id, …)`
        ");
    }

    #[test]
    fn values_in_the_order_of_known_columns_ok() {
        assert_clean("INSERT INTO PART_OPPORTUNITIES VALUES (:client_id, :part, 12)");
    }

    #[test]
    fn values_in_the_wrong_order_are_checked_by_position() {
        // `client_id` is the first column: it takes the part number.
        let rendered = render("INSERT INTO PART_OPPORTUNITIES VALUES ('P-1', :client_id, 12)");
        assert!(rendered.contains("error[TI105]"), "{rendered}");
    }

    #[test]
    fn shared_table_without_column_list_ok() {
        assert_clean("INSERT INTO SHIFT VALUES (1, 'First', '06:00', '14:00')");
    }
}
