//! What an answer must say beside its numbers: the currency and label of each column, the caveats
//! (a period that is not over yet, a result cut short), and the rows of the check column of converted
//! money, which never reach the reader.

use chrono::{Datelike, Duration, NaiveDate};
use inda_core::{Caveat, CaveatCode, ResultSet, Value};

use crate::describe::{self, capitalize};
use crate::intent::{Grain, Intent, TimeRange};
use crate::lang::Lang;
use crate::model::{DimType, MeasureFormat, MoneyCurrency, SemanticModel};
use crate::plan::Plan;
use crate::sqlgen::{asked_companies, company_label, share_of};
use sqlparser::ast::{Expr, Ident};

/// Removes the plan's check column from the result and returns how many rows it counted (rows with an
/// amount but no exchange rate for their currency-month).
pub fn take_missing_rate_rows(plan: &Plan, rs: &mut ResultSet) -> u64 {
    let Some(i) = plan.missing_rate_column.as_deref().and_then(|c| rs.column_index(c)) else { return 0 };
    rs.columns.remove(i);
    let mut missing = 0u64;
    for row in &mut rs.rows {
        if i < row.len() {
            missing += row.remove(i).as_f64().unwrap_or(0.0).max(0.0) as u64;
        }
    }
    missing
}

/// A query naming up to five currency-months of the plan's table that have amounts but no rate, for the
/// error that replaces an answer missing some (built from the validated model's names only).
pub fn missing_rates_sql(model: &SemanticModel, plan: &Plan) -> Option<String> {
    let r = model.rates()?;
    let rates = model.table(&r.table)?;
    let metric = plan
        .intent
        .metrics
        .iter()
        .filter_map(|m| model.metric(m))
        .find(|m| m.currency == Some(MoneyCurrency::Converted))?;
    let base = model.table(&metric.table)?;
    let (b, f, t) = (&base.alias, &rates.alias, &metric.time_column);
    let (cur, month, rate) = (&r.currency_column, &r.month_column, &r.rate_column);
    // Across several companies each has its own rates, and the message names whose are missing.
    let (company, same_tenant) = match model.join_tenant_column() {
        Some(tc) => {
            let tenant = Expr::CompoundIdentifier(vec![Ident::new(b), Ident::new(tc)]);
            (format!(", {} AS company", company_label(model, tenant)), format!("{f}.{tc} = {b}.{tc} AND "))
        }
        None => (String::new(), String::new()),
    };
    Some(format!(
        "SELECT DISTINCT {b}.{cur} AS currency, CAST(DATE_TRUNC('month', {b}.{t}) AS DATE) AS month{company} \
         FROM {}.{} AS {b} LEFT JOIN {}.{} AS {f} ON {same_tenant}{f}.{cur} = {b}.{cur} \
         AND {f}.{month} = CAST(DATE_TRUNC('month', {b}.{t}) AS DATE) \
         WHERE {b}.{cur} IS NOT NULL AND {f}.{rate} IS NULL ORDER BY month, currency LIMIT 5",
        base.schema, base.name, rates.schema, rates.name
    ))
}

/// The error of an answer whose amounts lack exchange rates, naming the currency-months found.
pub fn missing_rates_message(lang: Lang, rows: u64, found: &ResultSet) -> String {
    let named: Vec<String> = found
        .rows
        .iter()
        .map(|r| {
            let cur = r.first().map(Value::to_text).unwrap_or_default();
            let month = r.get(1).and_then(as_date).map(|d| d.format("%Y-%m").to_string()).unwrap_or_default();
            match r.get(2).map(Value::to_text).filter(|c| !c.is_empty()) {
                Some(company) => format!("{cur} {month} ({company})"),
                None => format!("{cur} {month}"),
            }
        })
        .collect();
    let list = named.join(", ");
    match lang {
        Lang::En => format!(
            "{rows} amounts have no exchange rate into the reporting currency (marts.fx_rates lacks {list}); the total would be wrong, so no answer is given. Load the missing rates and ask again."
        ),
        Lang::Es => format!(
            "{rows} montos no tienen tipo de cambio a la moneda de reporte (a marts.fx_rates le falta {list}); el total sería incorrecto, así que no se da una respuesta. Carga los tipos de cambio que faltan y vuelve a preguntar."
        ),
    }
}

/// Names each column in the question's language and gives money columns their currency code:
/// `reporting` is the reporting currency of the session's companies (unnamed when the warehouse does not
/// know it, or when they have several). The companies a question keeps may share one although the scope's
/// do not ("revenue for Acme"): then the money is in theirs. An answer split by currency
/// ([`Plan::currency_column`]) names no single currency: each row's is in that column.
pub fn label_columns(model: &SemanticModel, plan: &Plan, rs: &mut ResultSet, reporting: Option<&str>) {
    let lang = plan.lang;
    let split = plan.currency_column.as_deref();
    let one: Option<String> =
        if split.is_some() { None } else { plan_currency(model, plan).or(reporting.map(str::to_string)) };
    for col in &mut rs.columns {
        if split == Some(col.name.as_str()) {
            col.label = Some(lang.pick("Currency", "Moneda").to_string());
            continue;
        }
        if plan.share_column.as_deref() == Some(col.name.as_str()) {
            let label = plan.measures.first().map(|m| m.label.as_str()).unwrap_or_default();
            col.label = Some(capitalize(&share_of(label, lang)));
            continue;
        }
        let same_days = plan.same_days_column.as_deref() == Some(col.name.as_str());
        let measure =
            if same_days { plan.measures.first() } else { plan.measures.iter().find(|m| m.name == col.name) };
        if let Some(m) = measure {
            let mut label = capitalize(&m.label);
            if same_days {
                label.push_str(lang.pick(", same days", ", mismos días"));
            } else if m.format == MeasureFormat::Currency && m.currency.is_none() {
                label.push_str(lang.pick(" (original currency)", " (moneda original)"));
            } else if split.is_some()
                && matches!(m.currency, Some(MoneyCurrency::Converted | MoneyCurrency::Reporting))
            {
                label.push_str(lang.pick(" (each company's currency)", " (moneda de cada empresa)"));
            }
            col.label = Some(label);
            col.currency = match m.currency {
                Some(MoneyCurrency::Usd) => Some("USD".to_string()),
                Some(MoneyCurrency::Converted | MoneyCurrency::Reporting) => one.clone(),
                // Only amounts are in a currency: a count of the rows kept is not.
                None if m.format == MeasureFormat::Currency => filtered_currency(model, plan),
                None => None,
            };
        } else if plan.time_column.as_deref() == Some(col.name.as_str()) {
            col.label = Some(capitalize(&bucket_label(plan, lang)));
            col.grain = plan.intent.grain;
        } else if let Some(d) = plan.intent.breakdowns.iter().filter_map(|d| model.dimension(d)).find(|d| {
            d.column == col.name
                || d.name == col.name
                || d.label_column.as_deref() == Some(col.name.as_str())
                || (d.company && d.output_column() == col.name)
        }) {
            col.label = Some(capitalize(d.label.get(lang)));
        } else if let Some(d) = model
            .dimensions()
            .iter()
            .find(|d| d.company && d.output_column() == col.name)
            .filter(|_| plan.dimension_columns.contains(&col.name))
        {
            // The company each row of several companies belongs to (beside a contact, a campaign, a list).
            col.label = Some(capitalize(d.label.get(lang)));
        } else if plan.intent.list {
            label_list_column(model, plan, col, one.as_deref());
        }
    }
    label_values(model, plan, rs);
}

/// The display names of the values of each text column whose dimension has value synonyms.
fn label_values(model: &SemanticModel, plan: &Plan, rs: &mut ResultSet) {
    let tables: Vec<String> =
        plan.intent.metrics.iter().filter_map(|m| model.metric(m)).map(|m| m.table.clone()).collect();
    for (i, col) in rs.columns.iter_mut().enumerate() {
        let family = model
            .dimensions()
            .iter()
            .filter(|d| d.column == col.name || d.name == col.name)
            .find(|d| tables.contains(&d.table) || plan.intent.breakdowns.contains(&d.name))
            .map(|d| d.family().to_string());
        let Some(family) = family else { continue };
        for row in &rs.rows {
            let Some(Value::Text(v)) = row.get(i) else { continue };
            if col.values.contains_key(v) || !model.names_value(&family, v) {
                continue;
            }
            col.values.insert(v.clone(), capitalize(&model.value_label(&family, v, plan.lang)));
        }
    }
}

/// A column of a list: the label of the dimension it is, else its name in words; a column that a
/// reporting-currency metric sums (a campaign's budget) is money in that currency.
fn label_list_column(
    model: &SemanticModel,
    plan: &Plan,
    col: &mut inda_core::Column,
    reporting: Option<&str>,
) {
    let Some(table) = plan.intent.metrics.first().and_then(|m| model.metric(m)).map(|m| m.table.clone())
    else {
        return;
    };
    let dim = model.dimensions().iter().find(|d| d.table == table && d.column == col.name);
    col.label = Some(capitalize(&match dim {
        Some(d) => d.label.get(plan.lang).clone(),
        None => col.name.replace('_', " "),
    }));
    let money = model.metrics().iter().any(|m| {
        m.table == table
            && m.currency == Some(MoneyCurrency::Reporting)
            && m.expr.replace(' ', "").eq_ignore_ascii_case(&format!("SUM({})", col.name))
    });
    if money {
        col.currency = reporting.map(str::to_string);
    }
}

/// The one currency a question kept ("sales in MXN"): its amounts, left as they are, are in it. Whether a
/// currency is recorded at all names none.
fn filtered_currency(model: &SemanticModel, plan: &Plan) -> Option<String> {
    let column = &model.rates()?.currency_column;
    let of_currency =
        |d: &str| model.dimension(d).is_some_and(|d| &d.column == column && d.value_type != DimType::Present);
    plan.intent.filters.iter().find_map(|f| match f.values.as_slice() {
        [one] if !f.negated && of_currency(&f.dimension) => Some(one.clone()),
        _ => None,
    })
}

/// The one reporting currency of the companies a plan reads (the scope's, narrowed by its company filters),
/// when the model knows them and they share one.
fn plan_currency(model: &SemanticModel, plan: &Plan) -> Option<String> {
    let asked = asked_companies(model, &plan.intent.filters);
    let first = asked.first()?.currency.clone()?;
    asked.iter().all(|c| c.currency.as_deref() == Some(first.as_str())).then_some(first)
}

fn bucket_label(plan: &Plan, lang: Lang) -> String {
    match plan.intent.grain {
        Some(g) => describe::unit_word(g, lang, false).to_string(),
        None => lang.pick("period", "período").to_string(),
    }
}

/// The caveats of a plan's result on `today`: the unfinished period it reaches into, and truncation.
pub fn caveats(plan: &Plan, rs: &ResultSet, today: NaiveDate) -> Vec<Caveat> {
    let mut out = Vec::new();
    if let Some(c) = partial_period(plan, rs, today) {
        out.push(c);
    }
    out.extend(truncated_caveat(rs, plan.lang));
    out
}

/// The caveat of a result the row cap cut short, if it was.
pub fn truncated_caveat(rs: &ResultSet, lang: Lang) -> Option<Caveat> {
    rs.truncated.then(|| Caveat {
        code: CaveatCode::Truncated,
        message: lang
            .pick(
                "Only the first rows are shown: the result was cut short.",
                "Solo se muestran las primeras filas: el resultado se recortó.",
            )
            .to_string(),
        column: None,
        value: None,
    })
}

/// The caveat of SQL that joins several companies' tables without matching `tenant_id`
/// (`inda_guard::Guarded::crosses_tenants`): the semantic engine never writes such a join, a person or a
/// language model may.
pub fn cross_company_caveat(lang: Lang) -> Caveat {
    Caveat {
        code: CaveatCode::CrossCompanyJoin,
        message: lang
            .pick(
                "With several companies in scope, this query joins tables without matching tenant_id: ids repeat \
                 across companies, so rows of different companies may be paired. Add a.tenant_id = b.tenant_id \
                 to each join.",
                "Con varias empresas en el alcance, esta consulta une tablas sin igualar tenant_id: los ids se \
                 repiten entre empresas, así que puede emparejar filas de empresas distintas. Agregue \
                 a.tenant_id = b.tenant_id a cada unión.",
            )
            .to_string(),
        column: None,
        value: None,
    }
}

/// The current period of `unit` on `today`: its first day and its length in days.
pub fn current_period(unit: Grain, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = match unit {
        Grain::Day => today,
        Grain::Week => today - Duration::days(today.weekday().num_days_from_monday() as i64),
        Grain::Month => today.with_day(1).unwrap_or(today),
        Grain::Quarter => {
            NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap_or(today)
        }
        Grain::Year => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let end = match unit {
        Grain::Day => start + Duration::days(1),
        Grain::Week => start + Duration::days(7),
        Grain::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(start),
        Grain::Quarter => start.checked_add_months(chrono::Months::new(3)).unwrap_or(start),
        Grain::Year => start.checked_add_months(chrono::Months::new(12)).unwrap_or(start),
    };
    (start, end)
}

/// The unit of the unfinished period an answer shows, if it shows one: the bucket of a series that
/// reaches today, the current side of a comparison, or the whole range of "this month". A period named by
/// its dates ("in 2026", "December 2026") that holds today is as unfinished as "this year".
fn partial_unit(i: &Intent, today: NaiveDate) -> Option<Grain> {
    // An average per period, or a question that left the running period out, reads complete periods only.
    if i.per_period || i.complete_only.is_some() {
        return None;
    }
    let holds_today = |start: &NaiveDate, end: &NaiveDate| *start <= today && today < *end;
    let open = |r: Option<&TimeRange>| match r {
        Some(TimeRange::Between { start, end }) => holds_today(start, end),
        r => matches!(
            r,
            None | Some(
                TimeRange::Today
                    | TimeRange::This { .. }
                    | TimeRange::LastN { .. }
                    | TimeRange::LastNDays { .. }
                    | TimeRange::Since { .. }
            )
        ),
    };
    let current = |r: Option<&TimeRange>| match r {
        Some(TimeRange::Today) => Some(Grain::Day),
        Some(TimeRange::This { unit }) => Some(*unit),
        // "December 2026" on December 5th: that calendar period, to date.
        Some(TimeRange::Between { start, end }) if holds_today(start, end) => {
            [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year]
                .into_iter()
                .find(|g| current_period(*g, *start) == (*start, *end))
        }
        _ => None,
    };
    match (i.grain, &i.comparison) {
        (Some(g), None) if open(i.time_range.as_ref()) => Some(g),
        (None, Some(other)) => current(i.time_range.as_ref()).or(current(Some(other))),
        (None, None) => current(i.time_range.as_ref()),
        _ => None,
    }
}

fn partial_period(plan: &Plan, rs: &ResultSet, today: NaiveDate) -> Option<Caveat> {
    if let Some(unit) = plan.intent.complete_only {
        return left_out(plan, unit, rs, today);
    }
    let unit = partial_unit(&plan.intent, today)?;
    let column = plan.time_column.as_deref().and_then(|c| rs.column_index(c).map(|i| (c, i)));
    // A single figure for "this month" (no time column): the whole answer is to date.
    if column.is_none() && rs.rows.is_empty() {
        return None;
    }
    partial_caveat(unit, column, rs, today, plan.lang)
}

/// The caveat of a running period the answer left out ("worst month this year": the complete months only),
/// when its range held one: said, so that the reader knows it is not there.
fn left_out(plan: &Plan, unit: Grain, rs: &ResultSet, today: NaiveDate) -> Option<Caveat> {
    let whole = Intent { complete_only: None, ..plan.intent.clone() };
    partial_unit(&whole, today)?;
    let mut c = partial_caveat(unit, None, rs, today, plan.lang)?;
    c.message.push_str(plan.lang.pick(
        ", so it is left out: complete periods only",
        ", así que queda fuera: solo períodos completos",
    ));
    Some(c)
}

/// The caveat of the unfinished period of `unit` on `today`: the row of `column` (name, index) that starts
/// it, when it has one; with no column, the whole result.
pub(crate) fn partial_caveat(
    unit: Grain,
    column: Option<(&str, usize)>,
    rs: &ResultSet,
    today: NaiveDate,
    lang: Lang,
) -> Option<Caveat> {
    let (start, end) = current_period(unit, today);
    let (column, value) = match column {
        Some((name, i)) => {
            let cell = rs.rows.iter().filter_map(|r| r.get(i)).find(|v| as_date(v) == Some(start))?;
            (Some(name.to_string()), Some(cell.to_text()))
        }
        None => (None, None),
    };
    let days = (end - start).num_days();
    let elapsed = (today - start).num_days() + 1;
    let name = capitalize(&period_name(unit, start, lang));
    let message = match (lang, unit) {
        (Lang::En, Grain::Day) => format!("{name} is to date (today is not over)"),
        (Lang::Es, Grain::Day) => format!("{name} está en curso (hoy no ha terminado)"),
        (Lang::En, _) => format!("{name} is to date ({elapsed} of {days} days)"),
        (Lang::Es, _) => format!("{name} está en curso ({elapsed} de {days} días)"),
    };
    Some(Caveat { code: CaveatCode::PartialPeriod, message, column, value })
}

/// "December 2026", "Q4 2026", "the week of Nov 30, 2026" / "diciembre de 2026", "T4 2026"…
pub(crate) fn period_name(unit: Grain, start: NaiveDate, lang: Lang) -> String {
    let m = start.month0() as usize;
    let (en_month, es_month) = (describe::MONTHS_EN[m], describe::MONTHS_ES[m]);
    match (unit, lang) {
        (Grain::Day, Lang::En) => format!("{en_month} {}, {}", start.day(), start.year()),
        (Grain::Day, Lang::Es) => format!("el {} de {es_month} de {}", start.day(), start.year()),
        (Grain::Week, Lang::En) => format!("the week of {en_month} {}, {}", start.day(), start.year()),
        (Grain::Week, Lang::Es) => format!("la semana del {} de {es_month} de {}", start.day(), start.year()),
        (Grain::Month, Lang::En) => format!("{en_month} {}", start.year()),
        (Grain::Month, Lang::Es) => format!("{es_month} de {}", start.year()),
        (Grain::Quarter, _) => format!("{}{} {}", lang.pick("Q", "T"), m / 3 + 1, start.year()),
        (Grain::Year, _) => start.year().to_string(),
    }
}

pub(crate) fn as_date(v: &Value) -> Option<NaiveDate> {
    match v {
        Value::Date(d) => Some(*d),
        Value::Timestamp(t) => Some(t.date()),
        Value::Text(s) => NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_periods_start_and_end_on_calendar_bounds() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(current_period(Grain::Month, d), (ymd(2026, 12, 1), ymd(2027, 1, 1)));
        assert_eq!(current_period(Grain::Week, d), (ymd(2026, 11, 30), ymd(2026, 12, 7)));
        assert_eq!(current_period(Grain::Quarter, d), (ymd(2026, 10, 1), ymd(2027, 1, 1)));
        assert_eq!(current_period(Grain::Year, d), (ymd(2026, 1, 1), ymd(2027, 1, 1)));
        assert_eq!(current_period(Grain::Day, d), (d, ymd(2026, 12, 3)));
    }
}
