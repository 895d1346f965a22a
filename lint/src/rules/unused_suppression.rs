use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `tenant-lint: allow(…)` comment that suppresses nothing.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next finding that lands on its line, one nobody
    /// reviewed. Remove it once the code it excused is fixed.
    ///
    /// ## Example
    /// ```sql
    /// -- tenant-lint: allow(TI001) reason="legacy report"
    /// SELECT * FROM WORK_ORDER WHERE client_id = :client_id;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// SELECT * FROM WORK_ORDER WHERE client_id = :client_id;
    /// ```
    pub static RULE = {
        code: "TI903",
        name: "unused-suppression",
        severity: Warning,
        summary: "a suppression comment suppresses nothing",
    };
}
