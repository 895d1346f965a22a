//! Mutants of a statement's tenant predicates, for mutation testing of an isolation
//! suite: each mutant weakens one predicate that binds a table to the tenant, the way
//! real leaks look. A suite that cannot tell a mutant from the original would not catch
//! that leak either; and the engine must flag every mutant statically.
//!
//! Operators, applied to each predicate `t.client_id = :p`,
//! `t.client_id IN (SELECT value FROM json_each(:scope))` or `t.client_id IN (:a, :b)`:
//! - drop it (`1 = 1`);
//! - `OR` it with true (`(… OR 1 = 1)`);
//! - compare with another tenant's id (`t.client_id = 'C02'`);
//! - make it optional (`(NULL IS NULL OR …)`, the optional filter with its parameter
//!   absent).

use std::fmt;

use sqlparser::ast::{Expr, InTarget, Spanned, Value, visit_expressions};
use sqlparser::tokenizer::Location;

use crate::engine::SplitSql;
use crate::model::Dialect;

/// How a predicate is weakened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    Drop,
    OrTrue,
    OtherTenant,
    Optional,
}

impl Operator {
    pub const ALL: [Operator; 4] = [
        Operator::Drop,
        Operator::OrTrue,
        Operator::OtherTenant,
        Operator::Optional,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operator::Drop => "drop",
            Operator::OrTrue => "or-true",
            Operator::OtherTenant => "other-tenant",
            Operator::Optional => "optional",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tenant predicate found in a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantPredicate {
    /// Byte range of the predicate in the SQL text.
    pub range: std::ops::Range<usize>,
    /// Byte range of the tenant column expression (`p.client_id`).
    pub column: std::ops::Range<usize>,
    /// 1-based line and column of the predicate.
    pub at: Location,
}

/// One mutant of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    pub operator: Operator,
    /// The predicate as written.
    pub predicate: String,
    pub at: Location,
    /// The whole SQL text with the predicate weakened.
    pub sql: String,
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` at {}:{}",
            self.operator, self.predicate, self.at.line, self.at.column
        )
    }
}

/// Byte offset of a 1-based line and column (columns count characters).
fn offset(text: &str, at: Location) -> Option<usize> {
    let mut line = 1;
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if line == at.line {
            break;
        }
        if c == '\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    if line != at.line {
        return None;
    }
    let rest = &text[line_start..];
    let column = (at.column as usize).saturating_sub(1);
    match rest.char_indices().nth(column) {
        Some((i, _)) => Some(line_start + i),
        None => Some(line_start + rest.len()),
    }
}

fn is_tenant_column(expr: &Expr, column: &str) -> bool {
    match expr {
        Expr::Identifier(ident) => ident.value.eq_ignore_ascii_case(column),
        Expr::CompoundIdentifier(parts) => parts
            .last()
            .is_some_and(|p| p.value.eq_ignore_ascii_case(column)),
        Expr::Nested(inner) => is_tenant_column(inner, column),
        _ => false,
    }
}

fn is_parameter(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => matches!(v.value, Value::Placeholder(_)),
        Expr::Nested(inner) => is_parameter(inner),
        _ => false,
    }
}

/// The predicates that bind a tenant column to a parameter or a parameter-derived
/// subquery, in the order they appear.
pub fn tenant_predicates(sql: &str, dialect: Dialect, column: &str) -> Vec<TenantPredicate> {
    let split = SplitSql::new(sql, dialect, None);
    let mut found = Vec::new();
    for i in 0..split.len() {
        let Ok(statement) = split.parse(i) else {
            continue;
        };
        let _ = visit_expressions(&statement, |expr: &Expr| {
            let column_expr = match expr {
                Expr::BinaryOp {
                    left,
                    op: sqlparser::ast::BinaryOperator::Eq,
                    right,
                } => {
                    if is_tenant_column(left, column) && is_parameter(right) {
                        Some(left.as_ref())
                    } else if is_tenant_column(right, column) && is_parameter(left) {
                        Some(right.as_ref())
                    } else {
                        None
                    }
                }
                Expr::In {
                    expr: inner,
                    target,
                    negated: false,
                    ..
                } if is_tenant_column(inner, column) => match target {
                    InTarget::Subquery(_) => Some(inner.as_ref()),
                    InTarget::List(list) if list.iter().all(is_parameter) => Some(inner.as_ref()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(column_expr) = column_expr
                && let Some(p) = locate(sql, expr, column_expr)
            {
                found.push(p);
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    }
    found.sort_by_key(|p| p.range.start);
    found.dedup();
    found
}

/// The byte ranges of a predicate and its column, the closing parenthesis of `IN (…)`
/// included.
fn locate(sql: &str, expr: &Expr, column_expr: &Expr) -> Option<TenantPredicate> {
    let span = expr.span();
    let start = offset(sql, span.start)?;
    let mut end = offset(sql, span.end)?;
    let column_span = column_expr.span();
    if matches!(expr, Expr::In { .. }) {
        // The span of `IN (…)` can stop inside the parentheses: end at the one that
        // closes the first `(` after the column.
        let from = offset(sql, column_span.end)?;
        end = closing_paren(sql, from)?;
    }
    let column = offset(sql, column_span.start)?..offset(sql, column_span.end)?;
    (start < end && column.start < column.end && column.end <= end).then_some(TenantPredicate {
        range: start..end,
        column,
        at: span.start,
    })
}

/// The byte after the `)` that closes the first `(` at or after `from`, skipping
/// quoted strings and identifiers.
fn closing_paren(sql: &str, from: usize) -> Option<usize> {
    let bytes = sql.as_bytes();
    let mut i = from + sql[from..].find('(')?;
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            quote @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every mutant of every tenant predicate of `sql`. `other_tenant` is the id the
/// other-tenant operator compares with.
pub fn mutants(sql: &str, dialect: Dialect, column: &str, other_tenant: &str) -> Vec<Mutant> {
    let mut out = Vec::new();
    for p in tenant_predicates(sql, dialect, column) {
        let predicate = &sql[p.range.clone()];
        let column_text = &sql[p.column.clone()];
        for operator in Operator::ALL {
            let replacement = match operator {
                Operator::Drop => "1 = 1".to_string(),
                Operator::OrTrue => format!("({predicate} OR 1 = 1)"),
                Operator::OtherTenant => {
                    format!("{column_text} = '{}'", other_tenant.replace('\'', "''"))
                }
                Operator::Optional => format!("(NULL IS NULL OR {predicate})"),
            };
            let mut mutated = String::with_capacity(sql.len() + replacement.len());
            mutated.push_str(&sql[..p.range.start]);
            mutated.push_str(&replacement);
            mutated.push_str(&sql[p.range.end..]);
            out.push(Mutant {
                operator,
                predicate: predicate.to_string(),
                at: p.at,
                sql: mutated,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predicates(sql: &str) -> Vec<&str> {
        tenant_predicates(sql, Dialect::Sqlite, "client_id")
            .into_iter()
            .map(|p| &sql[p.range])
            .collect()
    }

    #[test]
    fn finds_each_binding_predicate_with_its_exact_text() {
        let sql = "SELECT p.units FROM PRODUCTION_ENTRY p
         JOIN WORK_ORDER w ON w.client_id = p.client_id AND w.work_order_id = p.work_order_id
         WHERE p.client_id IN (SELECT value FROM json_each(:scope)) AND p.shift_date >= :from";
        assert_eq!(
            predicates(sql),
            ["p.client_id IN (SELECT value FROM json_each(:scope))"]
        );
        let sql =
            "UPDATE JOB SET completed_quantity = 1 WHERE client_id = :client_id AND job_id = :id";
        assert_eq!(predicates(sql), ["client_id = :client_id"]);
        let sql = "SELECT 1 FROM JOB WHERE :client_id = client_id OR client_id IN (:a, :b)";
        assert_eq!(
            predicates(sql),
            [":client_id = client_id", "client_id IN (:a, :b)"]
        );
        // A join between two tenant columns, or a literal, is not a binding predicate.
        assert!(predicates("SELECT 1 FROM JOB j WHERE j.client_id = 'C01'").is_empty());
    }

    #[test]
    fn each_operator_weakens_the_predicate_in_place() {
        let sql = "SELECT *\nFROM JOB j\nWHERE j.client_id = :client_id AND j.job_id = :id";
        let got: Vec<(Operator, String, u64, u64)> =
            mutants(sql, Dialect::Sqlite, "client_id", "C02")
                .into_iter()
                .map(|m| (m.operator, m.sql, m.at.line, m.at.column))
                .collect();
        assert_eq!(
            got,
            [
                (Operator::Drop, "SELECT *\nFROM JOB j\nWHERE 1 = 1 AND j.job_id = :id".to_string(), 3, 7),
                (Operator::OrTrue, "SELECT *\nFROM JOB j\nWHERE (j.client_id = :client_id OR 1 = 1) AND j.job_id = :id".to_string(), 3, 7),
                (Operator::OtherTenant, "SELECT *\nFROM JOB j\nWHERE j.client_id = 'C02' AND j.job_id = :id".to_string(), 3, 7),
                (Operator::Optional, "SELECT *\nFROM JOB j\nWHERE (NULL IS NULL OR j.client_id = :client_id) AND j.job_id = :id".to_string(), 3, 7),
            ]
        );
    }

    #[test]
    fn non_ascii_text_before_the_predicate_keeps_offsets_right() {
        let sql = "SELECT 'é—ü' AS x FROM JOB WHERE client_id = :client_id";
        let m = &mutants(sql, Dialect::Sqlite, "client_id", "C02")[0];
        assert_eq!(m.sql, "SELECT 'é—ü' AS x FROM JOB WHERE 1 = 1");
    }
}
