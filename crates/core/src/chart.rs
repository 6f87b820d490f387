//! The chart spec: what to draw, chosen from the shape of a result. The UI (ECharts) and the image exports
//! (plotters) both render from it, so a chart looks the same everywhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Kpi,
    Bar,
    Line,
    Area,
    Pie,
    Scatter,
    Table,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// Column on the x axis (category, time or first measure); absent for `kpi` and `table`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Measure columns drawn.
    pub y: Vec<String>,
    /// Column whose values split the measure into series, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Measures that are fractions (rates), shown as percentages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub percent: Vec<String>,
}

impl ChartSpec {
    pub fn table() -> Self {
        ChartSpec { kind: ChartKind::Table, x: None, y: vec![], series: None, title: None, percent: vec![] }
    }
}
