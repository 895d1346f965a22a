use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports SQL the parser cannot read, at the token where reading failed: syntax
    /// errors, unterminated strings, constructs of another dialect, nesting deeper
    /// than the engine analyses. Statements that read and write no rows (`GRANT`,
    /// `CREATE EXTENSION`, …) are not reported when the parser cannot read them, and the
    /// statements inside PostgreSQL routine bodies are read on their own.
    ///
    /// ## Why is this bad?
    /// tenant-lint proves what it reads; it cannot prove what it cannot read. Skipping
    /// the statement would report a clean result for SQL nobody checked, so an
    /// unreadable statement fails the gate (fail closed).
    ///
    /// ## Example
    /// ```sql
    /// SELECT * FORM WORK_ORDER WHERE client_id = :client_id;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// SELECT * FROM WORK_ORDER WHERE client_id = :client_id;
    /// ```
    /// If the SQL is valid, check `dialect` in `tenant-lint.toml` (and `[scan.dialects]`
    /// for files written for another database).
    pub static RULE = {
        code: "TI999",
        name: "unparseable-sql",
        severity: Error,
        summary: "SQL that cannot be parsed (fail closed)",
    };
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::render;

    #[test]
    fn typo_err() {
        insta::assert_snapshot!(render("SELECT * FORM WORK_ORDER WHERE client_id = :client_id"), @"
        error[TI999]: cannot parse this statement: expected end of statement, found `FORM`
         --> test.sql:1:10
          |
        1 | SELECT * FORM WORK_ORDER WHERE client_id = :client_id
          |          ^ parsing stopped here
          |
        help: tenant-lint cannot prove what it cannot read: fix the SQL, or set `dialect` in tenant-lint.toml
        ");
    }

    #[test]
    fn unterminated_string_err() {
        insta::assert_snapshot!(render("SELECT * FROM WORK_ORDER\nWHERE status = 'OPEN"), @"
        error[TI999]: cannot parse this statement: unterminated string literal
         --> test.sql:2:16
          |
        2 | WHERE status = 'OPEN
          |                ^ parsing stopped here
          |
        help: tenant-lint cannot prove what it cannot read: fix the SQL, or set `dialect` in tenant-lint.toml
        ");
    }
}
