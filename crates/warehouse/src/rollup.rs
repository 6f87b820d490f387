//! Rollups: each tenant's facts summed by day over their low-cardinality columns
//! (`warehouse/rollups.json`), so that a grouped question over a hundred million messages reads tens of
//! thousands of rows. A 35 M-message tenant's messages fit in 60 K rows, its activities in 76 K.
//!
//! What this module does: where a tenant's rollup lives, whether it is fresh, building it, and registering
//! it on a query's session. Whether a query may be answered from it, and the rewrite, are
//! [`crate::route`]'s.
//!
//! A rollup file is named by a fingerprint of the fact files it summarises (names, sizes, modification
//! times). Any change to the facts (a new demo, a sync) changes the fingerprint, so a stale rollup is never
//! read: the next query that could use it builds it afresh first (a few seconds at 100 M messages, once),
//! and a rollup that cannot be built leaves the query on the facts. It is never the only copy of anything.

use crate::encryption::{self, WarehouseKey};
use crate::error::WarehouseError;
use crate::marts::marts_schema;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use inda_core::Error;
use serde::Deserialize;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The schema rollups are registered in. The guard never lets a query name it: only [`crate::route`]'s
/// rewrite of a guarded query reaches it, keeping the guard's tenant filter.
pub(crate) const SCHEMA: &str = "rollup";

/// The column counting the fact rows each rollup row stands for.
pub(crate) const ROWS_COLUMN: &str = "rollup_rows";

/// The column counting, for a summed column, the fact rows where it is not null (what an average divides
/// by): `rollup_rows_<column>`.
pub(crate) fn count_column(sum: &str) -> String {
    format!("{ROWS_COLUMN}_{}", sum.to_ascii_lowercase())
}

/// One rollup, as `warehouse/rollups.json` defines it.
#[derive(Debug, Deserialize)]
pub(crate) struct Rollup {
    /// Its table name in [`SCHEMA`].
    pub name: String,
    /// The marts fact table it summarises.
    pub of: String,
    /// The fact's timestamp, truncated to the day (same name, same type).
    pub day: String,
    /// Columns kept as they are (besides `tenant_id`).
    pub keys: Vec<String>,
    /// Columns summed per row (same name, same type: a day's sum fits the contract's precision, and a
    /// rollup that overflows it fails to build and is not used).
    pub sums: Vec<String>,
    /// A dimension joined in (inner, on its key), whose columns the rollup keeps as keys: it answers the
    /// fact joined with that dimension, and only that.
    #[serde(default)]
    pub join: Option<DimensionJoin>,
}

/// The dimension of a rollup built over a join.
#[derive(Debug, Deserialize)]
pub(crate) struct DimensionJoin {
    /// The marts dimension table.
    pub table: String,
    /// The key the fact and the dimension share.
    pub on: String,
    /// Its columns kept in the rollup (names distinct from the fact's).
    pub columns: Vec<String>,
}

/// The rollups of `warehouse/rollups.json`.
pub(crate) fn rollups() -> &'static [Rollup] {
    static ROLLUPS: OnceLock<Vec<Rollup>> = OnceLock::new();
    ROLLUPS.get_or_init(|| {
        // Checked by a unit test; an unreadable list would only mean no rollups.
        serde_json::from_str(include_str!("../../../warehouse/rollups.json")).unwrap_or_default()
    })
}

/// The rollup of a marts fact table read alone, if it has one.
pub(crate) fn of_table(table: &str) -> Option<&'static Rollup> {
    rollups().iter().find(|r| r.of.eq_ignore_ascii_case(table) && r.join.is_none())
}

/// The rollups built over a fact joined with a dimension.
pub(crate) fn joined() -> impl Iterator<Item = (&'static Rollup, &'static DimensionJoin)> {
    rollups().iter().filter_map(|r| Some((r, r.join.as_ref()?)))
}

/// A rollup by name.
pub(crate) fn named(name: &str) -> Option<&'static Rollup> {
    rollups().iter().find(|r| r.name == name)
}

impl Rollup {
    /// The Arrow schema of its files: `tenant_id`, the keys and the day as in the fact, the row count, the
    /// sums as in the fact, and each sum's count of values.
    pub(crate) fn schema(&self) -> Result<SchemaRef, Error> {
        let fact = marts_schema(&self.of).ok_or(WarehouseError::NoSchema("rollup"))?;
        let field = |name: &str| -> Result<Field, Error> {
            Ok(fact.field_with_name(name).map_err(|_| WarehouseError::NoSchema("rollup"))?.clone())
        };
        let mut fields = vec![field(inda_core::marts::TENANT_COLUMN)?];
        for key in &self.keys {
            fields.push(field(key)?);
        }
        if let Some(join) = &self.join {
            let dimension = marts_schema(&join.table).ok_or(WarehouseError::NoSchema("rollup"))?;
            for column in &join.columns {
                let f = dimension.field_with_name(column).map_err(|_| WarehouseError::NoSchema("rollup"))?;
                fields.push(f.clone());
            }
        }
        fields.push(field(&self.day)?);
        fields.push(Field::new(ROWS_COLUMN, DataType::Int64, false));
        for sum in &self.sums {
            fields.push(field(sum)?.with_nullable(true));
        }
        for sum in &self.sums {
            fields.push(Field::new(count_column(sum), DataType::Int64, false));
        }
        Ok(Arc::new(Schema::new(fields)))
    }

    /// Whether `column` of the fact is kept in the rollup as it is.
    pub(crate) fn is_key(&self, column: &str) -> bool {
        column.eq_ignore_ascii_case(inda_core::marts::TENANT_COLUMN)
            || self.keys.iter().any(|k| k.eq_ignore_ascii_case(column))
            || self.join.as_ref().is_some_and(|j| j.columns.iter().any(|c| c.eq_ignore_ascii_case(column)))
    }

    /// The marts tables it is built from: its fact, and its dimension if any.
    pub(crate) fn sources(&self) -> Vec<&str> {
        std::iter::once(self.of.as_str()).chain(self.join.as_ref().map(|j| j.table.as_str())).collect()
    }

    pub(crate) fn is_sum(&self, column: &str) -> bool {
        self.sums.iter().any(|s| s.eq_ignore_ascii_case(column))
    }

    pub(crate) fn is_day(&self, column: &str) -> bool {
        self.day.eq_ignore_ascii_case(column)
    }

    /// What builds it from one tenant's facts (registered as `marts.<of>` on a session of that tenant).
    fn build_sql(&self, tenant: &str) -> Result<String, Error> {
        let schema = self.schema()?;
        let tenant_column = inda_core::marts::TENANT_COLUMN;
        let mut keys: Vec<String> = std::iter::once(tenant_column)
            .chain(self.keys.iter().map(String::as_str))
            .map(|k| format!("f.{k}"))
            .collect();
        // Tenant ids are checked before any path or statement is built from them; the filters keep a
        // directory holding another tenant's rows (which the guard would filter) out of the rollup too.
        let mut from = format!("marts.{} AS f", self.of);
        let mut filter = format!("f.{tenant_column} = '{tenant}'");
        if let Some(join) = &self.join {
            keys.extend(join.columns.iter().map(|c| format!("d.{c}")));
            from.push_str(&format!(" JOIN marts.{} AS d ON f.{on} = d.{on}", join.table, on = join.on));
            filter.push_str(&format!(" AND d.{tenant_column} = '{tenant}'"));
        }
        let day = format!("DATE_TRUNC('day', f.{})", self.day);
        let sums = self
            .sums
            .iter()
            .map(|s| {
                let data_type = schema.field_with_name(s).map_err(|_| WarehouseError::NoSchema("rollup"))?;
                let DataType::Decimal128(p, sc) = data_type.data_type() else {
                    return Err(WarehouseError::NoSchema("rollup").into());
                };
                Ok(format!("CAST(SUM(f.{s}) AS DECIMAL({p},{sc})) AS {s}"))
            })
            .chain(self.sums.iter().map(|s| Ok(format!("COUNT(f.{s}) AS {}", count_column(s)))))
            .collect::<Result<Vec<String>, Error>>()?;
        Ok(format!(
            "SELECT {keys}, {day} AS {day_name}, COUNT(*) AS {ROWS_COLUMN}, {sums} FROM {from} WHERE {filter} \
             GROUP BY {keys}, {day} ORDER BY {day_name}",
            keys = keys.join(", "),
            day_name = self.day,
            sums = sums.join(", "),
        ))
    }
}

/// Where a tenant's rollup files live: `<root>/rollups/<name>/<tenant>/`.
pub(crate) fn dir(root: &Path, rollup: &Rollup, tenant: &str) -> PathBuf {
    root.join("rollups").join(&rollup.name).join(tenant)
}

/// The file a fresh rollup of these source files (its fact's and its dimension's) has. The fingerprint
/// only has to tell this program's own builds apart, so the standard library's hasher (fixed keys) is
/// enough: a Rust upgrade that changed it, or a data dir moved elsewhere, costs one rebuild. It covers the
/// statement that builds the rollup too, so that a rollup of another definition (an older version of this
/// program's) is never read as this one.
pub(crate) fn fresh_file(root: &Path, rollup: &Rollup, tenant: &str, sources: &[PathBuf]) -> PathBuf {
    let mut hasher = std::hash::DefaultHasher::new();
    rollup.build_sql(tenant).ok().hash(&mut hasher);
    for file in sources {
        file.hash(&mut hasher);
        if let Ok(meta) = std::fs::metadata(file) {
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    dir(root, rollup, tenant).join(format!("{:016x}.parquet", hasher.finish()))
}

/// Builds the rollup of one tenant into `file` (see [`fresh_file`]) on `ctx`, a session of that tenant
/// alone, and removes the tenant's older rollup files. Written atomically and owner-only, like every file of
/// the data dir ([`inda_core::fs`]): a reader sees a whole file or none. Two queries that build the same
/// rollup at once keep the first file: a second one renamed over it would change the bytes under a reader
/// that had read the first one's footer (encrypted files differ on every write), which then fails.
pub(crate) async fn build(
    ctx: &SessionContext,
    rollup: &Rollup,
    tenant: &str,
    file: &Path,
    key: Option<&WarehouseKey>,
) -> Result<(), Error> {
    let failed = |e: &dyn std::fmt::Display| WarehouseError::Rollup(format!("{}: {e}", rollup.name));
    let batches = ctx
        .sql(&rollup.build_sql(tenant)?)
        .await
        .map_err(|e| failed(&e))?
        .collect()
        .await
        .map_err(|e| failed(&e))?;
    let dir = file.parent().ok_or_else(|| failed(&"no directory"))?;
    private_dirs(dir)?;
    let started = std::time::SystemTime::now();
    let schema = rollup.schema()?;
    inda_core::fs::create_new_private_with(file, |out| write(out, &schema, &batches, key))?;
    // Older rollups of this tenant go; one written while this one was built may be of newer facts, and a
    // query may be about to read it.
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let older = entry.metadata().and_then(|m| m.modified()).is_ok_and(|m| m < started);
        if path != file && older && path.extension().is_some_and(|e| e == "parquet") {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// `dir` and the folders above it up to the warehouse root, owner-only where this creates them.
fn private_dirs(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        private_dirs(parent)?;
    }
    inda_core::fs::create_private_dir(dir)
}

fn write(
    out: &mut std::fs::File,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    key: Option<&WarehouseKey>,
) -> Result<(), Error> {
    let failed = |e: &dyn std::fmt::Display| WarehouseError::Rollup(e.to_string());
    let props = encryption::writer_properties(key)?;
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(|e| failed(&e))?;
    for batch in batches {
        // The engine reads strings as views; the files hold plain strings, like the marts'.
        let columns = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| cast(c, f.data_type()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(&e))?;
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| failed(&e))?;
        writer.write(&batch).map_err(|e| failed(&e))?;
    }
    writer.close().map_err(|e| failed(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::rollups;

    /// The shipped list parses, and each rollup's columns exist in its fact with the types it needs.
    #[test]
    fn the_shipped_rollups_are_well_formed() {
        assert_eq!(rollups().len(), 3);
        for rollup in rollups() {
            let schema = rollup.schema().expect("schema");
            let joined = rollup.join.as_ref().map_or(0, |j| j.columns.len());
            assert_eq!(
                schema.fields().len(),
                rollup.keys.len() + joined + 2 * rollup.sums.len() + 3,
                "{}",
                rollup.name
            );
            assert!(rollup.build_sql("acme_corp").expect("sql").contains("GROUP BY f.tenant_id"));
        }
    }
}
