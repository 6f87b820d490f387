//! Chart images with plotters, from the same `ChartSpec` the UI renders: one chart per item, or a dashboard
//! grid (2 columns) of tiles. The same drawing code targets SVG (text stays text) and an RGB bitmap (PNG, and
//! the PDF's embedded image).

mod cartesian;
mod data;
mod fonts;
mod tiles;

use crate::ExportError;
use crate::format::{ellipsize, labels};
use crate::{ExportItem, ExportOptions};
use inda_core::ChartKind;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) use data::validate;

/// Columns of the dashboard grid.
const GRID_COLUMNS: usize = 2;

/// ECharts' default palette, so exported charts match the colours analysts saw in the app.
const PALETTE: [RGBColor; 9] = [
    RGBColor(0x54, 0x70, 0xc6),
    RGBColor(0x91, 0xcc, 0x75),
    RGBColor(0xfa, 0xc8, 0x58),
    RGBColor(0xee, 0x66, 0x66),
    RGBColor(0x73, 0xc0, 0xde),
    RGBColor(0x3b, 0xa2, 0x72),
    RGBColor(0xfc, 0x84, 0x52),
    RGBColor(0x9a, 0x60, 0xb4),
    RGBColor(0xea, 0x7c, 0xcc),
];

/// Sizes and colours for one drawing area, scaled from its height so tiles and full images both read well.
pub(crate) struct Theme {
    pub title: u32,
    pub label: u32,
    pub margin: u32,
    pub ink: RGBColor,
    pub muted: RGBColor,
    pub accent: RGBColor,
    pub grid: RGBColor,
    pub header_fill: RGBColor,
    pub zebra: RGBColor,
}

impl Theme {
    fn for_area(w: u32, h: u32) -> Self {
        let base = h.min(w * 9 / 16);
        Theme {
            title: (base / 20).clamp(13, 40),
            label: (base / 48).clamp(10, 22),
            margin: (base / 40).clamp(6, 24),
            ink: RGBColor(0x33, 0x33, 0x33),
            muted: RGBColor(0x88, 0x88, 0x88),
            accent: PALETTE[0],
            grid: RGBColor(0xe0, 0xe0, 0xe0),
            header_fill: RGBColor(0x2f, 0x55, 0x97),
            zebra: RGBColor(0xf3, 0xf5, 0xf9),
        }
    }
    pub fn color(&self, i: usize) -> RGBColor {
        PALETTE[i % PALETTE.len()]
    }
    pub fn text(&self, size: u32) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(fonts::FAMILY), f64::from(size), FontStyle::Normal).color(&self.ink)
    }
    pub fn bold(&self, size: u32) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(fonts::FAMILY), f64::from(size), FontStyle::Bold).color(&self.ink)
    }
}

/// Any plotters error (generic over the backend), as its text.
pub(crate) fn plot_err(e: impl std::fmt::Display) -> ExportError {
    ExportError::Chart(e.to_string())
}

/// Canvas size: one item is `width`×`height`; a dashboard stacks rows of half-size tiles; a document title adds
/// a band on top.
fn canvas(doc_title: Option<&str>, n: usize, opts: &ExportOptions) -> (u32, u32, u32) {
    let band = if doc_title.is_some() { (opts.height / 12).max(36) } else { 0 };
    if n <= 1 {
        return (opts.width, opts.height + band, band);
    }
    let rows = n.div_ceil(GRID_COLUMNS) as u32;
    (opts.width, band + rows * (opts.height / 2), band)
}

pub(crate) fn render_items_svg(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
) -> Result<String, ExportError> {
    fonts::ensure_registered()?;
    for item in items {
        validate(item)?;
    }
    let (w, h, band) = canvas(doc_title, items.len(), opts);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_all(&root, doc_title, band, items, opts)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

pub(crate) fn render_items_png(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let (rgb, w, h) = render_items_rgb(doc_title, items, opts)?;
    encode_png(&rgb, w, h)
}

/// Raw 8-bit RGB pixels (row-major) of the rendered items, with the canvas size.
pub(crate) fn render_items_rgb(
    doc_title: Option<&str>,
    items: &[ExportItem],
    opts: &ExportOptions,
) -> Result<(Vec<u8>, u32, u32), ExportError> {
    fonts::ensure_registered()?;
    for item in items {
        validate(item)?;
    }
    let (w, h, band) = canvas(doc_title, items.len(), opts);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw_all(&root, doc_title, band, items, opts)?;
        root.present().map_err(plot_err)?;
    }
    Ok((buf, w, h))
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ExportError> {
    let err = ExportError::Png;
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

fn draw_all<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    doc_title: Option<&str>,
    band: u32,
    items: &[ExportItem],
    opts: &ExportOptions,
) -> Result<(), ExportError> {
    root.fill(&WHITE).map_err(plot_err)?;
    let body = match doc_title {
        Some(t) => {
            let (head, body) = root.split_vertically(band as i32);
            let (w, _) = head.dim_in_pixel();
            let theme = Theme::for_area(opts.width, opts.height);
            let size = (band * 5 / 9).max(12);
            let text = ellipsize(t, ((f64::from(w) * 0.9) / (f64::from(size) * 0.62)) as usize);
            head.draw_text(
                &text,
                &theme.bold(size).pos(Pos::new(HPos::Left, VPos::Center)),
                (theme.margin as i32, band as i32 / 2),
            )
            .map_err(plot_err)?;
            body
        }
        None => root.clone(),
    };
    if items.len() <= 1 {
        if let Some(item) = items.first() {
            draw_item(&body, item, opts, false)?;
        }
        return Ok(());
    }
    let rows = items.len().div_ceil(GRID_COLUMNS);
    let tiles = body.split_evenly((rows, GRID_COLUMNS));
    for (tile, item) in tiles.iter().zip(items) {
        draw_item(&tile.margin(4, 4, 4, 4), item, opts, true)?;
    }
    Ok(())
}

/// Title, as-of line and the chart of one item in `area`.
fn draw_item<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &ExportItem,
    opts: &ExportOptions,
    framed: bool,
) -> Result<(), ExportError> {
    let (w, h) = area.dim_in_pixel();
    let theme = Theme::for_area(w, h);
    let l = labels(opts.lang);
    if framed {
        area.draw(&Rectangle::new([(0, 0), (w as i32 - 1, h as i32 - 1)], theme.grid.stroke_width(1)))
            .map_err(plot_err)?;
    }
    let m = theme.margin as i32;
    let title = item.chart.title.as_deref().filter(|t| !t.is_empty()).unwrap_or(item.title);
    let title =
        ellipsize(title, ((f64::from(w) - 2.0 * f64::from(m)) / (f64::from(theme.title) * 0.62)) as usize);
    area.draw_text(&title, &theme.bold(theme.title), (m, m)).map_err(plot_err)?;
    let sub_size = (theme.label * 9 / 10).max(9);
    let sub = format!("{}: {}", l.as_of, crate::format::instant(item.as_of, opts.lang));
    let sub_y = m + theme.title as i32 * 13 / 10;
    area.draw_text(&sub, &theme.text(sub_size).color(&theme.muted), (m, sub_y)).map_err(plot_err)?;
    let head = (sub_y + sub_size as i32 * 2).min(h as i32 / 3);
    let (_, body) = area.split_vertically(head);
    let body = body.margin(0, m as u32, m as u32, m as u32);

    let drew = if item.result.rows.is_empty() {
        false
    } else {
        match item.chart.kind {
            ChartKind::Kpi => {
                tiles::kpi(&body, item, &theme, opts.lang)?;
                true
            }
            ChartKind::Table => {
                tiles::table(&body, item, &theme, opts.lang)?;
                true
            }
            ChartKind::Pie => tiles::pie(&body, item, &theme, opts.lang)?,
            kind => {
                let plot = data::extract(item, opts.lang);
                if plot.is_empty() {
                    false
                } else {
                    cartesian::draw(&body, &plot, kind, &theme, opts.lang)?;
                    true
                }
            }
        }
    };
    if !drew {
        let (bw, bh) = body.dim_in_pixel();
        body.draw_text(
            l.no_data,
            &theme.text(theme.title).color(&theme.muted).pos(Pos::new(HPos::Center, VPos::Center)),
            (bw as i32 / 2, bh as i32 / 2),
        )
        .map_err(plot_err)?;
    }
    Ok(())
}
