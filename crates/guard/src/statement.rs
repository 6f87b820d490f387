//! From text to one read-only query: size limits, parsing with the Snowflake dialect (plus aggregate
//! FILTER, see [`GuardDialect`]), and refusing every statement that is not a query. Comments vanish here:
//! the parser drops them, so nothing hidden in a comment can reach the engine.

use crate::dialect::GuardDialect;
use crate::rejection::{Rejection, excerpt};
use sqlparser::ast::{Query, Statement};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

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
    let dialect = GuardDialect::for_sql(sql);
    let mut statements = match Parser::parse_sql(&dialect, sql) {
        Ok(statements) => statements,
        Err(ParserError::RecursionLimitExceeded) => {
            return Err(Rejection::new(
                "the query nests parentheses, function calls or subqueries too deeply to be checked (the \
                 parser stops at 50 levels)",
            ));
        }
        Err(error) => return Err(explain_parse_failure(&dialect, sql, &error)),
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
fn explain_parse_failure(dialect: &GuardDialect, sql: &str, error: &ParserError) -> Rejection {
    let Ok(spanned) = Tokenizer::new(dialect, sql).tokenize_with_location() else {
        return Rejection::new(format!("the SQL could not be parsed: {}", describe(error, &[])));
    };
    let tokens: Vec<Token> = spanned.iter().map(|t| t.token.clone()).collect();
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
    Rejection::new(format!("the SQL could not be parsed: {}", describe(error, &spanned)))
}

/// The parser's complaint in words. sqlparser prints some tokens with their Rust debug form (`No infix
/// parser for token Word(Word { value: … })`), which says nothing to an analyst; those are replaced by the
/// SQL text of the token at the error's position. User text in the reason is shortened.
fn describe(error: &ParserError, tokens: &[TokenWithSpan]) -> String {
    let message = match error {
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => message.as_str(),
        ParserError::RecursionLimitExceeded => return "it nests too deeply".to_string(),
    };
    // The position is printed last, as " at Line: L, Column: C".
    let (message, position) = match message.rsplit_once(" at Line: ") {
        Some((message, rest)) => {
            let position = rest.split_once(", Column: ").and_then(|(line, column)| {
                Some((line.trim().parse::<u64>().ok()?, column.trim().parse::<u64>().ok()?))
            });
            (message, position)
        }
        None => (message, None),
    };
    let at = position.map(|(line, column)| format!(" (line {line}, column {column})")).unwrap_or_default();
    let token = position.and_then(|(line, column)| {
        tokens.iter().find(|t| t.span.start.line == line && t.span.start.column == column)
    });
    let shown = |token: &Token| match token {
        Token::EOF => "the end of the query".to_string(),
        other => format!("`{}`", excerpt(&other.to_string())),
    };
    if let Some((expected, found)) =
        message.strip_prefix("Expected: ").and_then(|rest| rest.rsplit_once(", found: "))
    {
        let found = match token {
            Some(token) => shown(&token.token),
            None if found == "EOF" => "the end of the query".to_string(),
            None => format!("`{}`", excerpt(found)),
        };
        let expected =
            if looks_like_debug(expected) { "something else".to_string() } else { excerpt(expected) };
        return format!("expected {expected} but found {found}{at}");
    }
    if message.starts_with("No infix parser for token") || message.starts_with("Unexpected token") {
        return match token {
            Some(token) => format!("{} cannot be used here{at}", shown(&token.token)),
            None => format!("an operator cannot be used here{at}"),
        };
    }
    if looks_like_debug(message) {
        return match token {
            Some(token) => format!("unexpected {}{at}", shown(&token.token)),
            None => format!("unexpected input{at}"),
        };
    }
    format!("{}{at}", excerpt(&sentence_case(message)))
}

/// `Unterminated string literal` → `unterminated string literal`, to read as the rest of a sentence.
/// Words in capitals (`SELECT`) keep them.
fn sentence_case(message: &str) -> String {
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_ascii_uppercase() && second.is_ascii_lowercase() => {
            format!("{}{}", first.to_ascii_lowercase(), &message[1..])
        }
        _ => message.to_string(),
    }
}

/// Rust debug output of sqlparser's types, never meant for a reader.
fn looks_like_debug(text: &str) -> bool {
    const MARKERS: &[&str] = &["{ ", "Span(", "Location(", "Word(", "Ident", "ValueWithSpan", "Token"];
    MARKERS.iter().any(|marker| text.contains(marker))
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
    fn parse_errors_are_told_in_words_with_their_position() {
        assert_eq!(
            reason("SELECT a DIV b FROM t"),
            "the SQL could not be parsed: `DIV` cannot be used here (line 1, column 10)"
        );
        assert_eq!(
            reason("SELECT 1 +"),
            "the SQL could not be parsed: expected an expression but found the end of the query"
        );
        assert_eq!(
            reason("SELECT a FROM t WHERE a IN 'x'"),
            "the SQL could not be parsed: expected ( but found `'x'` (line 1, column 28)"
        );
        assert!(reason("SELECT 1 ! 2").contains("`!` cannot be used here"));
        assert_eq!(
            reason("SELECT 'open"),
            "the SQL could not be parsed: unterminated string literal (line 1, column 8)"
        );
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
