use crate::analysis::Role;
use crate::rules::{Context, Reporter, Unbound, declare_rule, label_weak, unbound_reason};

declare_rule! {
    /// ## What it does
    /// Reports a table read by the `SELECT` of an `INSERT … SELECT` into a tenant table
    /// when that read is not bound to the caller's tenant.
    ///
    /// ## Why is this bad?
    /// The insert copies other tenants' rows into the caller's tenant: a data leak that
    /// persists, and that no read query shows afterwards.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO JOB (client_id, job_id, work_order_id)
    /// SELECT :client_id, :job, work_order_id FROM WORK_ORDER WHERE status = 'OPEN';
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// INSERT INTO JOB (client_id, job_id, work_order_id)
    /// SELECT client_id, :job, work_order_id FROM WORK_ORDER
    /// WHERE client_id = :client_id AND status = 'OPEN';
    /// ```
    pub static RULE = {
        code: "TI106",
        name: "insert-select-unproved-source",
        severity: Error,
        summary: "an INSERT … SELECT reads rows not bound to the caller's tenant",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for occurrence in &cx.analysis.occurrences {
        if occurrence.role != Role::InsertSource {
            continue;
        }
        if matches!(unbound_reason(occurrence), Unbound::No) {
            continue;
        }
        let finding = report.report(
            &RULE,
            occurrence.span,
            format!(
                "`INSERT … SELECT` copies rows of {} that are not bound to the tenant",
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
    fn copies_other_tenants_rows_err() {
        insta::assert_snapshot!(render(
            "INSERT INTO JOB (client_id, job_id, work_order_id)\nSELECT :client_id, :job, work_order_id FROM WORK_ORDER WHERE status = 'OPEN'"
        ), @"
        error[TI106]: `INSERT … SELECT` copies rows of `WORK_ORDER` that are not bound to the tenant
         --> test.sql:2:45
          |
        2 | SELECT :client_id, :job, work_order_id FROM WORK_ORDER WHERE status = 'OPEN'
          |                                             ^^^^^^^^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `WORK_ORDER.client_id = :client_id`
        ");
    }

    #[test]
    fn bound_source_ok() {
        assert_clean(
            "INSERT INTO JOB (client_id, job_id, work_order_id) SELECT client_id, :job, work_order_id FROM WORK_ORDER WHERE client_id = :client_id AND status = 'OPEN'",
        );
    }
}
