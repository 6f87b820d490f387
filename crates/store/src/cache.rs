//! Cached results: the latest result of each saved analysis (columns, rows, chart, the guarded SQL that ran,
//! and when), so that showing, exporting and working offline need no warehouse. Each result is stored
//! encrypted ([`CacheCipher`]) and bound to its owner and analysis.
//!
//! A refresh replaces the cached row, finishes its execution and records the refresh in ONE transaction: a
//! process killed mid-refresh leaves the previous result intact, never half of a new one.

use crate::cipher::CacheCipher;
use crate::kinds::{ExecutionStatus, Trigger};
use crate::saved::{finish_execution, not_found, owns, update_refresh};
use crate::{Store, StoreError, db_error, timestamp};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use inda_core::{ChartKind, ChartSpec, Column, Error, ResultSet, Value};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub(crate) const MIGRATION_4: &str = "
CREATE TABLE cached_results (
    analysis_id  TEXT PRIMARY KEY REFERENCES saved_analyses (analysis_id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    blob         BLOB NOT NULL,
    stored_at    TEXT NOT NULL
);
CREATE INDEX cached_results_owner ON cached_results (tenant_id, user_id);
";

/// The latest result of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedResult {
    /// The columns and rows as the warehouse returned them; `truncated` when the row cap cut them short.
    pub result: ResultSet,
    /// The chart chosen for this result when it was computed, drawn again as is.
    pub chart: ChartSpec,
    /// The SQL that ran, after the guard.
    pub sql: String,
    /// When the result was computed (ISO 8601, UTC).
    pub as_of: String,
}

/// One cell, tagged with its type so that a cached result reads back exactly as it was computed (the
/// contract's JSON form of a value loses the difference between a date and a string).
#[derive(Serialize, Deserialize)]
enum Cell {
    N,
    B(bool),
    I(i64),
    F(f64),
    /// Decimal units as text: JSON numbers cannot carry every i128.
    D(String, u8),
    T(String),
    Dt(NaiveDate),
    Ts(NaiveDateTime),
    J(String),
}

impl Cell {
    fn from_value(v: &Value) -> Cell {
        match v {
            Value::Null => Cell::N,
            Value::Bool(b) => Cell::B(*b),
            Value::Int(i) => Cell::I(*i),
            Value::Float(f) => Cell::F(*f),
            Value::Decimal { units, scale } => Cell::D(units.to_string(), *scale),
            Value::Text(s) => Cell::T(s.clone()),
            Value::Date(d) => Cell::Dt(*d),
            Value::Timestamp(t) => Cell::Ts(*t),
            Value::Json(j) => Cell::J(j.to_string()),
        }
    }
    fn into_value(self) -> Result<Value, Error> {
        Ok(match self {
            Cell::N => Value::Null,
            Cell::B(b) => Value::Bool(b),
            Cell::I(i) => Value::Int(i),
            Cell::F(f) => Value::Float(f),
            Cell::D(units, scale) => Value::Decimal { units: units.parse().map_err(|_| damaged())?, scale },
            Cell::T(s) => Value::Text(s),
            Cell::Dt(d) => Value::Date(d),
            Cell::Ts(t) => Value::Timestamp(t),
            Cell::J(s) => Value::Json(serde_json::from_str(&s).map_err(|_| damaged())?),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    truncated: bool,
    chart: ChartSpec,
    sql: String,
    as_of: String,
}

fn damaged() -> Error {
    StoreError::CachedResultDamaged.into()
}

impl CachedResult {
    /// The plaintext blob.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let payload = Payload {
            columns: self.result.columns.clone(),
            rows: self.result.rows.iter().map(|r| r.iter().map(Cell::from_value).collect()).collect(),
            truncated: self.result.truncated,
            chart: self.chart.clone(),
            sql: self.sql.clone(),
            as_of: self.as_of.clone(),
        };
        serde_json::to_vec(&payload).map_err(|e| StoreError::CannotSerialize(e).into())
    }

    /// Reads back a (decrypted) blob of [`CachedResult::to_bytes`], every value with its exact type. An
    /// internal error asking to run the analysis again when the blob does not parse.
    pub fn from_bytes(bytes: &[u8]) -> Result<CachedResult, Error> {
        let p: Payload = serde_json::from_slice(bytes).map_err(|_| damaged())?;
        let rows = p
            .rows
            .into_iter()
            .map(|r| r.into_iter().map(Cell::into_value).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CachedResult {
            result: ResultSet { columns: p.columns, rows, truncated: p.truncated },
            chart: p.chart,
            sql: p.sql,
            as_of: p.as_of,
        })
    }
}

impl Store {
    /// Finishes a successful run: the execution is marked `ok`, the encrypted result replaces the previous
    /// one, and the refresh is recorded, all in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn execution_succeed(
        &self,
        tenant_id: &str,
        user_id: &str,
        execution_id: &str,
        cached: &CachedResult,
        cipher: &CacheCipher,
        chart_type: Option<ChartKind>,
        next_refresh_at: Option<DateTime<Utc>>,
        trigger: Trigger,
    ) -> Result<(), Error> {
        let plaintext = cached.to_bytes()?;
        let now = timestamp(Utc::now());
        let rows = cached.result.rows.len() as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let analysis_id = finish_execution(&tx, tenant_id, user_id, execution_id, ExecutionStatus::Ok, Some(rows), None, &now)?;
            // Sealed inside the transaction, once the analysis id is known to be the caller's.
            let blob = cipher.encrypt(tenant_id, user_id, &analysis_id, &plaintext)?;
            tx.execute(
                "INSERT INTO cached_results (analysis_id, tenant_id, user_id, as_of, row_count, blob, stored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (analysis_id) DO UPDATE SET as_of = excluded.as_of, row_count = excluded.row_count,
                    blob = excluded.blob, stored_at = excluded.stored_at
                 WHERE cached_results.tenant_id = excluded.tenant_id AND cached_results.user_id = excluded.user_id",
                params![analysis_id, tenant_id, user_id, cached.as_of, rows, blob, now],
            )
            .map_err(db_error)?;
            if let Some(kind) = chart_type {
                tx.execute(
                    "UPDATE saved_analyses SET chart_type = ?4
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                    params![analysis_id, tenant_id, user_id, kind.as_str()],
                )
                .map_err(db_error)?;
            }
            update_refresh(&tx, tenant_id, user_id, &analysis_id, &now, next_refresh_at, trigger)?;
            tx.commit().map_err(db_error)
        })
    }

    /// The caller's cached result of an analysis, decrypted; `None` when it has none yet. Not-found when the
    /// analysis is not the caller's; an error when the blob does not decrypt for this owner and analysis.
    pub fn cache_get(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
        cipher: &CacheCipher,
    ) -> Result<Option<CachedResult>, Error> {
        let blob: Option<Vec<u8>> = self.with(|c| {
            if !owns(c, tenant_id, user_id, analysis_id)? {
                return Err(not_found(analysis_id));
            }
            c.query_row(
                "SELECT blob FROM cached_results WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![analysis_id, tenant_id, user_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)
        })?;
        match blob {
            None => Ok(None),
            Some(blob) => {
                let plaintext = cipher.decrypt(tenant_id, user_id, analysis_id, &blob)?;
                CachedResult::from_bytes(&plaintext).map(Some)
            }
        }
    }
}
