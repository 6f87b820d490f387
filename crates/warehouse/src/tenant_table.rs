//! A tenant's table whose files are proven, by their own Parquet footers, to hold only that tenant's rows.
//!
//! Every query the guard passes filters each table on `tenant_id`. Evaluated row by row, that filter read and
//! compared a column that, in a tenant's directory, holds one value: a tenth of a grouped count's time. Here
//! the footers prove it: when every row group of every file read has `tenant_id` statistics with
//! min = max = the directory's tenant and no nulls, the guard's filter is known to hold on every row, so the
//! table tells the planner it applies it exactly (it is dropped, and `tenant_id` is not read unless selected).
//! A file without that proof (no statistics, another tenant's rows, a footer that does not read) leaves the
//! filter to run as written: never less safe than the guard's SQL.
//!
//! The table reads exactly the files it proved (one URL per file, not the directory), so a file added after
//! the proof is not read by that query. The same footers give the table's rows, which tell the optimizer a
//! small dimension (`eager.rs`). Not here: which tenants a session may see (the guard, the scope).

use crate::encryption::{self, WarehouseKey};
use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::datasource::listing::ListingTable;
use datafusion::datasource::{TableType, source_as_provider};
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown, TableScan};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::file::statistics::Statistics;
use datafusion::physical_plan::ExecutionPlan;
use inda_core::marts::TENANT_COLUMN;
use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// A [`ListingTable`] over some tenants' files, with the tenants its footers prove it holds.
#[derive(Debug)]
pub(crate) struct TenantTable {
    files: Arc<ListingTable>,
    /// The only values `tenant_id` takes in the files, when every file proved it; `None` otherwise.
    proven: Option<BTreeSet<String>>,
    /// The rows of the files, by their footers; `None` when one did not read.
    rows: Option<u64>,
    /// Columns no two rows share: a table of one file whose footer proves its key (`unique_key.rs`).
    unique: Option<Vec<String>>,
}

impl TenantTable {
    pub(crate) fn new(files: ListingTable, proven: Option<BTreeSet<String>>, rows: Option<u64>) -> Self {
        TenantTable { files: Arc::new(files), proven, rows, unique: None }
    }

    /// The same table, whose rows share no value of the columns `unique` (a proof of its one file's footer).
    pub(crate) fn with_unique(mut self, unique: Option<Vec<String>>) -> Self {
        self.unique = unique;
        self
    }

    /// The rows of the table's files, by their footers, before any filter; `None` when unknown.
    pub(crate) fn rows(&self) -> Option<u64> {
        self.rows
    }

    /// Whether `filter` holds on every row of the files: it admits every tenant they are proven to hold.
    fn always_holds(&self, filter: &Expr) -> bool {
        match (&self.proven, admitted_tenants(filter)) {
            (Some(proven), Some(admitted)) => proven.is_subset(&admitted),
            _ => false,
        }
    }
}

/// The rows of the warehouse table `scan` reads, by its footers: `Some(None)` when they did not say, `None`
/// when it reads no warehouse table (a table in memory).
pub(crate) fn scan_rows(scan: &TableScan) -> Option<Option<u64>> {
    let provider = source_as_provider(&scan.source).ok()?;
    Some(provider.as_any().downcast_ref::<TenantTable>()?.rows())
}

/// The columns of the warehouse table `scan` reads that no two of its rows share, when its footer proves it.
pub(crate) fn scan_unique(scan: &TableScan) -> Option<Vec<String>> {
    let provider = source_as_provider(&scan.source).ok()?;
    provider.as_any().downcast_ref::<TenantTable>()?.unique.clone()
}

/// The tenants a filter on `tenant_id` admits, when it is only that: `tenant_id = 'a'`,
/// `tenant_id IN ('a', 'b')` or an OR of those. `None` for anything else.
fn admitted_tenants(filter: &Expr) -> Option<BTreeSet<String>> {
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) => {
            let tenant = match (left.as_ref(), right.as_ref()) {
                (Expr::Column(c), Expr::Literal(v, _)) | (Expr::Literal(v, _), Expr::Column(c))
                    if c.name == TENANT_COLUMN =>
                {
                    text(v)?
                }
                _ => return None,
            };
            Some(BTreeSet::from([tenant]))
        }
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Or, right }) => {
            let mut tenants = admitted_tenants(left)?;
            tenants.extend(admitted_tenants(right)?);
            Some(tenants)
        }
        Expr::InList(list) if !list.negated => match list.expr.as_ref() {
            Expr::Column(c) if c.name == TENANT_COLUMN => list
                .list
                .iter()
                .map(|e| match e {
                    Expr::Literal(v, _) => text(v),
                    _ => None,
                })
                .collect(),
            _ => None,
        },
        _ => None,
    }
}

/// A non-null string literal.
fn text(value: &ScalarValue) -> Option<String> {
    value.try_as_str().flatten().map(str::to_string)
}

#[async_trait]
impl TableProvider for TenantTable {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn schema(&self) -> SchemaRef {
        self.files.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> DfResult<Vec<TableProviderFilterPushDown>> {
        let files = self.files.supports_filters_pushdown(filters)?;
        Ok(filters
            .iter()
            .zip(files)
            .map(
                |(f, pushdown)| {
                    if self.always_holds(f) { TableProviderFilterPushDown::Exact } else { pushdown }
                },
            )
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        // The filters that hold on every row are dropped here, so `tenant_id` is neither read nor compared.
        let rest: Vec<Expr> = filters.iter().filter(|f| !self.always_holds(f)).cloned().collect();
        self.files.scan(state, projection, &rest, limit).await
    }
}

/// What one file's footer proves, kept while the file's size and modification time stay the same.
#[derive(Default)]
pub(crate) struct Proofs {
    files: Mutex<HashMap<PathBuf, Proof>>,
}

#[derive(Clone)]
struct Proof {
    len: u64,
    modified: Option<SystemTime>,
    /// What the footer says.
    footer: Footer,
}

/// What one file's footer says.
#[derive(Clone, Default)]
pub(crate) struct Footer {
    /// The one tenant every row of the file belongs to, when its footer proves it.
    pub(crate) tenant: Option<String>,
    /// The file's rows; `None` when the footer does not read.
    pub(crate) rows: Option<u64>,
    /// The key columns no two of its rows share, when the footer says so (`unique_key.rs`).
    pub(crate) unique: Option<Vec<String>>,
}

impl Proofs {
    /// What the footer of the file at `path` says: the tenant it holds only rows of, by its `tenant_id`
    /// statistics, and its rows.
    pub(crate) fn footer(&self, path: &Path, key: Option<&WarehouseKey>) -> Footer {
        let Ok(meta) = std::fs::metadata(path) else { return Footer::default() };
        let (len, modified) = (meta.len(), meta.modified().ok());
        let known = self.files.lock().ok().and_then(|files| files.get(path).cloned());
        match known {
            Some(p) if p.len == len && p.modified == modified && modified.is_some() => p.footer,
            _ => {
                let proof = Proof { len, modified, footer: read_footer(path, key) };
                if let Ok(mut files) = self.files.lock() {
                    files.insert(path.to_path_buf(), proof.clone());
                }
                proof.footer
            }
        }
    }
}

/// What the footer of the file at `path` says, read now; nothing when it does not read.
fn read_footer(path: &Path, key: Option<&WarehouseKey>) -> Footer {
    let Some(reader) = open(path, key) else { return Footer::default() };
    let file = reader.metadata().file_metadata();
    let rows = u64::try_from(file.num_rows()).ok();
    let unique = crate::unique_key::proven(file.key_value_metadata());
    Footer { tenant: tenant_of(&reader), rows, unique }
}

fn open(path: &Path, key: Option<&WarehouseKey>) -> Option<ParquetRecordBatchReaderBuilder<std::fs::File>> {
    let file = std::fs::File::open(path).ok()?;
    let options = encryption::reader_options(key).ok()?;
    ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).ok()
}

/// The tenant of every row of the file, when each row group's `tenant_id` statistics are exact, equal at
/// both ends and count no null. `None` when the footer does not say so.
fn tenant_of(reader: &ParquetRecordBatchReaderBuilder<std::fs::File>) -> Option<String> {
    let metadata = reader.metadata();
    let schema = metadata.file_metadata().schema_descr();
    let column = (0..schema.num_columns()).find(|&i| schema.column(i).path().string() == TENANT_COLUMN)?;
    let mut tenant: Option<&[u8]> = None;
    for group in metadata.row_groups() {
        let Some(Statistics::ByteArray(stats)) = group.column(column).statistics() else { return None };
        let (min, max) = (stats.min_opt()?.data(), stats.max_opt()?.data());
        let exact = stats.min_is_exact() && stats.max_is_exact() && stats.null_count_opt() == Some(0);
        if !exact || min != max || tenant.is_some_and(|t| t != min) {
            return None;
        }
        tenant = Some(min);
    }
    // A file of no row groups holds no rows; it proves nothing either way.
    String::from_utf8(tenant?.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::{admitted_tenants, read_footer};
    use datafusion::arrow::array::{ArrayRef, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::logical_expr::{col, lit};
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
    use datafusion::prelude::in_list;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    /// A Parquet file of one `tenant_id` column, in row groups of two rows.
    fn file(
        dir: &std::path::Path,
        name: &str,
        tenants: &[&str],
        stats: EnabledStatistics,
    ) -> std::path::PathBuf {
        let path = dir.join(name);
        let column: ArrayRef = Arc::new(StringArray::from(tenants.to_vec()));
        let batch = RecordBatch::try_from_iter([("tenant_id", column)]).unwrap();
        let props =
            WriterProperties::builder().set_max_row_group_size(2).set_statistics_enabled(stats).build();
        let mut writer =
            ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), Some(props)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        path
    }

    /// Only footers that say, for every row group, that `tenant_id` is one value with no nulls prove a tenant.
    #[test]
    fn a_footer_proves_a_tenant_only_when_every_row_group_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let one = file(d, "one.parquet", &["a", "a", "a"], EnabledStatistics::Chunk);
        assert_eq!(read_footer(&one, None).tenant.as_deref(), Some("a"));
        assert_eq!(read_footer(&one, None).rows, Some(3));
        // The second row group is another tenant's: each group alone is uniform, the file is not.
        let two = file(d, "two.parquet", &["a", "a", "b"], EnabledStatistics::Chunk);
        assert_eq!(read_footer(&two, None).tenant, None);
        let mixed = file(d, "mixed.parquet", &["a", "b"], EnabledStatistics::Page);
        assert_eq!(read_footer(&mixed, None).tenant, None);
        let silent = file(d, "silent.parquet", &["a", "a"], EnabledStatistics::None);
        assert_eq!(read_footer(&silent, None).tenant, None);
        std::fs::write(d.join("junk.parquet"), b"not parquet").unwrap();
        assert_eq!(read_footer(&d.join("junk.parquet"), None).tenant, None);
        assert_eq!(read_footer(&d.join("junk.parquet"), None).rows, None);
    }

    fn set(tenants: &[&str]) -> Option<BTreeSet<String>> {
        Some(tenants.iter().map(|t| t.to_string()).collect())
    }

    /// Only a filter on `tenant_id` alone, by equality or a list, admits tenants; anything else proves nothing.
    #[test]
    fn reads_only_plain_tenant_filters() {
        assert_eq!(admitted_tenants(&col("tenant_id").eq(lit("acme"))), set(&["acme"]));
        assert_eq!(admitted_tenants(&lit("acme").eq(col("tenant_id"))), set(&["acme"]));
        let list = in_list(col("tenant_id"), vec![lit("a"), lit("b")], false);
        assert_eq!(admitted_tenants(&list), set(&["a", "b"]));
        let either = col("tenant_id").eq(lit("a")).or(col("tenant_id").eq(lit("b")));
        assert_eq!(admitted_tenants(&either), set(&["a", "b"]));

        assert_eq!(admitted_tenants(&in_list(col("tenant_id"), vec![lit("a")], true)), None);
        assert_eq!(admitted_tenants(&col("tenant_id").not_eq(lit("a"))), None);
        assert_eq!(admitted_tenants(&col("channel").eq(lit("a"))), None);
        assert_eq!(admitted_tenants(&col("tenant_id").eq(col("channel"))), None);
        let mixed = col("tenant_id").eq(lit("a")).or(col("channel").eq(lit("b")));
        assert_eq!(admitted_tenants(&mixed), None);
        let both = col("tenant_id").eq(lit("a")).and(col("channel").eq(lit("b")));
        assert_eq!(admitted_tenants(&both), None);
        let null = datafusion::common::ScalarValue::Utf8(None);
        assert_eq!(admitted_tenants(&col("tenant_id").eq(lit(null))), None);
    }
}
