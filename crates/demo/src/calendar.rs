//! Time: the 24-month window, retail and payday calendars, weekly and seasonal rhythms, and hours of the
//! day. All timestamps are naive UTC microseconds, as the marts store them.

use super::tenants::{Industry, TenantProfile};
use crate::DemoError;
use chrono::{Datelike, Months, NaiveDate, NaiveTime, TimeDelta, Weekday};
use inda_core::Error;

pub(crate) const SECOND_US: i64 = 1_000_000;
pub(crate) const HOUR_US: i64 = 3600 * SECOND_US;
pub(crate) const DAY_US: i64 = 24 * HOUR_US;
/// The last timestamp of a day that the data may use (`23:59:59`).
pub(crate) const LAST_SECOND_US: i64 = DAY_US - SECOND_US;

/// The days with data: the 24 months up to and including `as_of`. Days are indexed from 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start: NaiveDate,
    pub as_of: NaiveDate,
    pub days: u32,
    start_us: i64,
}

pub(crate) fn date_us(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_micros()
}

impl Window {
    pub(crate) fn new(as_of: NaiveDate) -> Result<Self, Error> {
        let bad = || Error::from(DemoError::AsOfOutOfRange(as_of));
        // Far-off years only come from typos, and keeping them out keeps all date arithmetic in range.
        if !(1972..=9999).contains(&as_of.year()) {
            return Err(bad());
        }
        let start = as_of.checked_sub_months(Months::new(24)).and_then(|d| d.succ_opt()).ok_or_else(bad)?;
        // Rejecting dates whose end of day does not fit keeps every later `+` in range.
        as_of.succ_opt().ok_or_else(bad)?;
        let days = (as_of - start).num_days() + 1;
        Ok(Window { start, as_of, days: days as u32, start_us: date_us(start) })
    }

    pub(crate) fn date(&self, d: u32) -> NaiveDate {
        self.start + TimeDelta::days(i64::from(d))
    }

    pub(crate) fn day_start_us(&self, d: u32) -> i64 {
        self.start_us + i64::from(d) * DAY_US
    }

    /// The last timestamp of the window: `as_of 23:59:59`.
    pub(crate) fn end_us(&self) -> i64 {
        self.day_start_us(self.days - 1) + LAST_SECOND_US
    }

    /// Index of `date` if it lies in the window.
    pub(crate) fn index_of(&self, date: NaiveDate) -> Option<u32> {
        let d = (date - self.start).num_days();
        (0..i64::from(self.days)).contains(&d).then_some(d as u32)
    }

    /// Index of the first day at or after `date`, clamped to the window.
    pub(crate) fn clamp_index(&self, date: NaiveDate) -> u32 {
        (date - self.start).num_days().clamp(0, i64::from(self.days) - 1) as u32
    }

    pub(crate) fn last(&self) -> u32 {
        self.days - 1
    }
}

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub(crate) fn nth_weekday(y: i32, m: u32, wd: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(y, m, wd, n)
}

pub(crate) fn last_weekday(y: i32, m: u32, wd: Weekday) -> Option<NaiveDate> {
    let first_next = if m == 12 { ymd(y + 1, 1, 1)? } else { ymd(y, m + 1, 1)? };
    let mut d = first_next.pred_opt()?;
    while d.weekday() != wd {
        d = d.pred_opt()?;
    }
    Some(d)
}

/// The day after the fourth Thursday of November.
pub(crate) fn black_friday(y: i32) -> Option<NaiveDate> {
    nth_weekday(y, 11, Weekday::Thu, 4)?.succ_opt()
}

/// Mexico's Hot Sale: starts on the last Monday of May and runs nine days.
pub(crate) fn hot_sale(y: i32) -> Option<(NaiveDate, NaiveDate)> {
    let s = last_weekday(y, 5, Weekday::Mon)?;
    Some((s, s + TimeDelta::days(8)))
}

/// Mexico's Buen Fin: the four days up to the third Monday of November.
pub(crate) fn buen_fin(y: i32) -> Option<(NaiveDate, NaiveDate)> {
    let e = nth_weekday(y, 11, Weekday::Mon, 3)?;
    Some((e - TimeDelta::days(4), e))
}

fn within(date: NaiveDate, range: Option<(NaiveDate, NaiveDate)>) -> bool {
    range.is_some_and(|(a, b)| date >= a && date <= b)
}

fn around(date: NaiveDate, center: Option<NaiveDate>, before: i64, after: i64) -> bool {
    within(date, center.map(|c| (c - TimeDelta::days(before), c + TimeDelta::days(after))))
}

/// Weekly rhythm: weekends are quieter, much more so for B2B.
pub(crate) fn weekday_factor(industry: Industry, date: NaiveDate) -> f64 {
    let f: [f64; 7] = match industry {
        Industry::Retail => [1.00, 1.02, 1.03, 1.00, 1.08, 0.85, 0.62],
        Industry::Telco => [1.05, 1.05, 1.02, 1.00, 1.00, 0.72, 0.55],
        Industry::Fintech => [1.12, 1.05, 1.00, 1.00, 1.05, 0.55, 0.42],
        Industry::Health => [1.10, 1.05, 1.05, 1.02, 0.98, 0.55, 0.32],
        Industry::Industrial => [1.10, 1.10, 1.08, 1.05, 0.95, 0.28, 0.14],
    };
    f[date.weekday().num_days_from_monday() as usize]
}

/// Seasonal rhythm: retail peaks (Black Friday, Christmas, Hot Sale, Mother's Day…), paydays for fintech,
/// flu season for health, quarter ends and holidays for industry. Country events weigh by the tenant's
/// share of contacts in that country.
pub(crate) fn season_factor(profile: &TenantProfile, date: NaiveDate) -> f64 {
    let y = date.year();
    let (m, d) = (date.month(), date.day());
    let bf = black_friday(y);
    let mx = profile.country_share("MX");
    let co = profile.country_share("CO");
    let mut f = 1.0;
    match profile.industry {
        Industry::Retail => {
            if bf == Some(date) {
                f *= 2.4;
            } else if around(date, bf, 4, 3) {
                f *= 1.75;
            } else if m == 12 && d <= 24 {
                f *= 1.35;
            } else if m == 12 {
                f *= 1.1;
            } else if m == 1 && d <= 15 {
                f *= 0.8;
            }
            if within(date, hot_sale(y)) {
                f *= 1.0 + 0.9 * mx;
            }
            if within(date, buen_fin(y)) {
                f *= 1.0 + 0.8 * mx;
            }
            if m == 5 && d <= 10 {
                f *= 1.25;
            }
            if around(date, nth_weekday(y, 6, Weekday::Sun, 3), 7, 0) {
                f *= 1.12;
            }
            if around(date, nth_weekday(y, 9, Weekday::Sat, 3), 7, 0) {
                f *= 1.0 + 0.6 * co;
            }
        }
        Industry::Telco => {
            if around(date, bf, 3, 3) {
                f *= 1.35;
            } else if m == 12 && d <= 24 {
                f *= 1.2;
            } else if m == 1 && d <= 10 {
                f *= 0.9;
            }
            if within(date, hot_sale(y)) {
                f *= 1.0 + 0.4 * mx;
            }
        }
        Industry::Fintech => {
            f *= match d {
                1..=5 => 1.3,
                14..=16 => 1.2,
                28..=31 => 1.15,
                _ => 1.0,
            };
            if m == 12 || around(date, bf, 2, 3) {
                f *= 1.15;
            }
        }
        Industry::Health => {
            if (4..=6).contains(&m) {
                f *= 1.15;
            } else if m == 10 {
                f *= 1.1;
            }
            if (m == 12 && d >= 20) || (m == 1 && d <= 6) {
                f *= 0.75;
            }
        }
        Industry::Industrial => {
            if (m == 12 && d >= 20) || (m == 1 && d <= 6) {
                f *= 0.45;
            } else if matches!(m, 3 | 6 | 9 | 12) && d >= 15 {
                f *= 1.2;
            } else if m == 8 {
                f *= 0.9;
            }
        }
    }
    f
}

/// Hour-of-day weights (UTC-naive local hours) for campaign sends: office hours, a lunch dip, an early
/// evening push.
pub(crate) const SEND_HOURS: [f64; 24] = [
    0.10, 0.05, 0.03, 0.03, 0.03, 0.05, 0.20, 0.60, 1.20, 2.00, 2.40, 2.20, 1.60, 1.40, 1.60, 1.70, 1.80,
    2.00, 2.20, 1.80, 1.20, 0.80, 0.40, 0.20,
];

/// Hour-of-day weights for what people do themselves (replies, visits, purchases): later, into the evening.
pub(crate) const PEOPLE_HOURS: [f64; 24] = [
    0.30, 0.15, 0.08, 0.05, 0.05, 0.10, 0.30, 0.80, 1.30, 1.70, 1.90, 1.90, 1.80, 1.70, 1.70, 1.70, 1.80,
    1.90, 2.10, 2.30, 2.20, 1.80, 1.20, 0.60,
];

pub(crate) const MONTHS_ES: [&str; 12] = [
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
];
pub(crate) const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_spans_24_months() {
        let w = Window::new(NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.start, NaiveDate::from_ymd_opt(2024, 5, 16).unwrap_or_default());
        assert_eq!(w.date(w.last()), w.as_of);
        assert_eq!(w.end_us() - w.day_start_us(w.last()), LAST_SECOND_US);
    }

    #[test]
    fn retail_dates() {
        assert_eq!(black_friday(2025), NaiveDate::from_ymd_opt(2025, 11, 28));
        assert_eq!(hot_sale(2025).map(|r| r.0), NaiveDate::from_ymd_opt(2025, 5, 26));
    }
}
