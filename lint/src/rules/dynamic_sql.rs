use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports SQL built at run time that the engine cannot see whole: a `format!`
    /// hole (`{filter}`) that is not a string constant (a constant of any module of the
    /// project is filled in), strings extended with `push_str`, `+=` or a query builder,
    /// and PL/pgSQL's `EXECUTE`. The visible rest of a `format!` string is still checked,
    /// with the hole replaced by a placeholder; a hole where a table name goes, or that
    /// leaves the statement unreadable, is reported here only.
    ///
    /// ## Why is this bad?
    /// The tenant filter may live in the part the engine cannot see, or be undone by
    /// it (`AND {filter}` where the filter is `x OR 1 = 1`). A warning by default:
    /// make the SQL static, or check it at run time with the guard.
    ///
    /// ## Example
    /// ```rust
    /// let sql = format!("SELECT * FROM JOB WHERE {filter}");
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// const SQL: &str = "SELECT * FROM JOB WHERE client_id = :client_id AND (:status IS NULL OR status = :status)";
    /// ```
    pub static RULE = {
        code: "TI303",
        name: "dynamic-sql",
        severity: Warning,
        summary: "SQL built at run time that the engine cannot see whole",
    };
}
