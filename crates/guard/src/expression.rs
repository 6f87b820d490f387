//! Rules for everything that is not a relation: function calls, literals, variables. Expressions are
//! walked by sqlparser's derived visitor, so no clause is forgotten; subqueries found inside them are
//! handed back to the scoped walk, which knows the CTEs in scope. Aggregate FILTER clauses are rewritten
//! here (see [`crate::filter_clause`]), and each expression's depth and conditional nesting are bounded
//! (see [`crate::cost`]).

use crate::catalog::SCHEMA;
use crate::cost;
use crate::filter_clause;
use crate::functions;
use crate::rejection::{Rejection, excerpt};
use crate::scope::Walker;
use crate::tenant_filter::query;
use sqlparser::ast::{Expr, Query, SetExpr, TableFactor, UnaryOperator, Value, Values, VisitMut, VisitorMut};
use std::ops::ControlFlow;

/// Checks every expression in `node`, rewriting the subqueries inside it through `walker`.
pub(crate) fn check<T: VisitMut>(node: &mut T, walker: &mut Walker<'_>) -> Result<(), Rejection> {
    let mut pass = ExpressionPass { walker, walked: Vec::new(), open: Vec::new(), conditionals: 0 };
    match node.visit(&mut pass) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(rejection) => Err(rejection),
    }
}

struct ExpressionPass<'w, 'a> {
    walker: &'w mut Walker<'a>,
    /// Subqueries already walked, waiting to be put back once the visitor has passed their place.
    walked: Vec<Query>,
    /// Whether each expression node the visitor is inside is a conditional, outermost first: its length is
    /// the current depth.
    open: Vec<bool>,
    /// How many of the open nodes are conditionals.
    conditionals: usize,
}

/// What a subquery's place holds while the visitor passes it: nothing to visit, nothing to reject.
fn placeholder() -> Query {
    query(SetExpr::Values(Values { explicit_row: false, rows: vec![] }))
}

impl VisitorMut for ExpressionPass<'_, '_> {
    type Break = Rejection;

    fn pre_visit_query(&mut self, subquery: &mut Query) -> ControlFlow<Rejection> {
        // The walker checks and rewrites the subquery in scope; swapping in a placeholder stops the visitor
        // from walking it a second time (and from seeing its relations without their scope).
        let mut taken = std::mem::replace(subquery, placeholder());
        match self.walker.query(&mut taken) {
            Ok(cost) => self.walker.add_subquery(&cost),
            Err(rejection) => return ControlFlow::Break(rejection),
        }
        self.walked.push(taken);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, subquery: &mut Query) -> ControlFlow<Rejection> {
        if let Some(walked) = self.walked.pop() {
            *subquery = walked;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, _: &mut TableFactor) -> ControlFlow<Rejection> {
        // Relations only live in FROM, which the scoped walk handles; meeting one here means a construct
        // the walk does not know, and an unknown relation is never let through.
        ControlFlow::Break(Rejection::new("this query shape is not supported (a relation outside FROM)"))
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Rejection> {
        // Rewritten first, so what is measured and visited below is what the engine receives.
        let verdict = match expr {
            Expr::Function(function) => functions::check_call(function)
                .and_then(|()| filter_clause::rewrite(function))
                .and_then(|()| self.walker.add_call(function)),
            Expr::Identifier(ident) => functions::check_bare_identifier(ident),
            Expr::CompoundIdentifier(parts) => {
                unqualify_column(parts, self.walker);
                functions::check_compound_identifier(parts)
            }
            Expr::UnaryOp { op: UnaryOperator::Minus, expr: operand } => {
                // `- -1` renders as `--1`, which every engine reads as the start of a comment.
                if operand.to_string().starts_with('-') {
                    let taken = std::mem::replace(operand.as_mut(), Expr::value(Value::Null));
                    **operand = Expr::Nested(Box::new(taken));
                }
                Ok(())
            }
            Expr::Prior(_) => Err(Rejection::new("CONNECT BY … PRIOR is not supported")),
            _ => Ok(()),
        };
        match verdict.and_then(|()| self.open(expr)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(rejection) => ControlFlow::Break(rejection),
        }
    }

    fn post_visit_expr(&mut self, _: &mut Expr) -> ControlFlow<Rejection> {
        if self.open.pop() == Some(true) {
            self.conditionals -= 1;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &mut Value) -> ControlFlow<Rejection> {
        match value {
            Value::Number(..) | Value::SingleQuotedString(_) | Value::Boolean(_) | Value::Null => {
                ControlFlow::Continue(())
            }
            Value::Placeholder(placeholder) => ControlFlow::Break(Rejection::new(format!(
                "parameters and variables are not allowed (found {})",
                excerpt(placeholder)
            ))),
            other => ControlFlow::Break(Rejection::new(format!(
                "this kind of literal is not supported: {} (use a single-quoted string)",
                excerpt(&other.to_string())
            ))),
        }
    }
}

impl ExpressionPass<'_, '_> {
    /// Enters `expr`: bounds the depth and conditional nesting, and charges the terms it adds.
    fn open(&mut self, expr: &Expr) -> Result<(), Rejection> {
        self.walker.add_conditional_terms(cost::conditional_terms(self.conditionals));
        let conditional = cost::is_conditional(expr);
        self.open.push(conditional);
        cost::check_expression_depth(self.open.len())?;
        if conditional {
            self.conditionals += 1;
            cost::check_conditional_depth(self.conditionals)?;
        }
        Ok(())
    }
}

/// `marts.dim_contacts.country` → `dim_contacts.country`: once wrapped, a table is only known by its alias
/// (its own name when it had none), so a schema-qualified column would no longer resolve.
fn unqualify_column(parts: &mut Vec<sqlparser::ast::Ident>, walker: &Walker<'_>) {
    let n = parts.len();
    if !(3..=4).contains(&n) {
        return;
    }
    let schema = &parts[n - 3];
    let table = &parts[n - 2];
    if schema.value.eq_ignore_ascii_case(SCHEMA) && walker.is_catalog_table(&table.value) {
        parts.drain(..n - 2);
    }
}
