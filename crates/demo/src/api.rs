//! A local inDigital API over the deterministic demo data, for tests and demos (`inda demo api`).
//!
//! Records are derived from the marts the demo generator writes (same seed, scale and as-of give the same
//! records): dim_contacts → users, dim_campaigns → campaigns, fct_messages → messages, fct_activities →
//! events (non-monetary) and transactions (purchases and refunds), fx_rates → fx_rates (id: currency and
//! month, `COP:2025-06-01`). Each record gets an `updated_at` (contacts: theirs; messages: their latest
//! status time; activities: when they occurred; campaigns: start or end; rates: their month). Pagination
//! is keyset on (`updated_at`, `id`): the cursor names the last record served, so records updated during a
//! sync move behind it and are served again later in the same run. `updated_since` is inclusive. Faults:
//! see [`crate::faults`].

use crate::DemoError;
use crate::faults::{Faults, Injected};
use crate::{DemoOptions, generate};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, TimeUnit, TimestampMicrosecondType,
};
use inda_core::Error;
use inda_ingest::Entity;
use inda_ingest::api::ApiTenant;
use inda_ingest::raw::{format_date, format_decimal, format_ts, parse_ts};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// One record as served: its key and its JSON text.
#[derive(Debug, Clone)]
struct Rec {
    updated_us: i64,
    id: String,
    json: String,
}

type Table = Vec<Rec>;

/// The server's data and knobs.
pub struct DemoApi {
    tenants: Vec<ApiTenant>,
    data: RwLock<BTreeMap<(String, Entity), Table>>,
    faults: Faults,
    api_key: Option<String>,
    requests: AtomicU64,
    updated_tenants: Mutex<BTreeSet<String>>,
}

fn read_batches(path: &Path) -> Result<Vec<RecordBatch>, Error> {
    let file = std::fs::File::open(path).map_err(|e| DemoError::file(path, "open", e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(8192).build())
        .map_err(|e| DemoError::file(path, "read", e))?;
    reader.collect::<Result<Vec<_>, _>>().map_err(|e| DemoError::file(path, "read", e).into())
}

/// The JSON text of one cell (`null` for NULL), and its timestamp when it is one.
fn cell(batch: &RecordBatch, col: &str, row: usize) -> (String, Option<i64>) {
    let Some(a) = batch.column_by_name(col) else { return ("null".into(), None) };
    if a.is_null(row) {
        return ("null".into(), None);
    }
    match a.data_type() {
        DataType::Utf8 => (serde_json::to_string(a.as_string::<i32>().value(row)).unwrap_or_default(), None),
        DataType::Boolean => (a.as_boolean().value(row).to_string(), None),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let v = a.as_primitive::<TimestampMicrosecondType>().value(row);
            (format!("\"{}\"", format_ts(v)), Some(v))
        }
        DataType::Decimal128(_, s) => {
            (format_decimal(a.as_primitive::<Decimal128Type>().value(row), *s), None)
        }
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(row);
            (format!("\"{}\"", format_date(days)), Some(i64::from(days) * 86_400_000_000))
        }
        _ => ("null".into(), None),
    }
}

/// A cell as plain text (for ids): strings as they are, everything else as its JSON text.
fn plain(batch: &RecordBatch, col: &str, row: usize) -> String {
    match batch.column_by_name(col).map(|a| a.data_type()) {
        Some(DataType::Utf8) => str_cell(batch, col, row),
        _ => cell(batch, col, row).0.trim_matches('"').to_string(),
    }
}

fn str_cell(batch: &RecordBatch, col: &str, row: usize) -> String {
    batch
        .column_by_name(col)
        .filter(|a| !a.is_null(row))
        .map(|a| a.as_string::<i32>().value(row).to_string())
        .unwrap_or_default()
}

/// Builds the records of one entity from a marts table's batches: the columns whose values, joined by `:`,
/// make the record's `id` (its first field), `(json field, marts column)` pairs, and which timestamp or date
/// columns make `updated_at` (the latest non-null; `fallback` when none).
fn records(
    batches: &[RecordBatch],
    fields: &[(&str, &str)],
    id_cols: &[&str],
    updated_from: &[&str],
    keep: &dyn Fn(&RecordBatch, usize) -> bool,
) -> Table {
    let mut out = Vec::new();
    for b in batches {
        for row in 0..b.num_rows() {
            if !keep(b, row) {
                continue;
            }
            let id = id_cols.iter().map(|c| plain(b, c, row)).collect::<Vec<_>>().join(":");
            let mut json = String::with_capacity(256);
            json.push_str("{\"id\":");
            json.push_str(&serde_json::to_string(&id).unwrap_or_default());
            for (name, col) in fields {
                json.push_str(",\"");
                json.push_str(name);
                json.push_str("\":");
                json.push_str(&cell(b, col, row).0);
            }
            let updated_us =
                updated_from.iter().filter_map(|c| cell(b, c, row).1).max().unwrap_or(946_684_800_000_000);
            json.push_str(",\"updated_at\":\"");
            json.push_str(&format_ts(updated_us));
            json.push_str("\"}");
            out.push(Rec { updated_us, id, json });
        }
    }
    out.sort_by(|a, b| (a.updated_us, &a.id).cmp(&(b.updated_us, &b.id)));
    out
}

/// fx_rates → fx_rates: the mart has no id column, so currency and month make it.
fn fx_records(batches: &[RecordBatch]) -> Table {
    let fields = [("currency", "currency"), ("month", "month"), ("rate", "rate")];
    records(batches, &fields, &["currency", "month"], &["month"], &|_, _| true)
}

#[derive(Deserialize)]
struct TenantRow {
    tenant_id: String,
    #[serde(default)]
    tenant_name: String,
    #[serde(default)]
    partner_id: String,
    #[serde(default = "yes")]
    is_active: bool,
}
fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct PageQuery {
    updated_since: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], serde_json::json!({"error": message}).to_string())
        .into_response()
}

/// A running server; stops when dropped.
pub struct DemoApiHandle {
    /// The address actually bound (with the chosen port when asked for port 0).
    pub addr: SocketAddr,
    /// The served API, to edit records or count requests while it runs.
    pub api: Arc<DemoApi>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoApiHandle {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for DemoApiHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DemoApi {
    /// Serves the demo warehouse at `warehouse` (as `inda demo init` writes it).
    pub fn from_warehouse(warehouse: &Path) -> Result<DemoApi, Error> {
        let tenants_path = warehouse.join("admin").join("tenants.json");
        let text = std::fs::read(&tenants_path)
            .map_err(|source| DemoError::TenantsUnreadable { path: tenants_path.clone(), source })?;
        let rows: Vec<TenantRow> = serde_json::from_slice(&text).map_err(DemoError::TenantsInvalid)?;
        let mut data = BTreeMap::new();
        for t in &rows {
            let marts = |table: &str| {
                read_batches(&warehouse.join("marts").join(table).join(&t.tenant_id).join("data.parquet"))
            };
            let contacts = marts("dim_contacts")?;
            data.insert(
                (t.tenant_id.clone(), Entity::Users),
                records(
                    &contacts,
                    &[
                        ("full_name", "full_name"),
                        ("email", "email"),
                        ("phone", "phone"),
                        ("country", "country"),
                        ("city", "city"),
                        ("segment", "segment"),
                        ("lifecycle_stage", "lifecycle_stage"),
                        ("source_channel", "source_channel"),
                        ("opted_in", "opted_in"),
                        ("created_at", "created_at"),
                    ],
                    &["contact_id"],
                    &["updated_at"],
                    &|_, _| true,
                ),
            );
            let campaigns = marts("dim_campaigns")?;
            data.insert(
                (t.tenant_id.clone(), Entity::Campaigns),
                records(
                    &campaigns,
                    &[
                        ("name", "campaign_name"),
                        ("channel", "channel"),
                        ("type", "campaign_type"),
                        ("status", "status"),
                        ("started_at", "started_at"),
                        ("ended_at", "ended_at"),
                        ("budget", "budget"),
                    ],
                    &["campaign_id"],
                    &["started_at", "ended_at"],
                    &|_, _| true,
                ),
            );
            let messages = marts("fct_messages")?;
            data.insert(
                (t.tenant_id.clone(), Entity::Messages),
                records(
                    &messages,
                    &[
                        ("contact_id", "contact_id"),
                        ("campaign_id", "campaign_id"),
                        ("channel", "channel"),
                        ("direction", "direction"),
                        ("status", "status"),
                        ("template_name", "template_name"),
                        ("sent_at", "sent_at"),
                        ("delivered_at", "delivered_at"),
                        ("read_at", "read_at"),
                        ("cost", "cost"),
                    ],
                    &["message_id"],
                    &["sent_at", "delivered_at", "read_at"],
                    &|_, _| true,
                ),
            );
            let activities = marts("fct_activities")?;
            let monetary = |b: &RecordBatch, r: usize| {
                matches!(str_cell(b, "activity_type", r).as_str(), "purchase" | "refund")
            };
            data.insert(
                (t.tenant_id.clone(), Entity::Events),
                records(
                    &activities,
                    &[
                        ("contact_id", "contact_id"),
                        ("campaign_id", "campaign_id"),
                        ("type", "activity_type"),
                        ("channel", "channel"),
                        ("occurred_at", "occurred_at"),
                    ],
                    &["activity_id"],
                    &["occurred_at"],
                    &|b, r| !monetary(b, r),
                ),
            );
            data.insert(
                (t.tenant_id.clone(), Entity::Transactions),
                records(
                    &activities,
                    &[
                        ("contact_id", "contact_id"),
                        ("campaign_id", "campaign_id"),
                        ("type", "activity_type"),
                        ("channel", "channel"),
                        ("occurred_at", "occurred_at"),
                        ("amount", "amount"),
                        ("currency", "currency"),
                    ],
                    &["activity_id"],
                    &["occurred_at"],
                    &monetary,
                ),
            );
            data.insert((t.tenant_id.clone(), Entity::FxRates), fx_records(&marts("fx_rates")?));
        }
        let tenants = rows
            .into_iter()
            .map(|r| ApiTenant {
                tenant_id: r.tenant_id,
                tenant_name: r.tenant_name,
                partner_id: r.partner_id,
                is_active: r.is_active,
            })
            .collect();
        Ok(DemoApi {
            tenants,
            data: RwLock::new(data),
            faults: Faults::default(),
            api_key: None,
            requests: AtomicU64::new(0),
            updated_tenants: Mutex::new(BTreeSet::new()),
        })
    }

    /// Generates the demo data (as `inda demo init` would with `opts`) in a temp dir and serves it.
    pub fn generate(opts: &DemoOptions) -> Result<DemoApi, Error> {
        let tmp = tempfile::tempdir().map_err(DemoError::TempDir)?;
        let dir = tmp.path().join("warehouse");
        generate(&dir, opts, &|_| {})?;
        DemoApi::from_warehouse(&dir)
    }

    /// Injects `faults` into the page requests (none by default).
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Requires `Authorization: Bearer <key>`.
    pub fn with_api_key(mut self, key: Option<String>) -> Self {
        self.api_key = key;
        self
    }

    /// Records served for a tenant and entity.
    pub fn count(&self, tenant: &str, entity: Entity) -> usize {
        self.data.read().map(|d| d.get(&(tenant.to_string(), entity)).map_or(0, Vec::len)).unwrap_or(0)
    }

    /// All records served, over every tenant and entity.
    pub fn total(&self) -> usize {
        self.data.read().map(|d| d.values().map(Vec::len).sum()).unwrap_or(0)
    }

    /// Page requests received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Edits a record upstream: sets `field` to `value` and moves its `updated_at` past every other record of
    /// the entity (one second after the latest). Returns the new record, or `None` when there is no such id.
    pub fn update(
        &self,
        tenant: &str,
        entity: Entity,
        id: &str,
        field: &str,
        value: serde_json::Value,
    ) -> Option<serde_json::Value> {
        let mut data = self.data.write().ok()?;
        let table = data.get_mut(&(tenant.to_string(), entity))?;
        Self::update_in(table, id, field, value)
    }

    fn update_in(
        table: &mut Table,
        id: &str,
        field: &str,
        value: serde_json::Value,
    ) -> Option<serde_json::Value> {
        let pos = table.iter().position(|r| r.id == id)?;
        let latest = table.last().map_or(0, |r| r.updated_us);
        let mut rec = table.remove(pos);
        let mut json: serde_json::Value = serde_json::from_str(&rec.json).ok()?;
        rec.updated_us = latest + 1_000_000;
        json[field] = value;
        json["updated_at"] = serde_json::Value::String(format_ts(rec.updated_us));
        rec.json = json.to_string();
        table.push(rec);
        Some(json)
    }

    /// Adds a new record upstream (its `updated_at` is set after every other record's).
    pub fn insert(
        &self,
        tenant: &str,
        entity: Entity,
        mut record: serde_json::Value,
    ) -> Option<serde_json::Value> {
        let mut data = self.data.write().ok()?;
        let table = data.get_mut(&(tenant.to_string(), entity))?;
        let updated_us = table.last().map_or(0, |r| r.updated_us) + 1_000_000;
        record["updated_at"] = serde_json::Value::String(format_ts(updated_us));
        let id = record.get("id")?.as_str()?.to_string();
        table.push(Rec { updated_us, id, json: record.to_string() });
        Some(record)
    }

    /// Listens on `bind` (port 0 picks a free port) and serves on the current tokio runtime.
    pub async fn serve(self, bind: SocketAddr) -> Result<DemoApiHandle, Error> {
        let listener =
            tokio::net::TcpListener::bind(bind).await.map_err(|source| DemoError::Listen { bind, source })?;
        let addr = listener.local_addr().map_err(DemoError::LocalAddr)?;
        let api = Arc::new(self);
        let app = Router::new()
            .route("/v1/tenants", get(list_tenants))
            .route("/v1/{entity}", get(page))
            .with_state(api.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "the demo API server stopped");
            }
        });
        Ok(DemoApiHandle { addr, api, task })
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        match &self.api_key {
            None => true,
            Some(k) => headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|v| v == k),
        }
    }
}

async fn list_tenants(State(api): State<Arc<DemoApi>>, headers: HeaderMap) -> Response {
    if !api.authorized(&headers) {
        return json_error(StatusCode::UNAUTHORIZED, "invalid API key");
    }
    axum::Json(serde_json::json!({"data": api.tenants})).into_response()
}

async fn page(
    State(api): State<Arc<DemoApi>>,
    UrlPath(entity): UrlPath<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    if !api.authorized(&headers) {
        return json_error(StatusCode::UNAUTHORIZED, "invalid API key");
    }
    let Some(entity) = Entity::parse(&entity) else {
        return json_error(StatusCode::NOT_FOUND, "no such entity");
    };
    let Some(tenant) = headers.get("x-tenant-id").and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return json_error(StatusCode::BAD_REQUEST, "the X-Tenant-ID header is required");
    };
    let n = api.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if !api.faults.slow.is_zero() {
        tokio::time::sleep(api.faults.slow).await;
    }
    let injected = api.faults.injected(n);
    match injected {
        Injected::RateLimited => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, api.faults.retry_after_secs.to_string())],
                "rate limited",
            )
                .into_response();
        }
        Injected::ServerError => return json_error(StatusCode::INTERNAL_SERVER_ERROR, "injected failure"),
        Injected::Dropped | Injected::None => {}
    }
    let since = match q.updated_since.as_deref().filter(|s| !s.is_empty()) {
        None => i64::MIN,
        Some(s) => match parse_ts(s) {
            Some(t) => t,
            None => {
                return json_error(StatusCode::BAD_REQUEST, "updated_since must be an ISO 8601 timestamp");
            }
        },
    };
    let after: Option<(i64, String)> = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match c.split_once('.').and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id.to_string())))
        {
            Some(k) => Some(k),
            None => return json_error(StatusCode::BAD_REQUEST, "invalid cursor"),
        },
    };
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let body = {
        let Ok(mut data) = api.data.write() else {
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "lock poisoned");
        };
        let Some(table) = data.get_mut(&(tenant.clone(), entity)) else {
            return json_error(StatusCode::NOT_FOUND, "no such tenant");
        };
        let mut start = table.partition_point(|r| r.updated_us < since);
        if let Some((t, id)) = &after {
            start = start.max(table.partition_point(|r| (r.updated_us, r.id.as_str()) <= (*t, id.as_str())));
        }
        let end = (start + limit).min(table.len());
        let dup_from = if after.is_some() { start.saturating_sub(api.faults.duplicates) } else { start };
        let mut body = String::with_capacity((end - dup_from) * 260 + 100);
        body.push_str("{\"data\":[");
        for (i, r) in table[dup_from..end].iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&r.json);
        }
        let has_more = end < table.len();
        let cursor =
            if end > start { table.get(end - 1).map(|r| format!("{}.{}", r.updated_us, r.id)) } else { None };
        body.push_str("],\"pagination\":");
        body.push_str(
            &serde_json::json!({"cursor": cursor, "has_more": has_more && cursor.is_some()}).to_string(),
        );
        body.push('}');
        // Records edited upstream while this tenant's users are being synced.
        if entity == Entity::Users
            && api.faults.update_during_sync > 0
            && after.is_none()
            && has_more
            && api.updated_tenants.lock().is_ok_and(|mut u| u.insert(tenant.clone()))
        {
            let ids: Vec<String> =
                table[start..end].iter().take(api.faults.update_during_sync).map(|r| r.id.clone()).collect();
            for id in ids {
                DemoApi::update_in(table, &id, "city", serde_json::Value::String("Updated City".into()));
            }
        }
        body
    };
    if injected == Injected::Dropped {
        // Half the body, then the connection is cut.
        let half = Bytes::from(body.into_bytes()).slice(..);
        let cut = half.len() / 2;
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            vec![Ok(half.slice(..cut)), Err(std::io::Error::other("injected connection drop"))];
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap_or_else(|_| json_error(StatusCode::INTERNAL_SERVER_ERROR, "response"));
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
