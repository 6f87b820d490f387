//! Snowflake's answer (rowtype + Arrow batches in Snowflake's encoding) to the product's typed
//! [`ResultSet`].
//!
//! Snowflake's Arrow is not plain Arrow: each field's metadata carries the logical type (`logicalType`,
//! `scale`), NUMBER arrives as integers to be scaled (or as Decimal128), and timestamps as integers or as
//! `{epoch, fraction[, timezone]}` structs. All timestamps become UTC: TIMESTAMP_NTZ as written,
//! TIMESTAMP_LTZ and TIMESTAMP_TZ as the instant they denote.

use crate::SnowflakeError;
use crate::protocol::{Answer, RowType};
use arrow_array::cast::AsArray;
use arrow_array::types as at;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Field};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use inda_core::{Column, ResultSet, Value};

/// Unquoted identifiers fold to upper case in Snowflake: `AS revenue` comes back as `REVENUE`. A name
/// without any lower-case letter is folded back, so answers look the same on both engines; a quoted
/// mixed-case alias stays exactly as written.
pub(crate) fn column_name(name: &str) -> String {
    if name.chars().any(|c| c.is_lowercase()) { name.to_string() } else { name.to_lowercase() }
}

/// Product type name of a Snowflake column.
fn type_name(kind: &str, precision: Option<i64>, scale: i64) -> String {
    match kind {
        "fixed" if scale == 0 => "BIGINT".into(),
        "fixed" => format!("DECIMAL({},{scale})", precision.filter(|p| *p > 0).unwrap_or(38)),
        "real" => "DOUBLE".into(),
        "text" => "VARCHAR".into(),
        "boolean" => "BOOLEAN".into(),
        "date" => "DATE".into(),
        "timestamp_ntz" | "timestamp_ltz" | "timestamp_tz" => "TIMESTAMP".into(),
        "variant" | "object" | "array" => "JSON".into(),
        "time" => "TIME".into(),
        "binary" => "BINARY".into(),
        other => other.to_uppercase(),
    }
}

/// The logical type of one result column: from the Arrow field's metadata when there is a batch, else
/// from the rowtype (an empty result has no batch but still has its columns).
#[derive(Debug, Clone)]
struct Logical {
    kind: String,
    precision: Option<i64>,
    scale: i64,
}

fn logical(field: Option<&Field>, rowtype: Option<&RowType>) -> Logical {
    let meta = field.map(|f| f.metadata());
    let from_meta = meta.and_then(|m| m.get("logicalType")).map(|t| t.to_ascii_lowercase());
    let kind = from_meta.or_else(|| rowtype.map(|r| r.kind.clone())).unwrap_or_else(|| "text".into());
    let scale = meta
        .and_then(|m| m.get("scale"))
        .and_then(|s| s.parse().ok())
        .or_else(|| rowtype.and_then(|r| r.scale))
        .unwrap_or(0);
    let precision = rowtype
        .and_then(|r| r.precision)
        .or_else(|| meta.and_then(|m| m.get("precision")).and_then(|s| s.parse().ok()));
    Logical { kind, precision, scale }
}

/// The answer as a result set of at most `max_rows` rows, refused when its values weigh over `max_bytes`.
pub(crate) fn to_result_set(
    answer: &Answer,
    max_rows: usize,
    max_bytes: usize,
) -> Result<ResultSet, SnowflakeError> {
    let result = rows_of(answer, max_rows)?;
    let bytes: usize = result.rows.iter().flatten().map(inda_core::Value::size_bytes).sum();
    if bytes > max_bytes {
        return Err(SnowflakeError::ResultTooLarge { max_bytes });
    }
    Ok(result)
}

fn rows_of(answer: &Answer, max_rows: usize) -> Result<ResultSet, SnowflakeError> {
    let schema = answer.batches.first().map(RecordBatch::schema);
    let width = schema.as_ref().map(|s| s.fields().len()).unwrap_or(answer.rowtype.len());
    let logicals: Vec<Logical> =
        (0..width).map(|i| logical(schema.as_ref().map(|s| s.field(i)), answer.rowtype.get(i))).collect();
    let columns = (0..width)
        .map(|i| {
            let name = answer
                .rowtype
                .get(i)
                .map(|r| r.name.clone())
                .or_else(|| schema.as_ref().map(|s| s.field(i).name().clone()))
                .unwrap_or_default();
            let l = &logicals[i];
            Column::new(column_name(&name), type_name(&l.kind, l.precision, l.scale))
        })
        .collect();
    let mut result = ResultSet { columns, rows: Vec::new(), truncated: answer.more };
    if let Some(rows) = &answer.json_rows {
        for row in rows {
            if result.rows.len() == max_rows {
                result.truncated = true;
                break;
            }
            result.rows.push(row.iter().zip(&logicals).map(|(cell, l)| json_cell(cell, l)).collect());
        }
        return Ok(result);
    }
    for batch in &answer.batches {
        let room = max_rows - result.rows.len();
        let n = batch.num_rows().min(room);
        for i in 0..n {
            let row = batch
                .columns()
                .iter()
                .zip(&logicals)
                .map(|(col, l)| cell(col.as_ref(), i, l))
                .collect::<Result<Vec<_>, _>>()?;
            result.rows.push(row);
        }
        if batch.num_rows() > room {
            result.truncated = true;
            break;
        }
    }
    Ok(result)
}

fn int_at(a: &dyn Array, i: usize) -> Option<i128> {
    Some(match a.data_type() {
        DataType::Int8 => a.as_primitive::<at::Int8Type>().value(i).into(),
        DataType::Int16 => a.as_primitive::<at::Int16Type>().value(i).into(),
        DataType::Int32 => a.as_primitive::<at::Int32Type>().value(i).into(),
        DataType::Int64 => a.as_primitive::<at::Int64Type>().value(i).into(),
        DataType::UInt8 => a.as_primitive::<at::UInt8Type>().value(i).into(),
        DataType::UInt16 => a.as_primitive::<at::UInt16Type>().value(i).into(),
        DataType::UInt32 => a.as_primitive::<at::UInt32Type>().value(i).into(),
        DataType::UInt64 => a.as_primitive::<at::UInt64Type>().value(i).into(),
        DataType::Decimal128(_, _) => a.as_primitive::<at::Decimal128Type>().value(i),
        _ => return None,
    })
}

/// `units * 10^-scale` seconds since the epoch.
fn scaled_timestamp(units: i128, scale: i64) -> Option<NaiveDateTime> {
    let scale = u32::try_from(scale.clamp(0, 9)).ok()?;
    let per_second = 10i128.pow(scale);
    let secs = i64::try_from(units.div_euclid(per_second)).ok()?;
    let nanos = u32::try_from(units.rem_euclid(per_second) * 10i128.pow(9 - scale)).ok()?;
    DateTime::from_timestamp(secs, nanos).map(|t| t.naive_utc())
}

fn timestamp(a: &dyn Array, i: usize, l: &Logical) -> Result<Value, SnowflakeError> {
    let t = match a.data_type() {
        DataType::Struct(_) => {
            let s = a.as_struct();
            let epoch = s
                .column_by_name("epoch")
                .and_then(|c| int_at(c.as_ref(), i))
                .ok_or(SnowflakeError::NoEpoch)?;
            match s.column_by_name("fraction").and_then(|c| int_at(c.as_ref(), i)) {
                // {epoch seconds, fraction nanoseconds}
                Some(fraction) => scaled_timestamp(epoch * 1_000_000_000 + fraction, 9),
                // TIMESTAMP_TZ of scale ≤ 3: {epoch in 10^-scale seconds, timezone}
                None => scaled_timestamp(epoch, l.scale),
            }
        }
        DataType::Timestamp(unit, _) => {
            use arrow_schema::TimeUnit;
            let (units, scale) = match unit {
                TimeUnit::Second => (a.as_primitive::<at::TimestampSecondType>().value(i), 0),
                TimeUnit::Millisecond => (a.as_primitive::<at::TimestampMillisecondType>().value(i), 3),
                TimeUnit::Microsecond => (a.as_primitive::<at::TimestampMicrosecondType>().value(i), 6),
                TimeUnit::Nanosecond => (a.as_primitive::<at::TimestampNanosecondType>().value(i), 9),
            };
            scaled_timestamp(units.into(), scale)
        }
        _ => int_at(a, i).and_then(|units| scaled_timestamp(units, l.scale)),
    };
    Ok(t.map(Value::Timestamp).unwrap_or(Value::Null))
}

fn cell(a: &dyn Array, i: usize, l: &Logical) -> Result<Value, SnowflakeError> {
    if a.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match (l.kind.as_str(), a.data_type()) {
        (_, DataType::Boolean) => Value::Bool(a.as_boolean().value(i)),
        ("timestamp_ntz" | "timestamp_ltz" | "timestamp_tz", _) => return timestamp(a, i, l),
        ("date", DataType::Date32) => {
            let days = a.as_primitive::<at::Date32Type>().value(i);
            NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
                .map(Value::Date)
                .unwrap_or(Value::Null)
        }
        ("variant" | "object" | "array", DataType::Utf8) => {
            let text = a.as_string::<i32>().value(i);
            serde_json::from_str(text).map(Value::Json).unwrap_or_else(|_| Value::Text(text.to_string()))
        }
        (_, DataType::Utf8) => Value::Text(a.as_string::<i32>().value(i).to_string()),
        (_, DataType::LargeUtf8) => Value::Text(a.as_string::<i64>().value(i).to_string()),
        (_, DataType::Utf8View) => Value::Text(a.as_string_view().value(i).to_string()),
        (_, DataType::Float64) => Value::Float(a.as_primitive::<at::Float64Type>().value(i)),
        (_, DataType::Float32) => Value::Float(a.as_primitive::<at::Float32Type>().value(i).into()),
        (_, DataType::Decimal128(_, s)) => {
            let units = a.as_primitive::<at::Decimal128Type>().value(i);
            decimal(units, i64::from(*s))
        }
        ("fixed", _) if int_at(a, i).is_some() => decimal(int_at(a, i).unwrap_or_default(), l.scale),
        (_, _) if int_at(a, i).is_some() => {
            Value::Int(i64::try_from(int_at(a, i).unwrap_or_default()).unwrap_or(i64::MAX))
        }
        (_, other) => {
            // Anything exotic (TIME, BINARY, …) is shown as text rather than failing the whole answer.
            let text = arrow_cast::display::array_value_to_string(a, i)
                .map_err(|source| SnowflakeError::UnreadableValue { data_type: other.clone(), source })?;
            Value::Text(text)
        }
    })
}

/// NUMBER(p,0) is an integer; NUMBER(p,s) a decimal of `s` digits.
fn decimal(units: i128, scale: i64) -> Value {
    if scale == 0 {
        return i64::try_from(units).map(Value::Int).unwrap_or(Value::Decimal { units, scale: 0 });
    }
    match u8::try_from(scale) {
        Ok(scale) => Value::Decimal { units, scale },
        Err(_) => Value::Float(units as f64 / 10f64.powi(scale as i32)),
    }
}

/// A cell of a JSON rowset: every value is a string (or null).
fn json_cell(cell: &serde_json::Value, l: &Logical) -> Value {
    let Some(text) = cell.as_str() else {
        return if cell.is_null() { Value::Null } else { Value::Json(cell.clone()) };
    };
    match l.kind.as_str() {
        "fixed" => parse_decimal(text, l.scale).unwrap_or_else(|| Value::Text(text.into())),
        "real" => text.parse().map(Value::Float).unwrap_or_else(|_| Value::Text(text.into())),
        "boolean" => Value::Bool(matches!(text, "1" | "true" | "TRUE")),
        "variant" | "object" | "array" => {
            serde_json::from_str(text).map(Value::Json).unwrap_or_else(|_| Value::Text(text.into()))
        }
        _ => Value::Text(text.into()),
    }
}

fn parse_decimal(text: &str, scale: i64) -> Option<Value> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let scale = usize::try_from(scale).ok()?;
    let frac = if frac.len() > scale { &frac[..scale] } else { frac };
    let digits = format!("{int}{frac}{}", "0".repeat(scale - frac.len()));
    Some(decimal(digits.parse().ok()?, scale as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int32Array, Int64Array, StructArray};
    use arrow_schema::Schema;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn field(name: &str, dt: DataType, kind: &str, scale: i64) -> Field {
        Field::new(name, dt, true).with_metadata(HashMap::from([
            ("logicalType".to_string(), kind.to_string()),
            ("scale".to_string(), scale.to_string()),
        ]))
    }

    fn answer(fields: Vec<Field>, arrays: Vec<ArrayRef>) -> Answer {
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("batch");
        Answer { rowtype: vec![], batches: vec![batch], json_rows: None, more: false }
    }

    #[test]
    fn numbers_follow_their_scale() {
        let a = answer(
            vec![
                field("N", DataType::Int64, "FIXED", 0),
                field("AMOUNT", DataType::Int32, "FIXED", 2),
                field("R", DataType::Float64, "REAL", 0),
            ],
            vec![
                Arc::new(Int64Array::from(vec![Some(42), None])),
                Arc::new(Int32Array::from(vec![Some(12345), Some(-5)])),
                Arc::new(arrow_array::Float64Array::from(vec![0.5, 1.0])),
            ],
        );
        let rs = to_result_set(&a, 10, 1 << 20).expect("converts");
        assert_eq!(rs.columns[0], Column::new("n", "BIGINT"));
        assert_eq!(rs.columns[1], Column::new("amount", "DECIMAL(38,2)"));
        assert_eq!(
            rs.rows[0],
            vec![Value::Int(42), Value::Decimal { units: 12345, scale: 2 }, Value::Float(0.5)]
        );
        assert_eq!(rs.rows[1][0], Value::Null);
        assert_eq!(rs.rows[1][1].to_text(), "-0.05");
    }

    #[test]
    fn timestamps_as_integers_and_structs() {
        let epoch: ArrayRef = Arc::new(Int64Array::from(vec![1_704_103_200, 0]));
        let fraction: ArrayRef = Arc::new(Int32Array::from(vec![500_000_000, 0]));
        let st = StructArray::try_new(
            vec![Field::new("epoch", DataType::Int64, false), Field::new("fraction", DataType::Int32, false)]
                .into(),
            vec![epoch, fraction],
            Some(vec![true, false].into()),
        )
        .expect("struct");
        let dt = st.data_type().clone();
        let a = answer(
            vec![field("TS", dt, "TIMESTAMP_NTZ", 9), field("T3", DataType::Int64, "TIMESTAMP_LTZ", 3)],
            vec![Arc::new(st), Arc::new(Int64Array::from(vec![1_704_103_200_123, 1]))],
        );
        let rs = to_result_set(&a, 10, 1 << 20).expect("converts");
        assert_eq!(rs.rows[0][0].to_text(), "2024-01-01T10:00:00.500");
        assert_eq!(rs.rows[1][0], Value::Null);
        assert_eq!(rs.rows[0][1].to_text(), "2024-01-01T10:00:00.123");
        assert_eq!(rs.columns[0].data_type, "TIMESTAMP");
    }

    #[test]
    fn variants_are_json_and_empty_results_keep_columns() {
        let a = answer(
            vec![field("V", DataType::Utf8, "VARIANT", 0)],
            vec![Arc::new(arrow_array::StringArray::from(vec![r#"{"a":1}"#]))],
        );
        let rs = to_result_set(&a, 10, 1 << 20).expect("converts");
        assert_eq!(rs.columns[0], Column::new("v", "JSON"));
        assert_eq!(rs.rows[0][0], Value::Json(serde_json::json!({"a": 1})));

        let empty = Answer {
            rowtype: vec![RowType {
                name: "Revenue".into(),
                kind: "fixed".into(),
                precision: Some(38),
                scale: Some(2),
            }],
            batches: vec![],
            json_rows: None,
            more: false,
        };
        let rs = to_result_set(&empty, 10, 1 << 20).expect("converts");
        assert_eq!(rs.columns, vec![Column::new("Revenue", "DECIMAL(38,2)")]);
        assert!(rs.rows.is_empty());
    }

    #[test]
    fn json_rowsets_parse_by_type() {
        let ans = Answer {
            rowtype: vec![RowType {
                name: "X".into(),
                kind: "fixed".into(),
                precision: Some(10),
                scale: Some(2),
            }],
            batches: vec![],
            json_rows: Some(vec![vec![serde_json::json!("12.5")], vec![serde_json::Value::Null]]),
            more: false,
        };
        let rs = to_result_set(&ans, 10, 1 << 20).expect("converts");
        assert_eq!(rs.rows[0][0], Value::Decimal { units: 1250, scale: 2 });
        assert_eq!(rs.rows[1][0], Value::Null);
    }
}
