//! Intent → SQL, built as a sqlparser AST and rendered with `Display`. Only names and expressions from the
//! model, canonical values from the model, the companies of its scope (tenant ids, names and currencies from
//! the tenants directory), integers and dates go into the query; never the user's text.
//! The SQL is the portable subset of semantics.md that both DataFusion and Snowflake run.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, CaseWhen, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, GroupByExpr, Ident, Interval, Join, JoinConstraint, JoinOperator, LimitClause,
    ObjectName, ObjectNamePart, Offset, OffsetRows, OrderBy, OrderByExpr, OrderByKind, OrderByOptions, Query,
    SelectItem, SetExpr, Statement, TableAlias, TableFactor, TableWithJoins, TypedString, Value,
    helpers::attached_token::AttachedToken, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use crate::describe;
use crate::intent::{Began, DaysOfWeek, Grain, Intent, TimeRange};
use crate::lang::Lang;
use crate::model::{
    DimType, MetricDef, MetricKind, MoneyCurrency, SemanticModel, TableDef, parse_model_expr,
};
use crate::normalize::snake;
use crate::plan::{MeasureInfo, NotUnderstood, Plan};

/// Builds the plan (SQL, title, measures) of a resolved intent.
pub(crate) fn plan(model: &SemanticModel, intent: Intent, lang: Lang) -> Result<Plan, NotUnderstood> {
    let fail =
        |en: String, es: String| NotUnderstood::new(model, lang, lang.pick(&en, &es).to_string(), vec![]);
    let built = build(model, &intent, lang).map_err(|e| match e {
        BuildError::User(en, es) => fail(en, es),
        BuildError::Internal(detail) => fail(
            format!("The question could not be turned into SQL ({detail})."),
            format!("No se pudo convertir la pregunta en SQL ({detail})."),
        ),
    })?;
    let title = describe::title(model, &intent, lang);
    Ok(Plan {
        sql: built.sql,
        intent,
        lang,
        title,
        measures: built.measures,
        time_column: built.time_column,
        dimension_columns: built.dimension_columns,
        id_columns: built.id_columns,
        missing_rate_column: built.check_column,
        same_days_column: built.same_days_column,
        share_column: built.share_column,
        currency_column: built.currency_column,
    })
}

enum BuildError {
    /// Something the question asks that the model cannot answer (English, Spanish).
    User(String, String),
    /// A model or template problem; never expected with a validated model.
    Internal(String),
}

struct Built {
    sql: String,
    measures: Vec<MeasureInfo>,
    time_column: Option<String>,
    dimension_columns: Vec<String>,
    id_columns: Vec<String>,
    check_column: Option<String>,
    same_days_column: Option<String>,
    share_column: Option<String>,
    currency_column: Option<String>,
    /// Which breakdown each output column of a breakdown shows (what a drill on it filters).
    sources: Vec<(String, DimSource)>,
}

/// What a breakdown's output column shows: the dimension's own value, or a label beside its key column
/// (a contact's name beside its id), which cannot be filtered on by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DimSource {
    /// The dimension's value (for a company: its name, which stands for its tenant id).
    Value(String),
    /// A label of the dimension's rows; `key` is the output column of their key.
    Label {
        /// The output column of the dimension's key.
        key: String,
    },
}

/// The output columns of an intent's plan that a drill can use: the time bucket of a series and the
/// breakdowns' columns with what each shows (the same names [`plan`] gives them).
pub(crate) fn drill_columns(
    model: &SemanticModel,
    intent: &Intent,
    lang: Lang,
) -> (Option<String>, Vec<(String, DimSource)>) {
    match build(model, intent, lang) {
        Ok(b) => (b.time_column.filter(|_| intent.grain.is_some()), b.sources),
        Err(_) => (None, Vec::new()),
    }
}

/// The check column of converted answers (see [`Plan::missing_rate_column`]).
pub const MISSING_RATE_COLUMN: &str = "missing_fx_rate_rows";

fn internal(e: impl std::fmt::Display) -> BuildError {
    BuildError::Internal(e.to_string())
}

/// Column references: qualified with the table alias only when the query joins (like the gold SQL).
struct Scope<'a> {
    base: &'a TableDef,
    qualify: bool,
    /// The exchange-rate table, when converted metrics join it: its columns in metric expressions are its own.
    rates: Option<&'a TableDef>,
    /// "Revenue by currency": amounts stay in their own currency, so the rate drops out of expressions.
    original_amounts: bool,
    /// The tenant column every join also matches: when the model answers for several companies, whose ids
    /// overlap (contact c1 of one company is not c1 of another).
    tenant_column: Option<&'a str>,
}

impl Scope<'_> {
    fn col(&self, table: &TableDef, column: &str) -> Expr {
        if self.qualify {
            Expr::CompoundIdentifier(vec![Ident::new(&table.alias), Ident::new(column)])
        } else {
            Expr::Identifier(Ident::new(column))
        }
    }
    /// A model expression of the base table (or of the rates it joins), qualified when joining.
    fn model_expr(&self, sql: &str) -> Result<Expr, BuildError> {
        let mut e = parse_model_expr(sql).map_err(internal)?;
        if self.original_amounts {
            e = without_rate(e, self.rates);
        }
        if self.qualify {
            let _ = visit_expressions_mut(&mut e, |x| {
                if let Expr::Identifier(id) = x {
                    let table = match self.rates {
                        Some(r) if !self.base.has_column(&id.value) && r.has_column(&id.value) => r,
                        _ => self.base,
                    };
                    *x = Expr::CompoundIdentifier(vec![Ident::new(&table.alias), id.clone()]);
                }
                ControlFlow::<()>::Continue(())
            });
        }
        Ok(e)
    }
}

fn build(model: &SemanticModel, intent: &Intent, lang: Lang) -> Result<Built, BuildError> {
    let user = |en: &str, es: &str| BuildError::User(en.to_string(), es.to_string());
    let metrics: Vec<&MetricDef> = intent
        .metrics
        .iter()
        .map(|m| model.metric(m).ok_or_else(|| internal(format!("unknown metric {m}"))))
        .collect::<Result<_, _>>()?;
    let first = metrics.first().ok_or_else(|| user("Nothing to measure.", "Nada que medir."))?;
    if metrics.iter().any(|m| m.table != first.table || m.time_column != first.time_column) {
        return side_by_side(model, intent, lang);
    }
    let base = model.table(&first.table).ok_or_else(|| internal("unknown table"))?;

    // Tables the breakdowns and filters need, joined from the metric's table.
    let mut joined: Vec<&TableDef> = Vec::new();
    let subset_filters = intent.share_of.iter().flat_map(|s| s.filters.iter());
    let dims_used =
        intent.breakdowns.iter().chain(intent.filters.iter().chain(subset_filters).map(|f| &f.dimension));
    let dim_tables = dims_used
        .map(|d| {
            model.dimension(d).map(|x| &x.table).ok_or_else(|| internal(format!("unknown dimension {d}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for table in dim_tables.into_iter().chain(intent.began.iter().map(|b| &b.table)) {
        if *table != base.name && !joined.iter().any(|t| t.name == *table) {
            if model.join(&base.name, table).is_none() {
                return Err(user(
                    "That breakdown or filter does not apply to this measure.",
                    "Ese desglose o filtro no aplica a esta medida.",
                ));
            }
            joined.push(model.table(table).ok_or_else(|| internal("unknown table"))?);
        }
    }
    let money = money_join(model, intent, &metrics, base)?;
    let scope = Scope {
        base,
        qualify: !joined.is_empty() || money.rates.is_some(),
        rates: money.rates,
        original_amounts: money.original_amounts,
        tenant_column: model.join_tenant_column(),
    };
    let table_of = |name: &str| -> Result<&TableDef, BuildError> {
        model.table(name).ok_or_else(|| internal(format!("unknown table {name}")))
    };

    // Metric filters shared by every metric go to WHERE; the rest become conditional aggregates.
    let common: Vec<&String> =
        first.filter.iter().filter(|f| metrics.iter().all(|m| m.filter.contains(*f))).collect();
    let mut where_parts: Vec<Expr> = Vec::new();
    for f in &common {
        where_parts.push(scope.model_expr(f)?);
    }
    let mut projection: Vec<SelectItem> = Vec::new();
    let mut group_by: Vec<Expr> = Vec::new();
    let mut order_by: Vec<OrderByExpr> = Vec::new();
    let mut output_names: Vec<String> = Vec::new();
    // Only a date the table declares: a column named by the intent is checked, never trusted.
    let other_date = intent.date_column.as_ref().filter(|c| base.dates.iter().any(|d| d.column == **c));
    let time_col = scope.col(base, other_date.unwrap_or(&first.time_column));

    // Time bucket of a series, or the period of a comparison.
    let mut bucket: Option<String> = None;
    if let Some(g) = intent.grain {
        let alias =
            model.grain(g).map(|d| d.label.get(lang).clone()).unwrap_or_else(|| g.as_str().to_string());
        let e = date_trunc(g, time_col.clone());
        projection.push(SelectItem::ExprWithAlias { expr: e.clone(), alias: Ident::new(&alias) });
        group_by.push(e);
        output_names.push(alias.clone());
        bucket = Some(alias);
    }
    let mut time_filter: Option<Expr> = None;
    let mut change_periods: Option<(Expr, Expr)> = None;
    if let Some(range) = &intent.time_range {
        let (start_a, cond_a) = range_condition(range, &time_col);
        match &intent.comparison {
            // A change is one row: each period's rows are told apart in the measures, not grouped.
            Some(other) if intent.change => {
                let (_, mut cond_b) = range_condition(other, &time_col);
                if let Some(unit) = running_vs_previous(intent) {
                    cond_b = cmp(cond_b, BinaryOperator::And, same_days(unit, &time_col));
                }
                time_filter = Some(Expr::Nested(Box::new(or(cond_a.clone(), cond_b.clone()))));
                change_periods = Some((cond_a, cond_b));
            }
            Some(other) => {
                let (start_b, cond_b) = range_condition(other, &time_col);
                let alias = lang.pick("period", "periodo").to_string();
                let period = case_when(vec![(cond_a.clone(), start_a), (cond_b.clone(), start_b)], None);
                projection
                    .push(SelectItem::ExprWithAlias { expr: period.clone(), alias: Ident::new(&alias) });
                group_by.push(period);
                output_names.push(alias.clone());
                bucket = Some(alias);
                time_filter = Some(Expr::Nested(Box::new(or(cond_a, cond_b))));
            }
            None => time_filter = Some(cond_a),
        }
    }

    // Breakdown columns (a contact is its id and its name).
    let mut dimension_columns = Vec::new();
    let mut id_columns = Vec::new();
    let mut dim_exprs = Vec::new();
    let mut sources = Vec::new();
    for d in &intent.breakdowns {
        let dim = model.dimension(d).ok_or_else(|| internal(format!("unknown dimension {d}")))?;
        let t = table_of(&dim.table)?;
        if dim.company {
            // The company by name, not its tenant id.
            let name = dim.output_column().to_string();
            let at = push_computed(&mut projection, company_label(model, scope.col(t, &dim.column)), &name);
            group_by.push(at.clone());
            dim_exprs.push(at);
            output_names.push(name.clone());
            sources.push((name.clone(), DimSource::Value(d.clone())));
            dimension_columns.push(name);
            continue;
        }
        // "Which 3 templates had the most failures": a row with no template is no template to rank.
        if intent.top_n.is_some() && t.nullable(&dim.column) && dim.value_type != DimType::Present {
            where_parts.push(Expr::IsNotNull(Box::new(scope.col(t, &dim.column))));
        }
        for column in std::iter::once(&dim.column).chain(dim.label_column.iter()) {
            let (e, name) = match dim.value_type {
                DimType::Present => (Expr::IsNotNull(Box::new(scope.col(t, column))), dim.name.clone()),
                _ if output_names.contains(column) => (scope.col(t, column), dim.name.clone()),
                _ => (scope.col(t, column), column.clone()),
            };
            if &name == column {
                projection.push(SelectItem::UnnamedExpr(e.clone()));
            } else {
                projection.push(SelectItem::ExprWithAlias { expr: e.clone(), alias: Ident::new(&name) });
            }
            group_by.push(e.clone());
            dim_exprs.push(e);
            output_names.push(name.clone());
            if dim.label_column.is_some() && column == &dim.column {
                id_columns.push(name.clone());
            }
            let source = match sources.last() {
                Some((key, DimSource::Value(of))) if column != &dim.column && of == d => {
                    DimSource::Label { key: key.clone() }
                }
                _ => DimSource::Value(d.clone()),
            };
            sources.push((name.clone(), source));
            dimension_columns.push(name);
        }
        // A company's own things (its contacts, its campaigns) are another company's namesakes, never the
        // same: across several companies each row also names its company.
        let owned = dim.label_column.is_some() || (dim.data_values && !dim.places);
        let has_company = intent.breakdowns.iter().any(|b| model.dimension(b).is_some_and(|x| x.company))
            || output_names.iter().any(|n| n == COMPANY);
        if let (true, false, Some(tc)) = (owned, has_company, scope.tenant_column) {
            let at = push_computed(&mut projection, company_label(model, scope.col(t, tc)), COMPANY);
            group_by.push(at.clone());
            dim_exprs.push(at);
            output_names.push(COMPANY.to_string());
            dimension_columns.push(COMPANY.to_string());
            // The company of these rows: the company dimension of the same table.
            if let Some(c) = model.dimensions().iter().find(|x| x.company && x.table == t.name) {
                sources.push((COMPANY.to_string(), DimSource::Value(c.name.clone())));
            }
        }
    }

    // Money of companies with different reporting currencies: one row per currency, never added up.
    let currency_split =
        split_currency(model, intent, &metrics, &scope, base, &output_names).map(|(name, e)| {
            let at = push_computed(&mut projection, e, &name);
            group_by.push(at.clone());
            output_names.push(name.clone());
            (name, at)
        });

    // Measures.
    let mut measures = Vec::new();
    let mut own_rows = Vec::new();
    let mut first_rows = None;
    for (i, m) in metrics.iter().enumerate() {
        let residual: Vec<&String> = m.filter.iter().filter(|f| !common.contains(f)).collect();
        let mut e = scope.model_expr(&m.expr)?;
        if !residual.is_empty() {
            if m.kind == MetricKind::Ratio {
                return Err(user(
                    "A rate cannot be combined with measures of a different population; ask for it separately.",
                    "Una tasa no se puede combinar con medidas de otra población; pídela por separado.",
                ));
            }
            let cond = and_all(residual.iter().map(|f| scope.model_expr(f)).collect::<Result<Vec<_>, _>>()?)
                .ok_or_else(|| internal("empty filter"))?;
            e = conditional_aggregate(e, &cond);
            // "Revenue and support tickets by stage": a stage with tickets and no sales has 0 revenue, not none.
            if m.kind == MetricKind::Sum {
                e = function("COALESCE", vec![e, number(0)]);
            }
            if i == 0 {
                first_rows = Some(cond.clone());
            }
            own_rows.push(cond);
        }
        let label = describe::metric_label(model, &m.name, lang);
        let alias = snake(&label);
        let currency = m.currency.filter(|_| !money.original_amounts);
        let unit = m.unit.as_ref().map(|u| u.get(lang).clone());
        let info = MeasureInfo { name: alias, label, format: m.format, kind: m.kind, currency, unit };
        match &change_periods {
            Some(periods) => change_measures(e, periods, info, lang, &mut projection, &mut measures),
            None => {
                projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(&info.name) });
                measures.push(info);
            }
        }
    }
    output_names.extend(measures.iter().map(|m| m.name.clone()));
    // "This month vs last month" while this month runs: the first measure over the same days of both.
    let mut same_days_column = None;
    if let (Some(unit), Some(m), Some(mi), false) =
        (running_vs_previous(intent), metrics.first(), measures.first(), intent.change)
    {
        let name = format!("{}_{}", mi.name, lang.pick("same_days", "mismos_dias"));
        // Of the first measure's own rows only ("purchases and refunds this month vs last month": the
        // purchases' same days, not every activity's).
        let days = same_days(unit, &time_col);
        let cond = match first_rows {
            Some(rows) => cmp(nested_if_or(rows), BinaryOperator::And, days),
            None => days,
        };
        let e = conditional_aggregate(scope.model_expr(&m.expr)?, &cond);
        projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(&name) });
        same_days_column = Some(name);
    }
    // Only over the metric's own rows: an inner join to a breakdown's table (campaigns) leaves out the rows
    // it does not match, and the share would be of less than the whole.
    let share_column = share_of_total(intent, &measures, &projection, &group_by, bucket.is_some(), lang)
        .filter(|_| {
            currency_split.is_none() && (joined.is_empty() || shares_through_join(model, base, intent))
        })
        .map(|(name, e)| {
            projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(&name) });
            name
        });
    let check_column = match scope.rates {
        Some(rates) => {
            let (name, e) = missing_rate_check(model, &scope, rates)?;
            projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(&name) });
            Some(name)
        }
        None => None,
    };

    // "Support tickets and refunds by channel": when every measure reads only some rows, the rows of none
    // of them are left out, so that no group shows only zeros (a channel with page views alone).
    if own_rows.len() == metrics.len() && metrics.len() > 1 {
        let any = own_rows.into_iter().reduce(or).ok_or_else(|| internal("no measure"))?;
        where_parts.push(Expr::Nested(Box::new(any)));
    }
    // Filters of the question, then time.
    for f in &intent.filters {
        where_parts.extend(filter_expr(model, &scope, f)?);
    }
    for b in &intent.began {
        where_parts.push(began_condition(model, &scope, b)?);
    }
    where_parts.extend(time_filter);
    if let Some(unit) = intent.complete_only {
        where_parts.push(cmp(time_col.clone(), BinaryOperator::Lt, date_trunc(unit, current_date())));
    }
    where_parts.extend(intent.days.map(|d| days_condition(d, &time_col)));
    // An average per period reads complete periods only: the running one would pull it down.
    if let (true, Some(g)) = (intent.per_period, intent.grain) {
        where_parts.push(cmp(time_col.clone(), BinaryOperator::Lt, date_trunc(g, current_date())));
    }
    if let Some(subset) = &intent.share_of {
        let (name, e) = share_measure(model, &scope, first, subset, lang)?;
        let label = share_label(model, first, lang);
        projection.retain(|p| !matches!(p, SelectItem::ExprWithAlias { alias, .. } if measures.iter().any(|m| m.name == alias.value)));
        projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(&name) });
        measures = vec![MeasureInfo {
            name,
            label,
            format: crate::model::MeasureFormat::Percent,
            kind: MetricKind::Ratio,
            currency: None,
            unit: None,
        }];
    }
    let mut list_currency = None;
    if intent.list {
        // The rows themselves: the table's list columns, no aggregate.
        projection = base.list_columns.iter().map(|c| SelectItem::UnnamedExpr(scope.col(base, c))).collect();
        group_by.clear();
        measures.clear();
        // Rows of several companies: whose each row is, and the currency of its money when they differ.
        if let Some(tc) = scope.tenant_column {
            let company = company_label(model, scope.col(base, tc));
            let mut front = vec![SelectItem::ExprWithAlias { expr: company, alias: Ident::new(COMPANY) }];
            dimension_columns = vec![COMPANY.to_string()];
            if lists_reporting_money(model, base) && asked_currencies(model, intent) > 1 {
                let e = company_currency(model, scope.col(base, tc));
                front.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::new(CURRENCY) });
                list_currency = Some(CURRENCY.to_string());
            }
            projection.splice(0..0, front);
            order_by.push(order(ordinal(1), true));
        }
        // "The newest contacts": by the table's time, before the names.
        if let Some(sort) = intent.sort.as_ref().filter(|s| s.metric.is_none()) {
            // Rows with no time yet (a draft campaign) come last either way.
            let mut by = order(time_col.clone(), !sort.descending);
            by.options.nulls_first = Some(false);
            order_by.push(by);
        }
        if let Some(c) = base.list_columns.first() {
            order_by.push(order(scope.col(base, c), true));
        }
    }

    // Order: explicit sort, else series by time, else breakdowns by the first metric, largest first.
    let metric_alias = |name: &str| -> Option<String> {
        intent.metrics.iter().position(|m| m == name).and_then(|i| measures.get(i)).map(|mi| mi.name.clone())
    };
    let first_measure = measures.first().map(|m| m.name.clone()).unwrap_or_default();
    match (&intent.sort, &bucket) {
        (Some(sort), _) => {
            let change = measures.last().filter(|_| intent.change).map(|c| c.name.clone());
            let by = match &sort.metric {
                Some(_) if change.is_some() => change,
                Some(m) => Some(metric_alias(m).unwrap_or_else(|| first_measure.clone())),
                None => bucket.clone(),
            };
            if let Some(by) = by {
                order_by.push(order(ident(&by), !sort.descending));
            }
            if let Some(b) = &bucket
                && sort.metric.is_some()
            {
                order_by.push(order(ident(b), true));
            }
        }
        (None, Some(b)) => order_by.push(order(ident(b), true)),
        (None, None) if !intent.breakdowns.is_empty() => order_by.push(order(ident(&first_measure), false)),
        _ => {}
    }
    if let Some((_, e)) = &currency_split {
        // Amounts are compared within a currency only: the currency before the first measure key.
        let at = order_by
            .iter()
            .position(
                |o| matches!(&o.expr, Expr::Identifier(id) if measures.iter().any(|m| m.name == id.value)),
            )
            .unwrap_or(order_by.len());
        order_by.insert(at, order(e.clone(), true));
    }
    if !order_by.is_empty() {
        // Ties break by the labels, so the same data always gives the same order. The expressions, not
        // output names: an unqualified `contact_id` would be ambiguous across a join.
        for e in &dim_exprs {
            order_by.push(order(e.clone(), true));
        }
    }

    // Assemble the statement from a fixed skeleton.
    let mut query = skeleton("SELECT 1 FROM s.t AS x JOIN s.u AS y ON TRUE")?;
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Err(internal("skeleton is not a SELECT"));
    };
    let mut from = select.from.pop().ok_or_else(|| internal("skeleton has no FROM"))?;
    let join_template = from.joins.pop().ok_or_else(|| internal("skeleton has no JOIN"))?;
    set_table(&mut from.relation, base, scope.qualify)?;
    for t in &joined {
        let join_def = model.join(&base.name, &t.name).ok_or_else(|| internal("missing join"))?;
        let mut j: Join = join_template.clone();
        set_table(&mut j.relation, t, true)?;
        let on = same_tenant(
            &scope,
            t,
            Expr::BinaryOp {
                left: Box::new(scope.col(base, &join_def.on)),
                op: BinaryOperator::Eq,
                right: Box::new(scope.col(t, &join_def.on)),
            },
        );
        // A table only the fraction's part reads is joined LEFT: the whole keeps the rows it has none for
        // ("what share of failed messages came from WhatsApp campaigns": messages without a campaign too).
        let reads = |d: &String| model.dimension(d).is_some_and(|x| x.table == t.name);
        let filters_read = intent.filters.iter().any(|f| reads(&f.dimension));
        // Shares by a joined table's column are of every row of the metric: rows it has no match for are
        // a group of their own (no campaign), never left out of the whole.
        let whole_reads = filters_read
            || (intent.breakdowns.iter().any(reads) && !shares_through_join(model, base, intent));
        if whole_reads {
            match &mut j.join_operator {
                JoinOperator::Join(JoinConstraint::On(e)) | JoinOperator::Inner(JoinConstraint::On(e)) => {
                    *e = on
                }
                _ => return Err(internal("unexpected join shape")),
            }
        } else {
            j.join_operator = JoinOperator::LeftOuter(JoinConstraint::On(on));
        }
        from.joins.push(j);
    }
    if let Some(rates) = scope.rates {
        from.joins.insert(0, rates_join(model, &scope, rates, &first.time_column, &join_template)?);
    }
    select.from = vec![TableWithJoins { relation: from.relation, joins: from.joins }];
    select.projection = projection;
    select.selection = and_all(where_parts);
    select.group_by = GroupByExpr::Expressions(group_by, vec![]);
    query.order_by = if order_by.is_empty() {
        None
    } else {
        Some(OrderBy { kind: OrderByKind::Expressions(order_by), interpolate: None })
    };
    query.limit_clause = intent.top_n.map(|n| match intent.nth {
        // "The second best": that one row.
        true => LimitClause::LimitOffset {
            limit: Some(number(1)),
            offset: Some(Offset { value: number(n - 1), rows: OffsetRows::None }),
            limit_by: vec![],
        },
        false => LimitClause::LimitOffset { limit: Some(number(n)), offset: None, limit_by: vec![] },
    });
    if intent.nth && currency_split.is_some() {
        return Err(user(
            "Amounts in different currencies have no one ranking; ask for the top of each company.",
            "Los montos en monedas distintas no tienen un solo ranking; pide el top de cada empresa.",
        ));
    }
    if let (Some(n), Some((name, e))) = (intent.top_n, &currency_split) {
        query = top_within_currency(query, n, name, e)?;
    }
    if intent.per_period {
        query.order_by = None;
    }
    let mut sql = Statement::Query(Box::new(query)).to_string();
    if intent.per_period {
        let simple = intent.comparison.is_none()
            && !intent.share
            && intent.share_of.is_none()
            && !intent.list
            && intent.top_n.is_none()
            && currency_split.is_none()
            && id_columns.is_empty();
        if !simple || intent.grain.is_none() {
            return Err(user(
                "An average per period can be asked alone or by a breakdown; ask for the series instead.",
                "Un promedio por período se puede pedir solo o por un desglose; pide la serie.",
            ));
        }
        sql = per_period_average(
            &sql,
            &mut measures,
            &dimension_columns,
            check_column.as_deref(),
            intent,
            lang,
        );
        bucket = None;
    }
    Ok(Built {
        sql,
        measures,
        time_column: bucket,
        dimension_columns,
        id_columns,
        check_column,
        same_days_column,
        share_column,
        currency_column: currency_split.map(|(name, _)| name).or(list_currency),
        sources,
    })
}

/// "Customers and revenue by country", "presupuesto e ingresos por campaña": measures of several tables.
/// Each table's measures are built on their own (its own time column, joins and filters), and the parts are
/// joined on their output keys (the time bucket and the breakdown columns): a group only one part has keeps
/// the others' counts and sums at 0 (no sales is 0 revenue; an average of nothing stays empty). Only plain
/// shapes; a ranking ranks the joined rows.
fn side_by_side(model: &SemanticModel, intent: &Intent, lang: Lang) -> Result<Built, BuildError> {
    let plain = !(intent.share
        || intent.share_of.is_some()
        || intent.list
        || intent.change
        || intent.comparison.is_some()
        || intent.per_period
        || intent.nth
        || !intent.began.is_empty()
        || intent.date_column.is_some());
    if !plain {
        return Err(different_data());
    }
    let groups = metrics_by_table(model, intent)?;
    let parts = side_by_side_parts(model, intent, lang, &groups)?;
    let first = parts.first().ok_or_else(|| internal("no measure"))?;
    let unlike = |p: &Built| {
        p.time_column != first.time_column
            || p.dimension_columns != first.dimension_columns
            || p.currency_column.is_some()
            || p.same_days_column.is_some()
            || p.share_column.is_some()
    };
    if parts.iter().any(unlike) {
        return Err(different_data());
    }
    let keys: Vec<&String> = first.time_column.iter().chain(&first.dimension_columns).collect();
    let JoinedColumns { items, measures, check_column } = joined_columns(intent, &groups, &parts, &keys)?;
    let mut sql = format!("SELECT {} FROM {}", items.join(", "), joined_parts(&parts, &keys));
    // "Top 5 countries": a row with no country is no country to rank.
    if intent.top_n.is_some() && !first.dimension_columns.is_empty() {
        let known: Vec<String> = first
            .dimension_columns
            .iter()
            .map(|k| format!("{} IS NOT NULL", part_key(k, parts.len())))
            .collect();
        sql.push_str(&format!(" WHERE {}", known.join(" AND ")));
    }
    if !keys.is_empty() {
        let order = side_by_side_order(intent, &measures, keys.len(), first.time_column.is_some());
        sql.push_str(&format!(" ORDER BY {order}"));
    }
    if let Some(n) = intent.top_n {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    Ok(Built {
        sql,
        measures,
        time_column: first.time_column.clone(),
        dimension_columns: first.dimension_columns.clone(),
        id_columns: first.id_columns.clone(),
        check_column,
        same_days_column: None,
        share_column: None,
        currency_column: None,
        sources: first.sources.clone(),
    })
}

fn different_data() -> BuildError {
    BuildError::User(
        "Those measures come from different data and cannot be combined in one answer; ask for them one at a time.".into(),
        "Esas medidas vienen de datos distintos y no se pueden combinar en una respuesta; pregúntalas por separado.".into(),
    )
}

/// The metrics of each table (and time column), with the table, in the order the question names them.
fn metrics_by_table(
    model: &SemanticModel,
    intent: &Intent,
) -> Result<Vec<(String, Vec<String>)>, BuildError> {
    let mut groups: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for name in &intent.metrics {
        let m = model.metric(name).ok_or_else(|| internal(format!("unknown metric {name}")))?;
        match groups.iter_mut().find(|(t, c, _)| *t == m.table && *c == m.time_column) {
            Some(group) => group.2.push(name.clone()),
            None => groups.push((&m.table, &m.time_column, vec![name.clone()])),
        }
    }
    Ok(groups.into_iter().map(|(table, _, metrics)| (table.to_string(), metrics)).collect())
}

/// Each table's measures built as a question of their own: the same breakdowns, filters and period, each
/// read on that table's rows, with no ranking (the joined rows are ranked).
fn side_by_side_parts(
    model: &SemanticModel,
    intent: &Intent,
    lang: Lang,
    groups: &[(String, Vec<String>)],
) -> Result<Vec<Built>, BuildError> {
    // Tables broken down by each of their rows ("each campaign with its channel"): their columns are the rows'.
    let by_rows: Vec<&str> = (intent.breakdowns.iter().filter_map(|b| model.dimension(b)))
        .filter(|d| model.row_dimension(&d.table).is_some_and(|r| r.name == d.name))
        .map(|d| d.table.as_str())
        .collect();
    let part = |(table, metrics): &(String, Vec<String>)| {
        let own = |d: &String| own_dimension(model, d, table, &by_rows);
        let filters = (intent.filters.iter())
            .map(|f| crate::intent::Filter { dimension: own(&f.dimension), ..f.clone() })
            .collect();
        let breakdowns = intent.breakdowns.iter().map(own).collect();
        let one = Intent {
            metrics: metrics.clone(),
            breakdowns,
            filters,
            sort: None,
            top_n: None,
            ..intent.clone()
        };
        build(model, &one, lang)
    };
    groups.iter().map(part).collect()
}

/// The alias of the `i`th part (from 0).
fn part_name(i: usize) -> String {
    format!("part_{}", i + 1)
}

/// Output key `k` of the first `n` parts joined: the first of them that has the group.
fn part_key(k: &str, n: usize) -> String {
    let of = |i: usize| format!("{}.{}", part_name(i), Ident::new(k));
    match n {
        1 => of(0),
        _ => format!("COALESCE({})", (0..n).map(of).collect::<Vec<_>>().join(", ")),
    }
}

/// The joined rows' columns (see [`joined_columns`]).
struct JoinedColumns {
    /// The SELECT list.
    items: Vec<String>,
    measures: Vec<MeasureInfo>,
    /// The name of the missing rates' check, when a part has one.
    check_column: Option<String>,
}

/// The joined rows' columns: the keys, each measure in the order the question names them (a count or sum
/// a group lacks is 0), and the parts' checks of missing rates added up.
fn joined_columns(
    intent: &Intent,
    groups: &[(String, Vec<String>)],
    parts: &[Built],
    keys: &[&String],
) -> Result<JoinedColumns, BuildError> {
    let mut items: Vec<String> =
        keys.iter().map(|k| format!("{} AS {}", part_key(k, parts.len()), Ident::new(*k))).collect();
    let mut measures = Vec::new();
    for name in &intent.metrics {
        let (i, at) = (groups.iter().enumerate())
            .find_map(|(i, g)| g.1.iter().position(|m| m == name).map(|at| (i, at)))
            .ok_or_else(|| internal("a metric of no part"))?;
        let info =
            parts[i].measures.get(at).cloned().ok_or_else(|| internal("a part without its measure"))?;
        let column = format!("{}.{}", part_name(i), Ident::new(&info.name));
        let counted = matches!(info.kind, MetricKind::Count | MetricKind::Distinct | MetricKind::Sum)
            && !keys.is_empty();
        let e = if counted { format!("COALESCE({column}, 0)") } else { column };
        items.push(format!("{e} AS {}", Ident::new(&info.name)));
        measures.push(info);
    }
    let checks: Vec<String> = (parts.iter().enumerate())
        .filter_map(|(i, p)| {
            p.check_column.as_ref().map(|c| format!("COALESCE({}.{}, 0)", part_name(i), Ident::new(c)))
        })
        .collect();
    let check_column = parts.iter().find_map(|p| p.check_column.clone());
    if let Some(c) = &check_column {
        items.push(format!("{} AS {}", checks.join(" + "), Ident::new(c)));
    }
    Ok(JoinedColumns { items, measures, check_column })
}

/// The parts joined: on every key, NULL matching NULL (a group of no country in both), FULL so that a group
/// only one part has is kept; totals (no key) side by side.
fn joined_parts(parts: &[Built], keys: &[&String]) -> String {
    let mut from = String::new();
    for (i, p) in parts.iter().enumerate() {
        let relation = format!("({}) AS {}", p.sql, part_name(i));
        match i {
            0 => from.push_str(&relation),
            _ if keys.is_empty() => from.push_str(&format!(" CROSS JOIN {relation}")),
            _ => {
                let on: Vec<String> = (keys.iter())
                    .map(|k| {
                        format!("{} IS NOT DISTINCT FROM {}.{}", part_key(k, i), part_name(i), Ident::new(*k))
                    })
                    .collect();
                from.push_str(&format!(" FULL JOIN {relation} ON {}", on.join(" AND ")));
            }
        }
    }
    from
}

/// `dimension` for rows of `table`: the same column of the same kind on the rows themselves when they have one
/// ("messaging cost and revenue by channel": a sale's own channel, a message's own), else `dimension` itself
/// through a join. A column of a table broken down by each of its rows (`by_rows`: "each campaign with its
/// channel and the messages it sent") is that row's, read through the join.
fn own_dimension(model: &SemanticModel, dimension: &str, table: &str, by_rows: &[&str]) -> String {
    let far = |d: &&crate::model::DimensionDef| d.table != table && !by_rows.contains(&d.table.as_str());
    if model.dimension(dimension).filter(far).is_none() {
        return dimension.to_string();
    }
    model.counterpart(dimension, table).map_or_else(|| dimension.to_string(), |x| x.name.clone())
}

/// The order of joined parts (at least one key), by output position: the one asked for, else a series by
/// time, else the first measure, largest first; ties by every key. `keys` come first, the time bucket (if
/// `series`) leading.
fn side_by_side_order(intent: &Intent, measures: &[MeasureInfo], keys: usize, series: bool) -> String {
    let measure_at = |metric: &str| intent.metrics.iter().position(|m| m == metric).map(|i| keys + i + 1);
    let direction = |descending: bool| if descending { "DESC NULLS LAST" } else { "ASC NULLS LAST" };
    let mut order = match (&intent.sort, series) {
        (Some(sort), _) => match sort.metric.as_deref().and_then(measure_at) {
            Some(at) => vec![format!("{at} {}", direction(sort.descending))],
            None if series => vec![format!("1 {}", direction(sort.descending))],
            None => vec![],
        },
        (None, true) => vec!["1".to_string()],
        (None, false) if !measures.is_empty() && keys > 0 => vec![format!("{} DESC NULLS LAST", keys + 1)],
        (None, false) => vec![],
    };
    let led = if series && intent.sort.as_ref().is_none_or(|s| s.metric.is_none()) { 2 } else { 1 };
    order.extend((led..=keys).map(|k| k.to_string()));
    order.join(", ")
}

/// "Average daily revenue": `inner` (each period's totals, without order or limit) averaged over its periods,
/// by the same breakdown columns; the measures become their averages (`revenue_per_day`), and the check
/// column of missing rates adds up.
fn per_period_average(
    inner: &str,
    measures: &mut [MeasureInfo],
    dims: &[String],
    check: Option<&str>,
    intent: &Intent,
    lang: Lang,
) -> String {
    let (en, es) = match intent.grain.unwrap_or(Grain::Day) {
        Grain::Day => ("per day", "por día"),
        Grain::Week => ("per week", "por semana"),
        Grain::Month => ("per month", "por mes"),
        Grain::Quarter => ("per quarter", "por trimestre"),
        Grain::Year => ("per year", "por año"),
    };
    let per = lang.pick(en, es);
    let dim_list: Vec<String> = dims.iter().map(|d| Ident::new(d).to_string()).collect();
    let mut items = dim_list.clone();
    // Over a range, each measure's total over its complete periods, a period without rows counting as
    // zero; over all time (no first period to count from), the mean of the periods that have rows.
    let divisor = intent.time_range.zip(intent.grain).map(|(r, g)| complete_periods(&r, g));
    for m in measures.iter_mut() {
        let name = snake(&format!("{} {per}", m.label));
        let value = match &divisor {
            Some(d) => format!("SUM({}) * 1.0 / NULLIF({d}, 0)", Ident::new(&m.name)),
            None => format!("AVG({})", Ident::new(&m.name)),
        };
        items.push(format!("{value} AS {}", Ident::new(&name)));
        m.name = name;
        m.label = format!("{} {per}", m.label);
        m.kind = MetricKind::Avg;
    }
    items.extend(check.map(|c| format!("SUM({c}) AS {c}")));
    let mut sql = format!("SELECT {} FROM ({inner}) AS per_period", items.join(", "));
    if !dim_list.is_empty() {
        let first = measures.first().map(|m| m.name.clone()).unwrap_or_default();
        sql.push_str(&format!(
            " GROUP BY {} ORDER BY {first} DESC, {}",
            dim_list.join(", "),
            dim_list.join(", ")
        ));
    }
    sql
}

/// Whether each group's share of the whole is computed by a breakdown on a joined table: a distribution of
/// all the rows (the join kept LEFT), not a top N, whose cut would need the rows without a group ranked too,
/// unless every row has a group (each message has a contact, so a country).
fn shares_through_join(model: &SemanticModel, base: &TableDef, intent: &Intent) -> bool {
    let every_row = |d: &String| {
        model
            .dimension(d)
            .is_some_and(|x| x.table == base.name || model.joins_every_row(&base.name, &x.table))
    };
    intent.share
        && intent.share_of.is_none()
        && (intent.top_n.is_none() || intent.breakdowns.iter().all(every_row))
}

/// Output column of the company's name (a company breakdown's, and the first of a list of several companies).
const COMPANY: &str = "company";
/// Output column of each row's reporting currency when the companies asked about have several.
const CURRENCY: &str = "currency";

/// Adds a column computed over the tenant column to the projection and returns its position, which GROUP BY
/// and ORDER BY use rather than repeat the expression (a CASE over every company of a large scope).
fn push_computed(projection: &mut Vec<SelectItem>, expr: Expr, alias: &str) -> Expr {
    projection.push(SelectItem::ExprWithAlias { expr, alias: Ident::new(alias) });
    ordinal(projection.len())
}

/// The `n`th output column (from 1), as GROUP BY and ORDER BY take it.
fn ordinal(n: usize) -> Expr {
    number(n)
}

/// A number literal: `1`, `1.0` (which makes a division exact in decimals or doubles).
fn number(n: impl ToString) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

/// `CASE a.tenant_id WHEN 'acme_corp' THEN 'Acme Corp' … END`: each row's company by name; the tenant column
/// itself while the model knows no companies. Ids and names go in as string values, quoted by the renderer.
pub(crate) fn company_label(model: &SemanticModel, tenant: Expr) -> Expr {
    let branches: Vec<(String, String)> =
        model.companies().iter().map(|c| (c.id.clone(), c.name.clone())).collect();
    if branches.is_empty() { tenant } else { simple_case(tenant, branches) }
}

/// `CASE a.tenant_id WHEN 'acme_corp' THEN 'COP' … END`: each row's company's reporting currency (NULL for
/// a company whose currency is not known).
fn company_currency(model: &SemanticModel, tenant: Expr) -> Expr {
    let branches: Vec<(String, String)> =
        model.companies().iter().filter_map(|c| Some((c.id.clone(), c.currency.clone()?))).collect();
    if branches.is_empty() { Expr::value(Value::Null) } else { simple_case(tenant, branches) }
}

fn simple_case(operand: Expr, branches: Vec<(String, String)>) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: Some(Box::new(operand)),
        conditions: branches
            .into_iter()
            .map(|(when, then)| CaseWhen { condition: string_lit(when), result: string_lit(then) })
            .collect(),
        else_result: None,
    }
}

/// `… AND a.tenant_id = c.tenant_id` when the model answers for several companies; `on` as is otherwise.
fn same_tenant(scope: &Scope, other: &TableDef, on: Expr) -> Expr {
    match scope.tenant_column {
        Some(tc) => cmp(
            cmp(scope.col(scope.base, tc), BinaryOperator::Eq, scope.col(other, tc)),
            BinaryOperator::And,
            on,
        ),
        None => on,
    }
}

/// How many reporting currencies the companies a question reads have (those its company filters keep;
/// companies whose currency is unknown count together as one more). 0 or 1: nothing to split.
pub(crate) fn asked_currencies(model: &SemanticModel, intent: &Intent) -> usize {
    let mut seen: Vec<Option<&str>> = Vec::new();
    for c in asked_companies(model, &intent.filters) {
        if !seen.contains(&c.currency.as_deref()) {
            seen.push(c.currency.as_deref());
        }
    }
    seen.len()
}

/// The companies of the model's scope that the filters on a company dimension keep.
pub(crate) fn asked_companies<'m>(
    model: &'m SemanticModel,
    filters: &[crate::intent::Filter],
) -> Vec<&'m crate::model::Company> {
    let company_filters: Vec<_> =
        filters.iter().filter(|f| model.dimension(&f.dimension).is_some_and(|d| d.company)).collect();
    model
        .companies()
        .iter()
        .filter(|c| company_filters.iter().all(|f| f.values.contains(&c.id) != f.negated))
        .collect()
}

/// The currency column of an answer whose money comes from companies with different reporting currencies:
/// its output name and expression. Only money in the reporting currency splits (counts, rates, US-dollar
/// costs and original amounts do not), and never a list (its rows carry their own currency column).
fn split_currency(
    model: &SemanticModel,
    intent: &Intent,
    metrics: &[&MetricDef],
    scope: &Scope,
    base: &TableDef,
    taken: &[String],
) -> Option<(String, Expr)> {
    let reporting_money = metrics.iter().any(|m| match m.currency {
        Some(MoneyCurrency::Converted) => !scope.original_amounts,
        Some(MoneyCurrency::Reporting) => true,
        _ => false,
    });
    if intent.list || !reporting_money || asked_currencies(model, intent) < 2 {
        return None;
    }
    let tc = model.tenant_column()?;
    let name = if taken.iter().any(|t| t == CURRENCY) { "reporting_currency" } else { CURRENCY };
    Some((name.to_string(), company_currency(model, scope.col(base, tc))))
}

/// Whether a list of `table` shows money in the reporting currency (a campaign's budget).
fn lists_reporting_money(model: &SemanticModel, table: &TableDef) -> bool {
    model.metrics().iter().any(|m| {
        m.table == table.name
            && m.currency == Some(MoneyCurrency::Reporting)
            && table
                .list_columns
                .iter()
                .any(|c| m.expr.replace(' ', "").eq_ignore_ascii_case(&format!("SUM({c})")))
    })
}

/// "Top 5 campaigns by revenue" over companies of several currencies: the top 5 of each currency (amounts
/// of two currencies are never ranked against each other). The query, without its order and limit, gains
/// `ROW_NUMBER() OVER (PARTITION BY <currency> ORDER BY <its order>)`; the rows ranked within `n` are kept,
/// by currency and rank. `currency_at` is the currency column's position.
fn top_within_currency(
    mut query: Query,
    n: u32,
    currency: &str,
    currency_at: &Expr,
) -> Result<Query, BuildError> {
    const RANK: &str = "rank_in_currency";
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Err(internal("not a SELECT"));
    };
    // A window orders by expressions: neither an output name nor a position means a column inside it.
    let items: Vec<(String, Expr)> = select
        .projection
        .iter()
        .filter_map(|p| match p {
            SelectItem::ExprWithAlias { expr, alias } => Some((alias.value.clone(), expr.clone())),
            SelectItem::UnnamedExpr(e @ Expr::Identifier(id)) => Some((id.value.clone(), e.clone())),
            SelectItem::UnnamedExpr(e @ Expr::CompoundIdentifier(parts)) => {
                parts.last().map(|p| (p.value.clone(), e.clone()))
            }
            _ => None,
        })
        .collect();
    let resolve = |e: &Expr| -> Expr {
        match e {
            Expr::Identifier(id) => items.iter().find(|(a, _)| *a == id.value).map(|(_, x)| x.clone()),
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    n.parse::<usize>().ok().and_then(|i| items.get(i.checked_sub(1)?)).map(|(_, x)| x.clone())
                }
                _ => None,
            },
            _ => None,
        }
        .unwrap_or_else(|| e.clone())
    };
    let keys: Vec<OrderByExpr> = match query.order_by.take().map(|o| o.kind) {
        Some(OrderByKind::Expressions(list)) => list
            .into_iter()
            .filter(|o| &o.expr != currency_at)
            .map(|mut o| {
                o.expr = resolve(&o.expr);
                o
            })
            .collect(),
        _ => vec![],
    };
    let outputs: Vec<&str> = items.iter().map(|(name, _)| name.as_str()).collect();
    let mut rank = function("ROW_NUMBER", vec![]);
    if let Expr::Function(f) = &mut rank {
        f.over = Some(sqlparser::ast::WindowType::WindowSpec(sqlparser::ast::WindowSpec {
            window_name: None,
            partition_by: vec![resolve(currency_at)],
            order_by: keys,
            window_frame: None,
        }));
    }
    let mut outer = skeleton(&format!(
        "SELECT {} FROM (SELECT 1) AS ranked WHERE {RANK} <= {n} ORDER BY {currency}, {RANK}",
        outputs.join(", ")
    ))?;
    select.projection.push(SelectItem::ExprWithAlias { expr: rank, alias: Ident::new(RANK) });
    query.limit_clause = None;
    let SetExpr::Select(outer_select) = outer.body.as_mut() else {
        return Err(internal("skeleton is not a SELECT"));
    };
    match outer_select.from.first_mut().map(|f| &mut f.relation) {
        Some(TableFactor::Derived { subquery, .. }) => **subquery = query,
        _ => return Err(internal("skeleton has no derived table")),
    }
    Ok(outer)
}

/// The measure of a change in the later period, in the earlier one, and the change between them as a
/// fraction: `later * 1.0 / NULLIF(earlier, 0) - 1` (no change from nothing).
fn change_measures(
    e: Expr,
    (later, earlier): &(Expr, Expr),
    info: MeasureInfo,
    lang: Lang,
    projection: &mut Vec<SelectItem>,
    measures: &mut Vec<MeasureInfo>,
) {
    let now = conditional_aggregate(e.clone(), later);
    let before = conditional_aggregate(e, earlier);
    let ratio = cmp(
        cmp(now.clone(), BinaryOperator::Multiply, number("1.0")),
        BinaryOperator::Divide,
        function("NULLIF", vec![before.clone(), number("0")]),
    );
    let change = cmp(ratio, BinaryOperator::Minus, number("1"));
    let previous = MeasureInfo {
        name: format!("{}_{}", info.name, lang.pick("previous", "anterior")),
        label: format!("{} ({})", info.label, lang.pick("before", "antes")),
        ..info.clone()
    };
    let (name, label) = (lang.pick("change", "variacion"), lang.pick("change", "variación"));
    let fraction = MeasureInfo {
        name: name.to_string(),
        label: label.to_string(),
        format: crate::model::MeasureFormat::Percent,
        kind: MetricKind::Ratio,
        currency: None,
        unit: None,
    };
    for (expr, m) in [(now, info), (before, previous), (change, fraction)] {
        projection.push(SelectItem::ExprWithAlias { expr, alias: Ident::new(&m.name) });
        measures.push(m);
    }
}

/// Whether a comparison of periods takes the earlier one over the same days as the running one.
pub(crate) fn compares_same_days(intent: &Intent) -> bool {
    running_vs_previous(intent).is_some()
}

/// The unit of a comparison between the running period and the one before it ("this month vs last month",
/// in either order).
fn running_vs_previous(intent: &Intent) -> Option<(Grain, u32)> {
    let (a, back) = match (intent.time_range?, intent.comparison?) {
        (TimeRange::This { unit: a }, TimeRange::Last { unit: b })
        | (TimeRange::Last { unit: b }, TimeRange::This { unit: a })
            if a == b =>
        {
            (a, 1)
        }
        // "This month vs the same month last year": the same days a year back.
        (TimeRange::This { unit: a }, TimeRange::Earlier { unit: b, n })
        | (TimeRange::Earlier { unit: b, n }, TimeRange::This { unit: a })
            if a == b =>
        {
            (a, n)
        }
        _ => return None,
    };
    intent.grain.is_none().then_some((a, back))
}

/// Rows of the running period, or of the one `back` periods before it up to the same day: `t >=
/// DATE_TRUNC(unit, CURRENT_DATE) OR t < CURRENT_DATE + INTERVAL '1 day' - INTERVAL 'back units'` (the query
/// already keeps only the two periods).
fn same_days((unit, back): (Grain, u32), t: &Expr) -> Expr {
    let running = cmp(t.clone(), BinaryOperator::GtEq, date_trunc(unit, current_date()));
    let day_after = cmp(current_date(), BinaryOperator::Plus, interval(1, Grain::Day));
    let earlier = cmp(t.clone(), BinaryOperator::Lt, minus(day_after, interval(back, unit)));
    Expr::Nested(Box::new(cmp(running, BinaryOperator::Or, earlier)))
}

/// `EXTRACT(DOW FROM t) IN (0, 6)`: the days of the week kept (0 Sunday … 6 Saturday on both warehouses).
fn days_condition(days: DaysOfWeek, t: &Expr) -> Expr {
    let dow = Expr::Extract {
        field: sqlparser::ast::DateTimeField::Dow,
        syntax: sqlparser::ast::ExtractSyntax::From,
        expr: Box::new(t.clone()),
    };
    let list: Vec<Expr> = days.numbers().map(number).collect();
    match list.as_slice() {
        [one] => cmp(dow, BinaryOperator::Eq, one.clone()),
        _ => Expr::InList { expr: Box::new(dow), list, negated: false },
    }
}

/// `column = 'value'`, `column IN (…)` or their negations, from canonical model values only.
/// The rows of a joined table that began in a period: by its default metric's time column (when a contact
/// was created, when a campaign started).
fn began_condition(model: &SemanticModel, scope: &Scope, began: &Began) -> Result<Expr, BuildError> {
    let table = model.table(&began.table).ok_or_else(|| internal("unknown table"))?;
    let metric = table.default_metric.as_deref().and_then(|m| model.metric(m));
    let column = metric.ok_or_else(|| internal(format!("no time column for {}", table.name)))?;
    Ok(range_condition(&began.range, &scope.col(table, &column.time_column)).1)
}

fn filter_expr(
    model: &SemanticModel,
    scope: &Scope,
    f: &crate::intent::Filter,
) -> Result<Option<Expr>, BuildError> {
    let dim = model.dimension(&f.dimension).ok_or_else(|| internal("unknown dimension"))?;
    let t = model.table(&dim.table).ok_or_else(|| internal("unknown table"))?;
    let column = scope.col(t, &dim.column);
    let literal = |v: &String| match dim.value_type {
        DimType::Boolean | DimType::Present => Expr::value(Value::Boolean(v == "true")),
        DimType::Text => Expr::value(Value::SingleQuotedString(v.clone())),
    };
    Ok(match f.values.as_slice() {
        [] => None,
        [one] if dim.value_type == DimType::Present => match (one == "true") != f.negated {
            true => Some(Expr::IsNotNull(Box::new(column))),
            false => Some(Expr::IsNull(Box::new(column))),
        },
        // Set or not: every row.
        _ if dim.value_type == DimType::Present => None,
        [one] => Some(Expr::BinaryOp {
            left: Box::new(column),
            op: if f.negated { BinaryOperator::NotEq } else { BinaryOperator::Eq },
            right: Box::new(literal(one)),
        }),
        many => Some(Expr::InList {
            expr: Box::new(column),
            list: many.iter().map(literal).collect(),
            negated: f.negated,
        }),
    })
}

/// "Share of revenue by channel": the one additive measure's column, named like the measure
/// (`share_of_revenue`, `porcentaje_de_ingresos`), as `m * 1.0 / SUM(m) OVER (…)`. The window runs before
/// ORDER BY and LIMIT, so a top N's shares are of the whole total (semantics.md); in a series with
/// breakdowns, of each period's total.
fn share_of_total(
    intent: &Intent,
    measures: &[MeasureInfo],
    projection: &[SelectItem],
    group_by: &[Expr],
    series: bool,
    lang: Lang,
) -> Option<(String, Expr)> {
    let [m] = measures else { return None };
    let grouped = !intent.breakdowns.is_empty() || series;
    let additive = matches!(m.kind, MetricKind::Count | MetricKind::Sum);
    if !intent.share || intent.share_of.is_some() || intent.list || !grouped || !additive {
        return None;
    }
    let e = projection.iter().find_map(|p| match p {
        SelectItem::ExprWithAlias { expr, alias } if alias.value == m.name => Some(expr.clone()),
        _ => None,
    })?;
    let mut total = function("SUM", vec![e.clone()]);
    if let Expr::Function(f) = &mut total {
        // The period of a series split by a breakdown is the first grouping (see `build`).
        let per_period = series && !intent.breakdowns.is_empty();
        f.over = Some(sqlparser::ast::WindowType::WindowSpec(sqlparser::ast::WindowSpec {
            window_name: None,
            partition_by: group_by.first().filter(|_| per_period).cloned().into_iter().collect(),
            order_by: vec![],
            window_frame: None,
        }));
    }
    let part = cmp(e, BinaryOperator::Multiply, number("1.0"));
    let name = match lang {
        Lang::En => format!("share_of_{}", m.name),
        Lang::Es => format!("porcentaje_de_{}", m.name),
    };
    Some((name, cmp(part, BinaryOperator::Divide, function("NULLIF", vec![total, number("0")]))))
}

/// The fraction of a share question: the whole's aggregate over the part's rows, divided by the whole's
/// (`COUNT(CASE WHEN lifecycle_stage = 'customer' THEN 1 END) * 1.0 / COUNT(*)`).
fn share_measure(
    model: &SemanticModel,
    scope: &Scope,
    whole: &MetricDef,
    subset: &crate::intent::Subset,
    lang: Lang,
) -> Result<(String, Expr), BuildError> {
    let mut conds = Vec::new();
    if let Some(part) = subset.metric.as_deref().and_then(|m| model.metric(m)) {
        for f in part.filter.iter().filter(|f| !whole.filter.contains(f)) {
            conds.push(scope.model_expr(f)?);
        }
    }
    for f in &subset.filters {
        conds.extend(filter_expr(model, scope, f)?);
    }
    conds.extend(subset.days.map(|d| days_condition(d, &scope.col(scope.base, &whole.time_column))));
    let cond = and_all(conds).ok_or_else(|| {
        BuildError::User("Say which part to measure.".into(), "Indica qué parte medir.".into())
    })?;
    let e = scope.model_expr(&whole.expr)?;
    let part = cmp(conditional_aggregate(e.clone(), &cond), BinaryOperator::Multiply, number("1.0"));
    let name = snake(&share_label(model, whole, lang));
    Ok((name, cmp(part, BinaryOperator::Divide, e)))
}

/// "share of contacts" / "porcentaje de contactos".
fn share_label(model: &SemanticModel, whole: &MetricDef, lang: Lang) -> String {
    share_of(&describe::metric_label(model, &whole.name, lang), lang)
}

/// "share of revenue" / "porcentaje de ingresos": the label of a fraction of a measure's whole.
pub(crate) fn share_of(label: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("share of {label}"),
        Lang::Es => format!("porcentaje de {label}"),
    }
}

/// How a query's money is converted: the rates it joins (when a converted metric is asked for in the
/// reporting currency), or original amounts ("revenue by currency" groups by the row's own currency).
struct Money<'a> {
    rates: Option<&'a TableDef>,
    original_amounts: bool,
}

fn money_join<'a>(
    model: &'a SemanticModel,
    intent: &Intent,
    metrics: &[&MetricDef],
    base: &TableDef,
) -> Result<Money<'a>, BuildError> {
    let none = Money { rates: None, original_amounts: false };
    if !metrics.iter().any(|m| m.currency == Some(MoneyCurrency::Converted)) {
        return Ok(none);
    }
    let Some(r) = model.rates() else { return Ok(none) };
    let by_currency = intent
        .breakdowns
        .iter()
        .filter_map(|d| model.dimension(d))
        .any(|d| d.table == base.name && d.column == r.currency_column);
    // "Sales in MXN", "ventas en pesos mexicanos sin convertir": rows of one currency add up as they are,
    // in that currency (a qualifier beside the value, like "sin convertir", is taken by the filter).
    let one_currency = intent.filters.iter().any(|f| {
        !f.negated
            && f.values.len() == 1
            && model
                .dimension(&f.dimension)
                .is_some_and(|d| d.table == base.name && d.column == r.currency_column)
    });
    if by_currency || one_currency {
        return Ok(Money { rates: None, original_amounts: true });
    }
    let table = model.table(&r.table).ok_or_else(|| internal("unknown rates table"))?;
    Ok(Money { rates: Some(table), original_amounts: false })
}

/// `SUM(amount * rate)` → `SUM(amount)`: the amount in its own currency.
fn without_rate(mut e: Expr, rates: Option<&TableDef>) -> Expr {
    let is_rate = |x: &Expr| match x {
        Expr::Identifier(id) => rates.is_none_or(|r| r.has_column(&id.value)) && id.value == "rate",
        _ => false,
    };
    let _ = visit_expressions_mut(&mut e, |x| {
        if let Expr::BinaryOp { left, op: BinaryOperator::Multiply, right } = x {
            if is_rate(right) {
                *x = (**left).clone();
            } else if is_rate(left) {
                *x = (**right).clone();
            }
        }
        ControlFlow::<()>::Continue(())
    });
    e
}

/// `LEFT JOIN marts.fx_rates AS f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.t) AS
/// DATE)`. A left join, so that a row without a rate is counted by the check column, never dropped unseen.
fn rates_join(
    model: &SemanticModel,
    scope: &Scope,
    rates: &TableDef,
    time_column: &str,
    template: &Join,
) -> Result<Join, BuildError> {
    let r = model.rates().ok_or_else(|| internal("no rates"))?;
    let month = Expr::Cast {
        kind: sqlparser::ast::CastKind::Cast,
        expr: Box::new(date_trunc(Grain::Month, scope.col(scope.base, time_column))),
        data_type: DataType::Date,
        format: None,
    };
    let on = cmp(
        cmp(
            scope.col(rates, &r.currency_column),
            BinaryOperator::Eq,
            scope.col(scope.base, &r.currency_column),
        ),
        BinaryOperator::And,
        cmp(scope.col(rates, &r.month_column), BinaryOperator::Eq, month),
    );
    // Each company's rates convert into its own reporting currency.
    let on = match scope.tenant_column {
        Some(tc) => cmp(
            cmp(scope.col(rates, tc), BinaryOperator::Eq, scope.col(scope.base, tc)),
            BinaryOperator::And,
            on,
        ),
        None => on,
    };
    let mut j = template.clone();
    set_table(&mut j.relation, rates, true)?;
    j.join_operator = JoinOperator::LeftOuter(JoinConstraint::On(on));
    Ok(j)
}

/// Output column counting the rows that have a currency but no rate for their month: the app fails the
/// answer when it is not zero, and removes the column before showing the result.
fn missing_rate_check(
    model: &SemanticModel,
    scope: &Scope,
    rates: &TableDef,
) -> Result<(String, Expr), BuildError> {
    let r = model.rates().ok_or_else(|| internal("no rates"))?;
    let cond = cmp(
        Expr::IsNotNull(Box::new(scope.col(scope.base, &r.currency_column))),
        BinaryOperator::And,
        Expr::IsNull(Box::new(scope.col(rates, &r.rate_column))),
    );
    let count = function("COUNT", vec![case_when(vec![(cond, number("1"))], None)]);
    Ok((MISSING_RATE_COLUMN.to_string(), count))
}

fn skeleton(sql: &str) -> Result<Query, BuildError> {
    let mut stmts = Parser::parse_sql(&GenericDialect {}, sql).map_err(internal)?;
    match stmts.pop() {
        Some(Statement::Query(q)) => Ok(*q),
        _ => Err(internal("skeleton is not a query")),
    }
}

fn set_table(relation: &mut TableFactor, table: &TableDef, with_alias: bool) -> Result<(), BuildError> {
    match relation {
        TableFactor::Table { name, alias, .. } => {
            *name = ObjectName(vec![
                ObjectNamePart::Identifier(Ident::new(&table.schema)),
                ObjectNamePart::Identifier(Ident::new(&table.name)),
            ]);
            *alias = with_alias.then(|| TableAlias { name: Ident::new(&table.alias), columns: vec![] });
            Ok(())
        }
        _ => Err(internal("skeleton relation is not a table")),
    }
}

fn ident(name: &str) -> Expr {
    Expr::Identifier(Ident::new(name))
}

fn order(expr: Expr, asc: bool) -> OrderByExpr {
    OrderByExpr { expr, options: OrderByOptions { asc: Some(asc), nulls_first: None }, with_fill: None }
}

fn string_lit(s: String) -> Expr {
    Expr::value(Value::SingleQuotedString(s))
}

fn function(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn current_date() -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("CURRENT_DATE")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::None,
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn date_trunc(unit: Grain, e: Expr) -> Expr {
    function("DATE_TRUNC", vec![string_lit(unit.as_str().to_string()), e])
}

/// `INTERVAL 'n unit'`, with weeks as days and quarters as months (units both engines accept).
fn interval(n: u32, unit: Grain) -> Expr {
    let (n, word) = match unit {
        Grain::Day => (n, "day"),
        Grain::Week => (n.saturating_mul(7), "day"),
        Grain::Month => (n, "month"),
        Grain::Quarter => (n.saturating_mul(3), "month"),
        Grain::Year => (n, "year"),
    };
    let text = if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    Expr::Interval(Interval {
        value: Box::new(string_lit(text)),
        leading_field: None,
        leading_precision: None,
        last_field: None,
        fractional_seconds_precision: None,
    })
}

fn minus(left: Expr, right: Expr) -> Expr {
    Expr::BinaryOp { left: Box::new(left), op: BinaryOperator::Minus, right: Box::new(right) }
}

fn date_lit(d: chrono::NaiveDate) -> Expr {
    Expr::TypedString(TypedString {
        data_type: DataType::Date,
        value: Value::SingleQuotedString(d.format("%Y-%m-%d").to_string()).into(),
        uses_odbc_syntax: false,
    })
}

fn cmp(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp { left: Box::new(left), op, right: Box::new(right) }
}

fn or(a: Expr, b: Expr) -> Expr {
    cmp(nested_if_and(a), BinaryOperator::Or, nested_if_and(b))
}

fn nested_if_or(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { op: BinaryOperator::Or, .. } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

fn nested_if_and(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { op: BinaryOperator::And, .. } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

fn and_all(parts: Vec<Expr>) -> Option<Expr> {
    parts.into_iter().reduce(|a, b| cmp(a, BinaryOperator::And, b))
}

fn case_when(branches: Vec<(Expr, Expr)>, else_result: Option<Expr>) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: branches.into_iter().map(|(condition, result)| CaseWhen { condition, result }).collect(),
        else_result: else_result.map(Box::new),
    }
}

/// The start of a range and the condition `t` must meet, per semantics.md.
fn range_condition(range: &TimeRange, t: &Expr) -> (Expr, Expr) {
    let ge = |start: &Expr| cmp(t.clone(), BinaryOperator::GtEq, start.clone());
    let lt = |end: Expr| cmp(t.clone(), BinaryOperator::Lt, end);
    let (start, end) = range_bounds(range);
    let cond = match end {
        Some(e) => cmp(ge(&start), BinaryOperator::And, lt(e)),
        None => ge(&start),
    };
    (start, cond)
}

/// A range's first instant and, when it has one, its first instant excluded.
fn range_bounds(range: &TimeRange) -> (Expr, Option<Expr>) {
    match *range {
        TimeRange::Today => (current_date(), None),
        TimeRange::Yesterday => (minus(current_date(), interval(1, Grain::Day)), Some(current_date())),
        TimeRange::LastNDays { n } => (minus(current_date(), interval(n, Grain::Day)), None),
        TimeRange::DaysBefore { n } => (
            minus(current_date(), interval(n.saturating_mul(2), Grain::Day)),
            Some(minus(current_date(), interval(n, Grain::Day))),
        ),
        TimeRange::This { unit } => (date_trunc(unit, current_date()), None),
        TimeRange::Last { unit } => (
            minus(date_trunc(unit, current_date()), interval(1, unit)),
            Some(date_trunc(unit, current_date())),
        ),
        TimeRange::Earlier { unit, n } => {
            let this = date_trunc(unit, current_date());
            let end = if n <= 1 { this.clone() } else { minus(this.clone(), interval(n - 1, unit)) };
            (minus(this, interval(n.max(1), unit)), Some(end))
        }
        TimeRange::LastN { unit, n } => {
            let this = date_trunc(unit, current_date());
            if n <= 1 { (this, None) } else { (minus(this, interval(n - 1, unit)), None) }
        }
        TimeRange::LastComplete { unit, n } => {
            let this = date_trunc(unit, current_date());
            (minus(this.clone(), interval(n.max(1), unit)), Some(this))
        }
        TimeRange::Between { start, end } => (date_lit(start), Some(date_lit(end))),
        TimeRange::Since { start } => (date_lit(start), None),
    }
}

/// How many complete `grain` periods a range holds: `DATEDIFF('<grain>', start, LEAST(end, DATE_TRUNC(grain,
/// CURRENT_DATE)))`, so that a period without rows counts as zero in an average per period.
fn complete_periods(range: &TimeRange, grain: Grain) -> Expr {
    let (start, end) = range_bounds(range);
    let running = date_trunc(grain, current_date());
    let end = match end {
        Some(e) => function("LEAST", vec![e, running]),
        None => running,
    };
    let part = Expr::value(Value::SingleQuotedString(grain.as_str().to_string()));
    function("DATEDIFF", vec![part, start, end])
}

/// `COUNT(*)` → `COUNT(CASE WHEN cond THEN 1 END)`, `SUM(x)` → `SUM(CASE WHEN cond THEN x END)`: the metric
/// over its own rows only, exact like a filtered query (NULLs are ignored by every aggregate).
fn conditional_aggregate(mut e: Expr, cond: &Expr) -> Expr {
    let _ = visit_expressions_mut(&mut e, |x| {
        if let Expr::Function(f) = x {
            let name = f.name.to_string().to_ascii_uppercase();
            if matches!(name.as_str(), "COUNT" | "SUM" | "AVG" | "MIN" | "MAX")
                && let FunctionArguments::List(list) = &mut f.args
            {
                for arg in list.args.iter_mut() {
                    if let FunctionArg::Unnamed(a) = arg {
                        let inner = match a {
                            FunctionArgExpr::Wildcard => number("1"),
                            FunctionArgExpr::Expr(inner) => inner.clone(),
                            FunctionArgExpr::QualifiedWildcard(_) => continue,
                        };
                        *a = FunctionArgExpr::Expr(case_when(vec![(cond.clone(), inner)], None));
                    }
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    e
}
