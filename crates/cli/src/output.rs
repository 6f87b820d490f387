//! Printing results: aligned tables for people, JSON and CSV for programs.

use inda_app::Answer;
use inda_core::{Error, Value};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// With JSON, errors go to stdout as `{"error": {...}}`; otherwise one line on stderr.
pub fn print_error(e: &Error, format: Format) {
    if format == Format::Json {
        let doc = serde_json::json!({"error": {"code": e.code.as_str(), "message": e.message}});
        println!("{doc}");
    } else {
        eprintln!("error: {}", e.message.lines().next().unwrap_or("failed"));
    }
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::internal(format!("cannot print JSON: {e}")))?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = writeln!(out, "{text}");
    Ok(())
}

pub fn print_answer(answer: &Answer, format: Format) -> Result<(), Error> {
    match format {
        Format::Json => print_json(answer),
        Format::Csv => {
            let header = answer.columns.iter().map(|c| c.name.as_str());
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = write_csv(header, &answer.rows, std::io::stdout().lock());
            Ok(())
        }
        Format::Table => {
            let mut out = std::io::stdout().lock();
            if let Some(summary) = &answer.summary {
                let _ = writeln!(out, "{summary}\n");
            }
            let headers: Vec<String> = answer.columns.iter().map(|c| c.name.clone()).collect();
            let rows: Vec<Vec<String>> =
                answer.rows.iter().map(|r| r.iter().map(display).collect()).collect();
            let _ = write!(out, "{}", table(&headers, &rows));
            let _ = writeln!(
                out,
                "({} row{}{}, {} ms, {})",
                answer.row_count,
                if answer.row_count == 1 { "" } else { "s" },
                if answer.truncated { ", truncated" } else { "" },
                answer.elapsed_ms,
                answer.engine
            );
            Ok(())
        }
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Timestamp(t) if t.time() == chrono::NaiveTime::MIN => t.date().format("%Y-%m-%d").to_string(),
        Value::Float(f) => {
            let s = format!("{f:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        other => other.to_text(),
    }
}

/// CSV by the `csv` crate: RFC 4180 quoting only where needed (a comma, a double quote, CR or LF), lines
/// ending in `\n` like the rest of the output. Values as `Value::to_text` (empty for NULL).
fn write_csv<'a>(
    header: impl IntoIterator<Item = &'a str>,
    rows: &[Vec<Value>],
    out: impl Write,
) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.iter().map(Value::to_text))?;
    }
    w.flush()?;
    Ok(())
}

pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count().min(60));
            }
        }
    }
    let mut s = String::new();
    let line = |cells: &[String], s: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c: String = c.chars().take(60).collect();
                let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(c.chars().count());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        s.push_str(parts.join("  ").trim_end());
        s.push('\n');
    };
    line(headers, &mut s);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &mut s);
    for row in rows {
        line(row, &mut s);
    }
    s
}

/// The audit entries as CSV for compliance: one row per entry, the client and where it came from in their own
/// columns, the rest of the details as JSON. Text cells are made inert (`=…` cannot run in a spreadsheet).
pub fn audit_csv(entries: &[inda_app::AuditRecord]) -> Result<Vec<u8>, Error> {
    const COLUMNS: [&str; 12] = [
        "seq",
        "log_id",
        "created_at",
        "tenant_id",
        "user_id",
        "action",
        "outcome",
        "client",
        "remote_addr",
        "user_agent",
        "request_id",
        "details",
    ];
    let detail = |e: &inda_app::AuditRecord, key: &str| {
        e.details.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string()
    };
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let fail = |e: csv::Error| Error::internal(format!("cannot write CSV: {e}"));
    w.write_record(COLUMNS).map_err(fail)?;
    for e in entries {
        let cells = [
            e.seq.to_string(),
            e.log_id.clone(),
            e.created_at.clone(),
            e.tenant_id.clone(),
            e.user_id.clone(),
            e.action.to_string(),
            e.outcome.to_string(),
            detail(e, "client"),
            detail(e, "remote_addr"),
            detail(e, "user_agent"),
            detail(e, "request_id"),
            e.details.to_string(),
        ];
        w.write_record(cells.iter().map(|c| inda_app::inert(c).into_owned())).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::internal(format!("cannot write CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_quoted_only_where_needed_with_lf_line_ends() {
        let rows = vec![
            vec![Value::Text("plain".into()), Value::Int(42), Value::Null],
            vec![
                Value::Text("a,b".into()),
                Value::Text("say \"hi\"".into()),
                Value::Text("two\nlines\r".into()),
            ],
            vec![Value::Text(" spaced ".into()), Value::Float(1.5), Value::Text(String::new())],
        ];
        let mut out = Vec::new();
        write_csv(["channel", "sent, total", "note"], &rows, &mut out).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            concat!(
                "channel,\"sent, total\",note\n",
                "plain,42,\n",
                "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\r\"\n",
                " spaced ,1.5,\n",
            )
        );
    }
}
