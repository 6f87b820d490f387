//! `CAST(<timestamp> AS DATE)` of a computed timestamp, as a division. Every amount's conversion through
//! `marts.fx_rates` joins on `f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)`, and arrow's cast
//! builds a calendar date-time per row to take its date. The marts' timestamps (microseconds, no time zone)
//! are a day number times a day plus the time, so the date is a floor division. Measured from the facts at
//! 100 M messages: "top campaigns by revenue" 353 → 280–298 ms; at 10.4 M, "top 10 contacts by revenue"
//! 53–55 → 39–44 ms.
//!
//! [`CastToDay`] rewrites the cast into a call of [`Day`] before the plan is typed (DataFusion keeps each
//! rewritten expression's name). It leaves alone the cast of a bare column: the Parquet scan prunes row
//! groups by a column's cast in a filter, not by a function. [`Day`] is not registered by name, so SQL
//! cannot call it; a batch holding a timestamp outside [`RANGE_US`] goes to arrow's cast, so the answers
//! (and the errors) are the cast's everywhere.

use super::truncate::{DAY_US, RANGE_US};
use datafusion::arrow::array::{Array, AsArray, Date32Array};
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::Cast;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::sort_properties::{ExprProperties, SortProperties};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::{Arc, OnceLock};

const TIMESTAMP: DataType = DataType::Timestamp(TimeUnit::Microsecond, None);

/// The date of a marts timestamp; see the module's text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Day {
    signature: Signature,
}

/// The one [`Day`] function.
fn day() -> &'static Arc<ScalarUDF> {
    static DAY: OnceLock<Arc<ScalarUDF>> = OnceLock::new();
    DAY.get_or_init(|| {
        let signature = Signature::exact(vec![TIMESTAMP], Volatility::Immutable);
        Arc::new(ScalarUDF::new_from_impl(Day { signature }))
    })
}

impl ScalarUDFImpl for Day {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn name(&self) -> &str {
        "inda_day"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }
    fn output_ordering(&self, input: &[ExprProperties]) -> Result<SortProperties> {
        // A later timestamp never has an earlier date.
        Ok(input.first().map_or(SortProperties::Unordered, |i| i.sort_properties))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = <[ColumnarValue; 1]>::try_from(args.args)
            .map_err(|_| datafusion::error::DataFusionError::Internal("inda_day takes one value".into()))?;
        if let ColumnarValue::Array(values) = &value
            && *values.data_type() == TIMESTAMP
            && let Some(days) = days(values.as_primitive::<TimestampMicrosecondType>())
        {
            return Ok(ColumnarValue::Array(Arc::new(days)));
        }
        value.cast_to(&DataType::Date32, None)
    }
}

/// The dates of `values`, or `None` when one is outside [`RANGE_US`]. Rows under a null hold arbitrary
/// values; they are divided like the rest and stay null.
fn days(values: &datafusion::arrow::array::TimestampMicrosecondArray) -> Option<Date32Array> {
    if values.values().iter().any(|v| !RANGE_US.contains(v)) {
        return None;
    }
    // Within the range the day number fits an i32 many times over.
    let out = values.values().iter().map(|v| v.div_euclid(DAY_US) as i32).collect();
    Some(Date32Array::new(out, values.nulls().cloned()))
}

/// Rewrites `CAST(<computed timestamp> AS DATE)` into [`Day`]; see the module's text.
#[derive(Debug)]
pub(super) struct CastToDay;

impl FunctionRewrite for CastToDay {
    fn name(&self) -> &str {
        "inda_cast_to_day"
    }

    fn rewrite(&self, expr: Expr, schema: &DFSchema, _: &ConfigOptions) -> Result<Transformed<Expr>> {
        let Expr::Cast(Cast { expr: inner, data_type: DataType::Date32 }) = &expr else {
            return Ok(Transformed::no(expr));
        };
        // A type that cannot be told here (a column of an outer query) leaves the cast as written.
        let timestamp = inner.get_type(schema).is_ok_and(|t| t == TIMESTAMP);
        if matches!(inner.as_ref(), Expr::Column(_)) || !timestamp {
            return Ok(Transformed::no(expr));
        }
        Ok(Transformed::yes(day().call(vec![inner.as_ref().clone()])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::TimestampMicrosecondArray;
    use datafusion::arrow::compute::cast;

    #[test]
    fn divides_to_the_casts_dates() {
        let values = super::super::truncate::tests::timestamps();
        let ours = days(&values).expect("computed here, not passed on");
        let theirs = cast(&values, &DataType::Date32).expect("cast");
        assert_eq!(&ours as &dyn Array, theirs.as_ref());
        for outside in [RANGE_US.start - 1, RANGE_US.end, i64::MIN, i64::MAX] {
            assert!(days(&TimestampMicrosecondArray::from(vec![0, outside])).is_none());
        }
    }

    /// The same rows, names and types as DataFusion's own cast, the computed cast rewritten and the
    /// column's left as a cast (what row-group pruning reads).
    #[tokio::test]
    async fn rewrites_computed_casts_only_with_the_same_answers() {
        let (builtin, ours) = super::super::truncate::tests::sessions();
        let sql = "SELECT CAST(DATE_TRUNC('month', ts) AS DATE), CAST(ts + INTERVAL '1 hour' AS DATE) AS later, \
                   CAST(ts AS DATE) AS d FROM t WHERE CAST(ts AS DATE) >= DATE '1700-01-01' \
                   ORDER BY CAST(DATE_TRUNC('year', ts) AS DATE), ts";
        let a = builtin.sql(sql).await.expect("plan").collect().await.expect("run");
        let b = ours.sql(sql).await.expect("plan").collect().await.expect("run");
        assert_eq!(a, b);
        let plan = ours.sql(&format!("EXPLAIN {sql}")).await.expect("plan").collect().await.expect("run");
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan).expect("text").to_string();
        assert!(text.matches("inda_day(").count() >= 3, "{text}");
        assert!(text.contains("CAST(t.ts AS Date32) >="), "{text}");
    }
}
