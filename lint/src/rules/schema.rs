//! Running the schema rules (`TI2xx`): they read the tenant model, not a statement,
//! and report at the DDL that declared the table, column, key or foreign key.

use std::path::Path;
use std::sync::Arc;

use crate::model::schema::{Origin, Table};
use crate::model::{TableClass, TableId, TenantModel};
use crate::report::diagnostic::Finding;
use crate::rules::{Reporter, Rule};

/// A schema finding and the file of the DDL it points at.
#[derive(Debug, Clone)]
pub struct SchemaFinding {
    pub path: Arc<Path>,
    pub table: TableId,
    pub finding: Finding,
}

/// Collects schema findings.
#[derive(Default)]
pub struct SchemaReporter {
    pub findings: Vec<SchemaFinding>,
}

impl SchemaReporter {
    /// Reports at `origin`; a table declared without any origin (listed only in the
    /// configuration) has no DDL to point at and is not reported.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        table: TableId,
        origin: Option<&Origin>,
        message: String,
    ) -> Option<&mut Finding> {
        let origin = origin?;
        let mut reporter = Reporter::default();
        reporter.report(rule, origin.span, message);
        self.findings.push(SchemaFinding {
            path: origin.path.clone(),
            table,
            finding: reporter.findings.remove(0),
        });
        self.findings.last_mut().map(|f| &mut f.finding)
    }
}

/// The tenant tables of the model with their definitions (the root and views
/// excluded: a view stores nothing, and its uses are reported where they are).
pub(crate) fn tenant_tables(model: &TenantModel) -> impl Iterator<Item = (TableId, &Table)> {
    model.tables().filter_map(|(id, info)| {
        (info.class == TableClass::Tenant)
            .then(|| model.definition(id).map(|def| (id, def)))
            .flatten()
            .filter(|(_, def)| !def.is_view)
    })
}

/// The root table, as SQL writes it, and its key column and type, for suggestions
/// (`REFERENCES CLIENT (client_id)`); `None` when the schema has no root.
pub(crate) struct Root {
    pub table: String,
    pub key: String,
    /// The key's declared type (`uuid`, `TEXT`), for a column that references it.
    pub key_type: String,
}

pub(crate) fn root(model: &TenantModel) -> Option<Root> {
    let (id, info) = model
        .tables()
        .find(|(_, info)| info.class == TableClass::Root)?;
    let key = info
        .tenant_column
        .clone()
        .unwrap_or_else(|| model.config.tenant_column.clone());
    let key_type = model
        .definition(id)
        .and_then(|d| d.column(model.dialect(), &key))
        .map(|c| c.data_type.clone())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "TEXT".to_string());
    Some(Root {
        table: info.name.clone(),
        key: model.dialect().show(&key),
        key_type: key_type.replace("SERIAL", "INTEGER"),
    })
}

/// `REFERENCES CLIENT (client_id)`, or a description when the schema has no root.
pub(crate) fn references_root(root: Option<&Root>) -> String {
    match root {
        Some(root) => format!("REFERENCES {} ({})", root.table, root.key),
        None => "REFERENCES <the tenant table> (<its key>)".to_string(),
    }
}

/// Runs every schema rule.
pub fn check_schema(model: &TenantModel) -> Vec<SchemaFinding> {
    let mut reporter = SchemaReporter::default();
    super::tenant_table_without_tenant_column::check(model, &mut reporter);
    super::nullable_tenant_column::check(model, &mut reporter);
    super::tenant_column_without_foreign_key::check(model, &mut reporter);
    super::tenant_column_not_indexed::check(model, &mut reporter);
    super::tenant_as_text::check(model, &mut reporter);
    super::global_key_on_tenant_table::check(model, &mut reporter);
    super::child_foreign_key_without_tenant::check(model, &mut reporter);
    super::isolation_undecided::check(model, &mut reporter);
    super::rls_not_enabled::check(model, &mut reporter);
    super::policy_not_binding::check(model, &mut reporter);
    super::rls_bypassed::check(model, &mut reporter);
    for finding in &mut reporter.findings {
        finding.finding.table = Some(model.info(finding.table).name.clone());
    }
    reporter.findings
}
