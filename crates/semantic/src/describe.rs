//! Words for what the engine understood: plan titles ("Messages sent by channel, last month") and the
//! "I understood…" part of a not-understood answer, in the question's language.

use chrono::{Datelike, NaiveDate};

use crate::fragments::Fragments;
use crate::intent::{DaysOfWeek, Grain, Intent, TimeRange};
use crate::lang::Lang;
use crate::model::SemanticModel;

pub(crate) const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

pub(crate) fn metric_label(model: &SemanticModel, name: &str, lang: Lang) -> String {
    model.metric(name).map(|m| m.label.get(lang).clone()).unwrap_or_else(|| name.to_string())
}

pub(crate) fn dim_label(model: &SemanticModel, name: &str, lang: Lang) -> String {
    model.dimension(name).map(|d| d.label.get(lang).clone()).unwrap_or_else(|| name.to_string())
}

pub(crate) fn unit_word(unit: Grain, lang: Lang, plural: bool) -> &'static str {
    match (lang, unit, plural) {
        (Lang::En, Grain::Day, false) => "day",
        (Lang::En, Grain::Day, true) => "days",
        (Lang::En, Grain::Week, false) => "week",
        (Lang::En, Grain::Week, true) => "weeks",
        (Lang::En, Grain::Month, false) => "month",
        (Lang::En, Grain::Month, true) => "months",
        (Lang::En, Grain::Quarter, false) => "quarter",
        (Lang::En, Grain::Quarter, true) => "quarters",
        (Lang::En, Grain::Year, false) => "year",
        (Lang::En, Grain::Year, true) => "years",
        (Lang::Es, Grain::Day, false) => "día",
        (Lang::Es, Grain::Day, true) => "días",
        (Lang::Es, Grain::Week, false) => "semana",
        (Lang::Es, Grain::Week, true) => "semanas",
        (Lang::Es, Grain::Month, false) => "mes",
        (Lang::Es, Grain::Month, true) => "meses",
        (Lang::Es, Grain::Quarter, false) => "trimestre",
        (Lang::Es, Grain::Quarter, true) => "trimestres",
        (Lang::Es, Grain::Year, false) => "año",
        (Lang::Es, Grain::Year, true) => "años",
    }
}

fn feminine(unit: Grain) -> bool {
    unit == Grain::Week
}

fn date_label(d: NaiveDate, lang: Lang) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::En => format!("{} {}, {}", MONTHS_EN[m], d.day(), d.year()),
        Lang::Es => format!("{} de {} de {}", d.day(), MONTHS_ES[m], d.year()),
    }
}

/// "last month", "el mes pasado", "March 2026", "marzo de 2026", "Q1 2026"…
pub(crate) fn time_label(range: &TimeRange, lang: Lang) -> String {
    match (*range, lang) {
        (TimeRange::Today, _) => lang.pick("today", "hoy").to_string(),
        (TimeRange::Yesterday, _) => lang.pick("yesterday", "ayer").to_string(),
        (TimeRange::LastNDays { n }, Lang::En) => format!("last {n} days"),
        (TimeRange::LastNDays { n }, Lang::Es) => format!("últimos {n} días"),
        (TimeRange::DaysBefore { n }, Lang::En) => format!("the {n} days before"),
        (TimeRange::DaysBefore { n }, Lang::Es) => format!("los {n} días anteriores"),
        (TimeRange::This { unit }, Lang::En) => format!("this {}", unit_word(unit, lang, false)),
        (TimeRange::This { unit }, Lang::Es) => {
            format!("{} {}", if feminine(unit) { "esta" } else { "este" }, unit_word(unit, lang, false))
        }
        (TimeRange::Last { unit }, Lang::En) => format!("last {}", unit_word(unit, lang, false)),
        (TimeRange::Last { unit }, Lang::Es) => {
            if feminine(unit) {
                format!("la {} pasada", unit_word(unit, lang, false))
            } else {
                format!("el {} pasado", unit_word(unit, lang, false))
            }
        }
        (TimeRange::Earlier { unit, n: 2 }, Lang::En) => {
            format!("the {} before last", unit_word(unit, lang, false))
        }
        (TimeRange::Earlier { unit, n }, Lang::En) => format!("{n} {} ago", unit_word(unit, lang, true)),
        (TimeRange::Earlier { unit, n: 2 }, Lang::Es) => {
            if feminine(unit) {
                format!("la {} antepasada", unit_word(unit, lang, false))
            } else {
                format!("el {} antepasado", unit_word(unit, lang, false))
            }
        }
        (TimeRange::Earlier { unit, n }, Lang::Es) => format!("hace {n} {}", unit_word(unit, lang, true)),
        (TimeRange::LastN { unit, n }, Lang::En) => format!("last {n} {}", unit_word(unit, lang, n != 1)),
        (TimeRange::LastN { unit, n }, Lang::Es) => {
            let last = if feminine(unit) { "últimas" } else { "últimos" };
            format!("{last} {n} {}", unit_word(unit, lang, n != 1))
        }
        (TimeRange::LastComplete { unit, n }, Lang::En) => {
            format!("last {n} complete {}", unit_word(unit, lang, n != 1))
        }
        (TimeRange::LastComplete { unit, n }, Lang::Es) => {
            let (last, done) =
                if feminine(unit) { ("últimas", "completas") } else { ("últimos", "completos") };
            format!("{last} {n} {} {done}", unit_word(unit, lang, n != 1))
        }
        (TimeRange::Between { start, end }, _) => between_label(start, end, lang),
        (TimeRange::Since { start }, Lang::En) => format!("since {}", date_label(start, lang)),
        (TimeRange::Since { start }, Lang::Es) => format!("desde el {}", date_label(start, lang)),
    }
}

fn between_label(start: NaiveDate, end: NaiveDate, lang: Lang) -> String {
    let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    let aligned = start.day() == 1 && end.day() == 1;
    let m = start.month0() as usize;
    // One day (a drill into a day of a series; no question names a single date): that day.
    if start.succ_opt() == Some(end) {
        return date_label(start, lang);
    }
    match (aligned, months, lang) {
        (true, 1, Lang::En) => format!("{} {}", MONTHS_EN[m], start.year()),
        (true, 1, Lang::Es) => format!("{} de {}", MONTHS_ES[m], start.year()),
        (true, 3, _) if m.is_multiple_of(3) => {
            format!("{}{} {}", lang.pick("Q", "T"), m / 3 + 1, start.year())
        }
        (true, 12, _) if m == 0 => start.year().to_string(),
        _ => {
            let last = end.pred_opt().unwrap_or(end);
            match lang {
                Lang::En => format!("{} to {}", date_label(start, lang), date_label(last, lang)),
                Lang::Es => format!("del {} al {}", date_label(start, lang), date_label(last, lang)),
            }
        }
    }
}

pub(crate) fn join_words(words: &[String], lang: Lang) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {}", init.join(", "), lang.pick("and", "y"), last),
    }
}

/// The text with its first letter upper-case ("En riesgo", "Diciembre de 2026").
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Ended in the period": the periods are read on another date of the rows.
fn other_date_label(model: &SemanticModel, intent: &Intent, lang: Lang) -> Option<String> {
    let metric = model.metric(intent.metrics.first()?)?;
    let column = intent.date_column.as_ref()?;
    let date = model.table(&metric.table)?.dates.iter().find(|d| d.column == *column)?;
    Some(date.label.get(lang).clone())
}

/// The plan title: "Messages sent by channel, last month" / "Mensajes enviados por canal, el mes pasado".
pub(crate) fn title(model: &SemanticModel, intent: &Intent, lang: Lang) -> String {
    let metrics: Vec<String> = intent.metrics.iter().map(|m| metric_label(model, m, lang)).collect();
    let mut out = capitalize(&join_words(&metrics, lang));
    let mut by: Vec<String> = intent.breakdowns.iter().map(|d| dim_label(model, d, lang)).collect();
    if let Some(g) = intent.grain {
        by.insert(0, unit_word(g, lang, false).to_string());
    }
    if !by.is_empty() {
        out.push_str(lang.pick(" by ", " por "));
        out.push_str(&join_words(&by, lang));
    }
    let mut filters = Vec::new();
    for f in &intent.filters {
        let family = model.dimension(&f.dimension).map(|d| d.family().to_string()).unwrap_or_default();
        let label = |v: &String| match f.negated {
            true => model.excluded_label(&family, v, lang),
            false => model.value_label(&family, v, lang),
        };
        let values = join_words(&f.values.iter().map(label).collect::<Vec<_>>(), lang);
        if f.negated {
            filters.push(format!("{} {values}", lang.pick("excluding", "sin")));
        } else {
            filters.push(values);
        }
    }
    if let Some(label) = other_date_label(model, intent, lang) {
        filters.push(label);
    }
    for b in &intent.began {
        let table = model.table(&b.table).and_then(|t| t.began_label.as_ref());
        let label = table.map_or_else(|| b.table.clone(), |l| l.get(lang).clone());
        filters.push(format!("{label}: {}", time_label(&b.range, lang)));
    }
    if !filters.is_empty() {
        out.push_str(&format!(" ({})", filters.join("; ")));
    }
    if let (Some(n), true) = (intent.top_n, intent.nth) {
        let ascending = intent.sort.as_ref().is_some_and(|s| !s.descending);
        match (ascending, lang) {
            (false, Lang::En) => out.push_str(&format!(", number {n}")),
            (false, Lang::Es) => out.push_str(&format!(", número {n}")),
            (true, Lang::En) => out.push_str(&format!(", number {n} from the bottom")),
            (true, Lang::Es) => out.push_str(&format!(", número {n} desde abajo")),
        }
    } else if let Some(n) = intent.top_n {
        let ascending = intent.sort.as_ref().is_some_and(|s| !s.descending);
        match (ascending, lang) {
            (false, _) => out.push_str(&format!(", top {n}")),
            (true, Lang::En) => out.push_str(&format!(", bottom {n}")),
            (true, Lang::Es) => out.push_str(&format!(", los {n} menores")),
        }
    }
    // "Revenue, change from the month before last to last month".
    if let (true, Some(later), Some(earlier)) = (intent.change, &intent.time_range, &intent.comparison) {
        let (from, to) = (time_label(earlier, lang), time_label(later, lang));
        out.push_str(&match lang {
            Lang::En => format!(", change from {from} to {to}"),
            // "de el" and "a el" are "del" and "al".
            Lang::Es => {
                format!(", variación de {from} a {to}").replace(" de el ", " del ").replace(" a el ", " al ")
            }
        });
    } else if let Some(t) = &intent.time_range {
        out.push_str(", ");
        out.push_str(&time_label(t, lang));
    }
    if let Some(c) = intent.comparison.as_ref().filter(|_| !intent.change) {
        out.push_str(" vs ");
        out.push_str(&time_label(c, lang));
    }
    if let Some(d) = intent.days {
        out.push_str(", ");
        out.push_str(&days_label(d, lang));
    }
    if intent.per_period {
        out.push_str(lang.pick(" (average of complete periods)", " (promedio de períodos completos)"));
    }
    out
}

/// "on weekends", "los lunes y martes".
pub(crate) fn days_label(days: DaysOfWeek, lang: Lang) -> String {
    const EN: [&str; 7] =
        ["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"];
    const ES: [&str; 7] = ["domingos", "lunes", "martes", "miércoles", "jueves", "viernes", "sábados"];
    if days == DaysOfWeek::WEEKEND {
        return lang.pick("on weekends", "los fines de semana").to_string();
    }
    if days == DaysOfWeek::WORKING {
        return lang.pick("on weekdays", "entre semana").to_string();
    }
    let names: Vec<String> =
        days.numbers().map(|d| lang.pick(EN[d as usize], ES[d as usize]).to_string()).collect();
    format!("{} {}", lang.pick("on", "los"), join_words(&names, lang))
}

/// What was understood of a question, for a not-understood answer.
pub(crate) fn fragments(
    model: &SemanticModel,
    f: &Fragments,
    strong: &[String],
    weak: &[String],
    lang: Lang,
) -> Vec<String> {
    let mut out = Vec::new();
    for m in strong.iter().chain(weak.iter()) {
        let l = metric_label(model, m, lang);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    for b in &f.breakdowns {
        if let Some(d) = b.candidates.first() {
            out.push(format!("{}{}", lang.pick("by ", "por "), dim_label(model, d, lang)));
        }
    }
    for v in &f.values {
        out.push(model.value_label(&v.family, &v.value, lang));
    }
    out.extend(f.days.map(|d| days_label(d, lang)));
    for t in &f.times {
        out.push(time_label(t, lang));
    }
    if let Some(g) = f.grain {
        out.push(format!("{}{}", lang.pick("by ", "por "), unit_word(g, lang, false)));
    }
    out
}
