//! The average of decimal values read from a rollup ([`crate::rollup`]), to the last digit of DataFusion's
//! own `AVG` over the facts.
//!
//! A rollup row holds a day's sum of a column and how many of that day's values were not null. `AVG(x)`
//! over the facts adds the values and divides by their count; `rollup_avg(sum, count)` over the rollup adds
//! the day sums and their counts, then divides exactly as DataFusion's decimal average does (its own
//! [`DecimalAverager`]: the sum scaled to four more decimals, divided by the count and truncated), with the
//! same result type, `DECIMAL(min(38, p + 4), min(38, s + 4))`. Decimal sums add exactly, so the answer is
//! the facts' answer. Only [`crate::route`]'s rewrite calls it; the guard does not let a query name it.
//!
//! Whole numbers average the way DataFusion averages integers, in doubles: `rollup_avg(x * rows, rows)`
//! for a per-row whole number `x` (a rollup row stands for `rows` equal values). Sums of whole numbers
//! below 2^53 are exact in doubles whatever the order, so the division is the facts' to the last bit.
//!
//! What it is not: an average of fractional floating-point values (their sum depends on the order they are
//! added in, so a rollup cannot reproduce it; the rewrite leaves those on the facts).

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Field, FieldRef, Float64Type, Int64Type, UInt64Type,
};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use datafusion_functions_aggregate_common::utils::DecimalAverager;
use std::sync::Arc;

/// The function's name in SQL.
pub(crate) const NAME: &str = "rollup_avg";

/// `rollup_avg(sum, count)`: the average of the values that `sum` (per row, a sum of `count` of them)
/// stands for. Rows whose sum is NULL count nothing.
pub(crate) fn udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(RollupAverage { signature: Signature::any(2, Volatility::Immutable) })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct RollupAverage {
    signature: Signature,
}

/// `AVG`'s result type for the sums' type: a decimal's, or a double for whole numbers.
fn average_type(input: &DataType) -> Result<DataType> {
    match input {
        DataType::Decimal128(p, s) => Ok(DataType::Decimal128((*p + 4).min(38), (*s + 4).min(38))),
        DataType::Int64 | DataType::Float64 => Ok(DataType::Float64),
        other => plan_err!("{NAME} averages DECIMAL, BIGINT or DOUBLE sums, not {other}"),
    }
}

impl AggregateUDFImpl for RollupAverage {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let [sum, DataType::Int64] = arg_types else {
            return plan_err!("{NAME} takes a sum and a BIGINT count");
        };
        average_type(sum)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let DataType::Decimal128(_, sum_scale) = args.expr_fields[0].data_type() else {
            return Ok(Box::new(WholeAverageAccumulator::default()));
        };
        let DataType::Decimal128(precision, scale) = args.return_type() else {
            return plan_err!("{NAME} returns a DECIMAL");
        };
        // Refused here rather than at the end, like DataFusion's own average.
        DecimalAverager::<Decimal128Type>::try_new(*sum_scale, *precision, *scale)?;
        Ok(Box::new(RollupAverageAccumulator {
            sum: None,
            count: 0,
            precision: *precision,
            scale: *scale,
            sum_scale: *sum_scale,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let sum = match args.input_fields[0].data_type() {
            DataType::Decimal128(_, scale) => DataType::Decimal128(38, *scale),
            _ => DataType::Float64,
        };
        Ok(vec![
            Arc::new(Field::new(format!("{}[sum]", args.name), sum, true)),
            Arc::new(Field::new(format!("{}[count]", args.name), DataType::UInt64, false)),
        ])
    }
}

/// Each row's sum and count where the sum is not NULL (a NULL or negative count counts nothing): the rows
/// of the input (sums, counts) and of the states (sums, counts) alike.
fn parts<'a, S, C>(sums: &'a ArrayRef, counts: &'a ArrayRef) -> impl Iterator<Item = (S::Native, u64)> + 'a
where
    S: ArrowPrimitiveType,
    C: ArrowPrimitiveType,
    C::Native: TryInto<u64>,
{
    let (sums, counts) = (sums.as_primitive::<S>(), counts.as_primitive::<C>());
    (0..sums.len()).filter(|&i| sums.is_valid(i)).map(|i| {
        let count = if counts.is_valid(i) { counts.value(i).try_into().unwrap_or(0) } else { 0 };
        (sums.value(i), count)
    })
}

#[derive(Debug)]
struct RollupAverageAccumulator {
    sum: Option<i128>,
    count: u64,
    precision: u8,
    scale: i8,
    sum_scale: i8,
}

impl RollupAverageAccumulator {
    /// Adds sums with DataFusion's own wrapping arithmetic, as its average over the facts does.
    fn add(&mut self, sum: i128, count: u64) {
        self.sum = Some(self.sum.unwrap_or_default().wrapping_add(sum));
        self.count += count;
    }
}

impl Accumulator for RollupAverageAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for (sum, count) in parts::<Decimal128Type, Int64Type>(&values[0], &values[1]) {
            self.add(sum, count);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for (sum, count) in parts::<Decimal128Type, UInt64Type>(&states[0], &states[1]) {
            self.add(sum, count);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Decimal128(self.sum, 38, self.sum_scale), ScalarValue::UInt64(Some(self.count))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let average = match self.sum {
            Some(sum) if self.count > 0 => {
                let averager =
                    DecimalAverager::<Decimal128Type>::try_new(self.sum_scale, self.precision, self.scale)?;
                Some(averager.avg(sum, i128::from(self.count))?)
            }
            _ => None,
        };
        Ok(ScalarValue::Decimal128(average, self.precision, self.scale))
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }
}

/// The average of whole numbers, in doubles as DataFusion's over integers.
#[derive(Debug, Default)]
struct WholeAverageAccumulator {
    sum: Option<f64>,
    count: u64,
}

impl WholeAverageAccumulator {
    fn add(&mut self, sum: f64, count: u64) {
        *self.sum.get_or_insert(0.0) += sum;
        self.count += count;
    }
}

impl Accumulator for WholeAverageAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let sums = cast(&values[0], &DataType::Float64)?;
        for (sum, count) in parts::<Float64Type, Int64Type>(&sums, &values[1]) {
            self.add(sum, count);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for (sum, count) in parts::<Float64Type, UInt64Type>(&states[0], &states[1]) {
            self.add(sum, count);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Float64(self.sum), ScalarValue::UInt64(Some(self.count))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.sum.filter(|_| self.count > 0).map(|s| s / self.count as f64)))
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }
}
