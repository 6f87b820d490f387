//! Bounds on the shape of a query, checked on the raw text before parsing.
//!
//! sqlparser builds operator chains (`a + b + c …`, `x OR y OR …`, `UNION ALL …`) iteratively into trees
//! as deep as the chain is long, and walking, rendering or dropping such a tree recurses once per level.
//! A 100 KB chain would overflow any thread's stack and abort the process, so the number of operators is
//! capped here; recursion the parser does itself is capped by its own limit, and [`crate::guard`] runs on
//! a stack sized for both.

use crate::rejection::Rejection;

/// Far above any analytics query (a dense 100-line query has a few hundred), far below what a stack
/// holds.
pub(crate) const MAX_OPERATORS: usize = 2_000;

/// Parentheses (function calls, casts, subqueries) nested deeper than this are refused before parsing.
/// Near its recursion limit (50) sqlparser backtracks at every level and takes exponential time: 40
/// nested `CAST(… AS VARCHAR)` parse in 12 ms, 49 ran for minutes on one core. Analytics SQL nests a
/// handful of levels.
pub(crate) const MAX_NESTING: usize = 32;

/// Words that join two expressions or two queries, each a level of the tree.
const OPERATOR_WORDS: &[&str] = &[
    "and",
    "at",
    "between",
    "collate",
    "div",
    "except",
    "ilike",
    "in",
    "intersect",
    "is",
    "like",
    "minus",
    "not",
    "or",
    "overlaps",
    "regexp",
    "rlike",
    "similar",
    "union",
    "xor",
];

/// Refuses text nested deeper than the parser can take, or with more operators than a stack can safely
/// hold as a tree.
pub(crate) fn check(sql: &str) -> Result<(), Rejection> {
    let shape = measure(sql.as_bytes());
    if shape.nesting > MAX_NESTING {
        return Err(Rejection::new(format!(
            "the query nests parentheses {} deep; at most {MAX_NESTING} levels are accepted",
            shape.nesting
        )));
    }
    if shape.operators > MAX_OPERATORS {
        return Err(Rejection::new(format!(
            "the query is too complex ({} operators; at most {MAX_OPERATORS} are accepted)",
            shape.operators
        )));
    }
    Ok(())
}

/// What the text pre-check reads, outside strings, quoted names and comments.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    /// Operator symbols and words. Multi-character symbols count once per character: this is an upper
    /// bound, not a tokenizer.
    operators: usize,
    /// The deepest nesting of parentheses.
    nesting: usize,
}

fn measure(text: &[u8]) -> Shape {
    let mut shape = Shape::default();
    let (mut depth, mut i) = (0usize, 0);
    while i < text.len() {
        let c = text[i];
        let next = text.get(i + 1).copied();
        i = match c {
            b'\'' => skip_string(text, i + 1, b'\'', true),
            b'"' | b'`' => skip_string(text, i + 1, c, false),
            b'-' if next == Some(b'-') => skip_past(text, i + 2, b"\n"),
            b'/' if next == Some(b'*') => skip_past(text, i + 2, b"*/"),
            b'$' if next == Some(b'$') => skip_past(text, i + 2, b"$$"),
            b'(' => {
                depth += 1;
                shape.nesting = shape.nesting.max(depth);
                i + 1
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&' | b'<' | b'>' | b'=' | b'!' | b'^' | b'~'
            | b':' | b'[' | b'#' | b'?' | b'@' => {
                shape.operators += 1;
                i + 1
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                let mut end = i;
                while end < text.len()
                    && (text[end].is_ascii_alphanumeric() || matches!(text[end], b'_' | b'$'))
                {
                    end += 1;
                }
                let word = &text[start..end];
                if word.len() <= 9 && OPERATOR_WORDS.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(word)) {
                    shape.operators += 1;
                }
                end
            }
            _ => i + 1,
        };
    }
    shape
}

/// The index after the closing `quote` (a doubled quote stays inside; so does an escaped one when
/// `backslash` escapes, as in Snowflake strings).
fn skip_string(text: &[u8], mut i: usize, quote: u8, backslash: bool) -> usize {
    while i < text.len() {
        match text[i] {
            b'\\' if backslash => i += 2,
            c if c == quote => {
                if text.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    text.len()
}

/// The index after the next `end`, or the end of the text.
fn skip_past(text: &[u8], from: usize, end: &[u8]) -> usize {
    text.get(from..)
        .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
        .map_or(text.len(), |at| from + at + end.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_operators(text: &[u8]) -> usize {
        measure(text).operators
    }

    fn nesting(text: &[u8]) -> usize {
        measure(text).nesting
    }

    #[test]
    fn counts_symbols_and_words_outside_strings_and_comments() {
        assert_eq!(count_operators(b"SELECT a + b FROM t WHERE x = 1 AND y IN (1, 2)"), 4);
        assert_eq!(count_operators(b"SELECT 'a + b AND c', \"x+y\" -- + + +\n/* OR OR */ $$ + $$"), 0);
        assert_eq!(count_operators(b"SELECT 'it''s', 'it\\'s + x' || y"), 2);
        assert_eq!(count_operators(b"SELECT android, orders, island, notes"), 0);
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser_sees_it() {
        let nested = |n: usize| format!("SELECT {}x{}", "CAST(".repeat(n), " AS VARCHAR)".repeat(n));
        assert!(check(&nested(MAX_NESTING)).is_ok());
        assert!(check(&nested(MAX_NESTING + 1)).unwrap_err().to_string().contains("nests parentheses"));
        assert_eq!(nesting(b"SELECT '((((', \"(((\" -- ((((\n, f(g(1))"), 2);
    }

    #[test]
    fn long_chains_are_refused_and_ordinary_queries_pass() {
        assert!(check(&format!("SELECT 1{}", "+1".repeat(MAX_OPERATORS + 1))).is_err());
        assert!(check(&format!("SELECT 1 WHERE x IN ({})", vec!["'a'"; 10_000].join(","))).is_ok());
    }
}
