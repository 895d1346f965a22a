use crate::model::schema::Policy;
use crate::model::{TableClass, TenantModel};
use crate::rules::declare_rule;
use crate::rules::schema::SchemaReporter;

declare_rule! {
    /// ## What it does
    /// Reports a permissive row-level security policy of a tenant table whose `USING` or
    /// `WITH CHECK` expression does not bind the table to the connection's tenant: the
    /// expression is read as a query's `WHERE` would be, with
    /// `current_setting('app.tenant_id')` (`[rls] setting`) as the caller's tenant, so an
    /// `OR true`, an optional filter, a comparison with another column or a hard-coded
    /// tenant fail it as they fail a query. A child table without the tenant column is
    /// bound through its parent (`EXISTS` over the parent's rows of the tenant).
    ///
    /// ## Why is this bad?
    /// Permissive policies combine with `OR`: one policy that lets a row through lets it
    /// through, whatever the others say. A policy that does not bind the tenant is no
    /// wall.
    ///
    /// ## Example
    /// ```sql
    /// CREATE POLICY tenant_isolation ON orders
    ///     USING (org_id = current_setting('app.tenant_id')::uuid OR current_setting('app.admin', true) = 'on');
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// CREATE POLICY tenant_isolation ON orders
    ///     USING (org_id = current_setting('app.tenant_id')::uuid)
    ///     WITH CHECK (org_id = current_setting('app.tenant_id')::uuid);
    /// ```
    pub static RULE = {
        code: "TI210",
        name: "policy-does-not-bind-tenant",
        severity: Error,
        summary: "a row-level security policy does not bind the tenant",
    };
}

pub fn check(model: &TenantModel, report: &mut SchemaReporter) {
    for (id, info) in model.tables() {
        if !matches!(info.class, TableClass::Tenant | TableClass::Root) {
            continue;
        }
        let Some(def) = model.definition(id) else {
            continue;
        };
        for policy in def.policies.iter().filter(|p| p.permissive) {
            let table = model.schema.display_name(def);
            for (clause, expr) in [("USING", &policy.using), ("WITH CHECK", &policy.with_check)] {
                let Some(expr) = expr else {
                    continue;
                };
                if binds(model, &table, expr) {
                    continue;
                }
                // At the expression itself, when its place in the file is known.
                use sqlparser::ast::Spanned;
                let span = expr.span();
                let at_expr = policy
                    .origin
                    .as_ref()
                    .filter(|_| span.start.line > 0)
                    .map(|o| crate::model::schema::Origin {
                        path: o.path.clone(),
                        span,
                    });
                let origin = at_expr
                    .as_ref()
                    .or(policy.origin.as_ref())
                    .or(def.origin.as_ref());
                if let Some(finding) = report.report(
                    &RULE,
                    id,
                    origin,
                    format!(
                        "the {clause} expression of policy `{}` on `{}` does not bind it to the connection's tenant",
                        policy.name, info.name
                    ),
                ) {
                    finding
                        .label(format!("the {clause} expression of `{}`", policy.name))
                        .help(help(model, info.tenant_column.as_deref(), policy));
                }
            }
        }
    }
}

/// Whether `expr`, as the `WHERE` of a read of `table`, proves it bound to the tenant.
fn binds(model: &TenantModel, table: &str, expr: &sqlparser::ast::Expr) -> bool {
    let text = format!("SELECT 1 FROM {table} WHERE {expr}");
    let Ok(mut statements) = sqlparser::parser::Parser::parse_sql(model.dialect().parser(), &text)
    else {
        return false;
    };
    let Some(statement) = statements.pop() else {
        return false;
    };
    let analysis = crate::analysis::analyze(model, &statement);
    analysis
        .occurrences
        .first()
        .is_some_and(|occurrence| occurrence.proved)
}

fn help(model: &TenantModel, column: Option<&str>, policy: &Policy) -> String {
    let setting = &model.config.rls.setting;
    match column {
        Some(column) => format!(
            "bind the tenant column and nothing else: `USING ({column} = current_setting('{setting}')::<type>)`, the same in `WITH CHECK`; policy `{}` (`tenant-lint rls` writes one)",
            policy.name
        ),
        None => format!(
            "bind the parent: `USING (EXISTS (SELECT 1 FROM <parent> p WHERE p.<key> = <parent key column> AND p.<tenant column> = current_setting('{setting}')::<type>))` (`tenant-lint rls` writes it)"
        ),
    }
}
