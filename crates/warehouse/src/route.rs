//! Answering a guarded query from a rollup ([`crate::rollup`]) when that gives exactly the same rows.
//!
//! Runs on the guard's output, after [`crate::bridge`], on the embedded engine only. Each SELECT that reads
//! one fact through the guard's own tenant wrapper, `(SELECT * FROM marts.<fact> WHERE <tenant filter>) AS
//! <alias>`, and aggregates, is checked clause by clause; if every use of the fact survives summing its
//! rows by day and key, the wrapper's table becomes the rollup (the tenant filter stays) and the aggregates
//! are re-expressed over it:
//! - `COUNT(*)` → `COALESCE(SUM(<alias>.rollup_rows), 0)`; `COUNT(x)` → the same over rows where `x` is not
//!   null; `SUM(x)` of a value constant within a rollup row → `SUM(x * <alias>.rollup_rows)`.
//! - `SUM` of an expression linear in the summed columns (`SUM(a.amount * f.rate)`, `SUM(CASE WHEN … THEN
//!   m.cost ELSE 0 END)`) stays as written: the rollup's column already holds the day's sum, and decimals add
//!   exactly.
//! - `MIN`, `MAX` and `DISTINCT` aggregates of keys stay as written: they do not depend on how many rows
//!   share a value.
//!
//! The fact's timestamp is the rollup's day, so it may only appear where a day gives the same answer: under
//! `DATE_TRUNC` to a day or longer, cast to a date, `EXTRACT` of a day-or-longer field, or compared with
//! `>=` / `<` to a constant that falls on midnight (`CURRENT_DATE - INTERVAL '30 days'`). Anything else (a
//! column the rollup does not keep, `AVG`, a subquery, an outer join that could supply the fact's rows as
//! nulls, an unaliased output whose name would change, a function not known here) leaves the SELECT on the
//! facts. Refusing is always correct; the list of what is accepted is short on purpose.

use crate::average;
use crate::bridge::function as call;
use crate::rollup::{self, ROWS_COLUMN, Rollup};
use inda_core::Scope;
use inda_core::marts::{ColumnType, Table};
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, CaseWhen, DataType, DateTimeField, Distinct, DuplicateTreatment, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, JoinConstraint, JoinOperator,
    ObjectName, ObjectNamePart, OrderBy, OrderByKind, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, UnaryOperator, Value, VisitMut, VisitorMut, WindowType, visit_expressions,
    visit_expressions_mut,
};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Rewrites each SELECT of `statement` that a rollup answers exactly; returns the rollups it now reads.
pub(crate) fn route(statement: &mut Statement, scope: &Scope) -> BTreeSet<&'static str> {
    let mut visitor = Router { scope, used: BTreeSet::new() };
    let _ = statement.visit(&mut visitor);
    visitor.used
}

struct Router<'s> {
    scope: &'s Scope,
    used: BTreeSet<&'static str>,
}

impl VisitorMut for Router<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Query { body, order_by, .. } = query;
        match body.as_mut() {
            SetExpr::Select(select) => self.try_select(select, order_by.as_mut()),
            body => self.set_operands(body),
        }
        ControlFlow::Continue(())
    }
}

impl Router<'_> {
    /// The SELECTs of a UNION (etc.), which carry no ORDER BY of their own.
    fn set_operands(&mut self, body: &mut SetExpr) {
        if let SetExpr::SetOperation { left, right, .. } = body {
            for side in [left, right] {
                match side.as_mut() {
                    SetExpr::Select(select) => self.try_select(select, None),
                    other => self.set_operands(other),
                }
            }
        }
    }

    /// A rollup over the fact joined with a dimension first (the join then goes), else the fact's own.
    fn try_select(&mut self, select: &mut Select, mut order_by: Option<&mut OrderBy>) {
        for (rollup, join) in rollup::joined() {
            let Some((candidate, order)) =
                without_dimension(select, order_by.as_deref(), self.scope, rollup, join)
            else {
                continue;
            };
            let pick = |t: &str| t.eq_ignore_ascii_case(&rollup.of).then_some(rollup);
            if let Some(fact) = Fact::find(&candidate, self.scope, pick)
                && self.attempt(select, candidate, order, order_by.as_deref_mut(), &fact)
            {
                return;
            }
        }
        let Some(fact) = Fact::find(select, self.scope, rollup::of_table) else { return };
        let (candidate, order) = (select.clone(), order_by.as_deref().cloned());
        self.attempt(select, candidate, order, order_by, &fact);
    }

    /// Checks `candidate` (a copy of `select`, perhaps without a dimension) and its ORDER BY against `fact`'s
    /// rollup; when it passes, it replaces `select` and `target`, reading the rollup.
    fn attempt(
        &mut self,
        select: &mut Select,
        mut candidate: Select,
        mut order: Option<OrderBy>,
        target: Option<&mut OrderBy>,
        fact: &Fact,
    ) -> bool {
        let mut check = Check { fact, aggregated: false };
        if check.select(&mut candidate).is_err() || check.order_by(order.as_mut()).is_err() {
            return false;
        }
        let grouped = !matches!(&candidate.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
        if !(grouped || check.aggregated) || !fact.point_at_rollup(&mut candidate) {
            return false;
        }
        *select = candidate;
        if let (Some(target), Some(order)) = (target, order) {
            *target = order;
        }
        self.used.insert(rollup_name(fact.rollup));
        true
    }
}

/// `select` (and its ORDER BY) without its inner join of `join`'s dimension to the rollup's fact on their
/// key, the dimension's columns read from the fact's alias instead: what the rollup built over that join
/// answers. `None` when the dimension is joined otherwise, appears more than once, or any of its columns the
/// rollup does not keep is used. Across several tenants the join must also match the tenant, as the
/// rollup's (built per tenant) does.
fn without_dimension(
    select: &Select,
    order: Option<&OrderBy>,
    scope: &Scope,
    rollup: &Rollup,
    join: &rollup::DimensionJoin,
) -> Option<(Select, Option<OrderBy>)> {
    let (mut fact, mut dimension, mut dimensions) = (None, None, 0);
    for (i, twj) in select.from.iter().enumerate() {
        let joined = twj.joins.iter().enumerate().map(|(j, join)| (Some(j), &join.relation));
        for (j, relation) in std::iter::once((None, &twj.relation)).chain(joined) {
            let Some((alias, Some(table))) = describe(relation, scope) else { continue };
            if table.eq_ignore_ascii_case(&rollup.of) {
                fact = Some(alias);
            } else if table.eq_ignore_ascii_case(&join.table) {
                dimensions += 1;
                dimension = j.map(|j| (i, j, alias));
            }
        }
    }
    let (fact, (i, j, dim)) = (fact?, dimension?);
    if dimensions != 1 {
        return None;
    }
    let (JoinOperator::Join(JoinConstraint::On(on)) | JoinOperator::Inner(JoinConstraint::On(on))) =
        &select.from[i].joins[j].join_operator
    else {
        return None;
    };
    let (key, tenant) = join_conditions(on, &fact, &dim, &join.on)?;
    if !key || (scope.single().is_none() && !tenant) {
        return None;
    }
    let mut without = select.clone();
    without.from[i].joins.remove(j);
    let mut order = order.cloned();
    let columns: Vec<&str> = inda_core::marts::table(&join.table)?.columns.iter().map(|c| c.name).collect();
    let fact_columns: Vec<&str> =
        inda_core::marts::table(&rollup.of)?.columns.iter().map(|c| c.name).collect();
    let kept = |name: &str| join.columns.iter().any(|c| c.eq_ignore_ascii_case(name));
    let mut readable = true;
    let mut to_fact = |e: &mut Expr| {
        match e {
            Expr::CompoundIdentifier(parts)
                if parts.len() == 2 && parts[0].value.eq_ignore_ascii_case(&dim.value) =>
            {
                if kept(&parts[1].value) {
                    parts[0] = fact.clone();
                } else {
                    readable = false;
                }
            }
            Expr::CompoundIdentifier(parts)
                if parts.first().is_some_and(|p| p.value.eq_ignore_ascii_case(&dim.value)) =>
            {
                readable = false;
            }
            // Unqualified, a column only the dimension has (`tenant_id` and the key are the fact's too, and
            // name the wrappers' own columns inside them).
            Expr::Identifier(id)
                if columns.contains(&id.value.to_ascii_lowercase().as_str())
                    && !kept(&id.value)
                    && !fact_columns.contains(&id.value.to_ascii_lowercase().as_str()) =>
            {
                readable = false;
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    };
    let _ = visit_expressions_mut(&mut without, &mut to_fact);
    if let Some(order) = &mut order {
        let _ = visit_expressions_mut(order, &mut to_fact);
    }
    readable.then_some((without, order))
}

/// Whether `on` is `<fact>.<key> = <dim>.<key>`, optionally with `<fact>.tenant_id = <dim>.tenant_id`, and
/// nothing else: (has the key equality, has the tenant equality); `None` for any other condition.
fn join_conditions(on: &Expr, fact: &Ident, dim: &Ident, key: &str) -> Option<(bool, bool)> {
    match unnest(on) {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            let (a, b) = (join_conditions(left, fact, dim, key)?, join_conditions(right, fact, dim, key)?);
            Some((a.0 || b.0, a.1 || b.1))
        }
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => {
            let column_of = |e: &Expr, alias: &Ident| match unnest(e) {
                Expr::CompoundIdentifier(p)
                    if p.len() == 2 && p[0].value.eq_ignore_ascii_case(&alias.value) =>
                {
                    Some(p[1].value.to_ascii_lowercase())
                }
                _ => None,
            };
            let pair = match (column_of(left, fact), column_of(right, dim)) {
                (Some(a), Some(b)) => (a, b),
                _ => (column_of(right, fact)?, column_of(left, dim)?),
            };
            let tenant_column = inda_core::marts::TENANT_COLUMN;
            match pair {
                (a, b) if a == b && a.eq_ignore_ascii_case(key) => Some((true, false)),
                (a, b) if a == b && a == tenant_column => Some((false, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn rollup_name(rollup: &'static Rollup) -> &'static str {
    rollup.name.as_str()
}

/// Why a SELECT stays on the facts; the reason itself is not needed.
struct Refuse;

type Checked = Result<(), Refuse>;

/// The one fact a SELECT reads through the guard's wrapper, and what else its FROM holds.
struct Fact {
    rollup: &'static Rollup,
    /// The wrapper's alias, as written.
    alias: Ident,
    /// The fact's columns.
    columns: Vec<&'static str>,
    /// The marts tables the fact's alias reads: the fact, and a rollup's joined dimension.
    tables: Vec<&'static Table>,
    /// The other relations' aliases and, for the guard's wrappers of marts tables, their table (`None`:
    /// unknown, e.g. a derived table).
    others: Vec<(String, Option<&'static Table>)>,
}

impl Fact {
    /// The fact, when exactly one relation of the FROM is the guard's wrapper of a fact with a rollup, it is
    /// never on the side of an outer join that could turn its rows into nulls, and every join is one this
    /// module understands.
    fn find(select: &Select, scope: &Scope, pick: impl Fn(&str) -> Option<&'static Rollup>) -> Option<Fact> {
        let mut found: Option<(&'static Rollup, Ident)> = None;
        let mut others = Vec::new();
        let mut candidates = 0;
        for twj in &select.from {
            // No join of the chain may be RIGHT or FULL: those can supply the fact's side as nulls.
            let preserved = twj.joins.iter().all(|j| {
                inner(&j.join_operator)
                    || matches!(j.join_operator, JoinOperator::Left(_) | JoinOperator::LeftOuter(_))
            });
            let relations = std::iter::once((&twj.relation, true))
                .chain(twj.joins.iter().map(|j| (&j.relation, inner(&j.join_operator))));
            for (relation, inner_side) in relations {
                let (alias, table) = describe(relation, scope)?;
                match table.and_then(&pick) {
                    Some(r) => {
                        candidates += 1;
                        if !(preserved && inner_side) {
                            return None;
                        }
                        found = Some((r, alias));
                    }
                    None => {
                        others.push((
                            alias.value.to_ascii_lowercase(),
                            table.and_then(inda_core::marts::table),
                        ));
                    }
                }
            }
        }
        if candidates != 1 {
            return None;
        }
        let (rollup, alias) = found?;
        let mut tables = vec![inda_core::marts::table(&rollup.of)?];
        let mut columns: Vec<&'static str> = tables[0].columns.iter().map(|c| c.name).collect();
        // A rollup over a join reads the dimension's kept columns from the fact's alias.
        if let Some(join) = &rollup.join {
            columns.extend(join.columns.iter().map(String::as_str));
            tables.push(inda_core::marts::table(&join.table)?);
        }
        Some(Fact { rollup, alias, columns, tables, others })
    }

    /// Points the fact's wrapper at the rollup; false if it is no longer where it was found.
    fn point_at_rollup(&self, select: &mut Select) -> bool {
        for twj in &mut select.from {
            for relation in
                std::iter::once(&mut twj.relation).chain(twj.joins.iter_mut().map(|j| &mut j.relation))
            {
                let TableFactor::Derived { subquery, alias: Some(alias), .. } = relation else { continue };
                if alias.name != self.alias {
                    continue;
                }
                let SetExpr::Select(inner) = subquery.body.as_mut() else { return false };
                let Some(TableFactor::Table { name, .. }) = inner.from.first_mut().map(|t| &mut t.relation)
                else {
                    return false;
                };
                *name =
                    ObjectName::from(vec![Ident::new(rollup::SCHEMA), Ident::new(rollup_name(self.rollup))]);
                return true;
            }
        }
        false
    }

    /// The fact's column an identifier names, `Ok(None)` when it names something else, and a refusal when
    /// it cannot be told.
    fn column(&self, e: &Expr) -> Result<Option<String>, Refuse> {
        match e {
            Expr::Identifier(id) => {
                let name = id.value.to_ascii_lowercase();
                if !self.columns.contains(&name.as_str()) {
                    return Ok(None);
                }
                // Unqualified: the fact's only if no other relation has (or may have) that column.
                let elsewhere =
                    self.others.iter().any(|(_, table)| table.is_none_or(|t| t.column(&name).is_some()));
                if elsewhere { Err(Refuse) } else { Ok(Some(name)) }
            }
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if q.value.eq_ignore_ascii_case(&self.alias.value) => {
                    Ok(Some(c.value.to_ascii_lowercase()))
                }
                [_, _] => Ok(None),
                _ => Err(Refuse),
            },
            _ => Ok(None),
        }
    }

    fn is_day(&self, e: &Expr) -> bool {
        matches!(self.column(unnest(e)), Ok(Some(c)) if self.rollup.is_day(&c))
    }

    fn rows(&self) -> Expr {
        Expr::CompoundIdentifier(vec![self.alias.clone(), Ident::new(ROWS_COLUMN)])
    }

    /// The rollup's count of the values of a summed column.
    fn values(&self, sum: &str) -> Expr {
        Expr::CompoundIdentifier(vec![self.alias.clone(), Ident::new(rollup::count_column(sum))])
    }

    /// The contract's type of a column an identifier names (the fact's or another marts table's).
    fn column_type(&self, e: &Expr) -> Option<&'static ColumnType> {
        if let Ok(Some(name)) = self.column(e) {
            return self.tables.iter().find_map(|t| t.column(&name)).map(|c| &c.data_type);
        }
        let (table, name) = match e {
            Expr::Identifier(id) => {
                let mut having =
                    self.others.iter().filter_map(|(_, t)| t.filter(|t| t.column(&id.value).is_some()));
                (having.next()?, &id.value)
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let (_, table) = self.others.iter().find(|(a, _)| a.eq_ignore_ascii_case(&parts[0].value))?;
                ((*table)?, &parts[1].value)
            }
            _ => return None,
        };
        table.column(&name.to_ascii_lowercase()).map(|c| &c.data_type)
    }
}

/// Whether the relation joined by `op` is on an inner side (never null-supplied by this join).
fn inner(op: &JoinOperator) -> bool {
    matches!(op, JoinOperator::Join(_) | JoinOperator::Inner(_) | JoinOperator::CrossJoin(_))
}

/// A relation's alias and, for the guard's wrapper, its marts table; `None` for relations this module does
/// not reason about (table functions, UNNEST, LATERAL, unaliased derived tables).
fn describe<'q>(relation: &'q TableFactor, scope: &Scope) -> Option<(Ident, Option<&'q str>)> {
    match relation {
        TableFactor::Derived { lateral: false, subquery, alias: Some(alias) } if alias.columns.is_empty() => {
            Some((alias.name.clone(), inda_guard::scoped_table_of(subquery, scope)))
        }
        _ => None,
    }
}

fn unnest(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => unnest(inner),
        e => e,
    }
}

/// Walks one SELECT's clauses, re-expressing its aggregates over the rollup, or refuses.
struct Check<'f> {
    fact: &'f Fact,
    aggregated: bool,
}

impl Check<'_> {
    fn select(&mut self, s: &mut Select) -> Checked {
        let plain = s.top.is_none()
            && s.into.is_none()
            && s.exclude.is_none()
            && s.lateral_views.is_empty()
            && s.prewhere.is_none()
            && s.cluster_by.is_empty()
            && s.distribute_by.is_empty()
            && s.sort_by.is_empty()
            && s.named_window.is_empty()
            && s.value_table_mode.is_none()
            && s.connect_by.is_none()
            && matches!(s.distinct, None | Some(Distinct::Distinct));
        if !plain {
            return Err(Refuse);
        }
        for item in &mut s.projection {
            match item {
                // An output named like a fact column (`SUM(cost) AS cost`) is fine: the rollup keeps the
                // fact's names, so GROUP BY and ORDER BY resolve that name the same way on both, and where
                // this check takes it for the fact's column it refuses or leaves it as it is.
                SelectItem::ExprWithAlias { expr, .. } => self.expr(expr, true)?,
                SelectItem::UnnamedExpr(expr) => {
                    // Its output is named after its text: a rewritten one would be renamed.
                    let before = expr.clone();
                    self.expr(expr, true)?;
                    if *expr != before {
                        return Err(Refuse);
                    }
                }
                _ => return Err(Refuse),
            }
        }
        for twj in &mut s.from {
            for join in &mut twj.joins {
                match &mut join.join_operator {
                    JoinOperator::Join(c)
                    | JoinOperator::Inner(c)
                    | JoinOperator::Left(c)
                    | JoinOperator::LeftOuter(c)
                    | JoinOperator::CrossJoin(c) => self.constraint(c)?,
                    _ => return Err(Refuse),
                }
            }
        }
        if let Some(w) = &mut s.selection {
            self.expr(w, false)?;
        }
        match &mut s.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
                for e in exprs {
                    self.expr(e, false)?;
                }
            }
            GroupByExpr::All(modifiers) if modifiers.is_empty() => {}
            _ => return Err(Refuse),
        }
        if let Some(h) = &mut s.having {
            self.expr(h, true)?;
        }
        if let Some(q) = &mut s.qualify {
            self.expr(q, true)?;
        }
        Ok(())
    }

    fn constraint(&mut self, c: &mut JoinConstraint) -> Checked {
        match c {
            JoinConstraint::On(e) => self.expr(e, false),
            JoinConstraint::None => Ok(()),
            _ => Err(Refuse),
        }
    }

    fn order_by(&mut self, order: Option<&mut OrderBy>) -> Checked {
        let Some(order) = order else { return Ok(()) };
        if order.interpolate.is_some() {
            return Err(Refuse);
        }
        match &mut order.kind {
            OrderByKind::Expressions(items) => {
                for item in items {
                    if item.with_fill.is_some() {
                        return Err(Refuse);
                    }
                    self.expr(&mut item.expr, true)?;
                }
                Ok(())
            }
            OrderByKind::All(_) => Ok(()),
        }
    }

    /// One expression of the SELECT; `aggregates`: whether aggregate functions may appear here.
    fn expr(&mut self, e: &mut Expr, aggregates: bool) -> Checked {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match self.fact.column(e)? {
                Some(c) if self.fact.rollup.is_key(&c) => Ok(()),
                Some(_) => Err(Refuse),
                None => Ok(()),
            },
            Expr::Value(_) | Expr::TypedString(_) => Ok(()),
            Expr::Interval(i) if i.last_field.is_none() => self.expr(&mut i.value, false),
            Expr::Nested(x) => self.expr(x, aggregates),
            Expr::UnaryOp { expr, .. } => self.expr(expr, aggregates),
            Expr::BinaryOp { left, op, right } => {
                if self.day_comparison(left, op, right) {
                    return Ok(());
                }
                self.expr(left, aggregates)?;
                self.expr(right, aggregates)
            }
            Expr::IsNull(x) | Expr::IsNotNull(x) if self.fact.is_day(x) => Ok(()),
            Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotTrue(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => self.expr(x, aggregates),
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.expr(a, aggregates)?;
                self.expr(b, aggregates)
            }
            Expr::InList { expr, list, .. } => {
                self.expr(expr, aggregates)?;
                list.iter_mut().try_for_each(|x| self.expr(x, aggregates))
            }
            Expr::Between { expr, low, high, .. } => {
                self.expr(expr, aggregates)?;
                self.expr(low, aggregates)?;
                self.expr(high, aggregates)
            }
            Expr::Like { expr, pattern, escape_char: None, any: false, .. }
            | Expr::ILike { expr, pattern, escape_char: None, any: false, .. } => {
                self.expr(expr, aggregates)?;
                self.expr(pattern, aggregates)
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                if let Some(o) = operand {
                    self.expr(o, aggregates)?;
                }
                for CaseWhen { condition, result } in conditions {
                    self.expr(condition, aggregates)?;
                    self.expr(result, aggregates)?;
                }
                else_result.as_deref_mut().map_or(Ok(()), |x| self.expr(x, aggregates))
            }
            Expr::Cast { expr, data_type, format: None, .. } => {
                if matches!(data_type, DataType::Date) && self.fact.is_day(expr) {
                    return Ok(());
                }
                self.expr(expr, aggregates)
            }
            Expr::Extract { field, expr, .. } => {
                if day_field(field) && self.fact.is_day(expr) {
                    return Ok(());
                }
                self.expr(expr, aggregates)
            }
            Expr::Function(f) => self.function(f, aggregates),
            _ => Err(Refuse),
        }
    }

    /// `t >= c`, `t < c`, `c <= t`, `c > t` for the fact's timestamp `t` and a constant `c` at midnight:
    /// the same rows pass whether `t` is the time or its day.
    fn day_comparison(&self, left: &Expr, op: &BinaryOperator, right: &Expr) -> bool {
        use BinaryOperator::{Gt, GtEq, Lt, LtEq};
        (self.fact.is_day(left) && matches!(op, GtEq | Lt) && midnight(right))
            || (self.fact.is_day(right) && matches!(op, LtEq | Gt) && midnight(left))
    }

    fn function(&mut self, f: &mut Function, aggregates: bool) -> Checked {
        let name = function_name(f).ok_or(Refuse)?;
        if f.over.is_some() {
            return self.window(f, &name, aggregates);
        }
        if AGGREGATES.contains(&name.as_str()) {
            if !aggregates {
                return Err(Refuse);
            }
            self.aggregated = true;
            return self.aggregate(f, &name);
        }
        if f.filter.is_some() || !f.within_group.is_empty() || f.null_treatment.is_some() {
            return Err(Refuse);
        }
        if let (Some(unit), Some(x)) = (string_arg(f, 0), expr_arg(f, 1))
            && matches!(name.as_str(), "date_trunc" | "date_part" | "datepart")
            && arg_count(f) == 2
            && self.fact.is_day(x)
        {
            let fits = if name == "date_trunc" { day_or_longer(&unit) } else { day_part(&unit) };
            return if fits { Ok(()) } else { Err(Refuse) };
        }
        if !SCALARS.contains(&name.as_str()) {
            return Err(Refuse);
        }
        self.args(f, aggregates)
    }

    /// A window function over the SELECT's groups: its arguments may hold the SELECT's aggregates.
    fn window(&mut self, f: &mut Function, name: &str, aggregates: bool) -> Checked {
        if !WINDOWS.contains(&name) || f.filter.is_some() || !f.within_group.is_empty() {
            return Err(Refuse);
        }
        let Some(WindowType::WindowSpec(spec)) = &mut f.over else { return Err(Refuse) };
        if spec.window_name.is_some() || spec.window_frame.is_some() {
            return Err(Refuse);
        }
        for e in &mut spec.partition_by {
            self.expr(e, aggregates)?;
        }
        for o in &mut spec.order_by {
            self.expr(&mut o.expr, aggregates)?;
        }
        self.args(f, aggregates)
    }

    /// Every argument of a call, in the call's context; `*` only where it means "rows" (`COUNT(*)`).
    fn args(&mut self, f: &mut Function, aggregates: bool) -> Checked {
        if !matches!(f.parameters, FunctionArguments::None) {
            return Err(Refuse);
        }
        match &mut f.args {
            FunctionArguments::None => Ok(()),
            FunctionArguments::Subquery(_) => Err(Refuse),
            FunctionArguments::List(list) => {
                if !list.clauses.is_empty() {
                    return Err(Refuse);
                }
                for arg in &mut list.args {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.expr(e, aggregates)?,
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {}
                        _ => return Err(Refuse),
                    }
                }
                Ok(())
            }
        }
    }

    /// A plain aggregate, re-expressed over the rollup's rows.
    fn aggregate(&mut self, f: &mut Function, name: &str) -> Checked {
        if !f.within_group.is_empty()
            || f.null_treatment.is_some()
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(Refuse);
        }
        if let Some(filter) = &mut f.filter {
            self.expr(filter, false)?;
        }
        let FunctionArguments::List(list) = &mut f.args else { return Err(Refuse) };
        if !list.clauses.is_empty() || list.args.len() != 1 {
            return Err(Refuse);
        }
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        let FunctionArg::Unnamed(arg) = &mut list.args[0] else { return Err(Refuse) };
        match (name, arg) {
            ("count", FunctionArgExpr::Wildcard) if !distinct => {
                *f = self.count_rows(None, f.filter.take());
                Ok(())
            }
            (_, FunctionArgExpr::Expr(x)) if distinct || name == "min" || name == "max" => {
                self.expr(x, false)
            }
            ("count", FunctionArgExpr::Expr(x)) if self.sum_column(x).is_some() => {
                let values = self.fact.values(&self.sum_column(x).ok_or(Refuse)?);
                *f = total(values, f.filter.take());
                Ok(())
            }
            ("count", FunctionArgExpr::Expr(x)) => {
                let counted = !matches!(unnest(x), Expr::Value(v) if matches!(v.value, Value::Null));
                if counted && matches!(unnest(x), Expr::Value(_)) {
                    *f = self.count_rows(None, f.filter.take());
                    return Ok(());
                }
                self.expr(x, false)?;
                *f = self.count_rows(Some(x.clone()), f.filter.take());
                Ok(())
            }
            ("sum", FunctionArgExpr::Expr(x)) => match self.linear(x)? {
                Linear::Sums => Ok(()),
                Linear::Constant if self.whole(x) => {
                    *x = self.weighted(x);
                    Ok(())
                }
                Linear::Constant => Err(Refuse),
            },
            // A decimal measure: the day sums of the values, and how many values they hold.
            ("avg", FunctionArgExpr::Expr(x)) => match self.linear(x)? {
                Linear::Sums => {
                    let measure = self.measure(x).ok_or(Refuse)?;
                    let mut avg = call(average::NAME, vec![x.clone(), self.fact.values(&measure)]);
                    avg.filter = f.filter.take();
                    *f = avg;
                    Ok(())
                }
                Linear::Constant if self.whole(x) => {
                    let mut avg = call(average::NAME, vec![self.weighted(x), self.fact.rows()]);
                    avg.filter = f.filter.take();
                    *f = avg;
                    Ok(())
                }
                Linear::Constant => Err(Refuse),
            },
            _ => Err(Refuse),
        }
    }

    /// `(x) * rows`: a per-row constant summed over the fact rows a rollup row stands for.
    fn weighted(&self, x: &Expr) -> Expr {
        Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(x.clone()))),
            op: BinaryOperator::Multiply,
            right: Box::new(self.fact.rows()),
        }
    }

    /// Whether a per-row constant is a whole number as the engine types it (an integer, or a double holding
    /// a whole number): summing it over n rows is then exactly n times it, in the same type. A decimal would
    /// be exact too, but its sum's type would change.
    fn whole(&self, x: &Expr) -> bool {
        matches!(self.kind(x), Some(Kind::Integer | Kind::Whole))
    }

    /// The summed column `x` is, if it is one.
    fn sum_column(&self, x: &Expr) -> Option<String> {
        match self.fact.column(unnest(x)) {
            Ok(Some(c)) if self.fact.rollup.is_sum(&c) => Some(c),
            _ => None,
        }
    }

    /// For an expression [`Check::linear`] found linear in the sums: the one summed column it holds when it
    /// is that column times constants, or a `CASE` choosing between that and NULL, so that a rollup row's
    /// value is NULL exactly when all the fact rows' values are, and otherwise stands for as many values as
    /// the column has. (A `CASE` reads kept columns only, so all the fact rows of a rollup row take the same
    /// branch; a branch of zeros would count values the column does not have.)
    fn measure(&self, x: &Expr) -> Option<String> {
        match unnest(x) {
            Expr::Case { conditions, else_result, .. } => {
                let mut found: Option<String> = None;
                for result in conditions.iter().map(|c| &c.result).chain(else_result.as_deref()) {
                    if matches!(unnest(result), Expr::Value(v) if v.value == Value::Null) {
                        continue;
                    }
                    let m = self.measure(result)?;
                    if found.get_or_insert_with(|| m.clone()) != &m {
                        return None;
                    }
                }
                found
            }
            e @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => self.sum_column(e),
            Expr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, expr } => self.measure(expr),
            Expr::BinaryOp { left, op: BinaryOperator::Multiply, right } => {
                match (self.measure(left), self.measure(right)) {
                    (Some(m), None) if self.kind(right).is_some() => Some(m),
                    (None, Some(m)) if self.kind(left).is_some() => Some(m),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The kind of number a per-row constant is, as the engine types it; `None` when this module cannot
    /// tell (a function, a text) or it holds a summed column.
    fn kind(&self, e: &Expr) -> Option<Kind> {
        match e {
            Expr::Value(v) => match &v.value {
                Value::Null => Some(Kind::Integer),
                Value::Number(n, _) => Some(number_kind(n)),
                _ => None,
            },
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match self.fact.column_type(e)? {
                ColumnType::Decimal { .. } if self.sum_column(e).is_none() => Some(Kind::Decimal),
                _ => None,
            },
            Expr::Nested(x) | Expr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, expr: x } => {
                self.kind(x)
            }
            Expr::BinaryOp { left, op, right } => {
                let (l, r) = (self.kind(left)?, self.kind(right)?);
                match op {
                    BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply => Some(l.and(r)),
                    // Integers divide as doubles here (`crate::division`), decimals as decimals.
                    BinaryOperator::Divide => {
                        Some(if l.and(r) == Kind::Decimal { Kind::Decimal } else { Kind::Float })
                    }
                    _ => None,
                }
            }
            Expr::Case { conditions, else_result, .. } => {
                let results = conditions.iter().map(|c| &c.result).chain(else_result.as_deref());
                results.map(|r| self.kind(r)).try_fold(Kind::Integer, |k, r| Some(k.and(r?)))
            }
            Expr::Cast { data_type, .. } => match data_type {
                DataType::Decimal(_) | DataType::Numeric(_) | DataType::Dec(_) => Some(Kind::Decimal),
                DataType::Int(_)
                | DataType::Integer(_)
                | DataType::BigInt(_)
                | DataType::SmallInt(_)
                | DataType::TinyInt(_) => Some(Kind::Integer),
                _ => None,
            },
            _ => None,
        }
    }

    /// `COALESCE(SUM(<rows>) [FILTER …], 0)`, counting only rows where `counted` is not null when given.
    fn count_rows(&self, counted: Option<Expr>, filter: Option<Box<Expr>>) -> Function {
        let rows = match counted {
            None => self.fact.rows(),
            Some(x) => Expr::Case {
                case_token: AttachedToken::empty(),
                end_token: AttachedToken::empty(),
                operand: None,
                conditions: vec![CaseWhen {
                    condition: Expr::IsNotNull(Box::new(x)),
                    result: self.fact.rows(),
                }],
                else_result: None,
            },
        };
        total(rows, filter)
    }

    /// Whether `x`, summed over a day's rows, is the same expression of the rollup's sums (`Sums`), or holds
    /// no summed column at all (`Constant`: the same in every fact row of a rollup row); anything else is
    /// refused.
    fn linear(&mut self, x: &mut Expr) -> Result<Linear, Refuse> {
        match x {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match self.fact.column(x)? {
                Some(c) if self.fact.rollup.is_sum(&c) => Ok(Linear::Sums),
                _ => self.expr(x, false).map(|()| Linear::Constant),
            },
            Expr::Nested(y) => self.linear(y),
            Expr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, expr } => self.linear(expr),
            // A decimal sum times an integer or a decimal is the sum of the products; times a double it is
            // not (the facts' products are rounded one by one), and a decimal quotient is rounded too.
            Expr::BinaryOp { left, op: op @ (BinaryOperator::Multiply | BinaryOperator::Divide), right } => {
                let divide = matches!(op, BinaryOperator::Divide);
                let exact = |k: Option<Kind>| matches!(k, Some(Kind::Integer | Kind::Decimal));
                match (self.linear(left)?, self.linear(right)?) {
                    (Linear::Constant, Linear::Constant) => Ok(Linear::Constant),
                    (Linear::Sums, Linear::Constant) if !divide && exact(self.kind(right)) => {
                        Ok(Linear::Sums)
                    }
                    (Linear::Constant, Linear::Sums) if !divide && exact(self.kind(left)) => Ok(Linear::Sums),
                    _ => Err(Refuse),
                }
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                if let Some(o) = operand {
                    self.expr(o, false)?;
                }
                let mut results = Vec::new();
                for CaseWhen { condition, result } in conditions {
                    self.expr(condition, false)?;
                    results.push(result);
                }
                results.extend(else_result.as_deref_mut());
                let mut kinds = Vec::new();
                for r in results {
                    kinds.push((self.linear(r)?, zero_or_null(r)));
                }
                if kinds.iter().all(|(k, _)| matches!(k, Linear::Constant)) {
                    Ok(Linear::Constant)
                } else if kinds.iter().all(|(k, zero)| matches!(k, Linear::Sums) || *zero) {
                    Ok(Linear::Sums)
                } else {
                    Err(Refuse)
                }
            }
            _ => self.expr(x, false).map(|()| Linear::Constant),
        }
    }
}

/// `COALESCE(SUM(<counts>) [FILTER …], 0)`: a count re-expressed as the sum of a rollup's per-row counts.
fn total(counts: Expr, filter: Option<Box<Expr>>) -> Function {
    let mut sum = call("sum", vec![counts]);
    sum.filter = filter;
    call("coalesce", vec![Expr::Function(sum), Expr::value(Value::Number("0".into(), false))])
}

enum Linear {
    Sums,
    Constant,
}

/// The kind of number a per-row constant is, as DataFusion types it (a literal with a point or an exponent
/// is a double there): whether summing it, or multiplying a decimal sum by it, is exact.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Decimal,
    /// A double holding a whole number below 2^53.
    Whole,
    Float,
}

impl Kind {
    /// The kind of a sum, difference, product or `CASE` of the two: a decimal meeting a double becomes a
    /// double with the decimal's fraction.
    fn and(self, other: Kind) -> Kind {
        use Kind::{Decimal, Float, Integer, Whole};
        match (self, other) {
            (Float, _) | (_, Float) | (Decimal, Whole) | (Whole, Decimal) => Float,
            (Whole, _) | (_, Whole) => Whole,
            (Decimal, _) | (_, Decimal) => Decimal,
            (Integer, Integer) => Integer,
        }
    }
}

fn number_kind(n: &str) -> Kind {
    if !n.contains(['.', 'e', 'E']) {
        return if n.parse::<i64>().is_ok() { Kind::Integer } else { Kind::Float };
    }
    match n.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 => Kind::Whole,
        _ => Kind::Float,
    }
}

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "median",
    "stddev",
    "variance",
    "array_agg",
    "string_agg",
    "listagg",
    "any_value",
    "approx_distinct",
    "count_if",
    "bool_and",
    "bool_or",
    "first_value",
    "last_value",
    "mode",
    "corr",
    "covar_samp",
    "covar_pop",
    "stddev_pop",
    "stddev_samp",
    "var_pop",
    "var_samp",
    "approx_percentile_cont",
    "percentile_cont",
    "approx_median",
];

/// Scalar functions whose arguments are checked like any expression.
const SCALARS: &[&str] = &[
    "coalesce",
    "nullif",
    "round",
    "abs",
    "lower",
    "upper",
    "trim",
    "ltrim",
    "rtrim",
    "concat",
    "length",
    "char_length",
    "initcap",
    "left",
    "right",
    "replace",
    "substr",
    "substring",
    "split_part",
    "starts_with",
    "ends_with",
    "greatest",
    "least",
    "ceil",
    "floor",
    "trunc",
    "sign",
    "power",
    "sqrt",
    "ln",
    "log",
    "exp",
    "mod",
    "nvl",
    "nvl2",
    "ifnull",
    "zeroifnull",
    "nullifzero",
    "iff",
    "date_trunc",
    "current_date",
    "to_char",
];

const WINDOWS: &[&str] = &[
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "sum",
    "count",
    "min",
    "max",
    "avg",
];

fn function_name(f: &Function) -> Option<String> {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

fn arg_count(f: &Function) -> usize {
    match &f.args {
        FunctionArguments::List(list) => list.args.len(),
        _ => 0,
    }
}

fn expr_arg(f: &Function, i: usize) -> Option<&Expr> {
    match &f.args {
        FunctionArguments::List(list) => match list.args.get(i)? {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        },
        _ => None,
    }
}

fn string_arg(f: &Function, i: usize) -> Option<String> {
    match unnest(expr_arg(f, i)?) {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

fn day_or_longer(unit: &str) -> bool {
    matches!(unit, "day" | "week" | "month" | "quarter" | "year" | "decade" | "century" | "millennium")
}

fn day_part(part: &str) -> bool {
    matches!(part, "year" | "quarter" | "month" | "week" | "day" | "dow" | "doy" | "isodow" | "isoyear")
}

fn day_field(field: &DateTimeField) -> bool {
    matches!(
        field,
        DateTimeField::Year
            | DateTimeField::Quarter
            | DateTimeField::Month
            | DateTimeField::Week(None)
            | DateTimeField::Day
            | DateTimeField::DayOfWeek
            | DateTimeField::DayOfYear
            | DateTimeField::Dow
            | DateTimeField::Doy
            | DateTimeField::Isodow
            | DateTimeField::Isoyear
    )
}

/// Whether `e` names no column and no subquery: the same value for every row.
fn constant(e: &Expr) -> bool {
    visit_expressions(e, |x| match x {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Subquery(_)
        | Expr::InSubquery { .. }
        | Expr::Exists { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_continue()
}

/// A constant that is always a midnight: `CURRENT_DATE`, a date, `DATE_TRUNC` to a day or longer, whole
/// days, weeks, months or years added or taken away.
fn midnight(e: &Expr) -> bool {
    match e {
        Expr::Nested(x) => midnight(x),
        Expr::Function(f) => match function_name(f).as_deref() {
            Some("current_date") => arg_count(f) == 0,
            Some("date_trunc") => {
                arg_count(f) == 2
                    && string_arg(f, 0).is_some_and(|u| day_or_longer(&u))
                    && expr_arg(f, 1).is_some_and(constant)
            }
            _ => false,
        },
        Expr::TypedString(ts) => match (&ts.data_type, &ts.value.value) {
            (DataType::Date, _) => true,
            (DataType::Timestamp(..) | DataType::Datetime(_), Value::SingleQuotedString(s)) => {
                midnight_text(s)
            }
            _ => false,
        },
        Expr::Value(v) => matches!(&v.value, Value::SingleQuotedString(s) if midnight_text(s)),
        Expr::Cast { expr, data_type: DataType::Date, format: None, .. } => constant(expr),
        Expr::Cast {
            expr, data_type: DataType::Timestamp(..) | DataType::Datetime(_), format: None, ..
        } => midnight(expr),
        Expr::BinaryOp { left, op: BinaryOperator::Plus | BinaryOperator::Minus, right } => {
            (midnight(left) && whole_days(right))
                || (matches!(e, Expr::BinaryOp { op: BinaryOperator::Plus, .. })
                    && whole_days(left)
                    && midnight(right))
        }
        _ => false,
    }
}

/// `2026-01-01` or `2026-01-01 00:00:00[.000…]`.
fn midnight_text(s: &str) -> bool {
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T']).unwrap_or((s, ""));
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        && (time.is_empty()
            || chrono::NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
                .is_ok_and(|t| t == chrono::NaiveTime::MIN))
}

/// An interval of whole days, weeks, months, quarters or years: `INTERVAL '30 days'`, `INTERVAL '1' MONTH`.
fn whole_days(e: &Expr) -> bool {
    let Expr::Interval(i) = unnest(e) else { return false };
    if i.last_field.is_some() || i.fractional_seconds_precision.is_some() {
        return false;
    }
    let Expr::Value(v) = i.value.as_ref() else { return false };
    let Value::SingleQuotedString(text) = &v.value else { return false };
    match &i.leading_field {
        Some(field) => {
            text.trim().parse::<i64>().is_ok()
                && matches!(
                    field,
                    DateTimeField::Day
                        | DateTimeField::Days
                        | DateTimeField::Week(None)
                        | DateTimeField::Weeks
                        | DateTimeField::Month
                        | DateTimeField::Months
                        | DateTimeField::Quarter
                        | DateTimeField::Year
                        | DateTimeField::Years
                )
        }
        None => {
            let words: Vec<&str> = text.split_whitespace().collect();
            !words.is_empty()
                && words.len().is_multiple_of(2)
                && words.chunks(2).all(|pair| {
                    pair[0].parse::<i64>().is_ok()
                        && matches!(
                            pair[1].to_ascii_lowercase().as_str(),
                            "day"
                                | "days"
                                | "week"
                                | "weeks"
                                | "month"
                                | "months"
                                | "mon"
                                | "mons"
                                | "quarter"
                                | "quarters"
                                | "year"
                                | "years"
                        )
                })
        }
    }
}

fn zero_or_null(e: &Expr) -> bool {
    match unnest(e) {
        Expr::Value(v) => match &v.value {
            Value::Null => true,
            // `0.0` is a double, which would make the whole CASE one.
            Value::Number(n, _) => n.parse::<i64>() == Ok(0),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::route;
    use inda_core::Scope;
    use inda_guard::{Catalog, GuardOptions, guard};
    use sqlparser::ast::Statement;

    /// The guard's output for `sql`, routed: the rendered SQL and the rollups it reads.
    fn routed(sql: &str) -> (String, Vec<&'static str>) {
        let scope = Scope::one("acme_corp").expect("scope");
        let guarded = guard(sql, &scope, &Catalog::marts(), &GuardOptions::default()).expect("guarded");
        let mut statement = Statement::Query(Box::new(guarded.query().clone()));
        let used = route(&mut statement, &scope).into_iter().collect();
        (statement.to_string(), used)
    }

    /// Each rewrite rule, as SQL: rows counted by the rollup's row counts, a constant summed per row
    /// weighted by them, sums linear in the summed columns left as written, the tenant filter kept.
    #[test]
    fn each_rule_rewrites_as_written_here() {
        let (sql, used) = routed(
            "SELECT channel, COUNT(*) AS n, COUNT(campaign_id) AS c, SUM(CASE WHEN status = 'read' THEN 1 ELSE 0 END) \
             AS r, SUM(cost) AS cost FROM marts.fct_messages WHERE sent_at >= CURRENT_DATE - INTERVAL '7 days' \
             GROUP BY channel",
        );
        assert_eq!(used, ["fct_messages_daily"]);
        assert_eq!(
            sql,
            "SELECT channel, coalesce(sum(fct_messages.rollup_rows), 0) AS n, \
             coalesce(sum(CASE WHEN campaign_id IS NOT NULL THEN fct_messages.rollup_rows END), 0) AS c, \
             SUM((CASE WHEN status = 'read' THEN 1 ELSE 0 END) * fct_messages.rollup_rows) AS r, SUM(cost) AS cost \
             FROM (SELECT * FROM rollup.fct_messages_daily WHERE tenant_id = 'acme_corp') AS fct_messages \
             WHERE sent_at >= CURRENT_DATE - INTERVAL '7 days' GROUP BY channel LIMIT 10000"
        );
    }

    /// What a day cannot answer stays on the facts, untouched.
    #[test]
    fn what_a_day_cannot_answer_is_left_as_it_was() {
        for sql in [
            "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at > CURRENT_DATE",
            "SELECT DATE_TRUNC('hour', sent_at) AS h, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1",
            "SELECT SUM(cost / 3) AS c FROM marts.fct_messages",
            "SELECT SUM(cost * 1.5) AS c FROM marts.fct_messages",
            "SELECT AVG(CASE WHEN channel = 'sms' THEN cost ELSE 0 END) AS c FROM marts.fct_messages",
            "SELECT COUNT(DISTINCT contact_id) AS n FROM marts.fct_messages",
        ] {
            let (rewritten, used) = routed(sql);
            assert!(used.is_empty(), "{sql}");
            assert!(rewritten.contains("FROM marts.fct_messages"), "{rewritten}");
        }
    }

    /// An average of a decimal measure reads the day sums and the count of their values; one of whole
    /// numbers, the weighted numbers and the row counts; a count of a measure, the count of its values.
    #[test]
    fn averages_read_sums_and_their_counts() {
        let (sql, used) = routed(
            "SELECT channel, AVG(cost * 2) AS a, AVG(CASE WHEN status = 'read' THEN 1 ELSE 0 END) AS r, \
             COUNT(cost) AS n FROM marts.fct_messages GROUP BY channel",
        );
        assert_eq!(used, ["fct_messages_daily"]);
        assert_eq!(
            sql,
            "SELECT channel, rollup_avg(cost * 2, fct_messages.rollup_rows_cost) AS a, \
             rollup_avg((CASE WHEN status = 'read' THEN 1 ELSE 0 END) * fct_messages.rollup_rows, \
             fct_messages.rollup_rows) AS r, coalesce(sum(fct_messages.rollup_rows_cost), 0) AS n \
             FROM (SELECT * FROM rollup.fct_messages_daily WHERE tenant_id = 'acme_corp') AS fct_messages \
             GROUP BY channel LIMIT 10000"
        );
    }

    /// A dimension joined on its key goes when the rollup over that join keeps the columns read from it:
    /// they are read from the fact's alias, from the rollup.
    #[test]
    fn a_dimension_the_rollup_kept_leaves_the_join() {
        let (sql, used) = routed(
            "SELECT c.segment, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c \
             ON a.contact_id = c.contact_id WHERE a.activity_type = 'purchase' GROUP BY c.segment",
        );
        assert_eq!(used, ["fct_activities_contacts_daily"]);
        assert_eq!(
            sql,
            "SELECT a.segment, coalesce(sum(a.rollup_rows), 0) AS n FROM (SELECT * FROM \
             rollup.fct_activities_contacts_daily WHERE tenant_id = 'acme_corp') AS a \
             WHERE a.activity_type = 'purchase' GROUP BY a.segment LIMIT 10000"
        );
    }
}
