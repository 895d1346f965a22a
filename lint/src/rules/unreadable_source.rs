use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a scanned file that cannot be read: not valid UTF-8 (at the first bad
    /// byte), binary content, an I/O error, or a Rust file that does not parse (at the
    /// syntax error).
    ///
    /// ## Why is this bad?
    /// SQL in a file the engine cannot read is SQL nobody checked; the gate fails
    /// rather than passing it silently.
    ///
    /// ## Example
    /// ```sql
    /// -- a file saved as Latin-1: SELECT * FROM WORK_ORDER WHERE note = 'caf\xe9'
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// -- the same file saved as UTF-8
    /// ```
    pub static RULE = {
        code: "TI905",
        name: "unreadable-source",
        severity: Error,
        summary: "a scanned file cannot be read, or a Rust file cannot be parsed",
    };
}
