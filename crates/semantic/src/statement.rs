//! What a result of SQL this engine did not write shows (a person's `inda sql`, a language model's
//! answer): which columns are periods of a series, and so whether it reaches into an unfinished period
//! (caveat `partial_period`), and which are money and in what currency (cli.md). Read from the statement's
//! outermost SELECT and the model's tables: `DATE_TRUNC('month', …)` is a month; an amount times the rates
//! table's rate is in the reporting currency, messaging cost in USD, a budget in the reporting currency.
//!
//! Not here: anything the statement does not say plainly. A column taken from a CTE or a subquery, an
//! amount left in its rows' own currencies, or a ratio of two amounts gets no currency and no grain: an
//! unlabelled number is better than a wrongly labelled one.

use std::collections::HashMap;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use inda_core::{Caveat, ResultSet};
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Select, SelectItem, SetExpr,
    TableFactor, Value, visit_expressions, visit_expressions_mut,
};

use crate::intent::Grain;
use crate::lang::Lang;
use crate::model::{MeasureFormat, MoneyCurrency, SemanticModel, expr_columns, parse_model_expr};
use crate::present::partial_caveat;
use crate::rates_check::parse;

/// Sets the grain of each period column and the currency of each money column of `rs`, the result of
/// `sql`; `reporting` is the scope's reporting currency, when it has one.
pub fn label_statement(model: &SemanticModel, sql: &str, rs: &mut ResultSet, reporting: Option<&str>) {
    let Some(query) = parse(sql) else { return };
    let SetExpr::Select(select) = query.body.as_ref() else { return };
    let items: Vec<&Expr> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    // Columns follow the projection one to one unless a wildcard widened it.
    if items.len() != select.projection.len() || items.len() != rs.columns.len() {
        return;
    }
    let tables = relations(select);
    for (col, expr) in rs.columns.iter_mut().zip(items) {
        if let Some(g) = truncated_to(expr) {
            col.grain = Some(g);
        } else if col.is_numeric() {
            col.currency = money(model, &tables, expr).and_then(|m| match m {
                MoneyCurrency::Usd => Some("USD".to_string()),
                _ => reporting.map(str::to_string),
            });
        }
    }
}

/// The caveat of a result whose period column ([`label_statement`]) reaches into the unfinished period.
pub fn statement_caveats(rs: &ResultSet, today: NaiveDate, lang: Lang) -> Vec<Caveat> {
    rs.columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| partial_caveat(c.grain?, Some((&c.name, i)), rs, today, lang))
        .take(1)
        .collect()
}

/// `DATE_TRUNC('month', t)`, also inside a CAST: the grain.
fn truncated_to(expr: &Expr) -> Option<Grain> {
    match expr {
        Expr::Cast { expr, .. } | Expr::Nested(expr) => truncated_to(expr),
        Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("date_trunc") => {
            let FunctionArguments::List(list) = &f.args else { return None };
            let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))) = list.args.first() else {
                return None;
            };
            let Value::SingleQuotedString(unit) = &v.value else { return None };
            let unit = unit.to_ascii_lowercase();
            [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year]
                .into_iter()
                .find(|g| g.as_str() == unit)
        }
        _ => None,
    }
}

/// The tables of a SELECT's FROM by the name its columns are qualified with (alias, else table name);
/// a derived table that reads one table whole (the guard's `(SELECT * FROM marts.t WHERE …) AS a`) is it.
fn relations(select: &Select) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let factors = select
        .from
        .iter()
        .flat_map(|f| std::iter::once(&f.relation).chain(f.joins.iter().map(|j| &j.relation)));
    for factor in factors {
        let (table, alias) = match factor {
            TableFactor::Table { name, alias, .. } => (name.0.last().map(|p| p.to_string()), alias),
            TableFactor::Derived { subquery, alias, .. } => (whole_table(&subquery.body), alias),
            _ => continue,
        };
        let Some(table) = table.map(|t| t.to_ascii_lowercase()) else { continue };
        let key = alias.as_ref().map(|a| a.name.value.to_ascii_lowercase()).unwrap_or_else(|| table.clone());
        out.insert(key, table);
    }
    out
}

fn whole_table(body: &SetExpr) -> Option<String> {
    let SetExpr::Select(s) = body else { return None };
    let [SelectItem::Wildcard(_)] = s.projection.as_slice() else { return None };
    let [from] = s.from.as_slice() else { return None };
    match (&from.relation, from.joins.is_empty()) {
        (TableFactor::Table { name, .. }, true) => name.0.last().map(|p| p.to_string()),
        _ => None,
    }
}

/// What money `expr` is: the model's money columns it reads outside a `COUNT`, all of one currency, an
/// amount only with the rate that converts it, and not one amount divided by another.
fn money(model: &SemanticModel, tables: &HashMap<String, String>, expr: &Expr) -> Option<MoneyCurrency> {
    if let Expr::BinaryOp { left, op: BinaryOperator::Divide, right } = expr
        && money(model, tables, left).is_some()
        && money(model, tables, right).is_some()
    {
        return None;
    }
    let read = columns_outside_counts(expr, tables, model);
    let rates = model.rates()?;
    let converted = read.iter().any(|(t, c)| *t == rates.table && *c == rates.rate_column);
    let kinds: Vec<MoneyCurrency> = read.iter().filter_map(|(t, c)| money_column(model, t, c)).collect();
    let first = *kinds.first()?;
    if kinds.iter().any(|k| *k != first) {
        return None;
    }
    match first {
        MoneyCurrency::Converted if !converted => None,
        other => Some(other),
    }
}

/// The currency of a column the model's money metrics add up (`amount`, `cost`, `budget`).
fn money_column(model: &SemanticModel, table: &str, column: &str) -> Option<MoneyCurrency> {
    model
        .metrics()
        .iter()
        .filter(|m| m.format == MeasureFormat::Currency && m.table == table)
        .find(|m| {
            parse_model_expr(&m.expr)
                .ok()
                .and_then(|e| expr_columns(&e).ok())
                .is_some_and(|cs| cs.iter().any(|c| c == column))
        })
        .and_then(|m| m.currency)
}

/// The (table, column) pairs `expr` reads, leaving out what it only counts.
fn columns_outside_counts(
    expr: &Expr,
    tables: &HashMap<String, String>,
    model: &SemanticModel,
) -> Vec<(String, String)> {
    let mut e = expr.clone();
    let _ = visit_expressions_mut(&mut e, |x| {
        if let Expr::Function(f) = x
            && f.name.to_string().eq_ignore_ascii_case("count")
        {
            *x = Expr::value(Value::Number("1".into(), false));
        }
        ControlFlow::<()>::Continue(())
    });
    let mut out = Vec::new();
    let _ = visit_expressions(&e, |x| {
        let found = match x {
            Expr::Identifier(c) => unqualified(model, tables, &c.value),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = parts[parts.len() - 2].value.to_ascii_lowercase();
                tables.get(&q).map(|t| (t.clone(), parts[parts.len() - 1].value.to_ascii_lowercase()))
            }
            _ => None,
        };
        out.extend(found);
        ControlFlow::<()>::Continue(())
    });
    out
}

/// The one table of the FROM that has `column`.
fn unqualified(
    model: &SemanticModel,
    tables: &HashMap<String, String>,
    column: &str,
) -> Option<(String, String)> {
    let column = column.to_ascii_lowercase();
    let mut having = tables.values().filter(|t| model.table(t).is_some_and(|d| d.has_column(&column)));
    let first = having.next()?;
    having.all(|t| t == first).then(|| (first.clone(), column))
}
