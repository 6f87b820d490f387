//! A grouping whose every group is one row is a projection: the logical optimizer rule that finds it.
//!
//! "Top 10 contacts by revenue" sums the purchases by contact (as written, or by `eager.rs`), joins the
//! contacts on their key and groups by contact and name. The sums are one row per contact, and when no two
//! contacts share an id each of them joins at most one contact: every group of the last grouping is one
//! row, which DataFusion still hashed into a table of 1.41 M groups at 100 M messages, in two stages, a
//! quarter of the query's time. Here that grouping becomes a projection: `SUM(x)` of one row is `x` (cast
//! to the sum's type), `MIN` and `MAX` are `x`, `COUNT(x)` is 1 unless `x` is null.
//!
//! What proves a plan's rows distinct on some columns ([`unique`]): an aggregate, on its groups; a table
//! whose one file's footer proves its key (`unique_key.rs`: the writer checked it); a filter, a sort, a
//! limit, an alias or a projection keeping those columns, of such a plan; an inner join, on one side's
//! columns when the other side is distinct on columns among its join keys (each row then joins at most
//! one). A grouping by columns that include such a set, with aggregates of those four kinds and no filter
//! on them, is rewritten. Keys of floating-point numbers prove nothing (`-0.0` and `0.0`, `NaN`).
//!
//! Not here: the contract's word that a key is unique (only a footer's proof counts), anything about
//! tenants (a table of several files, one per tenant, proves nothing: two tenants may share an id).

use crate::tenant_table;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, DFSchema, Result};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{
    Aggregate, Expr, ExprSchemable, JoinType, LogicalPlan, Projection, lit, when,
};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct KeyedGroups;

impl OptimizerRule for KeyedGroups {
    fn name(&self) -> &str {
        "inda_keyed_groups"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(&self, plan: LogicalPlan, _config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = &plan else { return Ok(Transformed::no(plan)) };
        match projected(aggregate) {
            Ok(Some(projection)) => Ok(Transformed::yes(LogicalPlan::Projection(projection))),
            Ok(None) => Ok(Transformed::no(plan)),
            // A plan this rule cannot rebuild runs as written: slower, never wrong, never an error.
            Err(error) => {
                tracing::debug!(%error, "keyed groups left the plan as written");
                Ok(Transformed::no(plan))
            }
        }
    }
}

/// The projection `aggregate` is, when each of its groups is one row of its input.
fn projected(aggregate: &Aggregate) -> Result<Option<Projection>> {
    let groups = aggregate.group_expr.len();
    // Without groups an aggregate of no rows is still one row; with grouping sets a row is in several.
    if groups == 0 || aggregate.group_expr.iter().any(|g| matches!(g, Expr::GroupingSet(_))) {
        return Ok(None);
    }
    let grouped: Vec<&Column> = aggregate
        .group_expr
        .iter()
        .filter_map(|g| match g {
            Expr::Column(c) => Some(c),
            _ => None,
        })
        .collect();
    if !unique(&aggregate.input).iter().any(|set| set.iter().all(|c| grouped.contains(&c))) {
        return Ok(None);
    }
    let input = aggregate.input.schema();
    let mut exprs = Vec::with_capacity(aggregate.schema.fields().len());
    for (i, (qualifier, field)) in aggregate.schema.iter().enumerate() {
        let expr = match i.checked_sub(groups) {
            None => aggregate.group_expr[i].clone(),
            Some(a) => match of_one_row(&aggregate.aggr_expr[a], input) {
                Some(expr) => expr.cast_to(field.data_type(), input)?,
                None => return Ok(None),
            },
        };
        let named = Column::new(qualifier.cloned(), field.name());
        exprs.push(match expr {
            Expr::Column(c) if c == named => Expr::Column(c),
            expr => expr.alias_qualified(qualifier.cloned(), field.name()),
        });
    }
    let projection = Projection::try_new(exprs, Arc::clone(&aggregate.input))?;
    // The plan above reads the same names and types.
    Ok(projection.schema.has_equivalent_names_and_types(&aggregate.schema).is_ok().then_some(projection))
}

/// What an aggregate of one row is, as an expression of that row; `None` for anything but `SUM`, `MIN`,
/// `MAX` or `COUNT` of one argument without a filter.
fn of_one_row(expr: &Expr, input: &DFSchema) -> Option<Expr> {
    let inner = match expr {
        Expr::Alias(alias) => alias.expr.as_ref(),
        other => other,
    };
    let Expr::AggregateFunction(AggregateFunction { func, params }) = inner else { return None };
    let [argument] = params.args.as_slice() else { return None };
    if params.filter.is_some() {
        return None;
    }
    match func.name() {
        "sum" | "min" | "max" => Some(argument.clone()),
        "count" if argument.nullable(input).ok()? => {
            Some(when(argument.clone().is_null(), lit(0i64)).otherwise(lit(1i64)).ok()?)
        }
        "count" => Some(lit(1i64)),
        _ => None,
    }
}

/// Sets of columns of `plan`'s output on which no two of its rows agree (see the module's text); empty
/// when nothing proves one.
pub(crate) fn unique(plan: &LogicalPlan) -> Vec<Vec<Column>> {
    let sets = match plan {
        LogicalPlan::Aggregate(a) if !a.group_expr.iter().any(|g| matches!(g, Expr::GroupingSet(_))) => {
            vec![(0..a.group_expr.len()).map(|i| Column::from(a.schema.qualified_field(i))).collect()]
        }
        LogicalPlan::TableScan(scan) => {
            let Some(names) = tenant_table::scan_unique(scan) else { return Vec::new() };
            let schema = &scan.projected_schema;
            let columns: Option<Vec<Column>> = names
                .iter()
                .map(|name| {
                    let i = schema.index_of_column_by_name(Some(&scan.table_name), name)?;
                    Some(Column::from(schema.qualified_field(i)))
                })
                .collect();
            columns.into_iter().collect()
        }
        LogicalPlan::Filter(f) => unique(&f.input),
        LogicalPlan::Sort(s) => unique(&s.input),
        LogicalPlan::Limit(l) => unique(&l.input),
        LogicalPlan::SubqueryAlias(a) => renamed(unique(&a.input), &a.input, Some, &a.schema),
        LogicalPlan::Projection(p) => {
            let from = |i: usize| {
                let field = p.input.schema().qualified_field(i);
                p.expr
                    .iter()
                    .position(|e| matches!(e.clone().unalias(), Expr::Column(c) if c == Column::from(field)))
            };
            renamed(unique(&p.input), &p.input, from, &p.schema)
        }
        LogicalPlan::Join(join) if join.join_type == JoinType::Inner => {
            let keys = |left: bool| -> Vec<Column> {
                join.on
                    .iter()
                    .filter_map(|(l, r)| match if left { l } else { r } {
                        Expr::Column(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect()
            };
            let (left, right) = (unique(&join.left), unique(&join.right));
            let within = |sets: &[Vec<Column>], keys: &[Column]| {
                sets.iter().any(|set| set.iter().all(|c| keys.contains(c)))
            };
            let mut sets = Vec::new();
            // Each left row joins at most one right row: the left's distinct columns stay distinct.
            if within(&right, &keys(false)) {
                sets.extend(left.iter().cloned());
            }
            if within(&left, &keys(true)) {
                sets.extend(right);
            }
            sets
        }
        _ => Vec::new(),
    };
    let schema = plan.schema();
    sets.into_iter().filter(|set| set.iter().all(|c| exact(schema, c))).collect()
}

/// `sets` of `input`'s columns as the output `schema` names them: `from` gives the output position of the
/// input's column at a position; a set with a column the output drops is dropped.
fn renamed(
    sets: Vec<Vec<Column>>,
    input: &LogicalPlan,
    from: impl Fn(usize) -> Option<usize>,
    schema: &DFSchema,
) -> Vec<Vec<Column>> {
    let position = |c: &Column| input.schema().index_of_column(c).ok();
    sets.into_iter()
        .filter_map(|set| {
            set.iter()
                .map(|c| from(position(c)?).map(|i| Column::from(schema.qualified_field(i))))
                .collect::<Option<Vec<Column>>>()
        })
        .collect()
}

/// Whether equal values of column `c` are the same value: not a floating-point number (`-0.0 = 0.0`).
fn exact(schema: &DFSchema, c: &Column) -> bool {
    schema.qualified_field_from_column(c).is_ok_and(|(_, f)| !f.data_type().is_floating())
}
