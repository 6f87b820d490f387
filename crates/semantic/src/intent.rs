//! The Intent: what a question asks for, independent of its wording and of SQL. It is persisted in
//! conversations (follow-ups refine it), so its serde form is stable: new fields are optional.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// Time bucket of a series; also the unit of calendar ranges ("last quarter"). It lives in `inda_core`: a
/// result's time column names its grain to the front ends.
pub use inda_core::Grain;

/// A time range relative to today (rendered with `CURRENT_DATE`, so a saved analysis stays current) or
/// absolute (resolved from "March 2026" when the question was asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeRange {
    /// Today so far: `t >= CURRENT_DATE`.
    Today,
    /// The whole of yesterday: `[CURRENT_DATE - 1 day, CURRENT_DATE)`.
    Yesterday,
    /// The last `n` days up to now: `t >= CURRENT_DATE - n days`.
    LastNDays {
        /// Days back from today.
        n: u32,
    },
    /// The current calendar period so far ("this month").
    This {
        /// The period (a day is [`TimeRange::Today`]).
        unit: Grain,
    },
    /// The previous complete calendar period ("last month").
    Last {
        /// The period (a day is [`TimeRange::Yesterday`]).
        unit: Grain,
    },
    /// The whole calendar period `n` periods before the current one ("the month before last": 2; 1 is
    /// [`TimeRange::Last`]).
    Earlier {
        /// The period.
        unit: Grain,
        /// Periods back from the current one.
        n: u32,
    },
    /// The `n` days before the last `n` days ("the 30 days before that"): `[CURRENT_DATE - 2n days,
    /// CURRENT_DATE - n days)`.
    DaysBefore {
        /// Days in the window, and days back to its end.
        n: u32,
    },
    /// `n` calendar periods including the current one ("last 6 months").
    LastN {
        /// The period.
        unit: Grain,
        /// Periods counted, the current one included (1 is the same as [`TimeRange::This`]).
        n: u32,
    },
    /// The `n` complete calendar periods before the current one ("the last 3 complete months", "los
    /// últimos 6 meses cerrados"): `[DATE_TRUNC(unit, CURRENT_DATE) - n units, DATE_TRUNC(unit,
    /// CURRENT_DATE))`.
    LastComplete {
        /// The period.
        unit: Grain,
        /// Periods counted, the current one excluded (1 is the same as [`TimeRange::Last`]).
        n: u32,
    },
    /// `[start, end)`.
    Between {
        /// First day included.
        start: NaiveDate,
        /// First day excluded.
        end: NaiveDate,
    },
    /// From `start` on.
    Since {
        /// First day included.
        start: NaiveDate,
    },
}

/// Days of the week a question keeps ("on weekends", "los lunes"): a set of days, each by its number in
/// `EXTRACT(DOW FROM t)` (0 Sunday … 6 Saturday, on both warehouses), one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysOfWeek(u8);

impl DaysOfWeek {
    /// Monday to Friday.
    pub const WORKING: DaysOfWeek = DaysOfWeek(0b011_1110);
    /// Saturday and Sunday.
    pub const WEEKEND: DaysOfWeek = DaysOfWeek(0b100_0001);

    /// Sunday (0).
    pub const SUNDAY: DaysOfWeek = DaysOfWeek(1);
    /// Monday (1).
    pub const MONDAY: DaysOfWeek = DaysOfWeek(1 << 1);
    /// Tuesday (2).
    pub const TUESDAY: DaysOfWeek = DaysOfWeek(1 << 2);
    /// Wednesday (3).
    pub const WEDNESDAY: DaysOfWeek = DaysOfWeek(1 << 3);
    /// Thursday (4).
    pub const THURSDAY: DaysOfWeek = DaysOfWeek(1 << 4);
    /// Friday (5).
    pub const FRIDAY: DaysOfWeek = DaysOfWeek(1 << 5);
    /// Saturday (6).
    pub const SATURDAY: DaysOfWeek = DaysOfWeek(1 << 6);

    /// Both sets' days.
    pub fn union(self, other: DaysOfWeek) -> DaysOfWeek {
        DaysOfWeek(self.0 | other.0)
    }

    /// The days' numbers, Sunday (0) first.
    pub fn numbers(self) -> impl Iterator<Item = u32> {
        (0..7).filter(move |d| self.0 & (1 << d) != 0)
    }
}

/// Rows whose dimension has one of `values` (canonical model values), or none of them when `negated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// A dimension name of the model.
    pub dimension: String,
    /// The canonical values (or the tenant's own names of a data-values dimension, such as campaign names); a
    /// row matches one of them.
    pub values: Vec<String>,
    /// Rows with none of `values` instead ("except WhatsApp"); left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
}

/// "Revenue from contacts created in 2025": the rows of a joined table whose own time column (that of the
/// table's default metric: when a contact was created, when a campaign started) falls in `range`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Began {
    /// A table of the model that the metric's table joins.
    pub table: String,
    /// When they began.
    pub range: TimeRange,
}

/// The part of a metric's rows a share is about: a narrower metric of the same table ("customers" among
/// contacts) and/or filters ("in Mexico").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subset {
    /// A narrower metric of the same table whose rows are the subset; `None`: only the filters narrow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Filters the subset's rows meet, on top of the question's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// Days of the week the subset's rows fall on ("what share of logins happened on weekends").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<DaysOfWeek>,
}

/// Ordering asked for explicitly; `metric: None` means by time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// The metric to order by; `None` orders by the time bucket.
    #[serde(default)]
    pub metric: Option<String>,
    /// Largest (or latest) first.
    pub descending: bool,
}

/// What a question asks for, independent of its wording and of SQL: the engine's reading of it, which a
/// follow-up refines and each conversation turn stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Intent {
    /// Metric names of the model: of one table, or of several put side by side (each grouped on its own).
    pub metrics: Vec<String>,
    /// Dimension names of the model.
    #[serde(default)]
    pub breakdowns: Vec<String>,
    /// Filters on dimensions; a row must meet every one.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Joined rows that began in a period ("messages of the campaigns started in 2024"); a row must meet
    /// every one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub began: Vec<Began>,
    /// Only the complete `unit` periods: rows before the start of the running one ("worst month this year,
    /// complete months only").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_only: Option<Grain>,
    /// The periods are read on this other date of the measured rows, not on the metric's time column
    /// ("campaigns that ended last month": `ended_at`); one of their table's `dates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_column: Option<String>,
    /// The rows whose metric's time column falls in this range; `None`: all time.
    #[serde(default)]
    pub time_range: Option<TimeRange>,
    /// The time bucket of a series ("by month"); `None`: no time axis.
    #[serde(default)]
    pub grain: Option<Grain>,
    /// Order asked for explicitly; `None`: a series by time, breakdowns by the first metric, largest first.
    #[serde(default)]
    pub sort: Option<Sort>,
    /// Only the first `n` rows of the order ("top 5"): needs a breakdown or a grain to rank, and is never 0.
    #[serde(default)]
    pub top_n: Option<u32>,
    /// "The second best city": only the `top_n`-th row of the ranking, not the first `top_n`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nth: bool,
    /// A second period compared with `time_range` ("this month vs last month").
    #[serde(default)]
    pub comparison: Option<TimeRange>,
    /// The mean of each `grain` period's total ("average daily revenue"), over the complete periods of the
    /// range: one figure (per breakdown), not a series.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_period: bool,
    /// "Growth", "% change": the one metric in the later period (`time_range`), in the earlier
    /// (`comparison`; the same days when the later one is still running) and the change between them as a
    /// fraction, in one row (per breakdown).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub change: bool,
    /// Only these days of the week, by the metric's time column ("on weekends"); `None`: every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<DaysOfWeek>,
    /// The question asks for shares of a whole ("distribution", "reparto"): a pie may fit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share: bool,
    /// "What percentage of contacts are customers": one fraction, the rows that also meet this subset
    /// ÷ all rows of the metric (semantics.md, question shapes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_of: Option<Subset>,
    /// "List the paused campaigns": the rows themselves (the table's list columns), not a count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
    /// Language of the conversation, so that "top 3" keeps answering in Spanish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}
