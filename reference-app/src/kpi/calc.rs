//! The KPI arithmetic of KPI-DOMAIN.md, as pure functions over the rows a query
//! fetched. `None` is "no data" (no entries, nothing inspected), never a made-up 0 or
//! 100. Each function is tested against hand-worked examples below.

use serde::Serialize;

use crate::date::Date;

/// `value` limited to `max`.
fn cap(value: f64, max: f64) -> f64 {
    value.min(max)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// One production entry, with what efficiency and performance need.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductionInput {
    pub units_produced: i64,
    pub run_time_hours: f64,
    pub ideal_cycle_time_hours: f64,
    /// The shift's length (wrapping midnight), `None` when unknown: 8 hours are used.
    pub shift_hours: Option<f64>,
    pub employees_assigned: Option<i64>,
    pub employees_present: Option<i64>,
    /// COVERAGE_ENTRY rows of the same client, date and shift.
    pub coverage: i64,
    pub defect_count: i64,
    pub scrap_count: i64,
}

/// Efficiency of one entry: units × ideal cycle time / (employees × scheduled hours)
/// × 100, capped at 150; 0 when employees or hours are not positive.
pub fn entry_efficiency(e: &ProductionInput) -> f64 {
    let hours = e.shift_hours.unwrap_or(8.0);
    let employees = e.employees_assigned.or(e.employees_present).unwrap_or(1) + e.coverage;
    if employees <= 0 || hours <= 0.0 {
        return 0.0;
    }
    cap(
        e.units_produced as f64 * e.ideal_cycle_time_hours / (employees as f64 * hours) * 100.0,
        150.0,
    )
}

/// The mean efficiency over entries.
pub fn efficiency(entries: &[ProductionInput]) -> Option<f64> {
    mean(entries.iter().map(entry_efficiency))
}

/// Performance of one entry: ideal cycle time × units / run time × 100, capped at
/// 150; 0 when the run time is 0.
pub fn entry_performance(e: &ProductionInput) -> f64 {
    if e.run_time_hours <= 0.0 {
        return 0.0;
    }
    cap(
        e.ideal_cycle_time_hours * e.units_produced as f64 / e.run_time_hours * 100.0,
        150.0,
    )
}

/// The mean performance over entries.
pub fn performance(entries: &[ProductionInput]) -> Option<f64> {
    mean(entries.iter().map(entry_performance))
}

/// Quality rate over the window's entries: max(0, units − defects − scrap) / units × 100.
pub fn quality_rate(entries: &[ProductionInput]) -> Option<f64> {
    let units: i64 = entries.iter().map(|e| e.units_produced).sum();
    let defects: i64 = entries.iter().map(|e| e.defect_count).sum();
    let scrap: i64 = entries.iter().map(|e| e.scrap_count).sum();
    (units > 0).then(|| (units - defects - scrap).max(0) as f64 / units as f64 * 100.0)
}

/// Availability: (scheduled − downtime) / scheduled × 100 with 8 scheduled hours per
/// day of the window and client, clamped to 0..100.
pub fn availability(days: i64, clients: usize, downtime_minutes: i64) -> Option<f64> {
    let scheduled = 8.0 * days as f64 * clients as f64;
    (scheduled > 0.0).then(|| {
        let downtime = downtime_minutes as f64 / 60.0;
        ((scheduled - downtime) / scheduled * 100.0).clamp(0.0, 100.0)
    })
}

/// OEE: availability × performance × quality / 10 000, each capped at 100.
pub fn oee(
    availability: Option<f64>,
    performance: Option<f64>,
    quality: Option<f64>,
) -> Option<f64> {
    Some(cap(availability?, 100.0) * cap(performance?, 100.0) * cap(quality?, 100.0) / 10_000.0)
}

/// A work order's dates, for on-time delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInput {
    pub required_date: Date,
    pub actual_delivery_date: Option<Date>,
}

/// On-time delivery of orders due in the window, as of `as_of`: on time when delivered
/// on or before the required date, or not delivered and not yet due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Otd {
    pub orders: usize,
    pub on_time: usize,
    pub percent: Option<f64>,
}

pub fn otd(orders: &[OrderInput], as_of: Date) -> Otd {
    let on_time = orders
        .iter()
        .filter(|o| match o.actual_delivery_date {
            Some(delivered) => delivered <= o.required_date,
            None => o.required_date >= as_of,
        })
        .count();
    Otd {
        orders: orders.len(),
        on_time,
        percent: (!orders.is_empty()).then(|| on_time as f64 / orders.len() as f64 * 100.0),
    }
}

/// A hold, for WIP aging.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldInput {
    pub hold_date: Date,
    pub resume_date: Option<Date>,
    pub hold_status: String,
}

/// Whether a hold is active at `as_of`: held by then, not resumed by then, and not
/// closed (CANCELLED, RELEASED, SCRAPPED).
pub fn hold_active(h: &HoldInput, as_of: Date) -> bool {
    h.hold_date <= as_of
        && h.resume_date.is_none_or(|r| r > as_of)
        && !matches!(
            h.hold_status.as_str(),
            "CANCELLED" | "RELEASED" | "SCRAPPED"
        )
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WipAging {
    pub active_holds: usize,
    /// Holds aged 0-7, 8-14, 15-30 and more than 30 days.
    pub buckets: [usize; 4],
    pub mean_age_days: Option<f64>,
}

pub fn wip_aging(holds: &[HoldInput], as_of: Date) -> WipAging {
    let ages: Vec<i32> = holds
        .iter()
        .filter(|h| hold_active(h, as_of))
        .map(|h| as_of.days_since(h.hold_date))
        .collect();
    let mut buckets = [0; 4];
    for &age in &ages {
        let i = match age {
            ..=7 => 0,
            8..=14 => 1,
            15..=30 => 2,
            _ => 3,
        };
        buckets[i] += 1;
    }
    WipAging {
        active_holds: ages.len(),
        buckets,
        mean_age_days: mean(ages.iter().map(|&a| f64::from(a))),
    }
}

/// An attendance row.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceInput {
    pub employee_id: i64,
    pub shift_date: Date,
    pub scheduled_hours: f64,
    pub actual_hours: Option<f64>,
    pub absence_hours: Option<f64>,
    pub is_absent: bool,
    pub is_late: bool,
}

/// Absenteeism: Σ coalesce(absence_hours, scheduled − actual) / Σ scheduled × 100. A
/// row with neither absence nor actual hours counts no absence; overtime (actual above
/// scheduled) does not offset other rows' absence.
pub fn absenteeism(rows: &[AttendanceInput]) -> Option<f64> {
    let scheduled: f64 = rows.iter().map(|r| r.scheduled_hours).sum();
    let absent: f64 = rows
        .iter()
        .map(|r| {
            r.absence_hours
                .or(r.actual_hours.map(|a| r.scheduled_hours - a))
                .unwrap_or(0.0)
                .max(0.0)
        })
        .sum();
    (scheduled > 0.0).then(|| absent / scheduled * 100.0)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bradford {
    pub employee_id: i64,
    /// Spells: 1 + the number of gaps of more than one day between consecutive rows.
    pub spells: i64,
    /// Rows absent or late.
    pub days: i64,
    pub factor: i64,
    pub band: &'static str,
}

/// The Bradford factor of each employee with rows absent or late, highest first.
pub fn bradford(rows: &[AttendanceInput]) -> Vec<Bradford> {
    let mut by_employee: std::collections::BTreeMap<i64, Vec<Date>> = Default::default();
    for r in rows.iter().filter(|r| r.is_absent || r.is_late) {
        by_employee
            .entry(r.employee_id)
            .or_default()
            .push(r.shift_date);
    }
    let mut out: Vec<Bradford> = by_employee
        .into_iter()
        .map(|(employee_id, mut dates)| {
            dates.sort();
            let gaps = dates
                .windows(2)
                .filter(|w| w[1].days_since(w[0]) > 1)
                .count() as i64;
            let spells = 1 + gaps;
            let days = dates.len() as i64;
            let factor = spells * spells * days;
            Bradford {
                employee_id,
                spells,
                days,
                factor,
                band: match factor {
                    f if f > 250 => "critical",
                    f if f > 125 => "high",
                    f if f > 50 => "medium",
                    _ => "low",
                },
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.factor
            .cmp(&a.factor)
            .then(a.employee_id.cmp(&b.employee_id))
    });
    out
}

/// One inspection, with the defect opportunities of its part.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionInput {
    pub inspection_stage: String,
    pub process_step: String,
    pub units_inspected: i64,
    pub units_passed: i64,
    pub units_defective: i64,
    pub total_defects_count: Option<i64>,
    pub units_scrapped: i64,
    /// From PART_OPPORTUNITIES of the same client; `None`: the default of 10.
    pub opportunities_per_unit: Option<i64>,
}

impl InspectionInput {
    fn defects(&self) -> i64 {
        self.total_defects_count.unwrap_or(self.units_defective)
    }
}

fn inspected(rows: &[InspectionInput]) -> i64 {
    rows.iter().map(|r| r.units_inspected).sum()
}

/// PPM: Σ units defective / Σ units inspected × 1 000 000.
pub fn ppm(rows: &[InspectionInput]) -> Option<f64> {
    let inspected = inspected(rows);
    let defective: i64 = rows.iter().map(|r| r.units_defective).sum();
    (inspected > 0).then(|| defective as f64 / inspected as f64 * 1_000_000.0)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dpmo {
    pub dpmo: Option<f64>,
    pub sigma_level: Option<u8>,
}

/// DPMO: Σ defects / Σ (units inspected × opportunities per unit) × 1 000 000, and the
/// sigma level from the standard table.
pub fn dpmo(rows: &[InspectionInput]) -> Dpmo {
    let defects: i64 = rows.iter().map(InspectionInput::defects).sum();
    let opportunities: i64 = rows
        .iter()
        .map(|r| r.units_inspected * r.opportunities_per_unit.unwrap_or(10))
        .sum();
    let dpmo = (opportunities > 0).then(|| defects as f64 / opportunities as f64 * 1_000_000.0);
    Dpmo {
        dpmo,
        sigma_level: dpmo.map(sigma_level),
    }
}

/// The sigma level of a DPMO: ≤3.4 → 6, ≤233 → 5, ≤6 210 → 4, ≤66 807 → 3,
/// ≤308 537 → 2, ≤690 000 → 1, else 0.
pub fn sigma_level(dpmo: f64) -> u8 {
    const TABLE: [(f64, u8); 6] = [
        (3.4, 6),
        (233.0, 5),
        (6_210.0, 4),
        (66_807.0, 3),
        (308_537.0, 2),
        (690_000.0, 1),
    ];
    TABLE
        .iter()
        .find(|(limit, _)| dpmo <= *limit)
        .map_or(0, |(_, level)| *level)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefectShare {
    pub name: String,
    pub defects: i64,
    pub share: f64,
    pub cumulative_share: f64,
}

/// Groups with their totals, largest first (ties by name), with share and cumulative
/// share of the total, at most `limit` of them.
pub fn pareto(groups: Vec<(String, i64)>, limit: usize) -> Vec<DefectShare> {
    let mut totals: std::collections::BTreeMap<String, i64> = Default::default();
    for (name, n) in groups {
        *totals.entry(name).or_default() += n;
    }
    let total: i64 = totals.values().sum();
    let mut sorted: Vec<(String, i64)> = totals.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut cumulative = 0;
    sorted
        .into_iter()
        .take(limit)
        .map(|(name, defects)| {
            cumulative += defects;
            let share = |n: i64| {
                if total > 0 {
                    n as f64 / total as f64 * 100.0
                } else {
                    0.0
                }
            };
            DefectShare {
                name,
                defects,
                share: share(defects),
                cumulative_share: share(cumulative),
            }
        })
        .collect()
}

/// Top defects: inspections grouped by process step, Σ units defective, top 10.
pub fn top_defects(rows: &[InspectionInput]) -> Vec<DefectShare> {
    pareto(
        rows.iter()
            .map(|r| (r.process_step.clone(), r.units_defective))
            .collect(),
        10,
    )
}

/// FPY: Σ units passed / Σ units inspected × 100.
pub fn fpy(rows: &[InspectionInput]) -> Option<f64> {
    let inspected = inspected(rows);
    let passed: i64 = rows.iter().map(|r| r.units_passed).sum();
    (inspected > 0).then(|| passed as f64 / inspected as f64 * 100.0)
}

/// RTY: the product over inspection stages of each stage's FPY (as a percentage);
/// a stage with nothing inspected is left out.
pub fn rty(rows: &[InspectionInput]) -> Option<f64> {
    let mut stages: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for r in rows {
        let s = stages.entry(&r.inspection_stage).or_default();
        s.0 += r.units_passed;
        s.1 += r.units_inspected;
    }
    let yields: Vec<f64> = stages
        .values()
        .filter(|(_, inspected)| *inspected > 0)
        .map(|(passed, inspected)| *passed as f64 / *inspected as f64)
        .collect();
    if yields.is_empty() {
        return fpy(rows);
    }
    Some(yields.iter().product::<f64>() * 100.0)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityScore {
    pub fpy: f64,
    pub rty: f64,
    pub scrap_rate: f64,
    pub escape_rate: f64,
    pub score: f64,
    pub grade: &'static str,
}

/// 0.4·FPY + 0.3·RTY + 0.2·(100 − scrap rate) + 0.1·(100 − escape rate); the escape
/// rate is the share of defects found at the stage `Final`.
pub fn quality_score(rows: &[InspectionInput]) -> Option<QualityScore> {
    let inspected = inspected(rows);
    let (fpy, rty) = (fpy(rows)?, rty(rows)?);
    let scrapped: i64 = rows.iter().map(|r| r.units_scrapped).sum();
    let scrap_rate = scrapped as f64 / inspected as f64 * 100.0;
    let defects: i64 = rows.iter().map(InspectionInput::defects).sum();
    let at_final: i64 = rows
        .iter()
        .filter(|r| r.inspection_stage == "Final")
        .map(InspectionInput::defects)
        .sum();
    let escape_rate = if defects > 0 {
        at_final as f64 / defects as f64 * 100.0
    } else {
        0.0
    };
    let score = 0.4 * fpy + 0.3 * rty + 0.2 * (100.0 - scrap_rate) + 0.1 * (100.0 - escape_rate);
    Some(QualityScore {
        fpy,
        rty,
        scrap_rate,
        escape_rate,
        score,
        grade: grade(score),
    })
}

/// A+ ≥ 95, A ≥ 90, B+ ≥ 85, B ≥ 80, C+ ≥ 75, C ≥ 70, else D.
pub fn grade(score: f64) -> &'static str {
    const GRADES: [(f64, &str); 6] = [
        (95.0, "A+"),
        (90.0, "A"),
        (85.0, "B+"),
        (80.0, "B"),
        (75.0, "C+"),
        (70.0, "C"),
    ];
    GRADES
        .iter()
        .find(|(min, _)| score >= *min)
        .map_or("D", |(_, g)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    fn entry() -> ProductionInput {
        ProductionInput {
            units_produced: 100,
            run_time_hours: 8.0,
            ideal_cycle_time_hours: 0.25,
            shift_hours: Some(8.0),
            employees_assigned: Some(4),
            employees_present: Some(3),
            coverage: 0,
            defect_count: 0,
            scrap_count: 0,
        }
    }

    #[test]
    fn efficiency_of_an_entry() {
        // 100 units × 0.25 h = 25 h of work, by 4 assigned employees × 8 h = 32 h:
        // 25 / 32 = 78.125%.
        close(entry_efficiency(&entry()), 78.125);
        // Assigned unknown: the 3 present count, plus 1 covering floater = 4 again:
        // 78.125%.
        let e = ProductionInput {
            employees_assigned: None,
            coverage: 1,
            ..entry()
        };
        close(entry_efficiency(&e), 78.125);
        // Neither known: 1 employee; shift length unknown: 8 h. 25 / 8 = 312.5% → 150.
        let e = ProductionInput {
            employees_assigned: None,
            employees_present: None,
            shift_hours: None,
            ..entry()
        };
        close(entry_efficiency(&e), 150.0);
        // 0 employees recorded (and no coverage): 0, not a division by zero.
        let e = ProductionInput {
            employees_assigned: Some(0),
            ..entry()
        };
        close(entry_efficiency(&e), 0.0);
    }

    #[test]
    fn efficiency_is_the_mean_over_entries() {
        // 78.125 and (50 units × 0.25 = 12.5 h / 32 h =) 39.0625: mean 58.59375.
        let half = ProductionInput {
            units_produced: 50,
            ..entry()
        };
        close(efficiency(&[entry(), half]).unwrap(), 58.59375);
        assert_eq!(efficiency(&[]), None);
    }

    #[test]
    fn performance_caps_and_zero_run_time() {
        // 0.25 × 100 / 8 = 3.125 → 312.5%, capped at 150.
        close(entry_performance(&entry()), 150.0);
        // 0.05 × 100 / 8 = 0.625 → 62.5%.
        let e = ProductionInput {
            ideal_cycle_time_hours: 0.05,
            ..entry()
        };
        close(entry_performance(&e), 62.5);
        let e = ProductionInput {
            run_time_hours: 0.0,
            ..entry()
        };
        close(entry_performance(&e), 0.0);
    }

    #[test]
    fn quality_rate_over_sums() {
        // 200 units, 6 defects, 4 scrapped: 190 / 200 = 95%.
        let a = ProductionInput {
            defect_count: 6,
            ..entry()
        };
        let b = ProductionInput {
            scrap_count: 4,
            ..entry()
        };
        close(quality_rate(&[a, b]).unwrap(), 95.0);
        // More defects than units: 0, not negative.
        let c = ProductionInput {
            units_produced: 10,
            defect_count: 12,
            ..entry()
        };
        close(quality_rate(&[c]).unwrap(), 0.0);
        let none = ProductionInput {
            units_produced: 0,
            ..entry()
        };
        assert_eq!(quality_rate(&[none]), None);
    }

    #[test]
    fn availability_and_oee() {
        // 30 days × 8 h = 240 h; 1 800 minutes = 30 h down: 210 / 240 = 87.5%.
        close(availability(30, 1, 1_800).unwrap(), 87.5);
        // Two clients: 480 h scheduled, same downtime: 450 / 480 = 93.75%.
        close(availability(30, 2, 1_800).unwrap(), 93.75);
        // More downtime than time: clamped to 0.
        close(availability(1, 1, 600).unwrap(), 0.0);
        // 87.5 × 150 (capped to 100) × 95 / 10 000 = 83.125.
        close(oee(Some(87.5), Some(150.0), Some(95.0)).unwrap(), 83.125);
        assert_eq!(oee(Some(87.5), None, Some(95.0)), None);
    }

    #[test]
    fn otd_counts_orders_not_yet_due_as_on_time() {
        let as_of = d("2026-03-31");
        let orders = [
            // Delivered a day early: on time.
            OrderInput {
                required_date: d("2026-03-10"),
                actual_delivery_date: Some(d("2026-03-09")),
            },
            // Delivered on the day: on time.
            OrderInput {
                required_date: d("2026-03-12"),
                actual_delivery_date: Some(d("2026-03-12")),
            },
            // Delivered late.
            OrderInput {
                required_date: d("2026-03-15"),
                actual_delivery_date: Some(d("2026-03-16")),
            },
            // Not delivered, past due: late.
            OrderInput {
                required_date: d("2026-03-20"),
                actual_delivery_date: None,
            },
            // Not delivered, due at the as-of date: not yet late.
            OrderInput {
                required_date: d("2026-03-31"),
                actual_delivery_date: None,
            },
        ];
        let r = otd(&orders, as_of);
        assert_eq!((r.orders, r.on_time), (5, 3));
        close(r.percent.unwrap(), 60.0);
        assert_eq!(otd(&[], as_of).percent, None, "no orders is no data");
    }

    #[test]
    fn wip_aging_at_the_as_of_date() {
        let as_of = d("2026-03-31");
        let hold = |held: &str, resumed: Option<&str>, status: &str| HoldInput {
            hold_date: d(held),
            resume_date: resumed.map(d),
            hold_status: status.to_string(),
        };
        let holds = [
            hold("2026-03-31", None, "ON_HOLD"),               // 0 days
            hold("2026-03-21", None, "ON_HOLD"),               // 10 days
            hold("2026-03-01", Some("2026-04-02"), "ON_HOLD"), // 30 days: resumed after as-of
            hold("2026-01-30", None, "PENDING_REVIEW"),        // 60 days
            hold("2026-03-20", Some("2026-03-25"), "ON_HOLD"), // resumed before: not active
            hold("2026-03-01", None, "RELEASED"),              // closed
            hold("2026-04-01", None, "ON_HOLD"),               // after the as-of date
        ];
        let r = wip_aging(&holds, as_of);
        assert_eq!(r.active_holds, 4);
        assert_eq!(r.buckets, [1, 1, 1, 1]);
        // (0 + 10 + 30 + 60) / 4 = 25.
        close(r.mean_age_days.unwrap(), 25.0);
    }

    fn attendance(employee: i64, day: &str, absent: bool, late: bool) -> AttendanceInput {
        AttendanceInput {
            employee_id: employee,
            shift_date: d(day),
            scheduled_hours: 8.0,
            actual_hours: Some(8.0),
            absence_hours: None,
            is_absent: absent,
            is_late: late,
        }
    }

    #[test]
    fn absenteeism_prefers_recorded_absence_hours() {
        let rows = [
            // 8 h absent, recorded.
            AttendanceInput {
                absence_hours: Some(8.0),
                actual_hours: Some(0.0),
                ..attendance(1, "2026-03-02", true, false)
            },
            // Worked 6 of 8: 2 h.
            AttendanceInput {
                actual_hours: Some(6.0),
                ..attendance(1, "2026-03-03", false, true)
            },
            // Overtime: 0, not -2.
            AttendanceInput {
                actual_hours: Some(10.0),
                ..attendance(2, "2026-03-03", false, false)
            },
            attendance(2, "2026-03-04", false, false),
        ];
        // (8 + 2 + 0 + 0) / 32 = 31.25%.
        close(absenteeism(&rows).unwrap(), 31.25);
        assert_eq!(absenteeism(&[]), None);
    }

    #[test]
    fn bradford_counts_spells_by_gaps() {
        let rows = [
            // Employee 1: 03-02, 03-03 (one spell), 03-10 (gap), 03-20 late (gap):
            // S = 3, D = 4, B = 9 × 4 = 36: low.
            attendance(1, "2026-03-02", true, false),
            attendance(1, "2026-03-03", true, false),
            attendance(1, "2026-03-10", true, false),
            attendance(1, "2026-03-20", false, true),
            // Employee 2: 6 separate days: S = 6, D = 6, B = 216: high.
            attendance(2, "2026-03-01", true, false),
            attendance(2, "2026-03-05", true, false),
            attendance(2, "2026-03-09", true, false),
            attendance(2, "2026-03-13", true, false),
            attendance(2, "2026-03-17", true, false),
            attendance(2, "2026-03-21", true, false),
            // Employee 3: present every day: no score.
            attendance(3, "2026-03-02", false, false),
        ];
        let r = bradford(&rows);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (
                r[0].employee_id,
                r[0].spells,
                r[0].days,
                r[0].factor,
                r[0].band
            ),
            (2, 6, 6, 216, "high")
        );
        assert_eq!(
            (
                r[1].employee_id,
                r[1].spells,
                r[1].days,
                r[1].factor,
                r[1].band
            ),
            (1, 3, 4, 36, "low")
        );
    }

    fn inspection(
        stage: &str,
        step: &str,
        inspected: i64,
        passed: i64,
        defective: i64,
    ) -> InspectionInput {
        InspectionInput {
            inspection_stage: stage.to_string(),
            process_step: step.to_string(),
            units_inspected: inspected,
            units_passed: passed,
            units_defective: defective,
            total_defects_count: None,
            units_scrapped: 0,
            opportunities_per_unit: None,
        }
    }

    #[test]
    fn ppm_dpmo_and_sigma() {
        let rows = [
            inspection("Incoming", "Cutting", 1_000, 990, 10),
            InspectionInput {
                total_defects_count: Some(25),
                opportunities_per_unit: Some(5),
                ..inspection("Final", "Assembly", 2_000, 1_985, 15)
            },
        ];
        // PPM: 25 defective / 3 000 inspected × 10^6 = 8 333.33…
        close(ppm(&rows).unwrap(), 25.0 / 3_000.0 * 1e6);
        // DPMO: (10 + 25) defects / (1 000 × 10 + 2 000 × 5) opportunities × 10^6 = 1 750.
        let r = dpmo(&rows);
        close(r.dpmo.unwrap(), 1_750.0);
        assert_eq!(r.sigma_level, Some(4));
        // Zero inspected (a day with no inspections): no data.
        assert_eq!(ppm(&[inspection("Final", "Assembly", 0, 0, 0)]), None);
        assert_eq!(dpmo(&[]).dpmo, None);
        assert_eq!(
            [
                3.4, 3.5, 233.0, 6_210.0, 66_807.0, 308_537.0, 690_000.0, 690_001.0
            ]
            .map(sigma_level),
            [6, 5, 5, 4, 3, 2, 1, 0]
        );
    }

    #[test]
    fn top_defects_with_shares() {
        let rows = [
            inspection("Final", "Welding", 100, 90, 10),
            inspection("Final", "Painting", 100, 95, 5),
            inspection("Final", "Welding", 100, 95, 5),
            inspection("Final", "Assembly", 100, 95, 5),
        ];
        // Welding 15, Assembly 5, Painting 5 of 25: 60%, 20% (80%), 20% (100%).
        let r = top_defects(&rows);
        let got: Vec<(&str, i64, f64, f64)> = r
            .iter()
            .map(|s| (s.name.as_str(), s.defects, s.share, s.cumulative_share))
            .collect();
        assert_eq!(
            got,
            [
                ("Welding", 15, 60.0, 60.0),
                ("Assembly", 5, 20.0, 80.0),
                ("Painting", 5, 20.0, 100.0)
            ]
        );
    }

    #[test]
    fn fpy_rty_and_quality_score() {
        let rows = [
            // Incoming: 95 of 100 pass; Final: 180 of 200 pass, 4 scrapped.
            inspection("Incoming", "Cutting", 100, 95, 5),
            InspectionInput {
                units_scrapped: 4,
                total_defects_count: Some(20),
                ..inspection("Final", "Assembly", 200, 180, 20)
            },
        ];
        // FPY = 275 / 300 = 91.666…%.
        close(fpy(&rows).unwrap(), 275.0 / 300.0 * 100.0);
        // RTY = 0.95 × 0.90 = 85.5%.
        close(rty(&rows).unwrap(), 85.5);
        let s = quality_score(&rows).unwrap();
        // Scrap 4 / 300 = 1.333…%; escape 20 / (5 + 20) = 80%.
        close(s.scrap_rate, 4.0 / 3.0);
        close(s.escape_rate, 80.0);
        // 0.4 × 91.666… + 0.3 × 85.5 + 0.2 × 98.666… + 0.1 × 20 = 36.666… + 25.65 + 19.733… + 2.
        close(
            s.score,
            0.4 * 275.0 / 3.0 + 0.3 * 85.5 + 0.2 * (100.0 - 4.0 / 3.0) + 2.0,
        );
        // = 84.05: grade B (80 ≤ 84.05 < 85).
        close(s.score, 84.05);
        assert_eq!(s.grade, "B");
        assert_eq!(quality_score(&[]), None);
    }

    #[test]
    fn grades_at_their_boundaries() {
        assert_eq!(
            [95.0, 94.9, 90.0, 85.0, 80.0, 75.0, 70.0, 69.9].map(grade),
            ["A+", "A", "A", "B+", "B", "C+", "C", "D"]
        );
    }
}
