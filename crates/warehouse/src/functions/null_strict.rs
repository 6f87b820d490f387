//! Functions that return NULL when any argument is NULL, as Snowflake's do: `CONCAT('a', NULL)` and
//! `GREATEST(1, NULL)` are NULL there, while DataFusion (like PostgreSQL) skips the NULL and returns `'a'`
//! and `1`. A report that concatenates a first and a last name, or takes the later of two dates, must
//! not show a different answer on the laptop than on Snowflake.

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::nullif;
use datafusion::arrow::datatypes::{Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
};
use std::sync::Arc;

/// DataFusion's function, with NULL wherever an argument is NULL. DataFusion's own simplification of
/// the call is left out on purpose: for `concat` it drops NULL literals, which would change the answer.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct NullStrict {
    inner: ScalarUDF,
}

impl NullStrict {
    pub(super) fn new(inner: ScalarUDF) -> Self {
        NullStrict { inner }
    }
}

impl ScalarUDFImpl for NullStrict {
    delegate_to_inner!();
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = self.inner.return_field_from_args(args)?;
        Ok(Arc::new(Field::new(field.name(), field.data_type().clone(), true)))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.iter().any(|a| matches!(a, ColumnarValue::Scalar(s) if s.is_null())) {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from(args.return_type())?));
        }
        let nulls = args.args.iter().fold(None, |acc: Option<NullBuffer>, a| match a {
            ColumnarValue::Array(a) => NullBuffer::union(acc.as_ref(), a.logical_nulls().as_ref()),
            ColumnarValue::Scalar(_) => acc,
        });
        let rows = args.number_rows;
        let result = self.inner.invoke_with_args(args)?;
        let Some(nulls) = nulls else { return Ok(result) };
        let result = result.into_array(rows)?;
        // `nullif` blanks the rows where the mask is true: the rows where some argument is NULL.
        let mask = BooleanArray::new(!nulls.inner(), None);
        Ok(ColumnarValue::Array(nullif(&result, &mask)?))
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}
