//! `DATE_TRUNC` to a week, month, quarter or year of the marts' timestamps (microseconds, no time zone),
//! computed from the day number. DataFusion's own builds a calendar date-time per row for these units, and
//! that was a quarter of a monthly series' time and the conversion of every amount through
//! `marts.fx_rates` (`f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)`). Every other unit and
//! type, a time zone, and a batch holding a timestamp outside the range DataFusion computes in
//! (nanoseconds: years 1677 to 2262) go to DataFusion's function, so the answers are the same everywhere.

use chrono::{Datelike, Months, NaiveDate};
use datafusion::arrow::array::{Array, AsArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Date32Type, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::sort_properties::{ExprProperties, SortProperties};
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl};
use std::sync::Arc;

pub(super) const DAY_US: i64 = 86_400_000_000;

/// The timestamps computed here: 1678-01-01 to the end of 2261 (days -106,650 to 106,651 from 1970-01-01).
/// DataFusion's function works in nanoseconds, which hold 1677-09-21 to 2262-04-11; outside, it fails or
/// overflows its own way.
pub(super) const RANGE_US: std::ops::Range<i64> = -106_650 * DAY_US..106_651 * DAY_US;

/// The units computed here: those of a calendar longer than a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    fn parse(granularity: &ColumnarValue) -> Option<Unit> {
        let text = match granularity {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => s,
            _ => return None,
        };
        match text.to_lowercase().as_str() {
            "week" => Some(Unit::Week),
            "month" => Some(Unit::Month),
            "quarter" => Some(Unit::Quarter),
            "year" => Some(Unit::Year),
            _ => None,
        }
    }

    /// The unit holding `day` (days since 1970-01-01): its first day and the first day of the next one.
    fn span(self, day: i64) -> Option<(i64, i64)> {
        if self == Unit::Week {
            // 1970-01-01 was a Thursday: three days after a Monday.
            let monday = day - (day + 3).rem_euclid(7);
            return Some((monday, monday + 7));
        }
        let date = Date32Type::to_naive_date(i32::try_from(day).ok()?);
        let (first, months) = match self {
            Unit::Month | Unit::Week => (date.with_day(1)?, 1),
            Unit::Quarter => (NaiveDate::from_ymd_opt(date.year(), 1 + 3 * (date.month0() / 3), 1)?, 3),
            Unit::Year => (NaiveDate::from_ymd_opt(date.year(), 1, 1)?, 12),
        };
        let next = first.checked_add_months(Months::new(months))?;
        Some((Date32Type::from_naive_date(first).into(), Date32Type::from_naive_date(next).into()))
    }
}

/// DataFusion's `date_trunc`, with the units above computed from day numbers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Truncate {
    inner: ScalarUDF,
}

impl Truncate {
    pub(super) fn new(inner: ScalarUDF) -> Self {
        Truncate { inner }
    }
}

/// `values` truncated to `unit`, or `None` when one is outside [`RANGE_US`].
fn truncated(unit: Unit, values: &TimestampMicrosecondArray) -> Option<TimestampMicrosecondArray> {
    if values.values().iter().any(|v| !RANGE_US.contains(v)) {
        return None;
    }
    // Facts are written in time order, so most rows fall in the span of the row before: one comparison.
    // Rows under a null hold arbitrary values; they are computed like the rest and stay null.
    let mut span = (0, 0);
    let out = values.values().iter().map(|&v| {
        if !(span.0..span.1).contains(&v) {
            let (first, next) = unit.span(v.div_euclid(DAY_US))?;
            span = (first * DAY_US, next * DAY_US);
        }
        Some(span.0)
    });
    Some(TimestampMicrosecondArray::new(out.collect::<Option<_>>()?, values.nulls().cloned()))
}

impl ScalarUDFImpl for Truncate {
    delegate_to_inner!();
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn output_ordering(&self, input: &[ExprProperties]) -> Result<SortProperties> {
        self.inner.output_ordering(input)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let [granularity, ColumnarValue::Array(values)] = args.args.as_slice()
            && let Some(unit) = Unit::parse(granularity)
            && *values.data_type() == DataType::Timestamp(TimeUnit::Microsecond, None)
            && let Some(out) = truncated(unit, values.as_primitive::<TimestampMicrosecondType>())
        {
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        self.inner.invoke_with_args(args)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use datafusion::arrow::array::RecordBatch;
    use datafusion::prelude::SessionContext;

    /// Timestamps over the whole range, every time of day, month ends, leap days and nulls, in time order and
    /// backwards.
    pub(in crate::functions) fn timestamps() -> TimestampMicrosecondArray {
        let mut values: Vec<Option<i64>> = Vec::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for day in (RANGE_US.start / DAY_US..RANGE_US.end / DAY_US).step_by(13) {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let time = i64::try_from(seed >> 28).unwrap_or(0) % DAY_US;
            let around = [day * DAY_US, day * DAY_US + time, day * DAY_US - 1];
            values.extend(around.into_iter().filter(|v| RANGE_US.contains(v)).map(Some));
            if day % 1_000 == 0 {
                values.push(None);
            }
        }
        values.extend([Some(RANGE_US.start), Some(RANGE_US.end - 1), Some(0), Some(-1)]);
        // Backwards too: each row is computed from the span of the row before when it falls in it.
        let backwards: Vec<_> = values.iter().rev().copied().collect();
        values.extend(backwards);
        values.into_iter().collect()
    }

    /// Two sessions with [`timestamps`] as table `t` (column `ts`): DataFusion's own, and one with this
    /// module's functions.
    pub(in crate::functions) fn sessions() -> (SessionContext, SessionContext) {
        let batch = RecordBatch::try_from_iter([("ts", Arc::new(timestamps()) as _)]).expect("batch");
        let builtin = SessionContext::new();
        let ours = SessionContext::new();
        super::super::register(&ours);
        for ctx in [&builtin, &ours] {
            ctx.register_batch("t", batch.clone()).expect("table");
        }
        (builtin, ours)
    }

    #[tokio::test]
    async fn gives_datafusions_answers() {
        let values = timestamps();
        let rows = values.len();
        assert!(truncated(Unit::Month, &values).is_some(), "computed here, not passed on");
        let (builtin, ours) = sessions();
        for unit in ["week", "month", "quarter", "year", "MONTH", "Quarter", "day", "hour"] {
            let sql = format!("SELECT date_trunc('{unit}', ts) AS d FROM t");
            let a = builtin.sql(&sql).await.expect("plan").collect().await.expect("run");
            let b = ours.sql(&sql).await.expect("plan").collect().await.expect("run");
            assert_eq!(a, b, "{unit}");
            assert_eq!(b.iter().map(RecordBatch::num_rows).sum::<usize>(), rows);
        }
    }

    #[test]
    fn leaves_timestamps_outside_its_range_to_datafusion() {
        for outside in [RANGE_US.start - 1, RANGE_US.end, i64::MIN, i64::MAX] {
            let values = TimestampMicrosecondArray::from(vec![0, outside]);
            assert!(truncated(Unit::Month, &values).is_none());
        }
    }

    #[test]
    fn the_range_is_1678_to_2261() {
        let day = |d: i64| Date32Type::to_naive_date(i32::try_from(d).expect("a day"));
        assert_eq!(day(RANGE_US.start / DAY_US), NaiveDate::from_ymd_opt(1678, 1, 1).expect("date"));
        assert_eq!(day(RANGE_US.end / DAY_US), NaiveDate::from_ymd_opt(2262, 1, 1).expect("date"));
        // The range's ends in nanoseconds still fit an i64, as DataFusion's function needs.
        assert!(RANGE_US.start.checked_mul(1_000).is_some() && RANGE_US.end.checked_mul(1_000).is_some());
    }
}
