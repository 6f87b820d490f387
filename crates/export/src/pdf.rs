//! PDF with `pdf-writer`: one A4 landscape page per item with its title, run time, the chart (rendered by
//! `chart/` to RGB pixels and embedded as a Flate-compressed image) and as many table rows as fit below, ending
//! with "… N more rows" when the rest do not fit. The answer's caveats are listed under the run time, headers name a
//! money column's currency, and a period still running is marked "to date" on its cell. Text uses the standard
//! Helvetica fonts with WinAnsiEncoding (cp1252), so no font is embedded and Spanish accents render in every viewer.

use crate::ExportError;
use crate::chart;
use crate::format::{self, labels};
use crate::{ExportItem, ExportOptions, write_all};
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

    let mut pages = Vec::with_capacity(items.len());
    for item in items {
        let page_id = ids.bump();
        let content_id = ids.bump();
        let image_id = ids.bump();
        let image = if item.chart.kind == ChartKind::Table {
            None // the table below is the content; a table picture of it would repeat it
        } else {
            let (rgb, w, h) = chart::render_items_rgb(None, std::slice::from_ref(item), opts)?;
            Some((deflate(&rgb)?, w, h))
        };
        let content = page_content(doc_title, item, opts, image.as_ref().map(|(_, w, h)| (*w, *h)));
        {
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            page.parent(tree);
            page.contents(content_id);
            let mut res = page.resources();
            res.fonts().pair(REGULAR, regular).pair(BOLD, bold);
            if image.is_some() {
                res.x_objects().pair(IMAGE, image_id);
            }
        }
        pdf.stream(content_id, &content);
        if let Some((data, w, h)) = &image {
            let mut x = pdf.image_xobject(image_id, data);
            x.filter(Filter::FlateDecode);
            x.width(i32::try_from(*w).unwrap_or(i32::MAX));
            x.height(i32::try_from(*h).unwrap_or(i32::MAX));
            x.color_space().device_rgb();
            x.bits_per_component(8);
        }
        pages.push(page_id);
    }
    pdf.pages(tree).kids(pages.iter().copied()).count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    Ok(pdf.finish())
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

fn page_content(
    doc_title: Option<&str>,
    item: &ExportItem,
    opts: &ExportOptions,
    image: Option<(u32, u32)>,
) -> Vec<u8> {
    let l = labels(opts.lang);
    let mut c = Content::new();
    let mut y = PAGE_H - MARGIN;
    if let Some(t) = doc_title {
        text(&mut c, REGULAR, 9.0, 0.45, MARGIN, y - 9.0, &fit(t, 9.0, PAGE_W - 2.0 * MARGIN));
        y -= 16.0;
    }
    text(&mut c, BOLD, 18.0, 0.1, MARGIN, y - 18.0, &fit(item.title, 18.0, PAGE_W - 2.0 * MARGIN));
    y -= 26.0;
    let mut sub = format!("{}: {}", l.as_of, item.as_of);
    if item.result.truncated {
        sub = format!("{sub} · {}", l.truncated);
    }
    text(&mut c, REGULAR, 9.0, 0.45, MARGIN, y - 9.0, &fit(&sub, 9.0, PAGE_W - 2.0 * MARGIN));
    y -= 18.0;
    // Caveats before the numbers: a partial month or a missing rate changes how the chart reads.
    for caveat in item.caveats.iter().take(MAX_CAVEATS) {
        let line = format!("• {}", caveat.message);
        text(
            &mut c,
            REGULAR,
            CELL_FONT,
            0.3,
            MARGIN,
            y - CELL_FONT,
            &fit(&line, CELL_FONT, PAGE_W - 2.0 * MARGIN),
        );
        y -= ROW_H;
    }
    if !item.caveats.is_empty() {
        y -= 4.0;
    }

    if let Some((w, h)) = image {
        // Fit the chart into the box, keeping its aspect ratio.
        let max_w = PAGE_W - 2.0 * MARGIN;
        let scale = (max_w / w as f32).min(CHART_MAX_H / h as f32);
        let (dw, dh) = (w as f32 * scale, h as f32 * scale);
        c.save_state();
        c.transform([dw, 0.0, 0.0, dh, MARGIN, y - dh]);
        c.x_object(IMAGE);
        c.restore_state();
        y -= dh + 12.0;
    }
    table(&mut c, item, opts, y);
    c.finish().into_vec()
}

/// As many rows as fit between `top` and the bottom margin, then "… N more rows".
fn table(c: &mut Content, item: &ExportItem, opts: &ExportOptions, top: f32) {
    let rs = item.result;
    let ncols = rs.columns.len();
    if ncols == 0 {
        return;
    }
    let l = labels(opts.lang);
    let lines = ((top - MARGIN) / ROW_H).floor().max(0.0) as usize;
    // One line for the header; keep one for the "more rows" note when not everything fits.
    let capacity = lines.saturating_sub(1);
    let shown = if rs.rows.len() <= capacity { rs.rows.len() } else { capacity.saturating_sub(1) };
    let more = rs.rows.len() - shown;

    let cells: Vec<Vec<String>> = rs.rows[..shown]
        .iter()
        .map(|row| {
            rs.columns
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let pct = item.chart.percent.contains(&col.name);
                    let Some(v) = row.get(i) else { return String::new() };
                    let cell = format::cell(v, pct, opts.lang);
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
    let weights: Vec<f32> = (0..ncols)
        .map(|i| {
            let longest = cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            longest.max(headers[i].chars().count()).clamp(4, 40) as f32
        })
        .collect();
    let total: f32 = weights.iter().sum();
    let width = PAGE_W - 2.0 * MARGIN;
    let mut xs = vec![MARGIN];
    for w in &weights {
        let last = xs.last().copied().unwrap_or(MARGIN);
        xs.push(last + width * w / total);
    }
    let numeric: Vec<bool> = rs.columns.iter().map(|c| c.is_numeric()).collect();

    // Header band.
    c.set_fill_rgb(0.184, 0.333, 0.592);
    c.rect(MARGIN, top - ROW_H, width, ROW_H);
    c.fill_nonzero();
    for (i, header) in headers.iter().enumerate() {
        let cw = xs[i + 1] - xs[i] - 2.0 * CELL_PAD;
        text(c, BOLD, CELL_FONT, 1.0, xs[i] + CELL_PAD, top - ROW_H + 4.0, &fit(header, CELL_FONT, cw));
    }
    for (r, row) in cells.iter().enumerate() {
        let y = top - ROW_H * (r as f32 + 2.0);
        if r % 2 == 1 {
            c.set_fill_rgb(0.953, 0.961, 0.976);
            c.rect(MARGIN, y, width, ROW_H);
            c.fill_nonzero();
        }
        for (i, s) in row.iter().enumerate() {
            let cw = xs[i + 1] - xs[i] - 2.0 * CELL_PAD;
            let s = fit(s, CELL_FONT, cw);
            let x =
                if numeric[i] { xs[i + 1] - CELL_PAD - text_width(&s, CELL_FONT) } else { xs[i] + CELL_PAD };
            text(c, REGULAR, CELL_FONT, 0.15, x, y + 4.0, &s);
        }
    }
    if more > 0 {
        let y = top - ROW_H * (shown as f32 + 2.0);
        let note = format!("… {} {}", format::number(more as f64, 0, opts.lang), l.more_rows);
        text(c, REGULAR, CELL_FONT, 0.45, MARGIN + CELL_PAD, y + 4.0, &note);
    }
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
