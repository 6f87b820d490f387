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
use crate::model::{Rates, SemanticModel};
use crate::present::missing_rates_message;
use inda_core::ResultSet;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, JoinConstraint, JoinOperator, ObjectNamePart, Query, Select,
    SelectItem, SetExpr, Statement, TableFactor, TableWithJoins,
};
use sqlparser::dialect::{GenericDialect, SnowflakeDialect};
use sqlparser::parser::Parser;

/// A query listing the currency-months whose amounts `sql` converts without a rate, with how many rows
/// each: columns `currency`, `month`, `missing_rows`. Every SELECT of `sql` that joins the rates is checked
/// (both halves of a UNION, a CTE and the query over it). `None` when none joins the model's rates table in
/// a way this can follow.
pub fn model_missing_rates_sql(model: &SemanticModel, sql: &str) -> Option<String> {
    let rates = model.rates()?;
    let table = model.table(&rates.table)?;
    let query = parse(sql)?;
    let mut joins = Vec::new();
    collect_query(&query, &table.schema, &table.name, &mut joins);
    let checks: Vec<String> =
        joins.into_iter().filter_map(|(select, at)| check_select(select, at, rates)).collect();
    let with = query.with.as_ref().map(|w| format!("{w} ")).unwrap_or_default();
    match checks.as_slice() {
        [] => None,
        [one] => Some(format!("{with}{one} ORDER BY month, currency")),
        many => Some(format!(
            "{with}SELECT currency, month, SUM(missing_rows) AS missing_rows FROM ({}) AS missing \
             GROUP BY currency, month ORDER BY month, currency",
            many.join(" UNION ALL ")
        )),
    }
}

/// The check of one SELECT whose join `at` reads the rates: that join made LEFT, the same FROM and WHERE,
/// the rows with a currency and no rate counted per currency-month.
fn check_select(select: &Select, at: (usize, usize), rates: &Rates) -> Option<String> {
    let join = &select.from[at.0].joins[at.1];
    let qualifier = relation_qualifier(&join.relation)?;
    let JoinConstraint::On(on) = constraint(&join.join_operator)? else { return None };
    let currency = equated(on, &qualifier, &rates.currency_column)?;
    let month = equated(on, &qualifier, &rates.month_column)
        .or_else(|| within_month(on, &qualifier, &rates.month_column))?;

    let mut from: Vec<TableWithJoins> = select.from.clone();
    from[at.0].joins[at.1].join_operator = JoinOperator::LeftOuter(JoinConstraint::On(on.clone()));
    let from = from.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut cond = format!("{qualifier}.{} IS NULL AND {currency} IS NOT NULL", rates.rate_column);
    if let Some(filter) = &select.selection {
        cond.push_str(&format!(" AND ({filter})"));
    }
    Some(format!(
        "SELECT {currency} AS currency, {month} AS month, COUNT(*) AS missing_rows FROM {from} \
         WHERE {cond} GROUP BY {currency}, {month}"
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

pub(crate) fn parse(sql: &str) -> Option<Query> {
    // The guard reads Snowflake's dialect; the portable SQL models are asked for parses either way.
    let statements = Parser::parse_sql(&SnowflakeDialect {}, sql)
        .or_else(|_| Parser::parse_sql(&GenericDialect {}, sql))
        .ok()?;
    match <[Statement; 1]>::try_from(statements).ok()? {
        [Statement::Query(q)] => Some(*q),
        _ => None,
    }
}

/// Every SELECT of `query` (its own, its CTEs', its derived tables', both sides of a set operation) that
/// joins `schema.name`, with where: (index in its FROM, index among that item's joins).
fn collect_query<'q>(
    query: &'q Query,
    schema: &str,
    name: &str,
    out: &mut Vec<(&'q Select, (usize, usize))>,
) {
    for cte in query.with.iter().flat_map(|w| &w.cte_tables) {
        collect_query(&cte.query, schema, name, out);
    }
    collect_set_expr(&query.body, schema, name, out);
}

fn collect_set_expr<'q>(
    body: &'q SetExpr,
    schema: &str,
    name: &str,
    out: &mut Vec<(&'q Select, (usize, usize))>,
) {
    match body {
        SetExpr::Select(select) => collect_select(select, schema, name, out),
        SetExpr::Query(q) => collect_query(q, schema, name, out),
        SetExpr::SetOperation { left, right, .. } => {
            collect_set_expr(left, schema, name, out);
            collect_set_expr(right, schema, name, out);
        }
        _ => {}
    }
}

fn collect_select<'q>(
    select: &'q Select,
    schema: &str,
    name: &str,
    out: &mut Vec<(&'q Select, (usize, usize))>,
) {
    for (i, item) in select.from.iter().enumerate() {
        for (j, join) in item.joins.iter().enumerate() {
            let rates =
                names_table(&join.relation, schema, name) || rates_subquery(&join.relation, schema, name);
            if rates && constraint(&join.join_operator).is_some() {
                out.push((select, (i, j)));
            }
        }
    }
    // Derived tables may join the rates too (the rates' own wrapper has no join, so adds nothing).
    let relations = select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)));
    for q in relations.filter_map(derived) {
        collect_query(q, schema, name, out);
    }
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

/// Whether `factor` is the rates table read through a subquery of its own, `(SELECT * | currency, month,
/// rate … FROM schema.name [WHERE …]) AS alias`: the guard's rewrite (a saved answer keeps that SQL) or a
/// model's. Its columns keep their names, so `alias.rate` is the rate.
fn rates_subquery(factor: &TableFactor, schema: &str, name: &str) -> bool {
    let TableFactor::Derived { subquery, alias: Some(_), .. } = factor else { return false };
    let SetExpr::Select(select) = &*subquery.body else { return false };
    let plain = select
        .projection
        .iter()
        .all(|item| matches!(item, SelectItem::Wildcard(_) | SelectItem::UnnamedExpr(Expr::Identifier(_))));
    plain
        && select.group_by == GroupByExpr::Expressions(vec![], vec![])
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

/// In `on` (conditions joined by AND), the expression `qualifier.column` is equated with.
fn equated(on: &Expr, qualifier: &str, column: &str) -> Option<String> {
    conjuncts(on).into_iter().find_map(|c| match c {
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } if is_column(left, qualifier, column) => {
            Some(right.to_string())
        }
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } if is_column(right, qualifier, column) => {
            Some(left.to_string())
        }
        _ => None,
    })
}

/// The month of a row matched to its rate by range (`a.occurred_at >= f.month AND a.occurred_at <
/// f.month + INTERVAL '1 month'`): the month its time falls in.
fn within_month(on: &Expr, qualifier: &str, column: &str) -> Option<String> {
    let time = conjuncts(on).into_iter().find_map(|c| match c {
        Expr::BinaryOp { left, op: BinaryOperator::GtEq, right } if is_column(right, qualifier, column) => {
            Some(left)
        }
        Expr::BinaryOp { left, op: BinaryOperator::LtEq, right } if is_column(left, qualifier, column) => {
            Some(right)
        }
        _ => None,
    })?;
    Some(format!("CAST(DATE_TRUNC('month', {time}) AS DATE)"))
}

/// The conditions `on` joins with AND, parentheses removed.
fn conjuncts(on: &Expr) -> Vec<&Expr> {
    match on {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            let mut all = conjuncts(left);
            all.extend(conjuncts(right));
            all
        }
        Expr::Nested(inner) => conjuncts(inner),
        other => vec![other],
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
