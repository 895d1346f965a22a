use crate::analysis::Role;
use crate::rules::{Context, Reporter, Unbound, declare_rule, label_weak, unbound_reason};

declare_rule! {
    /// ## What it does
    /// Reports a `DELETE` whose target table is not bound to the caller's tenant (by
    /// its `WHERE`, or the joins of `DELETE … USING`).
    ///
    /// ## Why is this bad?
    /// A delete by id alone removes whichever tenant's row has that id; a delete by date
    /// alone empties the table for every tenant.
    ///
    /// ## Example
    /// ```sql
    /// DELETE FROM DOWNTIME_ENTRY WHERE shift_date < :cutoff;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// DELETE FROM DOWNTIME_ENTRY WHERE client_id = :client_id AND shift_date < :cutoff;
    /// ```
    pub static RULE = {
        code: "TI102",
        name: "unscoped-delete",
        severity: Error,
        summary: "a DELETE is not bound to the caller's tenant",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for occurrence in &cx.analysis.occurrences {
        if occurrence.role != Role::DeleteTarget {
            continue;
        }
        if matches!(unbound_reason(occurrence), Unbound::No) {
            continue;
        }
        let finding = report.report(
            &RULE,
            occurrence.span,
            format!(
                "`DELETE` from {} is not bound to the tenant: it can remove other tenants' rows",
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
    fn delete_by_date_only_err() {
        insta::assert_snapshot!(render("DELETE FROM DOWNTIME_ENTRY WHERE shift_date < :cutoff"), @"
        error[TI102]: `DELETE` from `DOWNTIME_ENTRY` is not bound to the tenant: it can remove other tenants' rows
         --> test.sql:1:13
          |
        1 | DELETE FROM DOWNTIME_ENTRY WHERE shift_date < :cutoff
          |             ^^^^^^^^^^^^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `DOWNTIME_ENTRY.client_id = :client_id`
        ");
    }

    #[test]
    fn delete_using_binds_through_the_join_ok() {
        assert_clean(
            "DELETE FROM JOB USING WORK_ORDER w
             WHERE JOB.client_id = w.client_id AND JOB.work_order_id = w.work_order_id
               AND w.client_id = :client_id AND w.status = 'CANCELLED'",
        );
    }

    #[test]
    fn scoped_delete_ok() {
        assert_clean("DELETE FROM DOWNTIME_ENTRY WHERE client_id = ?1 AND downtime_id = ?2");
    }
}
