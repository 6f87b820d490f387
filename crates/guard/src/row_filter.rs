//! Row filters (a dashboard's date range, channels, countries, segments and campaigns), added inside each
//! tenant-filtered derived table, next to the tenant filter:
//!
//! `(SELECT * FROM marts.fct_messages WHERE tenant_id = 'acme' AND channel IN ('sms')
//!   AND contact_id IN (SELECT contact_id FROM marts.dim_contacts WHERE tenant_id = 'acme' AND country IN ('CO'))
//!   AND sent_at >= DATE '2026-03-01' AND sent_at < DATE '2026-04-01') AS fct_messages`
//!
//! Because they sit on each table, exactly like the tenant filter, nothing the query itself says (its own
//! WHERE, an OR, a UNION, an outer join) can see the rows they leave out. Values go into the tree as string
//! literals, so quoting them is the renderer's job, never string splicing. A rule applies only where the
//! table has the column: channel on the facts and campaigns, country and segment on contacts (and on the
//! facts through their contact), campaign names on campaigns (and on the facts through their campaign), the
//! date range on the facts' time column, or, when the query reads no fact table, on when a contact was
//! created or a campaign started. `fx_rates` is never filtered. [`crate::Guarded::filtered`] says which
//! dimensions applied somewhere, so a reader can be told which did not.

use crate::rejection::Rejection;
use crate::tenant_filter::scoped_query;
use inda_core::Scope;
use sqlparser::ast::{
    BinaryOperator, DataType, Expr, Ident, ObjectName, Query, SelectItem, SetExpr, TableFactor,
    TableWithJoins, TypedString, Value,
};

/// Row filters to apply on top of the tenant filter. Empty lists and absent dates filter nothing; with
/// nothing set the guard's output is exactly what it is without filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFilters {
    /// First day included, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Channels (`whatsapp`, `sms`…), matched exactly.
    pub channel: Vec<String>,
    /// Contact countries, matched exactly.
    pub country: Vec<String>,
    /// Contact segments, matched exactly.
    pub segment: Vec<String>,
    /// Campaign names, matched exactly.
    pub campaign: Vec<String>,
}

/// One kind of row filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowDimension {
    /// The date range.
    Date,
    /// Channels.
    Channel,
    /// Contact countries.
    Country,
    /// Contact segments.
    Segment,
    /// Campaign names.
    Campaign,
}

impl RowDimension {
    /// Every dimension, in the order the conditions are written.
    pub const ALL: [RowDimension; 5] = [
        RowDimension::Channel,
        RowDimension::Country,
        RowDimension::Segment,
        RowDimension::Campaign,
        RowDimension::Date,
    ];

    /// `date`, `channel`, `country`, `segment` or `campaign`.
    pub fn as_str(self) -> &'static str {
        match self {
            RowDimension::Date => "date",
            RowDimension::Channel => "channel",
            RowDimension::Country => "country",
            RowDimension::Segment => "segment",
            RowDimension::Campaign => "campaign",
        }
    }
}

/// Most values one dimension may hold, and the longest value: an IN list every engine plans at once.
pub const MAX_VALUES: usize = 50;
/// Longest filter value, in characters.
pub const MAX_VALUE_CHARS: usize = 200;

impl RowFilters {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.dimensions().is_empty()
    }

    /// The dimensions set, in [`RowDimension::ALL`] order.
    pub fn dimensions(&self) -> Vec<RowDimension> {
        RowDimension::ALL.into_iter().filter(|d| !self.values(*d).is_empty() || self.sets_date(*d)).collect()
    }

    fn sets_date(&self, d: RowDimension) -> bool {
        d == RowDimension::Date && (self.from.is_some() || self.to.is_some())
    }

    fn values(&self, d: RowDimension) -> &[String] {
        match d {
            RowDimension::Date => &[],
            RowDimension::Channel => &self.channel,
            RowDimension::Country => &self.country,
            RowDimension::Segment => &self.segment,
            RowDimension::Campaign => &self.campaign,
        }
    }
}

/// The dimensions that can filter `table` (canonical name), given whether the query reads a fact table
/// (then the date range goes on the facts only).
pub fn applicable(table: &str, reads_facts: bool) -> Vec<RowDimension> {
    use RowDimension::*;
    match table {
        "fct_messages" | "fct_activities" => vec![Channel, Country, Segment, Campaign, Date],
        "dim_contacts" if reads_facts => vec![Country, Segment],
        "dim_contacts" => vec![Country, Segment, Date],
        "dim_campaigns" if reads_facts => vec![Channel, Campaign],
        "dim_campaigns" => vec![Channel, Campaign, Date],
        _ => vec![],
    }
}

/// Whether `table` is a fact table (dates filter its time column).
pub(crate) fn is_fact(table: &str) -> bool {
    time_column(table, true).is_some()
}

fn time_column(table: &str, reads_facts: bool) -> Option<&'static str> {
    match table {
        "fct_messages" => Some("sent_at"),
        "fct_activities" => Some("occurred_at"),
        "dim_contacts" if !reads_facts => Some("created_at"),
        "dim_campaigns" if !reads_facts => Some("started_at"),
        _ => None,
    }
}

/// Filters checked and ready to write into wrappers.
#[derive(Debug)]
pub(crate) struct RowPlan<'f> {
    filters: &'f RowFilters,
    /// First day included.
    from: Option<String>,
    /// The day after the last one included (time columns are timestamps: `t < next day` keeps all of it).
    until: Option<String>,
    /// The query reads a fact table, so dates filter only the facts.
    pub(crate) reads_facts: bool,
}

impl<'f> RowPlan<'f> {
    /// Checks `filters` (dates real and in order, bounded lists of bounded, printable values).
    pub(crate) fn new(filters: &'f RowFilters, reads_facts: bool) -> Result<RowPlan<'f>, Rejection> {
        let from = filters.from.as_deref().map(parse_date).transpose()?;
        let to = filters.to.as_deref().map(parse_date).transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(Rejection::new("the filter's start date is after its end date"));
        }
        for d in RowDimension::ALL {
            let values = filters.values(d);
            if values.len() > MAX_VALUES {
                return Err(Rejection::new(format!(
                    "a {} filter holds at most {MAX_VALUES} values",
                    d.as_str()
                )));
            }
            for v in values {
                if v.chars().count() > MAX_VALUE_CHARS || v.chars().any(|c| c.is_control() || c == '\\') {
                    return Err(Rejection::new(format!(
                        "a {} filter value must be at most {MAX_VALUE_CHARS} characters, without control characters or backslashes",
                        d.as_str()
                    )));
                }
            }
        }
        Ok(RowPlan {
            filters,
            from: from.map(format_date),
            until: to.map(|d| format_date(next_day(d))),
            reads_facts,
        })
    }

    /// The conditions on `table` after its tenant filter, and the dimensions they apply.
    fn conditions(&self, table: &str, scope: &Scope) -> (Vec<Expr>, Vec<RowDimension>) {
        let mut conditions = Vec::new();
        let mut applied = Vec::new();
        let dims = applicable(table, self.reads_facts);
        let f = self.filters;
        let fact = is_fact(table);
        if dims.contains(&RowDimension::Channel) && !f.channel.is_empty() {
            conditions.push(in_list("channel", &f.channel));
            applied.push(RowDimension::Channel);
        }
        if fact {
            // Country and segment through the contact, together: one subquery.
            let mut on_contact = Vec::new();
            if !f.country.is_empty() {
                on_contact.push(in_list("country", &f.country));
            }
            if !f.segment.is_empty() {
                on_contact.push(in_list("segment", &f.segment));
            }
            if !on_contact.is_empty() {
                conditions.push(in_subquery(table, "contact_id", "dim_contacts", scope, on_contact));
                applied.extend(
                    [(RowDimension::Country, &f.country), (RowDimension::Segment, &f.segment)]
                        .into_iter()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(d, _)| d),
                );
            }
            if !f.campaign.is_empty() {
                let by_name = vec![in_list("campaign_name", &f.campaign)];
                conditions.push(in_subquery(table, "campaign_id", "dim_campaigns", scope, by_name));
                applied.push(RowDimension::Campaign);
            }
        } else {
            if dims.contains(&RowDimension::Country) && !f.country.is_empty() {
                conditions.push(in_list("country", &f.country));
                applied.push(RowDimension::Country);
            }
            if dims.contains(&RowDimension::Segment) && !f.segment.is_empty() {
                conditions.push(in_list("segment", &f.segment));
                applied.push(RowDimension::Segment);
            }
            if dims.contains(&RowDimension::Campaign) && !f.campaign.is_empty() {
                conditions.push(in_list("campaign_name", &f.campaign));
                applied.push(RowDimension::Campaign);
            }
        }
        if let Some(column) = time_column(table, self.reads_facts)
            && (self.from.is_some() || self.until.is_some())
        {
            if let Some(from) = &self.from {
                conditions.push(compare(column, BinaryOperator::GtEq, from));
            }
            if let Some(until) = &self.until {
                conditions.push(compare(column, BinaryOperator::Lt, until));
            }
            applied.push(RowDimension::Date);
        }
        (conditions, applied)
    }
}

/// `SELECT * FROM marts.<table> WHERE <tenant filter> [AND <row filters>]`, and the dimensions applied. With
/// no filter that applies it is exactly [`scoped_query`].
pub(crate) fn filtered_query(table: &str, scope: &Scope, plan: &RowPlan<'_>) -> (Query, Vec<RowDimension>) {
    let mut scoped = scoped_query(table, scope);
    let (conditions, applied) = plan.conditions(table, scope);
    if let SetExpr::Select(select) = scoped.body.as_mut()
        && let Some(tenant) = select.selection.take()
    {
        select.selection = Some(conditions.into_iter().fold(tenant, and));
    }
    (scoped, applied)
}

/// `<column> IN (SELECT <column> FROM marts.<dim> WHERE <tenant filter> AND <conditions>)`. Ids repeat
/// across tenants, so over a scope of several the subquery is also matched on the outer row's tenant.
fn in_subquery(outer: &str, column: &str, dim: &str, scope: &Scope, conditions: Vec<Expr>) -> Expr {
    let mut subquery = scoped_query(dim, scope);
    if let SetExpr::Select(select) = subquery.body.as_mut() {
        let mut conditions = conditions;
        if scope.single().is_none() {
            let tenant = crate::catalog::TENANT_COLUMN;
            let outer_tenant = Expr::CompoundIdentifier(vec![
                Ident::new(crate::catalog::SCHEMA),
                Ident::new(outer),
                Ident::new(tenant),
            ]);
            conditions.push(Expr::BinaryOp {
                left: Box::new(Expr::Identifier(Ident::new(tenant))),
                op: BinaryOperator::Eq,
                right: Box::new(outer_tenant),
            });
        }
        if let Some(tenant) = select.selection.take() {
            select.selection = Some(conditions.into_iter().fold(tenant, and));
        }
        select.projection = vec![SelectItem::UnnamedExpr(Expr::Identifier(Ident::new(column)))];
    }
    Expr::InSubquery {
        expr: Box::new(Expr::Identifier(Ident::new(column))),
        subquery: Box::new(subquery),
        negated: false,
    }
}

fn and(left: Expr, right: Expr) -> Expr {
    Expr::BinaryOp { left: Box::new(left), op: BinaryOperator::And, right: Box::new(right) }
}

fn in_list(column: &str, values: &[String]) -> Expr {
    Expr::InList {
        expr: Box::new(Expr::Identifier(Ident::new(column))),
        list: values.iter().map(|v| Expr::value(Value::SingleQuotedString(v.clone()))).collect(),
        negated: false,
    }
}

/// `<column> <op> DATE '<day>'`.
fn compare(column: &str, op: BinaryOperator, day: &str) -> Expr {
    let date = Expr::TypedString(TypedString {
        data_type: DataType::Date,
        value: Value::SingleQuotedString(day.to_string()).into(),
        uses_odbc_syntax: false,
    });
    Expr::BinaryOp { left: Box::new(Expr::Identifier(Ident::new(column))), op, right: Box::new(date) }
}

/// A calendar day as (year, month, day).
type Day = (i32, u32, u32);

/// `YYYY-MM-DD`, strictly, of a real day (years 1000–9999).
fn parse_date(text: &str) -> Result<Day, Rejection> {
    let bad =
        || Rejection::new(format!("a filter date must be a real day written YYYY-MM-DD (got {text:.20})"));
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let digits = |r: std::ops::Range<usize>| -> Result<u32, Rejection> {
        let part = &text[r];
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().map_err(|_| bad()) } else { Err(bad()) }
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let y = i32::try_from(y).map_err(|_| bad())?;
    if y < 1000 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok((y, m, d))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn next_day((y, m, d): Day) -> Day {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

fn format_date((y, m, d): Day) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The table a derived-table subquery filters, when it is exactly the guard's own filtered wrapper for this
/// scope and these filters; with its dimensions.
pub(crate) fn filtered_table_of<'q>(
    subquery: &'q Query,
    scope: &Scope,
    plan: &RowPlan<'_>,
) -> Option<(&'q str, Vec<RowDimension>)> {
    let SetExpr::Select(select) = subquery.body.as_ref() else { return None };
    let [TableWithJoins { relation: TableFactor::Table { name, .. }, joins }] = select.from.as_slice() else {
        return None;
    };
    if !joins.is_empty() {
        return None;
    }
    let table = table_name(name)?;
    let (expected, applied) = filtered_query(table, scope, plan);
    (*subquery == expected).then_some((table, applied))
}

fn table_name(name: &ObjectName) -> Option<&str> {
    let [
        sqlparser::ast::ObjectNamePart::Identifier(schema),
        sqlparser::ast::ObjectNamePart::Identifier(table),
    ] = name.0.as_slice()
    else {
        return None;
    };
    (schema.value == crate::catalog::SCHEMA && schema.quote_style.is_none()).then_some(table.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &str) -> Scope {
        Scope::one(t).expect("tenant")
    }

    #[test]
    fn dates_are_checked_and_the_range_ends_after_its_last_day() {
        assert_eq!(
            parse_date("2024-02-29").map(next_day).map(format_date).ok().as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            parse_date("2025-12-31").map(next_day).map(format_date).ok().as_deref(),
            Some("2026-01-01")
        );
        assert_eq!(
            parse_date("2026-04-30").map(next_day).map(format_date).ok().as_deref(),
            Some("2026-05-01")
        );
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-32",
            "2026/01/01",
            "+026-01-01",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_filter_is_the_plain_wrapper() {
        let filters = RowFilters::default();
        let plan = RowPlan::new(&filters, true).expect("plan");
        for table in ["dim_contacts", "dim_campaigns", "fct_messages", "fct_activities", "fx_rates"] {
            let (q, applied) = filtered_query(table, &one("acme_corp"), &plan);
            assert_eq!(q, scoped_query(table, &one("acme_corp")));
            assert!(applied.is_empty());
        }
    }
}
