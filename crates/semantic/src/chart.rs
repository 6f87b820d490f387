//! Chart choice by the shape of a result: a KPI for one number, a line for a series, bars for categories,
//! a pie only for a few shares of a whole the question asked about, a scatter for two measures, else a table.

use inda_core::{ChartKind, ChartSpec, ResultSet, Value};

use crate::model::{MeasureFormat, MetricKind};
use crate::plan::Plan;

/// Most categories a bar chart shows; beyond that a table reads better.
const MAX_BARS: usize = 50;
/// Most slices a pie shows.
const MAX_SLICES: usize = 6;
/// A measure whose largest value is this many times another's gets its own axis (the UI's `SCALE_RATIO`).
const SCALE_RATIO: f64 = 20.0;

/// The chart for a result, from its shape and, when the engine planned it, the plan (which columns are
/// measures and time, whether the question asked for shares). Without a plan (typed SQL, a saved statement)
/// numeric columns are the measures and a date or timestamp column is time. Falls back to a table, never
/// fails.
pub fn choose_chart(rs: &ResultSet, plan: Option<&Plan>) -> ChartSpec {
    let mut spec = ChartSpec::table();
    spec.title = plan.map(|p| p.title.clone());
    if rs.columns.is_empty() {
        return spec;
    }
    let names: Vec<&str> = rs.columns.iter().map(|c| c.name.as_str()).collect();
    let time_col: Option<String> = plan
        .and_then(|p| p.time_column.clone())
        .filter(|t| names.contains(&t.as_str()))
        .or_else(|| rs.columns.iter().find(|c| c.is_temporal()).map(|c| c.name.clone()));
    let measures: Vec<String> = match plan {
        Some(p) => {
            p.measures.iter().map(|m| m.name.clone()).filter(|m| names.contains(&m.as_str())).collect()
        }
        None => rs
            .columns
            .iter()
            .filter(|c| c.is_numeric() && Some(&c.name) != time_col.as_ref())
            .map(|c| c.name.clone())
            .collect(),
    };
    let hidden: Vec<String> = plan
        .map(|p| {
            p.id_columns
                .iter()
                .chain(p.same_days_column.iter())
                .chain(p.share_column.iter())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let dims: Vec<String> = rs
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| !measures.contains(n) && Some(n) != time_col.as_ref() && !hidden.contains(n))
        .collect();
    spec.percent = measures
        .iter()
        .filter(|m| match plan {
            Some(p) => p.measures.iter().any(|mi| &mi.name == *m && mi.format == MeasureFormat::Percent),
            // "delivery_rate", "tasa_de_entrega"; not an exchange "rate".
            None => m.ends_with("_rate") || m.starts_with("tasa"),
        })
        .cloned()
        .collect();
    // A share of the whole beside its measure is read in the table, as a percentage; the chart shows the
    // measure.
    spec.percent.extend(plan.and_then(|p| p.share_column.clone()).filter(|s| names.contains(&s.as_str())));
    if measures.is_empty() {
        return spec;
    }
    let rows = rs.rows.len();
    let comparison = plan.is_some_and(|p| p.intent.comparison.is_some());

    if let Some(t) = time_col {
        if dims.len() > 1 {
            return spec;
        }
        spec.kind = if comparison { ChartKind::Bar } else { ChartKind::Line };
        spec.x = Some(t);
        spec.series = dims.first().cloned();
        spec.y = if spec.series.is_some() { measures[..1].to_vec() } else { measures };
        spec.y2 = second_axis(rs, &spec);
        return spec;
    }
    if dims.is_empty() {
        if rows == 1 {
            spec.kind = ChartKind::Kpi;
            spec.y = measures;
        } else if measures.len() >= 2 {
            spec.kind = ChartKind::Scatter;
            spec.x = Some(measures[0].clone());
            spec.y = vec![measures[1].clone()];
        }
        return spec;
    }
    if dims.len() > 2 || rows > MAX_BARS {
        return spec;
    }
    spec.x = Some(dims[0].clone());
    if dims.len() == 2 {
        spec.kind = ChartKind::Bar;
        spec.series = Some(dims[1].clone());
        spec.y = measures[..1].to_vec();
        return spec;
    }
    spec.kind = if is_share(rs, plan, &measures) { ChartKind::Pie } else { ChartKind::Bar };
    spec.y = measures;
    spec.y2 = second_axis(rs, &spec);
    spec
}

/// The measures of a bar or line chart (without a series split) that go on a second axis, as the UI's
/// `secondAxisFor` picks them: rates next to counts, else measures `SCALE_RATIO` times apart from the first.
/// Sharing one axis, a 95% rate is a flat line at the bottom of a chart of thousands.
fn second_axis(rs: &ResultSet, spec: &ChartSpec) -> Vec<String> {
    if spec.series.is_some() || spec.y.len() < 2 || !matches!(spec.kind, ChartKind::Bar | ChartKind::Line) {
        return vec![];
    }
    let rates: Vec<String> = spec.y.iter().filter(|m| spec.percent.contains(m)).cloned().collect();
    if !rates.is_empty() && rates.len() < spec.y.len() {
        return rates;
    }
    let peak = |m: &String| -> f64 {
        let Some(i) = rs.column_index(m) else { return 0.0 };
        rs.rows.iter().filter_map(|r| r.get(i).and_then(Value::as_f64)).fold(0.0, |acc, v| acc.max(v.abs()))
    };
    let base = peak(&spec.y[0]);
    let far: Vec<String> = spec.y[1..]
        .iter()
        .filter(|m| {
            let p = peak(m);
            p > 0.0 && base > 0.0 && (base / p >= SCALE_RATIO || p / base >= SCALE_RATIO)
        })
        .cloned()
        .collect();
    if far.len() < spec.y.len() { far } else { vec![] }
}

/// A pie needs a question about shares, one additive non-negative measure, a few slices, and the whole
/// (no top-N cut, no explicit ranking).
fn is_share(rs: &ResultSet, plan: Option<&Plan>, measures: &[String]) -> bool {
    let Some(p) = plan else { return false };
    let [m] = measures else { return false };
    let additive =
        p.measures.iter().any(|mi| &mi.name == m && matches!(mi.kind, MetricKind::Count | MetricKind::Sum));
    let rows = rs.rows.len();
    let Some(idx) = rs.column_index(m) else { return false };
    let non_negative = rs.rows.iter().all(|r| r.get(idx).and_then(Value::as_f64).is_some_and(|v| v >= 0.0));
    p.intent.share
        && additive
        && (2..=MAX_SLICES).contains(&rows)
        && p.intent.top_n.is_none()
        && p.intent.sort.is_none()
        && non_negative
}
