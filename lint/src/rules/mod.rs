//! The rules: one file each, its documentation on top, its tests at the bottom.
//!
//! Codes: `TI0xx` reads, `TI1xx` writes, `TI2xx` schema, `TI3xx` Rust-level,
//! `TI9xx` meta. A code is never reused. Rules read the facts of
//! [`crate::analysis`] and report [`Finding`]s; they never print or read files.

use sqlparser::tokenizer::Span;

use crate::analysis::{Occurrence, StatementAnalysis};
use crate::model::TenantModel;
use crate::report::diagnostic::{Finding, Label, Severity};

pub mod child_foreign_key_without_tenant;
pub mod dynamic_sql;
pub mod global_key_on_tenant_table;
pub mod hard_coded_tenant;
pub mod insert_select_unproved_source;
pub mod insert_unbound_tenant_value;
pub mod insert_without_column_list;
pub mod insert_without_tenant_column;
pub mod invalid_suppression;
pub mod isolation_undecided;
pub mod missing_tenant_filter;
pub mod missing_tenant_scope;
pub mod non_binding_tenant_filter;
pub mod nullable_tenant_column;
pub mod other_database_sql;
pub mod parent_key_from_unbound_source;
pub mod policy_not_binding;
pub mod rls_bypassed;
pub mod rls_not_enabled;
pub mod schema;
pub mod tenant_as_text;
pub mod tenant_column_not_indexed;
pub mod tenant_column_without_foreign_key;
pub mod tenant_table_without_tenant_column;
pub mod unknown_table;
pub mod unparseable_sql;
pub mod unreadable_source;
pub mod unscoped_delete;
pub mod unscoped_update;
pub mod unsupported_sql;
pub mod unused_suppression;
pub mod unused_tenant_scope;
pub mod update_assigns_tenant_column;
pub mod upsert_conflict_key_without_tenant;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    /// Reads well after "allow": `missing-tenant-filter`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line, for rule lists.
    pub summary: &'static str,
    /// The rule's `///` documentation, as Markdown.
    pub docs: &'static str,
}

impl Rule {
    /// The documentation with the one leading space of each `///` line removed.
    pub fn documentation(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// Declares a rule; its doc comment becomes [`Rule::docs`], printed by `tenant-lint rule`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub static $NAME:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $NAME: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::report::diagnostic::Severity::$severity,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &missing_tenant_filter::RULE,
    &non_binding_tenant_filter::RULE,
    &hard_coded_tenant::RULE,
    &unscoped_update::RULE,
    &unscoped_delete::RULE,
    &insert_without_tenant_column::RULE,
    &insert_without_column_list::RULE,
    &insert_unbound_tenant_value::RULE,
    &insert_select_unproved_source::RULE,
    &update_assigns_tenant_column::RULE,
    &upsert_conflict_key_without_tenant::RULE,
    &parent_key_from_unbound_source::RULE,
    &tenant_table_without_tenant_column::RULE,
    &nullable_tenant_column::RULE,
    &tenant_column_without_foreign_key::RULE,
    &tenant_column_not_indexed::RULE,
    &tenant_as_text::RULE,
    &global_key_on_tenant_table::RULE,
    &child_foreign_key_without_tenant::RULE,
    &isolation_undecided::RULE,
    &rls_not_enabled::RULE,
    &policy_not_binding::RULE,
    &rls_bypassed::RULE,
    &missing_tenant_scope::RULE,
    &unused_tenant_scope::RULE,
    &dynamic_sql::RULE,
    &unknown_table::RULE,
    &invalid_suppression::RULE,
    &unused_suppression::RULE,
    &unsupported_sql::RULE,
    &unreadable_source::RULE,
    &other_database_sql::RULE,
    &unparseable_sql::RULE,
];

/// Finds a rule by code (`TI001`, case-insensitive) or name (`missing-tenant-filter`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    let wanted = code_or_name.trim();
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
}

/// What a rule looks at: one analysed statement and the model it was analysed against.
pub struct Context<'a> {
    pub analysis: &'a StatementAnalysis,
    pub model: &'a TenantModel,
}

impl Context<'_> {
    /// `` `JOB` (as `j`) `` or `` `JOB` ``.
    pub fn describe(&self, occurrence: &Occurrence) -> String {
        let table = &self.model.info(occurrence.table).name;
        match &occurrence.alias {
            Some(alias) if !alias.eq_ignore_ascii_case(table) => {
                format!("`{table}` (as `{alias}`)")
            }
            _ => format!("`{table}`"),
        }
    }

    /// How SQL refers to an occurrence: its alias, else its table name.
    pub fn qualifier(&self, occurrence: &Occurrence) -> String {
        occurrence
            .alias
            .clone()
            .unwrap_or_else(|| self.model.info(occurrence.table).name.clone())
    }

    pub fn table_name(&self, table: usize) -> &str {
        &self.model.info(table).name
    }

    /// The bind parameter to suggest for the tenant, in the statement's own style: the
    /// first strict-mode parameter; else `$N`/`?N` one past the highest the statement
    /// uses, `@tenant` or `sqlc.arg(tenant)` beside such parameters, `:tenant`; without
    /// any parameter, the dialect's usual one.
    pub fn suggested_param(&self) -> String {
        let config = &self.model.config;
        if let Some(param) = config.params.first() {
            return param.clone();
        }
        let name = config.tenant_column.trim_matches('"');
        let next = self.analysis.max_positional + 1;
        match self.analysis.first_param.as_deref() {
            Some(p) if p.starts_with('$') && p[1..].starts_with(|c: char| c.is_ascii_digit()) => {
                format!("${next}")
            }
            Some(p) if p.starts_with('?') && p.len() > 1 => format!("?{next}"),
            Some("?") => "?".to_string(),
            Some(p) if p.starts_with("sqlc.") => format!("sqlc.arg({name})"),
            Some(p) if p.starts_with('@') => format!("@{name}"),
            Some(_) => format!(":{name}"),
            None => match self.model.dialect() {
                crate::model::Dialect::Postgres => "$1".to_string(),
                crate::model::Dialect::Mysql => "?".to_string(),
                _ => format!(":{name}"),
            },
        }
    }

    /// A column name as SQL writes it in this dialect (`"teamId"` in PostgreSQL).
    pub fn column_sql(&self, column: &str) -> String {
        self.model.dialect().show(column)
    }

    /// The tenant column of a table, or the configured default for display.
    pub fn tenant_column(&self, table: usize) -> &str {
        self.model
            .info(table)
            .tenant_column
            .as_deref()
            .unwrap_or(&self.model.config.tenant_column)
    }

    /// `bind it to the caller's tenant: `j.client_id = :client_id``, or, for a child
    /// without tenant column, how to bind it through its parent.
    pub fn bind_help(&self, occurrence: &Occurrence, how: &str) -> String {
        let qualifier = self.qualifier(occurrence);
        let param = self.suggested_param();
        let info = self.model.info(occurrence.table);
        let configured = self.model.config.tenant_column.trim_matches('"');
        let configured_sql = self.column_sql(configured);
        match &info.tenant_column {
            Some(column) => format!("{how}: `{qualifier}.{} = {param}`", self.column_sql(column)),
            None => match self.parent_of(occurrence.table) {
                Some((parent, _, _)) if !occurrence.linked.is_empty() => {
                    let parent_column = self
                        .model
                        .lookup_str(&parent)
                        .and_then(|p| self.model.info(p).tenant_column.clone())
                        .map_or(configured_sql.clone(), |c| self.column_sql(&c));
                    format!(
                        "`{}` has no `{}` column: bind the parent it is joined to, `{}.{parent_column} = {param}`",
                        info.name, configured, occurrence.linked[0],
                    )
                }
                Some((parent, fk, key)) => {
                    let parent_column = self
                        .model
                        .lookup_str(&parent)
                        .and_then(|p| self.model.info(p).tenant_column.clone())
                        .map_or(configured_sql.clone(), |c| self.column_sql(&c));
                    format!(
                        "`{}` has no `{}` column: join its parent and bind that, `JOIN {parent} p ON p.{} = {qualifier}.{} AND p.{parent_column} = {param}`",
                        info.name,
                        configured,
                        self.column_sql(&key),
                        self.column_sql(&fk),
                    )
                }
                None => format!(
                    "`{}` has no `{}` column: add one (a schema fix) and bind it",
                    info.name, configured
                ),
            },
        }
    }

    /// The first scoped parent of a child without tenant column: (parent, fk, key).
    pub fn parent_of(&self, table: usize) -> Option<(String, String, String)> {
        let def = self.model.definition(table)?;
        def.foreign_keys.iter().find_map(|fk| {
            let parent = self.model.parent_of(fk)?;
            if !self.model.info(parent).class.is_scoped() || fk.columns.len() != 1 {
                return None;
            }
            let key = self.model.referred_column(fk)?;
            Some((
                self.model.info(parent).name.clone(),
                fk.columns[0].clone(),
                key,
            ))
        })
    }
}

/// `` a `client_id` `` or `` an `org_id` ``: a name with its article, by the sound it
/// starts with (a vowel letter, bar the `u` of `user` and `uuid`).
pub fn article(name: &str) -> String {
    let first = name
        .trim_matches(['"', '`'])
        .chars()
        .next()
        .map(|c| c.to_ascii_lowercase());
    let lower = name.trim_matches(['"', '`']).to_ascii_lowercase();
    let vowel = matches!(first, Some('a' | 'e' | 'i' | 'o'))
        || (first == Some('u')
            && !lower.starts_with("us")
            && !lower.starts_with("uu")
            && !lower.starts_with("uni"));
    format!(
        "{} `{}`",
        if vowel { "an" } else { "a" },
        name.trim_matches('"')
    )
}

/// Collects the findings of the rules run on one statement.
#[derive(Debug, Default)]
pub struct Reporter {
    pub findings: Vec<Finding>,
}

impl Reporter {
    pub fn report(
        &mut self,
        rule: &'static Rule,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            code: rule.code,
            name: rule.name,
            span,
            message: message.into(),
            label: None,
            labels: Vec::new(),
            help: None,
            table: None,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

impl Finding {
    pub fn label(&mut self, text: impl Into<String>) -> &mut Self {
        self.label = Some(text.into());
        self
    }

    pub fn secondary(&mut self, span: Span, text: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    pub fn help(&mut self, text: impl Into<String>) -> &mut Self {
        self.help = Some(text.into());
        self
    }

    pub fn table(&mut self, name: impl Into<String>) -> &mut Self {
        self.table = Some(name.into());
        self
    }
}

/// Runs every statement-level rule on one analysed statement.
pub fn check_statement(cx: &Context, report: &mut Reporter) {
    missing_tenant_filter::check(cx, report);
    non_binding_tenant_filter::check(cx, report);
    hard_coded_tenant::check(cx, report);
    unscoped_update::check(cx, report);
    unscoped_delete::check(cx, report);
    insert_without_tenant_column::check(cx, report);
    insert_without_column_list::check(cx, report);
    insert_unbound_tenant_value::check(cx, report);
    insert_select_unproved_source::check(cx, report);
    update_assigns_tenant_column::check(cx, report);
    upsert_conflict_key_without_tenant::check(cx, report);
    parent_key_from_unbound_source::check(cx, report);
    unknown_table::check(cx, report);
    other_database_sql::check(cx, report);
    unsupported_sql::check(cx, report);
}

/// What an occurrence's unbound state looks like to the read and write rules.
pub(crate) fn unbound_reason(occurrence: &Occurrence) -> Unbound {
    if occurrence.proved {
        Unbound::No
    } else if occurrence.weak.is_empty() {
        Unbound::NoPredicate
    } else {
        Unbound::Weak
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unbound {
    No,
    NoPredicate,
    Weak,
}

/// Adds a label for each predicate that did not bind the occurrence.
pub(crate) fn label_weak(finding: &mut Finding, occurrence: &Occurrence) {
    for weak in &occurrence.weak {
        finding.secondary(weak.span, weakness_text(&weak.why));
    }
}

pub(crate) fn weakness_text(why: &crate::analysis::Weakness) -> String {
    use crate::analysis::Weakness::*;
    match why {
        Negated => "negated: this admits every other tenant".into(),
        InsideOr => "inside an `OR` whose other branch is not bound to the tenant".into(),
        Optional => "optional filter: when the parameter is NULL, every tenant's rows match".into(),
        NullCheck => "a NULL check admits every tenant".into(),
        SelfEquality => "compares the column with itself, which every tenant's rows satisfy".into(),
        Comparison(op) => format!("`{op}` admits more than one tenant"),
        Pattern => "a pattern match can admit more than one tenant".into(),
        NonTenantColumn(column) => {
            format!("compared to `{column}`, which does not carry the tenant")
        }
        NonTenantParam(param) => format!("`{param}` is not a tenant parameter in strict mode"),
        UnboundSubquery => "compared to a subquery that is not bound to the tenant".into(),
        UnboundRowPosition => {
            "the rows it is compared to do not hold the caller's tenant in the tenant column's position".into()
        }
        OuterJoinOn => "in the `ON` of an outer join, which does not filter this side".into(),
        Wrapped => "wrapped in an expression, so it is not a plain equality".into(),
        Literal(value) => format!("compared to the hard-coded tenant {value}, not the caller's"),
        Other => "does not bind the tenant column".into(),
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in ALL {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("TI"),
                "bad code {}",
                rule.code
            );
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "bad name {}",
                rule.name
            );
        }
    }

    #[test]
    fn every_rule_is_documented_with_the_required_headings() {
        for rule in ALL {
            let docs = rule.documentation();
            for heading in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(heading), "{} lacks `{heading}`", rule.code);
            }
        }
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find("ti001").map(|r| r.name), Some("missing-tenant-filter"));
        assert_eq!(find("missing-tenant-filter").map(|r| r.code), Some("TI001"));
        assert!(find("TI000").is_none());
    }
}
