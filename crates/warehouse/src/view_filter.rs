//! A filter's comparisons of a string column with short literals, made on the strings' 16-byte views.
//!
//! Why: analysts' questions filter on a status, a type, a channel (`status = 'read'`, `activity_type IN
//! ('purchase', 'refund')`). A string of 12 bytes or less *is* its view (its length and its bytes, the rest
//! zero), and a longer string's view starts with a longer length, so a string equals such a literal exactly
//! when its view equals the literal's: one 128-bit comparison a row, whatever the column's buffers hold.
//! Arrow's comparison kernel goes through each row's view and the array's buffers in turn: about 30
//! instructions a row, 9% of the distinct count's instructions at the default scale.
//!
//! [`compare_by_views`] replaces, in each filter of an optimised plan, `column = 'literal'`, `<>`, `IN` and
//! `NOT IN` of literals of at most 12 bytes, on a string or binary view column, with a [`ViewsEqual`]. Nulls
//! stay null, as in SQL: a null column gives null, and a list holding a null literal is left to DataFusion.
//!
//! Not here: longer literals, other comparisons (`<`, `LIKE`), expressions other than a plain column, and
//! anything outside a filter (a projection's `CASE`, a join's condition): those stay DataFusion's.

use datafusion::arrow::array::{Array, AsArray, BooleanArray, make_view};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{ColumnarValue, Operator};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{BinaryExpr, Column, InListExpr, Literal};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::filter::FilterExec;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::view_keys::INLINE;

/// Replaces, in every filter of `plan`, the comparisons of a view column with short literals by
/// [`ViewsEqual`]; `batch_size` is the session's (a rebuilt filter takes it, as the planner's did).
pub(crate) fn compare_by_views(
    plan: Arc<dyn ExecutionPlan>,
    batch_size: usize,
) -> Result<Arc<dyn ExecutionPlan>> {
    let rewritten = plan.transform_up(|node| {
        let Some(filter) = node.as_any().downcast_ref::<FilterExec>() else {
            return Ok(Transformed::no(node));
        };
        let schema = filter.input().schema();
        let predicate = Arc::clone(filter.predicate()).transform_up(|expr| by_views(expr, &schema))?;
        if !predicate.transformed {
            return Ok(Transformed::no(node));
        }
        let rebuilt = FilterExec::try_new(predicate.data, Arc::clone(filter.input()))?
            .with_default_selectivity(filter.default_selectivity())?
            .with_projection(filter.projection().cloned())?
            .with_batch_size(batch_size)?;
        let rebuilt: Arc<dyn ExecutionPlan> = Arc::new(rebuilt);
        // A filter that stops at a number of rows must keep stopping there: if it cannot, it stays as it was.
        Ok(match filter.fetch() {
            None => Transformed::yes(rebuilt),
            Some(fetch) => match rebuilt.with_fetch(Some(fetch)) {
                Some(rebuilt) => Transformed::yes(rebuilt),
                None => Transformed::no(node),
            },
        })
    })?;
    Ok(rewritten.data)
}

/// `expr` as a [`ViewsEqual`] when it compares a view column with short literals.
fn by_views(expr: Arc<dyn PhysicalExpr>, schema: &Schema) -> Result<Transformed<Arc<dyn PhysicalExpr>>> {
    let found = if let Some(binary) = expr.as_any().downcast_ref::<BinaryExpr>() {
        let negated = match binary.op() {
            Operator::Eq => false,
            Operator::NotEq => true,
            _ => return Ok(Transformed::no(expr)),
        };
        let (column, literal) = match (column_of(binary.left(), schema), column_of(binary.right(), schema)) {
            (Some(column), None) => (column, binary.right()),
            (None, Some(column)) => (column, binary.left()),
            _ => return Ok(Transformed::no(expr)),
        };
        view_of(literal).map(|view| ViewsEqual { column, views: vec![view], negated })
    } else if let Some(in_list) = expr.as_any().downcast_ref::<InListExpr>() {
        let column = column_of(in_list.expr(), schema);
        let views: Option<Vec<u128>> = in_list.list().iter().map(view_of).collect();
        column.zip(views).map(|(column, views)| ViewsEqual { column, views, negated: in_list.negated() })
    } else {
        None
    };
    Ok(match found {
        Some(views_equal) => Transformed::yes(Arc::new(views_equal)),
        None => Transformed::no(expr),
    })
}

/// `expr` when it is a plain string or binary view column of `schema`.
fn column_of(expr: &Arc<dyn PhysicalExpr>, schema: &Schema) -> Option<Column> {
    let column = expr.as_any().downcast_ref::<Column>()?;
    let field = schema.fields().get(column.index())?;
    matches!(field.data_type(), DataType::Utf8View | DataType::BinaryView).then(|| column.clone())
}

/// The view of a literal string (or bytes) of at most 12 bytes: its length, then its bytes, the rest zero.
fn view_of(expr: &Arc<dyn PhysicalExpr>) -> Option<u128> {
    let bytes: &[u8] = match expr.as_any().downcast_ref::<Literal>()?.value() {
        ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) | ScalarValue::LargeUtf8(Some(s)) => {
            s.as_bytes()
        }
        ScalarValue::Binary(Some(b))
        | ScalarValue::BinaryView(Some(b))
        | ScalarValue::LargeBinary(Some(b)) => b,
        _ => return None,
    };
    (bytes.len() <= INLINE as usize).then(|| make_view(bytes, 0, 0))
}

/// Whether a view column's string is one of a few short literals (`negated`: none of them), by its view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ViewsEqual {
    column: Column,
    views: Vec<u128>,
    negated: bool,
}

impl ViewsEqual {
    /// The literals, as written (for the plan's text).
    fn literals(&self) -> Vec<String> {
        self.views
            .iter()
            .map(|view| {
                let bytes = view.to_le_bytes();
                let len = *view as u32 as usize;
                format!("'{}'", String::from_utf8_lossy(&bytes[4..4 + len]).replace('\'', "''"))
            })
            .collect()
    }
}

impl fmt::Display for ViewsEqual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        write!(f, "{} {not}IN ({}) by views", self.column, self.literals().join(", "))
    }
}

impl PhysicalExpr for ViewsEqual {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn data_type(&self, _: &Schema) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn nullable(&self, schema: &Schema) -> Result<bool> {
        self.column.nullable(schema)
    }

    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let array = self.column.evaluate(batch)?.into_array(batch.num_rows())?;
        let views = match array.data_type() {
            DataType::Utf8View => array.as_string_view().views(),
            DataType::BinaryView => array.as_binary_view().views(),
            other => return Err(DataFusionError::Internal(format!("views compared on {other}"))),
        };
        let values = match self.views.as_slice() {
            // One literal, the common case: a loop of a comparison a row.
            [one] => BooleanBuffer::collect_bool(views.len(), |row| (views[row] == *one) != self.negated),
            many => {
                BooleanBuffer::collect_bool(views.len(), |row| many.contains(&views[row]) != self.negated)
            }
        };
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::new(values, array.nulls().cloned()))))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![]
    }

    fn with_new_children(self: Arc<Self>, _: Vec<Arc<dyn PhysicalExpr>>) -> Result<Arc<dyn PhysicalExpr>> {
        Ok(self)
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        write!(f, "{} {not}IN ({})", self.column.name(), self.literals().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{ArrayRef, StringViewBuilder};
    use datafusion::arrow::compute::kernels::cmp::{eq, neq};
    use datafusion::arrow::datatypes::Field;
    use datafusion::physical_expr::expressions::{in_list, lit};

    /// Short and long strings (two buffers, as two pages' dictionaries give them), the empty string, nulls,
    /// and a long string whose first bytes are a short one's.
    fn batch() -> RecordBatch {
        let mut builder = StringViewBuilder::new().with_fixed_block_size(64);
        let values = [
            Some("read"),
            Some("delivered"),
            None,
            Some(""),
            Some("read but then something else"),
            Some("purchase"),
            Some("twelve bytes"),
            Some("thirteen byte"),
            None,
            Some("refund"),
        ];
        for _ in 0..40 {
            for value in values {
                builder.append_option(value);
            }
        }
        let column: ArrayRef = Arc::new(builder.finish());
        assert!(column.as_string_view().data_buffers().len() > 1, "longer strings in several buffers");
        let schema = Arc::new(Schema::new(vec![Field::new("status", DataType::Utf8View, true)]));
        RecordBatch::try_new(schema, vec![column]).unwrap()
    }

    fn view_lit(value: &str) -> Arc<dyn PhysicalExpr> {
        lit(ScalarValue::Utf8View(Some(value.to_string())))
    }

    fn rewritten(expr: Arc<dyn PhysicalExpr>, schema: &Schema) -> Option<Arc<dyn PhysicalExpr>> {
        let done = expr.transform_up(|e| by_views(e, schema)).unwrap();
        done.transformed.then_some(done.data)
    }

    #[test]
    fn comparisons_by_views_give_arrows_answers() {
        let batch = batch();
        let schema = batch.schema();
        let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new("status", 0));
        let array = batch.column(0);
        for literal in ["read", "", "refund", "twelve bytes", "absent", "rea"] {
            let scalar = datafusion::arrow::array::StringViewArray::new_scalar(literal);
            for (op, negated) in [(Operator::Eq, false), (Operator::NotEq, true)] {
                let expr: Arc<dyn PhysicalExpr> = Arc::new(BinaryExpr::new(column.clone(), op, lit(literal)));
                let ours = rewritten(expr, &schema).expect("a short literal is compared by views");
                let got = ours.evaluate(&batch).unwrap().into_array(batch.num_rows()).unwrap();
                let want = if negated { neq(array, &scalar) } else { eq(array, &scalar) }.unwrap();
                assert_eq!(got.as_boolean(), &want, "{literal:?} {op}");
            }
        }
    }

    #[test]
    fn lists_by_views_keep_sqls_nulls_and_longer_literals_are_left_alone() {
        let batch = batch();
        let schema = batch.schema();
        let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new("status", 0));
        for negated in [false, true] {
            // As the planner gives them: literals coerced to the column's type.
            let list = vec![view_lit("purchase"), view_lit("refund")];
            let expr = in_list(column.clone(), list, &negated, &schema).unwrap();
            let want = expr.evaluate(&batch).unwrap().into_array(batch.num_rows()).unwrap();
            let ours = rewritten(expr, &schema).expect("short literals are compared by views");
            let got = ours.evaluate(&batch).unwrap().into_array(batch.num_rows()).unwrap();
            assert_eq!(got.as_boolean(), want.as_boolean(), "negated: {negated}");
            assert_eq!(got.null_count(), 80, "a null stays null");
        }
        let long: Arc<dyn PhysicalExpr> =
            Arc::new(BinaryExpr::new(column.clone(), Operator::Eq, lit("thirteen byte")));
        assert!(rewritten(long, &schema).is_none(), "a literal longer than a view is DataFusion's");
        let with_null = in_list(
            column.clone(),
            vec![view_lit("read"), lit(ScalarValue::Utf8View(None))],
            &false,
            &schema,
        );
        assert!(rewritten(with_null.unwrap(), &schema).is_none(), "a list with a null is DataFusion's");
        let less: Arc<dyn PhysicalExpr> = Arc::new(BinaryExpr::new(column, Operator::Lt, lit("read")));
        assert!(rewritten(less, &schema).is_none(), "only equality is compared by views");
    }
}
