//! Exports of inDigital Analytics results to files: CSV, XLSX, PNG, SVG and PDF.
//!
//! **For:** turning an already-computed [`ResultSet`] plus its [`ChartSpec`] (a saved analysis, or each tile of a
//! dashboard) into a file an analyst can share, written atomically so a crash never leaves a half-written file
//! under the requested name. The chart renderers ([`render_chart_svg`], [`render_chart_png`]) are public so the
//! app can reuse them for thumbnails.
//!
//! **Not for:** running queries, reading the store, or deciding what a chart shows: callers hand over results
//! that already passed the tenant guard, and the chart spec the question engine chose. This crate does no
//! network or warehouse I/O, only file writes under the path it is given.
//!
//! Layout: [`ExportFormat`] chooses the writer (`csv.rs`, `xlsx.rs`, `chart/` for PNG/SVG via plotters,
//! `pdf.rs`); the temp-file-and-rename protocol is `inda_core::fs`'s (see [`export`]); `format.rs` holds locale
//! number and date formats and the few translated labels; `file_name.rs` names the file after its content. Failures are [`ExportError`]s inside the crate; the
//! public functions return the boundary `inda_core::Error`, converted once (`From<ExportError>`).

#![warn(missing_docs)]

mod chart;
mod csv;
mod error;
mod file_name;
mod format;
mod pdf;
mod xlsx;

use inda_core::{Caveat, ChartSpec, Error, ResultSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use error::ExportError;
pub use file_name::{MAX_STEM_CHARS, Subject, export_file_name};
pub use format::{Lang, inert};

/// Most rows of one item a PDF prints: past them its table ends with a note saying how many rows were left
/// out and that XLSX holds them all. A PDF of 5,000 rows is already about a hundred pages.
pub const MAX_PDF_ROWS: usize = 5_000;

/// The file formats an export can produce. On the wire (the UI's `to`, `inda export --to`) by name: `csv`,
/// `xlsx`, `png`, `svg` or `pdf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180 text, one table per item; plain values (ISO dates, exact decimals) so that it round-trips.
    Csv,
    /// An Excel workbook: a sheet of typed cells per item, plus an "About" sheet (SQL, run time, caveats).
    Xlsx,
    /// The charts as one raster image.
    Png,
    /// The charts as one vector image, drawn as the PNG is.
    Svg,
    /// A4 landscape pages per item: its chart, then its table, continued on further pages (header repeated)
    /// up to [`MAX_PDF_ROWS`] rows.
    Pdf,
}

impl ExportFormat {
    /// Every format; names parse against this list.
    pub const ALL: [ExportFormat; 5] =
        [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf];

    /// The name used on the command line (`csv`, `xlsx`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Png => "png",
            ExportFormat::Svg => "svg",
            ExportFormat::Pdf => "pdf",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The media type of the file (an HTTP download's `Content-Type`).
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Png => "image/png",
            ExportFormat::Svg => "image/svg+xml",
            ExportFormat::Pdf => "application/pdf",
        }
    }

    /// What the kind of file is called (a save dialog's filter).
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Xlsx => "Excel workbook",
            ExportFormat::Png => "PNG image",
            ExportFormat::Svg => "SVG image",
            ExportFormat::Pdf => "PDF document",
        }
    }
}

/// By name, as [`FromStr`] reads it (any case, surrounding spaces ignored).
impl<'de> serde::Deserialize<'de> for ExportFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <String as serde::Deserialize>::deserialize(d)?;
        name.parse().map_err(|e: Error| serde::de::Error::custom(e.message))
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase();
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| ExportError::UnknownFormat(s.to_string()).into())
    }
}

/// One thing to export: a saved analysis, or one tile of a dashboard.
#[derive(Debug, Clone, Copy)]
pub struct ExportItem<'a> {
    /// The analysis's or tile's name: the CSV title line (several items), the sheet name, the PDF heading,
    /// and the chart's title when its spec has none.
    pub title: &'a str,
    /// The rows to write, as computed (and guarded) before: an export runs no query.
    pub result: &'a ResultSet,
    /// How to draw the result (PNG, SVG, PDF); every column it names must exist in `result`.
    pub chart: &'a ChartSpec,
    /// The SQL that ran (shown in the XLSX "About" sheet).
    pub sql: &'a str,
    /// ISO timestamp of the run the result comes from.
    pub as_of: &'a str,
    /// What the reader must know to read the numbers right (a period still running, a cut result): listed on the
    /// PDF page and in the XLSX "About" sheet, and a partial period's PDF cell is marked. `&[]` when there are none.
    pub caveats: &'a [Caveat],
}

/// How to render. `width`/`height` are the chart image size in pixels (per item; a dashboard image tiles them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Language of the labels and of the number and date formats shown (XLSX, PDF, charts); CSV stays
    /// locale-free.
    pub lang: Lang,
    /// Start CSV files with a UTF-8 byte order mark so Excel detects the encoding.
    pub csv_bom: bool,
    /// 100 to 8000 pixels. A dashboard image is this wide too, two tiles across.
    pub width: u32,
    /// 100 to 8000 pixels. A dashboard image stacks rows of tiles half this high, under a title band.
    pub height: u32,
    /// The filters the results were computed with (a dashboard's), one line each, already worded in `lang`
    /// (`Channel: WhatsApp, SMS`): printed under the title of every PDF page and in the XLSX "About" sheet.
    /// CSV stays data only. Empty when nothing was filtered.
    pub filters: Vec<String>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { lang: Lang::En, csv_bom: false, width: 1200, height: 675, filters: Vec::new() }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The file written: the `out` that was asked for.
    pub path: PathBuf,
    /// Data rows written over all items (for images: rows the charts were drawn from).
    pub rows: usize,
    /// Size of the file, in bytes.
    pub bytes: u64,
}

/// A day as the exports print it in `lang`: `Dec 2, 2026`, `2 dic 2026` (the caller's own lines, such as a
/// dashboard's date filter, read like the rest of the file).
pub fn localized_date(d: chrono::NaiveDate, lang: Lang) -> String {
    format::date(d, lang)
}

/// Largest image side we agree to render; beyond this a typo (`--width 120000`) would allocate gigabytes.
const MAX_SIDE: u32 = 8000;

/// Writes `items` (one for an analysis, several for a dashboard) to `out` ATOMICALLY: render into a temp file
/// in the same directory (unique name), fsync, then rename over `out`; on any error or panic no file is left
/// under `out` and the temp file is removed. A process killed mid-export leaves at most a temp file named
/// `.<out-name>.tmp-*`, never a half-written `out`.
///
/// Several items: CSV writes each item's title on its own line, then its table, with an empty line between
/// items; XLSX writes a sheet per item; PNG/SVG draw one image with the charts in a 2-column grid; PDF starts
/// a page per item, and its table goes on over as many pages as its rows need.
pub fn export(
    items: &[ExportItem],
    format: ExportFormat,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, Error> {
    export_titled(None, items, format, out, opts)
}

/// [`export`] with a document title (a dashboard's name): shown above a dashboard image, on the PDF pages and in
/// the XLSX "About" sheet.
pub fn export_titled(
    doc_title: Option<&str>,
    items: &[ExportItem],
    format: ExportFormat,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, Error> {
    if items.is_empty() {
        return Err(ExportError::Nothing.into());
    }
    check_size(opts)?;
    let rows: usize = items.iter().map(|i| i.result.rows.len()).sum();
    let bytes = write_file(out, |file| match format {
        ExportFormat::Csv => csv::write_csv(items, opts, file),
        ExportFormat::Xlsx => xlsx::write_xlsx(doc_title, items, opts, file),
        ExportFormat::Png => {
            let png = chart::render_items_png(doc_title, items, opts)?;
            write_all(file, &png)
        }
        ExportFormat::Svg => {
            let svg = chart::render_items_svg(doc_title, items, opts)?;
            write_all(file, svg.as_bytes())
        }
        ExportFormat::Pdf => pdf::write_pdf(doc_title, items, opts, file),
    })?;
    Ok(ExportReport { path: out.to_path_buf(), rows, bytes })
}

/// Checks `out`, then runs `render` against a fresh temp file and moves the result to `out` with
/// [`inda_core::fs::write_atomic_with`]. Returns the bytes written. A panic inside `render` becomes an
/// `internal` error, and the temp file is removed.
fn write_file(out: &Path, render: impl FnOnce(&mut File) -> Result<(), ExportError>) -> Result<u64, Error> {
    if out.file_name().is_none() {
        return Err(ExportError::NoFileName(out.to_path_buf()).into());
    }
    if out.is_dir() {
        return Err(ExportError::IsDirectory(out.to_path_buf()).into());
    }
    inda_core::fs::write_atomic_with(out, |file| {
        catch_panics("rendering", || render(file))?;
        let written = file.metadata().map_err(ExportError::ReadBack)?;
        Ok(written.len())
    })
}

/// Writes a whole buffer.
pub(crate) fn write_all(file: &mut File, bytes: &[u8]) -> Result<(), ExportError> {
    file.write_all(bytes).map_err(ExportError::Write)
}

/// Chart rendering used by png/svg/pdf (also used later for thumbnails): an SVG document.
pub fn render_chart_svg(item: &ExportItem, opts: &ExportOptions) -> Result<String, Error> {
    check_size(opts)?;
    Ok(catch_panics("rendering the chart", || {
        chart::render_items_svg(None, std::slice::from_ref(item), opts)
    })?)
}

/// Chart rendering used by png/svg/pdf: PNG bytes of `opts.width` × `opts.height` pixels.
pub fn render_chart_png(item: &ExportItem, opts: &ExportOptions) -> Result<Vec<u8>, Error> {
    check_size(opts)?;
    Ok(catch_panics("rendering the chart", || {
        chart::render_items_png(None, std::slice::from_ref(item), opts)
    })?)
}

/// Runs `f`, turning a panic (a renderer bug on odd data) into an `internal` error so one bad chart does not
/// take the whole process down.
pub(crate) fn catch_panics<T>(
    context: &'static str,
    f: impl FnOnce() -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(ExportError::Panicked { context, what })
        }
    }
}

fn check_size(opts: &ExportOptions) -> Result<(), ExportError> {
    let ok = |v: u32| (100..=MAX_SIDE).contains(&v);
    if ok(opts.width) && ok(opts.height) {
        Ok(())
    } else {
        Err(ExportError::ImageSize { width: opts.width, height: opts.height })
    }
}
