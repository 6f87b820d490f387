//! The calendar grains a time series is bucketed by: the unit of a question's ranges ("last quarter") in the
//! semantic engine, and what a result's time column says about its values ("2026" for a year, not its first
//! day) to the front ends and exports.

use serde::{Deserialize, Serialize};

/// Time bucket of a series; also the unit of calendar ranges ("last quarter").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    /// Calendar days.
    Day,
    /// Weeks as `DATE_TRUNC('week')` cuts them: starting on Monday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters (from January, April, July, October).
    Quarter,
    /// Calendar years.
    Year,
}

impl Grain {
    /// The `DATE_TRUNC` unit.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}
