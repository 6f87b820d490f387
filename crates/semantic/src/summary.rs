//! The one-line summary under a chart, in the question's language: the leader and its share for
//! categories, the change from first to last for a series, the value of a KPI.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use inda_core::{Caveat, CaveatCode, ChartKind, ChartSpec, ResultSet, Value};

use crate::describe::{capitalize, join_words};
use crate::format::format_number;
use crate::lang::Lang;
use crate::model::{MeasureFormat, MetricKind, SemanticModel};
use crate::normalize::snake;
use crate::plan::Plan;
use crate::present::{as_date, period_name};

/// What the summary needs to know about a measure column.
#[derive(Clone)]
struct MeasureWords {
    label: String,
    /// Spanish article ("los", "la"), for agreement.
    article: Option<String>,
    format: MeasureFormat,
    kind: MetricKind,
    /// Currency code or unit written after a value ("COP", "min").
    unit: Option<String>,
}

/// Output column name → words, from the builtin model's metric labels in both languages.
fn known_measures() -> &'static HashMap<String, MeasureWords> {
    static MAP: OnceLock<HashMap<String, MeasureWords>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        if let Ok(model) = SemanticModel::builtin() {
            for m in model.metrics() {
                for (lang, label) in [(Lang::En, &m.label.en), (Lang::Es, &m.label.es)] {
                    let article = if lang == Lang::Es { m.article_es.clone() } else { None };
                    map.insert(
                        snake(label),
                        MeasureWords {
                            label: label.clone(),
                            article,
                            format: m.format,
                            kind: m.kind,
                            unit: m.unit.as_ref().map(|u| u.get(lang).clone()),
                        },
                    );
                }
            }
        }
        map
    })
}

fn words_for(rs: &ResultSet, column: &str, chart: &ChartSpec) -> MeasureWords {
    let mut w = known_measures().get(column).cloned().unwrap_or_else(|| MeasureWords {
        label: column.replace('_', " "),
        article: None,
        format: MeasureFormat::Number,
        kind: MetricKind::Sum,
        unit: None,
    });
    if chart.percent.iter().any(|p| p == column) {
        w.format = MeasureFormat::Percent;
    }
    if let Some(code) = rs.columns.iter().find(|c| c.name == column).and_then(|c| c.currency.clone()) {
        w.unit = Some(code);
    }
    w
}

impl MeasureWords {
    /// A value as people read it: locale digits, then the currency code or unit.
    fn value(&self, v: f64, lang: Lang) -> String {
        let n = format_number(v, lang, self.format.as_str());
        match &self.unit {
            Some(u) if self.format != MeasureFormat::Percent => format!("{n} {u}"),
            _ => n,
        }
    }
}

/// What the summary must respect beyond the rows: the plan behind them (a top-N cut hides the whole, so no
/// share is computed from it) and the caveats (a period still running is not compared as a whole).
#[derive(Clone, Copy, Default)]
pub struct SummaryContext<'a> {
    /// The plan the rows answer; `None` for typed SQL, which gets no shares (its rows may not be the whole).
    pub plan: Option<&'a Plan>,
    /// The result's caveats ([`crate::caveats`]): a period still running is named, not compared as a whole.
    pub caveats: &'a [Caveat],
}

impl SummaryContext<'_> {
    /// Whether the rows are the whole population, so that a share of their total is a true share.
    fn rows_are_whole(&self, rs: &ResultSet) -> bool {
        !rs.truncated && self.plan.is_some_and(|p| p.intent.top_n.is_none())
    }
    /// Whether the question ranks `measure` smallest first ("the 3 worst campaigns by delivery rate", "el
    /// canal con menos mensajes"): its summary names the lowest value, never "leads".
    fn ranks_lowest(&self, measure: &str) -> bool {
        let Some(p) = self.plan else { return false };
        let Some(sort) = p.intent.sort.as_ref().filter(|s| !s.descending) else { return false };
        let Some(metric) = &sort.metric else { return false };
        let ranked = p.intent.metrics.iter().position(|m| m == metric);
        ranked.is_some() && ranked == p.measures.iter().position(|m| m.name == measure)
    }
    /// The x value of a partial period, as the caveat names it.
    fn partial(&self, column: &str) -> Option<(&str, &str)> {
        self.caveats
            .iter()
            .filter(|c| c.code == CaveatCode::PartialPeriod && c.column.as_deref() == Some(column))
            .find_map(|c| Some((c.value.as_deref()?, c.message.as_str())))
    }
}

/// The one-line summary of a result as drawn in `chart`, in `lang`: the KPI's value, a series' change
/// from first to last, or the leading category and (when the rows are the whole) its share. Never fails:
/// a result it cannot read is summarized by its row count.
pub fn summarize(rs: &ResultSet, chart: &ChartSpec, lang: Lang, cx: SummaryContext) -> String {
    let mut line = summary_line(rs, chart, lang, cx);
    // "Worst month this year": the running period the answer left out is said, not only shown as a caveat.
    let left_out = cx.plan.is_some_and(|p| p.intent.complete_only.is_some());
    let caveat = cx.caveats.iter().find(|c| c.code == CaveatCode::PartialPeriod && c.column.is_none());
    if let (true, Some(c)) = (left_out, caveat)
        && !line.contains(&c.message)
    {
        line.push_str(&format!(" {}.", c.message));
    }
    line
}

fn summary_line(rs: &ResultSet, chart: &ChartSpec, lang: Lang, cx: SummaryContext) -> String {
    if rs.rows.is_empty() {
        return lang.pick("No data for this period.", "No hay datos para este período.").to_string();
    }
    let measure = chart
        .y
        .first()
        .cloned()
        .or_else(|| rs.columns.iter().find(|c| c.is_numeric()).map(|c| c.name.clone()));
    let Some(measure) = measure else { return rows_line(rs, lang) };
    let Some(mi) = rs.column_index(&measure) else { return rows_line(rs, lang) };
    let words = measure_words(rs, &measure, chart, cx);
    if let Some(line) = same_days_line(rs, mi, &words, lang, cx) {
        return line;
    }
    if let Some(line) = change_line(rs, mi, &words, lang, cx) {
        return line;
    }
    if let Some(p) = cx.plan.filter(|p| p.intent.list) {
        let label = p.measures.first().map_or_else(|| p.title.clone(), |m| capitalize(&m.label));
        return format!("{label}: {}.", format_number(rs.rows.len() as f64, lang, "number"));
    }
    if let Some((p, ci)) = cx.plan.and_then(|p| Some((p, rs.column_index(p.currency_column.as_deref()?)?))) {
        return currency_split_line(rs, chart, p, mi, ci, &words, lang, cx);
    }
    if let Some(line) = ranked_periods_line(rs, chart, mi, &words, lang, cx) {
        return line;
    }
    match chart.kind {
        ChartKind::Kpi => {
            // Every measure asked for ("979 purchases and 44 refunds"), not only the first.
            let shown = if chart.y.len() > 1 { chart.y.clone() } else { vec![measure.clone()] };
            let parts: Option<Vec<String>> = shown
                .iter()
                .map(|m| {
                    let w = measure_words(rs, m, chart, cx);
                    let v = rs.rows[0].get(rs.column_index(m)?).and_then(Value::as_f64)?;
                    Some(match (w.format, &w.unit) {
                        (MeasureFormat::Number, None) => format!("{} {}", w.value(v, lang), w.label),
                        _ => format!("{}: {}", w.label, w.value(v, lang)),
                    })
                })
                .collect();
            let Some(parts) = parts else { return no_value(lang) };
            let mut line = format!("{}.", capitalize(&join_words(&parts, lang)));
            if let Some(c) = cx.caveats.iter().find(|c| c.code == CaveatCode::PartialPeriod) {
                line.push_str(&format!(" {}.", c.message));
            }
            line
        }
        ChartKind::Line | ChartKind::Area => series_line(rs, chart, mi, &words, lang, cx),
        ChartKind::Bar
            if chart
                .x
                .as_ref()
                .and_then(|x| rs.columns.iter().find(|c| &c.name == x))
                .is_some_and(|c| c.is_temporal()) =>
        {
            series_line(rs, chart, mi, &words, lang, cx)
        }
        ChartKind::Bar | ChartKind::Pie => category_line(rs, chart, mi, &words, lang, cx),
        ChartKind::Scatter => {
            let x = chart.x.clone().unwrap_or_default().replace('_', " ");
            match lang {
                Lang::En => format!("{} points of {} vs {}.", rs.rows.len(), x, words.label),
                Lang::Es => format!("{} puntos de {} frente a {}.", rs.rows.len(), x, words.label),
            }
        }
        ChartKind::Table => rows_line(rs, lang),
    }
}

/// How a measure column is read: the builtin words for it, or for a measure of the plan the builtin labels
/// do not know ("revenue per day") as the plan says (an average has no share of a total).
fn measure_words(rs: &ResultSet, column: &str, chart: &ChartSpec, cx: SummaryContext) -> MeasureWords {
    let mut words = words_for(rs, column, chart);
    if let Some(m) = cx.plan.and_then(|p| p.measures.iter().find(|m| m.name == column))
        && !known_measures().contains_key(column)
    {
        words.label = m.label.clone();
        words.kind = m.kind;
    }
    words
}

fn no_value(lang: Lang) -> String {
    lang.pick("No data for this period.", "No hay datos para este período.").to_string()
}

fn rows_line(rs: &ResultSet, lang: Lang) -> String {
    let n = format_number(rs.rows.len() as f64, lang, "number");
    let one = rs.rows.len() == 1;
    let mut s = match lang {
        Lang::En => format!("{n} {}.", if one { "row" } else { "rows" }),
        Lang::Es => format!("{n} {}.", if one { "fila" } else { "filas" }),
    };
    if rs.truncated {
        s.pop();
        s.push_str(lang.pick(" (truncated).", " (recortado)."));
    }
    s
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        other => other.to_text(),
    }
}

/// "whatsapp leads with 1,234 messages sent (93%)." / "whatsapp lidera con 1.234 mensajes enviados (93 %)."
fn category_line(
    rs: &ResultSet,
    chart: &ChartSpec,
    mi: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> String {
    let xi = chart.x.as_ref().and_then(|x| rs.column_index(x));
    let si = chart.series.as_ref().and_then(|s| rs.column_index(s));
    let lowest = cx.ranks_lowest(&rs.columns[mi].name);
    let mut best: Option<(usize, f64)> = None;
    let mut total = 0.0;
    let mut non_negative = true;
    for (i, row) in rs.rows.iter().enumerate() {
        let Some(v) = row.get(mi).and_then(Value::as_f64) else { continue };
        total += v;
        non_negative &= v >= 0.0;
        if best.is_none_or(|(_, b)| if lowest { v < b } else { v > b }) {
            best = Some((i, v));
        }
    }
    let Some((bi, bv)) = best else { return no_value(lang) };
    let row = &rs.rows[bi];
    let cell = |i: usize, v: &Value| value_text(rs.columns[i].name.as_str(), v, lang);
    let mut name = xi.and_then(|x| row.get(x).map(|v| cell(x, v))).unwrap_or_default();
    if let Some(s) = si.and_then(|s| row.get(s).map(|v| cell(s, v))) {
        name = format!("{name} / {s}");
    }
    // "Revenue by currency": each row in its own currency, so no total, no share, and the row's code.
    let mixed = cx.plan.is_some_and(|p| {
        p.measures.iter().any(|m| {
            m.name == rs.columns[mi].name && m.format == MeasureFormat::Currency && m.currency.is_none()
        })
    });
    let mut w = w.clone();
    if mixed {
        w.unit = xi.and_then(|x| row.get(x)).map(cell_text);
    }
    let value = w.value(bv, lang);
    let additive =
        matches!(w.kind, MetricKind::Count | MetricKind::Sum) && w.format != MeasureFormat::Percent;
    let whole = cx.rows_are_whole(rs) && !mixed;
    let share = (additive && non_negative && total > 0.0 && rs.rows.len() > 1 && whole)
        .then(|| format_number(bv / total, lang, "percent"));
    if let Some(n) = cx.plan.filter(|p| p.intent.nth).and_then(|p| p.intent.top_n) {
        let from_bottom = cx.plan.is_some_and(|p| p.intent.sort.as_ref().is_some_and(|s| !s.descending));
        return match (lang, from_bottom) {
            (Lang::En, false) => format!("{name} is number {n} by {} ({value}).", w.label),
            (Lang::En, true) => format!("{name} is number {n} from the bottom by {} ({value}).", w.label),
            (Lang::Es, false) => format!("{name} es el número {n} en {} ({value}).", w.label),
            (Lang::Es, true) => format!("{name} es el número {n} desde abajo en {} ({value}).", w.label),
        };
    }
    if lowest {
        return match lang {
            Lang::En => format!("{name} has the lowest {} ({value}).", w.label),
            Lang::Es => format!("{name} tiene el valor más bajo de {} ({value}).", w.label),
        };
    }
    if !additive {
        return match lang {
            Lang::En => format!("{name} has the highest {} ({value}).", w.label),
            Lang::Es => format!("{name} tiene el valor más alto de {} ({value}).", w.label),
        };
    }
    let amount = match (w.format, &w.unit) {
        (MeasureFormat::Number, None) => format!("{value} {}", w.label),
        _ => match lang {
            Lang::En => format!("{value} in {}", w.label),
            Lang::Es => format!("{value} en {}", w.label),
        },
    };
    let share = share.map(|s| format!(" ({s})")).unwrap_or_default();
    match lang {
        Lang::En => format!("{name} leads with {amount}{share}."),
        Lang::Es => format!("{name} lidera con {amount}{share}."),
    }
}

/// An answer split by reporting currency (companies with different ones): each currency on its own, never
/// added to or ranked against another, and the reader told so. "In COP, Acme Corp leads with 1,500.00 COP in
/// revenue; in MXN, Globex: 300.00 MXN. Each company's amounts are in its own reporting currency, never
/// added across currencies."
#[allow(clippy::too_many_arguments)]
fn currency_split_line(
    rs: &ResultSet,
    chart: &ChartSpec,
    plan: &Plan,
    mi: usize,
    ci: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> String {
    let mut currencies: Vec<Value> = Vec::new();
    for row in &rs.rows {
        if let Some(c) = row.get(ci).filter(|c| !currencies.contains(c)) {
            currencies.push(c.clone());
        }
    }
    let time = plan.time_column.as_deref().and_then(|t| rs.column_index(t));
    // The category a row is (not its key, not the currency): "Acme Corp", "WhatsApp".
    let category = plan
        .dimension_columns
        .iter()
        .filter(|d| !plan.id_columns.contains(d))
        .find_map(|d| rs.column_index(d))
        .filter(|i| *i != ci);
    let additive =
        matches!(w.kind, MetricKind::Count | MetricKind::Sum) && w.format != MeasureFormat::Percent;
    let partial = time.and_then(|t| cx.partial(&rs.columns[t].name));
    let partial_date = partial.and_then(|(v, _)| NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok());
    let mut parts = Vec::new();
    let mut values = Vec::new();
    let mut same_days = false;
    for c in &currencies {
        let rows: Vec<&Vec<Value>> = rs.rows.iter().filter(|r| r.get(ci) == Some(c)).collect();
        let mut wc = w.clone();
        let code = match c {
            Value::Null => lang.pick("unknown currency", "moneda desconocida").to_string(),
            other => other.to_text(),
        };
        wc.unit = (*c != Value::Null).then(|| code.clone());
        // "This month vs last month" while this month runs: the same days of both, per currency.
        let own = ResultSet {
            columns: rs.columns.clone(),
            rows: rows.iter().map(|r| (*r).clone()).collect(),
            truncated: false,
        };
        wc.label = format!("{} {} {code}", w.label, lang.pick("in", "en"));
        if let Some(line) = same_days_line(&own, mi, &wc, lang, cx) {
            let message = partial.map(|(_, m)| format!(" {m}.")).unwrap_or_default();
            parts.push(format!(
                "{code}: {}",
                line.strip_suffix(&message).unwrap_or(&line).trim_end_matches('.')
            ));
            same_days = true;
            continue;
        }
        if let Some(ti) = time {
            let mut points: Vec<(NaiveDate, f64)> = Vec::new();
            let mut single = true;
            for r in &rows {
                let (Some(d), Some(v)) = (r.get(ti).and_then(as_date), r.get(mi).and_then(Value::as_f64))
                else {
                    continue;
                };
                if Some(d) == partial_date {
                    continue;
                }
                match points.iter_mut().find(|(pd, _)| *pd == d) {
                    Some(p) if additive => p.1 += v,
                    Some(_) => single = false,
                    None => points.push((d, v)),
                }
            }
            if !single {
                continue;
            }
            points.sort_by_key(|p| p.0);
            let line = series_change(&points, chart, &wc, lang);
            let line = if parts.is_empty() { line } else { decapitalize(&line) };
            parts.push(line.trim_end_matches('.').to_string());
        } else if let Some(xi) = category {
            let best = rows
                .iter()
                .filter_map(|r| Some((*r, r.get(mi).and_then(Value::as_f64)?)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let Some((row, v)) = best else { continue };
            let name = row.get(xi).map(|x| value_text(&rs.columns[xi].name, x, lang)).unwrap_or_default();
            let value = wc.value(v, lang);
            let within = lang.pick("in", "en");
            parts.push(match (rows.len() > 1, additive, lang) {
                (false, _, _) => format!("{within} {code}, {name}: {value}"),
                (true, true, Lang::En) => format!("in {code}, {name} leads with {value}"),
                (true, true, Lang::Es) => format!("en {code}, {name} lidera con {value}"),
                (true, false, Lang::En) => format!("in {code}, {name} has the highest {} ({value})", w.label),
                (true, false, Lang::Es) => {
                    format!("en {code}, {name} tiene el valor más alto de {} ({value})", w.label)
                }
            });
        } else if let Some(v) = rows.first().and_then(|r| r.get(mi)).and_then(Value::as_f64) {
            // A money value names its currency; a share of it says whose it is.
            values.push(match w.format {
                MeasureFormat::Percent => format!("{} ({code})", wc.value(v, lang)),
                _ => wc.value(v, lang),
            });
        }
    }
    if !values.is_empty() {
        parts.insert(0, format!("{}: {}", capitalize(&w.label), values.join(", ")));
    }
    let note = lang.pick(
        "Each company's amounts are in its own reporting currency, never added across currencies.",
        "Los montos de cada empresa están en su propia moneda de reporte y no se suman entre monedas.",
    );
    // Same-days comparisons have their own semicolons: each is a sentence.
    let joined = parts.join(if same_days { ". " } else { "; " });
    let mut line = if parts.is_empty() { String::new() } else { format!("{}. ", capitalize(&joined)) };
    line.push_str(note);
    match partial {
        Some((_, message)) if same_days => line.push_str(&format!(" {message}.")),
        Some((_, message)) => {
            let complete = lang.pick("Complete periods only", "Solo períodos completos");
            line.push_str(&format!(" {complete}; {message}."));
        }
        None => {}
    }
    line
}

/// The text with its first letter lower-case, to continue a sentence ("Revenue in MXN rose…" → "revenue…").
fn decapitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A change between two periods ("revenue growth last month"): the first row's measure in the later
/// period, its change and its value in the earlier one; with a breakdown, the row named. "Messages sent:
/// 5,354, up 53.3% on 3,492 (the same days of the period before)."
fn change_line(
    rs: &ResultSet,
    mi: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> Option<String> {
    let plan = cx.plan.filter(|p| p.intent.change)?;
    let [now_m, before_m, change_m] = plan.measures.as_slice() else { return None };
    if rs.columns[mi].name != now_m.name {
        return None;
    }
    let row = rs.rows.first()?;
    let value = |name: &str| rs.column_index(name).and_then(|i| row.get(i)).and_then(Value::as_f64);
    let (now, before) = (value(&now_m.name)?, value(&before_m.name)?);
    let change = match value(&change_m.name) {
        Some(c) => change_words(c, lang),
        None => lang.pick("nothing to compare with before:", "sin nada con qué comparar antes:").to_string(),
    };
    let name = plan
        .dimension_columns
        .iter()
        .filter_map(|d| rs.column_index(d))
        .filter_map(|i| row.get(i).map(|v| value_text(rs.columns[i].name.as_str(), v, lang)))
        .collect::<Vec<_>>()
        .join(" / ");
    let subject = if name.is_empty() { capitalize(&w.label) } else { format!("{name}, {}", w.label) };
    let mut line = format!("{subject}: {}, {change} {}", w.value(now, lang), w.value(before, lang));
    if crate::sqlgen::compares_same_days(&plan.intent) {
        line.push_str(
            lang.pick(" (the same days of the period before)", " (los mismos días del período anterior)"),
        );
    }
    line.push('.');
    if let Some(c) = cx.caveats.iter().find(|c| c.code == CaveatCode::PartialPeriod) {
        line.push_str(&format!(" {}.", c.message));
    }
    Some(line)
}

/// A change as a fraction in words, before the value it is from: "up 4.1% on", "4,1 % menos que".
fn change_words(fraction: f64, lang: Lang) -> String {
    let pct = format_number(fraction.abs(), lang, "percent");
    match (lang, fraction >= 0.0) {
        (Lang::En, true) => format!("up {pct} on"),
        (Lang::En, false) => format!("down {pct} on"),
        (Lang::Es, true) => format!("{pct} más que"),
        (Lang::Es, false) => format!("{pct} menos que"),
    }
}

/// "December 2026 so far: 162.6 M COP, up 4.1% on the same 2 days of November 2026 (156.2 M COP); November
/// 2026 as a whole: 1,485.8 M COP." — a running period against the one before it, like with like.
fn same_days_line(
    rs: &ResultSet,
    mi: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> Option<String> {
    let plan = cx.plan?;
    let si = rs.column_index(plan.same_days_column.as_deref()?)?;
    let ti = rs.column_index(plan.time_column.as_deref()?)?;
    let unit = match plan.intent.time_range? {
        crate::intent::TimeRange::This { unit } | crate::intent::TimeRange::Last { unit } => unit,
        _ => return None,
    };
    let (_, message) = cx.partial(plan.time_column.as_deref()?)?;
    let mut rows: Vec<(NaiveDate, &Vec<Value>)> =
        rs.rows.iter().filter_map(|r| Some((r.get(ti).and_then(as_date)?, r))).collect();
    rows.sort_by_key(|r| r.0);
    let [(prev_day, prev), (cur_day, cur)] = rows.as_slice() else { return None };
    let value = |r: &Vec<Value>, i: usize| r.get(i).and_then(Value::as_f64);
    let (now, before, whole) = (value(cur, mi)?, value(prev, si)?, value(prev, mi)?);
    let (cur_name, prev_name) =
        (capitalize(&period_name(unit, *cur_day, lang)), period_name(unit, *prev_day, lang));
    let change = if before > 0.0 && w.format != MeasureFormat::Percent {
        let words = change_words((now - before) / before, lang);
        if lang == Lang::Es { format!("{words} en") } else { words }
    } else {
        lang.pick("against", "frente a").to_string()
    };
    Some(match lang {
        Lang::En => format!(
            "{cur_name} so far: {}, {change} the same days of {prev_name} ({}); {prev_name} as a whole: {}. {message}.",
            w.value(now, lang),
            w.value(before, lang),
            w.value(whole, lang)
        ),
        Lang::Es => format!(
            "{cur_name} hasta hoy: {}, {change} los mismos días de {prev_name} ({}); {prev_name} completo: {}. {message}.",
            w.value(now, lang),
            w.value(before, lang),
            w.value(whole, lang)
        ),
    })
}

/// A category as people write it: "WhatsApp", "México", "En riesgo", from the model's value labels.
fn value_text(column: &str, v: &Value, lang: Lang) -> String {
    let raw = cell_text(v);
    let Ok(model) = SemanticModel::builtin() else { return raw };
    let family = (model.dimensions().iter().find(|d| d.column == column || d.name == column))
        .map(|d| d.family().to_string());
    match family {
        Some(f) if model.names_value(&f, &raw) => capitalize(&model.value_label(&f, &raw, lang)),
        _ => raw,
    }
}

const MON_EN: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MON_ES: [&str; 12] =
    ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];

/// A period as people say it, by the bucket the column holds.
fn period_text(d: NaiveDate, grain: &str, lang: Lang) -> String {
    let m = d.month0() as usize;
    match grain {
        "month" => match lang {
            Lang::En => format!("{} {}", MON_EN[m], d.year()),
            Lang::Es => format!("{} {}", MON_ES[m], d.year()),
        },
        "quarter" => format!("{}{} {}", lang.pick("Q", "T"), m / 3 + 1, d.year()),
        "year" => d.year().to_string(),
        _ => match lang {
            Lang::En => format!("{} {}, {}", MON_EN[m], d.day(), d.year()),
            Lang::Es => format!("{} {} {}", d.day(), MON_ES[m], d.year()),
        },
    }
}

/// The bucket of a time column: from its name (month/mes…), else from the dates themselves.
fn grain_of(column: &str, dates: &[NaiveDate]) -> &'static str {
    match column {
        "month" | "mes" => return "month",
        "quarter" | "trimestre" => return "quarter",
        "year" | "anio" => return "year",
        "week" | "semana" | "day" | "dia" => return "day",
        _ => {}
    }
    if dates.iter().all(|d| d.day() == 1) {
        if dates.iter().all(|d| d.month() == 1) {
            "year"
        } else if dates.iter().all(|d| d.month0() % 3 == 0) && dates.len() > 1 {
            "quarter"
        } else {
            "month"
        }
    } else {
        "day"
    }
}

/// "Revenue rose 12.3% from Jan 2026 to Nov 2026." / "Los ingresos subieron 12,3 % de ene 2026 a nov 2026."
fn series_line(
    rs: &ResultSet,
    chart: &ChartSpec,
    mi: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> String {
    let Some(xi) = chart.x.as_ref().and_then(|x| rs.column_index(x)) else { return rows_line(rs, lang) };
    // A period still running is left out of the change, and said so.
    let partial = chart.x.as_deref().and_then(|x| cx.partial(x));
    let partial_date = partial.and_then(|(v, _)| NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok());
    // Sum across series per period (for rates, only a single series is summarized).
    let mut points: Vec<(NaiveDate, f64)> = Vec::new();
    let mut running: Vec<(NaiveDate, f64)> = Vec::new();
    for row in &rs.rows {
        let (Some(d), Some(v)) = (row.get(xi).and_then(as_date), row.get(mi).and_then(Value::as_f64)) else {
            continue;
        };
        if Some(d) == partial_date {
            running.push((d, v));
            continue;
        }
        match points.iter_mut().find(|(pd, _)| *pd == d) {
            Some(p) if w.format != MeasureFormat::Percent => p.1 += v,
            Some(_) => return rows_line(rs, lang),
            None => points.push((d, v)),
        }
    }
    points.sort_by_key(|p| p.0);
    // Only the running period ("monthly, in December 2026" on December 5th): its figure so far.
    if let (true, [one], Some((_, message))) = (points.is_empty(), running.as_slice(), partial) {
        let line = series_change(&[*one], chart, w, lang);
        return format!("{} {message}.", line.trim_end());
    }
    let line = series_change(&points, chart, w, lang);
    match partial {
        Some((_, message)) => {
            let complete = lang.pick("complete periods only", "solo períodos completos");
            format!("{} ({complete}; {message}).", line.trim_end_matches('.'))
        }
        None => line,
    }
}

/// Periods ranked by the measure ("which month had the fewest messages this year"): the first row is the
/// answer. A period still running is named as such, never ranked as if it were whole.
fn ranked_periods_line(
    rs: &ResultSet,
    chart: &ChartSpec,
    mi: usize,
    w: &MeasureWords,
    lang: Lang,
    cx: SummaryContext,
) -> Option<String> {
    let plan = cx.plan?;
    plan.intent.grain?;
    plan.intent.sort.as_ref()?.metric.as_ref()?;
    let x = chart.x.as_deref()?;
    let xi = rs.column_index(x)?;
    let first = rs.rows.first()?;
    let date = first.get(xi).and_then(as_date)?;
    let value = w.value(first.get(mi).and_then(Value::as_f64)?, lang);
    let period = capitalize(&period_text(date, grain_of(x, &[date]), lang));
    let lowest = cx.ranks_lowest(&rs.columns[mi].name);
    let mut line = match (lang, lowest) {
        (Lang::En, false) => format!("{period} has the highest {} ({value}).", w.label),
        (Lang::En, true) => format!("{period} has the lowest {} ({value}).", w.label),
        (Lang::Es, false) => format!("{period} tiene el valor más alto de {} ({value}).", w.label),
        (Lang::Es, true) => format!("{period} tiene el valor más bajo de {} ({value}).", w.label),
    };
    let partial =
        cx.partial(x).filter(|(v, _)| v.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()) == Some(date));
    if let Some((_, message)) = partial {
        line.push_str(&match lang {
            Lang::En => format!(" {message}, so it is no fair comparison with whole periods."),
            Lang::Es => format!(" {message}, así que no es comparable con períodos completos."),
        });
    }
    Some(line)
}

/// The change from the first to the last point of a series.
fn series_change(points: &[(NaiveDate, f64)], chart: &ChartSpec, w: &MeasureWords, lang: Lang) -> String {
    let (Some(first), Some(last)) = (points.first().copied(), points.last().copied()) else {
        return no_value(lang);
    };
    let dates: Vec<NaiveDate> = points.iter().map(|p| p.0).collect();
    let grain = grain_of(chart.x.as_deref().unwrap_or(""), &dates);
    let from = period_text(first.0, grain, lang);
    let to = period_text(last.0, grain, lang);
    let fmt = |v: f64| w.value(v, lang);
    let plural = matches!(w.article.as_deref(), Some("los" | "las"));
    let subject = match (lang, &w.article) {
        (Lang::En, _) => capitalize(&w.label),
        (Lang::Es, Some(a)) => format!("{} {}", capitalize(a), w.label),
        (Lang::Es, None) => capitalize(&w.label),
    };
    if points.len() == 1 {
        return match lang {
            Lang::En => format!("{subject}: {} in {from}.", fmt(first.1)),
            Lang::Es => format!("{subject}: {} en {from}.", fmt(first.1)),
        };
    }
    let direction = if last.1 > first.1 {
        1
    } else if last.1 < first.1 {
        -1
    } else {
        0
    };
    let verb = match (lang, direction, plural) {
        (Lang::En, 1, _) => "rose",
        (Lang::En, -1, _) => "fell",
        (Lang::En, _, _) => "held steady",
        (Lang::Es, 1, true) => "subieron",
        (Lang::Es, 1, false) => "subió",
        (Lang::Es, -1, true) => "bajaron",
        (Lang::Es, -1, false) => "bajó",
        (Lang::Es, _, true) => "se mantuvieron",
        (Lang::Es, _, false) => "se mantuvo",
    };
    let (de, a) = match lang {
        Lang::En => ("from", "to"),
        Lang::Es => ("de", "a"),
    };
    if direction == 0 {
        let at = lang.pick("at", "en");
        return format!("{subject} {verb} {at} {} {de} {from} {a} {to}.", fmt(first.1));
    }
    if w.format == MeasureFormat::Percent || first.1 <= 0.0 {
        return format!("{subject} {verb} {de} {} {a} {} ({from} → {to}).", fmt(first.1), fmt(last.1));
    }
    let change = ((last.1 - first.1) / first.1).abs();
    format!("{subject} {verb} {} {de} {from} {a} {to}.", format_number(change, lang, "percent"))
}
