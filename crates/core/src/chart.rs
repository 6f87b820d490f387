//! The chart spec: what to draw, chosen from the shape of a result. The UI (ECharts) and the image exports
//! (plotters) both render from it, so a chart looks the same everywhere.

use serde::{Deserialize, Serialize};

/// How a result is drawn; serialized in snake case (`kpi`, `bar`, …), the words saved analyses store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// One row of measures shown as big numbers, no axes.
    Kpi,
    /// Bars per category (or per period when comparing periods).
    Bar,
    /// A line over time.
    Line,
    /// A line over time with the area under it filled.
    Area,
    /// Slices of a whole: only a few shares the question asked about.
    Pie,
    /// One measure against another, a point per row.
    Scatter,
    /// The rows as they are: the fallback for any shape no chart suits.
    Table,
}

/// What to draw and from which columns of the result; the columns are named, never positional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct ChartSpec {
    /// The kind of chart; `table` when no chart suits the result.
    pub kind: ChartKind,
    /// Column on the x axis (category, time or first measure); absent for `kpi` and `table`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Measure columns drawn.
    pub y: Vec<String>,
    /// Column whose values split the measure into series, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// Heading above the chart (the plan's title of the question); absent for SQL typed by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Measures that are fractions (rates), shown as percentages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub percent: Vec<String>,
    /// Measures of `y` drawn against a second value axis on the right (a rate next to counts, say); the
    /// others stay on the left. Ignored unless at least one measure of `y` stays on the left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub y2: Vec<String>,
}

impl ChartKind {
    /// Every kind, in declaration order.
    pub const ALL: [ChartKind; 7] = [
        ChartKind::Kpi,
        ChartKind::Bar,
        ChartKind::Line,
        ChartKind::Area,
        ChartKind::Pie,
        ChartKind::Scatter,
        ChartKind::Table,
    ];

    /// The word the JSON, the store and saved analyses use: `kpi`, `bar`, …
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Kpi => "kpi",
            ChartKind::Bar => "bar",
            ChartKind::Line => "line",
            ChartKind::Area => "area",
            ChartKind::Pie => "pie",
            ChartKind::Scatter => "scatter",
            ChartKind::Table => "table",
        }
    }
}

impl std::str::FromStr for ChartKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChartKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::Error::usage(format!("`{s}` is not a chart kind")))
    }
}

impl ChartSpec {
    /// A plain table, no title: the starting point before a chart is chosen, and the fallback.
    pub fn table() -> Self {
        ChartSpec {
            kind: ChartKind::Table,
            x: None,
            y: vec![],
            series: None,
            title: None,
            percent: vec![],
            y2: vec![],
        }
    }
}
