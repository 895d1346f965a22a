//! Repository functions: every table, every operation, each `#[tenant_scoped]` and
//! taking the caller's scope. Reads filter with `client_id IN (SELECT value FROM
//! json_each(:scope))`; writes insert `:client_id` (the one client of the scope) and
//! update or delete only inside the scope. Both parameters are bound by the runtime
//! guard from the scope, never from the request.

pub mod assignments;
pub mod attendance;
pub mod coverage;
pub mod defects;
pub mod downtime;
pub mod holds;
pub mod jobs;
pub mod parts;
pub mod pool;
pub mod production;
pub mod quality;
pub mod reference;
pub mod work_orders;

use serde::Deserialize;

use crate::date::Date;
use crate::error::{AppError, Result};

/// Paging of a list: at most `limit` rows (1..=1000) after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 100,
            offset: 0,
        }
    }
}

impl Page {
    pub fn new(limit: u32, offset: u32) -> Result<Page> {
        if !(1..=1000).contains(&limit) {
            return Err(AppError::invalid("limit", "must be between 1 and 1000"));
        }
        Ok(Page { limit, offset })
    }
}

/// A non-negative count or quantity.
pub(crate) fn non_negative(field: &'static str, value: i64) -> Result<i64> {
    if value < 0 {
        Err(AppError::invalid(field, format!("{value} is negative")))
    } else {
        Ok(value)
    }
}

/// A non-negative, finite number of hours or minutes.
pub(crate) fn non_negative_f(field: &'static str, value: f64) -> Result<f64> {
    if !value.is_finite() || value < 0.0 {
        Err(AppError::invalid(
            field,
            format!("{value} is not a non-negative number"),
        ))
    } else {
        Ok(value)
    }
}

/// An ISO date, validated and normalised.
pub(crate) fn date(field: &'static str, value: &str) -> Result<String> {
    value
        .parse::<Date>()
        .map(|d| d.to_string())
        .map_err(|e| AppError::invalid(field, e))
}

pub(crate) fn optional_date(field: &'static str, value: Option<&str>) -> Result<Option<String>> {
    value.map(|v| date(field, v)).transpose()
}

/// A natural key: 1 to 50 letters, digits, `-`, `_` or `.`.
pub(crate) fn key(field: &'static str, value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= 50
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(
            field,
            format!("`{value}` is not an id (1-50 letters, digits, `-`, `_`, `.`)"),
        ))
    }
}

/// A non-empty text of at most `max` characters.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        Err(AppError::invalid(
            field,
            format!("must be 1 to {max} characters"),
        ))
    } else {
        Ok(trimmed.to_string())
    }
}

/// One of a fixed set of values.
pub(crate) fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<String> {
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(
            field,
            format!("`{value}` is not one of {}", allowed.join(", ")),
        ))
    }
}

/// The one row with an id in the scope: not found when none, ambiguous when the id
/// exists in several of the scope's clients.
pub(crate) fn exactly_one<T>(
    rows: Vec<T>,
    client: impl Fn(&T) -> &str,
    what: &'static str,
    id: &str,
) -> Result<T> {
    let mut rows = rows;
    match rows.len() {
        0 => Err(AppError::not_found(what, id)),
        1 => Ok(rows.remove(0)),
        _ => Err(AppError::Ambiguous {
            what,
            id: id.to_string(),
            clients: rows.iter().map(|r| client(r).to_string()).collect(),
        }),
    }
}

/// A delete refused by a child row's foreign key: the row is still in use.
pub(crate) fn in_use(e: AppError, what: &'static str, id: &str) -> AppError {
    match e {
        AppError::CrossClient { .. } => AppError::invalid(
            what,
            format!("`{id}` is still referenced by other rows: delete those first"),
        ),
        other => other,
    }
}
