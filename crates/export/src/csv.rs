//! CSV per RFC 4180: CRLF line endings, a header row of column names (a money column's with its currency,
//! `revenue (COP)`), fields quoted when they hold a comma,
//! a double quote, CR or LF (quotes doubled). Values are `Value::to_text` (ISO dates, exact decimals, empty for
//! NULL) so the file round-trips into any tool; locale formats would make `1.234` ambiguous.
//!
//! Several items (a dashboard): each item is written as a line holding only its title, then its header and
//! rows; items are separated by one empty line. An optional UTF-8 BOM lets Excel detect the encoding.

use crate::ExportItem;
use crate::ExportOptions;
use inda_core::Error;
use std::fs::File;
use std::io::{BufWriter, Write};

pub(crate) fn write_csv(items: &[ExportItem], opts: &ExportOptions, file: &mut File) -> Result<(), Error> {
    let mut w = BufWriter::with_capacity(1 << 16, file);
    write_items(items, opts, &mut w)
        .map_err(|e| Error::internal(format!("cannot write the CSV export: {e}")))?;
    w.flush().map_err(|e| Error::internal(format!("cannot write the CSV export: {e}")))
}

fn write_items(items: &[ExportItem], opts: &ExportOptions, w: &mut impl Write) -> std::io::Result<()> {
    if opts.csv_bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let several = items.len() > 1;
    let mut buf = String::new();
    for (n, item) in items.iter().enumerate() {
        if several {
            if n > 0 {
                w.write_all(b"\r\n")?;
            }
            write_field(w, item.title)?;
            w.write_all(b"\r\n")?;
        }
        let header: Vec<String> = item.result.columns.iter().map(crate::format::header).collect();
        write_record(w, header.iter().map(String::as_str))?;
        for row in &item.result.rows {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                // Reuse one buffer: avoids an allocation per cell on 100k-row exports.
                buf.clear();
                append_text(&mut buf, v);
                if buf.is_empty() && row.len() == 1 {
                    // A lone empty field would be an empty line, which readers skip; quote it so the row stays.
                    w.write_all(b"\"\"")?;
                } else {
                    write_field(w, &buf)?;
                }
            }
            w.write_all(b"\r\n")?;
        }
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
        Value::Text(s) => buf.push_str(s),
        other => buf.push_str(&other.to_text()),
    }
}

fn write_record<'a>(w: &mut impl Write, fields: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_field(w, f)?;
    }
    w.write_all(b"\r\n")
}

fn write_field(w: &mut impl Write, field: &str) -> std::io::Result<()> {
    if field.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        w.write_all(b"\"")?;
        w.write_all(field.replace('"', "\"\"").as_bytes())?;
        w.write_all(b"\"")
    } else {
        w.write_all(field.as_bytes())
    }
}
