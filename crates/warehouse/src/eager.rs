//! Summing a fact before joining it to a dimension ("eager aggregation"), a rule of the engine's
//! logical optimizer.
//!
//! "Messages and cost by campaign name and channel" joins every message to its campaign and then groups
//! the joined rows. With a dimension of a few dozen rows, it is cheaper to sum the messages by campaign id
//! first (millions of rows into dozens), join those sums to the campaigns and add them up per name and
//! channel: at 10 M messages the join's probe of 3.6 M rows and the grouping of its output cost more than
//! the whole query does in DuckDB. DataFusion does not make this move itself.
//!
//! The rewrite is exact. For an inner equijoin, the rows of a group after the join are the pairs (fact row,
//! dimension row) with equal keys, so a sum or count over them is, per dimension row, the sum or count of
//! its key's fact rows, added over the group's dimension rows; a minimum or maximum likewise. It applies
//! only when every aggregate is a plain `SUM`, `COUNT`, `MIN` or `MAX` (no `DISTINCT`, `FILTER` or
//! ordering, and no floating-point result, whose last digits depend on the order of the additions) of the
//! fact's columns, the fact's join keys are plain columns, each grouping is of one side's
//! columns only, and the dimension is a table of at most [`DIMENSION_ROWS_AT_MOST`] rows by its footers,
//! or a table of any size whose join key the query groups by ("top 10 contacts by revenue": at 100 M
//! messages, 8.2 M purchases summed into 1.4 M contacts before the join with 2.6 M contacts, 1.94 s →
//! 1.41 s). The result keeps the original's column names and types (a sum of sums is cast back to the
//! sum's type). Not here: anything about tenants (the guard and the tables see to it), or a large
//! dimension grouped by other columns than its key ("revenue by country"), where summing first by a key of
//! millions of values measured slower than the join.

use crate::tenant_table;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, DFSchema, Result};
use datafusion::functions::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::{max, min, sum};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{
    Aggregate, Expr, ExprSchemable, Join, JoinType, LogicalPlan, Projection, lit,
};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The most rows a dimension may have for the fact to be summed before joining it whatever the grouping:
/// campaigns (dozens per tenant) and the rates; the contacts only when grouped by their key.
const DIMENSION_ROWS_AT_MOST: u64 = 1024;

/// A fact known to be smaller than this many times the dimension is joined as written.
const FACT_TO_DIMENSION_AT_LEAST: u64 = 16;

/// The same for a dimension of any size whose key the aggregate groups by: summing first then groups the
/// fact by that one key instead of by the dimension's columns after the join, and joins one row per key
/// instead of every fact row, at the cost of a second grouping of the sums; with fewer than a few fact rows
/// per key the second grouping costs more than the join saves.
const FACT_TO_KEYED_DIMENSION_AT_LEAST: u64 = 4;

/// Names of the columns this rule adds; never an output name (the result keeps the original's).
const PREFIX: &str = "__inda_eager";

#[derive(Debug, Default)]
pub(crate) struct EagerAggregation;

impl OptimizerRule for EagerAggregation {
    fn name(&self) -> &str {
        "inda_eager_aggregation"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(&self, plan: LogicalPlan, config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = &plan else { return Ok(Transformed::no(plan)) };
        match summed_first(aggregate, &|| config.alias_generator().next(PREFIX)) {
            Ok(Some(rewritten)) => Ok(Transformed::yes(rewritten)),
            Ok(None) => Ok(Transformed::no(plan)),
            // A plan this rule cannot rebuild runs as written: slower, never wrong, never an error.
            Err(error) => {
                tracing::debug!(%error, "eager aggregation left the plan as written");
                Ok(Transformed::no(plan))
            }
        }
    }
}

/// How an aggregate of partial results adds them up.
#[derive(Clone, Copy)]
enum Combine {
    Sum,
    /// A sum of counts, 0 where there were none (no row joined, in an aggregate without groups).
    Count,
    Min,
    Max,
}

/// `aggregate` with its fact summed before the join, when the rewrite applies (see the module's text).
/// `fresh` gives a new column name each time, unique in the query (the rule may apply at several levels).
fn summed_first(aggregate: &Aggregate, fresh: &dyn Fn() -> String) -> Result<Option<LogicalPlan>> {
    let Some(fit) = fit(aggregate) else { return Ok(None) };
    let Some((inner_groups, outer_groups)) = groups(aggregate, &fit, fresh) else { return Ok(None) };
    let counts: Vec<bool> = fit.parts.iter().map(|(_, c)| matches!(c, Combine::Count)).collect();
    let (inner_aggregates, outer_aggregates) = aggregates(fit.parts, fresh);
    let join = fit.join;
    let summed = Arc::new(LogicalPlan::Aggregate(Aggregate::try_new(
        Arc::clone(fit.fact),
        inner_groups,
        inner_aggregates,
    )?));
    let (left, right) =
        if fit.fact_left { (summed, Arc::clone(&join.right)) } else { (Arc::clone(&join.left), summed) };
    let joined = Join::try_new(
        left,
        right,
        join.on.clone(),
        None,
        JoinType::Inner,
        join.join_constraint,
        join.null_equality,
    )?;
    let outer = Aggregate::try_new(Arc::new(LogicalPlan::Join(joined)), outer_groups, outer_aggregates)?;
    Ok(Some(LogicalPlan::Projection(as_before(outer, &aggregate.schema, &counts)?)))
}

/// An aggregate the rewrite applies to: its join, which side is the fact, and each aggregate's partial form.
struct Fit<'a> {
    join: &'a Join,
    fact: &'a Arc<LogicalPlan>,
    fact_left: bool,
    parts: Vec<(Expr, Combine)>,
}

/// The aggregate's join and fact, when every condition of the rewrite but the groupings' holds.
fn fit(aggregate: &Aggregate) -> Option<Fit<'_>> {
    let join = join_under(&aggregate.input)?;
    if join.join_type != JoinType::Inner || join.filter.is_some() || join.on.is_empty() {
        return None;
    }
    let parts = aggregate.aggr_expr.iter().map(partial).collect::<Option<Vec<_>>>()?;
    // A sum of floating-point numbers added in another order can differ in its last digits: those stay
    // as written, so that the answer is the same to the bit.
    let groups = aggregate.group_expr.len();
    let floating =
        |i: usize| aggregate.schema.fields().get(groups + i).is_none_or(|f| f.data_type().is_floating());
    if aggregate.group_expr.iter().any(|g| matches!(g, Expr::GroupingSet(_)))
        || (0..parts.len()).any(floating)
    {
        return None;
    }
    let dimension = dimension(join, &aggregate.group_expr);
    let fact_left = match (sides(join, &parts, dimension), dimension) {
        (Some(left), Some(dimension_left)) if left != dimension_left => left,
        _ => return None,
    };
    let fact = if fact_left { &join.left } else { &join.right };
    let mut fact_keys = join.on.iter().map(|(l, r)| if fact_left { l } else { r });
    if !fact_keys.all(|k| matches!(k, Expr::Column(_))) || is_aggregate(fact) {
        return None;
    }
    Some(Fit { join, fact, fact_left, parts })
}

/// The groups of the fact's sums (its join keys, and each grouping of the fact's columns, named) and those
/// of the sums' total (the dimension's groupings, and the fact's by their names); `None` when a grouping
/// reads both sides or neither.
fn groups(
    aggregate: &Aggregate,
    fit: &Fit<'_>,
    fresh: &dyn Fn() -> String,
) -> Option<(Vec<Expr>, Vec<Expr>)> {
    let dimension = if fit.fact_left { &fit.join.right } else { &fit.join.left };
    let mut inner: Vec<Expr> =
        fit.join.on.iter().map(|(l, r)| if fit.fact_left { l.clone() } else { r.clone() }).collect();
    let mut outer = Vec::new();
    for group in &aggregate.group_expr {
        if side_of(group, fit.fact.schema(), dimension.schema())? {
            let name = fresh();
            inner.push(group.clone().alias(&name));
            outer.push(Expr::Column(Column::from_name(name)));
        } else {
            outer.push(group.clone());
        }
    }
    Some((inner, outer))
}

/// The fact's partial aggregates, named, and the aggregates that add them up.
fn aggregates(parts: Vec<(Expr, Combine)>, fresh: &dyn Fn() -> String) -> (Vec<Expr>, Vec<Expr>) {
    parts
        .into_iter()
        .map(|(expr, combine)| {
            let name = fresh();
            let column = Expr::Column(Column::from_name(&name));
            let combined = match combine {
                Combine::Sum | Combine::Count => sum(column),
                Combine::Min => min(column),
                Combine::Max => max(column),
            };
            (expr.alias(name), combined.alias(fresh()))
        })
        .unzip()
}

/// The join an aggregate reads, directly or through a projection of bare columns.
fn join_under(input: &LogicalPlan) -> Option<&Join> {
    match input {
        LogicalPlan::Join(join) => Some(join),
        LogicalPlan::Projection(p) if p.expr.iter().all(|e| matches!(e, Expr::Column(_))) => {
            match p.input.as_ref() {
                LogicalPlan::Join(join) => Some(join),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The partial aggregate of one of the aggregate's expressions and how its results add up: `None` for
/// anything but a plain `SUM`, `COUNT`, `MIN` or `MAX`.
fn partial(expr: &Expr) -> Option<(Expr, Combine)> {
    let inner = match expr {
        Expr::Alias(alias) => alias.expr.as_ref(),
        other => other,
    };
    let Expr::AggregateFunction(AggregateFunction { func, params }) = inner else { return None };
    if params.distinct
        || params.filter.is_some()
        || !params.order_by.is_empty()
        || params.null_treatment.is_some()
    {
        return None;
    }
    let combine = match func.name() {
        "sum" => Combine::Sum,
        "count" => Combine::Count,
        "min" => Combine::Min,
        "max" => Combine::Max,
        _ => return None,
    };
    Some((inner.clone(), combine))
}

/// Which side of the join holds every column the aggregates read: `Some(true)` the left, `Some(false)` the
/// right; `None` when neither does alone. When they read no column (a count of rows), the side that is not
/// the dimension, if there is one.
fn sides(join: &Join, parts: &[(Expr, Combine)], dimension: Option<bool>) -> Option<bool> {
    let columns: BTreeSet<&Column> = parts.iter().flat_map(|(e, _)| e.column_refs()).collect();
    let within = |schema: &DFSchema| columns.iter().all(|c| schema.has_column(c));
    match (within(join.left.schema()), within(join.right.schema())) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        // No column read: the fact is whichever side is not the dimension.
        (true, true) => dimension.map(|dimension_left| !dimension_left),
        (false, false) => None,
    }
}

/// Which side is the dimension: `Some(true)` the left, `Some(false)` the right; `None` when neither or
/// both are, or the other side is not much larger by the footers (see [`dimension_of`]).
fn dimension(join: &Join, groups: &[Expr]) -> Option<bool> {
    let grouped = |left_side: bool| {
        join.on.iter().all(|(l, r)| {
            let key = if left_side { l } else { r };
            matches!(key, Expr::Column(_)) && groups.contains(key)
        })
    };
    let left = Side { rows: table_rows(&join.left), keyed: grouped(true) };
    let right = Side { rows: table_rows(&join.right), keyed: grouped(false) };
    dimension_of(left, right)
}

/// What the rule knows of one side of a join.
#[derive(Clone, Copy, Debug)]
struct Side {
    /// Its table's rows by the footers; `None` when it is not one of the warehouse's tables.
    rows: Option<u64>,
    /// Whether the aggregate groups by its join keys.
    keyed: bool,
}

/// The dimension of a join of these sides: a table that is small (see [`DIMENSION_ROWS_AT_MOST`]) or,
/// of any size, one whose join keys the aggregate groups by, the other side being larger by the ratio
/// each case needs when both sizes are known.
fn dimension_of(left: Side, right: Side) -> Option<bool> {
    let larger = |fact: Side, dimension: Side, ratio: u64| match (fact.rows, dimension.rows) {
        (Some(fact), Some(dimension)) => fact >= dimension.saturating_mul(ratio),
        _ => true,
    };
    let small = |side: Side| side.rows.is_some_and(|r| r <= DIMENSION_ROWS_AT_MOST);
    match (small(left), small(right)) {
        (true, false) if larger(right, left, FACT_TO_DIMENSION_AT_LEAST) => return Some(true),
        (false, true) if larger(left, right, FACT_TO_DIMENSION_AT_LEAST) => return Some(false),
        (true, true) => return None,
        _ => {}
    }
    let keyed = |side: Side| side.rows.is_some() && side.keyed;
    match (keyed(left), keyed(right)) {
        (true, false) if larger(right, left, FACT_TO_KEYED_DIMENSION_AT_LEAST) => Some(true),
        (false, true) if larger(left, right, FACT_TO_KEYED_DIMENSION_AT_LEAST) => Some(false),
        _ => None,
    }
}

/// The rows of the one table a plan reads, through aliases, projections and filters; `None` for anything
/// else (a join, an aggregate, a table that is not the warehouse's).
fn table_rows(plan: &LogicalPlan) -> Option<u64> {
    match plan {
        LogicalPlan::TableScan(scan) => tenant_table::scan_rows(scan).flatten(),
        LogicalPlan::SubqueryAlias(a) => table_rows(&a.input),
        LogicalPlan::Projection(p) => table_rows(&p.input),
        LogicalPlan::Filter(f) => table_rows(&f.input),
        _ => None,
    }
}

/// Whether a plan is an aggregate, through aliases and projections: the fact already summed (by this rule
/// on an earlier pass, or by the query).
fn is_aggregate(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Aggregate(_) => true,
        LogicalPlan::SubqueryAlias(a) => is_aggregate(&a.input),
        LogicalPlan::Projection(p) => is_aggregate(&p.input),
        _ => false,
    }
}

/// Which side a grouping reads: `Some(true)` the fact's columns only, `Some(false)` the dimension's only;
/// `None` for both or neither (a constant).
fn side_of(group: &Expr, fact: &DFSchema, dimension: &DFSchema) -> Option<bool> {
    let columns = group.column_refs();
    if columns.is_empty() {
        return None;
    }
    if columns.iter().all(|c| fact.has_column(c)) {
        Some(true)
    } else if columns.iter().all(|c| dimension.has_column(c)) {
        Some(false)
    } else {
        None
    }
}

/// The outer aggregate's columns under the original aggregate's names and types, so that the plan above
/// reads them as before; `counts` says which aggregates were counts (a count of no rows is 0, not empty).
fn as_before(outer: Aggregate, schema: &DFSchema, counts: &[bool]) -> Result<Projection> {
    let groups = outer.group_expr.len();
    let exprs = outer
        .schema
        .iter()
        .zip(schema.iter())
        .enumerate()
        .map(|(i, ((qualifier, field), (want_qualifier, want)))| {
            let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
            let column = match i.checked_sub(groups).and_then(|a| counts.get(a)) {
                Some(true) => coalesce(vec![column, lit(0i64)]),
                _ => column,
            };
            column
                .cast_to(want.data_type(), outer.schema.as_ref())
                .map(|e| e.alias_qualified(want_qualifier.cloned(), want.name()))
        })
        .collect::<Result<Vec<_>>>()?;
    Projection::try_new(exprs, Arc::new(LogicalPlan::Aggregate(outer)))
}

#[cfg(test)]
mod tests {
    use super::{Side, dimension_of};

    fn table(rows: u64, keyed: bool) -> Side {
        Side { rows: Some(rows), keyed }
    }

    /// Not one table: a join, or a subquery.
    const JOINED: Side = Side { rows: None, keyed: false };

    #[test]
    fn a_small_table_is_the_dimension_of_a_much_larger_fact() {
        assert_eq!(dimension_of(table(3_600_000, false), table(40, false)), Some(false));
        assert_eq!(dimension_of(table(40, false), JOINED), Some(true));
        // 16 times its rows at least, when the fact's are known.
        assert_eq!(dimension_of(table(1_599, false), table(100, false)), None);
        assert_eq!(dimension_of(table(1_600, false), table(100, false)), Some(false));
        assert_eq!(dimension_of(table(40, false), table(40, false)), None);
    }

    #[test]
    fn a_large_table_is_the_dimension_only_when_grouped_by_its_key() {
        let contacts = |keyed| table(2_640_000, keyed);
        assert_eq!(dimension_of(JOINED, contacts(true)), Some(false));
        assert_eq!(dimension_of(contacts(true), table(52_800_000, false)), Some(true));
        assert_eq!(dimension_of(JOINED, contacts(false)), None);
        // Four fact rows per key at least, when the fact's rows are known.
        assert_eq!(dimension_of(table(10_559_999, false), contacts(true)), None);
        assert_eq!(dimension_of(table(10_560_000, false), contacts(true)), Some(false));
        // Grouped by both sides' keys: neither is the dimension.
        assert_eq!(dimension_of(table(52_800_000, true), contacts(true)), None);
        // A side that is not one table is never the dimension.
        assert_eq!(dimension_of(Side { rows: None, keyed: true }, contacts(false)), None);
    }
}
