//! Relation resolution with real scoping, and the tenant rewrite of every base table.
//!
//! The walk is explicit (not a generic visitor) because a name's meaning depends on where it sits: a CTE
//! is visible to the CTEs after it and to its query's body, a nested `WITH` opens its own scope, and a
//! qualified name is never a CTE. Every struct is destructured field by field, so a sqlparser upgrade that
//! adds a clause fails to compile here instead of slipping past the guard.
//!
//! The walk also tallies what the engine will plan ([`Cost`]): only it knows which name is a CTE, and a CTE
//! costs its whole body at every reference, because engines inline it.

use crate::catalog::{Catalog, SCHEMA, TENANT_COLUMN};
use crate::cost::{self, Cost};
use crate::expression;
use crate::rejection::{Rejection, excerpt};
use crate::row_filter::{RowDimension, RowPlan, filtered_query, filtered_table_of};
use crate::statement::{keyword_of, not_a_query};
use crate::tenant_filter::{scoped_relation, scoped_table_of};
use inda_core::Scope;
use sqlparser::ast::{
    Cte, Expr, Function, FunctionArgumentClause, FunctionArguments, Ident, NamedWindowDefinition,
    NamedWindowExpr, ObjectName, ObjectNamePart, OrderBy, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableAlias, TableFactor, TableWithJoins, WindowType, With,
};
use std::collections::BTreeSet;

/// Walks one query, rewriting base tables in place and remembering which ones it read.
pub(crate) struct Walker<'a> {
    catalog: &'a Catalog,
    tenant: &'a Scope,
    /// The CTEs of each `WITH` being walked, innermost last.
    ctes: Vec<Vec<CteInScope>>,
    /// Canonical names of the marts tables read.
    pub(crate) tables: BTreeSet<&'a str>,
    /// The tally of the query being walked; each nested query starts its own and hands it back.
    cost: Cost,
    /// CTE definitions walked so far, in the whole statement.
    pub(crate) cte_count: usize,
    /// A SELECT of a scope of several tenants joins relations without matching the tenant (see
    /// [`matches_tenant`]).
    pub(crate) crosses_tenants: bool,
    /// Row filters to add inside every wrapper, next to the tenant filter (none: the wrapper is the tenant
    /// filter alone).
    filters: Option<&'a RowPlan<'a>>,
    /// The row-filter dimensions some wrapper applied.
    pub(crate) filtered: BTreeSet<RowDimension>,
}

/// A CTE visible to the query being walked.
struct CteInScope {
    /// Spelled as defined.
    name: Ident,
    /// What one reference to it costs.
    cost: Cost,
    /// Engines plan a CTE even when nothing reads it, so an unread one is charged once when its scope ends.
    read: bool,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(catalog: &'a Catalog, tenant: &'a Scope) -> Self {
        Walker {
            catalog,
            tenant,
            ctes: Vec::new(),
            tables: BTreeSet::new(),
            cost: Cost::query(),
            cte_count: 0,
            crosses_tenants: false,
            filters: None,
            filtered: BTreeSet::new(),
        }
    }

    /// The same walker, adding `plan`'s row filters inside every wrapper.
    pub(crate) fn with_filters(mut self, plan: &'a RowPlan<'a>) -> Self {
        self.filters = Some(plan);
        self
    }

    /// Checks and rewrites `query`, and returns what planning it costs.
    pub(crate) fn query(&mut self, query: &mut Query) -> Result<Cost, Rejection> {
        let outer = std::mem::replace(&mut self.cost, Cost::query());
        self.query_body(query)?;
        Ok(std::mem::replace(&mut self.cost, outer))
    }

    /// Charges a subquery found in one of the current query's expressions.
    pub(crate) fn add_subquery(&mut self, subquery: &Cost) {
        self.cost.add_subquery(subquery);
    }

    /// Charges a function call: a window, and the sort keys it brings.
    pub(crate) fn add_call(&mut self, function: &Function) -> Result<(), Rejection> {
        match &function.over {
            Some(WindowType::WindowSpec(spec)) => {
                cost::check_keys(spec.partition_by.len())?;
                cost::check_keys(spec.order_by.len())?;
                self.cost.windows = self.cost.windows.saturating_add(1);
            }
            Some(WindowType::NamedWindow(_)) => self.cost.windows = self.cost.windows.saturating_add(1),
            None => {}
        }
        cost::check_keys(function.within_group.len())?;
        if let FunctionArguments::List(list) = &function.args {
            for clause in &list.clauses {
                if let FunctionArgumentClause::OrderBy(keys) = clause {
                    cost::check_keys(keys.len())?;
                }
            }
        }
        Ok(())
    }

    /// Charges the extra terms of an expression node under nested conditionals.
    pub(crate) fn add_conditional_terms(&mut self, terms: usize) {
        self.cost.conditional_terms = self.cost.conditional_terms.saturating_add(terms);
    }

    fn query_body(&mut self, query: &mut Query) -> Result<(), Rejection> {
        let Query {
            with,
            body,
            order_by,
            limit_clause,
            fetch,
            locks,
            for_clause,
            settings,
            format_clause,
            pipe_operators,
        } = query;
        if !locks.is_empty() {
            return Err(Rejection::new("locking clauses (FOR UPDATE, FOR SHARE) are not allowed"));
        }
        if for_clause.is_some() || settings.is_some() || format_clause.is_some() {
            return Err(Rejection::new("FOR, SETTINGS and FORMAT clauses are not supported"));
        }
        if !pipe_operators.is_empty() {
            return Err(Rejection::new("pipe operators (|>) are not supported"));
        }
        let opened_scope = match with {
            Some(with) => {
                self.with(with)?;
                true
            }
            None => false,
        };
        self.set_expr(body)?;
        if let Some(OrderBy { kind: OrderByKind::Expressions(keys), interpolate: _ }) = order_by {
            cost::check_keys(keys.len())?;
        }
        // ORDER BY and LIMIT see the query's CTEs, so they are checked before its scope closes.
        expression::check(order_by, self)?;
        expression::check(limit_clause, self)?;
        expression::check(fetch, self)?;
        if opened_scope {
            for unread in self.ctes.pop().into_iter().flatten().filter(|cte| !cte.read) {
                self.cost.add_nested(&unread.cost);
            }
        }
        Ok(())
    }

    fn with(&mut self, with: &mut With) -> Result<(), Rejection> {
        if with.recursive {
            return Err(Rejection::new(
                "WITH RECURSIVE is not allowed: recursive queries have unbounded cost",
            ));
        }
        self.ctes.push(Vec::with_capacity(with.cte_tables.len()));
        self.cte_count = self.cte_count.saturating_add(with.cte_tables.len());
        for cte in &mut with.cte_tables {
            let Cte { alias, query, from, materialized: _, closing_paren_token: _ } = cte;
            if from.is_some() {
                return Err(Rejection::new("WITH … FROM is not supported"));
            }
            // Walked before its name is in scope: a CTE sees the ones before it, never itself or later ones.
            let cost = self.query(query)?;
            let name = &alias.name;
            let frame = self.ctes.last_mut().ok_or_else(|| Rejection::new("internal: CTE scope lost"))?;
            if frame.iter().any(|defined| defined.name.value.eq_ignore_ascii_case(&name.value)) {
                return Err(Rejection::new(format!(
                    "the CTE {} is defined twice in one WITH clause",
                    excerpt(&name.to_string())
                )));
            }
            frame.push(CteInScope { name: name.clone(), cost, read: false });
        }
        Ok(())
    }

    fn set_expr(&mut self, body: &mut SetExpr) -> Result<(), Rejection> {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(query) => {
                let cost = self.query(query)?;
                self.cost.add_nested(&cost);
                Ok(())
            }
            SetExpr::SetOperation { left, right, op: _, set_quantifier: _ } => {
                self.cost.set_operations = self.cost.set_operations.saturating_add(1);
                self.set_expr(left)?;
                self.set_expr(right)
            }
            SetExpr::Values(values) => expression::check(values, self),
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => Err(not_a_query(&keyword_of(statement))),
            SetExpr::Table(_) => {
                Err(Rejection::new("TABLE <name> is not supported: write SELECT * FROM <name>"))
            }
        }
    }

    fn select(&mut self, select: &mut Select) -> Result<(), Rejection> {
        let Select {
            select_token: _,
            distinct,
            top,
            top_before_distinct: _,
            projection,
            exclude,
            into,
            from,
            lateral_views,
            prewhere,
            selection,
            group_by,
            cluster_by,
            distribute_by,
            sort_by,
            having,
            named_window,
            qualify,
            window_before_qualify: _,
            value_table_mode,
            connect_by,
            flavor: _,
        } = select;
        if into.is_some() {
            return Err(Rejection::new("SELECT INTO is not allowed: queries cannot create tables"));
        }
        if !lateral_views.is_empty() {
            return Err(Rejection::new("LATERAL VIEW is not supported"));
        }
        if connect_by.is_some() {
            return Err(Rejection::new(
                "CONNECT BY is not allowed: hierarchical queries have unbounded cost",
            ));
        }
        if value_table_mode.is_some() {
            return Err(Rejection::new("SELECT AS STRUCT / AS VALUE is not supported"));
        }
        let joined = from.iter().map(joined_relations).sum();
        cost::check_joined(joined)?;
        if self.tenant.single().is_none() && joined > 1 && !matches_tenant(from, selection.as_ref()) {
            self.crosses_tenants = true;
        }
        for relation in from.iter_mut() {
            self.table_with_joins(relation)?;
        }
        for item in projection.iter_mut() {
            if let SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) = item
            {
                unqualify_object_name(name, self.catalog);
            }
        }
        let grouped = cost::grouping(group_by)?;
        self.cost.selected = self.cost.selected.saturating_add(projection.len()).saturating_add(grouped);
        for NamedWindowDefinition(_, window) in named_window.iter() {
            if let NamedWindowExpr::WindowSpec(spec) = window {
                cost::check_keys(spec.partition_by.len())?;
                cost::check_keys(spec.order_by.len())?;
            }
        }
        expression::check(distinct, self)?;
        expression::check(top, self)?;
        expression::check(projection, self)?;
        expression::check(exclude, self)?;
        expression::check(prewhere, self)?;
        expression::check(selection, self)?;
        expression::check(group_by, self)?;
        expression::check(cluster_by, self)?;
        expression::check(distribute_by, self)?;
        expression::check(sort_by, self)?;
        expression::check(having, self)?;
        expression::check(named_window, self)?;
        expression::check(qualify, self)
    }

    fn table_with_joins(&mut self, relation: &mut TableWithJoins) -> Result<(), Rejection> {
        self.relation(&mut relation.relation)?;
        for join in &mut relation.joins {
            self.relation(&mut join.relation)?;
            expression::check(&mut join.join_operator, self)?;
        }
        Ok(())
    }

    fn relation(&mut self, factor: &mut TableFactor) -> Result<(), Rejection> {
        match factor {
            TableFactor::Table { .. } => self.named_relation(factor),
            TableFactor::Derived { lateral, subquery, alias: _ } => {
                if !*lateral {
                    let tenant = self.tenant;
                    // Only the canonical spelling counts as the guard's own wrapper.
                    let own = match self.filters {
                        None => scoped_table_of(subquery, tenant).map(|t| (t, vec![])),
                        Some(plan) => filtered_table_of(subquery, tenant, plan),
                    }
                    .and_then(|(t, applied)| self.scoped_table(t).filter(|c| *c == t).map(|c| (c, applied)));
                    if let Some((table, applied)) = own {
                        // Charged like the base table it stands for, so guarding the output again tallies the same.
                        self.filtered.extend(applied);
                        self.tables.insert(table);
                        self.cost.add_table();
                        return Ok(());
                    }
                }
                let cost = self.query(subquery)?;
                self.cost.add_nested(&cost);
                Ok(())
            }
            TableFactor::NestedJoin { table_with_joins, alias: _ } => self.table_with_joins(table_with_joins),
            TableFactor::Function { name, .. } => Err(table_function(&name.to_string())),
            TableFactor::TableFunction { expr, .. } => Err(table_function(&match expr {
                Expr::Function(function) => format!("TABLE({})", function.name),
                other => format!("TABLE({other})"),
            })),
            TableFactor::UNNEST { .. } => Err(table_function("UNNEST")),
            TableFactor::JsonTable { .. } => Err(table_function("JSON_TABLE")),
            TableFactor::OpenJsonTable { .. } => Err(table_function("OPENJSON")),
            TableFactor::XmlTable { .. } => Err(table_function("XMLTABLE")),
            TableFactor::Pivot { .. } | TableFactor::Unpivot { .. } => {
                Err(Rejection::new("PIVOT and UNPIVOT are not supported: use GROUP BY with CASE"))
            }
            TableFactor::MatchRecognize { .. } => Err(Rejection::new("MATCH_RECOGNIZE is not supported")),
            TableFactor::SemanticView { .. } => Err(Rejection::new("semantic views are not supported")),
        }
    }

    /// A name in FROM: a CTE in scope (left alone, spelled as defined) or a marts table (wrapped).
    fn named_relation(&mut self, factor: &mut TableFactor) -> Result<(), Rejection> {
        let TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_hints,
        } = factor
        else {
            return Err(Rejection::new("internal: expected a named relation"));
        };
        if args.is_some() {
            return Err(table_function(&name.to_string()));
        }
        if version.is_some() {
            return Err(Rejection::new("time travel (AT / BEFORE) is not allowed"));
        }
        if sample.is_some() {
            return Err(Rejection::new("SAMPLE / TABLESAMPLE is not supported"));
        }
        if !with_hints.is_empty()
            || !index_hints.is_empty()
            || !partitions.is_empty()
            || json_path.is_some()
            || *with_ordinality
        {
            return Err(Rejection::new(format!(
                "table hints, partitions and paths are not supported (on {})",
                excerpt(&name.to_string())
            )));
        }
        let parts = identifiers(name)?;
        let table = match parts.as_slice() {
            [single] => {
                if let Some((cte, cost)) = self.read_cte(single) {
                    self.cost.add_nested(&cost);
                    // Spell the reference exactly like the definition, so no engine's case or quoting rules
                    // can resolve it to a base table of the same name instead.
                    if cte != **single {
                        if alias.is_none() {
                            *alias = Some(TableAlias { name: (*single).clone(), columns: vec![] });
                        }
                        *name = ObjectName::from(vec![cte]);
                    }
                    return Ok(());
                }
                single
            }
            [schema, table] if schema.value.eq_ignore_ascii_case(SCHEMA) => table,
            [_database, schema, table] if schema.value.eq_ignore_ascii_case(SCHEMA) => table,
            _ => return Err(unavailable(name, self.catalog)),
        };
        let catalog: &'a Catalog = self.catalog;
        let canonical = match catalog.canonical(&table.value) {
            Some(canonical) if table.quote_style != Some('\'') => canonical,
            _ => return Err(unavailable(name, catalog)),
        };
        if !catalog.is_tenant_scoped(canonical) {
            return Err(Rejection::new(format!(
                "table {SCHEMA}.{canonical} has no tenant_id column, so it cannot be limited to your tenant"
            )));
        }
        let alias = alias.take().unwrap_or_else(|| TableAlias { name: (*table).clone(), columns: vec![] });
        self.tables.insert(canonical);
        self.cost.add_table();
        *factor = match self.filters {
            None => scoped_relation(canonical, self.tenant, alias),
            Some(plan) => {
                let (subquery, applied) = filtered_query(canonical, self.tenant, plan);
                self.filtered.extend(applied);
                TableFactor::Derived { lateral: false, subquery: Box::new(subquery), alias: Some(alias) }
            }
        };
        Ok(())
    }

    /// Whether `table` names a catalog table (any ASCII case).
    pub(crate) fn is_catalog_table(&self, table: &str) -> bool {
        self.catalog.canonical(table).is_some()
    }

    /// The CTE a single-part name refers to, innermost scope first, as defined and with what reading it
    /// costs; it is marked as read.
    fn read_cte(&mut self, name: &Ident) -> Option<(Ident, Cost)> {
        let cte = self
            .ctes
            .iter_mut()
            .rev()
            .flat_map(|frame| frame.iter_mut().rev())
            .find(|defined| defined.name.value.eq_ignore_ascii_case(&name.value))?;
        cte.read = true;
        Some((cte.name.clone(), cte.cost))
    }

    /// The canonical name of a catalog table that can be tenant-filtered.
    fn scoped_table(&self, table: &str) -> Option<&'a str> {
        let catalog: &'a Catalog = self.catalog;
        catalog.canonical(table).filter(|canonical| catalog.is_tenant_scoped(canonical))
    }
}

/// The plain identifiers of a name; `IDENTIFIER('…')` and other computed parts are refused, since their
/// target is only known at run time.
fn identifiers(name: &ObjectName) -> Result<Vec<&Ident>, Rejection> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Ok(ident),
            ObjectNamePart::Function(_) => Err(Rejection::new(format!(
                "{} is not allowed: table names must be written out",
                excerpt(&name.to_string())
            ))),
        })
        .collect()
}

/// The relations a FROM item joins: its first relation and each joined one, parenthesised joins counted by
/// their members.
/// Whether a FROM of several relations matches them on the tenant: a NATURAL join, or the tenant column in a
/// join condition or in WHERE. Ids repeat across tenants, so over a scope of several a join that matches
/// none pairs rows of different companies. A hint for a caveat read from the rendered clauses, not a rule:
/// each table's tenant filter stands whatever this says.
fn matches_tenant(from: &[TableWithJoins], selection: Option<&Expr>) -> bool {
    let names_tenant = |text: &str| text.to_ascii_lowercase().contains(TENANT_COLUMN);
    let joins = from.iter().flat_map(|t| &t.joins);
    selection.is_some_and(|e| names_tenant(&e.to_string()))
        || joins
            .map(|j| format!("{:?}", j.join_operator))
            .any(|op| op.contains("Natural") || names_tenant(&op))
}

fn joined_relations(relation: &TableWithJoins) -> usize {
    let factor = |factor: &TableFactor| match factor {
        TableFactor::NestedJoin { table_with_joins, alias: _ } => joined_relations(table_with_joins),
        _ => 1,
    };
    factor(&relation.relation) + relation.joins.iter().map(|join| factor(&join.relation)).sum::<usize>()
}

fn table_function(name: &str) -> Rejection {
    Rejection::new(format!("table functions are not allowed in FROM (found {})", excerpt(name)))
}

fn unavailable(name: &ObjectName, catalog: &Catalog) -> Rejection {
    let written = excerpt(&name.to_string());
    let path_like = name.0.iter().any(|part| match part {
        ObjectNamePart::Identifier(ident) => {
            ident.quote_style == Some('\'') || ident.value.contains(['/', '\\', '.', ':', '@'])
        }
        ObjectNamePart::Function(_) => false,
    });
    if path_like {
        return Rejection::new(format!(
            "{written} is not available: files and stages cannot be queried, only marts tables"
        ));
    }
    let in_marts = match name.0.as_slice() {
        [_] => true,
        [.., ObjectNamePart::Identifier(schema), _] => schema.value.eq_ignore_ascii_case(SCHEMA),
        _ => false,
    };
    if in_marts {
        Rejection::new(format!(
            "table {written} is not available: the marts tables are {}",
            catalog.listing()
        ))
    } else {
        Rejection::new(format!("table {written} is not available: only marts tables can be queried"))
    }
}

/// `marts.dim_contacts.*` → `dim_contacts.*`: once wrapped, the table is only known by its alias.
fn unqualify_object_name(name: &mut ObjectName, catalog: &Catalog) {
    let parts = &name.0;
    let n = parts.len();
    if n < 2 {
        return;
    }
    let is_marts_table = matches!(
        (&parts[n - 2], &parts[n - 1]),
        (ObjectNamePart::Identifier(schema), ObjectNamePart::Identifier(table))
            if schema.value.eq_ignore_ascii_case(SCHEMA) && catalog.canonical(&table.value).is_some()
    );
    if is_marts_table && n <= 3 {
        name.0.drain(..n - 1);
    }
}
