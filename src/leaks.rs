//! Foreign-row detection: every value an operation returns for a caller, serialised
//! through serde, scanned for the canaries and ids of tenants outside its scope.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::canary::Tenant;

/// A value of another tenant found in a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The tenant the value belongs to.
    pub owner: String,
    /// Where in the result (a JSON pointer: `/rows/3/reason`).
    pub path: String,
    pub value: String,
}

/// A leak: an operation, who ran it, and what of another tenant it returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub operation: String,
    /// The caller: user and scope (`op.c01 (C01)`).
    pub caller: String,
    pub found: Found,
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` as {} returned {}'s value `{}` at {}",
            self.operation, self.caller, self.found.owner, self.found.value, self.found.path
        )
    }
}

/// The values in `result` that belong to a tenant of `all` not in `visible` (by id).
pub fn scan(result: &impl Serialize, visible: &[&str], all: &[Tenant]) -> Vec<Found> {
    let value = match serde_json::to_value(result) {
        Ok(v) => v,
        Err(e) => {
            return vec![Found {
                owner: "?".to_string(),
                path: String::new(),
                value: format!("the result cannot be serialised, so it cannot be checked: {e}"),
            }];
        }
    };
    let foreign: Vec<&Tenant> = all
        .iter()
        .filter(|t| !visible.contains(&t.id.as_str()))
        .collect();
    let mut found = Vec::new();
    walk(&value, &mut String::new(), &foreign, &mut found);
    found
}

fn walk(value: &Value, path: &mut String, foreign: &[&Tenant], found: &mut Vec<Found>) {
    let mut report = |owner: &Tenant, shown: String, path: &str| {
        found.push(Found {
            owner: owner.id.clone(),
            path: if path.is_empty() {
                "/".to_string()
            } else {
                path.to_string()
            },
            value: shown,
        })
    };
    match value {
        Value::String(s) => {
            for t in foreign {
                if s == &t.id || s.contains(&t.canary.text) {
                    report(t, s.clone(), path);
                }
            }
        }
        Value::Number(n) => {
            if let Some(i) = n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            }) {
                for t in foreign.iter().filter(|t| t.owns_number(i)) {
                    report(t, i.to_string(), path);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                walk(item, path, foreign, found);
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                walk(item, path, foreign, found);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn two() -> Vec<Tenant> {
        vec![Tenant::new(0, "C01"), Tenant::new(1, "C02")]
    }

    #[test]
    fn finds_foreign_ids_canary_texts_and_numbers_with_their_path() {
        let all = two();
        let result = json!({"rows": [
            {"client_id": "C01", "reason": all[0].text(1), "units": all[0].number(3)},
            {"client_id": "C02", "reason": format!("note: {}", all[1].text(2)), "units": all[1].number(3)},
        ]});
        let found = scan(&result, &["C01"], &all);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.owner.as_str(), f.path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("C02", "/rows/1/client_id"),
                ("C02", "/rows/1/reason"),
                ("C02", "/rows/1/units")
            ]
        );
        assert!(
            scan(&result, &["C01", "C02"], &all).is_empty(),
            "both visible"
        );
    }

    #[test]
    fn a_float_that_is_a_foreign_canary_number_is_found() {
        let all = two();
        let found = scan(&json!({"sum": all[1].number(0) as f64}), &["C01"], &all);
        assert_eq!(found.len(), 1);
        assert!(scan(&json!({"mean": 12.5, "n": 900}), &["C01"], &all).is_empty());
    }

    #[test]
    fn a_leak_names_operation_caller_owner_value_and_place() {
        let leak = Leak {
            operation: "kpi ppm".to_string(),
            caller: "op.c01 (C01)".to_string(),
            found: Found {
                owner: "C02".to_string(),
                path: "/rows/0/ppm".to_string(),
                value: "900002007".to_string(),
            },
        };
        assert_eq!(
            leak.to_string(),
            "`kpi ppm` as op.c01 (C01) returned C02's value `900002007` at /rows/0/ppm"
        );
    }
}
