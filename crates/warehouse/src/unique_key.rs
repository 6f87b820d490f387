//! A marts file's proof that its key columns hold no value twice, checked by the writer on the rows it
//! writes and recorded in the file's footer, where the planner reads it (`keyed.rs`).
//!
//! Why: "top 10 contacts by revenue" sums the purchases by contact, joins the contacts on their key and
//! groups again by contact and name. When no contact id appears twice among the contacts, each group of
//! that second grouping is one row, and it can go: at 100 M messages, 1.41 M rows grouped again for a
//! quarter of the query's time. The data-model contract says the key is unique within a tenant; the engine
//! does not take the contract's word for it, only the writer's, which saw every row.
//!
//! The check keeps no keys: the demo generator and the sync write a table's rows in key order (the sync by
//! its SQL `ORDER BY`, byte order; the generator by number, `ct_999999` before `ct_1000000`, which is byte
//! order among keys of one length, shorter keys first). Keys that rise strictly in either order hold no
//! value twice. Rows given in any other order, a null key or a key of another type prove nothing, and the
//! file is written without the proof: the planner then groups as written, slower and never wrong.
//!
//! Not here: anything about tenants (a key is unique within its file; the planner uses the proof only for
//! a table of one file).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, DynComparator, RecordBatch, make_comparator};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::error::ArrowError;
use datafusion::parquet::file::metadata::KeyValue;
use std::cmp::Ordering;

/// The footer's key-value entry: the key columns, comma-separated, that no two rows of the file share.
pub(crate) const FOOTER_KEY: &str = "inda.unique_key";

/// Watches the key columns of the rows a writer is given, in their order.
#[derive(Debug)]
pub(crate) struct KeyCheck {
    columns: Vec<usize>,
    names: Vec<String>,
    /// The previous row's key, one row per column.
    last: Option<Vec<ArrayRef>>,
    /// Whether every key so far was greater than the one before, in byte order.
    bytes_rise: bool,
    /// The same, comparing strings by length first.
    length_rise: bool,
}

impl KeyCheck {
    /// A check of the columns at `columns` (named `names`); `None` without any.
    pub(crate) fn new(columns: Vec<usize>, names: Vec<String>) -> Option<Self> {
        (!columns.is_empty()).then_some(KeyCheck {
            columns,
            names,
            last: None,
            bytes_rise: true,
            length_rise: true,
        })
    }

    /// Takes the next rows.
    pub(crate) fn add(&mut self, batch: &RecordBatch) -> Result<(), ArrowError> {
        if batch.num_rows() == 0 || !self.rising() {
            return Ok(());
        }
        let keys: Vec<ArrayRef> = self.columns.iter().map(|&i| batch.column(i).clone()).collect();
        if keys.iter().any(|k| k.null_count() > 0) {
            self.fail();
            return Ok(());
        }
        if let Some(last) = self.last.take() {
            self.step(&comparators(&last, &keys)?, &last, 0, &keys, 0);
        }
        let within = comparators(&keys, &keys)?;
        for row in 1..batch.num_rows() {
            if !self.rising() {
                return Ok(());
            }
            self.step(&within, &keys, row - 1, &keys, row);
        }
        self.last = Some(keys.iter().map(|k| k.slice(batch.num_rows() - 1, 1)).collect());
        Ok(())
    }

    /// The footer entry, when every key the check was given rose in one of its orders.
    pub(crate) fn proof(&self) -> Option<KeyValue> {
        self.rising().then(|| KeyValue::new(FOOTER_KEY.to_string(), self.names.join(",")))
    }

    fn rising(&self) -> bool {
        self.bytes_rise || self.length_rise
    }

    fn fail(&mut self) {
        self.bytes_rise = false;
        self.length_rise = false;
    }

    /// Compares the key at `b`'s row `j` with the one before it, `a`'s row `i` (`compare` holds each
    /// column's comparator of `a` with `b`).
    fn step(&mut self, compare: &[DynComparator], a: &[ArrayRef], i: usize, b: &[ArrayRef], j: usize) {
        let (mut bytes, mut length) = (Ordering::Equal, Ordering::Equal);
        for ((compare, a), b) in compare.iter().zip(a).zip(b) {
            let order = compare(i, j);
            let by_length = match (text_len(a, i), text_len(b, j)) {
                (Some(x), Some(y)) => x.cmp(&y).then(order),
                _ => order,
            };
            bytes = bytes.then(order);
            length = length.then(by_length);
        }
        self.bytes_rise &= bytes == Ordering::Less;
        self.length_rise &= length == Ordering::Less;
    }
}

/// Each column's comparator of `a`'s rows with `b`'s, made once per batch.
fn comparators(a: &[ArrayRef], b: &[ArrayRef]) -> Result<Vec<DynComparator>, ArrowError> {
    a.iter().zip(b).map(|(a, b)| make_comparator(a.as_ref(), b.as_ref(), SortOptions::default())).collect()
}

/// The length in bytes of a string column's value; `None` for other types.
fn text_len(array: &ArrayRef, row: usize) -> Option<usize> {
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row).len()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row).len()),
        DataType::Utf8View => Some(array.as_string_view().value(row).len()),
        _ => None,
    }
}

/// The key columns a file's footer proves unique, from its key-value entries.
pub(crate) fn proven(entries: Option<&Vec<KeyValue>>) -> Option<Vec<String>> {
    let entry = entries?.iter().find(|e| e.key == FOOTER_KEY)?;
    let columns: Vec<String> = entry.value.as_deref()?.split(',').map(str::to_string).collect();
    (!columns.iter().any(String::is_empty)).then_some(columns)
}

#[cfg(test)]
mod tests {
    use super::{KeyCheck, proven};
    use datafusion::arrow::array::{ArrayRef, Int32Array, RecordBatch, StringArray};
    use std::sync::Arc;

    fn batch(ids: &[Option<&str>], numbers: &[i32]) -> RecordBatch {
        let ids: ArrayRef = Arc::new(StringArray::from(ids.to_vec()));
        let numbers: ArrayRef = Arc::new(Int32Array::from(numbers.to_vec()));
        RecordBatch::try_from_iter([("id", ids), ("n", numbers)]).unwrap()
    }

    /// Whether the check, given these batches of (id, n), proves its columns unique.
    fn proves(columns: &[usize], batches: &[RecordBatch]) -> bool {
        let names = columns.iter().map(|c| ["id", "n"][*c].to_string()).collect();
        let mut check = KeyCheck::new(columns.to_vec(), names).unwrap();
        for b in batches {
            check.add(b).unwrap();
        }
        check.proof().is_some()
    }

    #[test]
    fn keys_rising_in_byte_or_length_order_are_proven_however_cut() {
        let some = |ids: &[&'static str]| ids.iter().map(|i| Some(*i)).collect::<Vec<_>>();
        // Byte order, as the sync's ORDER BY gives them.
        let sorted = some(&["ct_1000000", "ct_999998", "ct_999999"]);
        assert!(proves(&[0], &[batch(&sorted, &[0, 0, 0])]));
        assert!(proves(&[0], &[batch(&sorted[..1], &[0]), batch(&sorted[1..], &[0, 0])]));
        // By number, as the generator writes them.
        let numbered = some(&["ct_999998", "ct_999999", "ct_1000000"]);
        assert!(proves(&[0], &[batch(&numbered[..2], &[0, 0]), batch(&numbered[2..], &[0])]));
        // Neither: a repeat, across batches or within one, or no order at all.
        let repeat = some(&["ct_000001", "ct_000002"]);
        assert!(!proves(&[0], &[batch(&repeat, &[0, 0]), batch(&repeat[1..], &[0])]));
        assert!(!proves(&[0], &[batch(&some(&["a", "b", "b"]), &[0, 0, 0])]));
        assert!(!proves(&[0], &[batch(&some(&["b", "a", "c"]), &[0, 0, 0])]));
        // Mixed orders within one file prove nothing: each order alone fails somewhere.
        assert!(!proves(&[0], &[batch(&some(&["b", "c", "aa", "ab", "a"]), &[0, 0, 0, 0, 0])]));
        assert!(!proves(&[0], &[batch(&[Some("a"), None], &[0, 0])]));
        // No rows hold no repeat.
        assert!(proves(&[0], &[]));
    }

    #[test]
    fn a_key_of_two_columns_rises_by_its_first_then_its_second() {
        let ids = [Some("EUR"), Some("EUR"), Some("USD")];
        assert!(proves(&[0, 1], &[batch(&ids, &[1, 2, 1])]));
        assert!(!proves(&[0, 1], &[batch(&ids, &[1, 1, 1])]));
        // One column alone repeats.
        assert!(!proves(&[0], &[batch(&ids, &[1, 2, 1])]));
    }

    #[test]
    fn the_footer_entry_names_the_columns() {
        let mut check = KeyCheck::new(vec![0, 1], vec!["currency".into(), "month".into()]).unwrap();
        check.add(&batch(&[Some("EUR")], &[1])).unwrap();
        let entry = check.proof().unwrap();
        assert_eq!(proven(Some(&vec![entry])), Some(vec!["currency".to_string(), "month".to_string()]));
        assert_eq!(proven(None), None);
        let empty =
            datafusion::parquet::file::metadata::KeyValue::new(super::FOOTER_KEY.into(), String::new());
        assert_eq!(proven(Some(&vec![empty])), None);
    }
}
