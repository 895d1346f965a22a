use crate::analysis::Role;
use crate::rules::{Context, Reporter, Unbound, declare_rule, unbound_reason, weakness_text};

declare_rule! {
    /// ## What it does
    /// Reports a read of a tenant table whose tenant-column predicate exists but does
    /// not bind it to one tenant: under `OR` or `NOT`, an optional filter
    /// `(:c IS NULL OR client_id = :c)`, `IS NOT NULL`, `client_id = client_id`, `!=`,
    /// `LIKE`, an outer join's `ON` for the preserved side, or a comparison with a
    /// column or parameter that does not carry the tenant.
    ///
    /// ## Why is this bad?
    /// The query looks scoped in review but returns other tenants' rows: an `OR`
    /// swallows the filter, a NULL switches it off, a negation inverts it.
    ///
    /// ## Example
    /// ```sql
    /// SELECT * FROM WORK_ORDER
    /// WHERE client_id = :client_id OR status = 'OPEN';
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// SELECT * FROM WORK_ORDER
    /// WHERE client_id = :client_id AND (status = 'OPEN' OR status = 'HELD');
    /// ```
    pub static RULE = {
        code: "TI002",
        name: "non-binding-tenant-filter",
        severity: Error,
        summary: "a tenant predicate does not bind the table to one tenant",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    for occurrence in &cx.analysis.occurrences {
        // Only reads: an unbound write target is reported by the write rules.
        if occurrence.role != Role::Read || unbound_reason(occurrence) != Unbound::Weak {
            continue;
        }
        let first = &occurrence.weak[0];
        let finding = report.report(
            &RULE,
            first.span,
            format!(
                "the `{}` filter on {} does not bind it to one tenant",
                cx.tenant_column(occurrence.table),
                cx.describe(occurrence)
            ),
        );
        finding.label(weakness_text(&first.why)).secondary(
            occurrence.span,
            "this table is not bound to the caller's tenant",
        );
        for weak in &occurrence.weak[1..] {
            finding.secondary(weak.span, weakness_text(&weak.why));
        }
        finding
            .help(cx.bind_help(occurrence, "bind it with a top-level `AND`"))
            .table(cx.table_name(occurrence.table));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn or_swallows_the_filter_err() {
        insta::assert_snapshot!(render(
            "SELECT * FROM WORK_ORDER WHERE client_id = :client_id OR status = 'OPEN'"
        ), @"
        error[TI002]: the `client_id` filter on `WORK_ORDER` does not bind it to one tenant
         --> test.sql:1:32
          |
        1 | SELECT * FROM WORK_ORDER WHERE client_id = :client_id OR status = 'OPEN'
          |               ----------       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ inside an `OR` whose other branch is not bound to the tenant
          |               |
          |               this table is not bound to the caller's tenant
          |
        help: bind it with a top-level `AND`: `WORK_ORDER.client_id = :client_id`
        ");
    }

    #[test]
    fn optional_filter_err() {
        insta::assert_snapshot!(render(
            "SELECT * FROM HOLD_ENTRY h\nWHERE (:client_id IS NULL OR h.client_id = :client_id)"
        ), @"
        error[TI002]: the `client_id` filter on `HOLD_ENTRY` (as `h`) does not bind it to one tenant
         --> test.sql:2:8
          |
        1 | SELECT * FROM HOLD_ENTRY h
          |               ---------- this table is not bound to the caller's tenant
        2 | WHERE (:client_id IS NULL OR h.client_id = :client_id)
          |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ optional filter: when the parameter is NULL, every tenant's rows match
          |
        help: bind it with a top-level `AND`: `h.client_id = :client_id`
        ");
    }

    #[test]
    fn negation_and_null_check_err() {
        insta::assert_snapshot!(render(
            "SELECT * FROM JOB WHERE NOT client_id = :client_id AND client_id IS NOT NULL"
        ), @"
        error[TI002]: the `client_id` filter on `JOB` does not bind it to one tenant
         --> test.sql:1:29
          |
        1 | SELECT * FROM JOB WHERE NOT client_id = :client_id AND client_id IS NOT NULL
          |               ---           ^^^^^^^^^^^^^^^^^^^^^^     --------- a NULL check admits every tenant
          |               |             |
          |               |             negated: this admits every other tenant
          |               this table is not bound to the caller's tenant
          |
        help: bind it with a top-level `AND`: `JOB.client_id = :client_id`
        ");
    }

    #[test]
    fn left_join_on_does_not_filter_the_left_side_err() {
        insta::assert_snapshot!(render(
            "SELECT * FROM WORK_ORDER w LEFT JOIN JOB j ON j.client_id = w.client_id AND w.client_id = :client_id"
        ), @"
        error[TI001]: `JOB` (as `j`) is joined only to `w`, which is not bound to the tenant either
         --> test.sql:1:38
          |
        1 | SELECT * FROM WORK_ORDER w LEFT JOIN JOB j ON j.client_id = w.client_id AND w.client_id = :client_id
          |                                      ^^^ not bound to the caller's tenant
          |
        help: bind it to the caller's tenant: `j.client_id = :client_id`

        error[TI002]: the `client_id` filter on `WORK_ORDER` (as `w`) does not bind it to one tenant
         --> test.sql:1:47
          |
        1 | SELECT * FROM WORK_ORDER w LEFT JOIN JOB j ON j.client_id = w.client_id AND w.client_id = :client_id
          |               ----------                      ^^^^^^^^^^^^^^^^^^^^^^^^^     ------------------------ in the `ON` of an outer join, which does not filter this side
          |               |                               |
          |               |                               in the `ON` of an outer join, which does not filter this side
          |               this table is not bound to the caller's tenant
          |
        help: bind it with a top-level `AND`: `w.client_id = :client_id`
        ");
    }

    #[test]
    fn or_with_every_branch_bound_ok() {
        assert_clean(
            "SELECT * FROM WORK_ORDER WHERE (client_id = :client_id AND status = 'OPEN') OR (client_id = :client_id AND status = 'HELD')",
        );
    }

    #[test]
    fn optional_narrowing_next_to_a_mandatory_filter_ok() {
        assert_clean(
            "SELECT * FROM WORK_ORDER WHERE client_id = :client_id AND (:status IS NULL OR status = :status)",
        );
    }
}
