//! CSV per RFC 4180, written by the `csv` crate: CRLF line endings, a header row of column names (a money
//! column's with its currency, `revenue (COP)`), fields quoted only when they hold a comma, a double quote, CR or
//! LF (quotes doubled), and a record of one empty field written as `""` so that it is not an empty line, which
//! readers skip. Values are `Value::to_text` (ISO dates, exact decimals, empty for NULL) so the file round-trips
//! into any tool; locale formats would make `1.234` ambiguous. Text a spreadsheet would run as a formula (`=…`, `+…`,
//! `-…`, `@…`, tab, CR) starts with a `'` (OWASP's advice on CSV injection); numbers stay numbers.
//!
//! Several items (a dashboard): each item is written as a line holding only its title, then its header and
//! rows; items are separated by one empty line. An optional UTF-8 BOM lets Excel detect the encoding.

use crate::ExportError;
use crate::ExportItem;
use crate::ExportOptions;
use crate::format::{header, inert};
use std::fs::File;
use std::io::Write;

pub(crate) fn write_csv(
    items: &[ExportItem],
    opts: &ExportOptions,
    file: &mut File,
) -> Result<(), ExportError> {
    write_items(items, opts, file).map_err(ExportError::Csv)
}

fn write_items(items: &[ExportItem], opts: &ExportOptions, out: &mut impl Write) -> ::csv::Result<()> {
    if opts.csv_bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let several = items.len() > 1;
    let mut buf = String::new();
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            // The empty line between items is not a record (a record would be `""`): it goes past the writer.
            out.write_all(b"\r\n")?;
        }
        // Flexible: a title line is one field.
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_writer(&mut *out);
        if several {
            w.write_record([inert(item.title).as_ref()])?;
        }
        w.write_record(item.result.columns.iter().map(|c| inert(&header(c)).into_owned()))?;
        for row in &item.result.rows {
            for v in row {
                // Reuse one buffer: avoids an allocation per cell on 100k-row exports.
                buf.clear();
                append_text(&mut buf, v);
                w.write_field(&buf)?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()?;
    }
    Ok(())
}

/// `Value::to_text` into a reused buffer; the common scalar cases skip the intermediate String.
fn append_text(buf: &mut String, v: &inda_core::Value) {
    use inda_core::Value;
    use std::fmt::Write as _;
    match v {
        Value::Null => {}
        Value::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        // A name like `=HYPERLINK(…)` must not become a live formula in whoever opens the file.
        Value::Text(s) => buf.push_str(&inert(s)),
        other => buf.push_str(&other.to_text()),
    }
}
