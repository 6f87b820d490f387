//! Group values for one to four string columns, found by the 16-byte views of their strings.
//!
//! Why: a key of millions of values (a contact id) cannot be grouped by codes ([`crate::grouping`]), and
//! DataFusion's group values for string columns hash every string's bytes and compare them through its
//! views map: at 100 M messages, "top 10 contacts by revenue" summed 8.18 M purchases into 1.42 M contacts
//! at about 200 ns a row, in each of its two stages. A string of 12 bytes or less *is* its view (its length
//! and its bytes, the rest zero), so [`ViewKeys`] finds the group of a row whose strings are all that short
//! by their views alone, one to four 128-bit integers in a hash map: one hash and one comparison a row (about
//! 50 ns a row for one column here). The same holds for a tuple with one column of many values, such as the
//! (channel, contact) that a distinct count of contacts by channel groups by: DataFusion's group values
//! for several columns hash and compare each column in turn. A row with a longer string is hashed and
//! compared by its strings' bytes, kept in a buffer of their own.
//!
//! Not here: more than four columns, or a column that is not a string or binary view column.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array, make_view, new_empty_array};
use datafusion::arrow::buffer::{Buffer, NullBuffer};
use datafusion::arrow::compute::{concat, take};
use datafusion::arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::EmitTo;
use datafusion::physical_plan::aggregates::group_values::GroupValues;
use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// The longest string that is its own view.
pub(crate) const INLINE: u32 = 12;
/// A null's place in a key: a view of length 0 whose bytes are not all zero, which no string's view is (an
/// inline view's unused bytes are zero).
const NULL: u128 = 1 << 127;

/// Group values for the columns of `types`, when there are one to four and each is a string or binary view
/// column.
pub(crate) fn view_keys(types: &[DataType]) -> Option<Box<dyn GroupValues>> {
    Some(match types.len() {
        1 => Box::new(ViewKeys::<1>::of(types)?),
        2 => Box::new(ViewKeys::<2>::of(types)?),
        3 => Box::new(ViewKeys::<3>::of(types)?),
        4 => Box::new(ViewKeys::<4>::of(types)?),
        _ => return None,
    })
}

/// Whether a string or binary view column holds a string longer than its view.
pub(crate) fn has_long_strings(column: &ArrayRef) -> bool {
    Column::of(column).is_ok_and(|c| c.views.iter().any(|&view| view as u32 > INLINE))
}

/// A row's views, one a column ([`NULL`] for a null).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key<const N: usize>([u128; N]);

impl<const N: usize> Hash for Key<N> {
    // The views alone, without the length an array's hash writes first.
    fn hash<H: Hasher>(&self, state: &mut H) {
        for view in self.0 {
            state.write_u128(view);
        }
    }
}

impl<const N: usize> Key<N> {
    fn inline(&self) -> bool {
        self.0.iter().all(|&view| view as u32 <= INLINE)
    }
}

/// The groups of `N` string (or binary) view columns.
pub(crate) struct ViewKeys<const N: usize> {
    binary: [bool; N],
    /// The group of each row whose strings are all of 12 bytes or less, by their views.
    inline: HashMap<Key<N>, u32>,
    /// The groups of rows with a longer string, with the hash of their strings.
    long: HashTable<(u64, u32)>,
    hasher: DefaultHashBuilder,
    /// Each group's views; a longer string's points into `bytes`.
    views: Vec<Key<N>>,
    bytes: Vec<u8>,
    /// Each column's values of the groups, in order: each batch's new groups' first rows, taken from it (a
    /// longer string copied out of its buffers), and their size in bytes. The groups are emitted from these,
    /// not from `views`: Arrow checks the UTF-8 of every string of an array made from views (9% of the
    /// distinct count's instructions at the default scale), not of one taken from a checked array.
    firsts: [Vec<ArrayRef>; N],
    firsts_size: usize,
}

/// One column of a batch, as [`ViewKeys`] reads it.
struct Column<'a> {
    views: &'a [u128],
    buffers: &'a [Buffer],
    nulls: Option<&'a NullBuffer>,
}

impl<'a> Column<'a> {
    fn of(array: &'a ArrayRef) -> Result<Self> {
        let (views, buffers) = match array.data_type() {
            DataType::Utf8View => (array.as_string_view().views(), array.as_string_view().data_buffers()),
            DataType::BinaryView => (array.as_binary_view().views(), array.as_binary_view().data_buffers()),
            other => return Err(DataFusionError::Internal(format!("view keys cannot group {other}"))),
        };
        Ok(Column { views, buffers, nulls: array.nulls().filter(|n| n.null_count() > 0) })
    }

    /// A longer string's bytes, from its view.
    fn bytes(&self, view: u128) -> Result<&'a [u8]> {
        let (buffer, offset) = ((view >> 64) as u32 as usize, (view >> 96) as u32 as usize);
        self.buffers
            .get(buffer)
            .and_then(|b| b.get(offset..offset + view as u32 as usize))
            .ok_or_else(|| DataFusionError::Internal("a view outside its buffers".into()))
    }
}

impl<const N: usize> ViewKeys<N> {
    /// Group values for columns of `types`, when there are `N` and each is a string or binary view column.
    fn of(types: &[DataType]) -> Option<Self> {
        let types: &[DataType; N] = types.try_into().ok()?;
        let mut binary = [false; N];
        for (binary, data_type) in binary.iter_mut().zip(types) {
            *binary = match data_type {
                DataType::Utf8View => false,
                DataType::BinaryView => true,
                _ => return None,
            };
        }
        Some(ViewKeys {
            binary,
            inline: HashMap::default(),
            long: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            views: Vec::new(),
            bytes: Vec::new(),
            firsts: std::array::from_fn(|_| Vec::new()),
            firsts_size: 0,
        })
    }

    /// Keeps the values of the groups numbered from `before` on, made by the batch of `cols` whose rows'
    /// groups are `groups`: a new group's first row is where its number first appears, in order.
    fn keep_firsts(&mut self, cols: &[ArrayRef], groups: &[usize], before: usize) -> Result<()> {
        let mut rows = Vec::with_capacity(self.views.len() - before);
        let mut next = before;
        for (row, &group) in groups.iter().enumerate() {
            if group == next {
                rows.push(row as u32);
                next += 1;
            }
        }
        let rows = UInt32Array::from(rows);
        for (c, col) in cols.iter().enumerate() {
            let first = take(col, &rows, None)?;
            // Only the longer strings are copied; without any, the batch's buffers are dropped.
            let first: ArrayRef = match self.binary[c] {
                true => Arc::new(first.as_binary_view().gc()),
                false => Arc::new(first.as_string_view().gc()),
            };
            self.firsts_size += first.get_array_memory_size();
            self.firsts[c].push(first);
        }
        Ok(())
    }

    #[inline(always)]
    fn inline_group(&mut self, key: Key<N>) -> u32 {
        let views = &mut self.views;
        *self.inline.entry(key).or_insert_with(|| {
            views.push(key);
            (views.len() - 1) as u32
        })
    }

    /// The group of a row with a longer string: its strings' bytes are hashed and compared, the shorter
    /// ones' views.
    // Not inlined: the loop over rows stays small for the short strings' path, the common one.
    #[inline(never)]
    fn long_group(&mut self, columns: &[Column; N], key: Key<N>) -> Result<u32> {
        let mut values: [Option<&[u8]>; N] = [None; N];
        for (c, value) in values.iter_mut().enumerate() {
            if key.0[c] as u32 > INLINE {
                *value = Some(columns[c].bytes(key.0[c])?);
            }
        }
        let mut state = self.hasher.build_hasher();
        for (value, view) in values.iter().zip(key.0) {
            match value {
                Some(bytes) => bytes.hash(&mut state),
                None => state.write_u128(view),
            }
        }
        let hash = state.finish();
        let (views, bytes) = (&self.views, &self.bytes);
        let same = |&(h, group): &(u64, u32)| {
            h == hash
                && values.iter().zip(views[group as usize].0).zip(key.0).all(|((value, ours), theirs)| {
                    match value {
                        Some(value) => ours as u32 > INLINE && long_bytes(bytes, ours) == *value,
                        None => ours == theirs,
                    }
                })
        };
        if let Some(&(_, group)) = self.long.find(hash, same) {
            return Ok(group);
        }
        let mut kept = key;
        for (view, value) in kept.0.iter_mut().zip(values) {
            if let Some(value) = value {
                let offset = u32::try_from(self.bytes.len())
                    .ok()
                    .filter(|o| o.checked_add(value.len() as u32).is_some())
                    .ok_or_else(|| {
                        DataFusionError::ResourcesExhausted("more than 4 GB of distinct keys".into())
                    })?;
                self.bytes.extend_from_slice(value);
                *view = make_view(value, 0, offset);
            }
        }
        let group = self.views.len() as u32;
        self.views.push(kept);
        self.long.insert_unique(hash, (hash, group), |&(h, _)| h);
        Ok(group)
    }

    /// All the groups as one array a column, in the order of their numbers; the groups are then empty.
    fn take_all(&mut self) -> Result<Vec<ArrayRef>> {
        // Fresh maps and lists, not cleared ones: a partial aggregate emits when the pool refuses it more
        // memory, and a cleared one keeps its allocation.
        self.views = Vec::new();
        self.bytes = Vec::new();
        self.inline = HashMap::default();
        self.long = HashTable::new();
        self.firsts_size = 0;
        (0..N)
            .map(|c| {
                let mut firsts = std::mem::take(&mut self.firsts[c]);
                Ok(match firsts.len() {
                    0 => new_empty_array(match self.binary[c] {
                        true => &DataType::BinaryView,
                        false => &DataType::Utf8View,
                    }),
                    1 => firsts.remove(0),
                    _ => concat(&firsts.iter().map(|a| a.as_ref()).collect::<Vec<_>>())?,
                })
            })
            .collect()
    }
}

/// A longer string's bytes in `bytes`, from its group's view.
fn long_bytes(bytes: &[u8], view: u128) -> &[u8] {
    let (len, offset) = (view as u32 as usize, (view >> 96) as u32 as usize);
    &bytes[offset..offset + len]
}

impl<const N: usize> GroupValues for ViewKeys<N> {
    fn intern(&mut self, cols: &[ArrayRef], groups: &mut Vec<usize>) -> Result<()> {
        let columns = cols.iter().map(Column::of).collect::<Result<Vec<_>>>()?;
        let columns: [Column; N] = columns
            .try_into()
            .map_err(|_| DataFusionError::Internal(format!("view keys group by {N} columns")))?;
        let rows = columns[0].views.len();
        if columns.iter().any(|c| c.views.len() != rows) {
            return Err(DataFusionError::Internal("group columns of different lengths".into()));
        }
        // Each column's views cut to the rows' number, so that reading a row's needs no bounds check.
        let views: [&[u128]; N] = std::array::from_fn(|c| &columns[c].views[..rows]);
        let before = self.views.len();
        groups.clear();
        groups.reserve(rows);
        // A row's number reads one view from each of the N columns: no one iterator stands for it.
        #[allow(clippy::needless_range_loop)]
        for row in 0..rows {
            let key = Key(std::array::from_fn(|c| match columns[c].nulls {
                Some(nulls) if nulls.is_null(row) => NULL,
                _ => views[c][row],
            }));
            let group = match key.inline() {
                true => self.inline_group(key),
                false => self.long_group(&columns, key)?,
            };
            groups.push(group as usize);
        }
        if self.views.len() > before {
            self.keep_firsts(cols, groups, before)?;
        }
        Ok(())
    }

    fn size(&self) -> usize {
        self.inline.allocation_size()
            + self.long.allocation_size()
            + self.views.capacity() * size_of::<Key<N>>()
            + self.bytes.capacity()
            + self.firsts_size
    }

    fn is_empty(&self) -> bool {
        self.views.is_empty()
    }

    fn len(&self) -> usize {
        self.views.len()
    }

    fn emit(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let all = self.take_all()?;
        let len = all.first().map_or(0, |c| c.len());
        match emit_to {
            EmitTo::First(n) if n < len => {
                // Rare (only an aggregate emitting early by its input's order would ask): the rest is
                // grouped again, in its order, so its groups are numbered from 0.
                let rest: Vec<ArrayRef> = all.iter().map(|c| c.slice(n, len - n)).collect();
                let mut renumbered = Vec::new();
                self.intern(&rest, &mut renumbered)?;
                Ok(all.iter().map(|c| c.slice(0, n)).collect())
            }
            _ => Ok(all),
        }
    }

    fn clear_shrink(&mut self, num_rows: usize) {
        self.inline.clear();
        self.inline.shrink_to(num_rows);
        self.long.clear();
        self.long.shrink_to(num_rows, |&(h, _)| h);
        self.views.clear();
        self.views.shrink_to(num_rows);
        self.bytes.clear();
        self.bytes.shrink_to(num_rows);
        self.firsts = std::array::from_fn(|_| Vec::new());
        self.firsts_size = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BinaryViewArray, StringViewArray, StringViewBuilder};
    use datafusion::physical_plan::aggregates::group_values::new_group_values;
    use datafusion::physical_plan::aggregates::order::GroupOrdering;

    /// Short and long strings, one long string under two views (two buffers, as two pages' dictionaries
    /// give it), nulls, and the empty string.
    fn keys(seed: usize, rows: usize) -> ArrayRef {
        let long = |i: usize| format!("a contact of a long name number {i}");
        let mut builder = StringViewBuilder::new();
        let first = builder.append_block(long(1).into_bytes().into());
        let second = builder.append_block(long(1).into_bytes().into());
        for row in 0..rows {
            let i = (row * 7919 + seed) % 1000;
            match i % 10 {
                0 => builder.append_null(),
                1 => builder.append_value(""),
                2 => builder.append_value(long(i % 50)),
                3 => builder.try_append_view(first, 0, long(1).len() as u32).expect("view"),
                4 => builder.try_append_view(second, 0, long(1).len() as u32).expect("view"),
                _ => builder.append_value(format!("c-{:08}", i % 300)),
            }
        }
        Arc::new(builder.finish())
    }

    /// Each row's value through the groups it was given, after emitting them.
    fn values_through_groups(values: &mut dyn GroupValues, batches: &[ArrayRef]) -> Vec<Option<String>> {
        let mut groups_of = Vec::new();
        for batch in batches {
            let mut groups = Vec::new();
            values.intern(std::slice::from_ref(batch), &mut groups).expect("intern");
            groups_of.push(groups);
        }
        let emitted = values.emit(EmitTo::All).expect("emit").remove(0);
        let emitted = emitted.as_string_view();
        groups_of
            .iter()
            .flatten()
            .map(|&g| emitted.is_valid(g).then(|| emitted.value(g).to_string()))
            .collect()
    }

    #[test]
    fn every_row_finds_its_own_value_and_as_many_groups_as_datafusion_makes() {
        let batches: Vec<ArrayRef> = (0..4).map(|seed| keys(seed, 5000)).collect();
        let rows: Vec<Option<String>> = batches
            .iter()
            .flat_map(|b| b.as_string_view().iter().map(|v| v.map(str::to_string)).collect::<Vec<_>>())
            .collect();
        let mut ours = ViewKeys::<1>::of(&[DataType::Utf8View]).expect("a view column");
        assert_eq!(values_through_groups(&mut ours, &batches), rows);
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
            datafusion::arrow::datatypes::Field::new("contact_id", DataType::Utf8View, true),
        ]));
        let mut theirs = new_group_values(schema, &GroupOrdering::None).expect("group values");
        let mut groups = Vec::new();
        for batch in &batches {
            ours.intern(std::slice::from_ref(batch), &mut groups).expect("intern");
            theirs.intern(std::slice::from_ref(batch), &mut groups).expect("intern");
        }
        assert_eq!(ours.len(), theirs.len(), "one group for each distinct value, null included");
        assert!(ours.is_empty() == theirs.is_empty() && ours.size() > 0);
    }

    #[test]
    fn emitting_the_first_groups_keeps_the_rest_numbered_from_zero() {
        let mut keys_ = ViewKeys::<1>::of(&[DataType::Utf8View]).expect("a view column");
        let column: ArrayRef = Arc::new(StringViewArray::from(vec![
            Some("b"),
            None,
            Some("a long string of more than twelve bytes"),
            Some("a"),
        ]));
        let mut groups = Vec::new();
        keys_.intern(std::slice::from_ref(&column), &mut groups).expect("intern");
        assert_eq!(groups, vec![0, 1, 2, 3]);
        let first = keys_.emit(EmitTo::First(2)).expect("emit").remove(0);
        assert_eq!(first.as_string_view().iter().collect::<Vec<_>>(), vec![Some("b"), None]);
        keys_.intern(std::slice::from_ref(&column), &mut groups).expect("intern");
        assert_eq!(groups, vec![2, 3, 0, 1], "the long string and 'a' kept their order, from 0");
        let rest = keys_.emit(EmitTo::All).expect("emit").remove(0);
        let rest: Vec<_> = rest.as_string_view().iter().collect();
        assert_eq!(rest, vec![Some("a long string of more than twelve bytes"), Some("a"), Some("b"), None]);
    }

    #[test]
    fn binary_views_are_grouped_as_bytes() {
        let mut keys_ = ViewKeys::<1>::of(&[DataType::BinaryView]).expect("a view column");
        let column: ArrayRef = Arc::new(BinaryViewArray::from(vec![
            b"\x00\x01".as_slice(),
            b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c".as_slice(),
            b"\x00\x01".as_slice(),
        ]));
        let mut groups = Vec::new();
        keys_.intern(std::slice::from_ref(&column), &mut groups).expect("intern");
        assert_eq!(groups, vec![0, 1, 0]);
        let emitted = keys_.emit(EmitTo::All).expect("emit").remove(0);
        assert_eq!(emitted.as_binary_view().value(1).len(), 13);
        assert!(ViewKeys::<1>::of(&[DataType::Utf8]).is_none(), "not a view column");
        assert!(view_keys(&[DataType::Utf8View, DataType::Utf8]).is_none(), "not a view column");
        assert!(view_keys(&vec![DataType::Utf8View; 5]).is_none(), "five columns");
    }

    /// A column of a few values (null, the empty string and a long one among them) beside `keys`.
    fn channels(seed: usize, rows: usize) -> ArrayRef {
        let values = [Some("sms"), Some("whatsapp"), None, Some(""), Some("a channel of a long name")];
        Arc::new(StringViewArray::from_iter((0..rows).map(|row| values[(row * 31 + seed) % values.len()])))
    }

    #[test]
    fn a_tuple_finds_its_own_values_and_as_many_groups_as_datafusion_makes() {
        let batches: Vec<[ArrayRef; 2]> =
            (0..4).map(|seed| [channels(seed, 5000), keys(seed, 5000)]).collect();
        let mut ours = view_keys(&[DataType::Utf8View, DataType::Utf8View]).expect("view columns");
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
            datafusion::arrow::datatypes::Field::new("channel", DataType::Utf8View, true),
            datafusion::arrow::datatypes::Field::new("contact_id", DataType::Utf8View, true),
        ]));
        let mut theirs = new_group_values(schema, &GroupOrdering::None).expect("group values");
        let (mut groups, mut their_groups) = (Vec::new(), Vec::new());
        let mut found = Vec::new();
        for batch in &batches {
            ours.intern(batch, &mut groups).expect("intern");
            theirs.intern(batch, &mut their_groups).expect("intern");
            found.extend(groups.iter().copied());
        }
        assert_eq!(ours.len(), theirs.len(), "one group for each distinct pair, nulls included");
        let emitted = ours.emit(EmitTo::All).expect("emit");
        let value = |column: &ArrayRef, row: usize| {
            let column = column.as_string_view();
            column.is_valid(row).then(|| column.value(row).to_string())
        };
        let rows = batches.iter().flat_map(|batch| (0..batch[0].len()).map(move |row| (batch, row)));
        for ((batch, row), group) in rows.zip(found) {
            assert_eq!(value(&emitted[0], group), value(&batch[0], row));
            assert_eq!(value(&emitted[1], group), value(&batch[1], row));
        }
        assert!(ours.is_empty(), "emitting all leaves none");
    }
}
