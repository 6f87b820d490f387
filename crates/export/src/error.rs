//! What can go wrong in an export, and the one place each failure gets its boundary code.

use inda_core::Error;
use std::path::PathBuf;

/// Why an export (or a chart rendering) failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A format name (`--to`, the UI's `to`) that is none of `csv`, `xlsx`, `png`, `svg`, `pdf`, as given.
    #[error("unknown export format '{0}': choose one of csv, xlsx, png, svg, pdf")]
    UnknownFormat(String),
    /// [`export`](crate::export) was given no item.
    #[error("nothing to export: no analysis or dashboard tile given")]
    Nothing,
    /// The target path names no file (it ends in `..`, or is a root).
    #[error("export target '{}' has no file name", .0.display())]
    NoFileName(PathBuf),
    /// The target path is an existing directory.
    #[error("export target '{}' is a directory", .0.display())]
    IsDirectory(PathBuf),
    /// The image width or height is outside 100 to 8000 pixels; a typo would otherwise allocate gigabytes.
    #[error(
        "image size {width}x{height} is out of range: width and height must be between 100 and {} pixels",
        crate::MAX_SIDE
    )]
    ImageSize {
        /// The width asked for, in pixels.
        width: u32,
        /// The height asked for, in pixels.
        height: u32,
    },
    /// An item has more rows than an Excel sheet holds (`max`).
    #[error("'{title}' has {rows} rows, more than an Excel sheet holds ({max}); export it as CSV")]
    TooManyRows {
        /// The item's title.
        title: String,
        /// The item's rows.
        rows: usize,
        /// Data rows a sheet holds: Excel's 1,048,576 less the header.
        max: usize,
    },
    /// The chart spec names a column (x, y or series) its result lacks: a stale spec, say, after the SQL
    /// changed.
    #[error("the chart of '{title}' refers to column '{column}', which its result does not have")]
    UnknownColumn {
        /// The item's title.
        title: String,
        /// The column the spec names.
        column: String,
    },

    /// Writing the temp file failed (a full disk, say); nothing is left under the target.
    #[error("cannot write the export: {0}")]
    Write(std::io::Error),
    /// The finished temp file's size, for the report, could not be read.
    #[error("cannot read back the export: {0}")]
    ReadBack(std::io::Error),
    /// The CSV writer failed, mostly on writing the file.
    #[error("cannot write the CSV export: {0}")]
    Csv(::csv::Error),
    /// rust_xlsxwriter refused a sheet or a cell, or could not write the workbook.
    #[error("cannot write the XLSX export: {0}")]
    Xlsx(rust_xlsxwriter::XlsxError),
    /// Compressing a PDF page's chart image failed.
    #[error("cannot compress the PDF chart image: {0}")]
    Deflate(std::io::Error),
    /// Encoding the chart's pixels as PNG failed.
    #[error("cannot encode the PNG image: {0}")]
    Png(png::EncodingError),
    /// plotters' errors are generic over the drawing backend: kept as their text.
    #[error("chart rendering failed: {0}")]
    Chart(String),
    /// `style` is `regular` or `bold`.
    #[error("bundled {style} font is invalid")]
    InvalidFont {
        /// Which of the two bundled fonts.
        style: &'static str,
    },
    /// A renderer panicked (a bug on odd data); `context` is what the export was doing.
    #[error("export failed while {context}: {what}")]
    Panicked {
        /// `rendering` (an export) or `rendering the chart` (a thumbnail).
        context: &'static str,
        /// The panic's message; `unknown panic` when it was not text.
        what: String,
    },
}

impl From<ExportError> for Error {
    fn from(e: ExportError) -> Self {
        use ExportError as E;
        match e {
            E::UnknownFormat(_)
            | E::Nothing
            | E::NoFileName(_)
            | E::IsDirectory(_)
            | E::ImageSize { .. }
            | E::TooManyRows { .. }
            | E::UnknownColumn { .. } => Error::usage(e.to_string()),
            E::Write(_)
            | E::ReadBack(_)
            | E::Csv(_)
            | E::Xlsx(_)
            | E::Deflate(_)
            | E::Png(_)
            | E::Chart(_)
            | E::InvalidFont { .. }
            | E::Panicked { .. } => Error::internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let e = Error::from(ExportError::ImageSize { width: 50, height: 9000 });
        assert_eq!(e.code, ErrorCode::Usage);
        assert_eq!(
            e.message,
            "image size 50x9000 is out of range: width and height must be between 100 and 8000 pixels"
        );
        let e = Error::from(ExportError::InvalidFont { style: "bold" });
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Internal, "bundled bold font is invalid"));
        let e =
            Error::from(ExportError::TooManyRows { title: "Big".into(), rows: 2_000_000, max: 1_048_575 });
        assert_eq!(
            e.message,
            "'Big' has 2000000 rows, more than an Excel sheet holds (1048575); export it as CSV"
        );
    }
}
