//! Turns a result plus its chart spec into plottable series: which column is x, which are measures, how rows
//! split into series, and whether the x axis is categories, time or numbers.

use crate::ExportError;
use crate::ExportItem;
use crate::format::{self, Lang};
use chrono::{DateTime, NaiveDate};
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
    },
    Numbers,
}

#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Plot {
    pub x: XAxis,
    pub x_name: String,
    pub y_name: String,
    pub percent: bool,
    pub series: Vec<Series>,
}

impl Plot {
    pub fn y_range(&self) -> (f64, f64) {
        let ys = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
        pad_range(lo, hi, true)
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
    let names = spec.x.iter().chain(spec.y.iter()).chain(spec.series.iter());
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

pub(crate) fn time_label(days: f64, timestamps: bool, lang: Lang) -> String {
    let millis = (days * 86_400_000.0).round() as i64;
    match DateTime::from_timestamp_millis(millis) {
        Some(t) if timestamps && t.naive_utc().time() != chrono::NaiveTime::MIN => {
            format::timestamp(t.naive_utc(), lang)
        }
        Some(t) => format::date(t.naive_utc().date(), lang),
        None => String::new(),
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
        Some(i) if rs.columns[i].is_temporal() && spec.kind != ChartKind::Bar => {
            XAxis::Time { timestamps: rs.columns[i].data_type.to_ascii_uppercase().starts_with("TIMESTAMP") }
        }
        Some(i)
            if rs.columns[i].is_numeric()
                && matches!(spec.kind, ChartKind::Scatter | ChartKind::Line | ChartKind::Area) =>
        {
            XAxis::Numbers
        }
        _ => XAxis::Categories(Vec::new()),
    };
    let percent = ys.iter().any(|i| spec.percent.contains(&rs.columns[*i].name));
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    let mut series: Vec<Series> = Vec::new();
    let mut series_index: HashMap<String, usize> = HashMap::new();
    // Pivoted values are summed per (series, x) so duplicate keys do not draw overlapping bars.
    let mut sums: HashMap<(usize, u64), usize> = HashMap::new();
    if series_col.is_none() {
        for &y in &ys {
            series.push(Series { name: rs.columns[y].name.clone(), points: Vec::new() });
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
                    Some(i) => format::cell(&row[i], false, lang),
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
                let name = row[sc].to_text();
                let next = series.len();
                if next >= MAX_SERIES && !series_index.contains_key(&name) {
                    continue;
                }
                let s = *series_index.entry(name.clone()).or_insert_with(|| {
                    series.push(Series { name, points: Vec::new() });
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
    let y_name = match (series_col, ys.as_slice()) {
        (_, [one]) => format::title(&rs.columns[*one]),
        (Some(_), [first, ..]) => format::title(&rs.columns[*first]),
        _ => String::new(),
    };
    Plot {
        x: x_kind,
        x_name: x.map(|i| format::title(&rs.columns[i])).unwrap_or_default(),
        y_name,
        percent,
        series,
    }
}
