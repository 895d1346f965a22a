use crate::analysis::Role;
use crate::rules::{Context, Reporter, Unbound, article, declare_rule, unbound_reason};

declare_rule! {
    /// ## What it does
    /// Reports every read of a tenant table (in `FROM`, a join, a subquery, a CTE body,
    /// a `UNION` arm, `UPDATE … FROM` or `DELETE … USING`) that nothing binds to the
    /// caller's tenant: no `alias.client_id = :param`, no `IN` over tenant parameters,
    /// no join by tenant column to a bound occurrence, no declared foreign key equal to
    /// the key of a bound parent row (in `ON`, `USING`, `EXISTS`, `IN` or `LATERAL`), and
    /// no binding filter outside a subquery that passes its tenant column through
    /// (`docs/design.md` lists the proofs).
    ///
    /// ## Why is this bad?
    /// The query returns every tenant's rows. A KPI filtered by date only computes a
    /// plausible number that mixes clients, and nobody notices.
    ///
    /// ## Example
    /// ```sql
    /// SELECT SUM(units_produced) FROM PRODUCTION_ENTRY
    /// WHERE shift_date BETWEEN :from AND :to;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// SELECT SUM(units_produced) FROM PRODUCTION_ENTRY
    /// WHERE client_id = :client_id AND shift_date BETWEEN :from AND :to;
    /// ```
    ///
    /// ## Known limitations
    /// A filter outside a subquery binds the table inside only when the subquery passes
    /// the tenant column through unchanged and mixes no tenants' rows first (no
    /// aggregate or window across tenants, no `LIMIT`); otherwise put the filter inside.
    pub static RULE = {
        code: "TI001",
        name: "missing-tenant-filter",
        severity: Error,
        summary: "a tenant table is read without a tenant filter",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for occurrence in &cx.analysis.occurrences {
        // Only reads; writes and INSERT…SELECT sources have their own rules.
        if occurrence.role != Role::Read || unbound_reason(occurrence) != Unbound::NoPredicate {
            continue;
        }
        let what = cx.describe(occurrence);
        let column = cx.tenant_column(occurrence.table);
        let own_column = cx.model.info(occurrence.table).tenant_column.is_some();
        let message = match occurrence.linked.as_slice() {
            [] if !own_column => format!(
                "{what} has no `{column}` column and is not joined to a parent bound to the tenant"
            ),
            [] => format!("{what} is read without {} filter", article(column)),
            linked if !own_column => format!(
                "{what} has no `{}` column and is joined only to its parent `{}`, which is not bound to the tenant either",
                column,
                linked.join("`, `")
            ),
            linked => format!(
                "{what} is joined only to `{}`, which is not bound to the tenant either",
                linked.join("`, `")
            ),
        };
        report
            .report(&RULE, occurrence.span, message)
            .label("not bound to the caller's tenant")
            .help(cx.bind_help(occurrence, "bind it to the caller's tenant"))
            .table(cx.table_name(occurrence.table));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn date_only_kpi_err() {
        insta::assert_snapshot!(render(
            "SELECT SUM(units_produced) FROM PRODUCTION_ENTRY\nWHERE shift_date BETWEEN :from AND :to"
        ), @"
        error[TI001]: `PRODUCTION_ENTRY` is read without a `client_id` filter
         --> test.sql:1:33
          |
        1 | SELECT SUM(units_produced) FROM PRODUCTION_ENTRY
          |                                 ^^^^^^^^^^^^^^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `PRODUCTION_ENTRY.client_id = :client_id`
        ");
    }

    #[test]
    fn each_occurrence_is_named_with_its_alias_err() {
        insta::assert_snapshot!(render(
            "SELECT w.work_order_id, j.job_id FROM WORK_ORDER w JOIN JOB j ON j.work_order_id = w.work_order_id WHERE w.client_id = :client_id"
        ), @"
        error[TI001]: `JOB` (as `j`) is read without a `client_id` filter
         --> test.sql:1:57
          |
        1 | SELECT w.work_order_id, j.job_id FROM WORK_ORDER w JOIN JOB j ON j.work_order_id = w.work_order_id WHERE w.client_id = :client_id
          |                                                         ^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `j.client_id = :client_id`
        ");
    }

    #[test]
    fn child_without_tenant_column_err() {
        insta::assert_snapshot!(render(
            "SELECT note FROM LEGACY_INSPECTION_NOTE WHERE quality_entry_id = :id"
        ), @"
        error[TI001]: `LEGACY_INSPECTION_NOTE` has no `client_id` column and is not joined to a parent bound to the tenant
         --> test.sql:1:18
          |
        1 | SELECT note FROM LEGACY_INSPECTION_NOTE WHERE quality_entry_id = :id
          |                  ^^^^^^^^^^^^^^^^^^^^^^ not bound to the caller's tenant
          |
        help: `LEGACY_INSPECTION_NOTE` has no `client_id` column: join its parent and bind that, `JOIN QUALITY_ENTRY p ON p.quality_entry_id = LEGACY_INSPECTION_NOTE.quality_entry_id AND p.client_id = :client_id`
        ");
    }

    #[test]
    fn join_propagation_ok() {
        assert_clean(
            "SELECT j.job_id FROM WORK_ORDER w JOIN JOB j ON j.client_id = w.client_id AND j.work_order_id = w.work_order_id WHERE w.client_id = :client_id",
        );
    }

    #[test]
    fn scoped_cte_and_in_subquery_ok() {
        assert_clean(
            "WITH wo AS (SELECT work_order_id, client_id FROM WORK_ORDER WHERE client_id = :client_id)
             SELECT j.job_id FROM JOB j JOIN wo ON wo.client_id = j.client_id
             WHERE j.work_order_id IN (SELECT work_order_id FROM WORK_ORDER WHERE client_id = :client_id)",
        );
    }

    #[test]
    fn child_bound_through_parent_ok() {
        assert_clean(
            "SELECT n.note FROM LEGACY_INSPECTION_NOTE n JOIN QUALITY_ENTRY q ON q.quality_entry_id = n.quality_entry_id WHERE q.client_id = :client_id",
        );
    }

    #[test]
    fn shared_tables_only_ok() {
        assert_clean("SELECT p.product_code, s.shift_name FROM PRODUCT p CROSS JOIN SHIFT s");
    }
}
