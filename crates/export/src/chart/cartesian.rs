//! Bar, line, area and scatter charts on an x/y grid.

use super::data::{Plot, TimeTicks, XAxis};
use super::{Theme, plot_err};
use crate::ExportError;
use crate::format::{self, Lang, ellipsize};
use inda_core::ChartKind;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::ops::Range;

/// Categories with labels longer than this (or this many categories) draw as horizontal bars.
const LONG_LABEL: usize = 14;
const MANY_CATEGORIES: usize = 12;

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot,
    kind: ChartKind,
    theme: &Theme,
    lang: Lang,
) -> Result<(), ExportError> {
    let horizontal = kind == ChartKind::Bar
        && match &plot.x {
            XAxis::Categories(c) => {
                c.len() > MANY_CATEGORIES || c.iter().any(|l| l.chars().count() > LONG_LABEL)
            }
            _ => false,
        };
    let (w, h) = area.dim_in_pixel();
    let label_px = theme.label;
    let y_fmt =
        |v: &f64| if plot.percent { format::percent(*v, lang) } else { format::number_compact(*v, lang) };
    let y2_fmt =
        |v: &f64| if plot.percent2 { format::percent(*v, lang) } else { format::number_compact(*v, lang) };
    let (x_lo, x_hi) = plot.x_range();
    let x_labels = match &plot.x {
        XAxis::Categories(c) => c.len().clamp(1, 24),
        _ => (w / 140).clamp(2, 10) as usize,
    };
    // A time axis ticks on calendar boundaries (`Mar 2026`), never at arbitrary instants.
    let time = match &plot.x {
        XAxis::Time { timestamps, period } => {
            Some(TimeTicks::new(x_lo, x_hi, *timestamps, *period, x_labels))
        }
        _ => None,
    };
    let cat_label = |v: &f64, max_chars: usize| -> String {
        match &plot.x {
            XAxis::Categories(c) => {
                let r = v.round();
                if (v - r).abs() > 1e-6 || r < 0.0 {
                    return String::new();
                }
                c.get(r as usize).map(|l| ellipsize(l, max_chars)).unwrap_or_default()
            }
            XAxis::Time { .. } => time.as_ref().map(|t| t.label(*v, lang)).unwrap_or_default(),
            XAxis::Numbers => format::number_compact(*v, lang),
        }
    };
    let n_cats = match &plot.x {
        XAxis::Categories(c) => c.len(),
        _ => 0,
    };
    let several = plot.series.len() > 1;

    if horizontal {
        // Horizontal bars keep one value axis: a second one would sit on top of the first.
        let (y_lo, y_hi) = plot.y_range(None);
        // Categories on the y axis, first one at the top; long labels get room on the left.
        let longest = match &plot.x {
            XAxis::Categories(c) => c.iter().map(|l| l.chars().count()).max().unwrap_or(1),
            _ => 1,
        };
        let max_chars = 28usize;
        let label_area =
            ((longest.min(max_chars) as f64 * f64::from(label_px) * 0.6) as u32 + 12).min(w * 2 / 5);
        let mut chart = ChartBuilder::on(area)
            .margin(theme.margin)
            .x_label_area_size(label_px * 3)
            .y_label_area_size(label_area)
            .build_cartesian_2d(y_lo..y_hi, (n_cats as f64 - 0.5)..-0.5)
            .map_err(plot_err)?;
        let y_label = |v: &f64| cat_label(v, max_chars);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(6)
            .y_labels(n_cats.clamp(1, 40))
            .x_label_formatter(&y_fmt)
            .y_label_formatter(&y_label)
            .x_desc(plot.y_name.as_str())
            .label_style(theme.text(label_px))
            .axis_desc_style(theme.text(label_px))
            .bold_line_style(theme.grid)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(plot_err)?;
        let k = plot.series.len().max(1) as f64;
        let bw = 0.8 / k;
        for (j, s) in plot.series.iter().enumerate() {
            let color = theme.color(j);
            let rects = s.points.iter().map(move |&(x, v)| {
                let y0 = x - 0.4 + j as f64 * bw;
                Rectangle::new([(0.0, y0), (v, y0 + bw * 0.9)], color.filled())
            });
            let anno = chart.draw_series(rects).map_err(plot_err)?;
            if several {
                anno.label(s.name.as_str())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
            }
        }
        if several {
            legend(&mut chart, theme)?;
        }
        return Ok(());
    }

    // Room per x label decides how much of a category name fits.
    let max_chars = ((w as usize / x_labels.max(1)) / (label_px as usize * 6 / 10).max(1)).clamp(4, 20);
    let x_label = |v: &f64| cat_label(v, max_chars);
    let keys = match &time {
        Some(t) => t.points.clone(),
        None => RangedCoordf64::from(x_lo..x_hi).key_points(x_labels),
    };
    let right = plot.has_right();
    let (y_lo, y_hi) = plot.y_range(Some(false));
    let (y2_lo, y2_hi) = if right { plot.y_range(Some(true)) } else { (y_lo, y_hi) };
    let value_axis = (label_px * 5).min(w / 5);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.margin)
        .x_label_area_size(label_px * 3)
        .y_label_area_size(value_axis)
        .right_y_label_area_size(if right { value_axis } else { 0 })
        .build_cartesian_2d(Ticked::new(x_lo..x_hi, keys.clone()), y_lo..y_hi)
        .map_err(plot_err)?
        .set_secondary_coord(Ticked::new(x_lo..x_hi, keys), y2_lo..y2_hi);
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(x_labels)
        .y_labels((h / 60).clamp(3, 8) as usize)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_fmt)
        .x_desc(plot.x_name.as_str())
        .y_desc(plot.y_name.as_str())
        .label_style(theme.text(label_px))
        .axis_desc_style(theme.text(label_px))
        .bold_line_style(theme.grid)
        .light_line_style(WHITE.mix(0.0));
    if kind == ChartKind::Bar {
        mesh.disable_x_mesh();
    }
    mesh.draw().map_err(plot_err)?;
    if right {
        chart
            .configure_secondary_axes()
            .y_labels((h / 60).clamp(3, 8) as usize)
            .y_label_formatter(&y2_fmt)
            .y_desc(plot.y2_name.as_str())
            .label_style(theme.text(label_px))
            .axis_desc_style(theme.text(label_px))
            .draw()
            .map_err(plot_err)?;
    }

    let k = plot.series.len().max(1) as f64;
    for (j, s) in plot.series.iter().enumerate() {
        let color = theme.color(j);
        // The same drawing against either value axis: `draw_series` (left) or `draw_secondary_series` (right).
        macro_rules! draw_on {
            ($draw:ident, $lo:expr, $hi:expr) => {
                match kind {
                    ChartKind::Bar => {
                        let bw = 0.8 / k;
                        let rects = s.points.iter().map(move |&(x, v)| {
                            let x0 = x - 0.4 + j as f64 * bw;
                            Rectangle::new([(x0, 0.0), (x0 + bw * 0.9, v)], color.filled())
                        });
                        chart.$draw(rects).map_err(plot_err)?
                    }
                    ChartKind::Area => {
                        let base = $lo.max(0.0).min($hi);
                        chart
                            .$draw(
                                AreaSeries::new(s.points.iter().copied(), base, color.mix(0.25))
                                    .border_style(color.stroke_width(2)),
                            )
                            .map_err(plot_err)?
                    }
                    ChartKind::Scatter => chart
                        .$draw(s.points.iter().map(move |&p| Circle::new(p, 4, color.mix(0.8).filled())))
                        .map_err(plot_err)?,
                    _ => {
                        // Markers help short series (a few months) read as data points.
                        if s.points.len() <= 40 {
                            chart
                                .$draw(s.points.iter().map(move |&p| Circle::new(p, 3, color.filled())))
                                .map_err(plot_err)?;
                        }
                        chart
                            .$draw(LineSeries::new(s.points.iter().copied(), color.stroke_width(2)))
                            .map_err(plot_err)?
                    }
                }
            };
        }
        let anno = if s.right {
            draw_on!(draw_secondary_series, y2_lo, y2_hi)
        } else {
            draw_on!(draw_series, y_lo, y_hi)
        };
        if several {
            anno.label(s.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
    }
    if several {
        legend(&mut chart, theme)?;
    }
    Ok(())
}

/// A numeric axis whose ticks are given (calendar boundaries on a time axis) rather than chosen by plotters;
/// its labels always come from the chart's label formatter. (plotters' own `WithKeyPoints` over an `f64`
/// range cannot take a label formatter.)
struct Ticked {
    range: RangedCoordf64,
    keys: Vec<f64>,
}

impl Ticked {
    fn new(range: Range<f64>, keys: Vec<f64>) -> Self {
        Ticked { range: range.into(), keys }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light mesh lines are not drawn; bold ones and the labels sit on the given ticks.
        if hint.weight().allow_light_points() { Vec::new() } else { self.keys.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.range()
    }
}

fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    theme: &Theme,
) -> Result<(), ExportError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(theme.grid)
        .label_font(theme.text(theme.label))
        .draw()
        .map_err(plot_err)
}
