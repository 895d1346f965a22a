//! Non-interference: a tenant's result must not depend on other tenants' data. The
//! same operation, for the same caller, on a database holding only the caller's data
//! and on one holding others' data too, must return the same value. This catches the
//! aggregates that leak without returning a single foreign row (a KPI filtered by date
//! only is a plausible number that mixes clients).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// A result that changed with other tenants' data.
#[derive(Debug, Clone, PartialEq)]
pub struct Interference {
    pub operation: String,
    pub caller: String,
    /// The first place the results differ (a JSON pointer).
    pub path: String,
    pub alone: String,
    pub together: String,
}

impl fmt::Display for Interference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` as {} depends on other tenants' data: {} is `{}` with only its data, `{}` with others' too",
            self.operation, self.caller, self.path, self.alone, self.together
        )
    }
}

/// Compares the result of `operation` for `caller` on the two databases.
pub fn compare(
    operation: &str,
    caller: &str,
    alone: &impl Serialize,
    together: &impl Serialize,
) -> Result<(), Interference> {
    let a = serde_json::to_value(alone)
        .unwrap_or_else(|e| Value::String(format!("unserialisable: {e}")));
    let b = serde_json::to_value(together)
        .unwrap_or_else(|e| Value::String(format!("unserialisable: {e}")));
    match first_difference(&a, &b, String::new()) {
        None => Ok(()),
        Some((path, x, y)) => Err(Interference {
            operation: operation.to_string(),
            caller: caller.to_string(),
            path: if path.is_empty() {
                "/".to_string()
            } else {
                path
            },
            alone: x,
            together: y,
        }),
    }
}

fn first_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(p, q, format!("{path}/{i}")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| {
                (
                    format!("{path} (length)"),
                    x.len().to_string(),
                    y.len().to_string(),
                )
            })
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (p, q) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                if let Some(d) = first_difference(p, q, format!("{path}/{k}")) {
                    return Some(d);
                }
            }
            None
        }
        _ if a == b => None,
        _ => Some((path, a.to_string(), b.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_results_pass_and_the_first_difference_is_named() {
        let alone = json!({"rows": [{"client_id": "C01", "ppm": 100.0}]});
        assert!(compare("kpi ppm", "op.c01", &alone, &alone.clone()).is_ok());
        let together = json!({"rows": [{"client_id": "C01", "ppm": 250.0}]});
        let e = compare("kpi ppm", "op.c01 (C01)", &alone, &together).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`kpi ppm` as op.c01 (C01) depends on other tenants' data: /rows/0/ppm is `100.0` with only its data, `250.0` with others' too"
        );
        let more = json!({"rows": [{"client_id": "C01", "ppm": 100.0}, {"client_id": "C02"}]});
        assert_eq!(
            compare("list", "x", &alone, &more).unwrap_err().path,
            "/rows (length)"
        );
    }
}
