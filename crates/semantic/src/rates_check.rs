//! The check of converted money for SQL this engine did not write (a language model's): an amount whose
//! currency-month has no exchange rate must fail the answer, never drop out of it (semantics.md, Money).
//! The offline engine counts such rows in the answer's own query (`sqlgen::missing_rate_check`). A model
//! joins `marts.fx_rates` its own way, usually with an inner join that drops them without a trace, so the
//! check is derived from its SQL: the SELECT that joins the rates, with that join made LEFT, the same FROM
//! and WHERE, keeping only rows with a currency and no rate, counted per currency-month.
//!
//! Not here: running the check (the app runs it through the guard, like any SQL) or SQL this cannot follow
//! (no rates join with `rates.currency = …` and `rates.month = …` in its ON): then there is no check.

use crate::lang::Lang;
use crate::model::SemanticModel;
use crate::present::missing_rates_message;
use inda_core::ResultSet;
use sqlparser::ast::{
    BinaryOperator, Expr, JoinConstraint, JoinOperator, ObjectNamePart, Query, Select, SelectItem, SetExpr,
    Statement, TableFactor, TableWithJoins,
};
use sqlparser::dialect::{GenericDialect, SnowflakeDialect};
use sqlparser::parser::Parser;

/// A query listing the currency-months whose amounts `sql` converts without a rate, with how many rows
/// each: columns `currency`, `month`, `missing_rows`. `None` when `sql` does not join the model's rates
/// table in a way this can follow.
pub fn model_missing_rates_sql(model: &SemanticModel, sql: &str) -> Option<String> {
    let rates = model.rates()?;
    let table = model.table(&rates.table)?;
    let query = parse(sql)?;
    let (select, at) = find_rates_join(&query, &table.schema, &table.name)?;
    let join = &select.from[at.0].joins[at.1];
    let qualifier = relation_qualifier(&join.relation)?;
    let JoinConstraint::On(on) = constraint(&join.join_operator)? else { return None };
    let currency = matched(on, &qualifier, &rates.currency_column)?;
    let month = matched(on, &qualifier, &rates.month_column)?;

    let mut from: Vec<TableWithJoins> = select.from.clone();
    let left = JoinOperator::LeftOuter(JoinConstraint::On(on.clone()));
    from[at.0].joins[at.1].join_operator = left;
    let from = from.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut cond = format!("{qualifier}.{} IS NULL AND {currency} IS NOT NULL", rates.rate_column);
    if let Some(filter) = &select.selection {
        cond.push_str(&format!(" AND ({filter})"));
    }
    let with = query.with.as_ref().map(|w| format!("{w} ")).unwrap_or_default();
    Some(format!(
        "{with}SELECT {currency} AS currency, {month} AS month, COUNT(*) AS missing_rows FROM {from} \
         WHERE {cond} GROUP BY {currency}, {month} ORDER BY month, currency"
    ))
}

/// The error for what [`model_missing_rates_sql`] found (naming up to five currency-months), or `None`
/// when it found nothing: every amount had its rate.
pub fn model_missing_rates_message(lang: Lang, found: &ResultSet) -> Option<String> {
    let rows: u64 = found.rows.iter().filter_map(|r| r.get(2)?.as_f64()).map(|n| n.max(0.0) as u64).sum();
    if rows == 0 {
        return None;
    }
    let named = ResultSet {
        columns: found.columns.iter().take(2).cloned().collect(),
        rows: found.rows.iter().take(5).map(|r| r.iter().take(2).cloned().collect()).collect(),
        ..ResultSet::default()
    };
    Some(missing_rates_message(lang, rows, &named))
}

fn parse(sql: &str) -> Option<Query> {
    // The guard reads Snowflake's dialect; the portable SQL models are asked for parses either way.
    let statements = Parser::parse_sql(&SnowflakeDialect {}, sql)
        .or_else(|_| Parser::parse_sql(&GenericDialect {}, sql))
        .ok()?;
    match <[Statement; 1]>::try_from(statements).ok()? {
        [Statement::Query(q)] => Some(*q),
        _ => None,
    }
}

/// The first SELECT (the query's own, its CTEs', its derived tables') that joins `schema.name`, and where:
/// (index in its FROM, index among that item's joins).
fn find_rates_join<'q>(query: &'q Query, schema: &str, name: &str) -> Option<(&'q Select, (usize, usize))> {
    in_set_expr(&query.body, schema, name).or_else(|| {
        let mut ctes = query.with.iter().flat_map(|w| &w.cte_tables);
        ctes.find_map(|c| find_rates_join(&c.query, schema, name))
    })
}

fn in_set_expr<'q>(body: &'q SetExpr, schema: &str, name: &str) -> Option<(&'q Select, (usize, usize))> {
    match body {
        SetExpr::Select(select) => in_select(select, schema, name),
        SetExpr::Query(q) => find_rates_join(q, schema, name),
        SetExpr::SetOperation { left, right, .. } => {
            in_set_expr(left, schema, name).or_else(|| in_set_expr(right, schema, name))
        }
        _ => None,
    }
}

fn in_select<'q>(select: &'q Select, schema: &str, name: &str) -> Option<(&'q Select, (usize, usize))> {
    for (i, item) in select.from.iter().enumerate() {
        for (j, join) in item.joins.iter().enumerate() {
            let rates =
                names_table(&join.relation, schema, name) || guarded_table(&join.relation, schema, name);
            if rates && constraint(&join.join_operator).is_some() {
                return Some((select, (i, j)));
            }
        }
    }
    // Not here: a derived table of this SELECT may join the rates.
    let relations = select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)));
    relations.filter_map(derived).find_map(|q| find_rates_join(q, schema, name))
}

fn derived(factor: &TableFactor) -> Option<&Query> {
    match factor {
        TableFactor::Derived { subquery, .. } => Some(subquery),
        _ => None,
    }
}

/// The ON constraint of a join that keeps the fact's rows whether or not their rate is found once made
/// LEFT: a plain, inner or left join.
fn constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c) => Some(c),
        _ => None,
    }
}

/// Whether `factor` is the table `schema.name` (or `name` alone), in any case.
fn names_table(factor: &TableFactor, schema: &str, name: &str) -> bool {
    let TableFactor::Table { name: object, .. } = factor else { return false };
    let parts: Vec<String> = object
        .0
        .iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i.value.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [t] => t == name,
        [s, t] => s == schema && t == name,
        _ => false,
    }
}

/// Whether `factor` is the guard's shape of the table `schema.name`, `(SELECT * FROM schema.name WHERE …)
/// AS alias`: a saved answer keeps its SQL as the guard rewrote it.
fn guarded_table(factor: &TableFactor, schema: &str, name: &str) -> bool {
    let TableFactor::Derived { subquery, alias: Some(_), .. } = factor else { return false };
    let SetExpr::Select(select) = &*subquery.body else { return false };
    matches!(select.projection.as_slice(), [SelectItem::Wildcard(_)])
        && matches!(select.from.as_slice(), [t] if t.joins.is_empty() && names_table(&t.relation, schema, name))
}

/// How the rates table's columns are qualified in the SELECT: its alias, else its name.
fn relation_qualifier(factor: &TableFactor) -> Option<String> {
    match factor {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(a.name.to_string())
        }
        TableFactor::Table { name, alias: None, .. } => match name.0.last()? {
            ObjectNamePart::Identifier(i) => Some(i.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// In `on` (equalities joined by AND), the expression `qualifier.column` is equated with.
fn matched(on: &Expr, qualifier: &str, column: &str) -> Option<String> {
    match on {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            matched(left, qualifier, column).or_else(|| matched(right, qualifier, column))
        }
        Expr::Nested(inner) => matched(inner, qualifier, column),
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => {
            if is_column(left, qualifier, column) {
                Some(right.to_string())
            } else if is_column(right, qualifier, column) {
                Some(left.to_string())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn is_column(e: &Expr, qualifier: &str, column: &str) -> bool {
    match e {
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, c] => {
                q.value.eq_ignore_ascii_case(qualifier.trim_matches('"'))
                    && c.value.eq_ignore_ascii_case(column)
            }
            _ => false,
        },
        _ => false,
    }
}
