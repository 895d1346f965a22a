use crate::rules::{Context, Reporter, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports, once, a statement none of whose tables is in the schema: SQL written
    /// for another database (a query console over a user's own database, a parser's
    /// test input, the queries of an analytics store beside the service's own).
    ///
    /// ## Why is this bad?
    /// It may be nothing: the configured schema is the schema tenant-lint proves, and a
    /// statement that names none of its tables can read or write none of its rows. Or
    /// it is a sign that the schema is incomplete (a missing migration directory, a
    /// table created outside the migrations), and then the statement is not checked at
    /// all. A warning by default, so SQL for other databases does not fail the gate;
    /// teams whose configured schema must be complete set `[rules] TI906 = "error"`. A
    /// statement that mixes known tables with an unknown one is `unknown-table`, an error.
    ///
    /// ## Example
    /// ```sql
    /// SELECT count(*) FROM telemetry_logs WHERE ts > now() - interval '1 day';
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # tenant-lint.toml: the file is for another database
    /// [scan]
    /// exclude = ["target/**", "analytics/**"]
    /// ```
    pub static RULE = {
        code: "TI906",
        name: "other-database-sql",
        severity: Warning,
        summary: "a statement names no table of the schema: it is written for another database",
    };
}

pub fn check(cx: &Context, report: &mut Reporter) {
    let analysis = cx.analysis;
    let Some(first) = analysis.unknown_tables.first() else {
        return;
    };
    if analysis.names_known_table {
        return;
    }
    let mut names: Vec<&str> = analysis
        .unknown_tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    names.dedup();
    let listed: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 3 {
        format!(" and {} more", names.len() - 3)
    } else {
        String::new()
    };
    report
        .report(
            &RULE,
            first.span,
            format!(
                "no table of this statement is in the schema ({}{more}): it is not checked",
                listed.join(", ")
            ),
        )
        .label("not in the schema")
        .help("exclude SQL for other databases with `[scan] exclude`, or add the missing schema files to `[schema] files`")
        .table(&first.name);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, render};

    #[test]
    fn only_unknown_tables_err() {
        insta::assert_snapshot!(render("SELECT * FROM telemetry_logs l JOIN traces t ON t.id = l.trace_id"), @"
        warning[TI906]: no table of this statement is in the schema (`telemetry_logs`, `traces`): it is not checked
         --> test.sql:1:15
          |
        1 | SELECT * FROM telemetry_logs l JOIN traces t ON t.id = l.trace_id
          |               ^^^^^^^^^^^^^^ not in the schema
          |
        help: exclude SQL for other databases with `[scan] exclude`, or add the missing schema files to `[schema] files`
        ");
    }

    #[test]
    fn no_tables_or_catalogue_only_ok() {
        assert_clean("SELECT 1");
        assert_clean("SELECT name FROM sqlite_master WHERE type = 'table'");
    }
}
