//! The SQL the guard reads: Snowflake's dialect, plus the aggregate `FILTER (WHERE …)` clause.
//!
//! Analysts write `COUNT(*) FILTER (WHERE …)` (standard SQL, and what DataFusion and Postgres read), but
//! sqlparser's Snowflake dialect refuses it because Snowflake has none. The guard reads it here and
//! rewrites it into `CASE` (see `filter_clause`), so no engine ever receives it.
//!
//! Reading FILTER has a cost: after a function call the word `filter` is then taken as the clause, so
//! `SELECT COUNT(*) filter FROM t` (an alias without AS) would lose its alias. The clause is therefore only
//! read when the text has `filter` followed by `(`, where the alias reading was a syntax error anyway.
//!
//! sqlparser picks Snowflake behaviour in two ways: through the dialect's methods and through the dialect's
//! type id (`dialect_of!`). The wrapper reports Snowflake's type id and forwards every method the Snowflake
//! dialect overrides, so it reads everything exactly as Snowflake's dialect does (a test compares both on
//! Snowflake-specific syntax). A sqlparser upgrade that lets Snowflake override another method needs one
//! more forwarding line here.

use sqlparser::ast::{ColumnOption, Ident, ObjectNamePart, Statement};
use sqlparser::dialect::{Dialect, SnowflakeDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use std::any::TypeId;

/// Snowflake's dialect, with `FILTER (WHERE …)` after aggregate calls when `filter` is set.
#[derive(Debug)]
pub(crate) struct GuardDialect {
    snowflake: SnowflakeDialect,
    filter: bool,
}

impl GuardDialect {
    /// The dialect to read `sql` with: FILTER clauses are read only if the text may hold one.
    pub(crate) fn for_sql(sql: &str) -> Self {
        GuardDialect { snowflake: SnowflakeDialect {}, filter: may_hold_filter_clause(sql.as_bytes()) }
    }
}

/// Whether `filter` (any case) followed by optional whitespace and `(` occurs in the text.
fn may_hold_filter_clause(text: &[u8]) -> bool {
    const WORD: &[u8] = b"filter";
    text.windows(WORD.len()).enumerate().any(|(at, window)| {
        window.eq_ignore_ascii_case(WORD)
            && text[at + WORD.len()..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'(')
    })
}

impl Dialect for GuardDialect {
    fn dialect(&self) -> TypeId {
        self.snowflake.dialect()
    }

    /// The one difference from Snowflake's dialect.
    fn supports_filter_during_aggregation(&self) -> bool {
        self.filter
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        self.snowflake.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.snowflake.is_identifier_part(ch)
    }
    fn supports_projection_trailing_commas(&self) -> bool {
        self.snowflake.supports_projection_trailing_commas()
    }
    fn supports_from_trailing_commas(&self) -> bool {
        self.snowflake.supports_from_trailing_commas()
    }
    fn supports_object_name_double_dot_notation(&self) -> bool {
        self.snowflake.supports_object_name_double_dot_notation()
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        self.snowflake.supports_string_literal_backslash_escape()
    }
    fn supports_within_after_array_aggregation(&self) -> bool {
        self.snowflake.supports_within_after_array_aggregation()
    }
    fn supports_outer_join_operator(&self) -> bool {
        self.snowflake.supports_outer_join_operator()
    }
    fn supports_connect_by(&self) -> bool {
        self.snowflake.supports_connect_by()
    }
    fn supports_execute_immediate(&self) -> bool {
        self.snowflake.supports_execute_immediate()
    }
    fn supports_match_recognize(&self) -> bool {
        self.snowflake.supports_match_recognize()
    }
    fn supports_dictionary_syntax(&self) -> bool {
        self.snowflake.supports_dictionary_syntax()
    }
    fn supports_window_function_null_treatment_arg(&self) -> bool {
        self.snowflake.supports_window_function_null_treatment_arg()
    }
    fn supports_parenthesized_set_variables(&self) -> bool {
        self.snowflake.supports_parenthesized_set_variables()
    }
    fn supports_comment_on(&self) -> bool {
        self.snowflake.supports_comment_on()
    }
    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        self.snowflake.parse_statement(parser)
    }
    fn parse_column_option(
        &self,
        parser: &mut Parser,
    ) -> Result<Option<Result<Option<ColumnOption>, ParserError>>, ParserError> {
        self.snowflake.parse_column_option(parser)
    }
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        self.snowflake.get_next_precedence(parser)
    }
    fn describe_requires_table_keyword(&self) -> bool {
        self.snowflake.describe_requires_table_keyword()
    }
    fn allow_extract_custom(&self) -> bool {
        self.snowflake.allow_extract_custom()
    }
    fn allow_extract_single_quotes(&self) -> bool {
        self.snowflake.allow_extract_single_quotes()
    }
    fn supports_show_like_before_in(&self) -> bool {
        self.snowflake.supports_show_like_before_in()
    }
    fn supports_left_associative_joins_without_parens(&self) -> bool {
        self.snowflake.supports_left_associative_joins_without_parens()
    }
    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        self.snowflake.is_reserved_for_identifier(kw)
    }
    fn supports_partiql(&self) -> bool {
        self.snowflake.supports_partiql()
    }
    fn is_column_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.snowflake.is_column_alias(kw, parser)
    }
    fn is_table_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.snowflake.is_table_alias(kw, parser)
    }
    fn is_table_factor(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.snowflake.is_table_factor(kw, parser)
    }
    fn supports_timestamp_versioning(&self) -> bool {
        self.snowflake.supports_timestamp_versioning()
    }
    fn supports_group_by_expr(&self) -> bool {
        self.snowflake.supports_group_by_expr()
    }
    fn get_reserved_keywords_for_select_item_operator(&self) -> &[Keyword] {
        self.snowflake.get_reserved_keywords_for_select_item_operator()
    }
    fn supports_space_separated_column_options(&self) -> bool {
        self.snowflake.supports_space_separated_column_options()
    }
    fn supports_comma_separated_drop_column_list(&self) -> bool {
        self.snowflake.supports_comma_separated_drop_column_list()
    }
    fn is_identifier_generating_function_name(&self, ident: &Ident, name_parts: &[ObjectNamePart]) -> bool {
        self.snowflake.is_identifier_generating_function_name(ident, name_parts)
    }
    fn supports_select_expr_star(&self) -> bool {
        self.snowflake.supports_select_expr_star()
    }
    fn supports_select_wildcard_exclude(&self) -> bool {
        self.snowflake.supports_select_wildcard_exclude()
    }
    fn supports_semantic_view_table_factor(&self) -> bool {
        self.snowflake.supports_semantic_view_table_factor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snowflake-specific syntax (and syntax Snowflake's dialect refuses): both dialects must agree.
    const SNOWFLAKE: &[&str] = &[
        "SELECT a:b.c::INT, $1, t.$2 FROM t",
        "SELECT * FROM @stage/path",
        "SELECT * FROM t, LATERAL FLATTEN(input => t.v) f",
        "SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1",
        "SELECT IFF(a > 1, 'x', 'y'), a::VARCHAR, TRY_CAST(a AS INT) FROM t",
        "SELECT * FROM t SAMPLE (10)",
        "SELECT * FROM t AT(TIMESTAMP => '2024-01-01'::TIMESTAMP)",
        "SELECT * FROM t MATCH_RECOGNIZE(ORDER BY a PATTERN (x) DEFINE x AS a > 0)",
        "SELECT * FROM t START WITH a = 1 CONNECT BY PRIOR a = b",
        "SELECT * EXCLUDE (a) FROM t",
        "SELECT * FROM t WHERE a ILIKE ANY ('x%', 'y%')",
        "SELECT 'it\\'s', 'a''b', $$dollar$$",
        "SELECT TOP 5 a FROM t",
        "SELECT a$b, \"Quoted\".x FROM db..t",
        "SELECT a, COUNT(*) FROM t GROUP BY ALL",
        "SELECT LISTAGG(a, ',') WITHIN GROUP (ORDER BY a) FROM t",
        "SELECT {'a': 1}",
        "SELECT a, FROM t,",
        "SELECT * FROM t1 JOIN t2 JOIN t3 ON t2.a = t3.a ON t1.a = t2.a",
        "SELECT a FROM t1 ASOF JOIN t2 MATCH_CONDITION (t1.a >= t2.a)",
        "SELECT DATEADD(day, 1, a), EXTRACT(epoch_second FROM a), DATE_PART('hour', a) FROM t",
        "SELECT * FROM t1, t2 WHERE t1.a = t2.a(+)",
        "SELECT FIRST_VALUE(a IGNORE NULLS) OVER (ORDER BY b) FROM t",
        "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))",
        "SELECT * FROM IDENTIFIER('t')",
        "SELECT * FROM t CHANGES (INFORMATION => DEFAULT) AT (OFFSET => -60)",
        "SELECT a FROM t WHERE a IN (SELECT b FROM u) UNION ALL SELECT 1 MINUS SELECT 2",
        "EXECUTE IMMEDIATE 'SELECT 1'",
        "COPY INTO t FROM @stage",
        "CREATE TABLE t (a INT AUTOINCREMENT, b STRING COLLATE 'en')",
        "SHOW TABLES LIKE 'x%' IN SCHEMA s",
        "DESCRIBE TABLE t",
        "SET (a, b) = (1, 2)",
        "SELECT 1 FROM t WHERE a = 1 GROUP BY CUBE (a, b) HAVING COUNT(*) > 1",
        "SELECT * FROM semantic_view(v DIMENSIONS d)",
        "SELECT COUNT(*) filter FROM t",
    ];

    #[test]
    fn reads_everything_else_as_snowflakes_dialect_does() {
        for sql in SNOWFLAKE {
            let snowflake = Parser::parse_sql(&SnowflakeDialect {}, sql).map_err(|e| e.to_string());
            let ours = Parser::parse_sql(&GuardDialect::for_sql(sql), sql).map_err(|e| e.to_string());
            assert_eq!(ours, snowflake, "{sql}");
            let with_filter = GuardDialect { snowflake: SnowflakeDialect {}, filter: true };
            let ours = Parser::parse_sql(&with_filter, sql).map_err(|e| e.to_string());
            if sql.contains(" filter ") {
                // With FILTER read, an alias spelled `filter` after a call without AS would be lost.
                assert_ne!(ours, snowflake, "{sql}");
            } else {
                assert_eq!(ours, snowflake, "{sql}");
            }
        }
    }

    #[test]
    fn reads_filter_only_where_the_text_may_hold_one() {
        assert!(may_hold_filter_clause(b"COUNT(*) FILTER (WHERE a)"));
        assert!(may_hold_filter_clause(b"count(*) filter(where a)"));
        assert!(may_hold_filter_clause(b"SUM(a) Filter\n  (WHERE a)"));
        assert!(!may_hold_filter_clause(b"SELECT COUNT(*) filter FROM t"));
        assert!(!may_hold_filter_clause(b"SELECT filtered FROM t"));
        assert!(!may_hold_filter_clause(b"SELECT 1 AS filter"));
    }

    #[test]
    fn reads_filter_after_an_aggregate() {
        let sql = "SELECT COUNT(*) FILTER (WHERE a > 1), SUM(b) FILTER (WHERE c) AS filter FROM t";
        assert!(Parser::parse_sql(&SnowflakeDialect {}, sql).is_err());
        let statements =
            Parser::parse_sql(&GuardDialect::for_sql(sql), sql).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].to_string(), sql);
    }
}
