//! The chart kinds that are not x/y grids: KPI numbers, pies and table images.

use super::data::{self, XAxis};
use super::{Theme, plot_err};
use crate::ExportError;
use crate::ExportItem;
use crate::format::{self, Lang, ellipsize, labels};
use inda_core::Value;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Rows drawn in a table image; the files (CSV/XLSX) carry the rest.
pub(crate) const TABLE_ROWS: usize = 20;
/// Pie slices before the rest fold into "Other".
const PIE_SLICES: usize = 7;
const MAX_KPIS: usize = 4;

/// Approximate advance of an average character, as a fraction of the font size (DejaVu Sans is wide).
const CHAR_W: f64 = 0.6;

fn chars_fitting(px: u32, font: u32) -> usize {
    ((f64::from(px) / (f64::from(font.max(1)) * CHAR_W)) as usize).max(1)
}

/// One or more big numbers from the first row, each with its column name underneath.
pub(crate) fn kpi<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &ExportItem,
    theme: &Theme,
    lang: Lang,
) -> Result<(), ExportError> {
    let rs = item.result;
    let mut cols = data::measures(rs, &item.chart.y, None);
    if cols.is_empty() {
        cols = (0..rs.columns.len()).collect();
    }
    cols.truncate(MAX_KPIS);
    let Some(row) = rs.rows.first() else { return Ok(()) };
    let parts = area.split_evenly((1, cols.len().max(1)));
    for (part, &c) in parts.iter().zip(&cols) {
        let (w, h) = part.dim_in_pixel();
        let value = row.get(c).unwrap_or(&Value::Null);
        let is_pct = item.chart.percent.contains(&rs.columns[c].name);
        let text = format::display_cell(value, &rs.columns[c], is_pct, lang);
        // Largest size that fits the width, capped by the height.
        let by_width = (f64::from(w) * 0.85 / (text.chars().count().max(1) as f64 * CHAR_W)) as u32;
        let big = by_width.min(h * 2 / 5).max(theme.label);
        let center = (w as i32 / 2, h as i32 / 2 - big as i32 / 4);
        part.draw_text(
            &text,
            &theme.bold(big).color(&theme.accent).pos(Pos::new(HPos::Center, VPos::Center)),
            center,
        )
        .map_err(plot_err)?;
        let label = ellipsize(&rs.columns[c].name, chars_fitting(w, theme.label + 4));
        let below = (w as i32 / 2, center.1 + big as i32 * 2 / 3 + theme.label as i32);
        part.draw_text(&label, &theme.text(theme.label + 4).pos(Pos::new(HPos::Center, VPos::Center)), below)
            .map_err(plot_err)?;
    }
    Ok(())
}

/// A pie of the first measure by category, largest slices first, with a legend carrying the shares.
pub(crate) fn pie<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &ExportItem,
    theme: &Theme,
    lang: Lang,
) -> Result<bool, ExportError> {
    let plot = data::extract(item, lang);
    let (Some(series), XAxis::Categories(cats)) = (plot.series.first(), &plot.x) else { return Ok(false) };
    let mut slices: Vec<(String, f64)> = series
        .points
        .iter()
        .filter(|p| p.1 > 0.0 && p.1.is_finite())
        .map(|&(x, v)| (cats.get(x as usize).cloned().unwrap_or_default(), v))
        .collect();
    if slices.is_empty() {
        return Ok(false);
    }
    slices.sort_by(|a, b| b.1.total_cmp(&a.1));
    if slices.len() > PIE_SLICES + 1 {
        let rest: f64 = slices[PIE_SLICES..].iter().map(|s| s.1).sum();
        slices.truncate(PIE_SLICES);
        slices.push((labels(lang).other.to_string(), rest));
    }
    let total: f64 = slices.iter().map(|s| s.1).sum();
    let (w, h) = area.dim_in_pixel();
    let (pie_area, legend_area) = area.split_horizontally((w as f64 * 0.55) as i32);
    let r = (f64::from(w) * 0.55).min(f64::from(h)) * 0.45;
    let (cx, cy) = ((f64::from(w) * 0.55 / 2.0), f64::from(h) / 2.0);
    let mut start = -std::f64::consts::FRAC_PI_2; // 12 o'clock, clockwise like the UI
    for (i, (_, v)) in slices.iter().enumerate() {
        let sweep = v / total * std::f64::consts::TAU;
        let steps = ((sweep / 0.03).ceil() as usize).max(2);
        let mut pts = vec![(cx as i32, cy as i32)];
        for s in 0..=steps {
            let a = start + sweep * s as f64 / steps as f64;
            pts.push(((cx + r * a.cos()).round() as i32, (cy + r * a.sin()).round() as i32));
        }
        pie_area.draw(&Polygon::new(pts.clone(), theme.color(i).filled())).map_err(plot_err)?;
        pie_area.draw(&PathElement::new(pts, WHITE.stroke_width(1))).map_err(plot_err)?;
        start += sweep;
    }
    let (lw, lh) = legend_area.dim_in_pixel();
    let line = (theme.label as i32 * 2).min(lh as i32 / (slices.len() as i32 + 1));
    let font = ((line as f64 * 0.6) as u32).clamp(8, theme.label + 2);
    let top = (lh as i32 - line * slices.len() as i32) / 2;
    for (i, (name, v)) in slices.iter().enumerate() {
        let y = top + line * i as i32 + line / 2;
        legend_area
            .draw(&Rectangle::new(
                [(0, y - font as i32 / 2), (font as i32, y + font as i32 / 2)],
                theme.color(i).filled(),
            ))
            .map_err(plot_err)?;
        let value = if plot.percent { format::percent(*v, lang) } else { format::number_auto(*v, lang) };
        let text = format!("{} — {} ({})", name, format::percent(v / total, lang), value);
        let text = ellipsize(&text, chars_fitting(lw.saturating_sub(font * 2), font));
        legend_area
            .draw_text(&text, &theme.text(font).pos(Pos::new(HPos::Left, VPos::Center)), (font as i32 * 2, y))
            .map_err(plot_err)?;
    }
    Ok(true)
}

/// The first rows as a table image: bold header on a fill, zebra rows, numbers right-aligned.
pub(crate) fn table<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &ExportItem,
    theme: &Theme,
    lang: Lang,
) -> Result<(), ExportError> {
    let rs = item.result;
    let ncols = rs.columns.len();
    if ncols == 0 {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let shown = rs.rows.len().min(TABLE_ROWS);
    let more = rs.rows.len() - shown;
    let lines = shown + 1 + usize::from(more > 0);
    let line = ((h as usize / lines.max(1)) as u32).clamp(8, theme.label * 2);
    let font = ((f64::from(line) * 0.6) as u32).clamp(7, theme.label);
    let pad = font as i32 / 2;
    let cells: Vec<Vec<String>> = rs.rows[..shown]
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(c, v)| match rs.columns.get(c) {
                    Some(col) => format::display_cell(v, col, item.chart.percent.contains(&col.name), lang),
                    None => format::cell(v, false, lang),
                })
                .collect()
        })
        .collect();
    // Column widths proportional to their longest text (bounded so one long column cannot take everything).
    let weights: Vec<f64> = (0..ncols)
        .map(|c| {
            let longest = cells.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0);
            longest.max(rs.columns[c].name.chars().count()).clamp(3, 40) as f64
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut xs = vec![0i32];
    for wt in &weights {
        let last = *xs.last().unwrap_or(&0);
        xs.push(last + (f64::from(w) * wt / total) as i32);
    }
    let numeric: Vec<bool> = rs.columns.iter().map(|c| c.is_numeric()).collect();
    let row_top = |r: usize| (r as u32 * line) as i32;
    area.draw(&Rectangle::new([(0, 0), (w as i32, line as i32)], theme.header_fill.filled()))
        .map_err(plot_err)?;
    for r in 0..shown {
        if r % 2 == 1 {
            let y = row_top(r + 1);
            area.draw(&Rectangle::new([(0, y), (w as i32, y + line as i32)], theme.zebra.filled()))
                .map_err(plot_err)?;
        }
    }
    let draw_cell = |text: &str, r: usize, c: usize, header: bool| -> Result<(), ExportError> {
        let cw = (xs[c + 1] - xs[c] - pad * 2).max(1) as u32;
        let text = ellipsize(text, chars_fitting(cw, font));
        let y = row_top(r) + line as i32 / 2;
        let (x, hpos) =
            if numeric[c] && !header { (xs[c + 1] - pad, HPos::Right) } else { (xs[c] + pad, HPos::Left) };
        let style = if header { theme.bold(font).color(&WHITE) } else { theme.text(font) };
        area.draw_text(&text, &style.pos(Pos::new(hpos, VPos::Center)), (x, y)).map_err(plot_err)
    };
    for (c, col) in rs.columns.iter().enumerate() {
        draw_cell(&col.name, 0, c, true)?;
    }
    for (r, row) in cells.iter().enumerate() {
        for (c, text) in row.iter().enumerate().take(ncols) {
            draw_cell(text, r + 1, c, false)?;
        }
    }
    if more > 0 {
        let text = format!("… {} {}", format::number(more as f64, 0, lang), labels(lang).more_rows);
        let y = row_top(shown + 1) + line as i32 / 2;
        area.draw_text(&text, &theme.text(font).pos(Pos::new(HPos::Left, VPos::Center)), (pad, y))
            .map_err(plot_err)?;
    }
    Ok(())
}
