//! A plain calendar date (proleptic Gregorian), without time zone.
//!
//! We need dates for Stichtag, contract start and offer windows only; a tiny own type keeps the
//! core free of a date crate and makes serialisation (`YYYY-MM-DD` in the project file) explicit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01 (negative before).
    days: i32,
}

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31); `None` if it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1000..=9999).contains(&year) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.days
    }

    /// Inverse of [`Date::days_since_epoch`].
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date { days }
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// The same calendar day `years` years earlier (29 Feb → 28 Feb).
    pub fn minus_years(self, years: i32) -> Date {
        let (y, m, d) = self.ymd();
        let y2 = y - years;
        let d2 = d.min(days_in_month(y2, m));
        Date {
            days: days_from_civil(y2, m, d2),
        }
    }

    /// The same calendar day `months` months earlier (clamped to the month's last day).
    pub fn minus_months(self, months: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) - months;
        let y2 = total.div_euclid(12);
        let m2 = total.rem_euclid(12) as u32 + 1;
        let d2 = d.min(days_in_month(y2, m2));
        Date {
            days: days_from_civil(y2, m2, d2),
        }
    }

    /// Converts an Excel date serial (1900 system, with Excel's fictitious 29 Feb 1900) to a date.
    /// The fractional part (time of day) is ignored. `None` for serials outside 1..=2_958_465.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let whole = serial.floor() as i32;
        // Serial 60 is the non-existent 1900-02-29; Excel shows it, we map it to 1900-02-28.
        let whole = if whole >= 60 { whole - 1 } else { whole };
        // Serial 1 = 1900-01-01.
        let base = days_from_civil(1899, 12, 31);
        Some(Date { days: base + whole })
    }

    /// Converts a 1904-system serial (Mac Excel) to a date.
    pub fn from_excel_serial_1904(serial: f64) -> Option<Date> {
        if !serial.is_finite() || !(0.0..2_957_004.0).contains(&serial) {
            return None;
        }
        let base = days_from_civil(1904, 1, 1);
        Some(Date {
            days: base + serial.floor() as i32,
        })
    }

    /// The Excel serial (1900 system) of this date, as written into workbooks.
    pub fn to_excel_serial(self) -> f64 {
        let base = days_from_civil(1899, 12, 31);
        let n = self.days - base;
        f64::from(if n >= 60 { n + 1 } else { n })
    }

    /// German display form `dd.mm.yyyy`.
    pub fn german(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{d:02}.{m:02}.{y:04}")
    }

    /// ISO form `yyyy-mm-dd`.
    pub fn iso(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// Parses `yyyy-mm-dd` (ISO) or `dd.mm.yyyy` (German); surrounding blanks are ignored.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        if let Some((y, rest)) = t.split_once('-') {
            let (m, d) = rest.split_once('-')?;
            let d = d.split(['T', ' ']).next().unwrap_or(d);
            return Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        }
        let mut parts = t.split('.');
        let d = parts.next()?.trim().parse().ok()?;
        let m = parts.next()?.trim().parse().ok()?;
        let y_text = parts.next()?.trim();
        let y_text = y_text.split(' ').next().unwrap_or(y_text);
        if parts.next().is_some() {
            return None;
        }
        let mut y: i32 = y_text.parse().ok()?;
        if y_text.len() == 2 {
            // Two-digit years: 00–69 → 2000s, 70–99 → 1900s (Excel's rule).
            y += if y < 70 { 2000 } else { 1900 };
        }
        Date::from_ymd(y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.german())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("ungültiges Datum: {text}")))
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's civil-from-days algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials() {
        assert_eq!(Date::from_excel_serial(1.0).unwrap().iso(), "1900-01-01");
        assert_eq!(Date::from_excel_serial(59.0).unwrap().iso(), "1900-02-28");
        assert_eq!(Date::from_excel_serial(61.0).unwrap().iso(), "1900-03-01");
        assert_eq!(
            Date::from_excel_serial(45658.0).unwrap().iso(),
            "2025-01-01"
        );
        assert_eq!(
            Date::from_excel_serial(45658.75).unwrap().iso(),
            "2025-01-01"
        );
        assert_eq!(
            Date::from_excel_serial_1904(0.0).unwrap().iso(),
            "1904-01-01"
        );
        assert_eq!(
            Date::from_excel_serial_1904(45658.0 - 1462.0)
                .unwrap()
                .iso(),
            "2025-01-01"
        );
        let d = Date::from_ymd(2024, 7, 1).unwrap();
        assert_eq!(Date::from_excel_serial(d.to_excel_serial()), Some(d));
    }

    #[test]
    fn parse_and_arithmetic() {
        assert_eq!(Date::parse("01.07.2024").unwrap().iso(), "2024-07-01");
        assert_eq!(Date::parse("2024-07-01").unwrap().german(), "01.07.2024");
        assert_eq!(Date::parse("1.7.24").unwrap().iso(), "2024-07-01");
        assert!(Date::parse("31.02.2024").is_none());
        assert!(Date::parse("abc").is_none());
        let d = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(d.minus_years(4).iso(), "2020-02-29");
        assert_eq!(d.minus_years(1).iso(), "2023-02-28");
        assert_eq!(d.minus_months(12).iso(), "2023-02-28");
        assert_eq!(
            Date::from_ymd(2025, 1, 31).unwrap().minus_months(2).iso(),
            "2024-11-30"
        );
        for days in [-800_000, -1, 0, 1, 19_000, 2_000_000] {
            let (y, m, dd) = Date::from_days_since_epoch(days).ymd();
            assert_eq!(days_from_civil(y, m, dd), days);
        }
    }
}
