//! PDF with `pdf-writer`: A4 landscape pages. Each item starts a page with its title, run time, the filters the
//! results were computed with, its caveats and the chart (rendered by `chart/` to RGB pixels and embedded as a
//! Flate-compressed image), then its table: every row, continued on as many pages as it needs under the
//! item's title "(continued)" and the header row again, up to [`MAX_PDF_ROWS`] rows, past which a note says how
//! many were left out and that XLSX holds them all. Everything people read is in the export's language: dates
//! (`2 dic 2026`, no midnight times), numbers, category names, the labels and the "Page n of N" footer. Headers
//! name a money column's currency, and a period still running is marked "to date" on its cell. Text uses the
//! standard Helvetica fonts with WinAnsiEncoding (cp1252), so no font is embedded and Spanish accents render in
//! every viewer.

use crate::ExportError;
use crate::chart;
use crate::format::{self, Lang, labels};
use crate::{ExportItem, ExportOptions, MAX_PDF_ROWS, write_all};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use inda_core::ChartKind;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::fs::File;
use std::io::Write;

/// A4 landscape, in points.
const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
/// Height reserved for the chart image; the rest of the page holds the table.
const CHART_MAX_H: f32 = 290.0;
const ROW_H: f32 = 13.0;
const CELL_FONT: f32 = 8.5;
const CELL_PAD: f32 = 3.0;
/// Caveats listed on a page; an answer has one or two, and more would push the table off it.
const MAX_CAVEATS: usize = 5;
/// Lines the applied filters may take under the title.
const MAX_FILTER_LINES: usize = 3;
/// The table stops here, above the page footer.
const BOTTOM: f32 = MARGIN;
/// Fewer rows than this under an item's chart: its table starts on the next page instead.
const MIN_ROWS_FIRST_PAGE: usize = 3;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");
const IMAGE: Name = Name(b"Im1");

pub(crate) fn write_pdf(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
    file: &mut File,
) -> Result<(), ExportError> {
    for item in items {
        chart::validate(item)?;
    }
    let bytes = build(doc_title, items, opts)?;
    write_all(file, &bytes)
}

/// One page as laid out before it is written: its content so far (everything above the table), where the
/// table starts, and which of its item's rows it holds.
struct Page {
    item: usize,
    content: Content,
    top: f32,
    rows: std::ops::Range<usize>,
    /// The last page of its item: where the "rows not shown" note goes.
    last: bool,
    /// The item's chart image is drawn on this page (its first).
    image: bool,
}

/// An item's table, formatted once so every page of it has the same columns.
struct Table {
    headers: Vec<String>,
    cells: Vec<Vec<String>>,
    xs: Vec<f32>,
    numeric: Vec<bool>,
    /// Rows left out past [`MAX_PDF_ROWS`].
    cut: usize,
}

fn build(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let mut pdf = Pdf::new();
    let mut ids = Ref::new(1);
    let catalog = ids.bump();
    let tree = ids.bump();
    let regular = ids.bump();
    let bold = ids.bump();
    let info = ids.bump();
    pdf.catalog(catalog).pages(tree);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    let mut doc_info = pdf.document_info(info);
    doc_info.title(TextStr(doc_title.unwrap_or(items.first().map_or("", |i| i.title))));
    doc_info.creator(TextStr("inDigital Analytics"));
    doc_info.finish();

    // Lay every page out first: the footer says "Page n of N".
    let mut images = Vec::with_capacity(items.len());
    let mut tables = Vec::with_capacity(items.len());
    let mut pages: Vec<Page> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let image = if item.chart.kind == ChartKind::Table {
            None // the table below is the content; a table picture of it would repeat it
        } else {
            let (rgb, w, h) = chart::render_items_rgb(None, std::slice::from_ref(item), opts)?;
            Some((deflate(&rgb)?, w, h))
        };
        let table = table_of(item, opts);
        let mut content = Content::new();
        let top = first_head(&mut content, doc_title, item, opts, image.as_ref().map(|(_, w, h)| (*w, *h)));
        images.push(image);
        let shown = table.cells.len();
        let mut fits = capacity(top);
        let (mut content, mut top) = if fits < MIN_ROWS_FIRST_PAGE.min(shown.max(1)) {
            // The chart and notes leave no room worth using: the table starts on a page of its own.
            pages.push(Page { item: n, content, top, rows: 0..0, last: false, image: true });
            let mut next = Content::new();
            let top = next_head(&mut next, doc_title, item, opts);
            fits = capacity(top);
            (next, top)
        } else {
            (content, top)
        };
        let mut start = 0;
        let mut first = pages.last().is_none_or(|p| p.item != n);
        loop {
            let end = (start + fits).min(shown);
            pages.push(Page { item: n, content, top, rows: start..end, last: end == shown, image: first });
            first = false;
            if end == shown {
                break;
            }
            start = end;
            content = Content::new();
            top = next_head(&mut content, doc_title, item, opts);
            fits = capacity(top);
        }
        tables.push(table);
    }

    let total = pages.len();
    // A dashboard's items are its tiles; the cut note names them so.
    let dashboard = doc_title.is_some() || items.len() > 1;
    let mut page_ids = Vec::with_capacity(total);
    let image_ids: Vec<Ref> = items.iter().map(|_| ids.bump()).collect();
    for (k, page) in pages.into_iter().enumerate() {
        let Page { item, mut content, top, rows, last, image } = page;
        let table = &tables[item];
        draw_rows(&mut content, table, rows, top, last, dashboard, opts);
        footer(&mut content, k + 1, total, opts);
        let page_id = ids.bump();
        let content_id = ids.bump();
        {
            let mut p = pdf.page(page_id);
            p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            p.parent(tree);
            p.contents(content_id);
            let mut res = p.resources();
            res.fonts().pair(REGULAR, regular).pair(BOLD, bold);
            if image && images[item].is_some() {
                res.x_objects().pair(IMAGE, image_ids[item]);
            }
        }
        pdf.stream(content_id, &content.finish());
        page_ids.push(page_id);
    }
    for (image, id) in images.iter().zip(&image_ids) {
        if let Some((data, w, h)) = image {
            let mut x = pdf.image_xobject(*id, data);
            x.filter(Filter::FlateDecode);
            x.width(i32::try_from(*w).unwrap_or(i32::MAX));
            x.height(i32::try_from(*h).unwrap_or(i32::MAX));
            x.color_space().device_rgb();
            x.bits_per_component(8);
        }
    }
    pdf.pages(tree).kids(page_ids.iter().copied()).count(i32::try_from(total).unwrap_or(i32::MAX));
    Ok(pdf.finish())
}

/// Rows of a table that fit between `top` and the bottom margin, under the header row.
fn capacity(top: f32) -> usize {
    (((top - BOTTOM) / ROW_H).floor().max(0.0) as usize).saturating_sub(1).max(1)
}

fn deflate(bytes: &[u8]) -> Result<Vec<u8>, ExportError> {
    let err = ExportError::Deflate;
    let mut z = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 10), Compression::fast());
    z.write_all(bytes).map_err(err)?;
    z.finish().map_err(err)
}

/// Draws text with its baseline at (x, y), in page points from the bottom-left corner.
fn text(c: &mut Content, font: Name, size: f32, gray: f32, x: f32, y: f32, s: &str) {
    c.begin_text();
    c.set_font(font, size);
    c.set_fill_rgb(gray, gray, gray);
    c.next_line(x, y);
    c.show(Str(&winansi(s)));
    c.end_text();
}

/// The top of an item's first page: the document title, the item's title, when it was computed, the filters,
/// the caveats and the chart. Returns where the table starts.
fn first_head(
    c: &mut Content,
    doc_title: Option<&str>,
    item: &ExportItem,
    opts: &ExportOptions,
    image: Option<(u32, u32)>,
) -> f32 {
    let l = labels(opts.lang);
    let width = PAGE_W - 2.0 * MARGIN;
    let mut y = PAGE_H - MARGIN;
    if let Some(t) = doc_title {
        text(c, REGULAR, 9.0, 0.45, MARGIN, y - 9.0, &fit(t, 9.0, width));
        y -= 16.0;
    }
    text(c, BOLD, 18.0, 0.1, MARGIN, y - 18.0, &fit(item.title, 18.0, width));
    y -= 26.0;
    let mut sub = format!("{}: {}", l.as_of, format::instant(item.as_of, opts.lang));
    if item.result.truncated {
        sub = format!("{sub} · {}", l.truncated);
    }
    text(c, REGULAR, 9.0, 0.45, MARGIN, y - 9.0, &fit(&sub, 9.0, width));
    y -= 14.0;
    // The filters the numbers were computed with, right under the title: they change what every row means.
    if !opts.filters.is_empty() {
        let line = format!("{}: {}", l.filters, opts.filters.join(" · "));
        for part in wrap(&line, 9.0, width, MAX_FILTER_LINES) {
            text(c, BOLD, 9.0, 0.3, MARGIN, y - 9.0, &part);
            y -= 12.0;
        }
    }
    y -= 4.0;
    // Caveats before the numbers: a partial month or a missing rate changes how the chart reads.
    for caveat in item.caveats.iter().take(MAX_CAVEATS) {
        let line = format!("• {}", caveat.message);
        text(c, REGULAR, CELL_FONT, 0.3, MARGIN, y - CELL_FONT, &fit(&line, CELL_FONT, width));
        y -= ROW_H;
    }
    if !item.caveats.is_empty() {
        y -= 4.0;
    }
    if let Some((w, h)) = image {
        // Fit the chart into the box, keeping its aspect ratio.
        let scale = (width / w as f32).min(CHART_MAX_H / h as f32);
        let (dw, dh) = (w as f32 * scale, h as f32 * scale);
        c.save_state();
        c.transform([dw, 0.0, 0.0, dh, MARGIN, y - dh]);
        c.x_object(IMAGE);
        c.restore_state();
        y -= dh + 12.0;
    }
    y
}

/// The top of a page an item's table continues on: the document title and the item's title, "(continued)".
fn next_head(c: &mut Content, doc_title: Option<&str>, item: &ExportItem, opts: &ExportOptions) -> f32 {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut y = PAGE_H - MARGIN;
    if let Some(t) = doc_title {
        text(c, REGULAR, 9.0, 0.45, MARGIN, y - 9.0, &fit(t, 9.0, width));
        y -= 16.0;
    }
    let continued = labels(opts.lang).continued;
    let title = fit(item.title, 12.0, width - text_width(continued, 12.0) - 4.0);
    text(c, BOLD, 12.0, 0.1, MARGIN, y - 12.0, &format!("{title} {continued}"));
    y - 22.0
}

/// "Page n of N" at the bottom right.
fn footer(c: &mut Content, n: usize, total: usize, opts: &ExportOptions) {
    let l = labels(opts.lang);
    let s = format!("{} {n} {} {total}", l.page, l.of);
    text(c, REGULAR, 8.0, 0.55, PAGE_W - MARGIN - text_width(&s, 8.0), MARGIN / 2.0, &s);
}

/// The item's rows as people read them (localized numbers and dates, category names, "to date" marks), at
/// most [`MAX_PDF_ROWS`], and the column layout they share on every page.
fn table_of(item: &ExportItem, opts: &ExportOptions) -> Table {
    let rs = item.result;
    let l = labels(opts.lang);
    let shown = rs.rows.len().min(MAX_PDF_ROWS);
    let cells: Vec<Vec<String>> = rs.rows[..shown]
        .iter()
        .map(|row| {
            rs.columns
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let pct = item.chart.percent.contains(&col.name);
                    let Some(v) = row.get(i) else { return String::new() };
                    let cell = format::display_cell(v, col, pct, opts.lang);
                    if format::is_partial(item.caveats, &col.name, v) {
                        format!("{cell} ({})", l.to_date)
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect();
    let headers: Vec<String> = rs.columns.iter().map(format::title).collect();
    let ncols = headers.len();
    let weights: Vec<f32> = (0..ncols)
        .map(|i| {
            let longest = cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            longest.max(headers[i].chars().count()).clamp(4, 40) as f32
        })
        .collect();
    let total: f32 = weights.iter().sum::<f32>().max(1.0);
    let width = PAGE_W - 2.0 * MARGIN;
    let mut xs = vec![MARGIN];
    for w in &weights {
        let last = xs.last().copied().unwrap_or(MARGIN);
        xs.push(last + width * w / total);
    }
    let numeric = rs.columns.iter().map(|c| c.is_numeric()).collect();
    Table { headers, cells, xs, numeric, cut: rs.rows.len() - shown }
}

/// The header band and `rows` of the table from `top` down; on the item's last page, the note on the rows
/// left out.
fn draw_rows(
    c: &mut Content,
    t: &Table,
    rows: std::ops::Range<usize>,
    top: f32,
    last: bool,
    dashboard: bool,
    opts: &ExportOptions,
) {
    if t.headers.is_empty() || (rows.is_empty() && !last) {
        return;
    }
    let width = PAGE_W - 2.0 * MARGIN;
    c.set_fill_rgb(0.184, 0.333, 0.592);
    c.rect(MARGIN, top - ROW_H, width, ROW_H);
    c.fill_nonzero();
    for (i, header) in t.headers.iter().enumerate() {
        let cw = t.xs[i + 1] - t.xs[i] - 2.0 * CELL_PAD;
        text(c, BOLD, CELL_FONT, 1.0, t.xs[i] + CELL_PAD, top - ROW_H + 4.0, &fit(header, CELL_FONT, cw));
    }
    let count = rows.len();
    for (r, row) in t.cells[rows.clone()].iter().enumerate() {
        let y = top - ROW_H * (r as f32 + 2.0);
        // Zebra by the row's place in the whole table, so stripes do not restart on a new page.
        if (rows.start + r) % 2 == 1 {
            c.set_fill_rgb(0.953, 0.961, 0.976);
            c.rect(MARGIN, y, width, ROW_H);
            c.fill_nonzero();
        }
        for (i, s) in row.iter().enumerate() {
            let cw = t.xs[i + 1] - t.xs[i] - 2.0 * CELL_PAD;
            let s = fit(s, CELL_FONT, cw);
            let x = if t.numeric[i] {
                t.xs[i + 1] - CELL_PAD - text_width(&s, CELL_FONT)
            } else {
                t.xs[i] + CELL_PAD
            };
            text(c, REGULAR, CELL_FONT, 0.15, x, y + 4.0, &s);
        }
    }
    if last && t.cut > 0 {
        let y = top - ROW_H * (count as f32 + 2.0);
        let note = cut_note(t.cut, dashboard, opts.lang);
        text(c, REGULAR, CELL_FONT, 0.45, MARGIN + CELL_PAD, y + 4.0, &fit(&note, CELL_FONT, width));
    }
}

/// Why a table stops before its last row: `… 1,234 more rows not shown: a PDF holds at most 5,000 per tile;
/// export XLSX for all` (`per table` for an analysis of its own).
fn cut_note(more: usize, dashboard: bool, lang: Lang) -> String {
    let n = format::number(more as f64, 0, lang);
    let max = format::number(MAX_PDF_ROWS as f64, 0, lang);
    match lang {
        Lang::En => {
            let per = if dashboard { "tile" } else { "table" };
            format!("… {n} more rows not shown: a PDF holds at most {max} per {per}; export XLSX for all")
        }
        Lang::Es => {
            let per = if dashboard { "mosaico" } else { "tabla" };
            format!(
                "… {n} filas más no se muestran: un PDF admite como máximo {max} por {per}; exporte a XLSX para verlas todas"
            )
        }
    }
}

/// Splits `s` into lines that fit `max` points at `size`, breaking between words; at most `lines` lines, the
/// last one ending with an ellipsis when text is left over.
fn wrap(s: &str, size: f32, max: f32, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in s.split(' ') {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if text_width(&candidate, size) <= max || current.is_empty() {
            current = candidate;
            continue;
        }
        out.push(std::mem::replace(&mut current, word.to_string()));
        if out.len() == lines {
            break;
        }
    }
    if out.len() < lines {
        if !current.is_empty() {
            out.push(current);
        }
    } else if let Some(last) = out.last_mut() {
        *last = fit(&format!("{last} …"), size, max);
    }
    out.into_iter().map(|l| fit(&l, size, max)).collect()
}

/// Approximate Helvetica advance widths (per 1000 em), close enough to truncate cells without overflow.
fn char_width(ch: char) -> f32 {
    match ch {
        ' ' | 'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 278.0,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' => 333.0,
        '0'..='9' | 'a'..='e' | 'g' | 'h' | 'k' | 'n'..='q' | 's' | 'u' | 'v' | 'x'..='z' | '$' | '_' => {
            556.0
        }
        'm' | 'M' | '%' => 889.0,
        'w' | 'W' | '@' => 944.0,
        'A'..='Z' => 722.0,
        _ => 611.0,
    }
}

fn text_width(s: &str, size: f32) -> f32 {
    s.chars().map(char_width).sum::<f32>() * size / 1000.0
}

/// Cuts `s` to fit `max` points at `size`, ending with an ellipsis when cut.
fn fit(s: &str, size: f32, max: f32) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let budget = max - text_width("…", size);
    let mut out = String::new();
    let mut used = 0.0;
    for ch in s.chars() {
        let w = char_width(ch) * size / 1000.0;
        if used + w > budget {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

/// Encodes text to Windows-1252 (WinAnsiEncoding) for the standard fonts; unmappable characters become `?`,
/// control characters a space.
pub(crate) fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|ch| match ch {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => ch as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            c if c.is_control() => b' ',
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winansi_keeps_spanish() {
        assert_eq!(winansi("Añó €…"), vec![b'A', 0xf1, 0xf3, b' ', 0x80, 0x85]);
        assert_eq!(winansi("a\nb漢"), b"a b?".to_vec());
    }

    #[test]
    fn fit_cuts_long_text() {
        assert_eq!(fit("short", 10.0, 500.0), "short");
        let cut = fit(&"x".repeat(200), 10.0, 100.0);
        assert!(cut.ends_with('…') && text_width(&cut, 10.0) <= 100.0 + 0.01);
    }
}
