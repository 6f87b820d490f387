//! From text to one read-only query: size limits, parsing with the Snowflake dialect, and refusing every
//! statement that is not a query. Comments vanish here: the parser drops them, so nothing hidden in a
//! comment can reach the engine.

use crate::rejection::{Rejection, excerpt};
use sqlparser::ast::{Query, Statement};
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

/// Larger inputs are refused before parsing: no analytics query is that long, and parse cost grows with it.
pub(crate) const MAX_SQL_BYTES: usize = 100 * 1024;

/// Refuses oversized input before any other work.
pub(crate) fn check_size(sql: &str) -> Result<(), Rejection> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(Rejection::new(format!(
            "the query is too long ({} bytes; at most {MAX_SQL_BYTES} are accepted)",
            sql.len()
        )));
    }
    Ok(())
}

/// Parses `sql` into its single query, or says why it is not one.
pub(crate) fn parse_query(sql: &str) -> Result<Query, Rejection> {
    check_size(sql)?;
    parse_single_query(sql)
}

/// [`parse_query`] without the size limit, for text the guard rendered itself.
pub(crate) fn parse_single_query(sql: &str) -> Result<Query, Rejection> {
    if sql.trim().is_empty() {
        return Err(Rejection::new("the query is empty"));
    }
    let mut statements = match Parser::parse_sql(&SnowflakeDialect {}, sql) {
        Ok(statements) => statements,
        Err(ParserError::RecursionLimitExceeded) => {
            return Err(Rejection::new("the query nests too deeply to be checked"));
        }
        Err(error) => return Err(explain_parse_failure(sql, &error.to_string())),
    };
    match statements.len() {
        0 => return Err(Rejection::new("the query is empty (it holds only comments)")),
        1 => {}
        n => {
            return Err(Rejection::new(format!(
                "only one statement is allowed (found {n}, separated by semicolons)"
            )));
        }
    }
    match statements.pop() {
        Some(Statement::Query(query)) => Ok(*query),
        Some(other) => Err(not_a_query(&keyword_of(&other))),
        None => Err(Rejection::new("the query is empty")),
    }
}

pub(crate) fn not_a_query(found: &str) -> Rejection {
    Rejection::new(format!("only SELECT queries are allowed (found {found})"))
}

/// The leading keyword of a statement (`DELETE`, `CREATE`, `COPY`…), for the reason.
pub(crate) fn keyword_of(statement: &Statement) -> String {
    let rendered = statement.to_string();
    let word = rendered.split_whitespace().next().unwrap_or("");
    excerpt(&word.to_ascii_uppercase())
}

/// Many statements the guard refuses are not even Snowflake syntax (`PRAGMA`, `INSTALL`, `EXPORT
/// DATABASE`…) or hide behind a first query (`SELECT 1; ATTACH …`). Their parse error would confuse the
/// reader, so the reason names what was found instead.
fn explain_parse_failure(sql: &str, parser_error: &str) -> Rejection {
    let Ok(tokens) = Tokenizer::new(&SnowflakeDialect {}, sql).tokenize() else {
        return Rejection::new(format!("the SQL could not be parsed: {}", excerpt(parser_error)));
    };
    let mut meaningful = tokens.iter().filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF));
    if let Some(Token::Word(word)) = meaningful.next() {
        let word = word.value.to_ascii_uppercase();
        if !matches!(word.as_str(), "SELECT" | "WITH" | "VALUES" | "FROM") {
            return not_a_query(&excerpt(&word));
        }
    }
    if tokens.iter().any(|t| matches!(t, Token::AtSign)) {
        return Rejection::new("stages and variables (@…) are not allowed: only marts tables can be queried");
    }
    let mut statements = 1;
    let mut after_semicolon = false;
    for token in &tokens {
        match token {
            Token::SemiColon => after_semicolon = true,
            Token::Whitespace(_) | Token::EOF => {}
            _ if after_semicolon => {
                statements += 1;
                after_semicolon = false;
            }
            _ => {}
        }
    }
    if statements > 1 {
        return Rejection::new(format!(
            "only one statement is allowed (found {statements}, separated by semicolons)"
        ));
    }
    Rejection::new(format!("the SQL could not be parsed: {}", excerpt(parser_error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(sql: &str) -> String {
        parse_query(sql).err().map(|r| r.reason).unwrap_or_default()
    }

    #[test]
    fn names_the_statement_it_refuses() {
        assert_eq!(
            reason("DELETE FROM marts.dim_contacts"),
            "only SELECT queries are allowed (found DELETE)"
        );
        assert!(reason("PRAGMA table_info(x)").contains("found PRAGMA"));
        assert!(reason("INSTALL httpfs").contains("found INSTALL"));
        assert!(reason("SELECT 1; INSTALL httpfs").contains("only one statement"));
        assert!(reason("SELECT 1; SELECT 2").contains("found 2"));
        assert!(reason("SELECT $1 FROM @stage/path").contains("stages"));
    }

    #[test]
    fn empty_and_comment_only_inputs_are_refused() {
        assert!(reason("").contains("empty"));
        assert!(reason("  \n ").contains("empty"));
        assert!(reason("-- nothing").contains("only comments"));
        assert!(reason("/* SELECT 1 */").contains("only comments"));
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let sql = format!("SELECT 1 {}", " ".repeat(MAX_SQL_BYTES));
        assert!(reason(&sql).contains("too long"));
    }

    #[test]
    fn a_trailing_semicolon_is_one_statement() {
        assert!(parse_query("SELECT 1;").is_ok());
    }
}
