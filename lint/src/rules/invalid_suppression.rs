use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `tenant-lint: allow(…)` comment that is malformed, names an unknown
    /// rule, or gives no `reason="…"`.
    ///
    /// ## Why is this bad?
    /// A suppression is an exception to isolation that a reviewer must be able to
    /// judge; without a reason it cannot be judged, and a typo in the rule name would
    /// silently suppress nothing.
    ///
    /// ## Example
    /// ```sql
    /// -- tenant-lint: allow(TI001)
    /// SELECT * FROM CLIENT;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// -- tenant-lint: allow(TI001) reason="admin console lists every client"
    /// SELECT * FROM CLIENT;
    /// ```
    pub static RULE = {
        code: "TI902",
        name: "invalid-suppression",
        severity: Error,
        summary: "a suppression comment is malformed, unknown, or has no reason",
    };
}
