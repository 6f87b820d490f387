//! fx_rates: monthly exchange rates into the tenant's reporting currency (its `default_currency`), so that
//! answers can convert every activity's amount before adding them up.
//!
//! Which rows: USD for every month of the window (messaging costs are billed in USD), and every other
//! currency the tenant's contacts pay in from the first month one of them could buy (signed up before a day
//! of that month) to the as-of month. A purchase or refund always comes from a contact who signed up before
//! it, so this covers every currency-month of fct_activities by construction; and it is known when the
//! tenant is planned, so progress still knows the exact total before the first row is written.
//!
//! Rates: the per-USD rates the prices use (`names::currency_fx`), each currency drifting against USD month
//! by month by a few percent: log-drift `d(m) = 0.8·d(m-1) + 0.02·z(m)`, `z` standard normal from the
//! tenant's own `fx_rates` stream, clamped to ±8 %. The rate of `c` into the reporting currency `R` in month
//! `m` is `fx(R)·e^d_R(m) / (fx(c)·e^d_c(m))`, so cross rates stay consistent and `R` itself is exactly 1.

use super::Progress;
use super::calendar::Window;
use super::contacts::Contact;
use super::names::{COUNTRIES, currency_fx};
use super::plan::TenantPlan;
use super::rng::{self, normal};
use super::writer::{Output, ParquetSink, decimal_builder};
use chrono::{Datelike, Months, NaiveDate};
use datafusion::arrow::array::{ArrayRef, Date32Builder, StringBuilder};
use inda_core::Error;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The currency every drift is measured against (its own drift is 0).
const ANCHOR: &str = "USD";
/// Month-to-month persistence of a currency's drift.
const PERSISTENCE: f64 = 0.8;
/// Standard deviation of a month's new drift.
const MONTHLY_SIGMA: f64 = 0.02;
/// No currency drifts further than this from its base rate (in log terms, about ±8 %).
const MAX_DRIFT: f64 = 0.08;
/// `DECIMAL(18,8)`: rates are stored in units of 1e-8.
const RATE_SCALE: i8 = 8;
const RATE_UNIT: f64 = 100_000_000.0;

/// Which rates a tenant gets: the window's months and, per currency in code order, the first month (an
/// index into `months`) it has a rate.
#[derive(Debug, Clone)]
pub(crate) struct FxPlan {
    months: Vec<NaiveDate>,
    series: Vec<(&'static str, usize)>,
}

impl FxPlan {
    pub(crate) fn build(window: &Window, contacts: &[Contact]) -> FxPlan {
        let months = months_of(window);
        let mut first: BTreeMap<&'static str, usize> = BTreeMap::new();
        first.insert(ANCHOR, 0);
        for c in contacts {
            // The first day this contact can buy on: the day after signing up (see plan::Pool::eligible).
            let day = c.created_day + 1;
            if day >= window.days {
                continue;
            }
            let m = month_index(window.start, window.date(day));
            let currency = COUNTRIES[c.country as usize].currency;
            first.entry(currency).and_modify(|f| *f = (*f).min(m)).or_insert(m);
        }
        FxPlan { months, series: first.into_iter().collect() }
    }

    pub(crate) fn rows(&self) -> u64 {
        self.series.iter().map(|(_, from)| (self.months.len() - from) as u64).sum()
    }
}

/// The first day of every calendar month the window touches, oldest first.
fn months_of(window: &Window) -> Vec<NaiveDate> {
    let first = window.start.with_day(1).unwrap_or(window.start);
    let n = month_index(window.start, window.as_of) + 1;
    (0..n).filter_map(|i| first.checked_add_months(Months::new(i as u32))).collect()
}

/// Calendar months from `start`'s month to `date`'s.
fn month_index(start: NaiveDate, date: NaiveDate) -> usize {
    let ordinal = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    (ordinal(date) - ordinal(start)).max(0) as usize
}

/// Every currency the countries pay in, in the order of `COUNTRIES` (fixed, so draws never shift).
fn currencies() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in &COUNTRIES {
        if !out.contains(&c.currency) {
            out.push(c.currency);
        }
    }
    out
}

/// Log-drift against USD per currency and month. Every currency draws for every month, whether the tenant
/// uses it or not, so a rate never depends on which other currencies the tenant has.
fn drifts(seed: u64, tenant: &str, months: usize) -> BTreeMap<&'static str, Vec<f64>> {
    let rng = &mut rng::stream(seed, tenant, "fx_rates");
    let mut out = BTreeMap::new();
    for currency in currencies() {
        if currency == ANCHOR {
            out.insert(currency, vec![0.0; months]);
            continue;
        }
        let mut d = 0.0;
        let series = (0..months)
            .map(|_| {
                d = (PERSISTENCE * d + MONTHLY_SIGMA * normal(rng)).clamp(-MAX_DRIFT, MAX_DRIFT);
                d
            })
            .collect();
        out.insert(currency, series);
    }
    out
}

/// Units of `reporting` for one unit of `currency` in month `m`, in 1e-8 units.
fn rate_units(currency: &str, reporting: &str, m: usize, drift: &BTreeMap<&str, Vec<f64>>) -> i128 {
    if currency == reporting {
        return RATE_UNIT as i128;
    }
    let d = |c: &str| drift.get(c).map_or(0.0, |s| s[m]);
    let per_usd = |c: &str| currency_fx(c).0 * d(c).exp();
    (per_usd(reporting) / per_usd(currency) * RATE_UNIT).round() as i128
}

fn days_since_epoch(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

/// Writes fx_rates of one tenant, ordered by currency and month; returns the rows written.
pub(crate) fn write(
    plan: &TenantPlan,
    out: &Output,
    seed: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, Error> {
    let fx = &plan.fx;
    let reporting = plan.profile.currency;
    let drift = drifts(seed, plan.profile.id, fx.months.len());
    let n = fx.rows() as usize;
    let mut currency = StringBuilder::with_capacity(n, n * 3);
    let mut month = Date32Builder::with_capacity(n);
    let mut rate = decimal_builder(n, 18, RATE_SCALE)?;
    for (code, from) in &fx.series {
        for (m, date) in fx.months.iter().enumerate().skip(*from) {
            currency.append_value(code);
            month.append_value(days_since_epoch(*date));
            rate.append_value(rate_units(code, reporting, m, &drift));
        }
    }
    let mut sink = ParquetSink::create(out, "fx_rates", plan.profile.id, progress)?;
    let columns: Vec<ArrayRef> =
        vec![Arc::new(currency.finish()), Arc::new(month.finish()), Arc::new(rate.finish())];
    sink.write(columns)?;
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reporting_currency_is_exactly_one_and_cross_rates_agree() {
        let drift = drifts(42, "acme_corp", 3);
        for m in 0..3 {
            assert_eq!(rate_units("COP", "COP", m, &drift), 100_000_000);
            let mxn_cop = rate_units("MXN", "COP", m, &drift) as f64;
            let usd_cop = rate_units("USD", "COP", m, &drift) as f64;
            let mxn_usd = rate_units("MXN", "USD", m, &drift) as f64 / RATE_UNIT;
            assert!((mxn_cop / usd_cop / mxn_usd - 1.0).abs() < 1e-4, "month {m}");
        }
    }

    #[test]
    fn drift_stays_within_a_few_percent() {
        let drift = drifts(7, "globex", 25);
        assert!(drift.values().flatten().all(|d| d.abs() <= MAX_DRIFT));
        assert!(drift["MXN"].iter().any(|d| *d != 0.0), "rates move from month to month");
    }

    #[test]
    fn months_cover_the_window() {
        let w = Window::new(NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default()).expect("window");
        let months = months_of(&w);
        assert_eq!(months.len(), 25);
        assert_eq!(months.first(), NaiveDate::from_ymd_opt(2024, 5, 1).as_ref());
        assert_eq!(months.last(), NaiveDate::from_ymd_opt(2026, 5, 1).as_ref());
    }
}
