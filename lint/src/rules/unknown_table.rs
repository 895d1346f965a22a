use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a table that is neither in the schema nor listed in `[tables]`, used
    /// beside tables the schema knows. (A statement that names no table of the schema at
    /// all is `other-database-sql`.)
    ///
    /// ## Why is this bad?
    /// The engine cannot know whether an unknown table holds tenant data, and it never
    /// calls safe what it could not read. A typo, a table created outside the known
    /// migrations, or a missing schema file all end up here.
    ///
    /// ## Example
    /// ```sql
    /// SELECT * FROM WORK_ORDERS WHERE client_id = :client_id;  -- the table is WORK_ORDER
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # tenant-lint.toml
    /// [schema]
    /// files = ["migrations/*.sql"]
    /// ```
    pub static RULE = {
        code: "TI901",
        name: "unknown-table",
        severity: Error,
        summary: "a table is not in the schema or the configuration",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    // A statement that names no table of the schema is `other-database-sql`.
    if !cx.analysis.names_known_table {
        return;
    }
    for unknown in &cx.analysis.unknown_tables {
        report
            .report(
                &RULE,
                unknown.span,
                format!("unknown table `{}`: cannot prove what it holds", unknown.name),
            )
            .label("not in the schema")
            .help("declare it in a file listed in `[schema] files`, or list it in `[tables] tenant` or `shared`")
            .table(&unknown.name);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn typo_beside_a_known_table_err() {
        insta::assert_snapshot!(render("SELECT * FROM WORK_ORDER w JOIN JOBS j ON j.client_id = w.client_id WHERE w.client_id = :client_id"), @"
        error[TI901]: unknown table `JOBS`: cannot prove what it holds
         --> test.sql:1:33
          |
        1 | SELECT * FROM WORK_ORDER w JOIN JOBS j ON j.client_id = w.client_id WHERE w.client_id = :client_id
          |                                 ^^^^ not in the schema
          |
        help: declare it in a file listed in `[schema] files`, or list it in `[tables] tenant` or `shared`
        ");
    }

    #[test]
    fn cte_names_and_catalogue_tables_ok() {
        assert_clean("WITH x AS (SELECT 1 AS a) SELECT a FROM x");
        assert_clean("SELECT name FROM sqlite_master WHERE type = 'table'");
    }

    #[test]
    fn migration_tools_history_tables_ok() {
        assert_clean("SELECT version FROM _sqlx_migrations ORDER BY version DESC LIMIT 1");
        assert_clean("SELECT max(version) FROM flyway_schema_history");
    }
}
