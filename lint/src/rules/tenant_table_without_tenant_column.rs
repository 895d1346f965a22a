use crate::model::TenantModel;
use crate::model::tenant::Evidence;
use crate::rules::declare_rule;
use crate::rules::schema::{SchemaReporter, references_root, root, tenant_tables};

declare_rule! {
    /// ## What it does
    /// Reports a table that holds tenant data but has no tenant column: a table listed
    /// in `[tables] tenant`, or a table with a foreign key to a tenant table (its rows
    /// belong to their parent's tenant), unless it is declared shared.
    ///
    /// ## Why is this bad?
    /// Nothing in the row says whose it is. Every query must join to the parent to
    /// find out, and one that does not (a line item looked up by its work order id)
    /// reads every tenant's rows. The seed audit's CRITICAL finding (`JOB`) and HIGH
    /// finding (`DEFECT_DETAIL`) are this rule.
    ///
    /// ## Example
    /// ```sql
    /// CREATE TABLE JOB (
    ///     job_id        TEXT PRIMARY KEY,
    ///     work_order_id TEXT REFERENCES WORK_ORDER (work_order_id)
    /// );
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE TABLE JOB (
    ///     client_id     TEXT NOT NULL REFERENCES CLIENT (client_id),
    ///     job_id        TEXT NOT NULL,
    ///     work_order_id TEXT NOT NULL,
    ///     PRIMARY KEY (client_id, job_id),
    ///     FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id)
    /// );
    /// ```
    pub static RULE = {
        code: "TI201",
        name: "tenant-table-without-tenant-column",
        severity: Error,
        summary: "a table holding tenant data has no tenant column",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    let root = root(model);
    let column = model.config.tenant_column.trim_matches('"');
    let column_sql = model.dialect().show(column);
    let references = references_root(root.as_ref());
    let key_type = root.as_ref().map_or("TEXT", |r| r.key_type.as_str());
    for (id, def) in tenant_tables(model) {
        let info = model.info(id);
        if info.tenant_column.is_some() {
            continue;
        }
        let why = info
            .evidence
            .iter()
            .map(|e| e.describe(column))
            .collect::<Vec<_>>()
            .join("; ");
        let parent = info.evidence.iter().find_map(|e| match e {
            Evidence::ChildOf { parent, columns } => Some((parent.clone(), columns.join(", "))),
            _ => None,
        });
        let help = match &parent {
            Some((parent, fk)) => format!(
                "add `{column_sql} {key_type} NOT NULL {references}` with an index, and reference `{parent}` through `({column_sql}, {fk})`"
            ),
            None => format!(
                "add `{column_sql} {key_type} NOT NULL {references}` with an index that starts with it"
            ),
        };
        if let Some(finding) = report.report(
            &RULE,
            id,
            def.origin.as_ref(),
            format!(
                "`{}` holds tenant data but has no `{}` column",
                info.name, column
            ),
        ) {
            finding.label(why).help(help);
        }
    }
}
