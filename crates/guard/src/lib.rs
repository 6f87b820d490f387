//! The tenant-scoped SQL guard: every query of inDigital Analytics, whoever wrote it (the AI, a person, a
//! saved analysis), passes through [`guard`], and the warehouse runs exactly the SQL it returns.
//!
//! The guard parses the query (Snowflake dialect, plus aggregate `FILTER`), accepts one read-only query and
//! nothing else, allows only `marts` tables of the [`Catalog`] and an allow-list of functions, and rewrites
//! every base-table reference into a derived table filtered on the caller's tenant:
//! `FROM marts.dim_contacts c` → `FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme') AS c`.
//! Because the filter sits on each table rather than on the query, no `OR`, `UNION`, outer join, window
//! or subquery can widen it. It refuses queries the engine could not plan quickly, and finally it caps the
//! row count.
//!
//! It is pure: no I/O, no engine, no clock. It is not an authorisation layer (the tenant comes from a
//! verified session, see `inda_core::Session`), not a cost guard beyond the row cap, the refusal of
//! recursion and the bounds on planning below (how long a query runs and how much memory it takes are the
//! engine's to bound), and not a column-level privacy filter: PII columns of the tenant's own tables are
//! readable.
//!
//! Choices where a stricter or looser rule would also have been defensible:
//! - PIVOT, UNPIVOT, MATCH_RECOGNIZE, LATERAL VIEW, CONNECT BY, SAMPLE and time travel are refused
//!   outright, as are every table function and any relation with arguments.
//! - A name is matched to a table or CTE ignoring ASCII case, quoted or not; a CTE reference is then
//!   re-spelled exactly like its definition, so no engine's own case rules can turn it into a table.
//! - Literal `TOP n` and `FETCH FIRST n ROWS` are folded into `LIMIT`; bounds that cannot be read before
//!   running (expressions, `PERCENT`, `WITH TIES`) wrap the query as
//!   `SELECT * FROM (<query>) AS guarded LIMIT <max_rows>`.
//! - The guard's own wrapper for the same tenant is recognised and kept, so guarding its output again
//!   returns the same SQL.
//! - An engine that reads text gets [`Guarded::proven_sql`]: the rendering parsed again and compared
//!   with the checked tree, so it says exactly what was checked. An engine that takes the tree
//!   ([`Guarded::query`]) runs what was checked with no text in between, and skips that second parse.
//!   Strings or names holding a backslash are refused either way, because engines disagree on what it
//!   escapes.
//! - `agg(x) FILTER (WHERE c)` becomes `agg(CASE WHEN c THEN x END)` (`COUNT(*)` takes `1`), which
//!   Snowflake reads too. It is accepted only on aggregates that skip NULLs (COUNT, SUM, AVG, MIN, MAX,
//!   LISTAGG…), where that keeps the meaning; on any other function it is refused.
//! - Inputs over 100 KB or with more than 2,000 operators are refused before parsing, and the work runs
//!   on its own stack, so no input can overflow the caller's.
//! - After parsing, what the engine must plan is bounded, with CTEs counted at each reference (engines
//!   inline them): at most 64 CTEs, 32 levels of nested queries, 8 levels of subqueries in conditions,
//!   32 relations joined by one SELECT, 128 relations in all, 64 set operations, 512 selected or grouped
//!   expressions, 64 window functions, 16 expressions per ORDER BY or PARTITION BY, 256 grouping sets,
//!   expressions 128 levels deep, and CASE, COALESCE or BETWEEN nested 8 deep or expanding past 16,384
//!   extra terms. Each bound was measured on DataFusion (at the bound, planning takes under a second in a
//!   debug build and under 0.15 s in release) and is far above analytics SQL; a query past one is refused
//!   with the count and the limit in words.
//! - Refusals are sentences, never a dump of the syntax tree: the parser's own messages are rewritten
//!   when it prints Rust debug output.

#![warn(missing_docs)]

mod catalog;
mod complexity;
mod cost;
mod dialect;
mod expression;
mod filter_clause;
mod functions;
mod limit;
mod rejection;
mod render;
mod row_filter;
mod scope;
mod statement;
mod tenant_filter;

pub use catalog::Catalog;
pub use functions::allowed_functions;
pub use inda_core::Scope;
pub use rejection::Rejection;
pub use row_filter::{MAX_VALUE_CHARS, MAX_VALUES, RowDimension, RowFilters, applicable};
pub use tenant_filter::scoped_table_of;

/// Limits applied to every guarded query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardOptions {
    /// The outer query returns at most this many rows.
    pub max_rows: u64,
}

impl Default for GuardOptions {
    fn default() -> Self {
        GuardOptions { max_rows: 10_000 }
    }
}

/// A query the guard accepted, rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded {
    /// The rewritten SQL: what the audit log records and what is shown. An engine that reads text must be
    /// given [`Guarded::proven_sql`], not this field.
    pub sql: String,
    /// The marts tables it reads (canonical names, deduplicated, sorted), e.g. `["dim_contacts"]`.
    pub tables: Vec<String>,
    /// True when the guard imposed or lowered the LIMIT to `max_rows`.
    pub capped: bool,
    /// The effective row limit of the outer query.
    pub limit: u64,
    /// For a scope of several tenants: some SELECT joins relations without matching `tenant_id` (no NATURAL
    /// join, no `tenant_id` in its join conditions or WHERE). Ids repeat across tenants, so such a join may
    /// pair rows of different companies; the app tells the reader. Always false for one tenant.
    pub crosses_tenants: bool,
    /// The row-filter dimensions ([`guard_filtered`]) that some table of the query took, sorted; a
    /// dimension that was set but is missing here filters nothing in this query. Empty without filters.
    pub filtered: Vec<RowDimension>,
    /// The checked tree that `sql` renders.
    query: sqlparser::ast::Query,
}

impl Guarded {
    /// The checked and rewritten tree, for an engine that plans from sqlparser's AST: it runs exactly what
    /// the guard checked.
    pub fn query(&self) -> &sqlparser::ast::Query {
        &self.query
    }

    /// The rewritten SQL for an engine that reads text, once it is proven to parse back into exactly the
    /// checked tree. A rendering that could read as something else (a token fusing with its neighbour
    /// into a comment, a construct printed differently than it parses) is refused here rather than run.
    pub fn proven_sql(&self) -> Result<&str, Rejection> {
        stacker::maybe_grow(RED_ZONE, STACK_BYTES, || render::check_round_trip(&self.sql, &self.query))?;
        Ok(&self.sql)
    }
}

/// Checks `sql` and rewrites it so it reads only the rows of the scope's tenants in the catalog's tables:
/// `tenant_id = 'x'` for a scope of one, `tenant_id IN ('x', 'y')` for several.
pub fn guard(sql: &str, scope: &Scope, catalog: &Catalog, opts: &GuardOptions) -> Result<Guarded, Rejection> {
    guard_filtered(sql, scope, catalog, opts, &RowFilters::default())
}

/// [`guard`], with row filters (a dashboard's) added inside every tenant-filtered table next to the tenant
/// filter: `… WHERE tenant_id = 'acme' AND channel IN ('sms')`. Which table takes which filter is
/// [`applicable`]'s; [`Guarded::filtered`] reports the dimensions that applied. With no filter set the
/// output is exactly [`guard`]'s. Bad filters (a date that is not a day, a range that ends before it
/// starts, more than [`MAX_VALUES`] values or one longer than [`MAX_VALUE_CHARS`]) are refused.
pub fn guard_filtered(
    sql: &str,
    scope: &Scope,
    catalog: &Catalog,
    opts: &GuardOptions,
    filters: &RowFilters,
) -> Result<Guarded, Rejection> {
    tenant_filter::check_scope(scope)?;
    statement::check_size(sql)?;
    complexity::check(sql)?;
    // Parsing, walking, rendering and dropping a syntax tree all recurse. When the caller's thread has less
    // than RED_ZONE left (async workers have 2 MiB stacks), the guard moves to a fresh stack of known size so
    // the bounds above hold anywhere; a main thread with room skips the cost of mapping a new stack each call.
    stacker::maybe_grow(RED_ZONE, STACK_BYTES, || guard_on_this_stack(sql, scope, catalog, opts, filters))
}

/// Enough for the deepest tree the bounds admit, in unoptimised builds too. Only touched pages are
/// committed.
const STACK_BYTES: usize = 64 << 20;
/// Stack the deepest admitted tree needs at most, measured in unoptimised builds.
const RED_ZONE: usize = 4 << 20;

fn guard_on_this_stack(
    sql: &str,
    scope: &Scope,
    catalog: &Catalog,
    opts: &GuardOptions,
    filters: &RowFilters,
) -> Result<Guarded, Rejection> {
    let mut query = statement::parse_query(sql)?;
    let plan = match filters.is_empty() {
        true => None,
        false => {
            let mut plan = row_filter::RowPlan::new(filters, true)?;
            if filters.from.is_some() || filters.to.is_some() {
                // Dates go on the facts' time column when the query reads a fact table, else on the
                // dimensions' own dates: which tables it reads is known only after a walk.
                let mut probe = query.clone();
                let mut walker = scope::Walker::new(catalog, scope);
                walker.query(&mut probe)?;
                plan.reads_facts = walker.tables.iter().any(|t| row_filter::is_fact(t));
            }
            Some(plan)
        }
    };
    let mut walker = scope::Walker::new(catalog, scope);
    if let Some(plan) = &plan {
        walker = walker.with_filters(plan);
    }
    let mut cost = walker.query(&mut query)?;
    let tables = walker.tables.iter().map(|t| t.to_string()).collect();
    let (query, cap) = limit::cap(query, opts.max_rows);
    if cap.wrapped {
        // Bounded as returned, wrapper included, so guarding the output again tallies the same.
        let inner = cost;
        cost = cost::Cost::query();
        cost.add_nested(&inner);
    }
    cost.check(walker.cte_count)?;
    let sql = render::render(&query)?;
    let crosses_tenants = walker.crosses_tenants;
    let filtered = walker.filtered.into_iter().collect();
    Ok(Guarded { sql, tables, capped: cap.capped, limit: cap.limit, crosses_tenants, filtered, query })
}
