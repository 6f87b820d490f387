//! The one rewrite that makes a query safe: every base table becomes
//! `(SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>') AS <alias>`, or for a scope of several
//! tenants `… WHERE tenant_id IN ('<a>', '<b>')`. Whatever surrounds it (OR, UNION, outer joins, windows,
//! subqueries), the query only ever sees the scope's rows.

use crate::catalog::{SCHEMA, TENANT_COLUMN};
use crate::rejection::Rejection;
use inda_core::{Scope, is_tenant_id};
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, ObjectName, ObjectNamePart, Query, Select, SelectFlavor,
    SelectItem, SetExpr, TableAlias, TableFactor, TableWithJoins, Value, WildcardAdditionalOptions,
};

/// Tenant ids are validated where the session is built (a [`Scope`] holds valid ones only); the guard
/// checks again because a bad one would end up inside SQL. Only `[A-Za-z0-9_-]` is accepted: no quote,
/// backslash or space can reach the literal. A scope is bounded too, so the filter stays small.
pub(crate) fn check_scope(scope: &Scope) -> Result<(), Rejection> {
    if scope.tenants().len() > MAX_SCOPE {
        return Err(Rejection::new(format!("a scope of more than {MAX_SCOPE} tenants is not supported")));
    }
    if scope.tenants().iter().all(|t| is_tenant_id(t)) {
        Ok(())
    } else {
        Err(Rejection::new("the session's tenant id is not valid"))
    }
}

/// Most tenants one scope may hold: far above any partner's, and an IN list every engine plans at once.
pub const MAX_SCOPE: usize = 1000;

/// `(SELECT * FROM marts.<table> WHERE <tenant filter>) AS <alias>`.
pub(crate) fn scoped_relation(table: &str, tenant: &Scope, alias: TableAlias) -> TableFactor {
    TableFactor::Derived {
        lateral: false,
        subquery: Box::new(scoped_query(table, tenant)),
        alias: Some(alias),
    }
}

/// `SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>'` (one tenant) or
/// `… WHERE tenant_id IN ('<a>', '<b>')` (several, sorted). Tenants go in as string values, so their quoting
/// is the renderer's job, never string splicing.
pub(crate) fn scoped_query(table: &str, scope: &Scope) -> Query {
    let from = TableWithJoins {
        relation: TableFactor::Table {
            name: ObjectName::from(vec![Ident::new(SCHEMA), Ident::new(table)]),
            alias: None,
            args: None,
            with_hints: vec![],
            version: None,
            with_ordinality: false,
            partitions: vec![],
            json_path: None,
            sample: None,
            index_hints: vec![],
        },
        joins: vec![],
    };
    let column = Box::new(Expr::Identifier(Ident::new(TENANT_COLUMN)));
    let literal = |t: &str| Expr::value(Value::SingleQuotedString(t.to_string()));
    let tenant_filter = match scope.single() {
        Some(tenant) => {
            Expr::BinaryOp { left: column, op: BinaryOperator::Eq, right: Box::new(literal(tenant)) }
        }
        None => Expr::InList {
            expr: column,
            list: scope.tenants().iter().map(|t| literal(t)).collect(),
            negated: false,
        },
    };
    let select = select_star(vec![from], Some(tenant_filter));
    query(SetExpr::Select(Box::new(select)))
}

/// The table a derived-table subquery scopes to `scope`, when it is exactly the guard's own wrapper for
/// that scope. Recognising it makes the guard idempotent: guarding its own output changes nothing.
pub fn scoped_table_of<'q>(subquery: &'q Query, scope: &Scope) -> Option<&'q str> {
    let SetExpr::Select(select) = subquery.body.as_ref() else { return None };
    let [TableWithJoins { relation: TableFactor::Table { name, .. }, joins }] = select.from.as_slice() else {
        return None;
    };
    if !joins.is_empty() {
        return None;
    }
    let [ObjectNamePart::Identifier(schema), ObjectNamePart::Identifier(table)] = name.0.as_slice() else {
        return None;
    };
    if schema.value != SCHEMA || schema.quote_style.is_some() {
        return None;
    }
    // Equality ignores source spans, so this compares structure and spelling only.
    (*subquery == scoped_query(&table.value, scope)).then_some(table.value.as_str())
}

/// `SELECT * FROM <from> [WHERE <selection>]`, every other clause empty.
pub(crate) fn select_star(from: Vec<TableWithJoins>, selection: Option<Expr>) -> Select {
    Select {
        select_token: AttachedToken::empty(),
        distinct: None,
        top: None,
        top_before_distinct: false,
        projection: vec![SelectItem::Wildcard(WildcardAdditionalOptions::default())],
        exclude: None,
        into: None,
        from,
        lateral_views: vec![],
        prewhere: None,
        selection,
        group_by: GroupByExpr::Expressions(vec![], vec![]),
        cluster_by: vec![],
        distribute_by: vec![],
        sort_by: vec![],
        having: None,
        named_window: vec![],
        qualify: None,
        window_before_qualify: false,
        value_table_mode: None,
        connect_by: None,
        flavor: SelectFlavor::Standard,
    }
}

/// A query made of `body` alone.
pub(crate) fn query(body: SetExpr) -> Query {
    Query {
        with: None,
        body: Box::new(body),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_wrapper() {
        let alias = TableAlias { name: Ident::new("c"), columns: vec![] };
        let factor = scoped_relation("dim_contacts", &one("acme_corp"), alias);
        assert_eq!(
            factor.to_string(),
            "(SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp') AS c"
        );
    }

    #[test]
    fn a_quote_in_the_tenant_stays_inside_the_literal() {
        // A Scope cannot hold such a tenant; the check refuses one that got there anyway.
        let bad = Scope::one("x").map(|_| ()).and_then(|_| Scope::one("x' OR '1'='1"));
        assert!(bad.is_err());
    }

    #[test]
    fn several_tenants_become_one_sorted_in_list() {
        let scope = Scope::new(["globex", "acme_corp"]).expect("scope");
        assert_eq!(
            scoped_query("fct_messages", &scope).to_string(),
            "SELECT * FROM marts.fct_messages WHERE tenant_id IN ('acme_corp', 'globex')"
        );
        assert_eq!(scoped_table_of(&scoped_query("fct_messages", &scope), &scope), Some("fct_messages"));
        assert_eq!(scoped_table_of(&scoped_query("fct_messages", &scope), &one("acme_corp")), None);
        assert_eq!(scoped_table_of(&scoped_query("fct_messages", &one("acme_corp")), &scope), None);
    }

    fn one(t: &str) -> Scope {
        Scope::one(t).expect("tenant")
    }

    #[test]
    fn recognises_only_its_own_wrapper_for_the_same_tenant() {
        let q = scoped_query("dim_contacts", &one("acme_corp"));
        assert_eq!(scoped_table_of(&q, &one("acme_corp")), Some("dim_contacts"));
        assert_eq!(scoped_table_of(&q, &one("globex")), None);
    }
}
