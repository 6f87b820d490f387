//! Scans, joins and aggregates hand on batches that hold only their own bytes.
//!
//! Strings are read as views (`read_schema` in `embedded.rs`). A Parquet column stored with a dictionary
//! decodes into views that all point into that row group's whole dictionary: at 100 M messages every batch
//! of `dim_contacts.full_name` (8,192 names) carried the 20 MB dictionary of 2.6 M names. Operators count a
//! batch by its buffers, so a hash join's build side counted 830 MB for 60 MB of names; a repartition that
//! ran short of the query's memory spilled each batch with the whole dictionary, and one join of contacts
//! wrote over 40 GB to the temp dir before its deadline stopped it. A join's output does the same with its
//! build side: each batch of names taken from it pointed into all of them. [`compact_views`] puts a
//! [`CompactViewsExec`] above every scan and join, which copies a view column's strings into buffers of their own
//! when its buffers are much larger than the strings it shows (`StringViewArray::gc`). Columns of short
//! strings (12 bytes or less are kept inside the view) and dense pages pass through untouched, except the
//! columns that a filter right above the scan compares: when all their strings fit in their views, their
//! buffers are dropped, since arrow compares views without buffers by the views alone and otherwise looks at
//! each string (`status = 'read'` over 10.4 M messages 39 -> 28 ms). Not every column: the check is a pass
//! over the views, about a tenth of a top N's time at 10.4 M, for what only comparisons gain.
//!
//! An aggregate hands its groups on as slices of one batch of them all, each slice holding every group's
//! buffers: at 100 M messages, "top 10 contacts by revenue" summed purchases into 1.42 M contacts and the
//! join above counted each of its 174 slices at 32 MB, so the query stopped at its 2 GiB for 5.4 GB of slices
//! of 45 MB of sums. A [`CompactViewsExec`] above every aggregate copies such a slice's rows out (any column
//! type) when its buffers are much larger than the slice.
//!
//! Not here: sorts, which build arrays of their own (and compact theirs before spilling).

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryViewArray, MutableArrayData, StringViewArray, make_array,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Operator;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{BinaryExpr, Column};
use datafusion::physical_plan::aggregates::AggregateExec;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::joins::{
    CrossJoinExec, HashJoinExec, NestedLoopJoinExec, SortMergeJoinExec, SymmetricHashJoinExec,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures_util::StreamExt;
use std::any::Any;
use std::sync::Arc;

/// Buffers this many times larger than the bytes a column shows are compacted.
const SLACK: usize = 2;
/// Below this many buffer bytes a column is left as it is. Compacting costs a pass over every batch of the
/// column (20–25% more on the peer shapes' contact ids at 10 M messages, whose dictionaries are about a
/// megabyte), while what it saves grows with the buffers: at 100 M the same dictionaries are 20 MB.
const SMALL: usize = 4 << 20;

/// Puts a [`CompactViewsExec`] above every scan, join and aggregate of an optimised plan (done after
/// optimisation, like the stop wrappers, so no rule sees or moves it), telling the one under a filter which
/// columns that filter compares. Before [`crate::grouping::group_by_views`], which may take such a filter in.
pub(crate) fn compact_views(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    let compacted = plan.transform_up(|node| {
        if hands_on_shared_views(node.as_ref()) {
            let wrapper: Arc<dyn ExecutionPlan> =
                Arc::new(CompactViewsExec { input: node, compared: vec![] });
            return Ok(Transformed::yes(wrapper));
        }
        let Some(filter) = node.as_any().downcast_ref::<FilterExec>() else {
            return Ok(Transformed::no(node));
        };
        let Some(below) = filter.input().as_any().downcast_ref::<CompactViewsExec>() else {
            return Ok(Transformed::no(node));
        };
        let compared = compared_columns(filter.predicate());
        if compared.is_empty() {
            return Ok(Transformed::no(node));
        }
        let below = Arc::new(CompactViewsExec { input: below.input.clone(), compared });
        node.with_new_children(vec![below]).map(Transformed::yes)
    })?;
    Ok(compacted.data)
}

/// The columns `predicate` compares (`=`, `<>`, `<`, `IS DISTINCT FROM`…), by their index in its input.
fn compared_columns(predicate: &Arc<dyn PhysicalExpr>) -> Vec<usize> {
    let mut columns = Vec::new();
    let walked = predicate.apply(|expr| {
        let compares = expr.as_any().downcast_ref::<BinaryExpr>().filter(|b| {
            matches!(
                b.op(),
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
                    | Operator::IsDistinctFrom
                    | Operator::IsNotDistinctFrom
            )
        });
        for side in compares.iter().flat_map(|b| [b.left(), b.right()]) {
            if let Some(column) = side.as_any().downcast_ref::<Column>() {
                columns.push(column.index());
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if walked.is_err() {
        return Vec::new();
    }
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// Scans (views into a page's dictionary), joins (views into the build side's one concatenated batch,
/// taken row by row) and aggregates (slices of one batch of all groups): the operators whose batches show
/// a small part of the buffers they hold.
fn hands_on_shared_views(node: &dyn ExecutionPlan) -> bool {
    let any = node.as_any();
    any.is::<DataSourceExec>()
        || any.is::<AggregateExec>()
        || any.is::<HashJoinExec>()
        || any.is::<NestedLoopJoinExec>()
        || any.is::<SortMergeJoinExec>()
        || any.is::<CrossJoinExec>()
        || any.is::<SymmetricHashJoinExec>()
}

/// Passes a scan's, a join's or an aggregate's batches on, with sparse view columns and slices compacted.
#[derive(Debug)]
pub(crate) struct CompactViewsExec {
    input: Arc<dyn ExecutionPlan>,
    /// The columns a filter right above compares, by index.
    compared: Vec<usize>,
}

impl DisplayAs for CompactViewsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompactViewsExec")?;
        if !self.compared.is_empty() {
            let schema = self.input.schema();
            let names: Vec<&str> = self
                .compared
                .iter()
                .filter_map(|&i| schema.fields().get(i))
                .map(|c| c.name().as_str())
                .collect();
            write!(f, ": compared=[{}]", names.join(", "))?;
        }
        Ok(())
    }
}

impl ExecutionPlan for CompactViewsExec {
    fn name(&self) -> &str {
        "CompactViewsExec"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn properties(&self) -> &PlanProperties {
        self.input.properties()
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(DataFusionError::Internal("CompactViewsExec has exactly one input".into()));
        }
        Ok(Arc::new(CompactViewsExec { input: children.swap_remove(0), compared: self.compared.clone() }))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let schema = input.schema();
        let compared = self.compared.clone();
        let compacted = input.map(move |batch| batch.and_then(|b| compact_batch(b, &compared)));
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, compacted)))
    }
}

/// `batch` with each sparse view column compacted; the same batch when none is. `compared`: the columns a
/// filter compares, whose buffers go when all their strings fit in their views.
pub(crate) fn compact_batch(batch: RecordBatch, compared: &[usize]) -> Result<RecordBatch> {
    let compacted: Vec<Option<ArrayRef>> =
        batch.columns().iter().enumerate().map(|(i, c)| compacted(c, compared.contains(&i))).collect();
    if compacted.iter().all(Option::is_none) {
        return Ok(batch);
    }
    let columns =
        compacted.into_iter().zip(batch.columns()).map(|(new, old)| new.unwrap_or_else(|| old.clone()));
    Ok(RecordBatch::try_new(batch.schema(), columns.collect())?)
}

/// The column with only its own strings, when it is sparse, or only its own rows, when it is a slice of a
/// much larger array. When every string is inside its view, `gc` keeps the views as they are and drops the
/// buffers without checking each string again (building the array anew did: as slow as the comparison it
/// was to speed up).
fn compacted(column: &ArrayRef, compared: bool) -> Option<ArrayRef> {
    match column.data_type() {
        DataType::Utf8View | DataType::BinaryView => {
            // `gc` keeps the views buffer it is given, so a slice of views is copied first.
            let own = sliced_views(column.as_ref()).then(|| copied(column.as_ref()));
            let views = own.as_ref().unwrap_or(column);
            match sparse(views.as_ref(), compared) {
                Some(_) => Some(gc(views)),
                None => own,
            }
        }
        _ => sliced(column.as_ref()).then(|| copied(column.as_ref())),
    }
}

/// A view column (`Utf8View` or `BinaryView`, the only types [`sparse`] finds) with only the bytes its views
/// point at.
fn gc(views: &ArrayRef) -> ArrayRef {
    match views.data_type() {
        DataType::BinaryView => Arc::new(views.as_binary_view().gc()),
        _ => Arc::new(views.as_string_view().gc()),
    }
}

/// Whether a view column's views are a small part of the views buffer it holds.
fn sliced_views(column: &dyn Array) -> bool {
    let held = match column.data_type() {
        DataType::Utf8View => column.as_string_view().views().inner().capacity(),
        DataType::BinaryView => column.as_binary_view().views().inner().capacity(),
        _ => return false,
    };
    held >= SMALL && held > SLACK * column.len() * size_of::<u128>()
}

/// Whether a column of another type holds buffers much larger than its rows need.
fn sliced(column: &dyn Array) -> bool {
    let held = column.get_buffer_memory_size();
    if held < SMALL {
        return false;
    }
    // Types whose slice size arrow cannot tell are left as they are.
    column.to_data().get_slice_memory_size().is_ok_and(|shown| held > SLACK * shown)
}

/// A copy of `column`'s rows in buffers of their own.
fn copied(column: &dyn Array) -> ArrayRef {
    let data = column.to_data();
    let mut copy = MutableArrayData::new(vec![&data], false, data.len());
    copy.extend(0, 0, data.len());
    make_array(copy.freeze())
}

/// The bytes a view column shows outside its views, when its buffers are much larger than that (or, for a
/// `compared` column, when it shows none: every string is in its view).
fn sparse(column: &dyn Array, compared: bool) -> Option<usize> {
    let (views, buffers) = match column.data_type() {
        DataType::Utf8View => {
            let a: &StringViewArray = column.as_string_view();
            (a.views(), a.data_buffers())
        }
        DataType::BinaryView => {
            let a: &BinaryViewArray = column.as_binary_view();
            (a.views(), a.data_buffers())
        }
        _ => return None,
    };
    if buffers.is_empty() {
        return None;
    }
    // A view's low 32 bits are its length; strings of 12 bytes or less live in the view itself. The pass
    // stops at the first longer string.
    if compared && views.iter().all(|v| *v as u32 <= 12) {
        return Some(0);
    }
    let held: usize = buffers.iter().map(|b| b.len()).sum();
    if held < SMALL {
        return None;
    }
    let shown: usize = views.iter().map(|v| *v as u32 as usize).filter(|&len| len > 12).sum();
    (held > SLACK * shown).then_some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::datatypes::{Field, Schema};

    fn batch(column: ArrayRef) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("s", column.data_type().clone(), true)]));
        RecordBatch::try_new(schema, vec![column]).expect("batch")
    }

    fn held(batch: &RecordBatch) -> usize {
        batch.column(0).as_string_view().data_buffers().iter().map(|b| b.len()).sum()
    }

    #[test]
    fn a_slice_of_a_large_dictionary_keeps_only_its_own_strings() {
        // 300,000 distinct names, as a dictionary page holds them; a batch shows 1,000 of them.
        let names: StringViewArray =
            (0..300_000).map(|i| Some(format!("María José Fernández {i:06}"))).collect();
        let slice = batch(Arc::new(names.slice(5_000, 1_000)));
        assert!(held(&slice) > 8_000_000, "the slice still holds the whole dictionary");
        let compacted = compact_batch(slice.clone(), &[]).expect("compact");
        assert!(held(&compacted) < 40_000, "{} bytes held", held(&compacted));
        let before = slice.column(0).as_string_view();
        let after = compacted.column(0).as_string_view();
        assert!((0..1_000).all(|i| before.value(i) == after.value(i)), "the same strings, in order");
    }

    #[test]
    fn dense_and_short_string_columns_pass_through_untouched() {
        let dense: StringViewArray =
            (0..300_000).map(|i| Some(format!("campaign name number {i}"))).collect();
        let dense = batch(Arc::new(dense));
        assert!(Arc::ptr_eq(
            &compact_batch(dense.clone(), &[]).expect("compact").columns()[0],
            &dense.columns()[0]
        ));
        let short: StringViewArray =
            (0..50_000).map(|i| Some(if i % 2 == 0 { "sms" } else { "whatsapp" })).collect();
        assert_eq!(sparse(&short, true), None);
        let plain: StringArray = (0..10).map(|i| Some(format!("{i}"))).collect();
        assert_eq!(sparse(&plain, true), None);
    }

    #[test]
    fn compared_short_strings_lose_even_a_small_dictionary() {
        // A status column as a page decodes it: short values, and the page's few-byte dictionary riding along.
        let mixed: StringViewArray =
            ["read", "sent", "a status far too long to be inline"].into_iter().map(Some).collect();
        let statuses = batch(Arc::new(mixed.slice(0, 2)));
        assert!(held(&statuses) > 0);
        let untouched = compact_batch(statuses.clone(), &[]).expect("compact");
        assert!(Arc::ptr_eq(&untouched.columns()[0], &statuses.columns()[0]), "not compared: as it was");
        let compacted = compact_batch(statuses.clone(), &[0]).expect("compact");
        assert_eq!(held(&compacted), 0);
        let (before, after) = (statuses.column(0).as_string_view(), compacted.column(0).as_string_view());
        assert!((0..2).all(|i| before.value(i) == after.value(i)));
    }

    #[test]
    fn the_columns_a_filter_compares_and_no_others() {
        use datafusion::physical_expr::expressions::{IsNotNullExpr, lit};
        let column = |name: &str, i: usize| -> Arc<dyn PhysicalExpr> { Arc::new(Column::new(name, i)) };
        let binary = |l, op, r| -> Arc<dyn PhysicalExpr> { Arc::new(BinaryExpr::new(l, op, r)) };
        // status = 'read' AND 'sms' <> channel AND campaign_id IS NOT NULL
        let predicate = binary(
            binary(
                binary(column("status", 3), Operator::Eq, lit("read")),
                Operator::And,
                binary(lit("sms"), Operator::NotEq, column("channel", 1)),
            ),
            Operator::And,
            Arc::new(IsNotNullExpr::new(column("campaign_id", 2))),
        );
        assert_eq!(compared_columns(&predicate), vec![1, 3]);
        let not_null: Arc<dyn PhysicalExpr> = Arc::new(IsNotNullExpr::new(column("campaign_id", 2)));
        assert!(compared_columns(&not_null).is_empty());
    }

    #[test]
    fn a_slice_of_an_aggregates_groups_keeps_only_its_own_rows() {
        use datafusion::arrow::array::{Decimal128Array, Int64Array};
        use datafusion::arrow::datatypes::{Field, Schema};
        // One batch of 1.4 M groups (ids inside their views, sums, counts), handed on 8,192 rows at a time.
        let groups = 1_400_000;
        let ids: StringViewArray = (0..groups).map(|i| Some(format!("ct_{i:07}"))).collect();
        let sums = Decimal128Array::from_iter_values((0..groups).map(|i| i as i128 * 7))
            .with_precision_and_scale(38, 10)
            .expect("decimal");
        let counts: Int64Array = (0..groups).map(|i| (i % 5 != 0).then_some(i as i64)).collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("contact_id", DataType::Utf8View, true),
            Field::new("revenue", sums.data_type().clone(), true),
            Field::new("purchases", DataType::Int64, true),
        ]));
        let all = RecordBatch::try_new(schema, vec![Arc::new(ids), Arc::new(sums), Arc::new(counts)])
            .expect("batch");
        let slice = all.slice(700_000, 8_192);
        assert!(slice.get_array_memory_size() > 50_000_000, "the slice counts every group");
        let compacted = compact_batch(slice.clone(), &[]).expect("compact");
        assert!(compacted.get_array_memory_size() < 500_000, "{} bytes", compacted.get_array_memory_size());
        assert_eq!(compacted, slice, "the same rows");
        // A batch that is all of its buffers passes through.
        let own = compact_batch(compacted.clone(), &[]).expect("compact");
        assert!(own.columns().iter().zip(compacted.columns()).all(|(a, b)| Arc::ptr_eq(a, b)));
    }

    #[test]
    fn short_strings_that_point_at_nothing_lose_the_buffers_they_carry() {
        // Short ids decoded from a large dictionary: every id sits in its view, the dictionary rides along.
        let mixed: StringViewArray = (0..300_000)
            .map(|i| Some(if i < 1_000 { format!("ct_{i:06}") } else { format!("a longer name {i}") }))
            .collect();
        let ids = batch(Arc::new(mixed.slice(0, 1_000)));
        assert!(held(&ids) > 5_000_000);
        let compacted = compact_batch(ids.clone(), &[]).expect("compact");
        assert_eq!(held(&compacted), 0);
        let (before, after) = (ids.column(0).as_string_view(), compacted.column(0).as_string_view());
        assert!((0..1_000).all(|i| before.value(i) == after.value(i)));
    }
}
