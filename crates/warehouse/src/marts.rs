//! The Arrow schemas of the marts tables, derived from the one marts schema ([`inda_core::marts`]): what
//! the embedded engine registers, the demo generator writes and the sync builds. Same names, same order,
//! `tenant_id` first, nullable only where the contract says so.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use inda_core::marts::{self, ColumnType};
use std::sync::Arc;

/// The Arrow type a column of the contract's type is stored as.
fn arrow_type(data_type: ColumnType) -> DataType {
    match data_type {
        ColumnType::Varchar => DataType::Utf8,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
        ColumnType::Date => DataType::Date32,
        ColumnType::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
    }
}

/// The Arrow schema of a marts table, or `None` for any other name.
pub fn marts_schema(table: &str) -> Option<SchemaRef> {
    let table = marts::table(table)?;
    let fields: Vec<Field> =
        table.columns.iter().map(|c| Field::new(c.name, arrow_type(c.data_type), c.nullable)).collect();
    Some(Arc::new(Schema::new(fields)))
}
