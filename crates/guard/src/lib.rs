//! The tenant-scoped SQL guard: every query of inDigital Analytics, whoever wrote it (the AI, a person, a
//! saved analysis), passes through [`guard`], and the warehouse runs exactly the SQL it returns.
//!
//! The guard parses the query (Snowflake dialect), accepts one read-only query and nothing else, allows
//! only `marts` tables of the [`Catalog`] and an allow-list of functions, and rewrites every base-table
//! reference into a derived table filtered on the caller's tenant. Because the filter sits on each table
//! rather than on the query, no `OR`, `UNION`, outer join, window or subquery can widen it. Finally it
//! caps the row count.
//!
//! It is pure: no I/O, no engine, no clock. It is not an authorisation layer (the tenant comes from a
//! verified session, see `inda_core::Session`), not a cost guard beyond the row cap and the refusal of
//! recursion, and not a column-level privacy filter: PII columns of the tenant's own tables are readable.

mod catalog;
mod expression;
mod functions;
mod limit;
mod rejection;
mod scope;
mod statement;
mod tenant_filter;

pub use catalog::Catalog;
pub use rejection::Rejection;

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
    /// The rewritten SQL: what runs and what the audit log records.
    pub sql: String,
    /// The marts tables it reads (canonical names, deduplicated, sorted), e.g. `["dim_contacts"]`.
    pub tables: Vec<String>,
    /// True when the guard imposed or lowered the LIMIT to `max_rows`.
    pub capped: bool,
    /// The effective row limit of the outer query.
    pub limit: u64,
}

/// Checks `sql` and rewrites it so it reads only `tenant_id`'s rows of the catalog's tables.
pub fn guard(sql: &str, tenant_id: &str, catalog: &Catalog, opts: &GuardOptions) -> Result<Guarded, Rejection> {
    check_tenant(tenant_id)?;
    let mut query = statement::parse_query(sql)?;
    let mut walker = scope::Walker::new(catalog, tenant_id);
    walker.query(&mut query)?;
    let tables = walker.tables.iter().map(|t| t.to_string()).collect();
    let (query, cap) = limit::cap(query, opts.max_rows);
    let sql = query.to_string();
    check_rendering(&sql)?;
    Ok(Guarded { sql, tables, capped: cap.capped, limit: cap.limit })
}

/// The tenant id is validated where the session is built; the guard checks again because a bad one would
/// end up inside SQL. Only `[A-Za-z0-9_-]` is accepted: no quote, backslash or space can reach the literal.
fn check_tenant(tenant_id: &str) -> Result<(), Rejection> {
    let valid = !tenant_id.is_empty()
        && tenant_id.len() <= 128
        && tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid { Ok(()) } else { Err(Rejection::new("the session's tenant id is not valid")) }
}

/// sqlparser reads `\'` inside a Snowflake string as an escape but renders a backslash as is, so a value
/// holding a backslash would come out as different SQL from the one checked (Snowflake would see the
/// string end elsewhere). Engines also disagree on what a backslash means; refusing it is the only
/// rendering every engine reads the same way. NUL is refused for engines that stop reading at it.
fn check_rendering(sql: &str) -> Result<(), Rejection> {
    if sql.contains(['\\', '\0']) {
        return Err(Rejection::new(
            "backslashes and NUL characters are not supported in strings or names (engines read them differently)",
        ));
    }
    Ok(())
}
