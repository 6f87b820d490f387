//! Encryption at rest of the local warehouse: Parquet modular encryption (AES-GCM-V1), the footer and every
//! column sealed with one key per installation, kept in the OS keyring by the app. parquet-rs implements
//! AES-128-GCM only, so the Parquet key is the first 16 bytes of the installation's 32-byte random key. The one place the
//! data dir's Parquet writers (the demo, the sync) and readers (this engine, the sync's transforms) get their
//! properties, so that a file written by one is read by the others.
//!
//! Files written before encryption (magic `PAR1` at the end) still read: decryption properties only apply
//! to files that say they are encrypted (magic `PARE`). The next `demo init` or sync writes them sealed.
//!
//! Not here: where the key lives (`inda-secrets`), or who may read which tenant (the guard and the session).

use datafusion::common::config::{ConfigFileDecryptionProperties, TableParquetOptions};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use datafusion::parquet::basic::{Compression, Encoding};
use datafusion::parquet::encryption::decrypt::FileDecryptionProperties;
use datafusion::parquet::encryption::encrypt::FileEncryptionProperties;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;
use inda_core::marts::{self, ColumnType};
use inda_core::{Error, Secret};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The warehouse's key: 32 random bytes, of which Parquet uses the first 16.
pub type WarehouseKey = Secret<[u8; 32]>;

/// Bytes of key AES-128-GCM takes.
const PARQUET_KEY_LEN: usize = 16;

fn parquet_key(key: &WarehouseKey) -> Vec<u8> {
    key.expose()[..PARQUET_KEY_LEN].to_vec()
}

/// Rows per Parquet row group of every file the app writes.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The properties of every Parquet file written into the data dir: Snappy, [`ROW_GROUP_ROWS`]-row groups,
/// timestamps as deltas, sealed with `key` when there is one (plain only for files that leave the data dir,
/// such as the demo CRM's and the Snowflake tests' fixtures).
///
/// Timestamps (`TIMESTAMP` columns of `marts.txt`) are written as deltas, without a dictionary: a dictionary
/// of 128 K distinct instants per row group took 1.3 MB that Snappy barely shrank and was a sixth of a
/// grouped count's CPU time; in time order the deltas take 3.5 bytes a row. At 10.4 M messages, the same
/// file rewritten so: a count since a date 22 → 12 ms warm (DuckDB on the same files: 21 → 12 ms), a
/// grouped count with a date filter 42 → 30 ms (35 → 29 ms).
pub fn writer_properties(key: Option<&WarehouseKey>) -> Result<WriterProperties, Error> {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(ROW_GROUP_ROWS);
    for name in timestamp_columns() {
        builder = builder
            .set_column_dictionary_enabled(ColumnPath::from(name), false)
            .set_column_encoding(ColumnPath::from(name), Encoding::DELTA_BINARY_PACKED);
    }
    let Some(key) = key else { return Ok(builder.build()) };
    let sealing = FileEncryptionProperties::builder(parquet_key(key))
        .build()
        .map_err(|e| Error::internal(format!("cannot set up Parquet encryption: {e}")))?;
    Ok(builder.with_file_encryption_properties(sealing).build())
}

/// The names of the marts' timestamp columns (a name set for a file without that column is ignored).
fn timestamp_columns() -> BTreeSet<&'static str> {
    marts::tables()
        .iter()
        .flat_map(|t| t.columns.iter())
        .filter(|c| c.data_type == ColumnType::Timestamp)
        .map(|c| c.name)
        .collect()
}

/// The Parquet format DataFusion reads the data dir's files with, opening sealed files with `key`.
pub fn parquet_format(key: Option<&WarehouseKey>) -> ParquetFormat {
    let mut options = TableParquetOptions::default();
    if let Some(key) = key {
        options.crypto.file_decryption = Some(ConfigFileDecryptionProperties {
            footer_key_as_hex: hex(&parquet_key(key)),
            ..Default::default()
        });
    }
    ParquetFormat::default().with_options(options)
}

/// Options for reading one of the data dir's files directly (without DataFusion's planner).
pub fn reader_options(key: Option<&WarehouseKey>) -> Result<ArrowReaderOptions, Error> {
    let options = ArrowReaderOptions::new();
    let Some(key) = key else { return Ok(options) };
    let opening = FileDecryptionProperties::builder(parquet_key(key))
        .build()
        .map_err(|e| Error::internal(format!("cannot set up Parquet decryption: {e}")))?;
    Ok(options.with_file_decryption_properties(opening))
}

/// Rewrites the plain Parquet file at `path` sealed with `key`, atomically and owner-only, with the same
/// schema, rows in the same order and row groups of the same rows (they may hold one value each of a
/// cluster column, `crate::clustered`), and the proof of its key when it has one (`crate::unique_key`: the
/// same rows, so still true). Returns `false`, touching nothing, when the file is already sealed.
pub fn seal_file(path: &Path, key: &WarehouseKey) -> Result<bool, Error> {
    let cannot = |what: &str, e: &dyn std::fmt::Display| {
        Error::internal(format!("cannot {what} {} to encrypt it: {e}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| cannot("open", &e))?;
    let metadata = match ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()) {
        Ok(metadata) => metadata,
        // A sealed file does not open without its key: nothing to do.
        Err(_) if parquet_kind(path) == Some(ParquetKind::Sealed) => return Ok(false),
        Err(e) => return Err(cannot("read", &e)),
    };
    let props = writer_properties(Some(key))?;
    inda_core::fs::write_private_with(path, |out| {
        let mut writer = ArrowWriter::try_new(&mut *out, metadata.schema().clone(), Some(props))
            .map_err(|e| cannot("rewrite", &e))?;
        for group in 0..metadata.metadata().num_row_groups() {
            let source = file.try_clone().map_err(|e| cannot("open", &e))?;
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(source, metadata.clone())
                .with_row_groups(vec![group])
                .with_batch_size(8192)
                .build()
                .map_err(|e| cannot("read", &e))?;
            for batch in reader {
                let batch = batch.map_err(|e| cannot("read", &e))?;
                writer.write(&batch).map_err(|e| cannot("rewrite", &e))?;
            }
            writer.flush().map_err(|e| cannot("rewrite", &e))?;
        }
        let entries = metadata.metadata().file_metadata().key_value_metadata().into_iter().flatten();
        for proof in entries.filter(|e| e.key == crate::unique_key::FOOTER_KEY) {
            writer.append_key_value_metadata(proof.clone());
        }
        writer.close().map_err(|e| cannot("rewrite", &e))?;
        Ok(())
    })?;
    Ok(true)
}

/// What a file's magic bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetKind {
    /// Plain Parquet: `PAR1` at both ends.
    Plain,
    /// Encrypted footer: `PARE` at both ends.
    Sealed,
}

/// Whether the file at `path` is plain or sealed Parquet, from its first and last four bytes (cheap at any
/// size); `None` when it is neither or cannot be read.
pub fn parquet_kind(path: &Path) -> Option<ParquetKind> {
    use std::io::{Read, Seek, SeekFrom};
    let read = || -> std::io::Result<Option<ParquetKind>> {
        let mut file = std::fs::File::open(path)?;
        let (mut head, mut tail) = ([0u8; 4], [0u8; 4]);
        file.read_exact(&mut head)?;
        file.seek(SeekFrom::End(-4))?;
        file.read_exact(&mut tail)?;
        Ok(match (&head, &tail) {
            (b"PAR1", b"PAR1") => Some(ParquetKind::Plain),
            (b"PARE", b"PARE") => Some(ParquetKind::Sealed),
            _ => None,
        })
    };
    read().ok().flatten()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sealed and plain formats share everything but the key, so that the engine plans both the same.
pub(crate) fn format_for(key: Option<&WarehouseKey>) -> Arc<ParquetFormat> {
    Arc::new(parquet_format(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{AsArray, Int64Array, RecordBatch};
    use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};
    use datafusion::parquet::file::metadata::KeyValue;

    #[test]
    fn timestamps_are_written_as_deltas_and_strings_with_a_dictionary() {
        use datafusion::arrow::array::{StringArray, TimestampMicrosecondArray};
        use datafusion::arrow::datatypes::TimeUnit;
        let schema = Arc::new(Schema::new(vec![
            Field::new("sent_at", DataType::Timestamp(TimeUnit::Microsecond, None), false),
            Field::new("channel", DataType::Utf8, false),
        ]));
        let sent_at = TimestampMicrosecondArray::from_iter_values(
            (0..1_000i64).map(|i| 1_700_000_000_000_000 + i * 7_919),
        );
        let channel = StringArray::from_iter_values((0..1_000).map(|i| ["sms", "email"][i % 2]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(sent_at), Arc::new(channel)]).expect("batch");
        let mut file = Vec::new();
        let props = writer_properties(None).expect("props");
        let mut writer = ArrowWriter::try_new(&mut file, schema, Some(props)).expect("writer");
        writer.write(&batch).expect("write");
        let metadata = writer.close().expect("close");
        let columns = metadata.row_groups()[0].columns();
        let (sent_at, channel) = (&columns[0], &columns[1]);
        assert!(sent_at.encodings().any(|e| e == Encoding::DELTA_BINARY_PACKED));
        assert!(sent_at.dictionary_page_offset().is_none(), "no dictionary for instants");
        assert!(channel.dictionary_page_offset().is_some(), "a dictionary for a few strings");
    }

    #[test]
    fn sealing_keeps_the_rows_and_their_row_groups() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data.parquet");
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let file = std::fs::File::create(&path).expect("create");
        let mut writer = ArrowWriter::try_new(file, schema.clone(), None).expect("writer");
        let proof = KeyValue::new(crate::unique_key::FOOTER_KEY.into(), "n".to_string());
        writer.append_key_value_metadata(proof.clone());
        let mut next = 0;
        for rows in [3, 5, 2] {
            let column = Int64Array::from_iter_values(next..next + rows);
            next += rows;
            writer
                .write(&RecordBatch::try_new(schema.clone(), vec![Arc::new(column)]).expect("batch"))
                .expect("write");
            writer.flush().expect("row group");
        }
        writer.close().expect("close");

        let key = WarehouseKey::new([7; 32]);
        assert!(seal_file(&path, &key).expect("seal"));
        assert_eq!(parquet_kind(&path), Some(ParquetKind::Sealed));
        let file = std::fs::File::open(&path).expect("open");
        let options = reader_options(Some(&key)).expect("options");
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).expect("read");
        let groups: Vec<i64> = builder.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [3, 5, 2]);
        let entries = builder.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
        assert!(entries.contains(&proof), "the key's proof is kept");
        let rows: Vec<i64> = builder
            .build()
            .expect("reader")
            .flat_map(|b| b.expect("rows").column(0).as_primitive::<Int64Type>().values().to_vec())
            .collect();
        assert_eq!(rows, (0..10).collect::<Vec<_>>());
        assert!(!seal_file(&path, &key).expect("again"), "a sealed file is left as it is");
    }
}
