//! Turns a result plus its chart spec into plottable series: which column is x, which are measures, how rows
//! split into series, and whether the x axis is categories, time or numbers.

use crate::ExportError;
use crate::ExportItem;
use crate::format::{self, Lang};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use inda_core::{ChartKind, ResultSet, Value};
use std::collections::HashMap;

/// More series than this make an unreadable legend; the rest are dropped (the table exports keep all data).
pub(crate) const MAX_SERIES: usize = 8;
/// Bar charts beyond this many categories become unreadable; results come sorted, so the first ones matter most.
pub(crate) const MAX_CATEGORIES: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XAxis {
    /// Labels in first-appearance order; x positions are their indices.
    Categories(Vec<String>),
    /// x positions are days since 1970-01-01 (fractional for timestamps).
    Time {
        timestamps: bool,
        /// The period every value starts (monthly buckets): ticks are never finer.
        period: PeriodGrain,
    },
    Numbers,
}

#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn against the second value axis, on the right (a measure of the spec's `y2`).
    pub right: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Plot {
    pub x: XAxis,
    pub x_name: String,
    /// The left value axis's name, and whether its measures are rates.
    pub y_name: String,
    pub percent: bool,
    /// The right value axis's name and rates, when some series are drawn against it.
    pub y2_name: String,
    pub percent2: bool,
    pub series: Vec<Series>,
}

impl Plot {
    /// The value range of every series (`None`), or of the left (`Some(false)`) or right (`Some(true)`) ones.
    pub fn y_range(&self, side: Option<bool>) -> (f64, f64) {
        let on_side = |s: &&Series| side.is_none_or(|right| s.right == right);
        let ys = self.series.iter().filter(on_side).flat_map(|s| s.points.iter().map(|p| p.1));
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
        pad_range(lo, hi, true)
    }
    /// Whether some series are drawn against the right axis.
    pub fn has_right(&self) -> bool {
        self.series.iter().any(|s| s.right)
    }
    pub fn x_range(&self) -> (f64, f64) {
        if let XAxis::Categories(c) = &self.x {
            return (-0.5, c.len().max(1) as f64 - 0.5);
        }
        let xs = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        pad_range(lo, hi, false)
    }
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }
}

/// A drawable range: includes zero for bars/areas, never empty, with headroom above the top value.
fn pad_range(lo: f64, hi: f64, from_zero: bool) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (mut lo, mut hi) = if from_zero { (lo.min(0.0), hi.max(0.0)) } else { (lo, hi) };
    if (hi - lo).abs() < f64::EPSILON {
        if from_zero {
            // Only reachable when every value is zero.
            return (0.0, 1.0);
        }
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= d;
        hi += d;
    }
    let span = hi - lo;
    let hi = if hi > 0.0 || !from_zero { hi + span * 0.08 } else { hi };
    let lo = if lo < 0.0 || !from_zero { lo - span * 0.04 } else { lo };
    (lo, hi)
}

/// Checks that every column the chart names exists, so a stale spec fails clearly instead of drawing nothing.
pub(crate) fn validate(item: &ExportItem) -> Result<(), ExportError> {
    let spec = item.chart;
    let names = spec.x.iter().chain(spec.y.iter()).chain(spec.y2.iter()).chain(spec.series.iter());
    for name in names {
        if item.result.column_index(name).is_none() {
            return Err(ExportError::UnknownColumn { title: item.title.to_string(), column: name.clone() });
        }
    }
    Ok(())
}

/// Measure columns: the spec's, or every numeric column but x when the spec names none.
pub(crate) fn measures(result: &ResultSet, spec_y: &[String], x: Option<usize>) -> Vec<usize> {
    let named: Vec<usize> = spec_y.iter().filter_map(|n| result.column_index(n)).collect();
    if !named.is_empty() {
        return named;
    }
    result
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| Some(*i) != x && c.is_numeric())
        .map(|(i, _)| i)
        .collect()
}

fn x_column(item: &ExportItem, ys: &[usize]) -> Option<usize> {
    match &item.chart.x {
        Some(x) => item.result.column_index(x),
        None => (0..item.result.columns.len()).find(|i| !ys.contains(i)),
    }
}

pub(crate) fn days_of(v: &Value) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    match v {
        Value::Date(d) => Some((*d - epoch).num_days() as f64),
        Value::Timestamp(t) => Some(t.and_utc().timestamp_millis() as f64 / 86_400_000.0),
        _ => None,
    }
}

/// The instant `days` after 1970-01-01 (UTC wall clock).
fn instant_of(days: f64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis((days * 86_400_000.0).round() as i64).map(|t| t.naive_utc())
}

/// The step between two ticks of a time axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    Hours(u32),
    Days(u32),
    Months(u32),
    Years(i32),
}

impl Grain {
    /// Roughly how many days a step spans, to count the ticks of a range.
    fn days(self) -> f64 {
        match self {
            Grain::Hours(h) => f64::from(h) / 24.0,
            Grain::Days(d) => f64::from(d),
            Grain::Months(m) => f64::from(m) * 30.44,
            Grain::Years(y) => f64::from(y) * 365.25,
        }
    }
}

/// Ticks of a time axis on calendar boundaries (midnights, firsts of months, New Years), as the UI's time
/// axis places them, so labels read `Mar 2026` rather than an arbitrary instant.
#[derive(Debug, Clone)]
pub(crate) struct TimeTicks {
    /// Positions in days since 1970-01-01.
    pub points: Vec<f64>,
    grain: Grain,
    /// Every tick falls in one calendar year: day labels leave the year out.
    one_year: bool,
}

impl TimeTicks {
    /// At most `max` ticks between `lo` and `hi` (days since 1970-01-01) at the finest calendar step that
    /// keeps to `max`; hours only for timestamps.
    /// Monthly or yearly data (`period`) ticks by months or years at least.
    pub fn new(lo: f64, hi: f64, timestamps: bool, period: PeriodGrain, max: usize) -> TimeTicks {
        let max = max.max(2);
        let hours = [Grain::Hours(1), Grain::Hours(2), Grain::Hours(3), Grain::Hours(6), Grain::Hours(12)];
        let rest = [
            Grain::Days(1),
            Grain::Days(2),
            Grain::Days(7),
            Grain::Days(14),
            Grain::Months(1),
            Grain::Months(2),
            Grain::Months(3),
            Grain::Months(6),
            Grain::Years(1),
            Grain::Years(2),
            Grain::Years(5),
            Grain::Years(10),
            Grain::Years(25),
            Grain::Years(50),
            Grain::Years(100),
        ];
        let span = (hi - lo).max(0.0);
        let skip = match period {
            PeriodGrain::Year => hours.len() + 8,
            PeriodGrain::Month => hours.len() + 4,
            PeriodGrain::Quarter => hours.len() + 6,
            PeriodGrain::Day if timestamps => 0,
            PeriodGrain::Day => hours.len(),
        };
        let grain = hours
            .iter()
            .chain(&rest)
            .skip(skip)
            .copied()
            .find(|g| span / g.days() <= max as f64)
            .unwrap_or(Grain::Years(100));
        let mut points = ticks(lo, hi, grain);
        if points.len() > max {
            // The rough month and year lengths can count one tick short.
            let keep = points.len().div_ceil(max);
            points = points.into_iter().step_by(keep).collect();
        }
        let years: Vec<i32> = points.iter().filter_map(|p| instant_of(*p)).map(|t| t.year()).collect();
        let one_year = years.windows(2).all(|w| w[0] == w[1]);
        TimeTicks { points, grain, one_year }
    }

    /// A tick's label: `13:00` / `Dec 2 13:00`, `Dec 2` / `Dec 2, 2026`, `Mar 2026`, `2026`.
    pub fn label(&self, days: f64, lang: Lang) -> String {
        let Some(t) = instant_of(days) else { return String::new() };
        match self.grain {
            Grain::Hours(_) => format!("{} {}", format::day_month(t.date(), lang), t.format("%H:%M")),
            Grain::Days(_) if self.one_year => format::day_month(t.date(), lang),
            Grain::Days(_) => format::date(t.date(), lang),
            Grain::Months(_) => format::month(t.date(), lang),
            Grain::Years(_) => t.year().to_string(),
        }
    }
}

/// The calendar boundaries of `grain` between `lo` and `hi`.
fn ticks(lo: f64, hi: f64, grain: Grain) -> Vec<f64> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let day_of = |d: NaiveDate| (d - epoch).num_days() as f64;
    let (Some(start), Some(_)) = (instant_of(lo), instant_of(hi)) else { return Vec::new() };
    let mut out = Vec::new();
    match grain {
        Grain::Hours(h) => {
            let step = f64::from(h) / 24.0;
            let mut x = (lo / step).ceil() * step;
            while x <= hi && out.len() < 1000 {
                out.push(x);
                x += step;
            }
        }
        Grain::Days(d) => {
            let step = f64::from(d);
            // Weeks start on Mondays (1970-01-05 was one).
            let offset = if d == 7 || d == 14 { 4.0 } else { 0.0 };
            let mut x = ((lo - offset) / step).ceil() * step + offset;
            while x <= hi && out.len() < 1000 {
                out.push(x);
                x += step;
            }
        }
        Grain::Months(m) => {
            let mut index = start.year() * 12 + start.month0() as i32;
            let first = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(epoch);
            if day_of(first) < lo {
                index += 1;
            }
            index = (index + m as i32 - 1) / m as i32 * m as i32;
            while out.len() < 1000 {
                let Some(d) =
                    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
                else {
                    break;
                };
                if day_of(d) > hi {
                    break;
                }
                out.push(day_of(d));
                index += m as i32;
            }
        }
        Grain::Years(y) => {
            let mut year = start.year();
            let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(epoch);
            if day_of(first) < lo {
                year += 1;
            }
            year = year.div_euclid(y) * y + if year.rem_euclid(y) == 0 { 0 } else { y };
            while out.len() < 1000 {
                let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) else { break };
                if day_of(d) > hi {
                    break;
                }
                out.push(day_of(d));
                year += y;
            }
        }
    }
    out
}

/// How the values of a date or timestamp column read as categories (a bar per period): `2026` when they are
/// all New Years, `Mar 2026` when all firsts of months, else the day (and time when not midnight).
fn period_label(v: &Value, grain: PeriodGrain, lang: Lang) -> Option<String> {
    let day = match v {
        Value::Date(d) => *d,
        Value::Timestamp(t) if t.time() == chrono::NaiveTime::MIN => t.date(),
        _ => return None,
    };
    match grain {
        PeriodGrain::Year => Some(day.year().to_string()),
        PeriodGrain::Quarter => Some(format::quarter(day, lang)),
        PeriodGrain::Month => Some(format::month(day, lang)),
        PeriodGrain::Day => None,
    }
}

/// The calendar period the values of a time column start: a yearly, monthly or other series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeriodGrain {
    Year,
    Quarter,
    Month,
    Day,
}

/// The period every value of column `i` starts: the column's own grain when the engine named it, else the
/// coarsest the values allow.
fn period_grain(rs: &ResultSet, i: usize) -> PeriodGrain {
    match rs.columns[i].grain {
        Some(inda_core::Grain::Year) => return PeriodGrain::Year,
        Some(inda_core::Grain::Quarter) => return PeriodGrain::Quarter,
        Some(inda_core::Grain::Month) => return PeriodGrain::Month,
        Some(inda_core::Grain::Week | inda_core::Grain::Day) => return PeriodGrain::Day,
        None => {}
    }
    let days: Vec<NaiveDate> = rs
        .rows
        .iter()
        .filter_map(|r| match r.get(i) {
            Some(Value::Date(d)) => Some(*d),
            Some(Value::Timestamp(t)) if t.time() == chrono::NaiveTime::MIN => Some(t.date()),
            Some(Value::Null) => None,
            _ => Some(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap_or_default()),
        })
        .collect();
    if days.is_empty() {
        PeriodGrain::Day
    } else if days.iter().all(|d| d.day() == 1 && d.month() == 1) && days.len() > 1 {
        PeriodGrain::Year
    } else if days.iter().all(|d| d.day() == 1) {
        PeriodGrain::Month
    } else {
        PeriodGrain::Day
    }
}

/// Builds the series for bar, line, area and scatter charts.
pub(crate) fn extract(item: &ExportItem, lang: Lang) -> Plot {
    let rs = item.result;
    let spec = item.chart;
    let pre_ys = measures(rs, &spec.y, spec.x.as_deref().and_then(|x| rs.column_index(x)));
    let mut x = x_column(item, &pre_ys);
    let mut ys: Vec<usize> = pre_ys.into_iter().filter(|i| Some(*i) != x).collect();
    // Scatter over a non-numeric x (or none): plot the first measure against the second.
    if spec.kind == ChartKind::Scatter && x.is_none_or(|i| !rs.columns[i].is_numeric()) && ys.len() >= 2 {
        x = Some(ys.remove(0));
    }
    let series_col = spec.series.as_deref().and_then(|s| rs.column_index(s)).filter(|s| Some(*s) != x);
    let x_kind = match x {
        Some(i) if rs.columns[i].is_temporal() && spec.kind != ChartKind::Bar => XAxis::Time {
            timestamps: rs.columns[i].data_type.to_ascii_uppercase().starts_with("TIMESTAMP"),
            period: period_grain(rs, i),
        },
        Some(i)
            if rs.columns[i].is_numeric()
                && matches!(spec.kind, ChartKind::Scatter | ChartKind::Line | ChartKind::Area) =>
        {
            XAxis::Numbers
        }
        _ => XAxis::Categories(Vec::new()),
    };
    // Measures of `y2` go on a right axis, as the UI draws them: only without a series split, and only while
    // at least one measure stays on the left.
    let mut right: Vec<bool> =
        ys.iter().map(|i| series_col.is_none() && spec.y2.contains(&rs.columns[*i].name)).collect();
    if right.iter().all(|r| *r) {
        right.iter_mut().for_each(|r| *r = false);
    }
    let is_percent = |i: &usize| spec.percent.contains(&rs.columns[*i].name);
    let left_ys: Vec<usize> = ys.iter().zip(&right).filter(|(_, r)| !**r).map(|(i, _)| *i).collect();
    let right_ys: Vec<usize> = ys.iter().zip(&right).filter(|(_, r)| **r).map(|(i, _)| *i).collect();
    let percent = left_ys.iter().any(is_percent);
    let percent2 = right_ys.iter().any(is_percent);
    let grain = match x {
        Some(i) if rs.columns[i].is_temporal() => period_grain(rs, i),
        _ => PeriodGrain::Day,
    };
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    let mut series: Vec<Series> = Vec::new();
    let mut series_index: HashMap<String, usize> = HashMap::new();
    // Pivoted values are summed per (series, x) so duplicate keys do not draw overlapping bars.
    let mut sums: HashMap<(usize, u64), usize> = HashMap::new();
    if series_col.is_none() {
        for (&y, &r) in ys.iter().zip(&right) {
            series.push(Series { name: format::title(&rs.columns[y]), points: Vec::new(), right: r });
        }
    }
    for (r, row) in rs.rows.iter().enumerate() {
        let xv = match (&x_kind, x) {
            (XAxis::Time { .. }, Some(i)) => match days_of(&row[i]) {
                Some(d) => d,
                None => continue,
            },
            (XAxis::Numbers, Some(i)) => match row[i].as_f64() {
                Some(v) => v,
                None => continue,
            },
            (_, xi) => {
                let label = match xi {
                    Some(i) if row[i] == Value::Null => format::labels(lang).null.to_string(),
                    Some(i) => period_label(&row[i], grain, lang)
                        .unwrap_or_else(|| format::display_cell(&row[i], &rs.columns[i], false, lang)),
                    None => (r + 1).to_string(),
                };
                let next = categories.len();
                if next >= MAX_CATEGORIES && !cat_index.contains_key(&label) {
                    continue;
                }
                let idx = *cat_index.entry(label.clone()).or_insert_with(|| {
                    categories.push(label);
                    next
                });
                idx as f64
            }
        };
        match series_col {
            Some(sc) => {
                let Some(v) = ys.first().and_then(|&y| row[y].as_f64()) else { continue };
                let name = format::display_cell(&row[sc], &rs.columns[sc], false, lang);
                let next = series.len();
                if next >= MAX_SERIES && !series_index.contains_key(&name) {
                    continue;
                }
                let s = *series_index.entry(name.clone()).or_insert_with(|| {
                    series.push(Series { name, points: Vec::new(), right: false });
                    next
                });
                match sums.get(&(s, xv.to_bits())) {
                    Some(&p) => series[s].points[p].1 += v,
                    None => {
                        sums.insert((s, xv.to_bits()), series[s].points.len());
                        series[s].points.push((xv, v));
                    }
                }
            }
            None => {
                for (k, &y) in ys.iter().enumerate().take(MAX_SERIES) {
                    if let Some(v) = row[y].as_f64().filter(|v| v.is_finite()) {
                        series[k].points.push((xv, v));
                    }
                }
            }
        }
    }
    series.truncate(MAX_SERIES);
    if !matches!(x_kind, XAxis::Categories(_)) {
        for s in &mut series {
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    let x_kind = match x_kind {
        XAxis::Categories(_) => XAxis::Categories(categories),
        other => other,
    };
    // Axis names as the UI writes them: the label, and a money measure's currency (`Revenue (COP)`).
    let y_name = match (series_col, left_ys.as_slice()) {
        (_, [one]) => format::title(&rs.columns[*one]),
        (Some(_), [first, ..]) => format::title(&rs.columns[*first]),
        _ => String::new(),
    };
    let y2_name = match right_ys.as_slice() {
        [one] => format::title(&rs.columns[*one]),
        _ => String::new(),
    };
    Plot {
        x: x_kind,
        x_name: x.map(|i| format::title(&rs.columns[i])).unwrap_or_default(),
        y_name,
        percent,
        y2_name,
        percent2,
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> f64 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        (NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default() - epoch).num_days() as f64
    }

    #[test]
    fn time_ticks_fall_on_calendar_boundaries() {
        // Two years of months: ticks on firsts of months, labelled like the UI.
        let t = TimeTicks::new(day(2025, 1, 10), day(2026, 12, 20), false, PeriodGrain::Day, 8);
        assert!(t.points.len() <= 8 && t.points.len() >= 4, "{:?}", t.points);
        let labels: Vec<String> = t.points.iter().map(|p| t.label(*p, Lang::En)).collect();
        assert!(labels.iter().all(|l| l.len() == 8 && l.ends_with(['5', '6'])), "{labels:?}");
        assert_eq!(t.label(day(2026, 3, 1), Lang::Es), "mar 2026");
        // A month of days: day labels without the year inside one year.
        let t = TimeTicks::new(day(2026, 3, 1), day(2026, 3, 31), false, PeriodGrain::Day, 10);
        assert_eq!(t.label(t.points[0], Lang::En), "Mar 2");
        assert!(t.points.iter().all(|p| p.fract() == 0.0));
        // Decades: years.
        let t = TimeTicks::new(day(1990, 6, 1), day(2026, 6, 1), false, PeriodGrain::Day, 8);
        assert_eq!(t.label(t.points[0], Lang::En), "1995");
        // Hours, for timestamps only.
        let t = TimeTicks::new(day(2026, 3, 1) + 0.1, day(2026, 3, 1) + 0.9, true, PeriodGrain::Day, 6);
        assert!(t.label(t.points[0], Lang::En).starts_with("Mar 1 "), "{:?}", t.points);
        // Three months of monthly buckets: month ticks, not fortnights.
        let t = TimeTicks::new(day(2026, 9, 28), day(2026, 12, 6), false, PeriodGrain::Month, 8);
        let labels: Vec<String> = t.points.iter().map(|p| t.label(*p, Lang::En)).collect();
        assert_eq!(labels, ["Oct 2026", "Nov 2026", "Dec 2026"]);
    }
}
