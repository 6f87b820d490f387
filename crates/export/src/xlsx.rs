//! XLSX via `rust_xlsxwriter`: one sheet per item with typed cells (numbers stay numbers, dates are real Excel
//! dates), a bold filled header, frozen header row, autofilter and fitted column widths, plus an "About"
//! sheet with each item's title, run time, SQL and caveats, and the filters the results were computed with, so a
//! shared workbook says where its numbers came from.
//! A money column's header names its currency (`revenue (COP)`) and its cells show the code (`COP 1,234.50`)
//! while staying numbers.

use crate::ExportError;
use crate::format::{self, labels};
use crate::{ExportItem, ExportOptions};
use chrono::{NaiveDate, NaiveDateTime};
use inda_core::{Column, Value};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::{HashMap, HashSet};
use std::fs::File;

/// Excel's last row is 1,048,576; one goes to the header.
const MAX_DATA_ROWS: usize = 1_048_575;
/// Excel's per-cell text limit.
const MAX_CELL_CHARS: usize = 32_767;
/// Column width cap, in characters: long text columns would otherwise push the rest off screen.
const MAX_COL_CHARS: usize = 60;
/// Rows sampled to size columns. rust_xlsxwriter's `autofit` measures every cell, which dominated the time of
/// 100k-row exports; the first rows size a column just as well in practice.
const WIDTH_SAMPLE_ROWS: usize = 1000;

pub(crate) fn write_xlsx(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
    file: &mut File,
) -> Result<(), ExportError> {
    let l = labels(opts.lang);
    for item in items {
        if item.result.rows.len() > MAX_DATA_ROWS {
            return Err(ExportError::TooManyRows {
                title: item.title.to_string(),
                rows: item.result.rows.len(),
                max: MAX_DATA_ROWS,
            });
        }
    }
    let mut wb = Workbook::new();
    let styles = Styles::new();
    // Reserve the About sheet's name first so no item can take it.
    let mut names = SheetNames::default();
    let about_name = names.unique(l.about);
    for (n, item) in items.iter().enumerate() {
        let name = names.unique(&sanitize_sheet_name(item.title, n + 1));
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(ExportError::Xlsx)?;
        write_sheet(ws, item, &styles).map_err(ExportError::Xlsx)?;
    }
    let about = wb.add_worksheet();
    about.set_name(about_name).map_err(ExportError::Xlsx)?;
    write_about(about, doc_title, items, opts, &styles).map_err(ExportError::Xlsx)?;
    wb.save_to_writer(file).map_err(ExportError::Xlsx)
}

struct Styles {
    header: Format,
    int: Format,
    percent: Format,
    date: Format,
    timestamp: Format,
    wrap: Format,
    bold: Format,
    /// Decimal formats by scale, built on first use.
    decimals: std::cell::RefCell<HashMap<u8, Format>>,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x2F_5597))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center),
            int: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            timestamp: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            bold: Format::new().set_bold().set_align(FormatAlign::Top),
            decimals: Default::default(),
        }
    }

    fn decimal(&self, scale: u8) -> Format {
        self.decimals
            .borrow_mut()
            .entry(scale)
            .or_insert_with(|| {
                let f = if scale == 0 {
                    "#,##0".to_string()
                } else {
                    format!("#,##0.{}", "0".repeat(usize::from(scale.min(30))))
                };
                Format::new().set_num_format(f)
            })
            .clone()
    }
}

/// How a column's cells are written, decided once per column rather than per cell.
enum ColKind {
    Percent,
    /// Amounts in one currency: every number cell gets this format (`"COP "#,##0.00`).
    Money(Format),
    Plain,
}

/// The number format of a money column: the code as a literal before the amount, decimals to the cent (or the
/// column's scale when smaller). The code is checked to be three letters, so it cannot break out of the quotes.
fn money_format(code: &str, decimals: usize) -> Format {
    let digits = if decimals == 0 { String::new() } else { format!(".{}", "0".repeat(decimals)) };
    Format::new().set_num_format(format!("\"{code} \"#,##0{digits}"))
}

fn write_sheet(ws: &mut Worksheet, item: &ExportItem, s: &Styles) -> Result<(), XlsxError> {
    let cols = &item.result.columns;
    let kinds: Vec<ColKind> = cols
        .iter()
        .map(|c: &Column| {
            if item.chart.percent.iter().any(|p| p == &c.name) {
                ColKind::Percent
            } else if let Some(code) = format::currency_code(c) {
                ColKind::Money(money_format(&code, format::money_decimals(c)))
            } else {
                ColKind::Plain
            }
        })
        .collect();
    for (c, col) in cols.iter().enumerate() {
        ws.write_string_with_format(0, col_u16(c)?, clip(&format::header(col)), &s.header)?;
    }
    // Per-column decimal formats, keyed by scale; cloned once per column instead of per cell.
    let mut dec_cache: Vec<Option<(u8, Format)>> = vec![None; cols.len()];
    for (r, row) in item.result.rows.iter().enumerate() {
        let xr = (r + 1) as u32; // checked against MAX_DATA_ROWS above
        for (c, v) in row.iter().enumerate().take(cols.len()) {
            let xc = col_u16(c)?;
            let pct = matches!(kinds[c], ColKind::Percent);
            if let (ColKind::Money(fmt), Some(n)) = (&kinds[c], v.as_f64().filter(|n| n.is_finite())) {
                ws.write_number_with_format(xr, xc, n, fmt)?;
                continue;
            }
            match v {
                Value::Null => {}
                Value::Bool(b) => {
                    ws.write_boolean(xr, xc, *b)?;
                }
                Value::Int(i) => {
                    ws.write_number_with_format(xr, xc, *i as f64, if pct { &s.percent } else { &s.int })?;
                }
                Value::Float(f) if pct => {
                    ws.write_number_with_format(xr, xc, *f, &s.percent)?;
                }
                Value::Float(f) if f.is_finite() => {
                    ws.write_number(xr, xc, *f)?;
                }
                Value::Float(f) => {
                    // Excel has no NaN/inf; keep the information as text.
                    ws.write_string(xr, xc, f.to_string())?;
                }
                Value::Decimal { .. } => {
                    let n = v.as_f64().unwrap_or(0.0);
                    if pct {
                        ws.write_number_with_format(xr, xc, n, &s.percent)?;
                    } else {
                        let scale = match v {
                            Value::Decimal { scale, .. } => *scale,
                            _ => 0,
                        };
                        if !matches!(&dec_cache[c], Some((sc, _)) if *sc == scale) {
                            dec_cache[c] = Some((scale, s.decimal(scale)));
                        }
                        if let Some((_, fmt)) = &dec_cache[c] {
                            ws.write_number_with_format(xr, xc, n, fmt)?;
                        }
                    }
                }
                Value::Date(d) => {
                    ws.write_number_with_format(xr, xc, excel_date(*d), &s.date)?;
                }
                Value::Timestamp(t) => {
                    ws.write_number_with_format(xr, xc, excel_timestamp(*t), &s.timestamp)?;
                }
                Value::Text(t) => {
                    ws.write_string(xr, xc, clip(t))?;
                }
                Value::Json(j) => {
                    ws.write_string(xr, xc, clip(&j.to_string()))?;
                }
            }
        }
    }
    if !cols.is_empty() {
        ws.set_freeze_panes(1, 0)?;
        let last_row = item.result.rows.len() as u32; // header-only sheets filter the header row alone
        ws.autofilter(0, 0, last_row, col_u16(cols.len() - 1)?)?;
    }
    set_widths(ws, item)?;
    Ok(())
}

/// Column widths from the header and a sample of rows, as Excel shows them (dates as `yyyy-mm-dd`, numbers
/// with thousands separators).
fn set_widths(ws: &mut Worksheet, item: &ExportItem) -> Result<(), XlsxError> {
    let rs = item.result;
    for (c, col) in rs.columns.iter().enumerate() {
        // A money cell shows its code and a space before the amount.
        let unit = format::currency_code(col).map_or(0, |_| 4);
        let longest = rs
            .rows
            .iter()
            .take(WIDTH_SAMPLE_ROWS)
            .map(|row| match row.get(c) {
                Some(Value::Date(_)) => 10,
                Some(Value::Timestamp(_)) => 16,
                Some(Value::Bool(_)) => 5,
                Some(v @ (Value::Int(_) | Value::Decimal { .. } | Value::Float(_))) => {
                    let t = v.to_text();
                    t.len() + t.len() / 3 + unit
                }
                Some(Value::Text(t)) => t.chars().count(),
                Some(Value::Json(_)) => MAX_COL_CHARS,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        // +3 leaves room for the autofilter button next to the header text.
        let chars = longest.max(format::header(col).chars().count() + 3).clamp(6, MAX_COL_CHARS);
        ws.set_column_width(col_u16(c)?, chars as f64 + 1.0)?;
    }
    Ok(())
}

fn write_about(
    ws: &mut Worksheet,
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
    s: &Styles,
) -> Result<(), XlsxError> {
    let l = labels(opts.lang);
    let headers = [l.title, l.as_of, l.rows, l.sql, l.notes];
    let mut row = 0u32;
    if let Some(t) = doc_title {
        ws.write_string_with_format(row, 0, clip(t), &s.bold)?;
        row += 2;
    }
    // The filters every sheet's rows were computed with: without them a shared workbook reads as the whole.
    if !opts.filters.is_empty() {
        ws.write_string_with_format(row, 0, l.filters, &s.bold)?;
        for line in &opts.filters {
            ws.write_string_with_format(row, 1, clip(line), &s.wrap)?;
            row += 1;
        }
        row += 1;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &s.header)?;
    }
    for item in items {
        row += 1;
        ws.write_string_with_format(row, 0, clip(item.title), &s.bold)?;
        ws.write_string_with_format(row, 1, clip(item.as_of), &s.wrap)?;
        let mut rows = item.result.rows.len().to_string();
        if item.result.truncated {
            rows = format!("{rows} ({})", l.truncated);
        }
        ws.write_string_with_format(row, 2, rows, &s.wrap)?;
        ws.write_string_with_format(row, 3, clip(item.sql), &s.wrap)?;
        if !item.caveats.is_empty() {
            let notes: Vec<&str> = item.caveats.iter().map(|c| c.message.as_str()).collect();
            ws.write_string_with_format(row, 4, clip(&notes.join("\n")), &s.wrap)?;
        }
    }
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 100)?;
    ws.set_column_width(4, 48)?;
    Ok(())
}

fn col_u16(c: usize) -> Result<u16, XlsxError> {
    // Excel has 16,384 columns; rust_xlsxwriter rejects anything past that with its own error.
    Ok(u16::try_from(c).unwrap_or(u16::MAX))
}

/// Text as a cell holds it: formula-like text made inert (a leading `'`, OWASP's advice: a contact named
/// `=HYPERLINK(…)` stays a name even once the sheet is saved as CSV), cut to Excel's cell limit.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    let s = format::inert(s);
    if s.len() <= MAX_CELL_CHARS {
        return s;
    }
    let mut end = MAX_CELL_CHARS;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(s[..end].to_string())
}

/// Excel serial day: days since 1899-12-30 (the epoch that absorbs Excel's 1900 leap-year bug for dates after
/// February 1900).
fn excel_date(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - epoch).num_days() as f64
}

fn excel_timestamp(t: NaiveDateTime) -> f64 {
    let secs = t.time().signed_duration_since(chrono::NaiveTime::MIN).num_milliseconds() as f64 / 1000.0;
    excel_date(t.date()) + secs / 86_400.0
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, not starting or ending with `'`, not empty and
/// not the reserved "History".
pub(crate) fn sanitize_sheet_name(title: &str, n: usize) -> String {
    let cleaned: String = title
        .chars()
        .map(
            |c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { ' ' } else { c },
        )
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_matches('\'').trim();
    let cleaned: String = cleaned.chars().take(31).collect();
    let cleaned = cleaned.trim_end_matches('\'').trim_end().to_string();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") { format!("Sheet{n}") } else { cleaned }
}

/// Hands out names unique under Excel's case-insensitive comparison, suffixing ` (2)`, ` (3)`... within 31 chars.
#[derive(Default)]
struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    fn unique(&mut self, base: &str) -> String {
        let mut candidate = base.to_string();
        let mut k = 2;
        while self.taken.contains(&candidate.to_lowercase()) {
            let suffix = format!(" ({k})");
            let keep = 31 - suffix.chars().count();
            let stem: String = base.chars().take(keep).collect();
            candidate = format!("{}{suffix}", stem.trim_end());
            k += 1;
        }
        self.taken.insert(candidate.to_lowercase());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sanitize_sheet_name("Revenue [EUR] / month?", 1), "Revenue EUR month");
        assert_eq!(sanitize_sheet_name("'quoted'", 1), "quoted");
        assert_eq!(sanitize_sheet_name("***", 3), "Sheet3");
        assert_eq!(sanitize_sheet_name("History", 2), "Sheet2");
        assert_eq!(sanitize_sheet_name(&"x".repeat(40), 1).chars().count(), 31);
        let mut names = SheetNames::default();
        assert_eq!(names.unique("Sales"), "Sales");
        assert_eq!(names.unique("SALES"), "SALES (2)");
        let long = "y".repeat(31);
        assert_eq!(names.unique(&long), long);
        let second = names.unique(&long);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with(" (2)"));
    }

    #[test]
    fn excel_serials() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        assert_eq!(excel_date(d), 46082.0);
        let t = d.and_hms_opt(12, 0, 0).unwrap_or_default();
        assert_eq!(excel_timestamp(t), 46082.5);
    }
}
