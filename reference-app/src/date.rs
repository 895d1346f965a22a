//! Calendar dates as the domain uses them: ISO `YYYY-MM-DD` text in the database,
//! day numbers for arithmetic. No time zones: a shift date is a label, not an instant.

use std::fmt;
use std::str::FromStr;

/// A proleptic Gregorian date, stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    pub fn from_days(days: i32) -> Date {
        Date(days)
    }

    pub fn days(self) -> i32 {
        self.0
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// `self - other` in days.
    pub fn days_since(self, other: Date) -> i32 {
        self.0 - other.0
    }

    /// Today, by the system clock (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date((secs / 86_400) as i32)
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = String;

    /// Exactly `YYYY-MM-DD`, a real calendar day.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date: expected YYYY-MM-DD");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let digits = |r: std::ops::Range<usize>| -> Result<u32, String> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        Date::new(y as i32, m, d).ok_or_else(|| format!("`{s}` is not a calendar day"))
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms (public domain).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A shift's clock time `HH:MM`, in minutes after midnight.
pub fn minutes_of(time: &str) -> Option<u32> {
    let (h, m) = time.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && time.len() == 5).then_some(h * 60 + m)
}

/// The length of a shift in hours; a shift that ends before it starts wraps midnight.
pub fn shift_hours(start: &str, end: &str) -> Option<f64> {
    let (s, e) = (minutes_of(start)?, minutes_of(end)?);
    let minutes = if e > s { e - s } else { e + 24 * 60 - s };
    Some(f64::from(minutes) / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days(), 11_017);
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        // 2024 is a leap year: 366 days from 2024-01-01 to 2025-01-01.
        let a: Date = "2024-01-01".parse().unwrap();
        let b: Date = "2025-01-01".parse().unwrap();
        assert_eq!(b.days_since(a), 366);
        assert_eq!(a.add_days(59).to_string(), "2024-02-29");
    }

    #[test]
    fn malformed_dates_are_errors() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "2024-01-0x",
            "",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shift_lengths_wrap_midnight() {
        assert_eq!(shift_hours("06:00", "14:00"), Some(8.0));
        // 22:00 to 06:00 is 8 hours across midnight.
        assert_eq!(shift_hours("22:00", "06:00"), Some(8.0));
        assert_eq!(shift_hours("18:30", "02:00"), Some(7.5));
        assert_eq!(shift_hours("25:00", "02:00"), None);
    }
}
