//! `agg(x) FILTER (WHERE c)` → `agg(CASE WHEN c THEN x END)`, and `COUNT(*) FILTER (WHERE c)` →
//! `COUNT(CASE WHEN c THEN 1 END)`.
//!
//! Analysts write FILTER, DataFusion reads it, Snowflake does not: the rewrite is what lets the same query
//! run on both. It keeps the meaning only for aggregates that skip NULL inputs and give the same result
//! for "no rows" as for "only NULLs" (COUNT 0, the others NULL): rows the condition rejects then become
//! NULLs the aggregate skips. FILTER on anything else (ARRAY_AGG keeps NULLs on DataFusion, FIRST_VALUE and
//! ANY_VALUE may return one, scalar functions have no rows to filter) is refused rather than run with
//! another meaning. `DISTINCT`, `WITHIN GROUP` and `OVER` are kept: over a window frame the same argument
//! holds row by row.

use crate::rejection::{Rejection, excerpt};
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    CaseWhen, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectNamePart, Value,
};

/// Which inputs of an aggregate carry the rows' values, and so take the condition.
#[derive(Clone, Copy)]
enum Inputs {
    /// Every argument (`COUNT(a, b)` skips a row when any is NULL, `CORR(y, x)` likewise).
    All,
    /// The first argument; the others are settings (`LISTAGG(x, ', ')`, `APPROX_PERCENTILE(x, 0.9)`).
    First,
    /// The `WITHIN GROUP (ORDER BY x)` expression (`PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x)`).
    WithinGroup,
}

/// Aggregates of the allow-list that skip NULL inputs, lower case, sorted (a test keeps it sorted).
const NULL_SKIPPING: &[(&str, Inputs)] = &[
    ("approx_count_distinct", Inputs::All),
    ("approx_percentile", Inputs::First),
    ("avg", Inputs::All),
    ("bool_and", Inputs::All),
    ("bool_or", Inputs::All),
    ("corr", Inputs::All),
    ("count", Inputs::All),
    ("count_if", Inputs::All),
    ("covar_pop", Inputs::All),
    ("covar_samp", Inputs::All),
    ("listagg", Inputs::First),
    ("max", Inputs::All),
    ("median", Inputs::All),
    ("min", Inputs::All),
    ("percentile_cont", Inputs::WithinGroup),
    ("stddev", Inputs::All),
    ("stddev_pop", Inputs::All),
    ("stddev_samp", Inputs::All),
    ("string_agg", Inputs::First),
    ("sum", Inputs::All),
    ("var_pop", Inputs::All),
    ("var_samp", Inputs::All),
    ("variance", Inputs::All),
];

/// Moves a FILTER condition into the aggregate's inputs, or refuses the call when that would change what
/// it computes. Calls without FILTER are left alone.
pub(crate) fn rewrite(function: &mut Function) -> Result<(), Rejection> {
    let Some(condition) = function.filter.take() else { return Ok(()) };
    let name = match function.name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => ident.value.to_ascii_lowercase(),
        _ => String::new(),
    };
    let shown = excerpt(&function.name.to_string().to_ascii_uppercase());
    let inputs = NULL_SKIPPING
        .binary_search_by(|(known, _)| known.cmp(&name.as_str()))
        .ok()
        .map(|i| NULL_SKIPPING[i].1);
    let Some(inputs) = inputs else {
        return Err(Rejection::new(format!(
            "FILTER (WHERE …) is only supported on aggregates that skip NULLs, such as COUNT, SUM, AVG, MIN \
             and MAX (found it on {shown}): filter the rows in WHERE or in a subquery instead"
        )));
    };
    let unsupported = || {
        Rejection::new(format!(
            "FILTER (WHERE …) on this form of {shown} is not supported: write {shown}(CASE WHEN <condition> \
             THEN <value> END) instead"
        ))
    };
    match inputs {
        Inputs::WithinGroup => match function.within_group.as_mut_slice() {
            [order] => guard_value(&mut order.expr, &condition),
            _ => return Err(unsupported()),
        },
        Inputs::All | Inputs::First => {
            let FunctionArguments::List(list) = &mut function.args else { return Err(unsupported()) };
            if list.args.is_empty() {
                return Err(unsupported());
            }
            let count = name == "count";
            for (position, arg) in list.args.iter_mut().enumerate() {
                if position > 0 && matches!(inputs, Inputs::First) {
                    break;
                }
                match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(value)) => guard_value(value, &condition),
                    // COUNT(*) counts rows: with the condition, the rows where it holds.
                    FunctionArg::Unnamed(wildcard @ FunctionArgExpr::Wildcard) if count => {
                        *wildcard = FunctionArgExpr::Expr(when(
                            &condition,
                            Expr::value(Value::Number("1".into(), false)),
                        ));
                    }
                    _ => return Err(unsupported()),
                }
            }
        }
    }
    Ok(())
}

/// `value` → `CASE WHEN <condition> THEN value END`.
fn guard_value(value: &mut Expr, condition: &Expr) {
    let taken = std::mem::replace(value, Expr::value(Value::Null));
    *value = when(condition, taken);
}

fn when(condition: &Expr, value: Expr) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: vec![CaseWhen { condition: condition.clone(), result: value }],
        else_result: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_lower_case() {
        assert!(NULL_SKIPPING.windows(2).all(|w| w[0].0 < w[1].0), "NULL_SKIPPING must stay sorted");
        assert!(NULL_SKIPPING.iter().all(|(n, _)| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    }
}
