//! Helpers shared by the integration tests: guarding with defaults, and an independent check that a
//! guarded query cannot read another tenant's rows.

#![allow(dead_code)]

pub mod generator;

use inda_guard::{Catalog, GuardOptions, Guarded, Rejection, guard};
use sqlparser::ast::{
    BinaryOperator, Expr, ObjectNamePart, Query, SelectItem, SetExpr, TableFactor, Value, Visit, Visitor,
};
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

pub const TENANT: &str = "acme_corp";

pub fn run(sql: &str) -> Result<Guarded, Rejection> {
    guard(sql, TENANT, &Catalog::marts(), &GuardOptions::default())
}

pub fn accepted(sql: &str) -> Guarded {
    match run(sql) {
        Ok(guarded) => {
            // Every accepted query must also be runnable as text: its rendering parses back into the tree.
            if let Err(r) = guarded.proven_sql() {
                panic!("the rendering of {sql:?} is not proven: {r}\n{}", guarded.sql);
            }
            assert_scoped(&guarded.sql, TENANT);
            assert_fixed_point(&guarded);
            guarded
        }
        Err(rejection) => panic!("expected acceptance of {sql:?}, got: {rejection}"),
    }
}

/// Guarding the guard's output again must succeed and change nothing (for output an engine may read as
/// text: a rendering that is not proven never leaves the guard as text).
pub fn assert_fixed_point(once: &Guarded) {
    if once.proven_sql().is_err() {
        return;
    }
    let twice = run(&once.sql).unwrap_or_else(|r| panic!("guarded output refused: {r}\n{}", once.sql));
    assert_eq!(twice.sql, once.sql, "guarding again changed the SQL");
    assert_eq!(twice.tables, once.tables);
    assert_eq!(twice.limit, once.limit);
}

pub fn rejected(sql: &str) -> String {
    match run(sql) {
        Ok(guarded) => panic!("expected rejection of {sql:?}, got: {}", guarded.sql),
        Err(rejection) => rejection.reason,
    }
}

/// Re-parses `sql` and panics unless every base-table reference is `marts.<table>` as the sole FROM of
/// `SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>'`, and every other relation is a derived
/// table or a single-part name defined as a CTE by an enclosing WITH, spelled identically.
pub fn assert_scoped(sql: &str, tenant: &str) {
    // Deep trees recurse deeply in unoptimised builds; give the check the guard's own stack size.
    stacker::grow(64 << 20, || assert_scoped_on_this_stack(sql, tenant));
}

/// Both forms an engine may receive are scoped: the checked tree always, and the text whenever it is
/// proven (only proven text reaches an engine that reads text).
pub fn assert_guarded_scoped(guarded: &Guarded, tenant: &str) {
    stacker::grow(64 << 20, || {
        let mut check = ScopeCheck { tenant, queries: Vec::new(), problems: Vec::new() };
        let _ = guarded.query().visit(&mut check);
        assert!(
            check.problems.is_empty(),
            "unscoped relations {:?} in the tree of\n{}",
            check.problems,
            guarded.sql
        );
    });
    if let Ok(text) = guarded.proven_sql() {
        assert_scoped(text, tenant);
    }
}

fn assert_scoped_on_this_stack(sql: &str, tenant: &str) {
    let statements = Parser::parse_sql(&SnowflakeDialect {}, sql)
        .unwrap_or_else(|e| panic!("guarded SQL does not re-parse: {e}\n{sql}"));
    assert_eq!(statements.len(), 1, "{sql}");
    let mut check = ScopeCheck { tenant, queries: Vec::new(), problems: Vec::new() };
    let _ = statements[0].visit(&mut check);
    assert!(check.problems.is_empty(), "unscoped relations {:?} in\n{sql}", check.problems);
}

struct ScopeCheck<'t> {
    tenant: &'t str,
    /// Per enclosing query: (is the tenant wrapper, CTE names it defines).
    queries: Vec<(bool, Vec<sqlparser::ast::Ident>)>,
    problems: Vec<String>,
}

fn is_wrapper(query: &Query, tenant: &str) -> bool {
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
    let filter = matches!(
        &select.selection,
        Some(Expr::BinaryOp { left, op: BinaryOperator::Eq, right })
            if matches!(left.as_ref(), Expr::Identifier(id) if id.value == "tenant_id" && id.quote_style.is_none())
            && matches!(right.as_ref(), Expr::Value(v) if v.value == Value::SingleQuotedString(tenant.to_string()))
    );
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
        self.queries.push((is_wrapper(query, self.tenant), ctes));
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
                            self.problems.push(format!("{name} (base table outside the tenant filter)"));
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
