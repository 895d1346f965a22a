use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `UPDATE` (or the `DO UPDATE` of an upsert) that assigns the tenant
    /// column.
    ///
    /// ## Why is this bad?
    /// A row's tenant never changes after it is written. Assigning the column moves the
    /// row into another tenant, even when the `WHERE` is bound: the caller hands its
    /// data to, or takes it from, someone else.
    ///
    /// ## Example
    /// ```sql
    /// UPDATE WORK_ORDER SET client_id = :new_client, status = :status
    /// WHERE client_id = :client_id AND work_order_id = :id;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// UPDATE WORK_ORDER SET status = :status
    /// WHERE client_id = :client_id AND work_order_id = :id;
    /// ```
    pub static RULE = {
        code: "TI107",
        name: "update-assigns-tenant-column",
        severity: Error,
        summary: "an UPDATE assigns the tenant column",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for assignment in &cx.analysis.tenant_assignments {
        let table = cx.table_name(assignment.table);
        report
            .report(
                &RULE,
                assignment.span,
                format!(
                    "`{table}.{}` is assigned: the row can move to another tenant",
                    assignment.column
                ),
            )
            .label("the tenant column is never written after insert")
            .help(format!("remove the assignment of `{}`", assignment.column))
            .table(table);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn set_client_id_err() {
        insta::assert_snapshot!(render(
            "UPDATE WORK_ORDER SET client_id = :new_client WHERE client_id = :client_id AND work_order_id = :id"
        ), @"
        error[TI107]: `WORK_ORDER.client_id` is assigned: the row can move to another tenant
         --> test.sql:1:23
          |
        1 | UPDATE WORK_ORDER SET client_id = :new_client WHERE client_id = :client_id AND work_order_id = :id
          |                       ^^^^^^^^^ the tenant column is never written after insert
          |
        help: remove the assignment of `client_id`
        ");
    }

    #[test]
    fn upsert_do_update_client_id_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit) VALUES (:client_id, :p, :n)\nON CONFLICT (client_id, part_number) DO UPDATE SET client_id = excluded.client_id"
        ), @"
        error[TI107]: `PART_OPPORTUNITIES.client_id` is assigned: the row can move to another tenant
         --> test.sql:2:52
          |
        2 | ON CONFLICT (client_id, part_number) DO UPDATE SET client_id = excluded.client_id
          |                                                    ^^^^^^^^^ the tenant column is never written after insert
          |
        help: remove the assignment of `client_id`
        ");
    }

    #[test]
    fn other_columns_ok() {
        assert_clean(
            "UPDATE WORK_ORDER SET status = :status WHERE client_id = :client_id AND work_order_id = :id",
        );
    }
}
