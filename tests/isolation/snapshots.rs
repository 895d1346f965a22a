//! What each role is shown, on two tenants with fixed data: every list and every KPI,
//! one row per line, for a reviewer to read (`snapshots/isolation__snapshots__*.snap`).

use serde_json::Value;

use crate::fixed_world;
use crate::ops;

/// Numbers to four decimals, so a snapshot reads (and does not churn on the last bit).
fn rounded(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            serde_json::json!((f * 10_000.0).round() / 10_000.0)
        }
        Value::Array(items) => Value::Array(items.iter().map(rounded).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), rounded(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn shown(user: &str) -> String {
    let world = fixed_world(2);
    let scope = match world.scope(user) {
        Ok(scope) => scope,
        Err(e) => return format!("{user}: {e}\n"),
    };
    let mut out = format!(
        "{user} ({}): {}\n",
        scope.role(),
        scope.clients().join(", ")
    );
    ops::reads(&world.db, &scope, &mut |name, _, f| {
        out.push_str(&format!("\n{name}:\n"));
        match f() {
            Ok(Value::Array(rows)) if rows.is_empty() => out.push_str("  (none)\n"),
            Ok(Value::Array(rows)) => {
                for row in rows {
                    out.push_str(&format!("  {}\n", rounded(&row)));
                }
            }
            Ok(Value::Object(report)) => {
                for row in report
                    .get("rows")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.push_str(&format!("  {}\n", rounded(row)));
                }
            }
            Ok(other) => out.push_str(&format!("  {other}\n")),
            Err(e) => out.push_str(&format!("  error: {e}\n")),
        }
    });
    out
}

#[test]
fn what_an_operator_of_c01_sees() {
    insta::assert_snapshot!(shown("op.c01"));
}

#[test]
fn what_an_operator_of_c02_sees() {
    insta::assert_snapshot!(shown("op.c02"));
}

#[test]
fn what_a_leader_of_both_sees() {
    insta::assert_snapshot!(shown("lead"));
}

#[test]
fn what_an_admin_sees() {
    insta::assert_snapshot!(shown("admin"));
}

#[test]
fn what_users_without_access_see() {
    let all: String = ["nobody", "retired", "auditor", "op.inactive", "ghost"]
        .iter()
        .map(|u| shown(u))
        .collect();
    insta::assert_snapshot!(all);
}
