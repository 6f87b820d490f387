//! Helpers shared by the integration tests: guarding with defaults, and an independent check that a
//! guarded query cannot read rows outside its scope.

#![allow(dead_code)]

pub mod generator;

use inda_guard::{Catalog, GuardOptions, Guarded, Rejection, Scope, guard};
use sqlparser::ast::{
    BinaryOperator, Expr, ObjectNamePart, Query, SelectItem, SetExpr, TableFactor, Value, Visit, Visitor,
};
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// The tenant of the single-tenant tests.
pub const TENANT: &str = "acme_corp";

/// The tenants of the multi-tenant tests and of the SQLite data: every scope is a non-empty subset.
pub const TENANTS: [&str; 3] = ["acme_corp", "globex", "initech"];

/// The scope of `tenants` (sorted and deduplicated by `Scope`).
pub fn scope_of(tenants: &[&str]) -> Scope {
    Scope::new(tenants.iter().copied()).unwrap_or_else(|e| panic!("{tenants:?}: {e}"))
}

/// The scope of [`TENANT`] alone.
pub fn tenant_scope() -> Scope {
    scope_of(&[TENANT])
}

/// The subset of [`TENANTS`] a bit mask picks (bit 0 is `acme_corp`); `mask` must be in `1..8`.
pub fn scope_of_mask(mask: usize) -> Scope {
    let tenants: Vec<&str> =
        TENANTS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| *t).collect();
    scope_of(&tenants)
}

/// Every non-empty subset of [`TENANTS`]: three of one tenant, three of two, and all three.
pub fn every_scope() -> Vec<Scope> {
    (1..8).map(scope_of_mask).collect()
}

/// One scope of each size: one tenant, two, all.
pub fn scopes_one_several_all() -> Vec<Scope> {
    vec![tenant_scope(), scope_of(&["acme_corp", "globex"]), scope_of(&TENANTS)]
}

/// The tenant filter the guard writes for `scope`, as rendered: `WHERE tenant_id = 'a'` for one tenant,
/// `WHERE tenant_id IN ('a', 'b')` for several (sorted). Written out here, not taken from the guard.
pub fn filter_of(scope: &Scope) -> String {
    match scope.tenants() {
        [one] => format!("WHERE tenant_id = '{one}'"),
        several => {
            let list: Vec<String> = several.iter().map(|t| format!("'{t}'")).collect();
            format!("WHERE tenant_id IN ({})", list.join(", "))
        }
    }
}

pub fn run(sql: &str) -> Result<Guarded, Rejection> {
    run_in(sql, &tenant_scope())
}

pub fn run_in(sql: &str, scope: &Scope) -> Result<Guarded, Rejection> {
    guard(sql, scope, &Catalog::marts(), &GuardOptions::default())
}

pub fn accepted(sql: &str) -> Guarded {
    accepted_in(sql, &tenant_scope())
}

pub fn accepted_in(sql: &str, scope: &Scope) -> Guarded {
    match run_in(sql, scope) {
        Ok(guarded) => {
            // Every accepted query must also be runnable as text: its rendering parses back into the tree.
            if let Err(r) = guarded.proven_sql() {
                panic!("the rendering of {sql:?} is not proven: {r}\n{}", guarded.sql);
            }
            assert_scoped(&guarded.sql, scope);
            assert_fixed_point_in(&guarded, scope);
            guarded
        }
        Err(rejection) => panic!("expected acceptance of {sql:?} for {scope}, got: {rejection}"),
    }
}

/// Guarding the guard's output again must succeed and change nothing (for output an engine may read as
/// text: a rendering that is not proven never leaves the guard as text).
pub fn assert_fixed_point(once: &Guarded) {
    assert_fixed_point_in(once, &tenant_scope());
}

/// [`assert_fixed_point`] for output guarded for `scope`.
pub fn assert_fixed_point_in(once: &Guarded, scope: &Scope) {
    if once.proven_sql().is_err() {
        return;
    }
    let twice = run_in(&once.sql, scope)
        .unwrap_or_else(|r| panic!("guarded output refused for {scope}: {r}\n{}", once.sql));
    assert_eq!(twice.sql, once.sql, "guarding again for {scope} changed the SQL");
    assert_eq!(twice.tables, once.tables);
    assert_eq!(twice.limit, once.limit);
}

pub fn rejected(sql: &str) -> String {
    rejected_in(sql, &tenant_scope())
}

pub fn rejected_in(sql: &str, scope: &Scope) -> String {
    match run_in(sql, scope) {
        Ok(guarded) => panic!("expected rejection of {sql:?} for {scope}, got: {}", guarded.sql),
        Err(rejection) => rejection.reason,
    }
}

/// Re-parses `sql` and panics unless every base-table reference is `marts.<table>` as the sole FROM of
/// `SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>'` (a scope of one) or
/// `… WHERE tenant_id IN ('<a>', '<b>')` (exactly the scope's tenants, sorted), and every other relation
/// is a derived table or a single-part name defined as a CTE by an enclosing WITH, spelled identically.
pub fn assert_scoped(sql: &str, scope: &Scope) {
    // Deep trees recurse deeply in unoptimised builds; give the check the guard's own stack size.
    stacker::grow(64 << 20, || assert_scoped_on_this_stack(sql, scope));
}

/// Both forms an engine may receive are scoped: the checked tree always, and the text whenever it is
/// proven (only proven text reaches an engine that reads text).
pub fn assert_guarded_scoped(guarded: &Guarded, scope: &Scope) {
    stacker::grow(64 << 20, || {
        let mut check = ScopeCheck { scope, queries: Vec::new(), problems: Vec::new() };
        let _ = guarded.query().visit(&mut check);
        assert!(
            check.problems.is_empty(),
            "unscoped relations {:?} in the tree of\n{}",
            check.problems,
            guarded.sql
        );
    });
    if let Ok(text) = guarded.proven_sql() {
        assert_scoped(text, scope);
    }
}

fn assert_scoped_on_this_stack(sql: &str, scope: &Scope) {
    let statements = Parser::parse_sql(&SnowflakeDialect {}, sql)
        .unwrap_or_else(|e| panic!("guarded SQL does not re-parse: {e}\n{sql}"));
    assert_eq!(statements.len(), 1, "{sql}");
    let mut check = ScopeCheck { scope, queries: Vec::new(), problems: Vec::new() };
    let _ = statements[0].visit(&mut check);
    assert!(check.problems.is_empty(), "unscoped relations {:?} in\n{sql}", check.problems);
}

struct ScopeCheck<'t> {
    scope: &'t Scope,
    /// Per enclosing query: (is the scope's wrapper, CTE names it defines).
    queries: Vec<(bool, Vec<sqlparser::ast::Ident>)>,
    problems: Vec<String>,
}

fn is_wrapper(query: &Query, scope: &Scope) -> bool {
    let SetExpr::Select(select) = query.body.as_ref() else { return false };
    let plain = query.with.is_none()
        && query.order_by.is_none()
        && query.limit_clause.is_none()
        && query.fetch.is_none()
        && select.distinct.is_none()
        && select.top.is_none()
        && select.having.is_none()
        && select.qualify.is_none()
        && select.from.len() == 1
        && select.from[0].joins.is_empty()
        && matches!(select.projection.as_slice(), [SelectItem::Wildcard(_)]);
    let is_tenant_column =
        |e: &Expr| matches!(e, Expr::Identifier(id) if id.value == "tenant_id" && id.quote_style.is_none());
    let is_literal = |e: &Expr, tenant: &str| matches!(e, Expr::Value(v) if v.value == Value::SingleQuotedString(tenant.to_string()));
    let filter = match (&select.selection, scope.tenants()) {
        // A scope of one: `tenant_id = '<tenant>'`.
        (Some(Expr::BinaryOp { left, op: BinaryOperator::Eq, right }), [tenant]) => {
            is_tenant_column(left) && is_literal(right, tenant)
        }
        // Several: `tenant_id IN (…)` listing exactly the scope's tenants, nothing more.
        (Some(Expr::InList { expr, list, negated: false }), tenants) if tenants.len() > 1 => {
            is_tenant_column(expr)
                && list.len() == tenants.len()
                && list.iter().zip(tenants).all(|(e, t)| is_literal(e, t))
        }
        _ => false,
    };
    plain && filter
}

impl Visitor for ScopeCheck<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let ctes = query
            .with
            .as_ref()
            .map(|w| w.cte_tables.iter().map(|c| c.alias.name.clone()).collect())
            .unwrap_or_default();
        self.queries.push((is_wrapper(query, self.scope), ctes));
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.queries.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        match factor {
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => {}
            TableFactor::Table { name, args: None, version: None, sample: None, .. } => {
                let parts: Vec<_> = name
                    .0
                    .iter()
                    .map(|p| match p {
                        ObjectNamePart::Identifier(id) => Some(id.clone()),
                        ObjectNamePart::Function(_) => None,
                    })
                    .collect();
                match parts.as_slice() {
                    [Some(single)] => {
                        let defined = self.queries.iter().any(|(_, ctes)| ctes.contains(single));
                        if !defined {
                            self.problems.push(format!("{name} (not a CTE in scope)"));
                        }
                    }
                    [Some(schema), Some(table)] => {
                        let in_wrapper = self.queries.last().is_some_and(|(wrapper, _)| *wrapper);
                        let canonical = schema.value == "marts"
                            && schema.quote_style.is_none()
                            && Catalog::marts().tables().any(|t| t == table.value)
                            && table.quote_style.is_none();
                        if !(in_wrapper && canonical) {
                            self.problems
                                .push(format!("{name} (base table outside the scope's tenant filter)"));
                        }
                    }
                    _ => self.problems.push(format!("{name} (unexpected name)")),
                }
            }
            other => self.problems.push(format!("{other} (unexpected relation)")),
        }
        ControlFlow::Continue(())
    }
}

/// Where proptest keeps a module's failing seeds: `<module>.proptest-regressions` beside its source file
/// (`isolation.proptest-regressions`), as when each file was a test binary of its own. Under a `main.rs`,
/// proptest's default would be `tests/proptest-regressions/<module>.txt`.
pub fn regressions() -> Option<Box<dyn proptest::test_runner::FailurePersistence>> {
    Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions")))
}
