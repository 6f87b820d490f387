//! Arrow record batches to the product's typed [`ResultSet`].

use crate::error::WarehouseError;
use chrono::{DateTime, NaiveDate};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{self as dt, DataType, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use inda_core::{Column, Error, Value};

/// Warehouse-neutral name of an Arrow type.
pub fn type_name(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Int8 | DataType::UInt8 => "TINYINT".into(),
        DataType::Int16 | DataType::UInt16 => "SMALLINT".into(),
        DataType::Int32 | DataType::UInt32 => "INTEGER".into(),
        DataType::Int64 | DataType::UInt64 => "BIGINT".into(),
        DataType::Float16 | DataType::Float32 => "FLOAT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Date32 | DataType::Date64 => "DATE".into(),
        DataType::Timestamp(_, _) => "TIMESTAMP".into(),
        DataType::Null => "NULL".into(),
        other => other.to_string().to_uppercase(),
    }
}

pub fn columns(schema: &Schema) -> Vec<Column> {
    schema.fields().iter().map(|f| Column::new(f.name().clone(), type_name(f.data_type()))).collect()
}

/// Appends up to `room` rows of `batch` to `rows`.
pub fn append_rows(batch: &RecordBatch, rows: &mut Vec<Vec<Value>>, room: usize) -> Result<(), Error> {
    let n = batch.num_rows().min(room);
    let start = rows.len();
    rows.extend((0..n).map(|_| Vec::with_capacity(batch.num_columns())));
    for col in batch.columns() {
        for i in 0..n {
            rows[start + i].push(cell(col.as_ref(), i)?);
        }
    }
    Ok(())
}

fn cell(a: &dyn Array, i: usize) -> Result<Value, Error> {
    if a.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match a.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        DataType::Utf8 => Value::Text(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::Text(a.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Value::Text(a.as_string_view().value(i).to_string()),
        DataType::Int8 => Value::Int(a.as_primitive::<dt::Int8Type>().value(i).into()),
        DataType::Int16 => Value::Int(a.as_primitive::<dt::Int16Type>().value(i).into()),
        DataType::Int32 => Value::Int(a.as_primitive::<dt::Int32Type>().value(i).into()),
        DataType::Int64 => Value::Int(a.as_primitive::<dt::Int64Type>().value(i)),
        DataType::UInt8 => Value::Int(a.as_primitive::<dt::UInt8Type>().value(i).into()),
        DataType::UInt16 => Value::Int(a.as_primitive::<dt::UInt16Type>().value(i).into()),
        DataType::UInt32 => Value::Int(a.as_primitive::<dt::UInt32Type>().value(i).into()),
        DataType::UInt64 => {
            let v = a.as_primitive::<dt::UInt64Type>().value(i);
            i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64))
        }
        DataType::Float16 => Value::Float(a.as_primitive::<dt::Float16Type>().value(i).to_f64()),
        DataType::Float32 => Value::Float(a.as_primitive::<dt::Float32Type>().value(i).into()),
        DataType::Float64 => Value::Float(a.as_primitive::<dt::Float64Type>().value(i)),
        DataType::Decimal128(_, s) => {
            let units = a.as_primitive::<dt::Decimal128Type>().value(i);
            match u8::try_from(*s) {
                Ok(scale) => Value::Decimal { units, scale },
                Err(_) => Value::Float(units as f64 * 10f64.powi(-i32::from(*s))),
            }
        }
        DataType::Date32 => {
            let days = a.as_primitive::<dt::Date32Type>().value(i);
            NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
                .map(Value::Date)
                .unwrap_or(Value::Null)
        }
        DataType::Date64 => {
            let ms = a.as_primitive::<dt::Date64Type>().value(i);
            DateTime::from_timestamp_millis(ms).map(|t| Value::Date(t.date_naive())).unwrap_or(Value::Null)
        }
        DataType::Timestamp(unit, _) => {
            let t = match unit {
                TimeUnit::Second => {
                    DateTime::from_timestamp(a.as_primitive::<dt::TimestampSecondType>().value(i), 0)
                }
                TimeUnit::Millisecond => {
                    DateTime::from_timestamp_millis(a.as_primitive::<dt::TimestampMillisecondType>().value(i))
                }
                TimeUnit::Microsecond => {
                    DateTime::from_timestamp_micros(a.as_primitive::<dt::TimestampMicrosecondType>().value(i))
                }
                TimeUnit::Nanosecond => Some(DateTime::from_timestamp_nanos(
                    a.as_primitive::<dt::TimestampNanosecondType>().value(i),
                )),
            };
            t.map(|t| Value::Timestamp(t.naive_utc())).unwrap_or(Value::Null)
        }
        other => {
            // Anything exotic is shown as text rather than failing the whole answer.
            let formatted = datafusion::arrow::util::display::array_value_to_string(a, i)
                .map_err(|source| WarehouseError::UnreadableValue { data_type: other.clone(), source })?;
            Value::Text(formatted)
        }
    })
}
