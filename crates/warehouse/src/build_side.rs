//! In a partitioned hash join of a table's rows with an aggregate grouped by exactly its join keys, the
//! aggregate is the side the hash table is built from.
//!
//! Why: "top 10 contacts by revenue", as the question engine writes it, sums the purchases by contact and
//! joins the 2.64 M contacts (at 100 M messages). DataFusion picks the build side by its estimates of the
//! two sides' rows, and an aggregate's estimate is its input's: 8.17 M purchases against 2.64 M contacts, so
//! it built its table from the contacts, 830 MB of names and ids, and probed it with the 1.41 M sums. An
//! aggregate grouped by the join keys has one row per key that occurs, and a fact's keys are the
//! dimension's (a contact's purchases), so it is seldom larger than the table it is joined to; its table
//! holds each key once.
//!
//! Not here: joins DataFusion collects into one table (a small side), other join types, an aggregate
//! grouped by more than the keys (several rows a key), or two aggregates.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::logical_expr::JoinType;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode};
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::joins::{HashJoinExec, PartitionMode};
use datafusion::physical_plan::projection::ProjectionExec;
use std::collections::BTreeSet;
use std::sync::Arc;

/// `plan` with each such join's inputs swapped (see the module's text).
pub(crate) fn aggregates_built(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|node| {
        let Some(join) = node.as_any().downcast_ref::<HashJoinExec>() else {
            return Ok(Transformed::no(node));
        };
        if !probes_an_aggregate_by_its_keys(join) {
            return Ok(Transformed::no(node));
        }
        Ok(Transformed::yes(join.swap_inputs(PartitionMode::Partitioned)?))
    })
    .map(|t| t.data)
}

/// Whether `join` is a partitioned inner hash join whose probe side (the right) is an aggregate grouped by
/// exactly the right join keys, and whose build side is not.
fn probes_an_aggregate_by_its_keys(join: &HashJoinExec) -> bool {
    if *join.partition_mode() != PartitionMode::Partitioned
        || *join.join_type() != JoinType::Inner
        || join.filter().is_some()
        || grouped(join.left()).is_some()
    {
        return false;
    }
    let Some(groups) = grouped(join.right()) else { return false };
    let keys: Option<BTreeSet<usize>> = join
        .on()
        .iter()
        .map(|(_, right)| right.as_any().downcast_ref::<Column>().map(Column::index))
        .collect();
    keys.is_some_and(|keys| keys == groups && keys.len() == join.on().len())
}

/// The output positions of an aggregate's groups, when `plan` is a final (or single-stage) aggregate with
/// one grouping set, or a filter or a projection of bare columns of one that keeps each group once.
fn grouped(plan: &Arc<dyn ExecutionPlan>) -> Option<BTreeSet<usize>> {
    if let Some(filter) = plan.as_any().downcast_ref::<FilterExec>() {
        let groups = grouped(filter.input())?;
        let Some(projection) = filter.projection() else { return Some(groups) };
        return kept_once(&groups, projection.iter().map(|&i| Some(i)));
    }
    if let Some(projection) = plan.as_any().downcast_ref::<ProjectionExec>() {
        let groups = grouped(projection.input())?;
        let columns =
            projection.expr().iter().map(|e| e.expr.as_any().downcast_ref::<Column>().map(Column::index));
        return kept_once(&groups, columns);
    }
    let aggregate = plan.as_any().downcast_ref::<AggregateExec>()?;
    let whole = matches!(
        aggregate.mode(),
        AggregateMode::Final
            | AggregateMode::FinalPartitioned
            | AggregateMode::Single
            | AggregateMode::SinglePartitioned
    );
    (whole && aggregate.group_expr().is_single() && !aggregate.group_expr().expr().is_empty())
        .then(|| (0..aggregate.group_expr().expr().len()).collect())
}

/// The output positions of `groups` through a projection giving, at each position, the input column it
/// reads (`None`: an expression), when every output is a bare column and each group is kept once.
fn kept_once(
    groups: &BTreeSet<usize>,
    columns: impl Iterator<Item = Option<usize>>,
) -> Option<BTreeSet<usize>> {
    let (mut kept, mut seen) = (BTreeSet::new(), BTreeSet::new());
    for (position, column) in columns.enumerate() {
        let column = column?;
        if groups.contains(&column) {
            seen.insert(column).then_some(())?;
            kept.insert(position);
        }
    }
    (seen == *groups).then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::aggregates_built;
    use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use datafusion::datasource::MemTable;
    use datafusion::physical_plan::{ExecutionPlan, collect, displayable};
    use datafusion::prelude::{SessionConfig, SessionContext};
    use std::sync::Arc;

    fn table(columns: Vec<(&str, ArrayRef)>) -> Arc<MemTable> {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let halves = vec![
            vec![batch.slice(0, batch.num_rows() / 2)],
            vec![batch.slice(batch.num_rows() / 2, batch.num_rows() - batch.num_rows() / 2)],
        ];
        Arc::new(MemTable::try_new(batch.schema(), halves).unwrap())
    }

    /// The rows of a plan as sorted text.
    async fn rows(plan: Arc<dyn ExecutionPlan>, ctx: &SessionContext) -> Vec<String> {
        let batches = collect(plan, ctx.task_ctx()).await.unwrap();
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches).unwrap().to_string();
        let mut rows: Vec<String> = text.lines().filter(|l| l.starts_with("| ")).map(String::from).collect();
        rows.sort();
        rows
    }

    #[tokio::test]
    async fn the_sums_by_key_become_the_build_side_with_the_same_rows() {
        // No side is collected into one table: both are large by these settings.
        let mut config = SessionConfig::new().with_target_partitions(2);
        config.options_mut().optimizer.hash_join_single_partition_threshold = 0;
        config.options_mut().optimizer.hash_join_single_partition_threshold_rows = 0;
        let ctx = SessionContext::new_with_config(config);
        let ids = |n: i64, f: fn(i64) -> i64| -> ArrayRef {
            Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("ct_{:06}", f(i)))))
        };
        let names: ArrayRef = Arc::new(StringArray::from_iter_values((0..3000).map(|i| format!("name {i}"))));
        ctx.register_table("contacts", table(vec![("contact_id", ids(3000, |i| i)), ("full_name", names)]))
            .unwrap();
        let amounts: ArrayRef = Arc::new(Int64Array::from_iter_values((0..20_000).map(|i| i % 113)));
        // Some purchases of contacts that are not in the contacts: the join drops them.
        let purchases = table(vec![("contact_id", ids(20_000, |i| (i * 7919) % 3100)), ("amount", amounts)]);
        ctx.register_table("purchases", purchases).unwrap();
        for sql in [
            "SELECT c.contact_id, c.full_name, s.total FROM (SELECT contact_id, SUM(amount) AS total FROM \
             purchases GROUP BY contact_id) s JOIN contacts c ON c.contact_id = s.contact_id",
            "SELECT s.total, c.full_name FROM contacts c JOIN (SELECT contact_id, SUM(amount) AS total, \
             COUNT(*) AS n FROM purchases GROUP BY contact_id) s ON s.contact_id = c.contact_id WHERE s.n > 3",
        ] {
            let plan = async || ctx.sql(sql).await.unwrap().create_physical_plan().await.unwrap();
            let before = plan().await;
            let shown = displayable(before.as_ref()).indent(true).to_string();
            let after = aggregates_built(plan().await).unwrap();
            let swapped = displayable(after.as_ref()).indent(true).to_string();
            // The join's first input, its build side, is now the aggregate: its final stage comes before the
            // contacts' scan.
            let build = |shown: &str| {
                let join = shown.split("HashJoinExec").nth(1).unwrap_or_default();
                join.find("FinalPartitioned") < join.find("DataSourceExec")
            };
            assert!(!build(&shown) && build(&swapped), "{shown}\n{swapped}");
            assert_eq!(rows(after, &ctx).await, rows(before, &ctx).await, "{sql}");
        }
    }
}
