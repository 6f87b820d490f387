//! Which functions a query may call. The list is an allow-list on purpose: engines keep adding functions
//! that read files, call models, reveal the session or run other queries (`read_parquet`,
//! `snowflake.cortex.complete`, `current_user`, `RESULT_SCAN`), and a deny-list would always be one behind.

use crate::rejection::{Rejection, excerpt};
use sqlparser::ast::{Function, Ident, ObjectNamePart};

/// Lower-case names, sorted so lookups can binary-search (a test keeps it sorted).
const ALLOWED: &[&str] = &[
    "abs",
    "any_value",
    "approx_count_distinct",
    "approx_percentile",
    "array_agg",
    "avg",
    "bool_and",
    "bool_or",
    "ceil",
    "ceiling",
    "char_length",
    "coalesce",
    "concat",
    "contains",
    "corr",
    "count",
    "count_if",
    "covar_pop",
    "covar_samp",
    "cume_dist",
    "current_date",
    "current_timestamp",
    "date",
    "date_part",
    "date_trunc",
    "dateadd",
    "datediff",
    "day",
    "dayofweek",
    "dayofyear",
    "decode",
    "dense_rank",
    "div0",
    "ends_with",
    "endswith",
    "exp",
    "first_value",
    "floor",
    "greatest",
    "grouping",
    "hour",
    "iff",
    "ifnull",
    "initcap",
    "lag",
    "last_day",
    "last_value",
    "lead",
    "least",
    "left",
    "len",
    "length",
    "listagg",
    "ln",
    "log",
    "log10",
    "lower",
    "lpad",
    "ltrim",
    "max",
    "median",
    "min",
    "minute",
    "mod",
    "month",
    "now",
    "nth_value",
    "ntile",
    "nullif",
    "nullifzero",
    "nvl",
    "nvl2",
    "percent_rank",
    "percentile_cont",
    "position",
    "pow",
    "power",
    "quarter",
    "rank",
    "regexp_like",
    "regexp_replace",
    "replace",
    "right",
    "round",
    "row_number",
    "rpad",
    "rtrim",
    "sign",
    "split_part",
    "sqrt",
    "starts_with",
    "startswith",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "strpos",
    "substr",
    "substring",
    "sum",
    "to_char",
    "to_date",
    "to_number",
    "to_timestamp",
    "to_varchar",
    "trim",
    "trunc",
    "upper",
    "var_pop",
    "var_samp",
    "variance",
    "week",
    "year",
    "zeroifnull",
];

/// The allow-list itself, for engines that must prove they run every function on it.
pub fn allowed_functions() -> &'static [&'static str] {
    ALLOWED
}

/// Refuses a call unless its (unqualified) name is on the allow-list.
pub(crate) fn check_call(function: &Function) -> Result<(), Rejection> {
    let name = match function.name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => ident,
        _ => {
            return Err(Rejection::new(format!(
                "function {} is not allowed: only built-in functions can be called, without a schema",
                excerpt(&function.name.to_string())
            )));
        }
    };
    if is_allowed(&name.value) {
        Ok(())
    } else {
        Err(Rejection::new(format!("function {} is not allowed", excerpt(&name.value))))
    }
}

fn is_allowed(name: &str) -> bool {
    name.len() <= 32 && ALLOWED.binary_search(&name.to_ascii_lowercase().as_str()).is_ok()
}

/// Engines read some bare words as session functions: `SELECT current_user` names the user, not a
/// column. sqlparser keeps them as identifiers, so they are refused here unless they are the clock.
pub(crate) fn check_bare_identifier(ident: &Ident) -> Result<(), Rejection> {
    if ident.quote_style.is_some() {
        return Ok(());
    }
    let word = ident.value.to_ascii_lowercase();
    let clock = matches!(
        word.as_str(),
        "current_date" | "current_time" | "current_timestamp" | "localtime" | "localtimestamp"
    );
    let session = word.starts_with("current_")
        || matches!(word.as_str(), "user" | "session_user" | "system_user" | "last_query_id");
    if session && !clock {
        return Err(Rejection::new(format!(
            "{} is not allowed: queries cannot read session or account information",
            excerpt(&ident.value)
        )));
    }
    Ok(())
}

/// `seq.NEXTVAL` reads like a column but advances a sequence (Snowflake, Oracle).
pub(crate) fn check_compound_identifier(parts: &[Ident]) -> Result<(), Rejection> {
    match parts.last() {
        Some(last)
            if last.quote_style.is_none()
                && (last.value.eq_ignore_ascii_case("nextval")
                    || last.value.eq_ignore_ascii_case("currval")) =>
        {
            Err(Rejection::new("sequences (NEXTVAL, CURRVAL) cannot be used in queries"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_is_sorted_lower_case_and_unique() {
        assert!(ALLOWED.windows(2).all(|w| w[0] < w[1]), "ALLOWED must stay sorted and unique");
        assert!(
            ALLOWED
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        );
    }

    #[test]
    fn lookups_ignore_case() {
        assert!(is_allowed("DATE_TRUNC"));
        assert!(is_allowed("Count"));
        assert!(!is_allowed("read_parquet"));
        assert!(!is_allowed("md5"));
        assert!(!is_allowed("random"));
    }
}
