//! Output: streams record batches of one table and tenant into a Snappy Parquet file with ~128k-row row
//! groups (each of one value of the table's cluster column, `inda_warehouse::clustered`), reporting
//! progress per batch, and writes the small JSON files. Every file is synced before the
//! warehouse is swapped in, so the rename publishes complete files only.

use super::Progress;
use crate::DemoError;
use datafusion::arrow::array::{ArrayRef, Decimal128Builder, StringArray};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use inda_core::Error;
use inda_warehouse::clustered::ClusteredWriter;
use inda_warehouse::marts_schema;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per record batch handed to the Parquet writer (memory stays bounded by this, not by table size).
pub(crate) const BATCH_ROWS: usize = 16 * 1024;

fn io_error(
    path: &Path,
    what: &'static str,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    DemoError::file(path, what, e).into()
}

pub(crate) fn decimal_builder(capacity: usize, precision: u8, scale: i8) -> Result<Decimal128Builder, Error> {
    Decimal128Builder::with_capacity(capacity)
        .with_precision_and_scale(precision, scale)
        .map_err(|source| DemoError::DecimalBuilder { precision, scale, source }.into())
}

/// Where one table of one tenant goes, and how it is written (sealed with the warehouse key, or plain).
pub(crate) struct Output {
    pub(crate) path: PathBuf,
    pub(crate) props: WriterProperties,
}

/// One marts table of one tenant being written.
pub(crate) struct ParquetSink<'a> {
    writer: ClusteredWriter<BufWriter<File>>,
    schema: SchemaRef,
    tenant: &'static str,
    path: PathBuf,
    rows: u64,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl<'a> ParquetSink<'a> {
    pub(crate) fn create(
        out: &Output,
        table: &str,
        tenant: &'static str,
        progress: &'a (dyn Fn(Progress) + Sync),
    ) -> Result<Self, Error> {
        let schema = marts_schema(table).ok_or_else(|| DemoError::UnknownTable(table.to_string()))?;
        let path = out.path.as_path();
        // Owner-only: tenant data in the data dir.
        let file = inda_core::fs::create_private(path).map_err(|e| io_error(path, "create", e))?;
        let writer = ArrowWriter::try_new(
            BufWriter::with_capacity(1 << 20, file),
            schema.clone(),
            Some(out.props.clone()),
        )
        .map_err(|e| io_error(path, "start writing", e))?;
        let mart = inda_core::marts::table(table);
        let writer = ClusteredWriter::new(writer, schema.clone(), mart.and_then(|t| t.cluster))
            .with_key(mart.map_or(&[], |t| t.key.as_slice()));
        Ok(ParquetSink { writer, schema, tenant, path: path.to_path_buf(), rows: 0, progress })
    }

    /// Writes one batch given every column but `tenant_id`, which is constant and added here.
    pub(crate) fn write(&mut self, columns: Vec<ArrayRef>) -> Result<(), Error> {
        let n = columns.first().map_or(0, |c| c.len());
        if n == 0 {
            return Ok(());
        }
        let mut all: Vec<ArrayRef> = Vec::with_capacity(columns.len() + 1);
        all.push(Arc::new(StringArray::from_iter_values(std::iter::repeat_n(self.tenant, n))));
        all.extend(columns);
        let batch = RecordBatch::try_new(self.schema.clone(), all)
            .map_err(|source| DemoError::Batch { path: self.path.clone(), source })?;
        self.writer.write(&batch).map_err(|e| io_error(&self.path, "write", e))?;
        self.rows += n as u64;
        (self.progress)(Progress::Advance(n as u64));
        Ok(())
    }

    /// Closes and syncs the file; returns the rows written.
    pub(crate) fn finish(self) -> Result<u64, Error> {
        let path = self.path;
        let writer = self.writer.into_writer().map_err(|e| io_error(&path, "finish", e))?;
        let buffered = writer.into_inner().map_err(|e| io_error(&path, "finish", e))?;
        let file = buffered.into_inner().map_err(|e| io_error(&path, "flush", e.into_error()))?;
        file.sync_all().map_err(|e| io_error(&path, "sync", e))?;
        Ok(self.rows)
    }
}

/// Writes `value` as pretty JSON and syncs it.
pub(crate) fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), Error> {
    let text = serde_json::to_vec_pretty(value).map_err(|e| io_error(path, "serialize", e))?;
    let mut file = inda_core::fs::create_private(path).map_err(|e| io_error(path, "create", e))?;
    file.write_all(&text).and_then(|()| file.write_all(b"\n")).map_err(|e| io_error(path, "write", e))?;
    file.sync_all().map_err(|e| io_error(path, "sync", e))
}
