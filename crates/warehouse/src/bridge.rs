//! Snowflake SQL on DataFusion: rewrites the few functions analysts' Snowflake SQL uses that DataFusion lacks
//! (`IFF`, `DATEADD`, `DATEDIFF`, `ZEROIFNULL`, `DIV0`, `COUNT_IF`, bare date-part keywords), so the same SQL
//! runs on both warehouses. Runs after the guard, on its output, and only ever makes the query narrower in
//! syntax, never in scope: it touches expressions, not relations.

use sqlparser::ast::{
    CaseWhen, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName, Statement,
    Value, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// Rewrites Snowflake-only functions in place. Fails with a message when a function is used in a shape
/// DataFusion cannot run (e.g. `DATEADD` with an unknown part).
pub fn to_datafusion(statement: &mut Statement) -> Result<(), String> {
    let mut failure = None;
    let _ = visit_expressions_mut(statement, |expr| {
        if let Err(e) = rewrite(expr) {
            failure = Some(e);
            return ControlFlow::Break(());
        }
        ControlFlow::<()>::Continue(())
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn function_name(f: &Function) -> Option<String> {
    match f.name.0.as_slice() {
        [part] => part.as_ident().map(|i| i.value.to_ascii_lowercase()),
        _ => None,
    }
}

fn plain_args(f: &Function) -> Option<Vec<Expr>> {
    match &f.args {
        FunctionArguments::List(list) if list.duplicate_treatment.is_none() && list.clauses.is_empty() => {
            list.args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect()
        }
        FunctionArguments::None => Some(vec![]),
        _ => None,
    }
}

/// A date part written as a bare keyword (`day`), a string (`'day'`) or an identifier.
fn date_part(e: &Expr) -> Option<String> {
    let raw = match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let part = match raw.to_ascii_lowercase().as_str() {
        "year" | "years" | "y" | "yy" | "yyyy" | "yr" | "yrs" => "year",
        "quarter" | "quarters" | "q" | "qtr" | "qtrs" => "quarter",
        "month" | "months" | "mm" | "mon" | "mons" => "month",
        "week" | "weeks" | "w" | "wk" | "weekofyear" | "woy" | "wy" => "week",
        "day" | "days" | "d" | "dd" | "dayofmonth" => "day",
        "hour" | "hours" | "h" | "hh" | "hr" | "hrs" => "hour",
        "minute" | "minutes" | "m" | "mi" | "min" | "mins" => "minute",
        "second" | "seconds" | "s" | "sec" | "secs" => "second",
        "dayofweek" | "dow" | "weekday" | "dw" => "dow",
        "dayofyear" | "doy" | "yearday" | "dy" => "doy",
        _ => return None,
    };
    Some(part.to_string())
}

/// `7`, `-30`, `+2`: an integer literal, possibly signed.
fn literal_integer(e: &Expr) -> Option<i64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp { op: sqlparser::ast::UnaryOperator::Minus, expr } => literal_integer(expr).map(|n| -n),
        Expr::UnaryOp { op: sqlparser::ast::UnaryOperator::Plus, expr } => literal_integer(expr),
        Expr::Nested(inner) => literal_integer(inner),
        _ => None,
    }
}

fn parse_expr(sql: &str) -> Result<Expr, String> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("cannot translate an expression for the embedded engine: {e}"))
}

fn string(s: &str) -> Expr {
    Expr::value(Value::SingleQuotedString(s.to_string()))
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn rewrite(expr: &mut Expr) -> Result<(), String> {
    let Expr::Function(f) = expr else { return Ok(()) };
    let Some(name) = function_name(f) else { return Ok(()) };
    let Some(args) = plain_args(f) else { return Ok(()) };
    let windowed = f.over.is_some() || f.filter.is_some();
    let replacement = match (name.as_str(), args.as_slice()) {
        ("iff", [cond, then, otherwise]) if !windowed => Expr::Case {
            case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
            end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
            operand: None,
            conditions: vec![CaseWhen { condition: cond.clone(), result: then.clone() }],
            else_result: Some(Box::new(otherwise.clone())),
        },
        ("zeroifnull", [x]) if !windowed => call("coalesce", vec![x.clone(), parse_expr("0")?]),
        ("ifnull", [a, b]) if !windowed => call("coalesce", vec![a.clone(), b.clone()]),
        ("div0", [a, b]) if !windowed => {
            parse_expr(&format!("CASE WHEN ({b}) = 0 THEN 0 ELSE ({a}) / ({b}) END"))?
        }
        ("count_if", [cond]) => {
            let mut sum = call("sum", vec![parse_expr(&format!("CASE WHEN {cond} THEN 1 ELSE 0 END"))?]);
            if let Expr::Function(g) = &mut sum {
                g.over = f.over.clone();
                g.filter = f.filter.clone();
            }
            sum
        }
        ("dateadd" | "timestampadd", [part, n, x]) if !windowed => {
            let part = date_part(part).ok_or("DATEADD needs a date part such as day, week, month or year")?;
            let unit = match part.as_str() {
                "quarter" => "3 months".to_string(),
                "week" => "7 days".to_string(),
                p @ ("year" | "month" | "day" | "hour" | "minute" | "second") => format!("1 {p}"),
                _ => return Err(format!("DATEADD does not support the part {part}")),
            };
            // DataFusion cannot multiply an interval by a column, so the amount must be a literal integer.
            let amount = literal_integer(n)
                .ok_or("DATEADD on the embedded engine needs a whole number as its amount")?;
            let (count, unit) = unit.split_once(' ').unwrap_or(("1", unit.as_str()));
            let count: i64 = count.parse().unwrap_or(1);
            let total = amount.saturating_mul(count);
            parse_expr(&format!("({x}) + INTERVAL '{total} {unit}'"))?
        }
        ("datediff" | "timestampdiff", [part, a, b]) if !windowed => {
            let part =
                date_part(part).ok_or("DATEDIFF needs a date part such as day, week, month or year")?;
            // Snowflake counts the boundaries crossed, i.e. the difference of the truncated values.
            let sql = match part.as_str() {
                "year" => format!("date_part('year', {b}) - date_part('year', {a})"),
                "quarter" => format!(
                    "(date_part('year', {b}) * 4 + date_part('quarter', {b})) - (date_part('year', {a}) * 4 + date_part('quarter', {a}))"
                ),
                "month" => format!(
                    "(date_part('year', {b}) * 12 + date_part('month', {b})) - (date_part('year', {a}) * 12 + date_part('month', {a}))"
                ),
                p @ ("week" | "day" | "hour" | "minute" | "second") => {
                    let secs = match p {
                        "week" => 604_800,
                        "day" => 86_400,
                        "hour" => 3_600,
                        "minute" => 60,
                        _ => 1,
                    };
                    format!(
                        "(date_part('epoch', date_trunc('{p}', CAST({b} AS TIMESTAMP))) - date_part('epoch', date_trunc('{p}', CAST({a} AS TIMESTAMP)))) / {secs}"
                    )
                }
                _ => return Err(format!("DATEDIFF does not support the part {part}")),
            };
            parse_expr(&format!("CAST({sql} AS BIGINT)"))?
        }
        ("date_trunc" | "date_part", [part, x]) if matches!(part, Expr::Identifier(_)) => {
            let part = date_part(part).ok_or_else(|| format!("{} needs a date part", name.to_uppercase()))?;
            call(&name, vec![string(&part), x.clone()])
        }
        _ => return Ok(()),
    };
    *expr = replacement;
    Ok(())
}
