//! Row groups that each hold one value of a table's cluster column (`cluster` in `inda_core`'s
//! `marts.txt`: `activity_type` of fct_activities), so that a filter on it skips the other values' row
//! groups by their statistics instead of reading and filtering every row. Every revenue question filters
//! `activity_type IN ('purchase', 'refund')`, about a sixth of the activities.
//!
//! Not a sort: within one value, rows keep the order they are given in (key order), and each value's row
//! group is written when it fills, so the file holds values' groups in the order they filled, then each
//! value's last, short group in the order the values first appeared. That depends only on the rows and
//! their order, never on how they are cut into batches, so the demo generator and the sync write the same
//! file from the same rows. At most 16 values (`SLOTS`) are kept apart: at the first row of one more, the
//! waiting rows are written and the rest of the file is written as it comes, so a column of many values
//! costs neither memory nor a file of tiny row groups.

use crate::encryption::ROW_GROUP_ROWS;
use crate::unique_key::KeyCheck;
use datafusion::arrow::array::{Array, AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{cast, concat_batches, take_record_batch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::errors::{ParquetError, Result};
use std::io::Write;

/// The most values with rows waiting at once.
const SLOTS: usize = 16;

/// The rows of one value not yet written.
struct Slot {
    value: Option<String>,
    /// Distinguishes this slot from one the same value gets after this one is written out.
    serial: u32,
    batches: Vec<RecordBatch>,
    /// Rows of this value seen and not yet written, taken out of their batch or not.
    rows: usize,
}

/// An [`ArrowWriter`] whose row groups each hold one value of the cluster column (see the module text).
pub struct ClusteredWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    column: Option<usize>,
    slots: Vec<Slot>,
    serials: u32,
    /// The check of the table's key, whose proof goes into the footer (`unique_key.rs`).
    key: Option<KeyCheck>,
}

impl<W: Write + Send> ClusteredWriter<W> {
    /// Clusters `writer`'s rows (of `schema`) by the column named `cluster`; with `None`, or a column the
    /// schema does not have, this is `writer` as it is.
    pub fn new(writer: ArrowWriter<W>, schema: SchemaRef, cluster: Option<&str>) -> Self {
        let column = cluster.and_then(|name| schema.index_of(name).ok());
        ClusteredWriter { writer, schema, column, slots: Vec::new(), serials: 0, key: None }
    }

    /// The same writer checking that the columns named `key` (a marts table's key) hold no value twice in
    /// the rows it is given, and saying so in the footer when they do not (`unique_key.rs`). A column the
    /// schema does not have leaves the check out.
    pub fn with_key(mut self, key: &[&str]) -> Self {
        let columns: Option<Vec<usize>> = key.iter().map(|name| self.schema.index_of(name).ok()).collect();
        let names = key.iter().map(|name| name.to_string()).collect();
        self.key = columns.and_then(|columns| KeyCheck::new(columns, names));
        self
    }

    /// Takes `batch`'s rows; a value's row group is written as soon as it holds [`ROW_GROUP_ROWS`].
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if let Some(key) = &mut self.key {
            key.add(batch)?;
        }
        let Some(column) = self.column else { return self.writer.write(batch) };
        let values = cast(batch.column(column), &DataType::Utf8)?;
        let values = values.as_string::<i32>();
        let mut owners: Vec<u32> = Vec::with_capacity(batch.num_rows());
        let mut start = 0;
        let mut last = None;
        for row in 0..batch.num_rows() {
            let value = values.is_valid(row).then(|| values.value(row));
            let same = |i: &usize| self.slots.get(*i).is_some_and(|s| s.value.as_deref() == value);
            let at = match last.filter(same) {
                Some(i) => i,
                None => match self.slots.iter().position(|s| s.value.as_deref() == value) {
                    Some(i) => i,
                    None if self.slots.len() == SLOTS => {
                        // Too many values to keep apart: what waits is written, the rest passes through.
                        self.take(batch, &owners, start, row)?;
                        self.column = None;
                        for slot in std::mem::take(&mut self.slots) {
                            self.write_group(slot.batches)?;
                        }
                        return self.writer.write(&batch.slice(row, batch.num_rows() - row));
                    }
                    None => self.open(value),
                },
            };
            last = Some(at);
            let slot = &mut self.slots[at];
            owners.push(slot.serial);
            slot.rows += 1;
            if slot.rows == ROW_GROUP_ROWS {
                self.take(batch, &owners, start, row + 1)?;
                start = row + 1;
                let slot = self.slots.remove(at);
                self.write_group(slot.batches)?;
                last = None;
            }
        }
        self.take(batch, &owners, start, batch.num_rows())
    }

    /// Writes every value's waiting rows, each as its own row group, and the key's proof when it holds, and
    /// hands back the writer to close.
    pub fn into_writer(mut self) -> Result<ArrowWriter<W>> {
        for slot in std::mem::take(&mut self.slots) {
            self.write_group(slot.batches)?;
        }
        if let Some(proof) = self.key.as_ref().and_then(KeyCheck::proof) {
            self.writer.append_key_value_metadata(proof);
        }
        Ok(self.writer)
    }

    fn open(&mut self, value: Option<&str>) -> usize {
        self.serials += 1;
        let serial = self.serials;
        self.slots.push(Slot { value: value.map(str::to_string), serial, batches: Vec::new(), rows: 0 });
        self.slots.len() - 1
    }

    /// Moves rows `start..end` of `batch` (whose slot serials are `owners[start..end]`) into their slots.
    fn take(&mut self, batch: &RecordBatch, owners: &[u32], start: usize, end: usize) -> Result<()> {
        let Some(owners) = owners.get(start..end).filter(|o| !o.is_empty()) else { return Ok(()) };
        for slot in &mut self.slots {
            let rows: UInt32Array = (start..end)
                .zip(owners)
                .filter(|(_, owner)| **owner == slot.serial)
                .map(|(row, _)| u32::try_from(row).unwrap_or(u32::MAX))
                .collect();
            if !rows.is_empty() {
                slot.batches.push(take_record_batch(batch, &rows)?);
            }
        }
        Ok(())
    }

    /// Writes `batches` as one row group.
    fn write_group(&mut self, batches: Vec<RecordBatch>) -> Result<()> {
        if batches.is_empty() {
            return Ok(());
        }
        let group =
            concat_batches(&self.schema, &batches).map_err(|e| ParquetError::External(Box::new(e)))?;
        self.writer.write(&group)?;
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{StringArray, UInt64Array};
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::sync::Arc;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::UInt64, false),
            Field::new("kind", DataType::Utf8, true),
        ]))
    }

    /// `rows` rows whose `kind` is `kinds(i)`, written `batch` rows at a time; read back per row group.
    fn round_trip(rows: u64, kinds: impl Fn(u64) -> Option<String>, batch: usize) -> Vec<RecordBatch> {
        let file = tempfile::tempfile().expect("temp file");
        let props = crate::encryption::writer_properties(None).expect("properties");
        let writer =
            ArrowWriter::try_new(file.try_clone().expect("clone"), schema(), Some(props)).expect("writer");
        let mut clustered = ClusteredWriter::new(writer, schema(), Some("kind"));
        let ids: Vec<u64> = (0..rows).collect();
        for chunk in ids.chunks(batch) {
            let kind: StringArray = chunk.iter().map(|&i| kinds(i)).collect();
            let columns = vec![Arc::new(UInt64Array::from(chunk.to_vec())) as _, Arc::new(kind) as _];
            clustered.write(&RecordBatch::try_new(schema(), columns).expect("batch")).expect("write");
        }
        clustered.into_writer().expect("flush").close().expect("close");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("read");
        let (metadata, schema) = (builder.metadata().clone(), builder.schema().clone());
        let reader = builder.with_batch_size(usize::MAX).build().expect("reader");
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().expect("rows");
        let all = concat_batches(&schema, &batches).expect("concat");
        let mut offset = 0;
        (0..metadata.num_row_groups())
            .map(|g| {
                let n = usize::try_from(metadata.row_group(g).num_rows()).expect("rows");
                offset += n;
                all.slice(offset - n, n)
            })
            .collect()
    }

    fn kind_of(group: &RecordBatch) -> Vec<Option<&str>> {
        let kinds = group.column(1).as_string::<i32>();
        let mut seen: Vec<Option<&str>> = kinds.iter().collect();
        seen.dedup();
        seen
    }

    fn ids(group: &RecordBatch) -> Vec<u64> {
        group.column(0).as_primitive::<datafusion::arrow::datatypes::UInt64Type>().values().to_vec()
    }

    #[test]
    fn each_row_group_holds_one_value_in_the_given_order_however_the_rows_are_cut() {
        let kinds = |i: u64| match (i * 2_654_435_761) % 100 {
            0..=59 => Some("page_view".to_string()),
            60..=79 => Some("purchase".to_string()),
            80..=97 => Some("login".to_string()),
            _ => None,
        };
        let groups = round_trip(700_000, kinds, 1_000);
        assert_eq!(groups, round_trip(700_000, kinds, 16_384), "the same row groups from other batches");
        let mut total = 0;
        for group in &groups {
            let kind = kind_of(group);
            assert_eq!(kind.len(), 1, "one value per row group");
            let ids = ids(group);
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "key order within a value");
            assert!(ids.iter().all(|&i| kinds(i).as_deref() == kind[0]));
            total += ids.len();
        }
        assert_eq!(total, 700_000);
        // Full groups while a value fills, then one short group per value: page_view 420 K rows make three
        // full groups and a short one.
        let full = groups.iter().filter(|g| g.num_rows() == ROW_GROUP_ROWS).count();
        assert_eq!(groups.len() - full, 4, "one short group per value, nulls included");
    }

    #[test]
    fn past_sixteen_values_the_rest_is_written_as_it_comes() {
        let kinds = |i: u64| Some(format!("kind_{}", (i / 1_000) % 40));
        let groups = round_trip(200_000, kinds, 4_096);
        // Sixteen values' 1,000 rows each kept apart, then the other 184,000 rows in two row groups.
        assert_eq!(groups.len(), 18);
        assert!(groups[..16].iter().all(|g| kind_of(g).len() == 1 && g.num_rows() == 1_000));
        let all: Vec<u64> = groups.iter().flat_map(ids).collect();
        assert_eq!(all, (0..200_000).collect::<Vec<_>>(), "every row, in the order given");
    }

    #[test]
    fn without_a_cluster_column_rows_pass_through() {
        let file = tempfile::tempfile().expect("temp file");
        let writer = ArrowWriter::try_new(file.try_clone().expect("clone"), schema(), None).expect("writer");
        let mut plain = ClusteredWriter::new(writer, schema(), None);
        let kind: StringArray = ["b", "a", "b"].into_iter().map(Some).collect();
        let batch =
            RecordBatch::try_new(schema(), vec![Arc::new(UInt64Array::from(vec![1, 2, 3])), Arc::new(kind)])
                .expect("batch");
        plain.write(&batch).expect("write");
        plain.into_writer().expect("flush").close().expect("close");
        let read = ParquetRecordBatchReaderBuilder::try_new(file).expect("read").build().expect("reader");
        let batches: Vec<RecordBatch> = read.collect::<Result<_, _>>().expect("rows");
        assert_eq!(batches, vec![batch]);
    }
}
