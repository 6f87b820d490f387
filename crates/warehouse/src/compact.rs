//! Scans and joins hand on string views that hold only their own bytes.
//!
//! Strings are read as views (`read_schema` in `embedded.rs`). A Parquet column stored with a dictionary
//! decodes into views that all point into that row group's whole dictionary: at 100 M messages every batch
//! of `dim_contacts.full_name` (8,192 names) carried the 20 MB dictionary of 2.6 M names. Operators count a
//! batch by its buffers, so a hash join's build side counted 830 MB for 60 MB of names; a repartition that
//! ran short of the query's memory spilled each batch with the whole dictionary, and one join of contacts
//! wrote over 40 GB to the temp dir before its deadline stopped it. A join's output does the same with its
//! build side: each batch of names taken from it pointed into all of them. [`compact_views`] puts a
//! [`CompactViewsExec`] above every scan and join, which copies a view column's strings into buffers of their own
//! when its buffers are much larger than the strings it shows (`StringViewArray::gc`), and drops the buffers
//! of a column whose strings all fit in their views (12 bytes or less: channels, statuses, ids), which arrow's
//! comparisons and sorts then read from the views alone. Dense pages pass through untouched.
//!
//! Not here: aggregates and sorts, which build arrays of their own (sorts compact theirs before spilling).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryViewArray, StringViewArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
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

/// Puts a [`CompactViewsExec`] above every scan and every join of an optimised plan (done after
/// optimisation, like the stop wrappers, so no rule sees or moves it).
pub(crate) fn compact_views(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    let compacted = plan.transform_up(|node| {
        if hands_on_shared_views(node.as_ref()) {
            let wrapper: Arc<dyn ExecutionPlan> = Arc::new(CompactViewsExec { input: node });
            return Ok(Transformed::yes(wrapper));
        }
        Ok(Transformed::no(node))
    })?;
    Ok(compacted.data)
}

/// Scans (views into a page's dictionary) and joins (views into the build side's one concatenated batch,
/// taken row by row): the operators whose batches show a small part of the buffers they hold.
fn hands_on_shared_views(node: &dyn ExecutionPlan) -> bool {
    let any = node.as_any();
    any.is::<DataSourceExec>()
        || any.is::<HashJoinExec>()
        || any.is::<NestedLoopJoinExec>()
        || any.is::<SortMergeJoinExec>()
        || any.is::<CrossJoinExec>()
        || any.is::<SymmetricHashJoinExec>()
}

/// Passes a scan's or a join's batches on, with sparse view columns compacted.
#[derive(Debug)]
pub(crate) struct CompactViewsExec {
    input: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for CompactViewsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompactViewsExec")
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
        Ok(Arc::new(CompactViewsExec { input: children.swap_remove(0) }))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let schema = input.schema();
        let compacted = input.map(|batch| batch.and_then(compact_batch));
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, compacted)))
    }
}

/// `batch` with each sparse view column compacted; the same batch when none is.
pub(crate) fn compact_batch(batch: RecordBatch) -> Result<RecordBatch> {
    let compacted: Vec<Option<ArrayRef>> = batch.columns().iter().map(compacted).collect();
    if compacted.iter().all(Option::is_none) {
        return Ok(batch);
    }
    let columns =
        compacted.into_iter().zip(batch.columns()).map(|(new, old)| new.unwrap_or_else(|| old.clone()));
    Ok(RecordBatch::try_new(batch.schema(), columns.collect())?)
}

/// The column with only its own strings, when it is sparse. When every string is inside its view, `gc` keeps
/// the views as they are and drops the buffers without checking each string again (building the array anew
/// did: as slow as the comparison it was to speed up).
fn compacted(column: &ArrayRef) -> Option<ArrayRef> {
    sparse(column.as_ref())?;
    match column.data_type() {
        DataType::Utf8View => Some(Arc::new(column.as_string_view().gc())),
        DataType::BinaryView => Some(Arc::new(column.as_binary_view().gc())),
        _ => None,
    }
}

/// The bytes a view column shows outside its views, when its buffers are much larger than that.
fn sparse(column: &dyn Array) -> Option<usize> {
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
    // A view's low 32 bits are its length; strings of 12 bytes or less live in the view itself. When all of
    // them do, the buffers go whatever their size: arrow compares and sorts views without buffers by the
    // views alone, and otherwise looks at each string (a filter `status = 'read'` on a page's tiny dictionary
    // took 4.6 ms for 304 K rows). The pass stops at the first longer string.
    if views.iter().all(|v| *v as u32 <= 12) {
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
        let compacted = compact_batch(slice.clone()).expect("compact");
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
            &compact_batch(dense.clone()).expect("compact").columns()[0],
            &dense.columns()[0]
        ));
        let short: StringViewArray =
            (0..50_000).map(|i| Some(if i % 2 == 0 { "sms" } else { "whatsapp" })).collect();
        assert_eq!(sparse(&short), None);
        let plain: StringArray = (0..10).map(|i| Some(format!("{i}"))).collect();
        assert_eq!(sparse(&plain), None);
    }

    #[test]
    fn short_strings_lose_even_a_small_dictionary() {
        // A status column as a page decodes it: short values, and the page's few-byte dictionary riding along.
        let mixed: StringViewArray =
            ["read", "sent", "a status far too long to be inline"].into_iter().map(Some).collect();
        let statuses = batch(Arc::new(mixed.slice(0, 2)));
        assert!(held(&statuses) > 0);
        let compacted = compact_batch(statuses.clone()).expect("compact");
        assert_eq!(held(&compacted), 0);
        let (before, after) = (statuses.column(0).as_string_view(), compacted.column(0).as_string_view());
        assert!((0..2).all(|i| before.value(i) == after.value(i)));
    }

    #[test]
    fn short_strings_that_point_at_nothing_lose_the_buffers_they_carry() {
        // Short ids decoded from a large dictionary: every id sits in its view, the dictionary rides along.
        let mixed: StringViewArray = (0..300_000)
            .map(|i| Some(if i < 1_000 { format!("ct_{i:06}") } else { format!("a longer name {i}") }))
            .collect();
        let ids = batch(Arc::new(mixed.slice(0, 1_000)));
        assert!(held(&ids) > 5_000_000);
        let compacted = compact_batch(ids.clone()).expect("compact");
        assert_eq!(held(&compacted), 0);
        let (before, after) = (ids.column(0).as_string_view(), compacted.column(0).as_string_view());
        assert!((0..1_000).all(|i| before.value(i) == after.value(i)));
    }
}
