//! Snowflake SQL on DataFusion: rewrites the functions analysts' Snowflake SQL uses that DataFusion lacks or
//! reads differently, so the same SQL runs, with the same meaning, on both warehouses. Runs after the guard,
//! on its output, and only ever makes the query narrower in syntax, never in scope: it touches expressions,
//! not relations.
//!
//! What is rewritten here is what changes a call's shape (`IFF` into `CASE`, `DECODE` into a `CASE` where
//! NULL matches NULL, `YEAR(x)` into `date_part('year', x)`, `LISTAGG … WITHIN GROUP` into `string_agg(…
//! ORDER BY …)`). Functions that keep their shape but need Snowflake's behaviour inside (synonyms, size
//! caps, NULL handling, format models) are registered on the session by [`crate::functions`].
//!
//! Expressions DataFusion cannot plan at all are refused here in words: DataFusion's own message would
//! print sqlparser's syntax tree, spans and all.

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, CaseWhen, CastKind, DataType, ExactNumberInfo, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArgumentClause, FunctionArgumentList, FunctionArguments, Ident, ObjectName,
    Statement, UnaryOperator, Value, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// Rewrites Snowflake-only functions in place. Fails with a message when a function is used in a shape
/// DataFusion cannot run (e.g. `DATEADD` with an unknown part) or the query holds an expression DataFusion
/// does not know.
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

/// A message from the engine without the syntax trees DataFusion prints into some of its errors
/// (`Unsupported ast node in sqltorel: Named { … span: Span(Location(1,8)..…) }`): the words before the
/// tree, then a sentence saying what it means for the person who wrote the query.
pub(crate) fn without_syntax_tree(message: &str) -> String {
    const TREE_MARKERS: [&str; 4] = ["Span(", "Location(", "ValueWithSpan", "Ident {"];
    let Some(first_marker) = TREE_MARKERS.iter().filter_map(|m| message.find(m)).min() else {
        return message.to_string();
    };
    // The tree starts at the first bracket before its first span; the words before it name the problem.
    let head = &message[..first_marker];
    let cut = head.find(['{', '(', '[']).unwrap_or(head.len());
    // What precedes the bracket is the tree's top node (`Named`, `AsOf`): a name from the code, not words.
    let words = head[..cut].trim_end().trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
    let words = words.trim_end().trim_end_matches(':').trim_end();
    // "Unsupported ast node in sqltorel" says no more than the sentence below, in DataFusion's terms.
    if words.is_empty() || words.contains("sqltorel") {
        "this query uses a construct the embedded engine does not support".to_string()
    } else {
        format!("{words}: a construct the embedded engine does not support")
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
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => literal_integer(expr).map(|n| -n),
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => literal_integer(expr),
        Expr::Nested(inner) => literal_integer(inner),
        _ => None,
    }
}

/// `'abc'`: a string literal's text.
fn literal_string(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(inner) => literal_string(inner),
        _ => None,
    }
}

/// Parses a fragment of SQL. Only for fragments that hold no user text, or that hold expressions already
/// wrapped in parentheses, so that printing and parsing again cannot regroup them.
fn parse_expr(sql: &str) -> Result<Expr, String> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("cannot translate an expression for the embedded engine: {e}"))
}

fn string(s: &str) -> Expr {
    Expr::value(Value::SingleQuotedString(s.to_string()))
}

fn number(n: i64) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

/// `(e)`: built trees are printed into messages and into the few rewrites that work on text, so every
/// operand is kept grouped as it was built.
fn nested(e: Expr) -> Expr {
    match e {
        Expr::Nested(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => e,
        Expr::Function(_) => e,
        other => Expr::Nested(Box::new(other)),
    }
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::Nested(Box::new(Expr::BinaryOp {
        left: Box::new(nested(left)),
        op,
        right: Box::new(nested(right)),
    }))
}

fn case(conditions: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: conditions
            .into_iter()
            .map(|(condition, result)| CaseWhen { condition, result })
            .collect(),
        else_result: otherwise.map(Box::new),
    }
}

fn cast(e: Expr, data_type: DataType) -> Expr {
    Expr::Cast { kind: CastKind::Cast, expr: Box::new(e), data_type, format: None }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(function(name, args))
}

/// A plain call `name(args…)`: no DISTINCT, FILTER or OVER (the caller adds what it needs).
pub(crate) fn function(name: &str, args: Vec<Expr>) -> Function {
    Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    }
}

fn rewrite(expr: &mut Expr) -> Result<(), String> {
    let replacement = match expr {
        Expr::Function(f) => match rewrite_call(f)? {
            Some(replacement) => replacement,
            None => return Ok(()),
        },
        // Snowflake's `x RLIKE p` / `x REGEXP p` match the whole string, like REGEXP_LIKE.
        Expr::RLike { negated, expr: subject, pattern, .. } => {
            let like = call("regexp_like", vec![subject.as_ref().clone(), anchored(pattern)]);
            if *negated {
                Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(nested(like)) }
            } else {
                like
            }
        }
        // `a || b` through the (capped, NULL-strict) concat: strings that double at every level of a CTE
        // chain must hit the size cap rather than the machine's memory.
        Expr::BinaryOp { left, op: BinaryOperator::StringConcat, right } => {
            call("concat", vec![left.as_ref().clone(), right.as_ref().clone()])
        }
        Expr::Extract { field, expr: source, .. } => {
            // DataFusion reads `dow` and `doy` but not Snowflake's `DAYOFWEEK`, `DAYOFYEAR` or `WEEKOFYEAR`.
            match date_part(&Expr::Identifier(Ident::new(field.to_string()))) {
                Some(part) => call("date_part", vec![string(&part), source.as_ref().clone()]),
                None => return Ok(()),
            }
        }
        other => return unsupported(other),
    };
    *expr = replacement;
    Ok(())
}

/// Expressions sqlparser reads but DataFusion cannot plan, named in words.
fn unsupported(expr: &Expr) -> Result<(), String> {
    let what = match expr {
        Expr::JsonAccess { .. } => "reading a field of a semi-structured value (value:field)",
        Expr::IsNormalized { .. } => "IS NORMALIZED",
        Expr::InUnnest { .. } => "IN UNNEST(…)",
        Expr::AllOp { .. } => "a comparison with ALL (…)",
        Expr::Convert { .. } => "CONVERT (use CAST)",
        Expr::Collate { .. } => "COLLATE",
        Expr::Prefixed { .. } => "a literal with a character-set prefix",
        Expr::Named { .. } => "named arguments (name => value)",
        Expr::MatchAgainst { .. } => "MATCH … AGAINST",
        Expr::OuterJoin(_) => "the (+) outer-join marker (use LEFT JOIN)",
        Expr::Prior(_) => "CONNECT BY … PRIOR",
        Expr::Lambda(_) => "lambda functions (x -> …)",
        Expr::MemberOf(_) => "MEMBER OF",
        _ => return Ok(()),
    };
    Err(format!("the embedded engine cannot run {what}"))
}

/// The regular expression `p` anchored at both ends: Snowflake's REGEXP_LIKE and RLIKE match the whole
/// subject, DataFusion's `regexp_like` any part of it.
fn anchored(pattern: &Expr) -> Expr {
    match literal_string(pattern) {
        Some(p) => string(&format!("^(?:{p})$")),
        None => binary(
            binary(string("^(?:"), BinaryOperator::StringConcat, pattern.clone()),
            BinaryOperator::StringConcat,
            string(")$"),
        ),
    }
}

/// Snowflake's regular-expression parameters (`'i'`, `'c'`, `'m'`, `'s'`, `'e'`) as DataFusion's flags:
/// the last of `c` and `i` wins, `e` (extract groups) means nothing when matching.
fn regex_flags(name: &str, parameters: &Expr) -> Result<String, String> {
    let text = literal_string(parameters).ok_or_else(|| {
        format!("{}: the parameters must be a constant string such as 'i'", name.to_uppercase())
    })?;
    let (mut insensitive, mut multiline, mut dotall) = (false, false, false);
    for c in text.chars() {
        match c {
            'c' => insensitive = false,
            'i' => insensitive = true,
            'm' => multiline = true,
            's' => dotall = true,
            'e' => {}
            other => {
                return Err(format!(
                    "{}: unknown regular-expression parameter '{other}'",
                    name.to_uppercase()
                ));
            }
        }
    }
    let flags = [(insensitive, 'i'), (multiline, 'm'), (dotall, 's')];
    Ok(flags.iter().filter(|(on, _)| *on).map(|(_, f)| *f).collect())
}

/// A Snowflake call rewritten for DataFusion, or `None` when it runs as it is.
fn rewrite_call(f: &Function) -> Result<Option<Expr>, String> {
    let Some(name) = function_name(f) else { return Ok(None) };
    // Over a window each row carries the whole frame's text or array: memory grows with the square of the
    // partition, inside one batch, where no limit can stop it.
    if f.over.is_some() && matches!(name.as_str(), "listagg" | "string_agg" | "array_agg") {
        return Err(format!(
            "{} … OVER (…) cannot run on the embedded engine: every row would carry its whole partition; \
             aggregate with GROUP BY and join the result instead",
            name.to_uppercase()
        ));
    }
    if name == "listagg" {
        return listagg(f).map(Some);
    }
    if name == "median" {
        return Ok(median(f));
    }
    let Some(args) = plain_args(f) else { return Ok(None) };
    let windowed = f.over.is_some() || f.filter.is_some();
    if windowed && name != "count_if" {
        return Ok(None);
    }
    let replacement = match (name.as_str(), args.as_slice()) {
        ("iff", [cond, then, otherwise]) => case(vec![(cond.clone(), then.clone())], Some(otherwise.clone())),
        ("zeroifnull", [x]) => call("coalesce", vec![x.clone(), number(0)]),
        ("nullifzero", [x]) => call("nullif", vec![x.clone(), number(0)]),
        ("ifnull", [a, b]) => call("coalesce", vec![a.clone(), b.clone()]),
        ("div0", [a, b]) => case(
            vec![(binary(b.clone(), BinaryOperator::Eq, number(0)), number(0))],
            Some(binary(a.clone(), BinaryOperator::Divide, b.clone())),
        ),
        ("mod", [a, b]) => binary(a.clone(), BinaryOperator::Modulo, b.clone()),
        ("count_if", [cond]) => {
            let mut sum = call("sum", vec![case(vec![(cond.clone(), number(1))], Some(number(0)))]);
            if let Expr::Function(g) = &mut sum {
                g.over = f.over.clone();
                g.filter = f.filter.clone();
            }
            sum
        }
        // Snowflake's DECODE compares with equality where NULL matches NULL; a trailing odd argument is the
        // default. DataFusion's own `decode(bytes, encoding)` is another function altogether.
        ("decode", [subject, rest @ ..]) => {
            if rest.len() < 2 {
                return Err(
                    "DECODE needs an expression, then pairs of a value to look for and a result, and optionally a default"
                        .into(),
                );
            }
            let pairs = rest.chunks_exact(2);
            let default = pairs.remainder().first().cloned();
            let conditions = pairs
                .map(|pair| {
                    let matches = Expr::IsNotDistinctFrom(
                        Box::new(nested(subject.clone())),
                        Box::new(nested(pair[0].clone())),
                    );
                    (matches, pair[1].clone())
                })
                .collect();
            case(conditions, default)
        }
        // YEAR(x), DAYOFWEEK(x), …: Snowflake's extraction functions are date_part with the part as a name.
        // With Snowflake's default WEEK_START (0), DAYOFWEEK counts from Sunday = 0, like DataFusion's `dow`,
        // and WEEK is the ISO week, like DataFusion's `week`.
        (
            "year" | "quarter" | "month" | "week" | "weekofyear" | "day" | "dayofmonth" | "dayofweek"
            | "dayofyear" | "hour" | "minute" | "second",
            [x],
        ) => {
            let part = date_part(&Expr::Identifier(Ident::new(name.as_str())))
                .ok_or_else(|| format!("{} has no date part", name.to_uppercase()))?;
            call("date_part", vec![string(&part), x.clone()])
        }
        ("last_day", [x, part @ ..]) if part.len() <= 1 => {
            let part = match part.first() {
                Some(p) => date_part(p).ok_or("LAST_DAY needs a date part: year, quarter, month or week")?,
                None => "month".to_string(),
            };
            let length = match part.as_str() {
                "year" => "1 year",
                "quarter" => "3 months",
                "month" => "1 month",
                "week" => "7 days",
                _ => return Err(format!("LAST_DAY does not support the part {part}")),
            };
            let start = call("date_trunc", vec![string(&part), x.clone()]);
            let next = binary(start, BinaryOperator::Plus, parse_expr(&format!("INTERVAL '{length}'"))?);
            let last = binary(next, BinaryOperator::Minus, parse_expr("INTERVAL '1 day'")?);
            cast(last, DataType::Date)
        }
        // POSITION(needle, haystack [, from]): the function form of `POSITION(needle IN haystack)`, which
        // sqlparser reads as a call. The optional start still counts the result from the string's start.
        ("position", [needle, haystack]) => call("strpos", vec![haystack.clone(), needle.clone()]),
        ("position", [needle, haystack, from]) => {
            let found =
                call("strpos", vec![call("substr", vec![haystack.clone(), from.clone()]), needle.clone()]);
            case(
                vec![(binary(found.clone(), BinaryOperator::Eq, number(0)), number(0))],
                Some(binary(
                    binary(found, BinaryOperator::Plus, from.clone()),
                    BinaryOperator::Minus,
                    number(1),
                )),
            )
        }
        ("regexp_like" | "rlike", [subject, pattern, parameters @ ..]) if parameters.len() <= 1 => {
            let mut args = vec![subject.clone(), anchored(pattern)];
            if let Some(p) = parameters.first() {
                let flags = regex_flags(&name, p)?;
                if !flags.is_empty() {
                    args.push(string(&flags));
                }
            }
            call("regexp_like", args)
        }
        // REGEXP_REPLACE(subject, pattern [, replacement [, position [, occurrence [, parameters]]]]):
        // Snowflake replaces every match by default (occurrence 0), DataFusion only the first unless told `g`.
        ("regexp_replace", [subject, pattern, rest @ ..]) if rest.len() <= 4 => {
            let replacement = match rest.first() {
                // `$` names a group in DataFusion's replacement and is plain text in Snowflake's.
                Some(r) => match literal_string(r) {
                    Some(text) => string(&text.replace('$', "$$")),
                    None => r.clone(),
                },
                None => string(""),
            };
            if let Some(position) = rest.get(1)
                && literal_integer(position) != Some(1)
            {
                return Err("REGEXP_REPLACE on the embedded engine starts at position 1 only".into());
            }
            let mut flags = match rest.get(2).map(literal_integer) {
                None | Some(Some(0)) => "g".to_string(),
                Some(Some(1)) => String::new(),
                Some(_) => {
                    return Err(
                        "REGEXP_REPLACE on the embedded engine replaces every match (occurrence 0) or the first (1)"
                            .into(),
                    );
                }
            };
            if let Some(parameters) = rest.get(3) {
                flags.push_str(&regex_flags(&name, parameters)?);
            }
            let mut args = vec![subject.clone(), pattern.clone(), replacement];
            if !flags.is_empty() {
                args.push(string(&flags));
            }
            call("regexp_replace", args)
        }
        // REPLACE(subject, pattern) removes the pattern.
        ("replace", [subject, pattern]) => {
            call("replace", vec![subject.clone(), pattern.clone(), string("")])
        }
        // SPLIT_PART counts part 0 as part 1 in Snowflake; DataFusion refuses it.
        ("split_part", [s, delimiter, part]) => {
            let part = match literal_integer(part) {
                Some(0) => number(1),
                Some(_) => return Ok(None),
                None => case(
                    vec![(binary(part.clone(), BinaryOperator::Eq, number(0)), number(1))],
                    Some(part.clone()),
                ),
            };
            call("split_part", vec![s.clone(), delimiter.clone(), part])
        }
        // TRUNC(date, part) truncates a date; TRUNC(number, scale) stays DataFusion's.
        ("trunc" | "truncate", [x, part]) if date_part(part).is_some() => {
            let part = date_part(part).unwrap_or_default();
            call("date_trunc", vec![string(&part), x.clone()])
        }
        // TO_NUMBER(x [, precision [, scale]]): Snowflake's NUMBER(38, 0) by default, rounding extra digits.
        ("to_number" | "to_decimal" | "to_numeric", [x, sizes @ ..]) if sizes.len() <= 2 => {
            if sizes.first().is_some_and(|s| literal_string(s).is_some()) {
                return Err(format!(
                    "{} with a format does not run on the embedded engine: remove the format, or clean the text with REPLACE first",
                    name.to_uppercase()
                ));
            }
            let size = |i: usize, default: i64| match sizes.get(i) {
                None => Ok(default),
                Some(e) => literal_integer(e).ok_or_else(|| {
                    format!("{}: precision and scale must be whole numbers", name.to_uppercase())
                }),
            };
            let (precision, scale) = (size(0, 38)?, size(1, 0)?);
            if !(1..=38).contains(&precision) || !(0..precision).contains(&scale) {
                return Err(format!(
                    "{}: the precision must be 1 to 38 and the scale 0 to the precision minus 1",
                    name.to_uppercase()
                ));
            }
            let (precision, scale) = (precision.unsigned_abs(), scale);
            cast(x.clone(), DataType::Decimal(ExactNumberInfo::PrecisionAndScale(precision, scale)))
        }
        ("dateadd" | "timestampadd", [part, n, x]) => {
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
            binary(x.clone(), BinaryOperator::Plus, parse_expr(&format!("INTERVAL '{total} {unit}'"))?)
        }
        ("datediff" | "timestampdiff", [part, a, b]) => {
            let part =
                date_part(part).ok_or("DATEDIFF needs a date part such as day, week, month or year")?;
            let (a, b) = (nested(a.clone()), nested(b.clone()));
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
        // Parts as Snowflake names them: DATE_PART(dayofweek, x), DATE_TRUNC('MONTH', x).
        ("date_trunc" | "date_part", [part, x]) => {
            let Some(mapped) = date_part(part) else {
                if matches!(part, Expr::Identifier(_)) {
                    return Err(format!("{} needs a date part", name.to_uppercase()));
                }
                return Ok(None);
            };
            call(&name, vec![string(&mapped), x.clone()])
        }
        _ => return Ok(None),
    };
    Ok(Some(replacement))
}

/// `MEDIAN(x)` over doubles: DataFusion averages the two middle values in the input's own type, so the
/// median of 1, 2, 3, 4 would be the integer 2 (Snowflake: 2.5) and a decimal's extra digit would be cut.
/// The argument is converted, and every clause (DISTINCT, OVER, FILTER) kept.
fn median(f: &Function) -> Option<Expr> {
    let FunctionArguments::List(list) = &f.args else { return None };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(x))] = list.args.as_slice() else { return None };
    if matches!(x, Expr::Cast { data_type: DataType::Double(_), .. }) {
        return None;
    }
    let mut converted = f.clone();
    if let FunctionArguments::List(list) = &mut converted.args {
        list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(cast(
            x.clone(),
            DataType::Double(ExactNumberInfo::None),
        )))];
    }
    Some(Expr::Function(converted))
}

/// `LISTAGG([DISTINCT] x [, delimiter]) [WITHIN GROUP (ORDER BY …)] [OVER (…)]` as DataFusion's
/// `string_agg([DISTINCT] x, delimiter ORDER BY …)`. Snowflake's default delimiter is the empty string.
fn listagg(f: &Function) -> Result<Expr, String> {
    let FunctionArguments::List(list) = &f.args else {
        return Err("LISTAGG needs an expression to aggregate".into());
    };
    let mut args = list.args.clone();
    if args.len() == 1 {
        args.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(string(""))));
    }
    if args.len() != 2 {
        return Err("LISTAGG takes an expression and, optionally, a delimiter".into());
    }
    let mut clauses = list.clauses.clone();
    if !f.within_group.is_empty() {
        clauses.push(FunctionArgumentClause::OrderBy(f.within_group.clone()));
    }
    Ok(Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("string_agg")]),
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: list.duplicate_treatment,
            args,
            clauses,
        }),
        within_group: vec![],
        ..f.clone()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(sql: &str) -> Result<String, String> {
        let mut statement = Parser::parse_sql(&sqlparser::dialect::SnowflakeDialect {}, sql)
            .map_err(|e| e.to_string())?
            .remove(0);
        to_datafusion(&mut statement)?;
        Ok(statement.to_string())
    }

    #[test]
    fn rewrites_print_as_sql_that_reads_back_the_same() {
        for sql in [
            "SELECT DECODE(a + 1, 1, 'one', NULL, 'none', 'other') FROM t",
            "SELECT DIV0(a - b, c + d), MOD(a, 2) * 3 FROM t",
            "SELECT DATEADD(day, 1, LAST_DAY(d)), DATEDIFF(day, d + INTERVAL '1 day', e) FROM t",
            "SELECT POSITION('b', s, 2), COUNT_IF(a > 1 OR b < 2) FROM t",
        ] {
            let once = translated(sql).unwrap();
            // GenericDialect reads `substr(…)` as SQL's SUBSTRING syntax, which prints in capitals.
            let mut again = Parser::parse_sql(&GenericDialect {}, &once).unwrap().remove(0);
            assert!(again.to_string().eq_ignore_ascii_case(&once), "{sql}: {again} ≠ {once}");
            // Nothing left to translate: a second pass changes nothing.
            to_datafusion(&mut again).unwrap();
            assert!(again.to_string().eq_ignore_ascii_case(&once), "{sql}");
        }
    }

    #[test]
    fn constructs_datafusion_cannot_plan_are_refused_in_words() {
        for sql in [
            "SELECT v:field FROM t",
            "SELECT a COLLATE 'en' FROM t",
            "SELECT a FROM t WHERE a = ALL (SELECT 1)",
        ] {
            let e = translated(sql).unwrap_err();
            assert!(e.starts_with("the embedded engine cannot run"), "{sql}: {e}");
        }
    }

    #[test]
    fn syntax_trees_are_cut_out_of_engine_messages() {
        let dump = "Unsupported ast node in sqltorel: Named { expr: Identifier(Ident { value: \"a\", quote_style: None, span: Span(Location(1,8)..Location(1,9)) }) }";
        assert_eq!(
            without_syntax_tree(dump),
            "this query uses a construct the embedded engine does not support"
        );
        assert_eq!(without_syntax_tree("Invalid function 'foo'"), "Invalid function 'foo'");
        let join = "Unsupported JOIN operator AsOf { match_condition: Identifier(Ident { value: \"a\", span: Span(Location(1,1)..Location(1,2)) }) }";
        assert_eq!(
            without_syntax_tree(join),
            "Unsupported JOIN operator: a construct the embedded engine does not support"
        );
    }
}
