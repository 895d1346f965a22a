use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::SchemaReporter;

declare_rule! {
    /// ## What it does
    /// Reports a table that is neither tenant nor declared shared, yet is tied to tenant
    /// data: referenced by a tenant table, pointing at the tenant root under another
    /// column name, keeping tenant ids as text, or referencing such a table.
    ///
    /// ## Why is this bad?
    /// Whether every tenant may read it is a decision, and nobody made it. The engine
    /// does not assume either answer; the finding stays until `tenant-lint.toml` says
    /// `[tables] shared` or the table gets a tenant column. The seed audit's
    /// `FLOATING_POOL` ("may be intentional").
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE FLOATING_POOL (pool_id INTEGER PRIMARY KEY,
    ///     employee_id INTEGER REFERENCES EMPLOYEE (employee_id), current_assignment TEXT);
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [tables]
    /// shared = ["FLOATING_POOL"]   # pool members are visible to every client by design
    /// ```
    pub static RULE = {
        code: "TI208",
        name: "isolation-undecided",
        severity: Error,
        summary: "a table tied to tenant data is neither tenant nor declared shared",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let column = &model.config.tenant_column;
    for (id, info) in model.tables() {
        if info.class != TableClass::Undecided {
            continue;
        }
        let Some(def) = model.definition(id) else {
            continue;
        };
        let why = info
            .evidence
            .iter()
            .map(|e| e.describe(column))
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(finding) = report.report(
            &RULE,
            id,
            def.origin.as_ref(),
            format!(
                "isolation of `{}` is undecided: it is neither tenant nor declared shared",
                info.name
            ),
        ) {
            finding.label(why).help(format!(
                "decide: list it in `[tables] shared`, or give it {} column",
                crate::rules::article(column.trim_matches('"'))
            ));
        }
    }
}
