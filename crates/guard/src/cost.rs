//! Bounds on what the engine must plan, checked on the parsed tree during the scoped walk.
//!
//! A short query can take DataFusion minutes to plan, or exhaust its stack: the optimiser rewrites a plan
//! many times over, so its time grows with the plan's depth times its size, and some constructs grow
//! exponentially (each CASE or COALESCE nested in another doubles the work; a CTE read twice by the next
//! one doubles the plan, since engines inline CTEs). The text pre-check ([`crate::complexity`]) cannot see
//! any of that, so the walk tallies what each query costs once CTEs are inlined ([`Cost`]) and the guard
//! refuses, in words, a query past any bound below.
//!
//! Each bound is far above real analytics SQL (a 160-line query with 10 CTEs and 8 joins,
//! `tests/fixtures/analyst.sql`, uses at most half of any) and below what DataFusion 52 plans in a second.
//! The times are measured by planning the guard's output into an optimised physical plan
//! (`statement_to_plan`, then `create_physical_plan`) over empty tables with the marts' columns and the
//! engine's session settings, on a thread with the engine's 16 MiB stack, on a shared 2-core machine,
//! fastest of three runs, written "debug / release" build. "At the bound" is the largest shape the guard
//! accepts, "2×" the same shape at twice the bound (refused). The analyst query plans in 0.25 / 0.03 s. At
//! the bounds and at twice them no shape overflowed the 16 MiB stack, even without DataFusion's recursion
//! protection. Bounds add up rather than multiply: 30 levels of CTEs each joining three tables and
//! selecting 15 columns with two windows and nested conditionals (depth, relations, windows and selections
//! near their bounds at once) plan in 0.85 / 0.10 s.
//!
//! Out of reach here: the engine evaluates constant calls while planning, so `lpad('x', 200000000, 'y')`
//! takes 12 s and 0.9 GB (debug) before any limit of execution applies. Capping such size arguments is
//! the engine's job, since only it sees computed values.

use crate::rejection::Rejection;
use sqlparser::ast::{Expr, GroupByExpr, ObjectNamePart};

/// CTE definitions in the whole statement (nested WITHs included); engines plan a CTE even when nothing
/// reads it. At the bound: 64 CTEs each read by a scalar subquery 0.92 / 0.10 s, 64 unread CTEs
/// 0.06 / 0.01 s. 2×: 2.8 / 0.36 s and 0.11 / 0.01 s.
pub(crate) const MAX_CTES: usize = 64;

/// Levels of queries inside one another: derived tables, subqueries, parenthesised set-operation arms, and
/// CTEs read by CTEs (a chain of CTEs each reading the one before nests like subqueries, because the engine
/// inlines them). At the bound: 31 CTEs each filtering and computing on the one before 0.52 / 0.11 s; the
/// same with derived tables 0.59 / 0.12 s; with three more tables joined at each level 0.49 / 0.06 s.
/// 2×: 4.4 / 1.1 s, 4.6 / 1.1 s and 1.2 / 0.16 s; 128 chained CTEs took 77 s (debug).
pub(crate) const MAX_QUERY_DEPTH: usize = 32;

/// Levels of subqueries in conditions (`IN (SELECT …)`, `EXISTS`, scalar subqueries) inside one another,
/// through derived tables and CTEs: the engine turns each into a join, and its work roughly doubles per
/// level. At the bound: IN 0.05 / 0.006 s, EXISTS 0.06 / 0.007 s, IN over a chain of CTEs 0.07 / 0.008 s.
/// 2×: 4.4 / 0.22 s, 4.9 / 0.25 s and 5.0 / 0.25 s; 24 levels of IN did not finish in 2 minutes (debug).
pub(crate) const MAX_SUBQUERY_DEPTH: usize = 8;

/// Relations joined by one SELECT (`JOIN`, commas, parenthesised joins; each table, derived table or CTE
/// reference counts once). At the bound: a chain of `JOIN … ON` 0.26 / 0.03 s, a comma join with its
/// conditions in WHERE 0.26 / 0.03 s, a cartesian product 0.13 / 0.02 s. 2×: 1.7 / 0.20 s, 1.7 / 0.21 s
/// and 0.55 / 0.09 s; the 700-way comma join of issue 15 took minutes.
pub(crate) const MAX_JOINED_RELATIONS: usize = 32;

/// Relations planned for the whole statement once CTEs are inlined: a CTE read three times counts its
/// relations three times, and a CTE, derived table or subquery without tables counts one. At the bound: 16
/// CTEs of 8 joined tables read by one UNION ALL 0.42 / 0.06 s, a chain of CTEs each joining the one before
/// with itself (8 steps) 0.42 / 0.04 s. 2×: 0.85 / 0.09 s and 0.82 / 0.09 s; 14 steps of that chain (8,192
/// relations) took 34 s (debug).
pub(crate) const MAX_RELATIONS: usize = 128;

/// UNION, EXCEPT and INTERSECT operators in the statement, counted again for each read of a CTE holding
/// them. At the bound (65 SELECTs): UNION ALL 0.29 / 0.04 s, UNION 0.29 / 0.04 s, alternating EXCEPT and
/// INTERSECT 0.26 / 0.03 s. 2×: 0.75 / 0.10 s, 0.74 / 0.10 s and 0.62 / 0.06 s; 1,000 SELECTs overflowed
/// the 16 MiB stack.
pub(crate) const MAX_SET_OPERATIONS: usize = 64;

/// Levels of one expression tree: every function call, CASE, cast, parenthesis and operator; a chain
/// `a + b + c …` or `x OR y OR …` is as deep as it is long. It also keeps the tree the guard returns
/// shallow enough for callers to copy and drop on a 2 MiB stack. At the bound: 128 terms of `+`
/// 0.17 / 0.05 s, of OR 0.04 / 0.007 s. 2×: 0.70 / 0.26 s and 0.10 / 0.02 s; 500 terms of `+` took 3.3 s
/// and 1,000 overflowed an 8 MiB stack just copying the tree (debug).
pub(crate) const MAX_EXPRESSION_DEPTH: usize = 128;

/// CASE, BETWEEN and the COALESCE family nested inside one another in one expression: the engine copies
/// the inner expression into the branches it derives, so each level doubles its work. At the bound: CASE
/// with a function call between levels 0.13 / 0.03 s, CASE 0.04 / 0.007 s, BETWEEN 0.05 / 0.009 s,
/// COALESCE 0.01 / 0.003 s. 2×: 35 / 9.5 s, 7.4 / 1.7 s, 17.6 / 4.1 s and 0.8 / 0.18 s.
pub(crate) const MAX_CONDITIONAL_DEPTH: usize = 8;

/// The extra terms that nesting makes the engine derive, summed over the statement: an expression node
/// under `k` nested conditionals counts `2^k - 1`, so plain expressions count nothing and the analyst
/// query 84. One expression 8 CASEs deep weighs about 3,000. At the bound, 5 such expressions:
/// 0.62 / 0.13 s. 2×: 1.2 / 0.26 s.
pub(crate) const MAX_CONDITIONAL_TERMS: usize = 16_384;

/// Columns and expressions in SELECT lists and GROUP BY, summed over the statement and counted again for
/// each reference to a CTE: the engine's work grows with the square of a list's length (a `*` counts one).
/// At the bound: 510 aggregates `SUM(cost * i)` 0.88 / 0.13 s, 511 GROUP BY expressions 0.34 / 0.04 s, 512
/// `COUNT(i)` 0.32 / 0.04 s, 512 literals 0.10 / 0.01 s. 2×: 2.5 / 0.40 s, 0.58 / 0.07 s, 1.0 / 0.13 s and
/// 0.22 / 0.03 s; 16,000 literals took 19 s (debug).
pub(crate) const MAX_SELECTED: usize = 512;

/// Window functions (`… OVER (…)`) in the statement, counted again for each reference to a CTE: each
/// window becomes its own sort and operator, one above the other. At the bound, 64 windows ordered
/// differently: 0.28 / 0.03 s. 2×: 0.68 / 0.08 s; 512 took 11 s (debug).
pub(crate) const MAX_WINDOWS: usize = 64;

/// Expressions in one ORDER BY or PARTITION BY (of the query, a window, or an ordered aggregate). At the
/// bound: a window partitioned by 16 expressions and ordered by 16 more 0.19 / 0.02 s, an ORDER BY of 16
/// expressions 0.03 / 0.004 s. 2×: 1.0 / 0.10 s and 0.05 / 0.007 s; 128 and 128 took 45 s, an ORDER BY of
/// 1,000 expressions 16 s (debug).
pub(crate) const MAX_KEYS: usize = 16;

/// Grouping sets one GROUP BY makes: CUBE of `n` expressions makes `2^n`, ROLLUP `n + 1`, GROUPING SETS one
/// per list, and several in one GROUP BY multiply. At the bound: 8 GROUPING SETS of two sets each
/// 0.13 / 0.02 s, CUBE of 8 expressions 0.02 / 0.003 s. 2×: 0.27 / 0.05 s and 0.02 / 0.003 s; CUBE of 24
/// took 27 s (debug).
pub(crate) const MAX_GROUPING_SETS: usize = 256;

/// Functions engines expand into CASE or COALESCE (copying an argument into several branches), lower case,
/// sorted. NULLIF, GREATEST, NVL2 and casts were measured and do not grow this way.
const CONDITIONAL_FUNCTIONS: &[&str] = &["coalesce", "decode", "div0", "iff", "ifnull", "nvl", "zeroifnull"];

/// What planning one query costs the engine, its nested queries and inlined CTEs included; each count is
/// what the bound of the same name limits. Counts saturate, so an exponential CTE chain cannot overflow them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Levels of queries, this one included.
    pub(crate) depth: usize,
    /// Levels of subqueries in conditions below this query.
    pub(crate) subquery_depth: usize,
    pub(crate) relations: usize,
    pub(crate) set_operations: usize,
    pub(crate) conditional_terms: usize,
    /// SELECT-list and GROUP BY entries.
    pub(crate) selected: usize,
    pub(crate) windows: usize,
}

impl Cost {
    /// A query before anything in it is counted.
    pub(crate) fn query() -> Cost {
        Cost {
            depth: 1,
            subquery_depth: 0,
            relations: 0,
            set_operations: 0,
            conditional_terms: 0,
            selected: 0,
            windows: 0,
        }
    }

    /// A base table read by this query.
    pub(crate) fn add_table(&mut self) {
        self.relations = self.relations.saturating_add(1);
    }

    /// A query this one reads as a relation: a derived table, a CTE (once per reference), a parenthesised
    /// set-operation arm.
    pub(crate) fn add_nested(&mut self, nested: &Cost) {
        self.add(nested, nested.subquery_depth);
    }

    /// A subquery inside one of this query's expressions.
    pub(crate) fn add_subquery(&mut self, subquery: &Cost) {
        self.add(subquery, subquery.subquery_depth.saturating_add(1));
    }

    fn add(&mut self, nested: &Cost, subquery_depth: usize) {
        self.depth = self.depth.max(nested.depth.saturating_add(1));
        self.subquery_depth = self.subquery_depth.max(subquery_depth);
        self.relations = self.relations.saturating_add(nested.relations.max(1));
        self.set_operations = self.set_operations.saturating_add(nested.set_operations);
        self.conditional_terms = self.conditional_terms.saturating_add(nested.conditional_terms);
        self.selected = self.selected.saturating_add(nested.selected);
        self.windows = self.windows.saturating_add(nested.windows);
    }

    /// Refuses a statement whose tally is past a bound. `ctes` is the number of CTE definitions.
    pub(crate) fn check(&self, ctes: usize) -> Result<(), Rejection> {
        let Cost { depth, subquery_depth, relations, set_operations, conditional_terms, selected, windows } =
            *self;
        let reason = if ctes > MAX_CTES {
            format!(
                "the query has {ctes} common table expressions (WITH … AS); at most {MAX_CTES} are accepted"
            )
        } else if depth > MAX_QUERY_DEPTH {
            format!(
                "the query nests {depth} levels of queries (subqueries, derived tables, and CTEs reading CTEs \
                 each add one); at most {MAX_QUERY_DEPTH} are accepted"
            )
        } else if subquery_depth > MAX_SUBQUERY_DEPTH {
            format!(
                "the query nests subqueries in conditions {subquery_depth} levels deep (IN, EXISTS or scalar \
                 subqueries inside one another, through CTEs too); at most {MAX_SUBQUERY_DEPTH} are accepted"
            )
        } else if relations > MAX_RELATIONS {
            format!(
                "the query reads {relations} tables or subqueries once its CTEs are expanded (each reference to \
                 a CTE reads its tables again); at most {MAX_RELATIONS} are accepted"
            )
        } else if set_operations > MAX_SET_OPERATIONS {
            format!(
                "the query has {set_operations} set operations (UNION, EXCEPT, INTERSECT, counted again for \
                 each reference to a CTE holding them); at most {MAX_SET_OPERATIONS} are accepted"
            )
        } else if conditional_terms > MAX_CONDITIONAL_TERMS {
            format!(
                "the query's nested CASE, COALESCE, IFF and BETWEEN expressions expand to {conditional_terms} \
                 extra terms in the engine; at most {MAX_CONDITIONAL_TERMS} are accepted: nest fewer of them"
            )
        } else if selected > MAX_SELECTED {
            format!(
                "the query selects or groups by {selected} columns and expressions in all (counted again for \
                 each reference to a CTE); at most {MAX_SELECTED} are accepted"
            )
        } else if windows > MAX_WINDOWS {
            format!(
                "the query has {windows} window functions (counted again for each reference to a CTE); at most \
                 {MAX_WINDOWS} are accepted"
            )
        } else {
            return Ok(());
        };
        Err(Rejection::new(reason))
    }
}

/// Refuses one SELECT that joins too many relations.
pub(crate) fn check_joined(relations: usize) -> Result<(), Rejection> {
    if relations > MAX_JOINED_RELATIONS {
        return Err(Rejection::new(format!(
            "one SELECT of the query joins {relations} tables or subqueries; at most {MAX_JOINED_RELATIONS} \
             are accepted"
        )));
    }
    Ok(())
}

/// Refuses an ORDER BY or PARTITION BY of more than [`MAX_KEYS`] expressions.
pub(crate) fn check_keys(keys: usize) -> Result<(), Rejection> {
    if keys > MAX_KEYS {
        return Err(Rejection::new(format!(
            "an ORDER BY or PARTITION BY of the query has {keys} expressions; at most {MAX_KEYS} are accepted"
        )));
    }
    Ok(())
}

/// The grouping sets a GROUP BY makes and the expressions it lists; refuses more than
/// [`MAX_GROUPING_SETS`] sets.
pub(crate) fn grouping(group_by: &GroupByExpr) -> Result<usize, Rejection> {
    let (sets, listed) = match group_by {
        GroupByExpr::All(_) => (1, 1),
        GroupByExpr::Expressions(expressions, modifiers) => {
            let mut sets = 1usize;
            let mut listed = 0usize;
            for expr in expressions {
                let (made, inner) = match expr {
                    Expr::Cube(elements) => {
                        (power_of_two(elements.len()), elements.iter().map(Vec::len).sum())
                    }
                    Expr::Rollup(elements) => (elements.len() + 1, elements.iter().map(Vec::len).sum()),
                    Expr::GroupingSets(lists) => (lists.len(), lists.iter().map(Vec::len).sum()),
                    _ => (1, 1),
                };
                sets = sets.saturating_mul(made.max(1));
                listed = listed.saturating_add(inner);
            }
            // `WITH ROLLUP` and the like are not Snowflake syntax; were one read, it is taken as the
            // largest: a CUBE of everything listed.
            if !modifiers.is_empty() {
                sets = sets.saturating_mul(power_of_two(listed));
            }
            (sets, listed)
        }
    };
    if sets > MAX_GROUPING_SETS {
        return Err(Rejection::new(format!(
            "the GROUP BY makes {} grouping sets (CUBE of n expressions makes 2 to the power n); at most \
             {MAX_GROUPING_SETS} are accepted",
            if sets == usize::MAX { "too many".to_string() } else { sets.to_string() }
        )));
    }
    Ok(listed)
}

/// `2^n`, or `usize::MAX` when it does not fit.
fn power_of_two(n: usize) -> usize {
    1usize.checked_shl(u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(usize::MAX)
}

/// Refuses an expression nested past [`MAX_EXPRESSION_DEPTH`].
pub(crate) fn check_expression_depth(depth: usize) -> Result<(), Rejection> {
    if depth > MAX_EXPRESSION_DEPTH {
        return Err(Rejection::new(format!(
            "an expression of the query nests more than {MAX_EXPRESSION_DEPTH} levels deep (function calls, \
             CASE, parentheses and operators each add one, so does each term of a long AND, OR or + chain): \
             use IN (…) for a long list of alternatives"
        )));
    }
    Ok(())
}

/// Refuses conditionals nested past [`MAX_CONDITIONAL_DEPTH`].
pub(crate) fn check_conditional_depth(depth: usize) -> Result<(), Rejection> {
    if depth > MAX_CONDITIONAL_DEPTH {
        return Err(Rejection::new(format!(
            "the query nests CASE, COALESCE, IFF or BETWEEN expressions more than {MAX_CONDITIONAL_DEPTH} \
             levels inside one another; at most {MAX_CONDITIONAL_DEPTH} are accepted"
        )));
    }
    Ok(())
}

/// Whether the engine expands `expr` by copying one of its parts into several branches.
pub(crate) fn is_conditional(expr: &Expr) -> bool {
    match expr {
        Expr::Case { .. } | Expr::Between { .. } => true,
        Expr::Function(function) => match function.name.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] => {
                ident.value.len() <= 16
                    && CONDITIONAL_FUNCTIONS.binary_search(&ident.value.to_ascii_lowercase().as_str()).is_ok()
            }
            _ => false,
        },
        _ => false,
    }
}

/// The extra terms an expression node under `conditionals` nested conditionals makes the engine derive.
pub(crate) fn conditional_terms(conditionals: usize) -> usize {
    match power_of_two(conditionals) {
        usize::MAX => usize::MAX,
        n => n - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_functions_are_sorted_and_lower_case() {
        assert!(CONDITIONAL_FUNCTIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            CONDITIONAL_FUNCTIONS
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        );
    }

    /// The tally of `sql` and its CTE count, as the guard computes them.
    fn tally(sql: &str) -> (Cost, usize) {
        let mut query = crate::statement::parse_query(sql).unwrap_or_else(|r| panic!("{r}"));
        let catalog = crate::Catalog::marts();
        let scope = inda_core::Scope::one("acme_corp").unwrap_or_else(|e| panic!("{e}"));
        let mut walker = crate::scope::Walker::new(&catalog, &scope);
        let cost = walker.query(&mut query).unwrap_or_else(|r| panic!("{r}"));
        (cost, walker.cte_count)
    }

    #[test]
    fn a_long_analyst_query_stays_far_inside_every_bound() {
        let (cost, ctes) = tally(include_str!("../tests/fixtures/analyst.sql"));
        assert_eq!(ctes, 10);
        assert!(ctes * 4 <= MAX_CTES, "{ctes}");
        assert!(cost.depth * 4 <= MAX_QUERY_DEPTH, "{cost:?}");
        assert!(cost.subquery_depth * 4 <= MAX_SUBQUERY_DEPTH, "{cost:?}");
        assert!(cost.relations * 2 <= MAX_RELATIONS, "{cost:?}");
        assert!(cost.set_operations * 4 <= MAX_SET_OPERATIONS, "{cost:?}");
        assert!(cost.conditional_terms * 4 <= MAX_CONDITIONAL_TERMS, "{cost:?}");
        assert!(cost.selected * 2 <= MAX_SELECTED, "{cost:?}");
        assert!(cost.windows * 4 <= MAX_WINDOWS, "{cost:?}");
    }

    #[test]
    fn a_cte_costs_its_body_at_every_reference_and_once_when_unread() {
        let (one, _) = tally(
            "WITH c AS (SELECT * FROM dim_contacts a JOIN fct_messages b ON a.contact_id = b.contact_id) SELECT * FROM c",
        );
        assert_eq!((one.depth, one.relations), (2, 2));
        let (three, _) = tally(
            "WITH c AS (SELECT * FROM dim_contacts a JOIN fct_messages b ON a.contact_id = b.contact_id) \
             SELECT * FROM c x JOIN c y ON 1 = 1 WHERE x.contact_id IN (SELECT contact_id FROM c)",
        );
        assert_eq!((three.depth, three.relations, three.subquery_depth), (3, 6, 1));
        let (unread, _) = tally("WITH c AS (SELECT * FROM dim_contacts) SELECT 1 AS x");
        assert_eq!(unread.relations, 1);
        let (chain, ctes) = tally(
            "WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a, a AS a2), c AS (SELECT * FROM b, b AS b2) \
             SELECT * FROM c, c AS c2",
        );
        assert_eq!((ctes, chain.depth, chain.relations), (3, 4, 8));
    }

    #[test]
    fn conditionals_weigh_by_their_nesting() {
        let (flat, _) = tally("SELECT CASE WHEN a > 1 THEN b END AS x FROM dim_contacts");
        // `a > 1`, `a`, `1` and `b` are under one conditional.
        assert_eq!(flat.conditional_terms, 4);
        let (nested, _) = tally("SELECT COALESCE(COALESCE(a, 1), 2) AS x FROM dim_contacts");
        // The inner COALESCE and `2` under one, `a` and `1` under two.
        assert_eq!(nested.conditional_terms, 1 + 1 + 3 + 3);
    }

    #[test]
    fn tallies_saturate_instead_of_overflowing() {
        let mut cost = Cost::query();
        cost.relations = usize::MAX;
        let copy = cost;
        cost.add_nested(&copy);
        assert_eq!(cost.relations, usize::MAX);
        assert_eq!(conditional_terms(3), 7);
        assert_eq!(conditional_terms(200), usize::MAX);
    }
}
