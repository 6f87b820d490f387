//! From the checked tree back to text, and the proof that the text says what was checked.

use crate::rejection::Rejection;
use crate::statement;
use sqlparser::ast::Query;

/// Renders `query`, refusing characters engines read differently. The proof that the text parses back
/// into `query` is [`check_round_trip`], run by [`crate::Guarded::proven_sql`] for engines that read text.
pub(crate) fn render(query: &Query) -> Result<String, Rejection> {
    let sql = query.to_string();
    check_characters(&sql)?;
    Ok(sql)
}

/// An engine that runs the text, not the tree, must get text that says exactly what was checked: it is
/// parsed again and compared. Any rendering ambiguity (a token that fuses with its neighbour into a
/// comment, a construct printed differently than it parses) becomes a refusal instead of a different query.
pub(crate) fn check_round_trip(sql: &str, checked: &Query) -> Result<(), Rejection> {
    match statement::parse_single_query(sql) {
        Ok(reparsed) if reparsed == *checked => Ok(()),
        _ => Err(Rejection::new("the query cannot be rewritten unambiguously: simplify the expression")),
    }
}

/// sqlparser reads `\'` inside a Snowflake string as an escape but renders a backslash as is, so a value
/// holding a backslash would come out as different SQL from the one checked (Snowflake would see the
/// string end elsewhere). Engines also disagree on what a backslash means; refusing it is the only
/// rendering every engine reads the same way. NUL is refused for engines that stop reading at it.
fn check_characters(sql: &str) -> Result<(), Rejection> {
    if sql.contains(['\\', '\0']) {
        return Err(Rejection::new(
            "backslashes and NUL characters are not supported in strings or names (engines read them differently)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backslash_never_reaches_the_output() {
        let query = statement::parse_query("SELECT 'a\\\\' AS x").unwrap_or_else(|r| panic!("{r}"));
        assert!(render(&query).is_err_and(|r| r.reason.contains("backslash")));
    }

    #[test]
    fn a_tree_that_renders_into_a_comment_is_refused() {
        // `- -1` parses as two unary minuses but renders as `--1`, a comment.
        let query = statement::parse_query("SELECT - -1 AS x").unwrap_or_else(|r| panic!("{r}"));
        let sql = render(&query).unwrap_or_else(|r| panic!("{r}"));
        assert!(check_round_trip(&sql, &query).is_err_and(|r| r.reason.contains("unambiguously")));
    }
}
