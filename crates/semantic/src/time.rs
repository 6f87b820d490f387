//! Time expressions of semantics.md in English and Spanish ("last 30 days", "el mes pasado",
//! "en marzo de 2026", "Q1", "since January") over normalized tokens, and numbers written as digits or words.

use chrono::{Datelike, NaiveDate};

use crate::intent::{Grain, TimeRange};

/// A number written as digits ("30") or as a word in either language ("thirty", "treinta").
pub(crate) fn number(token: &str) -> Option<u32> {
    if !token.is_empty() && token.len() <= 6 && token.bytes().all(|b| b.is_ascii_digit()) {
        return token.parse().ok();
    }
    let n = match token {
        "one" | "uno" | "una" | "un" => 1,
        "two" | "dos" => 2,
        "three" | "tres" => 3,
        "four" | "cuatro" => 4,
        "five" | "cinco" => 5,
        "six" | "seis" => 6,
        "seven" | "siete" => 7,
        "eight" | "ocho" => 8,
        "nine" | "nueve" => 9,
        "ten" | "diez" => 10,
        "eleven" | "once" => 11,
        "twelve" | "doce" => 12,
        "thirteen" | "trece" => 13,
        "fourteen" | "catorce" => 14,
        "fifteen" | "quince" => 15,
        "sixteen" | "dieciseis" => 16,
        "seventeen" | "diecisiete" => 17,
        "eighteen" | "dieciocho" => 18,
        "nineteen" | "diecinueve" => 19,
        "twenty" | "veinte" => 20,
        "thirty" | "treinta" => 30,
        "forty" | "cuarenta" => 40,
        "fifty" | "cincuenta" => 50,
        "sixty" | "sesenta" => 60,
        "ninety" | "noventa" => 90,
        "hundred" | "cien" => 100,
        _ => return None,
    };
    Some(n)
}

/// Words of numbers, so that typo correction never turns one into something else.
pub(crate) const NUMBER_WORDS: &[&str] = &[
    "one",
    "uno",
    "una",
    "un",
    "two",
    "dos",
    "three",
    "tres",
    "four",
    "cuatro",
    "five",
    "cinco",
    "six",
    "seis",
    "seven",
    "siete",
    "eight",
    "ocho",
    "nine",
    "nueve",
    "ten",
    "diez",
    "eleven",
    "once",
    "twelve",
    "doce",
    "thirteen",
    "trece",
    "fourteen",
    "catorce",
    "fifteen",
    "quince",
    "sixteen",
    "dieciseis",
    "seventeen",
    "diecisiete",
    "eighteen",
    "dieciocho",
    "nineteen",
    "diecinueve",
    "twenty",
    "veinte",
    "thirty",
    "treinta",
    "forty",
    "cuarenta",
    "fifty",
    "cincuenta",
    "sixty",
    "sesenta",
    "ninety",
    "noventa",
    "hundred",
    "cien",
];

/// Every word the time grammar knows (for typo correction and language votes).
pub(crate) fn time_words() -> impl Iterator<Item = &'static str> {
    TIME_WORDS.iter().chain(COMPLETE_WORDS).copied()
}

const TIME_WORDS: &[&str] = &[
    "today",
    "hoy",
    "yesterday",
    "ayer",
    "last",
    "past",
    "previous",
    "prior",
    "preceding",
    "ultimos",
    "ultimas",
    "ultimo",
    "ultima",
    "pasados",
    "pasadas",
    "pasado",
    "pasada",
    "previos",
    "previas",
    "previo",
    "previa",
    "anteriores",
    "anterior",
    "this",
    "current",
    "este",
    "esta",
    "actual",
    "corriente",
    "curso",
    "presente",
    "day",
    "days",
    "dia",
    "dias",
    "week",
    "weeks",
    "semana",
    "semanas",
    "month",
    "months",
    "mes",
    "meses",
    "quarter",
    "quarters",
    "trimestre",
    "trimestres",
    "year",
    "years",
    "ano",
    "anos",
    "anio",
    "anios",
    "mtd",
    "ytd",
    "qtd",
    "wtd",
    "date",
    "since",
    "desde",
    "starting",
    "partir",
    "between",
    "entre",
    "through",
    "hasta",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "first",
    "second",
    "third",
    "fourth",
    "primer",
    "primero",
    "segundo",
    "tercer",
    "tercero",
    "cuarto",
    "start",
    "beginning",
    "inicio",
    "principios",
    "comienzo",
    "q1",
    "q2",
    "q3",
    "q4",
];

pub(crate) fn unit(token: &str) -> Option<Grain> {
    Some(match token {
        "day" | "days" | "dia" | "dias" => Grain::Day,
        "week" | "weeks" | "semana" | "semanas" => Grain::Week,
        "month" | "months" | "mes" | "meses" => Grain::Month,
        "quarter" | "quarters" | "trimestre" | "trimestres" => Grain::Quarter,
        "year" | "years" | "ano" | "anos" | "anio" | "anios" => Grain::Year,
        _ => return None,
    })
}

fn month_name(token: &str, full_only: bool) -> Option<u32> {
    let full = match token {
        "january" | "enero" => Some(1),
        "february" | "febrero" => Some(2),
        "march" | "marzo" => Some(3),
        "april" | "abril" => Some(4),
        "may" | "mayo" => Some(5),
        "june" | "junio" => Some(6),
        "july" | "julio" => Some(7),
        "august" | "agosto" => Some(8),
        "september" | "septiembre" | "setiembre" => Some(9),
        "october" | "octubre" => Some(10),
        "november" | "noviembre" => Some(11),
        "december" | "diciembre" => Some(12),
        _ => None,
    };
    if full.is_some() || full_only {
        return full;
    }
    match token {
        "jan" | "ene" => Some(1),
        "feb" => Some(2),
        "mar" => Some(3),
        "apr" | "abr" => Some(4),
        "jun" => Some(6),
        "jul" => Some(7),
        "aug" | "ago" => Some(8),
        "sep" | "sept" => Some(9),
        "oct" => Some(10),
        "nov" => Some(11),
        "dec" | "dic" => Some(12),
        _ => None,
    }
}

/// Words saying a period is over: "the last 3 complete months", "los últimos 6 meses cerrados".
const COMPLETE_WORDS: &[&str] = &[
    "complete",
    "completed",
    "full",
    "whole",
    "closed",
    "finished",
    "cerrados",
    "cerradas",
    "completos",
    "completas",
    "enteros",
    "enteras",
    "terminados",
    "terminadas",
];

const LAST_WORDS: &[&str] = &[
    "last",
    "past",
    "previous",
    "prior",
    "preceding",
    "ultimos",
    "ultimas",
    "ultimo",
    "ultima",
    "pasados",
    "pasadas",
    "previos",
    "previas",
    "anteriores",
];
const THIS_WORDS: &[&str] = &["this", "current", "este", "esta"];

fn year_number(token: &str) -> Option<i32> {
    if token.len() == 4 && token.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = token.parse().ok()?;
        if (2000..=2099).contains(&y) {
            return Some(y);
        }
    }
    None
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

pub(crate) fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(chrono::Months::new(months))
}

/// A year written after a month or quarter: "2026", "of 2026", "de 2026", "del 2026", "de este año",
/// "of last year", "del año pasado". Returns (tokens consumed, year).
fn year_suffix(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, i32)> {
    let at = |k: usize| t.get(k).map(String::as_str);
    let mut j = i;
    if matches!(at(j), Some("of" | "de" | "del" | "in" | "en")) {
        j += 1;
    }
    if matches!(at(j), Some("el" | "the")) {
        j += 1;
    }
    if let Some(y) = at(j).and_then(year_number) {
        return Some((j + 1 - i, y));
    }
    if matches!(at(j), Some("ano" | "anio" | "year")) {
        if let Some(y) = at(j + 1).and_then(year_number) {
            return Some((j + 2 - i, y));
        }
        if matches!(at(j + 1), Some("pasado" | "anterior")) {
            return Some((j + 2 - i, today.year() - 1));
        }
        if matches!(at(j + 1), Some("actual" | "corriente")) {
            return Some((j + 2 - i, today.year()));
        }
    }
    match (at(j), at(j + 1)) {
        (Some("this" | "este" | "current"), Some("year" | "ano" | "anio")) => Some((j + 2 - i, today.year())),
        (Some("last" | "previous" | "past"), Some("year")) => Some((j + 2 - i, today.year() - 1)),
        _ => None,
    }
}

/// The calendar month `month` named without a year: the most recent one not after today.
fn recent_year(month: u32, today: NaiveDate) -> i32 {
    if month <= today.month() { today.year() } else { today.year() - 1 }
}

/// "march 2026", "marzo de 2026", "in march", "mayo del año pasado" → (consumed, first day of the month).
fn month_expr(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let tok = t.get(i)?;
    let suffix = year_suffix(t, i + 1, today);
    // "mar" (sea) and "ago" (English "ago") are words too and need a year ("may" a year or "in"); the other
    // abbreviations are months alone as well ("oct vs nov").
    let full_only = suffix.is_none() && matches!(tok.as_str(), "mar" | "ago" | "may");
    let month = month_name(tok, full_only)?;
    if tok == "may" && suffix.is_none() {
        let prev = i.checked_sub(1).and_then(|k| t.get(k)).map(String::as_str);
        if !matches!(prev, Some("in" | "during" | "since" | "from" | "for" | "of")) {
            return None;
        }
    }
    match suffix {
        Some((n, year)) => Some((1 + n, month_start(year, month)?)),
        None => Some((1, month_start(recent_year(month, today), month)?)),
    }
}

/// "q1 2026", "first quarter of 2026", "primer trimestre" → (consumed, first day of the quarter).
fn quarter_expr(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    part_of_year(t, i, today, "q", &["quarter", "trimestre"], 4)
}

/// "H1 2026", "the first half of 2026", "el segundo semestre": the first month of that half-year.
fn half_expr(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    part_of_year(t, i, today, "h", &["half", "semestre"], 2)
}

/// One of the `parts` equal parts of a year, by its short form (`prefix` and one digit: "q3") or an ordinal
/// and one of its `nouns` ("third quarter", "2do semestre"), then an optional year → (consumed, its first
/// day).
fn part_of_year(
    t: &[String],
    i: usize,
    today: NaiveDate,
    prefix: &str,
    nouns: &[&str],
    parts: u32,
) -> Option<(usize, NaiveDate)> {
    let at = |k: usize| t.get(k).map(String::as_str);
    let short = (at(i)?.strip_prefix(prefix))
        .filter(|d| d.len() == 1)
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|p| (1..=parts).contains(p));
    let (part, mut n) = match short {
        Some(p) => (p, 1),
        None => {
            let (k, p) = ordinal(t, i).filter(|(_, p)| (1..=parts).contains(p))?;
            if !at(i + k).is_some_and(|w| nouns.contains(&w)) {
                return None;
            }
            (p, k + 1)
        }
    };
    let first_month = (part - 1) * (12 / parts) + 1;
    let year = match year_suffix(t, i + n, today) {
        Some((k, y)) => {
            n += k;
            y
        }
        None => recent_year(first_month, today),
    };
    Some((n, month_start(year, first_month)?))
}

/// An ordinal of a quarter or half-year: "third", "tercer", or digits with their suffix ("3rd", "3er", "2do",
/// which the tokens split: "3" then "rd"). Returns (tokens consumed, number).
fn ordinal(t: &[String], i: usize) -> Option<(usize, u32)> {
    let word = match t.get(i)?.as_str() {
        "first" | "primer" | "primero" | "primera" => Some(1),
        "second" | "segundo" | "segunda" => Some(2),
        "third" | "tercer" | "tercero" | "tercera" => Some(3),
        "fourth" | "cuarto" | "cuarta" => Some(4),
        _ => None,
    };
    if let Some(n) = word {
        return Some((1, n));
    }
    let n = t[i].parse::<u32>().ok().filter(|n| (1..=4).contains(n))?;
    let suffix = ["st", "nd", "rd", "th", "er", "ro", "do", "to", "o", "a"];
    suffix.contains(&t.get(i + 1)?.as_str()).then_some((2, n))
}

/// A period with a start and an end: a month, a quarter, a half-year or a year. Returns (consumed, start,
/// end).
fn period(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate, NaiveDate)> {
    if let Some((n, start)) = month_expr(t, i, today) {
        return Some((n, start, add_months(start, 1)?));
    }
    if let Some((n, start)) = quarter_expr(t, i, today) {
        return Some((n, start, add_months(start, 3)?));
    }
    if let Some((n, start)) = half_expr(t, i, today) {
        return Some((n, start, add_months(start, 6)?));
    }
    let at = |k: usize| t.get(k).map(String::as_str);
    let (skip, year) = match (at(i), at(i + 1)) {
        (Some("year" | "ano" | "anio"), Some(y)) => (2, year_number(y)?),
        (Some(y), _) => (1, year_number(y)?),
        _ => return None,
    };
    Some((skip, month_start(year, 1)?, month_start(year + 1, 1)?))
}

/// Relative ranges: today, yesterday, this/last unit, last N units, to-date forms.
fn relative(t: &[String], i: usize) -> Option<(usize, TimeRange)> {
    let at = |k: usize| t.get(k).map(String::as_str);
    let w = at(i)?;
    match w {
        "today" | "hoy" => return Some((1, TimeRange::Today)),
        "yesterday" | "ayer" => return Some((1, TimeRange::Yesterday)),
        "anteayer" | "antier" => return Some((1, TimeRange::Earlier { unit: Grain::Day, n: 2 })),
        "antes" if at(i + 1) == Some("de") && at(i + 2) == Some("ayer") => {
            return Some((3, TimeRange::Earlier { unit: Grain::Day, n: 2 }));
        }
        "mtd" => return Some((1, TimeRange::This { unit: Grain::Month })),
        "ytd" => return Some((1, TimeRange::This { unit: Grain::Year })),
        "qtd" => return Some((1, TimeRange::This { unit: Grain::Quarter })),
        "wtd" => return Some((1, TimeRange::This { unit: Grain::Week })),
        _ => {}
    }
    // "last 30 days", "últimos 6 meses", "past two weeks"
    if LAST_WORDS.contains(&w) {
        // "last 3 complete months", "últimos 6 meses cerrados": the current one left out.
        let done = |k: usize| at(k).is_some_and(|x| COMPLETE_WORDS.contains(&x));
        if let Some(n) = at(i + 1).and_then(number).filter(|n| *n > 0)
            && done(i + 2)
            && let Some(u) = at(i + 3).and_then(unit).filter(|u| *u != Grain::Day)
        {
            return Some((4, last_complete(u, n)));
        }
        if let (Some(n), Some(u)) = (at(i + 1).and_then(number), at(i + 2).and_then(unit)) {
            if n == 0 {
                return None;
            }
            if u != Grain::Day && done(i + 3) {
                return Some((4, last_complete(u, n)));
            }
            return Some((3, last_n(u, n)));
        }
        if let Some(u) = at(i + 1).and_then(unit) {
            // "los últimos días", "the past weeks": how many is not said.
            if at(i + 1).is_some_and(|x| x.ends_with('s') && x != "mes") {
                return None;
            }
            // "over the past year" / "en el último año" mean the trailing twelve months; "last year" and
            // "el año pasado" are the previous calendar year (semantics.md).
            if u == Grain::Year && matches!(w, "past" | "ultimo") {
                return Some((2, TimeRange::LastN { unit: Grain::Month, n: 12 }));
            }
            return Some((2, last_one(u)));
        }
        return None;
    }
    // "30 days", "los 30 días anteriores"
    if let (Some(n), Some(u)) = (number(w), at(i + 1).and_then(unit)) {
        if n == 0 {
            return None;
        }
        if matches!(
            at(i + 2),
            Some(
                "pasados"
                    | "pasadas"
                    | "anteriores"
                    | "previos"
                    | "previas"
                    | "ultimos"
                    | "ultimas"
                    | "before"
                    | "prior"
                    | "earlier"
            )
        ) {
            return Some((3, last_n(u, n)));
        }
        return None;
    }
    // "this month", "esta semana", "current quarter"
    if THIS_WORDS.contains(&w) {
        let u = at(i + 1).and_then(unit)?;
        if u == Grain::Day {
            return Some((2, TimeRange::Today));
        }
        return Some((2, TimeRange::This { unit: u }));
    }
    // "month to date", "mes pasado", "semana anterior", "mes actual", "mes en curso"
    if let Some(u) = unit(w) {
        return match (at(i + 1), at(i + 2)) {
            (Some("to"), Some("date")) => Some((3, TimeRange::This { unit: u })),
            // "the month before last", "el mes antepasado"
            (Some("before"), Some("last")) => Some((3, TimeRange::Earlier { unit: u, n: 2 })),
            (Some("antepasado" | "antepasada"), _) => Some((2, TimeRange::Earlier { unit: u, n: 2 })),
            // "la semana que pasó"
            (Some("que"), Some("paso")) => Some((3, last_one(u))),
            (Some("before" | "pasado" | "pasada" | "anterior" | "previo" | "previa"), _) => {
                Some((2, last_one(u)))
            }
            (Some("actual" | "corriente" | "presente"), _) => Some((2, this_one(u))),
            (Some("en"), Some("curso")) => Some((3, this_one(u))),
            _ => None,
        };
    }
    // "ticket promedio del mes", "ventas de la semana": the current period (not "del año pasado").
    if matches!(w, "del" | "de") {
        let mut j = i + 1;
        if w == "de" && matches!(at(j), Some("la" | "el" | "este" | "esta")) {
            j += 1;
        }
        let u = at(j).and_then(unit)?;
        if matches!(
            at(j + 1),
            Some("pasado" | "pasada" | "anterior" | "previo" | "previa" | "actual" | "en" | "a")
        ) {
            return None;
        }
        return Some((j + 1 - i, this_one(u)));
    }
    // "lo que va del mes", "lo que va de este año"
    if w == "lo" && at(i + 1) == Some("que") && at(i + 2) == Some("va") {
        let mut j = i + 3;
        if matches!(at(j), Some("de" | "del")) {
            j += 1;
        }
        if matches!(at(j), Some("el" | "la" | "este" | "esta")) {
            j += 1;
        }
        let u = at(j).and_then(unit)?;
        return Some((j + 1 - i, this_one(u)));
    }
    None
}

fn this_one(u: Grain) -> TimeRange {
    if u == Grain::Day { TimeRange::Today } else { TimeRange::This { unit: u } }
}

/// Whether a time expression says "before" ("the month before", "the previous 30 days", "el mes anterior"):
/// on its own it is the period before the current one, but after the same period in a comparison it is
/// the one before that ([`one_before`]).
pub(crate) fn said_before(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        matches!(
            w,
            "before"
                | "previous"
                | "prior"
                | "preceding"
                | "earlier"
                | "anterior"
                | "anteriores"
                | "previo"
                | "previa"
                | "previos"
                | "previas"
        )
    })
}

/// "Octubre y noviembre 2026" in a comparison: the two months, not the span from one to the other.
pub(crate) fn months_compared(r: TimeRange, text: &str) -> Option<(TimeRange, TimeRange)> {
    let TimeRange::Between { start, end } = r else { return None };
    let joined = text.split_whitespace().any(|w| matches!(w, "and" | "y" | "e"));
    if !joined || start.day() != 1 || end.day() != 1 || add_months(start, 2)? > end {
        return None;
    }
    let last = end.checked_sub_months(chrono::Months::new(1))?;
    Some((TimeRange::Between { start, end: add_months(start, 1)? }, TimeRange::Between { start: last, end }))
}

/// The whole period before a previous one: "the month before" said after "last month", "the 30 days before"
/// after "the last 30 days".
pub(crate) fn one_before(r: TimeRange) -> Option<TimeRange> {
    match r {
        TimeRange::LastNDays { n } => Some(TimeRange::DaysBefore { n }),
        TimeRange::Yesterday => Some(TimeRange::Earlier { unit: Grain::Day, n: 2 }),
        TimeRange::Last { unit } => Some(TimeRange::Earlier { unit, n: 2 }),
        TimeRange::Earlier { unit, n } => Some(TimeRange::Earlier { unit, n: n + 1 }),
        _ => None,
    }
}

/// The period just before `r`, of the same length: what a change is measured from when only one period is
/// named ("growth this month": from last month). `None` for ranges with no such period.
pub(crate) fn period_before(r: TimeRange) -> Option<TimeRange> {
    match r {
        TimeRange::Today => Some(TimeRange::Yesterday),
        TimeRange::This { unit } => Some(last_one(unit)),
        TimeRange::Between { start, end } if start.day() == 1 && end.day() == 1 => {
            let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
            let back = chrono::Months::new(u32::try_from(months).ok().filter(|m| *m > 0)?);
            Some(TimeRange::Between { start: start.checked_sub_months(back)?, end: start })
        }
        TimeRange::Between { start, end } => {
            let days = (end - start).num_days();
            (days > 0).then(|| TimeRange::Between { start: start - chrono::Duration::days(days), end: start })
        }
        other => one_before(other),
    }
}

/// Whether `a` is later than `b`, for two ranges said the same way (both relative to today, or both
/// dates); `None` when they cannot be told apart that way.
pub(crate) fn later(a: TimeRange, b: TimeRange) -> Option<bool> {
    match (a, b) {
        (TimeRange::Between { start: x, .. }, TimeRange::Between { start: y, .. }) => Some(x > y),
        (TimeRange::Between { .. } | TimeRange::Since { .. }, _)
        | (_, TimeRange::Between { .. } | TimeRange::Since { .. }) => None,
        _ => Some(days_back(a)? < days_back(b)?),
    }
}

/// The days a range covers on `today`: `[start, end)`, a running period ending tomorrow (nothing is dated
/// later).
pub(crate) fn days(r: TimeRange, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let tomorrow = today.succ_opt()?;
    let start_of = |u: Grain| -> Option<NaiveDate> {
        Some(match u {
            Grain::Day => today,
            Grain::Week => today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday())),
            Grain::Month => today.with_day(1)?,
            Grain::Quarter => month_start(today.year(), (today.month() - 1) / 3 * 3 + 1)?,
            Grain::Year => month_start(today.year(), 1)?,
        })
    };
    // `n` periods of `u` before `from`.
    let back = |from: NaiveDate, u: Grain, n: u32| -> Option<NaiveDate> {
        let months = |m: u32| from.checked_sub_months(chrono::Months::new(m));
        match u {
            Grain::Day => from.checked_sub_days(chrono::Days::new(u64::from(n))),
            Grain::Week => from.checked_sub_days(chrono::Days::new(7 * u64::from(n))),
            Grain::Month => months(n),
            Grain::Quarter => months(3 * n),
            Grain::Year => months(12 * n),
        }
    };
    let day = |n: u32| back(today, Grain::Day, n);
    Some(match r {
        TimeRange::Today => (today, tomorrow),
        TimeRange::Yesterday => (day(1)?, today),
        TimeRange::LastNDays { n } => (day(n)?, tomorrow),
        TimeRange::DaysBefore { n } => (day(2 * n)?, day(n)?),
        TimeRange::This { unit } => (start_of(unit)?, tomorrow),
        TimeRange::Last { unit } => (back(start_of(unit)?, unit, 1)?, start_of(unit)?),
        TimeRange::Earlier { unit, n } => {
            (back(start_of(unit)?, unit, n)?, back(start_of(unit)?, unit, n - 1)?)
        }
        TimeRange::LastN { unit, n } => (back(start_of(unit)?, unit, n.saturating_sub(1))?, tomorrow),
        TimeRange::LastComplete { unit, n } => (back(start_of(unit)?, unit, n)?, start_of(unit)?),
        TimeRange::Between { start, end } => (start, end),
        TimeRange::Since { start } => (start, tomorrow.max(start)),
    })
}

/// Whether one range lies within the other on `today` ("this month" and "today"), or both are the same.
pub(crate) fn nested(a: TimeRange, b: TimeRange, today: NaiveDate) -> bool {
    let (Some((a0, a1)), Some((b0, b1))) = (days(a, today), days(b, today)) else { return false };
    (a0 >= b0 && a1 <= b1) || (b0 >= a0 && b1 <= a1)
}

/// How many days back the middle of a relative range lies, roughly: enough to order two of them.
fn days_back(r: TimeRange) -> Option<f64> {
    let len = |u: Grain| match u {
        Grain::Day => 1.0,
        Grain::Week => 7.0,
        Grain::Month => 30.4,
        Grain::Quarter => 91.3,
        Grain::Year => 365.2,
    };
    Some(match r {
        TimeRange::Today => 0.5,
        TimeRange::Yesterday => 1.5,
        TimeRange::LastNDays { n } => f64::from(n) / 2.0,
        TimeRange::DaysBefore { n } => f64::from(n) * 1.5,
        TimeRange::This { unit } => len(unit) / 2.0,
        TimeRange::Last { unit } => len(unit) * 1.5,
        TimeRange::Earlier { unit, n } => len(unit) * (f64::from(n) + 0.5),
        TimeRange::LastN { unit, n } => len(unit) * f64::from(n) / 2.0,
        TimeRange::LastComplete { unit, n } => len(unit) * (f64::from(n) / 2.0 + 1.0),
        TimeRange::Between { .. } | TimeRange::Since { .. } => return None,
    })
}

/// The same period a year earlier ("the same month last year" after "this month"): a month twelve months
/// back, a quarter four; `None` for periods without one (days, weeks, rolling ranges).
pub(crate) fn year_before(r: TimeRange) -> Option<TimeRange> {
    let back = |unit: Grain, n: u32| match unit {
        Grain::Month => Some(TimeRange::Earlier { unit, n: n + 12 }),
        Grain::Quarter => Some(TimeRange::Earlier { unit, n: n + 4 }),
        Grain::Year if n == 0 => Some(TimeRange::Last { unit }),
        Grain::Year => Some(TimeRange::Earlier { unit, n: n + 1 }),
        _ => None,
    };
    match r {
        TimeRange::This { unit } => back(unit, 0),
        TimeRange::Last { unit } => back(unit, 1),
        TimeRange::Earlier { unit, n } => back(unit, n),
        TimeRange::Between { start, end } => Some(TimeRange::Between {
            start: start.checked_sub_months(chrono::Months::new(12))?,
            end: end.checked_sub_months(chrono::Months::new(12))?,
        }),
        _ => None,
    }
}

fn last_one(u: Grain) -> TimeRange {
    if u == Grain::Day { TimeRange::Yesterday } else { TimeRange::Last { unit: u } }
}

fn last_complete(u: Grain, n: u32) -> TimeRange {
    if n == 1 { TimeRange::Last { unit: u } } else { TimeRange::LastComplete { unit: u, n } }
}

fn last_n(u: Grain, n: u32) -> TimeRange {
    if u == Grain::Day { TimeRange::LastNDays { n } } else { TimeRange::LastN { unit: u, n } }
}

/// A date written with slashes, day first as in Latin America: "15/11/2026" (that day), "11/2026" (that
/// month), as `[start, end)`; anything else (no year, an impossible date) is none.
fn slash_date(token: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<u32> = token.split('/').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let year = |y: u32| i32::try_from(y).ok().filter(|y| (1900..=2999).contains(y));
    match parts.as_slice() {
        [m, y] => {
            let start = NaiveDate::from_ymd_opt(year(*y)?, *m, 1)?;
            Some((start, add_months(start, 1)?))
        }
        [d, m, y] => {
            let day = NaiveDate::from_ymd_opt(year(*y)?, *m, *d)?;
            Some((day, day.succ_opt()?))
        }
        _ => None,
    }
}

/// "15/11/2026", "del 15/11/2026 al 30/11/2026", "11/2026": dates with slashes, alone or as a range.
fn slash_span(t: &[String], i: usize) -> Option<(usize, TimeRange)> {
    let (start, end) = slash_date(t.get(i)?)?;
    let joined =
        matches!(t.get(i + 1).map(String::as_str), Some("al" | "a" | "to" | "until" | "hasta" | "through"));
    match t.get(i + 2).filter(|_| joined).and_then(|w| slash_date(w)) {
        Some((_, last)) if last > start => Some((3, TimeRange::Between { start, end: last })),
        _ => Some((1, TimeRange::Between { start, end })),
    }
}

/// Matches a time expression starting at token `i`; returns the tokens consumed and the range.
pub(crate) fn match_time(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, TimeRange)> {
    let (n, r) = time_from(t, i, today)?;
    // "este mes hasta hoy", "since Nov 16 until today", "del 1 de noviembre hasta hoy": a period that runs
    // to now says nothing more; one that ended ("noviembre hasta hoy") runs on from its start.
    let Some(k) = through_today(t, i + n) else { return Some((n, r)) };
    match r {
        TimeRange::Today
        | TimeRange::LastNDays { .. }
        | TimeRange::This { .. }
        | TimeRange::LastN { .. }
        | TimeRange::Since { .. } => Some((n + k, r)),
        TimeRange::Between { start, .. } if start <= today => Some((n + k, TimeRange::Since { start })),
        _ => Some((n, r)),
    }
}

/// "hasta hoy", "until today", "up to now", "al día de hoy": the end of a period that runs to now. Returns the
/// tokens it takes.
fn through_today(t: &[String], i: usize) -> Option<usize> {
    const PHRASES: &[&[&str]] = &[
        &["hasta", "hoy"],
        &["hasta", "el", "dia", "de", "hoy"],
        &["hasta", "ahora"],
        &["al", "dia", "de", "hoy"],
        &["al", "corte", "de", "hoy"],
        &["a", "la", "fecha", "de", "hoy"],
        &["a", "la", "fecha"],
        &["as", "of", "today"],
        &["as", "of", "now"],
        &["as", "at", "today"],
        &["a", "hoy"],
        &["until", "today"],
        &["until", "now"],
        &["till", "today"],
        &["to", "today"],
        &["through", "today"],
        &["thru", "today"],
        &["up", "to", "today"],
        &["up", "until", "today"],
        &["up", "to", "now"],
        &["up", "till", "today"],
        &["including", "today"],
        &["incluyendo", "hoy"],
        &["incluido", "hoy"],
    ];
    PHRASES
        .iter()
        .find(|p| p.iter().enumerate().all(|(k, w)| t.get(i + k).is_some_and(|x| x == w)))
        .map(|p| p.len())
}

/// [`match_time`] before the end "hasta hoy".
fn time_from(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, TimeRange)> {
    if let Some(r) = slash_span(t, i) {
        return Some(r);
    }
    let at = |k: usize| t.get(k).map(String::as_str);
    if let Some(r) = day_span(t, i, today) {
        return Some(r);
    }
    // "between March and May 2026", "from January to March", "entre enero y marzo de 2026"
    if matches!(at(i), Some("between" | "from" | "entre" | "de" | "desde"))
        && let Some(r) = month_span(t, i + 1, today)
    {
        return Some((1 + r.0, r.1));
    }
    // "since March", "desde 2025", "a partir de enero", "since last month", "desde inicio de año"
    let since_len = match (at(i), at(i + 1), at(i + 2)) {
        (Some("starting"), Some("from" | "in"), _) => Some(2),
        (Some("since" | "desde" | "starting"), _, _) => Some(1),
        (Some("a"), Some("partir"), Some("de" | "del")) => Some(3),
        _ => None,
    };
    if let Some(mut k) = since_len {
        // "desde principios de año", "since the start of the year"
        let mut s = i + k;
        if matches!(at(s), Some("the" | "el")) {
            s += 1;
        }
        if matches!(at(s), Some("start" | "beginning" | "inicio" | "principios" | "comienzo")) {
            let mut u = s + 1;
            while matches!(at(u), Some("of" | "de" | "del" | "the" | "el" | "la")) {
                u += 1;
            }
            // "since the beginning of last year", "desde el inicio del año pasado": since that period, read
            // below; a unit alone ("of the year", "de este mes") is this one.
            if relative(t, u).is_none() && period(t, u, today).is_none() {
                while matches!(at(u), Some("este" | "esta" | "this")) {
                    u += 1;
                }
                let g = at(u).and_then(unit)?;
                return Some((u + 1 - i, this_one(g)));
            }
            k = u - i;
        }
        let j = i + k;
        if let Some((n, start)) = since_weekday(t, j, today) {
            // Since Monday is this week (and stays so in a saved analysis).
            let r = match start.weekday() {
                chrono::Weekday::Mon => TimeRange::This { unit: Grain::Week },
                _ => TimeRange::Since { start },
            };
            return Some((k + n, r));
        }
        // "desde el 16 de noviembre", "since november 16"
        if let Some((n, TimeRange::Between { start, end })) = day_span_cued(t, j, today, true)
            && end == start.succ_opt()?
        {
            return Some((k + n, TimeRange::Since { start }));
        }
        if let Some((n, start, _)) = period(t, j, today) {
            return Some((k + n, TimeRange::Since { start }));
        }
        if let Some((n, r)) = relative(t, j) {
            let r = match r {
                TimeRange::Last { unit } => TimeRange::LastN { unit, n: 2 },
                TimeRange::Yesterday => TimeRange::LastNDays { n: 1 },
                other => other,
            };
            return Some((k + n, r));
        }
        return None;
    }
    if let Some(r) = relative(t, i) {
        return Some(r);
    }
    if let Some((n, start, end)) = period(t, i, today) {
        return Some((n, TimeRange::Between { start, end }));
    }
    None
}

/// "March and May 2026" / "enero a marzo" / "jan to mar 2026": two months joined by and/to/a/y/hasta/through.
fn month_span(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, TimeRange)> {
    let at = |k: usize| t.get(k).map(String::as_str);
    // An abbreviation is a month here too ("ene a mar 2026"): the month after the joiner says so.
    let first = month_name(at(i)?, false)?;
    if !matches!(at(i + 1), Some("and" | "to" | "through" | "a" | "y" | "hasta" | "al")) {
        return None;
    }
    let (n, last_start) = month_expr(t, i + 2, today)?;
    let year = if first <= last_start.month() { last_start.year() } else { last_start.year() - 1 };
    let start = month_start(year, first)?;
    let end = add_months(last_start, 1)?;
    Some((2 + n, TimeRange::Between { start, end }))
}

/// A day of the month written as digits ("1", "15", "3rd" is "3" then "rd"): (tokens consumed, day).
fn day_number(t: &[String], i: usize) -> Option<(usize, u32)> {
    let tok = t.get(i)?;
    if tok.is_empty() || tok.len() > 2 || !tok.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = tok.parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let ordinal = matches!(t.get(i + 1).map(String::as_str), Some("st" | "nd" | "rd" | "th" | "ro"));
    Some((1 + usize::from(ordinal), day))
}

/// A month named after a day ("15 de noviembre de 2026", "15th of nov"), abbreviations included since the
/// day says it is a date: (tokens consumed, first day of the month).
fn month_after_day(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let skip = usize::from(matches!(t.get(i).map(String::as_str), Some("de" | "of")));
    let Some(month) = month_name(t.get(i + skip)?, false) else { return month_said_of_today(t, i, today) };
    let (n, year) = match year_suffix(t, i + skip + 1, today) {
        Some((n, y)) => (n, y),
        None => (0, recent_year(month, today)),
    };
    Some((skip + 1 + n, month_start(year, month)?))
}

/// "Of this month", "del mes pasado" after a day ("from the 1st of this month", "del 1 al 15 del mes pasado"):
/// that month, the day the question is asked. Returns (tokens consumed, its first day).
fn month_said_of_today(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    // "del mes" is this one; "del mes pasado" reads from "mes".
    let mut j = i;
    while matches!(t.get(j).map(String::as_str), Some("of" | "the" | "de" | "del" | "el")) {
        j += 1;
    }
    let (j, (n, r)) = match relative(t, i) {
        Some(r) => (i, r),
        None => (j, relative(t, j)?),
    };
    let this = today.with_day(1)?;
    let start = match r {
        TimeRange::This { unit: Grain::Month } => this,
        TimeRange::Last { unit: Grain::Month } => this.checked_sub_months(chrono::Months::new(1))?,
        _ => return None,
    };
    Some((j - i + n, start))
}

/// "Since Monday", "desde el lunes": the last such day up to today (today itself when it is one).
fn since_weekday(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let skip = usize::from(matches!(t.get(i).map(String::as_str), Some("el" | "the")));
    let day = match t.get(i + skip)?.as_str() {
        "monday" | "lunes" => chrono::Weekday::Mon,
        "tuesday" | "martes" => chrono::Weekday::Tue,
        "wednesday" | "miercoles" => chrono::Weekday::Wed,
        "thursday" | "jueves" => chrono::Weekday::Thu,
        "friday" | "viernes" => chrono::Weekday::Fri,
        "saturday" | "sabado" => chrono::Weekday::Sat,
        "sunday" | "domingo" => chrono::Weekday::Sun,
        _ => return None,
    };
    // "desde el lunes pasado", "since last Monday": a week further back is not what this reads.
    if matches!(t.get(i + skip + 1).map(String::as_str), Some("pasado" | "anterior")) {
        return None;
    }
    let back = (7 + today.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
    Some((skip + 1, today.checked_sub_days(chrono::Days::new(u64::from(back)))?))
}

/// Words between the two days of a range ("del 1 al 15", "from the 1st to the 15th", "1-15").
fn range_joiner(t: &[String], i: usize) -> usize {
    let at = |k: usize| t.get(k).map(String::as_str);
    let mut j = i;
    if matches!(at(j), Some("to" | "and" | "through" | "until" | "till" | "al" | "a" | "y" | "hasta")) {
        j += 1;
    }
    if matches!(at(j), Some("the" | "el")) {
        j += 1;
    }
    j - i
}

/// Days of a month, or a day ("del 1 al 15 de noviembre de 2026", "between 1 and 15 nov", "from nov 1 to
/// nov 15, 2026", "nov 1-15", "on november 3 2026", "el 3 de noviembre"): `[first day, the day after the
/// last)`. A single day needs "on" or "el" before it, so that "top 5 november" stays a top 5.
fn day_span(t: &[String], i: usize, today: NaiveDate) -> Option<(usize, TimeRange)> {
    let cue = matches!(t.get(i).map(String::as_str), Some("on" | "el" | "del"));
    day_span_cued(t, i, today, cue)
}

/// [`day_span`], told whether a single day is cued already ("since" before it).
fn day_span_cued(t: &[String], i: usize, today: NaiveDate, cue: bool) -> Option<(usize, TimeRange)> {
    let at = |k: usize| t.get(k).map(String::as_str);
    let lead = usize::from(matches!(
        at(i),
        Some("between" | "from" | "entre" | "de" | "del" | "desde" | "on" | "el")
    ));
    let mut j = i + lead;
    if matches!(at(j), Some("the" | "el")) {
        j += 1;
    }
    let range = |start: NaiveDate, last: NaiveDate, end_at: usize| -> Option<(usize, TimeRange)> {
        let end = last.succ_opt().filter(|_| start <= last)?;
        Some((end_at - i, TimeRange::Between { start, end }))
    };
    // Day first: "1 al 15 de nov", "1 nov to 15 nov 2026", "3 de noviembre".
    if let Some((n1, d1)) = day_number(t, j) {
        let k = j + n1;
        let first_month = month_after_day(t, k, today);
        let k2 = first_month.map_or(k, |(n, _)| k + n);
        // "hasta hoy" ends no range of days here: the single day is a start ("desde el 16 hasta hoy", "from
        // the 1st to today").
        let to_today = through_today(t, k2).is_some();
        let joined = if to_today { 0 } else { range_joiner(t, k2) };
        // "del 16 de noviembre hasta fin de mes"
        if let (true, Some((_, m)), Some(n)) = (joined > 0, first_month, month_end(t, k2 + joined)) {
            return range(m.with_day(d1)?, add_months(m, 1)?.pred_opt()?, k2 + joined + n);
        }
        if let Some((n2, d2)) = day_number(t, k2 + joined) {
            let after = k2 + joined + n2;
            let (n3, month) = month_after_day(t, after, today).or(first_month.map(|(_, m)| (0, m)))?;
            let start_month = first_month.map_or(month, |(_, m)| m);
            let start = start_month.with_day(d1)?;
            return range(start, month.with_day(d2)?, after + n3);
        }
        let (n, month) = first_month.filter(|_| (cue || to_today) && joined == 0)?;
        let day = month.with_day(d1)?;
        return range(day, day, k + n);
    }
    // Month first: "nov 1 to 15 2026", "from november 1 to november 15, 2026", "on november 3".
    let month = month_name(at(j)?, false)?;
    let (n1, d1) = day_number(t, j + 1)?;
    let k = j + 1 + n1;
    let joined = range_joiner(t, k);
    // "from november 16 to the end of the month"
    if let (true, Some(n)) = (joined > 0, month_end(t, k + joined)) {
        let (n3, year) = year_suffix(t, k + joined + n, today).unwrap_or((0, recent_year(month, today)));
        let first = month_start(year, month)?;
        return range(first.with_day(d1)?, add_months(first, 1)?.pred_opt()?, k + joined + n + n3);
    }
    let second_month = at(k + joined).and_then(|w| month_name(w, false));
    let k2 = k + joined + usize::from(second_month.is_some());
    let (end_at, d2, month2) = match day_number(t, k2) {
        Some((n2, d2)) if joined > 0 || second_month.is_none() => {
            (k2 + n2, d2, second_month.unwrap_or(month))
        }
        _ if cue || lead > 0 => (k, d1, month),
        _ => return None,
    };
    let (n3, year) = match year_suffix(t, end_at, today) {
        Some((n, y)) => (n, y),
        None => (0, recent_year(month2, today)),
    };
    let start_year = if month <= month2 { year } else { year - 1 };
    let start = NaiveDate::from_ymd_opt(start_year, month, d1)?;
    range(start, NaiveDate::from_ymd_opt(year, month2, d2)?, end_at + n3)
}

/// "the end of the month", "fin de mes", "finales del mes": the last day of the month a range starts in.
fn month_end(t: &[String], i: usize) -> Option<usize> {
    let at = |k: usize| t.get(k).map(String::as_str);
    let mut j = i;
    if !matches!(at(j), Some("end" | "fin" | "final" | "finales" | "fines")) {
        return None;
    }
    j += 1;
    while matches!(at(j), Some("of" | "de" | "del" | "the" | "el" | "that" | "ese")) {
        j += 1;
    }
    matches!(at(j), Some("month" | "mes")).then_some(j + 1 - i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokens;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn parse(s: &str) -> Option<(usize, TimeRange)> {
        match_time(&tokens(s), 0, d(2026, 5, 15))
    }

    #[test]
    fn relative_ranges() {
        assert_eq!(parse("last 30 days"), Some((3, TimeRange::LastNDays { n: 30 })));
        assert_eq!(parse("últimos seis meses"), Some((3, TimeRange::LastN { unit: Grain::Month, n: 6 })));
        assert_eq!(parse("mes pasado"), Some((2, TimeRange::Last { unit: Grain::Month })));
        assert_eq!(parse("último mes"), Some((2, TimeRange::Last { unit: Grain::Month })));
        assert_eq!(parse("últimos días"), None);
        assert_eq!(parse("past weeks"), None);
        assert_eq!(parse("this quarter"), Some((2, TimeRange::This { unit: Grain::Quarter })));
        assert_eq!(parse("year to date"), Some((3, TimeRange::This { unit: Grain::Year })));
        assert_eq!(parse("lo que va del año"), Some((5, TimeRange::This { unit: Grain::Year })));
        assert_eq!(parse("ayer"), Some((1, TimeRange::Yesterday)));
        assert_eq!(parse("last 0 days"), None);
        assert_eq!(parse("30 días anteriores"), Some((3, TimeRange::LastNDays { n: 30 })));
        let earlier = |unit| TimeRange::Earlier { unit, n: 2 };
        assert_eq!(parse("month before last"), Some((3, earlier(Grain::Month))));
        assert_eq!(parse("trimestre antepasado"), Some((2, earlier(Grain::Quarter))));
        assert_eq!(parse("antier"), Some((1, earlier(Grain::Day))));
        assert_eq!(parse("antes de ayer"), Some((3, earlier(Grain::Day))));
        assert_eq!(parse("semana que pasó"), Some((3, TimeRange::Last { unit: Grain::Week })));
        assert_eq!(parse("week before"), Some((2, TimeRange::Last { unit: Grain::Week })));
        assert_eq!(parse("30 days before"), Some((3, TimeRange::LastNDays { n: 30 })));
        assert!(said_before("30 dias anteriores") && !said_before("last 30 days"));
    }

    #[test]
    fn absolute_ranges() {
        let b = |s, e| TimeRange::Between { start: s, end: e };
        assert_eq!(parse("march 2026"), Some((2, b(d(2026, 3, 1), d(2026, 4, 1)))));
        assert_eq!(parse("marzo de 2026"), Some((3, b(d(2026, 3, 1), d(2026, 4, 1)))));
        assert_eq!(parse("december"), Some((1, b(d(2025, 12, 1), d(2026, 1, 1)))));
        assert_eq!(parse("mayo del año pasado"), Some((4, b(d(2025, 5, 1), d(2025, 6, 1)))));
        assert_eq!(parse("2025"), Some((1, b(d(2025, 1, 1), d(2026, 1, 1)))));
        assert_eq!(parse("q1 2026"), Some((2, b(d(2026, 1, 1), d(2026, 4, 1)))));
        assert_eq!(parse("primer trimestre de 2025"), Some((4, b(d(2025, 1, 1), d(2025, 4, 1)))));
        assert_eq!(parse("h1 2026"), Some((2, b(d(2026, 1, 1), d(2026, 7, 1)))));
        assert_eq!(parse("segundo semestre de 2025"), Some((4, b(d(2025, 7, 1), d(2026, 1, 1)))));
        assert_eq!(parse("since march"), Some((2, TimeRange::Since { start: d(2026, 3, 1) })));
        assert_eq!(parse("between january and march 2026"), Some((5, b(d(2026, 1, 1), d(2026, 4, 1)))));
        assert_eq!(parse("since last month"), Some((3, TimeRange::LastN { unit: Grain::Month, n: 2 })));
        // The start of a period said is that period's start; of a unit alone, this one's.
        let last_two_years = Some((6, TimeRange::LastN { unit: Grain::Year, n: 2 }));
        assert_eq!(parse("since the beginning of last year"), last_two_years);
        assert_eq!(parse("desde el inicio del año pasado"), last_two_years);
        assert_eq!(parse("since the start of the year"), Some((6, TimeRange::This { unit: Grain::Year })));
        assert_eq!(parse("may"), None);
        assert_eq!(parse("mar"), None);
    }

    #[test]
    fn day_ranges() {
        let b = |s, e| Some(TimeRange::Between { start: s, end: e });
        let range = |s: &str| parse(s).map(|(_, r)| r);
        assert_eq!(range("del 1 al 15 de nov 2026"), b(d(2026, 11, 1), d(2026, 11, 16)));
        assert_eq!(range("between 1 and 15 november 2026"), b(d(2026, 11, 1), d(2026, 11, 16)));
        assert_eq!(range("from nov 1 to nov 15, 2026"), b(d(2026, 11, 1), d(2026, 11, 16)));
        assert_eq!(range("nov 1-15 2026"), b(d(2026, 11, 1), d(2026, 11, 16)));
        assert_eq!(range("1-15 nov 2026"), b(d(2026, 11, 1), d(2026, 11, 16)));
        assert_eq!(range("from the 1st to the 15th of march"), b(d(2026, 3, 1), d(2026, 3, 16)));
        assert_eq!(range("del 20 de abril al 3 de mayo"), b(d(2026, 4, 20), d(2026, 5, 4)));
        assert_eq!(range("from december 20 to january 5 2026"), b(d(2025, 12, 20), d(2026, 1, 6)));
        assert_eq!(range("el 3 de marzo de 2026"), b(d(2026, 3, 3), d(2026, 3, 4)));
        assert_eq!(range("on march 3 2026"), b(d(2026, 3, 3), d(2026, 3, 4)));
        assert_eq!(parse("del 1 al 15 de nov 2026").map(|(n, _)| n), Some(7));
        // A number before a month is no date without "on"/"el" or a second day.
        assert_eq!(range("5 november 2026"), None);
        assert_eq!(range("del 15 al 1 de marzo"), None);
        assert_eq!(range("del 1 al 31 de febrero"), None);
        // To the end of the month the range starts in; from a single day on.
        assert_eq!(
            parse("del 16 de noviembre hasta fin de mes"),
            Some((8, TimeRange::Between { start: d(2025, 11, 16), end: d(2025, 12, 1) }))
        );
        assert_eq!(range("from april 16 to the end of the month"), b(d(2026, 4, 16), d(2026, 5, 1)));
        assert_eq!(range("del 3 de febrero a finales de mes"), b(d(2026, 2, 3), d(2026, 3, 1)));
        let since = |y, m, day| Some(TimeRange::Since { start: d(y, m, day) });
        assert_eq!(range("desde el 16 de abril"), since(2026, 4, 16));
        assert_eq!(range("since april 16"), since(2026, 4, 16));
        assert_eq!(range("since the end of the month"), None);
        // A period that runs to now says no more with "hasta hoy"; one that ended runs on from its start.
        assert_eq!(parse("este mes hasta hoy"), Some((4, TimeRange::This { unit: Grain::Month })));
        assert_eq!(parse("this month up to today"), Some((5, TimeRange::This { unit: Grain::Month })));
        assert_eq!(
            parse("desde el 16 de noviembre hasta hoy"),
            Some((7, TimeRange::Since { start: d(2025, 11, 16) }))
        );
        assert_eq!(
            parse("del 1 de noviembre hasta hoy"),
            Some((6, TimeRange::Since { start: d(2025, 11, 1) }))
        );
        assert_eq!(parse("november to today"), Some((3, TimeRange::Since { start: d(2025, 11, 1) })));
        assert_eq!(parse("last month until today"), Some((2, TimeRange::Last { unit: Grain::Month })));
        assert_eq!(parse("this month as of today"), Some((5, TimeRange::This { unit: Grain::Month })));
        // Days of this month or the last, and since a day of the week (2026-05-15 is a Friday).
        let since = |y, m, day| Some(TimeRange::Since { start: d(y, m, day) });
        assert_eq!(range("from the 1st of this month to today"), since(2026, 5, 1));
        assert_eq!(range("del 1 al 15 del mes pasado"), b(d(2026, 4, 1), d(2026, 4, 16)));
        assert_eq!(range("from the 1st to the 15th of last month"), b(d(2026, 4, 1), d(2026, 4, 16)));
        assert_eq!(range("since monday"), Some(TimeRange::This { unit: Grain::Week }));
        assert_eq!(range("since wednesday"), since(2026, 5, 13));
        assert_eq!(range("desde el viernes"), since(2026, 5, 15));
        assert_eq!(range("desde el lunes pasado"), None);
        // Ranges on a day: one inside another, or the same days said twice.
        let today = d(2026, 5, 15);
        let this_month = TimeRange::This { unit: Grain::Month };
        assert!(nested(this_month, TimeRange::Today, today));
        assert!(nested(TimeRange::LastNDays { n: 7 }, TimeRange::Yesterday, today));
        assert!(!nested(this_month, TimeRange::Last { unit: Grain::Month }, today));
        assert_eq!(
            days(TimeRange::LastN { unit: Grain::Month, n: 3 }, today),
            Some((d(2026, 3, 1), d(2026, 5, 16)))
        );
        assert_eq!(
            days(TimeRange::This { unit: Grain::Week }, today),
            Some((d(2026, 5, 11), d(2026, 5, 16)))
        );
        // Ordinals written with digits: "3er trimestre", "3rd quarter", "2do semestre".
        let b = |s, e| Some(TimeRange::Between { start: s, end: e });
        assert_eq!(range("3er trimestre 2026"), b(d(2026, 7, 1), d(2026, 10, 1)));
        assert_eq!(range("3rd quarter of 2025"), b(d(2025, 7, 1), d(2025, 10, 1)));
        assert_eq!(range("2do semestre 2025"), b(d(2025, 7, 1), d(2026, 1, 1)));
        assert_eq!(range("5th quarter"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("cinco"), Some(5));
        assert_eq!(number("ten"), Some(10));
        assert_eq!(number("99999999999"), None);
    }
}
