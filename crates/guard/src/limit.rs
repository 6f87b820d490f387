//! The row cap: the outer query never returns more than `max_rows`, whatever its LIMIT, FETCH or TOP say.

use crate::tenant_filter::{query, select_star};
use sqlparser::ast::{
    Expr, Fetch, Ident, LimitClause, Query, SetExpr, TableAlias, TableFactor, TableWithJoins, TopQuantity,
    Value,
};

/// The alias of the derived table used when the query's own bound cannot be read.
const WRAPPER_ALIAS: &str = "guarded";

/// The outcome of capping: the effective limit, and whether the guard imposed or lowered it.
pub(crate) struct RowCap {
    pub(crate) limit: u64,
    pub(crate) capped: bool,
    /// True when the query was wrapped as `SELECT * FROM (<query>) AS guarded LIMIT <max_rows>`.
    pub(crate) wrapped: bool,
}

/// A row bound found in the query.
enum Bound {
    Absent,
    Literal(u64),
    /// An expression, a percentage or WITH TIES: its row count is unknown before running.
    Opaque,
}

/// Caps `query` at `max_rows`, rewriting it when needed. Literal TOP and FETCH bounds are folded into one
/// LIMIT: it means the same, and every engine the product runs on reads LIMIT.
pub(crate) fn cap(mut query: Query, max_rows: u64) -> (Query, RowCap) {
    let bounds =
        [limit_bound(query.limit_clause.as_ref()), fetch_bound(query.fetch.as_ref()), top_bound(&query.body)];
    if bounds.iter().any(|b| matches!(b, Bound::Opaque)) {
        return (wrap(query, max_rows), RowCap { limit: max_rows, capped: true, wrapped: true });
    }
    let tightest = bounds
        .iter()
        .filter_map(|b| match b {
            Bound::Literal(n) => Some(*n),
            Bound::Absent | Bound::Opaque => None,
        })
        .min();
    query.fetch = None;
    if let SetExpr::Select(select) = query.body.as_mut() {
        select.top = None;
    }
    let limit = tightest.map_or(max_rows, |n| n.min(max_rows));
    set_limit(&mut query, limit);
    (query, RowCap { limit, capped: tightest.is_none_or(|n| n > max_rows), wrapped: false })
}

fn limit_bound(clause: Option<&LimitClause>) -> Bound {
    match clause {
        None => Bound::Absent,
        Some(LimitClause::LimitOffset { limit, offset: _, limit_by }) => {
            if !limit_by.is_empty() {
                return Bound::Opaque;
            }
            limit.as_ref().map_or(Bound::Absent, literal)
        }
        Some(LimitClause::OffsetCommaLimit { offset: _, limit }) => literal(limit),
    }
}

fn fetch_bound(fetch: Option<&Fetch>) -> Bound {
    match fetch {
        None => Bound::Absent,
        Some(Fetch { with_ties: false, percent: false, quantity: None }) => Bound::Literal(1),
        Some(Fetch { with_ties: false, percent: false, quantity: Some(quantity) }) => literal(quantity),
        Some(_) => Bound::Opaque,
    }
}

fn top_bound(body: &SetExpr) -> Bound {
    let SetExpr::Select(select) = body else { return Bound::Absent };
    match &select.top {
        None => Bound::Absent,
        Some(top) if top.percent || top.with_ties => Bound::Opaque,
        Some(top) => match &top.quantity {
            Some(TopQuantity::Constant(n)) => Bound::Literal(*n),
            Some(TopQuantity::Expr(expr)) => literal(expr),
            None => Bound::Opaque,
        },
    }
}

fn literal(expr: &Expr) -> Bound {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.to_string().parse().map_or(Bound::Opaque, Bound::Literal),
            _ => Bound::Opaque,
        },
        _ => Bound::Opaque,
    }
}

/// Sets the LIMIT, keeping any OFFSET.
fn set_limit(query: &mut Query, max_rows: u64) {
    match query.limit_clause.as_mut() {
        Some(LimitClause::LimitOffset { limit, .. }) => *limit = Some(number(max_rows)),
        Some(LimitClause::OffsetCommaLimit { limit, .. }) => *limit = number(max_rows),
        None => {
            query.limit_clause = Some(LimitClause::LimitOffset {
                limit: Some(number(max_rows)),
                offset: None,
                limit_by: vec![],
            })
        }
    }
}

/// `SELECT * FROM (<query>) AS guarded LIMIT <max_rows>`.
fn wrap(inner: Query, max_rows: u64) -> Query {
    let from = TableWithJoins {
        relation: TableFactor::Derived {
            lateral: false,
            subquery: Box::new(inner),
            alias: Some(TableAlias { name: Ident::new(WRAPPER_ALIAS), columns: vec![] }),
        },
        joins: vec![],
    };
    let mut outer = query(SetExpr::Select(Box::new(select_star(vec![from], None))));
    set_limit(&mut outer, max_rows);
    outer
}

fn number(n: u64) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}
