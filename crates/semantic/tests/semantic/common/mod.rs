//! Test helpers: a SQL normalizer that compares two queries by meaning (modulo aliases, table alias names,
//! qualification, whitespace, AND order, GROUP BY ordinals/expressions, and extra tie-break sort keys).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, GroupByExpr, Ident, JoinConstraint, JoinOperator, LimitClause, OrderByKind, SelectItem, SetExpr,
    Statement, TableFactor, Value, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

#[derive(Debug, PartialEq)]
pub struct Canon {
    pub tables: BTreeSet<String>,
    pub joins: BTreeSet<String>,
    pub projection: BTreeSet<String>,
    pub filters: BTreeSet<String>,
    pub group_by: BTreeSet<String>,
    pub order_by: Vec<(String, bool)>,
    pub limit: Option<String>,
}

fn flatten_and(e: &Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::BinaryOp { left, op: sqlparser::ast::BinaryOperator::And, right } => {
            flatten_and(left, out);
            flatten_and(right, out);
        }
        Expr::Nested(inner)
            if matches!(**inner, Expr::BinaryOp { op: sqlparser::ast::BinaryOperator::And, .. }) =>
        {
            flatten_and(inner, out)
        }
        other => out.push(other.clone()),
    }
}

pub fn canon(sql: &str) -> Canon {
    let stmts = Parser::parse_sql(&GenericDialect {}, sql).unwrap_or_else(|e| panic!("bad SQL {sql}: {e}"));
    let Some(Statement::Query(q)) = stmts.into_iter().next() else { panic!("not a query: {sql}") };
    let SetExpr::Select(select) = q.body.as_ref() else { panic!("not a select: {sql}") };
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    let mut tables = BTreeSet::new();
    let mut base = String::new();
    let mut ons = Vec::new();
    for twj in &select.from {
        let mut rels = vec![&twj.relation];
        for j in &twj.joins {
            rels.push(&j.relation);
            match &j.join_operator {
                // The engine left-joins the exchange rates (a row without a rate is counted by its check
                // column and fails the answer), which gives the gold's inner join's rows when every rate exists.
                JoinOperator::Join(JoinConstraint::On(e))
                | JoinOperator::Inner(JoinConstraint::On(e))
                | JoinOperator::LeftOuter(JoinConstraint::On(e))
                | JoinOperator::Left(JoinConstraint::On(e)) => ons.push(e.clone()),
                other => panic!("unexpected join {other:?}"),
            }
        }
        for r in rels {
            if let TableFactor::Table { name, alias, .. } = r {
                let full = name.to_string();
                let short = full.rsplit('.').next().unwrap_or(&full).to_string();
                if base.is_empty() {
                    base = short.clone();
                }
                aliases.insert(short.clone(), short.clone());
                if let Some(a) = alias {
                    aliases.insert(a.name.value.clone(), short.clone());
                }
                tables.insert(short);
            }
        }
    }
    let norm = |e: &Expr| -> String {
        let mut e = e.clone();
        let _ = visit_expressions_mut(&mut e, |x| {
            match x {
                Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                    let t = aliases.get(&parts[0].value).cloned().unwrap_or_else(|| parts[0].value.clone());
                    *x = Expr::Identifier(Ident::new(format!("{t}.{}", parts[1].value)));
                }
                Expr::Identifier(id) if !id.value.contains('.') => {
                    *x = Expr::Identifier(Ident::new(format!("{base}.{}", id.value)));
                }
                Expr::Value(v) => {
                    if let Value::Boolean(b) = v.value {
                        *x = Expr::Value(Value::Boolean(b).into());
                    }
                }
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        e.to_string().to_lowercase()
    };
    let mut projection_exprs: Vec<(Option<String>, Expr)> = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) => projection_exprs.push((None, e.clone())),
            // Columns the app removes (the money check) or keeps beside the answer (same days of a period).
            SelectItem::ExprWithAlias { alias, .. } if is_extra_column(&alias.value) => {}
            SelectItem::ExprWithAlias { expr, alias } => {
                projection_exprs.push((Some(alias.value.clone()), expr.clone()))
            }
            other => panic!("unexpected select item {other}"),
        }
    }
    // Resolve ordinals and output aliases to the projected expression.
    let resolve = |e: &Expr| -> String {
        if let Expr::Value(v) = e
            && let Value::Number(n, _) = &v.value
            && let Ok(i) = n.parse::<usize>()
            && let Some((_, pe)) = projection_exprs.get(i - 1)
        {
            return norm(pe);
        }
        if let Expr::Identifier(id) = e
            && let Some((_, pe)) =
                projection_exprs.iter().find(|(a, _)| a.as_deref() == Some(id.value.as_str()))
        {
            return norm(pe);
        }
        norm(e)
    };
    let projection = projection_exprs.iter().map(|(_, e)| norm(e)).collect();
    let mut conj = Vec::new();
    if let Some(w) = &select.selection {
        flatten_and(w, &mut conj);
    }
    let filters = conj.iter().map(&norm).collect();
    let mut joins = BTreeSet::new();
    for on in &ons {
        if let Expr::BinaryOp { left, right, .. } = on {
            let mut sides = [norm(left), norm(right)];
            sides.sort();
            joins.insert(sides.join(" = "));
        }
    }
    let group_by = match &select.group_by {
        GroupByExpr::Expressions(es, _) => es.iter().map(&resolve).collect(),
        GroupByExpr::All(_) => panic!("GROUP BY ALL"),
    };
    let order_by = match &q.order_by {
        Some(ob) => match &ob.kind {
            OrderByKind::Expressions(list) => {
                list.iter().map(|o| (resolve(&o.expr), o.options.asc.unwrap_or(true))).collect()
            }
            OrderByKind::All(_) => panic!("ORDER BY ALL"),
        },
        None => vec![],
    };
    let limit = match &q.limit_clause {
        Some(LimitClause::LimitOffset { limit: Some(l), .. }) => Some(l.to_string()),
        _ => None,
    };
    Canon { tables, joins, projection, filters, group_by, order_by, limit }
}

fn is_extra_column(alias: &str) -> bool {
    alias == inda_semantic::MISSING_RATE_COLUMN
        || alias.ends_with("_same_days")
        || alias.ends_with("_mismos_dias")
}

/// Whether `ours` answers the same as `gold`: same rows (tables, joins, filters, groups, columns, limit),
/// and when the gold is ordered, its sort keys come first in ours.
pub fn equivalent(gold: &str, ours: &str, ordered: bool) -> Result<(), String> {
    let g = canon(gold);
    let o = canon(ours);
    let mut problems = Vec::new();
    if g.tables != o.tables {
        problems.push(format!("tables {:?} vs {:?}", g.tables, o.tables));
    }
    if g.joins != o.joins {
        problems.push(format!("joins {:?} vs {:?}", g.joins, o.joins));
    }
    if g.projection != o.projection {
        problems.push(format!("projection {:?} vs {:?}", g.projection, o.projection));
    }
    if g.filters != o.filters {
        problems.push(format!("filters {:?} vs {:?}", g.filters, o.filters));
    }
    if g.group_by != o.group_by {
        problems.push(format!("group by {:?} vs {:?}", g.group_by, o.group_by));
    }
    if g.limit != o.limit {
        problems.push(format!("limit {:?} vs {:?}", g.limit, o.limit));
    }
    if ordered && (o.order_by.len() < g.order_by.len() || o.order_by[..g.order_by.len()] != g.order_by[..]) {
        problems.push(format!("order {:?} vs {:?}", g.order_by, o.order_by));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}
