use crate::analysis::Role;
use crate::rules::{Context, Reporter, Unbound, declare_rule, label_weak, unbound_reason};

declare_rule! {
    /// ## What it does
    /// Reports an `UPDATE` whose target table is not bound to the caller's tenant
    /// (by its `WHERE`, or the joins of `UPDATE … FROM`).
    ///
    /// ## Why is this bad?
    /// `UPDATE work_order SET status = 'CLOSED' WHERE work_order_id = :id` changes the
    /// row of whichever tenant owns that id. Ids leak, are guessed, or collide; the
    /// tenant filter is the only thing that keeps a write inside its tenant.
    ///
    /// ## Example
    /// ```sql
    /// UPDATE WORK_ORDER SET status = 'CLOSED' WHERE work_order_id = :id;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// UPDATE WORK_ORDER SET status = 'CLOSED'
    /// WHERE client_id = :client_id AND work_order_id = :id;
    /// ```
    pub static RULE = {
        code: "TI101",
        name: "unscoped-update",
        severity: Error,
        summary: "an UPDATE is not bound to the caller's tenant",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for occurrence in &cx.analysis.occurrences {
        if occurrence.role != Role::UpdateTarget {
            continue;
        }
        if matches!(unbound_reason(occurrence), Unbound::No) {
            continue;
        }
        let finding = report.report(
            &RULE,
            occurrence.span,
            format!(
                "`UPDATE` of {} is not bound to the tenant: it can change other tenants' rows",
                cx.describe(occurrence)
            ),
        );
        finding.label("not bound to the caller's tenant");
        label_weak(finding, occurrence);
        finding
            .help(cx.bind_help(occurrence, "bind it to the caller's tenant"))
            .table(cx.table_name(occurrence.table));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn update_by_id_only_err() {
        insta::assert_snapshot!(render(
            "UPDATE WORK_ORDER SET status = 'CLOSED' WHERE work_order_id = :id"
        ), @"
        error[TI101]: `UPDATE` of `WORK_ORDER` is not bound to the tenant: it can change other tenants' rows
         --> test.sql:1:8
          |
        1 | UPDATE WORK_ORDER SET status = 'CLOSED' WHERE work_order_id = :id
          |        ^^^^^^^^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `WORK_ORDER.client_id = :client_id`
        ");
    }

    #[test]
    fn update_from_binds_through_the_join_ok() {
        assert_clean(
            "UPDATE JOB SET completed_quantity = 0 FROM WORK_ORDER w
             WHERE JOB.client_id = w.client_id AND JOB.work_order_id = w.work_order_id AND w.client_id = :client_id",
        );
    }

    #[test]
    fn scoped_update_ok() {
        assert_clean(
            "UPDATE WORK_ORDER SET status = :status WHERE client_id = :client_id AND work_order_id = :id",
        );
    }
}
