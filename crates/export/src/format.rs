//! Locale formats for what people read in images and PDFs (numbers, percentages, dates) and the few labels the
//! exports print. CSV and XLSX keep machine formats instead: CSV is plain `Value::to_text`, XLSX stores typed
//! cells and lets Excel apply the reader's locale.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use inda_core::{Caveat, CaveatCode, Column, Value};

pub use inda_core::Lang;

/// The (thousands, decimal) separators of a language's number format.
fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::En => (',', '.'),
        Lang::Es => ('.', ','),
    }
}

/// Labels printed by the exports.
pub(crate) struct Labels {
    pub no_data: &'static str,
    pub as_of: &'static str,
    pub more_rows: &'static str,
    pub about: &'static str,
    pub title: &'static str,
    pub sql: &'static str,
    pub rows: &'static str,
    pub other: &'static str,
    pub truncated: &'static str,
    /// Category label for NULL keys in charts.
    pub null: &'static str,
    /// Mark of a period that is not over yet (this month so far), after its cell: `2026-12-01 (to date)`.
    pub to_date: &'static str,
    /// Heading of the caveats in the XLSX "About" sheet.
    pub notes: &'static str,
    /// The file-name stem of an analysis or answer without a title.
    pub untitled_analysis: &'static str,
    /// The file-name stem of a dashboard without a name.
    pub untitled_dashboard: &'static str,
    /// Heading of the applied filters (PDF pages, the XLSX "About" sheet).
    pub filters: &'static str,
    /// After an item's title on the pages its table continues on.
    pub continued: &'static str,
    /// The PDF footer: `Page {n} of {total}`.
    pub page: &'static str,
    pub of: &'static str,
    /// Time zone mark after a run time.
    pub utc: &'static str,
}

pub(crate) fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::En => Labels {
            no_data: "No data",
            as_of: "As of",
            more_rows: "more rows",
            about: "About",
            title: "Title",
            sql: "SQL",
            rows: "Rows",
            other: "Other",
            truncated: "result was cut at the row limit",
            null: "(empty)",
            to_date: "to date",
            notes: "Notes",
            untitled_analysis: "Analysis",
            untitled_dashboard: "Dashboard",
            filters: "Filters",
            continued: "(continued)",
            page: "Page",
            of: "of",
            utc: "UTC",
        },
        Lang::Es => Labels {
            no_data: "Sin datos",
            as_of: "Datos a",
            more_rows: "filas más",
            about: "Acerca de",
            title: "Título",
            sql: "SQL",
            rows: "Filas",
            other: "Otros",
            truncated: "el resultado se cortó en el límite de filas",
            null: "(vacío)",
            to_date: "en curso",
            notes: "Notas",
            untitled_analysis: "Análisis",
            untitled_dashboard: "Tablero",
            filters: "Filtros",
            continued: "(continuación)",
            page: "Página",
            of: "de",
            utc: "UTC",
        },
    }
}

/// Groups the integer digits of an unsigned digit string: `1234567` → `1,234,567` (en).
fn group(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Localizes a plain decimal text (`-1234.50` → `-1.234,50` in es). Works on text so decimals stay exact.
pub(crate) fn localize_decimal_text(text: &str, lang: Lang) -> String {
    let (thousands, decimal) = separators(lang);
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_string(); // inf, NaN, exponent forms: leave as they are
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&group(int, thousands));
    if let Some(f) = frac {
        out.push(decimal);
        out.push_str(f);
    }
    out
}

/// A number with exactly `decimals` decimals, grouped: en `1,234.5`, es `1.234,5`.
pub(crate) fn number(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let text = format!("{v:.decimals$}");
    // Avoid "-0" / "-0.0" after rounding.
    let text = if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        text.trim_start_matches('-').to_string()
    } else {
        text
    };
    localize_decimal_text(&text, lang)
}

/// A number with as many decimals as it needs (at most 2; 4 for tiny values).
pub(crate) fn number_auto(v: f64, lang: Lang) -> String {
    let a = v.abs();
    let decimals = if v.fract() == 0.0 || a >= 1000.0 {
        0
    } else if a >= 1.0 {
        2
    } else {
        4
    };
    let s = number(v, decimals, lang);
    trim_zeros(&s, lang)
}

fn trim_zeros(s: &str, lang: Lang) -> String {
    let (_, decimal) = separators(lang);
    if s.contains(decimal) {
        s.trim_end_matches('0').trim_end_matches(decimal).to_string()
    } else {
        s.to_string()
    }
}

/// Compact axis labels: `1.2M`, `15K` (en) / `1,2 M`, `15 mil` (es) for large values.
pub(crate) fn number_compact(v: f64, lang: Lang) -> String {
    let a = v.abs();
    let (div, suffix_en, suffix_es) = if a >= 1e9 {
        (1e9, "B", " mil M")
    } else if a >= 1e6 {
        (1e6, "M", " M")
    } else if a >= 1e4 {
        (1e3, "K", " mil")
    } else {
        return number_auto(v, lang);
    };
    let s = trim_zeros(&number(v / div, 1, lang), lang);
    format!("{s}{}", if lang == Lang::En { suffix_en } else { suffix_es })
}

/// A fraction as a percentage with one decimal: 0.1234 → `12.3%` (en), `12,3 %` (es).
pub(crate) fn percent(v: f64, lang: Lang) -> String {
    let s = number(v * 100.0, 1, lang);
    match lang {
        Lang::En => format!("{s}%"),
        Lang::Es => format!("{s} %"),
    }
}

/// Short month names, as the UI's `Intl.DateTimeFormat` writes them (`month: 'short'`).
fn month_name(month0: u32, lang: Lang) -> &'static str {
    const EN: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const ES: [&str; 12] =
        ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];
    let i = (month0 as usize).min(11);
    match lang {
        Lang::En => EN[i],
        Lang::Es => ES[i],
    }
}

/// A day as the UI shows it: `Dec 2, 2026` (en), `2 dic 2026` (es).
pub(crate) fn date(d: NaiveDate, lang: Lang) -> String {
    let month = month_name(d.month0(), lang);
    match lang {
        Lang::En => format!("{month} {}, {}", d.day(), d.year()),
        Lang::Es => format!("{} {month} {}", d.day(), d.year()),
    }
}

/// A day without its year, for axis ticks inside one year: `Dec 2` (en), `2 dic` (es).
pub(crate) fn day_month(d: NaiveDate, lang: Lang) -> String {
    let month = month_name(d.month0(), lang);
    match lang {
        Lang::En => format!("{month} {}", d.day()),
        Lang::Es => format!("{} {month}", d.day()),
    }
}

/// A month: `Mar 2026` (en), `mar 2026` (es).
pub(crate) fn month(d: NaiveDate, lang: Lang) -> String {
    format!("{} {}", month_name(d.month0(), lang), d.year())
}

/// A quarter by its first day: `Q1 2026` (`T1 2026` in Spanish, for trimestre).
pub(crate) fn quarter(d: NaiveDate, lang: Lang) -> String {
    let letter = match lang {
        Lang::Es => 'T',
        _ => 'Q',
    };
    format!("{letter}{} {}", d.month0() / 3 + 1, d.year())
}

/// A period start as its period (`2026`, `Q1 2026`, `Mar 2026`) when `grain` is coarser than a day.
pub(crate) fn period(d: NaiveDate, grain: inda_core::Grain, lang: Lang) -> Option<String> {
    match grain {
        inda_core::Grain::Year => Some(d.year().to_string()),
        inda_core::Grain::Quarter => Some(quarter(d, lang)),
        inda_core::Grain::Month => Some(month(d, lang)),
        inda_core::Grain::Week | inda_core::Grain::Day => None,
    }
}

/// A timestamp as the UI shows it: the day, and the time only when it is not midnight (a time bucket of a
/// day or month comes back as a midnight timestamp, which reads as a date).
pub(crate) fn timestamp(t: NaiveDateTime, lang: Lang) -> String {
    if t.time() == chrono::NaiveTime::MIN {
        return date(t.date(), lang);
    }
    format!("{} {}", date(t.date(), lang), t.format("%H:%M"))
}

/// When a result was computed (an ISO 8601 instant, `2026-03-01T10:00:00Z`), as people read it:
/// `Mar 1, 2026 10:00 UTC`. Text that is not such an instant is shown as it is.
pub(crate) fn instant(iso: &str, lang: Lang) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso.trim()) {
        Ok(t) => {
            let utc = t.naive_utc();
            format!("{} {} {}", date(utc.date(), lang), utc.format("%H:%M"), labels(lang).utc)
        }
        Err(_) => iso.to_string(),
    }
}

/// Whether a spreadsheet would read `s` as a formula (OWASP's CSV injection): it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return.
pub(crate) fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text for a CSV or XLSX cell that no spreadsheet runs: formula-like text gets a leading `'` (OWASP's advice),
/// which Excel, LibreOffice and Sheets read as "this is text". Only text goes through here: numbers are written as
/// numbers, so `-5` stays a number.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(s) { std::borrow::Cow::Owned(format!("'{s}")) } else { std::borrow::Cow::Borrowed(s) }
}

/// A cell as a person reads it in a table image or PDF.
pub(crate) fn cell(v: &Value, is_percent: bool, lang: Lang) -> String {
    match v {
        Value::Int(_) | Value::Float(_) | Value::Decimal { .. } if is_percent => {
            v.as_f64().map(|f| percent(f, lang)).unwrap_or_default()
        }
        Value::Int(i) => localize_decimal_text(&i.to_string(), lang),
        Value::Float(f) => number_auto(*f, lang),
        Value::Decimal { .. } => localize_decimal_text(&v.to_text(), lang),
        Value::Date(d) => date(*d, lang),
        Value::Timestamp(t) => timestamp(*t, lang),
        Value::Bool(b) => match (lang, b) {
            (Lang::Es, true) => "sí".to_string(),
            (Lang::Es, false) => "no".to_string(),
            _ => b.to_string(),
        },
        // One line per cell: images and PDF cells draw single lines.
        Value::Text(s) if s.contains(['\n', '\r', '\t']) => s.replace(['\n', '\r', '\t'], " "),
        other => other.to_text(),
    }
}

/// A cell as [`cell`] writes it, with a category's display name when its column has one (`whatsapp` →
/// "WhatsApp", `MX` → "México"), as the UI shows it.
pub(crate) fn display_cell(v: &Value, col: &Column, is_percent: bool, lang: Lang) -> String {
    if let Value::Text(s) = v
        && let Some(name) = col.values.get(s).map(|n| n.trim()).filter(|n| !n.is_empty())
    {
        return name.to_string();
    }
    // A year's bucket reads "2026", not "Jan 1, 2026".
    let day = match v {
        Value::Date(d) => Some(*d),
        Value::Timestamp(t) if t.time() == chrono::NaiveTime::MIN => Some(t.date()),
        _ => None,
    };
    if let Some(text) = day.zip(col.grain).and_then(|(d, g)| period(d, g, lang)) {
        return text;
    }
    // Amounts converted at a rate carry a dozen decimals nobody reads: cents (the column's scale) are shown.
    if currency_code(col).is_some()
        && !is_percent
        && let Some(f) = v.as_f64().filter(|_| matches!(v, Value::Float(_) | Value::Decimal { .. }))
    {
        return number(f, money_decimals(col), lang);
    }
    cell(v, is_percent, lang)
}

/// A column's header in CSV and XLSX: its name, and for a money column the currency of its amounts
/// (`revenue (COP)`). The cells stay bare numbers so they round-trip; the header is where the unit lives. The name,
/// not the display label: these files are read back by tools that look columns up by name.
pub(crate) fn header(col: &Column) -> String {
    match col.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => format!("{} ({code})", col.name),
        None => col.name.clone(),
    }
}

/// A column's name as people read it (PDF tables, chart axes): its display label when the answer has one, with
/// the currency of a money column (`Ingresos (COP)`), as the UI shows it.
pub(crate) fn title(col: &Column) -> String {
    let name = col.label.as_deref().map(str::trim).filter(|l| !l.is_empty()).unwrap_or(&col.name);
    match col.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => format!("{name} ({code})"),
        None => name.to_string(),
    }
}

/// The currency of a money column when it is an ISO 4217-shaped code (three ASCII letters), uppercased: only
/// such a code goes into a spreadsheet number format, where a quote or bracket would break the format.
pub(crate) fn currency_code(col: &Column) -> Option<String> {
    let code = col.currency.as_deref()?.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())).then(|| code.to_ascii_uppercase())
}

/// Decimal places shown for the amounts of a money column: its `DECIMAL(p,s)` scale, at most cents; cents when the
/// type does not say.
pub(crate) fn money_decimals(col: &Column) -> usize {
    let t = col.data_type.to_ascii_uppercase();
    let scale = t
        .strip_prefix("DECIMAL(")
        .or_else(|| t.strip_prefix("NUMERIC("))
        .or_else(|| t.strip_prefix("NUMBER("))
        .and_then(|rest| rest.trim_end_matches(')').split(',').nth(1))
        .and_then(|s| s.trim().parse::<usize>().ok());
    scale.unwrap_or(2).min(2)
}

/// Whether the cell `v` of column `column` is a period the caveats mark as partial. A caveat holds the cell as
/// text (`2026-12-01`); a time bucket may come back as a midnight timestamp of that day, which matches too.
pub(crate) fn is_partial(caveats: &[Caveat], column: &str, v: &Value) -> bool {
    let marks = |c: &&Caveat| c.code == CaveatCode::PartialPeriod && c.column.as_deref() == Some(column);
    caveats.iter().filter(marks).filter_map(|c| c.value.as_deref()).any(|want| match v {
        Value::Null => false,
        Value::Timestamp(t) if t.time() == chrono::NaiveTime::MIN => {
            want == t.date().format("%Y-%m-%d").to_string() || want == v.to_text()
        }
        other => want == other.to_text(),
    })
}

/// Shortens `s` to at most `max` characters, ending with `…` when cut.
pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_locale() {
        assert_eq!(number(1234.5, 1, Lang::En), "1,234.5");
        assert_eq!(number(1234.5, 1, Lang::Es), "1.234,5");
        assert_eq!(number(-1234567.0, 0, Lang::En), "-1,234,567");
        assert_eq!(number(-0.0001, 1, Lang::En), "0.0");
        assert_eq!(number_auto(0.5, Lang::Es), "0,5");
        assert_eq!(number_auto(12.0, Lang::En), "12");
        assert_eq!(percent(0.1234, Lang::En), "12.3%");
        assert_eq!(percent(0.1234, Lang::Es), "12,3 %");
        assert_eq!(number_compact(1_500_000.0, Lang::En), "1.5M");
        assert_eq!(number_compact(25_000.0, Lang::Es), "25 mil");
        assert_eq!(localize_decimal_text("-1234.50", Lang::Es), "-1.234,50");
        assert_eq!(localize_decimal_text("123", Lang::En), "123");
    }

    #[test]
    fn cells_and_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        assert_eq!(cell(&Value::Date(d), false, Lang::Es), "1 mar 2026");
        assert_eq!(cell(&Value::Date(d), false, Lang::En), "Mar 1, 2026");
        let dec2 = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
        assert_eq!(date(dec2, Lang::Es), "2 dic 2026");
        assert_eq!(month(dec2, Lang::En), "Dec 2026");
        assert_eq!(day_month(dec2, Lang::Es), "2 dic");
        let midnight = dec2.and_hms_opt(0, 0, 0).unwrap_or_default();
        assert_eq!(cell(&Value::Timestamp(midnight), false, Lang::En), "Dec 2, 2026", "no midnight times");
        let t = dec2.and_hms_opt(13, 5, 0).unwrap_or_default();
        assert_eq!(cell(&Value::Timestamp(t), false, Lang::Es), "2 dic 2026 13:05");
        assert_eq!(instant("2026-12-02T10:00:00.123Z", Lang::Es), "2 dic 2026 10:00 UTC");
        assert_eq!(instant("yesterday", Lang::En), "yesterday");
        let mut col = Column::new("channel", "VARCHAR");
        col.values.insert("whatsapp".into(), "WhatsApp".into());
        assert_eq!(display_cell(&Value::Text("whatsapp".into()), &col, false, Lang::En), "WhatsApp");
        assert_eq!(display_cell(&Value::Text("sms".into()), &col, false, Lang::En), "sms");
        assert_eq!(cell(&Value::Decimal { units: 123450, scale: 2 }, false, Lang::En), "1,234.50");
        assert_eq!(cell(&Value::Float(0.25), true, Lang::En), "25.0%");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
    }

    #[test]
    fn formula_like_text_is_made_inert() {
        for hostile in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(hostile), format!("'{hostile}"));
        }
        for plain in ["Ana María", "a=b", "", "'quoted", "1-2"] {
            assert_eq!(inert(plain), plain);
        }
    }

    #[test]
    fn money_headers_and_partial_periods() {
        let mut col = Column::new("revenue", "DECIMAL(38,2)");
        assert_eq!(header(&col), "revenue");
        col.currency = Some("COP".into());
        assert_eq!(header(&col), "revenue (COP)");
        assert_eq!(title(&col), "revenue (COP)");
        col.label = Some("Ingresos".into());
        assert_eq!(header(&col), "revenue (COP)", "files keep the column's name");
        assert_eq!(title(&col), "Ingresos (COP)");
        assert_eq!(currency_code(&col).as_deref(), Some("COP"));
        let mut year = Column::new("year", "TIMESTAMP");
        year.grain = Some(inda_core::Grain::Quarter);
        let q2 = Value::Date(NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"));
        assert_eq!(display_cell(&q2, &year, false, Lang::Es), "T2 2026");
        year.grain = Some(inda_core::Grain::Year);
        assert_eq!(display_cell(&q2, &year, false, Lang::En), "2026");
        let amount = Value::Float(68_566_865.497_165_04);
        assert_eq!(display_cell(&amount, &col, false, Lang::En), "68,566,865.50");
        assert_eq!(display_cell(&amount, &col, false, Lang::Es), "68.566.865,50");
        col.currency = Some("\"X".into());
        assert_eq!(currency_code(&col), None);
        assert_eq!(money_decimals(&Column::new("a", "DECIMAL(38,6)")), 2);
        assert_eq!(money_decimals(&Column::new("a", "DECIMAL(18,0)")), 0);
        assert_eq!(money_decimals(&Column::new("a", "DOUBLE")), 2);

        let caveat = Caveat {
            code: CaveatCode::PartialPeriod,
            message: "December 2026 is to date (2 of 31 days)".into(),
            column: Some("month".into()),
            value: Some("2026-12-01".into()),
        };
        let dec = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let caveats = [caveat];
        assert!(is_partial(&caveats, "month", &Value::Date(dec)));
        assert!(is_partial(&caveats, "month", &Value::Timestamp(dec.and_time(chrono::NaiveTime::MIN))));
        assert!(!is_partial(&caveats, "other", &Value::Date(dec)));
        let nov = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        assert!(!is_partial(&caveats, "month", &Value::Date(nov)));
    }
}
