//! The KPIs of KPI-DOMAIN.md, computed inside the caller's scope: one row per client of
//! the scope, and a row `ALL` over the whole scope when it holds more than one client.
//! The queries fetch rows (every one bound to the scope, every one using an index that
//! starts with `client_id`); the arithmetic is in [`calc`].

pub mod calc;
mod queries;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Value, json};

use crate::date::Date;
use crate::db::Db;
use crate::error::{AppError, Result};
use crate::scope::TenantScope;

pub use queries::Inputs;

/// The reporting window, both ends included; KPIs "as of" a date use its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: Date,
    pub to: Date,
}

impl Window {
    /// `from`..`to`; a missing end is today, a missing start 29 days before the end
    /// (the last 30 days).
    pub fn new(from: Option<Date>, to: Option<Date>) -> Result<Window> {
        let to = to.unwrap_or_else(Date::today);
        let from = from.unwrap_or(to.add_days(-29));
        if from > to {
            return Err(AppError::invalid("from", format!("{from} is after {to}")));
        }
        if to.days_since(from) > 3660 {
            return Err(AppError::invalid(
                "from",
                "the window is longer than ten years",
            ));
        }
        Ok(Window { from, to })
    }

    pub fn days(&self) -> i64 {
        i64::from(self.to.days_since(self.from)) + 1
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Every KPI, by its command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kpi {
    Efficiency,
    Performance,
    QualityRate,
    Availability,
    Oee,
    Otd,
    LateOrders,
    WipAging,
    ChronicHolds,
    Absenteeism,
    Bradford,
    Ppm,
    Dpmo,
    TopDefects,
    DefectsByType,
    Fpy,
    Rty,
    QualityScore,
}

impl Kpi {
    pub const ALL: [Kpi; 18] = [
        Kpi::Efficiency,
        Kpi::Performance,
        Kpi::QualityRate,
        Kpi::Availability,
        Kpi::Oee,
        Kpi::Otd,
        Kpi::LateOrders,
        Kpi::WipAging,
        Kpi::ChronicHolds,
        Kpi::Absenteeism,
        Kpi::Bradford,
        Kpi::Ppm,
        Kpi::Dpmo,
        Kpi::TopDefects,
        Kpi::DefectsByType,
        Kpi::Fpy,
        Kpi::Rty,
        Kpi::QualityScore,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kpi::Efficiency => "efficiency",
            Kpi::Performance => "performance",
            Kpi::QualityRate => "quality-rate",
            Kpi::Availability => "availability",
            Kpi::Oee => "oee",
            Kpi::Otd => "otd",
            Kpi::LateOrders => "late-orders",
            Kpi::WipAging => "wip-aging",
            Kpi::ChronicHolds => "chronic-holds",
            Kpi::Absenteeism => "absenteeism",
            Kpi::Bradford => "bradford",
            Kpi::Ppm => "ppm",
            Kpi::Dpmo => "dpmo",
            Kpi::TopDefects => "top-defects",
            Kpi::DefectsByType => "defects-by-type",
            Kpi::Fpy => "fpy",
            Kpi::Rty => "rty",
            Kpi::QualityScore => "quality-score",
        }
    }
}

impl fmt::Display for Kpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kpi {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Kpi, String> {
        Kpi::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Kpi::ALL.iter().map(|k| k.name()).collect();
            format!("unknown KPI `{s}`; one of: {}", names.join(", "))
        })
    }
}

/// Options some KPIs take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Chronic holds: the minimum age in days.
    pub chronic_threshold_days: i32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chronic_threshold_days: 30,
        }
    }
}

/// A computed KPI: its rows, one per client (and `ALL`), or one per item for list KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub kpi: &'static str,
    pub window: Window,
    pub rows: Vec<Value>,
}

/// The label of the whole-scope row.
pub const ALL_CLIENTS: &str = "ALL";

/// Computes a KPI for the scope over the window.
pub fn compute(
    db: &Db,
    scope: &TenantScope,
    kpi: Kpi,
    window: Window,
    options: Options,
) -> Result<Report> {
    if options.chronic_threshold_days < 0 {
        return Err(AppError::invalid("threshold", "must not be negative"));
    }
    let inputs = Inputs::new(db, scope, window);
    let rows = match kpi {
        Kpi::Efficiency => per_client(
            scope,
            &inputs.production()?,
            |e| json!({"efficiency": calc::efficiency(e), "entries": e.len()}),
        ),
        Kpi::Performance => per_client(
            scope,
            &inputs.production()?,
            |e| json!({"performance": calc::performance(e), "entries": e.len()}),
        ),
        Kpi::QualityRate => per_client(
            scope,
            &inputs.production()?,
            |e| json!({"quality_rate": calc::quality_rate(e), "entries": e.len()}),
        ),
        Kpi::Availability => availability(scope, &inputs, window)?,
        Kpi::Oee => oee(scope, &inputs, window)?,
        Kpi::Otd => per_client(scope, &inputs.orders()?, |o| json!(calc::otd(o, window.to))),
        Kpi::LateOrders => inputs.late_orders()?,
        Kpi::WipAging => per_client(scope, &inputs.holds()?, |h| {
            let holds: Vec<calc::HoldInput> = h.iter().map(|(_, h)| h.clone()).collect();
            json!(calc::wip_aging(&holds, window.to))
        }),
        Kpi::ChronicHolds => inputs.chronic_holds(options.chronic_threshold_days)?,
        Kpi::Absenteeism => per_client(
            scope,
            &inputs.attendance()?,
            |a| json!({"absenteeism": calc::absenteeism(a), "rows": a.len()}),
        ),
        Kpi::Bradford => {
            let by_client = inputs.attendance()?;
            let mut rows = Vec::new();
            for (client, attendance) in &by_client {
                for b in calc::bradford(attendance) {
                    let mut row = json!({"client_id": client});
                    merge(&mut row, json!(b));
                    rows.push(row);
                }
            }
            rows
        }
        Kpi::Ppm => per_client(
            scope,
            &inputs.inspections()?,
            |i| json!({"ppm": calc::ppm(i)}),
        ),
        Kpi::Dpmo => per_client(scope, &inputs.inspections()?, |i| json!(calc::dpmo(i))),
        Kpi::TopDefects => ranked(scope, &inputs.inspections()?, calc::top_defects),
        Kpi::DefectsByType => {
            let groups = inputs.defects_by_type()?;
            ranked(scope, &groups, |g| calc::pareto(g.to_vec(), usize::MAX))
        }
        Kpi::Fpy => per_client(
            scope,
            &inputs.inspections()?,
            |i| json!({"fpy": calc::fpy(i)}),
        ),
        Kpi::Rty => per_client(
            scope,
            &inputs.inspections()?,
            |i| json!({"rty": calc::rty(i)}),
        ),
        Kpi::QualityScore => per_client(scope, &inputs.inspections()?, |i| {
            json!(calc::quality_score(i))
        }),
    };
    Ok(Report {
        kpi: kpi.name(),
        window,
        rows,
    })
}

/// Adds the fields of `extra` to `row`: an object's fields, nothing for no data
/// (`null`), any other value as `value`.
fn merge(row: &mut Value, extra: Value) {
    let Value::Object(row) = row else { return };
    match extra {
        Value::Object(fields) => row.extend(fields),
        Value::Null => {}
        other => {
            row.insert("value".to_string(), other);
        }
    }
}

/// One row per client of the scope (clients without rows included: "no data"), then
/// the whole scope when it holds more than one client.
fn per_client<T: Clone>(
    scope: &TenantScope,
    by_client: &BTreeMap<String, Vec<T>>,
    value: impl Fn(&[T]) -> Value,
) -> Vec<Value> {
    let mut rows = Vec::new();
    for client in scope.clients() {
        let items = by_client.get(client).map_or(&[][..], Vec::as_slice);
        let mut row = json!({"client_id": client});
        merge(&mut row, value(items));
        rows.push(row);
    }
    if scope.clients().len() > 1 {
        let all: Vec<T> = by_client.values().flatten().cloned().collect();
        let mut row = json!({"client_id": ALL_CLIENTS});
        merge(&mut row, value(&all));
        rows.push(row);
    }
    rows
}

/// Ranked shares per client, then over the whole scope.
fn ranked<T: Clone>(
    scope: &TenantScope,
    by_client: &BTreeMap<String, Vec<T>>,
    rank: impl Fn(&[T]) -> Vec<calc::DefectShare>,
) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut push = |client: &str, items: &[T]| {
        for (i, share) in rank(items).into_iter().enumerate() {
            let mut row = json!({"client_id": client, "rank": i + 1});
            merge(&mut row, json!(share));
            rows.push(row);
        }
    };
    for client in scope.clients() {
        push(client, by_client.get(client).map_or(&[][..], Vec::as_slice));
    }
    if scope.clients().len() > 1 {
        let all: Vec<T> = by_client.values().flatten().cloned().collect();
        push(ALL_CLIENTS, &all);
    }
    rows
}

fn availability(scope: &TenantScope, inputs: &Inputs, window: Window) -> Result<Vec<Value>> {
    let downtime = inputs.downtime_minutes()?;
    let mut rows = Vec::new();
    for client in scope.clients() {
        let minutes = downtime.get(client).copied().unwrap_or(0);
        rows.push(json!({
            "client_id": client,
            "availability": calc::availability(window.days(), 1, minutes),
            "downtime_minutes": minutes,
        }));
    }
    if scope.clients().len() > 1 {
        let minutes: i64 = downtime.values().sum();
        rows.push(json!({
            "client_id": ALL_CLIENTS,
            "availability": calc::availability(window.days(), scope.clients().len(), minutes),
            "downtime_minutes": minutes,
        }));
    }
    Ok(rows)
}

fn oee(scope: &TenantScope, inputs: &Inputs, window: Window) -> Result<Vec<Value>> {
    let production = inputs.production()?;
    let downtime = inputs.downtime_minutes()?;
    let row = |client: &str, entries: &[calc::ProductionInput], minutes: i64, clients: usize| {
        let a = calc::availability(window.days(), clients, minutes);
        let p = calc::performance(entries);
        let q = calc::quality_rate(entries);
        json!({
            "client_id": client,
            "oee": calc::oee(a, p, q),
            "availability": a,
            "performance": p,
            "quality_rate": q,
        })
    };
    let mut rows = Vec::new();
    for client in scope.clients() {
        let entries = production.get(client).map_or(&[][..], Vec::as_slice);
        rows.push(row(
            client,
            entries,
            downtime.get(client).copied().unwrap_or(0),
            1,
        ));
    }
    if scope.clients().len() > 1 {
        let all: Vec<calc::ProductionInput> = production.values().flatten().cloned().collect();
        rows.push(row(
            ALL_CLIENTS,
            &all,
            downtime.values().sum(),
            scope.clients().len(),
        ));
    }
    Ok(rows)
}
