//! RAW: validation of API records and the Parquet files of committed pages.
//!
//! A RAW file holds one page of one entity for one tenant: the Snowflake RAW columns (`_tenant_id`,
//! `_loaded_at`, `_source_data` = the record as received, JSON text) plus `_seq` (the page's commit sequence,
//! which orders loads) and the record's fields extracted and typed at validation time. The embedded engine
//! has no JSON functions, so extracting here keeps the STAGING step plain SQL over typed columns.

use crate::SyncError;
use crate::entity::{Entity, Field, Kind};
use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Array, StringArray,
    StringBuilder, TimestampMicrosecondArray, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field as ArrowField, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use inda_core::marts;
use inda_warehouse::clustered::ClusteredWriter;
use inda_warehouse::encryption::{self, WarehouseKey};
use parquet::arrow::ArrowWriter;
use serde_json::Value;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

/// Timestamps in API records: ISO 8601 without a zone, microseconds.
pub const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// Microseconds since the epoch (UTC) as [`TS_FORMAT`] text, as `updated_since` sends it; empty when the
/// value is outside chrono's range.
pub fn format_ts(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|d| d.naive_utc().format(TS_FORMAT).to_string())
        .unwrap_or_default()
}

/// An API timestamp (`T` or a space between date and time, any fraction, an optional trailing `Z`, no
/// other zone) as microseconds since the epoch; `None` when it does not parse.
pub fn parse_ts(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
        .map(|d| d.and_utc().timestamp_micros())
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Arrow's Date32).
pub fn parse_date(s: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    i32::try_from((date - NaiveDate::default()).num_days()).ok()
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn format_date(days: i32) -> String {
    (NaiveDate::default() + chrono::TimeDelta::days(i64::from(days))).format("%Y-%m-%d").to_string()
}

/// Exact decimal parsing of `-12.3400` into unscaled units of `scale`; `None` when malformed or too precise.
pub fn parse_decimal(text: &str, precision: u8, scale: i8) -> Option<i128> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = scale as usize;
    let frac = frac.trim_end_matches('0');
    if frac.len() > scale {
        return None;
    }
    let mut v: i128 = 0;
    for b in int.bytes().chain(frac.bytes()).chain(std::iter::repeat_n(b'0', scale - frac.len())) {
        v = v.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    if v >= 10i128.pow(u32::from(precision)) {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Formats unscaled decimal units as text (`-12.34`).
pub fn format_decimal(v: i128, scale: i8) -> String {
    let scale = scale as u32;
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let p = p as u128;
    if scale == 0 {
        format!("{sign}{a}")
    } else {
        format!("{sign}{}.{:0w$}", a / p, a % p, w = scale as usize)
    }
}

fn arrow_type(kind: Kind) -> DataType {
    match kind {
        Kind::Str => DataType::Utf8,
        Kind::Ts => DataType::Timestamp(TimeUnit::Microsecond, None),
        Kind::Date => DataType::Date32,
        Kind::Bool => DataType::Boolean,
        Kind::Dec(p, s) => DataType::Decimal128(p, s),
    }
}

/// The Arrow schema of an entity's RAW files.
pub fn raw_schema(entity: Entity) -> SchemaRef {
    let mut fields = vec![
        ArrowField::new("_tenant_id", DataType::Utf8, false),
        ArrowField::new("_loaded_at", DataType::Timestamp(TimeUnit::Microsecond, None), false),
        ArrowField::new("_seq", DataType::Int64, false),
        ArrowField::new("_source_data", DataType::Utf8, false),
    ];
    fields.extend(entity.fields().iter().map(|f| ArrowField::new(f.name, arrow_type(f.kind), true)));
    Arc::new(Schema::new(fields))
}

/// The ordering key of a record in the API (`updated_at`, `id`): what watermarks and cursors compare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RecordKey {
    /// `updated_at` (`created_at` for records without one), in microseconds since the epoch. Compared
    /// first.
    pub updated_us: i64,
    /// The record's `id`: orders records updated in the same microsecond.
    pub id: String,
}

/// One page, validated.
pub struct Validated {
    /// `None` when no record was valid.
    pub batch: Option<RecordBatch>,
    /// Valid records: the rows of `batch`.
    pub loaded: usize,
    /// Invalid records, left out of `batch`.
    pub rejected: usize,
    /// Why records were rejected (at most a few reasons kept): the first 5, as `<entity> <id>: <why>`.
    pub reasons: Vec<String>,
    /// The largest (`updated_at`, `id`) among valid records.
    pub max_key: Option<RecordKey>,
}

enum Col {
    Str(StringBuilder),
    Ts(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Bool(BooleanBuilder),
    Dec(Decimal128Builder, u8, i8),
}

impl Col {
    fn new(kind: Kind, n: usize) -> Col {
        match kind {
            Kind::Str => Col::Str(StringBuilder::with_capacity(n, n * 16)),
            Kind::Ts => Col::Ts(TimestampMicrosecondBuilder::with_capacity(n)),
            Kind::Date => Col::Date(Date32Builder::with_capacity(n)),
            Kind::Bool => Col::Bool(BooleanBuilder::with_capacity(n)),
            Kind::Dec(p, s) => Col::Dec(Decimal128Builder::with_capacity(n), p, s),
        }
    }
    fn finish(self) -> Result<ArrayRef, SyncError> {
        Ok(match self {
            Col::Str(mut b) => Arc::new(b.finish()),
            Col::Ts(mut b) => Arc::new(b.finish()),
            Col::Date(mut b) => Arc::new(b.finish()),
            Col::Bool(mut b) => Arc::new(b.finish()),
            Col::Dec(b, p, s) => {
                let mut b = b;
                Arc::new(b.finish().with_precision_and_scale(p, s).map_err(|source| SyncError::Decimal {
                    precision: p,
                    scale: s,
                    source,
                })?)
            }
        })
    }
    fn len(&self) -> usize {
        match self {
            Col::Str(b) => b.len(),
            Col::Ts(b) => b.len(),
            Col::Date(b) => b.len(),
            Col::Bool(b) => b.len(),
            Col::Dec(b, ..) => b.len(),
        }
    }
}

/// A field's value, typed; `Err` says why the record is invalid.
enum Typed<'a> {
    Null,
    Str(&'a str),
    Ts(i64),
    Date(i32),
    Bool(bool),
    Dec(i128),
}

fn typed<'a>(field: &Field, v: Option<&'a Value>) -> Result<Typed<'a>, String> {
    let v = match v {
        None | Some(Value::Null) => {
            return if field.required {
                Err(format!("`{}` is missing", field.name))
            } else {
                Ok(Typed::Null)
            };
        }
        Some(v) => v,
    };
    let bad = || format!("`{}` is not a valid {:?}", field.name, field.kind);
    match field.kind {
        Kind::Str => match v {
            Value::String(s) if !(field.required && s.is_empty()) => Ok(Typed::Str(s)),
            _ => Err(bad()),
        },
        Kind::Ts => v.as_str().and_then(parse_ts).map(Typed::Ts).ok_or_else(bad),
        Kind::Date => v.as_str().and_then(parse_date).map(Typed::Date).ok_or_else(bad),
        Kind::Bool => v.as_bool().map(Typed::Bool).ok_or_else(bad),
        Kind::Dec(p, s) => {
            let text = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                _ => return Err(bad()),
            };
            parse_decimal(&text, p, s).map(Typed::Dec).ok_or_else(bad)
        }
    }
}

/// Validates the records of one page and builds the RAW batch of the valid ones.
pub fn validate(
    entity: Entity,
    tenant: &str,
    seq: i64,
    loaded_us: i64,
    records: &[Value],
) -> Result<Validated, SyncError> {
    let fields = entity.fields();
    let n = records.len();
    let mut cols: Vec<Col> = fields.iter().map(|f| Col::new(f.kind, n)).collect();
    let mut source = StringBuilder::with_capacity(n, n * 256);
    let mut out = Validated { batch: None, loaded: 0, rejected: 0, reasons: Vec::new(), max_key: None };
    let mut row: Vec<Typed> = Vec::with_capacity(fields.len());
    for rec in records {
        row.clear();
        let checked: Result<(), String> = match rec.as_object() {
            None => Err("the record is not a JSON object".into()),
            Some(obj) => fields.iter().try_for_each(|f| typed(f, obj.get(f.name)).map(|t| row.push(t))),
        };
        if let Err(why) = checked {
            out.rejected += 1;
            if out.reasons.len() < 5 {
                let id = rec.get("id").and_then(Value::as_str).unwrap_or("?");
                out.reasons.push(format!("{entity} {id}: {why}"));
            }
            continue;
        }
        let mut id = "";
        let mut updated = None;
        let mut created = None;
        for ((field, col), value) in fields.iter().zip(cols.iter_mut()).zip(row.iter()) {
            match (col, value) {
                (Col::Str(b), Typed::Str(s)) => {
                    if field.name == "id" {
                        id = s;
                    }
                    b.append_value(s)
                }
                (Col::Str(b), Typed::Null) => b.append_null(),
                (Col::Ts(b), Typed::Ts(t)) => {
                    match field.name {
                        "updated_at" => updated = Some(*t),
                        "created_at" => created = Some(*t),
                        _ => {}
                    }
                    b.append_value(*t)
                }
                (Col::Ts(b), Typed::Null) => b.append_null(),
                (Col::Date(b), Typed::Date(d)) => b.append_value(*d),
                (Col::Date(b), Typed::Null) => b.append_null(),
                (Col::Bool(b), Typed::Bool(v)) => b.append_value(*v),
                (Col::Bool(b), Typed::Null) => b.append_null(),
                (Col::Dec(b, ..), Typed::Dec(v)) => b.append_value(*v),
                (Col::Dec(b, ..), Typed::Null) => b.append_null(),
                _ => return Err(SyncError::TypeMismatch),
            }
        }
        if let Some(updated_us) = updated.or(created) {
            let key = RecordKey { updated_us, id: id.to_string() };
            if out.max_key.as_ref().is_none_or(|m| key > *m) {
                out.max_key = Some(key);
            }
        }
        source.append_value(rec.to_string());
        out.loaded += 1;
    }
    let loaded = out.loaded;
    if loaded == 0 {
        return Ok(out);
    }
    debug_assert!(cols.iter().all(|c| c.len() == loaded));
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(tenant, loaded))),
        Arc::new(TimestampMicrosecondArray::from(vec![loaded_us; loaded])),
        Arc::new(Int64Array::from(vec![seq; loaded])),
        Arc::new(source.finish()),
    ];
    for c in cols {
        arrays.push(c.finish()?);
    }
    let batch = RecordBatch::try_new(raw_schema(entity), arrays)
        .map_err(|source| SyncError::RawBatch { entity, source })?;
    out.batch = Some(batch);
    Ok(out)
}

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> SyncError {
    move |source| SyncError::Io { action, path: path.to_path_buf(), source }
}

fn parquet_error(
    path: &Path,
    action: &'static str,
) -> impl FnOnce(parquet::errors::ParquetError) -> SyncError {
    move |source| SyncError::Parquet { action, path: path.to_path_buf(), source }
}

/// Writes batches to a Parquet file and syncs it to disk (the caller publishes it afterwards).
pub fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    batches: &[RecordBatch],
    key: Option<&WarehouseKey>,
) -> Result<(), SyncError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error(dir, "create"))?;
    }
    // Owner-only: tenant data in the data dir.
    let mut file = inda_core::fs::create_private(path).map_err(io_error(path, "create"))?;
    write_parquet_into(path, &mut file, schema, batches, key, None)?;
    file.sync_all().map_err(io_error(path, "sync"))
}

/// Writes `path` atomically with [`inda_core::fs::write_private_with`] (owner-only): a sibling temp file (`.<name>.tmp-*`,
/// not ending in `.parquet`, so readers of the directory never see it), synced, then renamed over the target.
/// A marts table (`mart`) is written clustered, with its key's proof when its rows hold no key twice.
pub fn write_parquet_atomic(
    path: &Path,
    schema: SchemaRef,
    batches: &[RecordBatch],
    key: Option<&WarehouseKey>,
    mart: Option<&marts::Table>,
) -> Result<(), SyncError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error(dir, "create"))?;
    }
    // `write_private_with` takes the boundary error; it comes back unchanged as `SyncError::Write`.
    // Owner-only: tenant data in the data dir.
    inda_core::fs::write_private_with(path, |file| {
        Ok(write_parquet_into(path, file, schema, batches, key, mart)?)
    })
    .map_err(SyncError::Write)
}

/// The Parquet encoding of `batches` into `file` (flushed, not synced), each row group of one value of the
/// marts table's cluster column when it has one (`inda_warehouse::clustered`), with the proof of its key
/// when it holds (`unique_key.rs` there); `path` names it in errors.
fn write_parquet_into(
    path: &Path,
    file: &mut File,
    schema: SchemaRef,
    batches: &[RecordBatch],
    key: Option<&WarehouseKey>,
    mart: Option<&marts::Table>,
) -> Result<(), SyncError> {
    let props = encryption::writer_properties(key).map_err(SyncError::Write)?;
    let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, file), schema.clone(), Some(props))
        .map_err(parquet_error(path, "start writing"))?;
    let mut writer = ClusteredWriter::new(writer, schema, mart.and_then(|m| m.cluster))
        .with_key(mart.map_or(&[], |m| m.key.as_slice()));
    for b in batches {
        writer.write(b).map_err(parquet_error(path, "write"))?;
    }
    let writer = writer.into_writer().map_err(parquet_error(path, "finish"))?;
    let buffered = writer.into_inner().map_err(parquet_error(path, "finish"))?;
    buffered.into_inner().map_err(|e| io_error(path, "flush")(e.into_error()))?;
    Ok(())
}
