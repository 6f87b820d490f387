//! The one rewrite that makes a query safe: every base table becomes
//! `(SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>') AS <alias>`. Whatever surrounds it (OR,
//! UNION, outer joins, windows, subqueries), the query only ever sees the tenant's rows.

use crate::catalog::{SCHEMA, TENANT_COLUMN};
use crate::rejection::Rejection;
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, ObjectName, ObjectNamePart, Query, Select, SelectFlavor,
    SelectItem, SetExpr, TableAlias, TableFactor, TableWithJoins, Value, WildcardAdditionalOptions,
};

/// The tenant id is validated where the session is built; the guard checks again because a bad one would
/// end up inside SQL. Only `[A-Za-z0-9_-]` is accepted: no quote, backslash or space can reach the literal.
pub(crate) fn check_tenant_id(tenant_id: &str) -> Result<(), Rejection> {
    let valid = !tenant_id.is_empty()
        && tenant_id.len() <= 128
        && tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid { Ok(()) } else { Err(Rejection::new("the session's tenant id is not valid")) }
}

/// `(SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>') AS <alias>`.
pub(crate) fn scoped_relation(table: &str, tenant: &str, alias: TableAlias) -> TableFactor {
    TableFactor::Derived {
        lateral: false,
        subquery: Box::new(scoped_query(table, tenant)),
        alias: Some(alias),
    }
}

/// `SELECT * FROM marts.<table> WHERE tenant_id = '<tenant>'`. The tenant goes in as a string value, so
/// its quoting is the renderer's job, never string splicing.
pub(crate) fn scoped_query(table: &str, tenant: &str) -> Query {
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
    let tenant_filter = Expr::BinaryOp {
        left: Box::new(Expr::Identifier(Ident::new(TENANT_COLUMN))),
        op: BinaryOperator::Eq,
        right: Box::new(Expr::value(Value::SingleQuotedString(tenant.to_string()))),
    };
    let select = select_star(vec![from], Some(tenant_filter));
    query(SetExpr::Select(Box::new(select)))
}

/// The table a derived-table subquery scopes to `tenant`, when it is exactly the guard's own wrapper.
/// Recognising it makes the guard idempotent: guarding its own output changes nothing.
pub(crate) fn scoped_table_of<'q>(subquery: &'q Query, tenant: &str) -> Option<&'q str> {
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
    (*subquery == scoped_query(&table.value, tenant)).then_some(table.value.as_str())
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
        let factor = scoped_relation("dim_contacts", "acme_corp", alias);
        assert_eq!(
            factor.to_string(),
            "(SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp') AS c"
        );
    }

    #[test]
    fn a_quote_in_the_tenant_stays_inside_the_literal() {
        let q = scoped_query("dim_contacts", "x' OR '1'='1");
        assert_eq!(q.to_string(), "SELECT * FROM marts.dim_contacts WHERE tenant_id = 'x'' OR ''1''=''1'");
    }

    #[test]
    fn recognises_only_its_own_wrapper_for_the_same_tenant() {
        let q = scoped_query("dim_contacts", "acme_corp");
        assert_eq!(scoped_table_of(&q, "acme_corp"), Some("dim_contacts"));
        assert_eq!(scoped_table_of(&q, "globex"), None);
    }
}
