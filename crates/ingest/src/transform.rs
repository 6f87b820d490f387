//! RAW → STAGING → MARTS for one tenant, in DataFusion SQL.
//!
//! STAGING mirrors the Snowflake views (warehouse/snowflake/03_staging.sql): typed, normalised
//! (`LOWER`/`UPPER`/`NULLIF(TRIM(..))`/`COALESCE`), and de-duplicated by id keeping the latest `updated_at`
//! (ties: the latest load). MARTS are STAGING in the contract's exact schema (data-model.md), ordered by
//! their key (`inda_core::marts`: the id, or currency and month for fx_rates), in row groups of one value
//! of the table's cluster column, as the demo generator writes them.
//! Both are rebuilt per tenant and table from the committed RAW files and replaced atomically (temp file and
//! rename), so the result depends only on what was committed: a full sync gives the same marts as the demo
//! generator, whatever retries, duplicates or crashes happened on the way.

use crate::SyncError;
use crate::entity::Entity;
use crate::raw::{raw_schema, write_parquet_atomic};
use datafusion::arrow::compute::cast;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::prelude::{SessionConfig, SessionContext};
use inda_core::marts;
use inda_warehouse::encryption::{self, WarehouseKey};
use inda_warehouse::marts_schema;
use std::path::Path;
use std::sync::Arc;

/// The STAGING table of a mart.
pub fn staging_table(mart: &str) -> &'static str {
    match mart {
        "dim_contacts" => "stg_contacts",
        "dim_campaigns" => "stg_campaigns",
        "fct_messages" => "stg_messages",
        "fx_rates" => "stg_fx_rates",
        _ => "stg_activities",
    }
}

/// Keeps the latest version of each record of `raw_<entity>`.
fn latest(entity: Entity) -> String {
    format!(
        "(SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC NULLS LAST, _seq DESC) \
         AS _rn FROM raw_{e}) WHERE _rn = 1)",
        e = entity.name()
    )
}

fn staging_sql(mart: &str) -> String {
    match mart {
        "dim_contacts" => format!(
            "SELECT _tenant_id AS tenant_id, id AS contact_id, full_name, NULLIF(TRIM(email), '') AS email, \
             NULLIF(TRIM(phone), '') AS phone, UPPER(country) AS country, city, LOWER(segment) AS segment, \
             LOWER(lifecycle_stage) AS lifecycle_stage, LOWER(source_channel) AS source_channel, \
             COALESCE(opted_in, FALSE) AS opted_in, created_at, COALESCE(updated_at, created_at) AS updated_at \
             FROM {}",
            latest(Entity::Users)
        ),
        "dim_campaigns" => format!(
            "SELECT _tenant_id AS tenant_id, id AS campaign_id, name AS campaign_name, LOWER(channel) AS channel, \
             LOWER(\"type\") AS campaign_type, LOWER(status) AS status, started_at, ended_at, \
             CAST(COALESCE(budget, CAST(0 AS DECIMAL(12, 2))) AS DECIMAL(12, 2)) AS budget FROM {}",
            latest(Entity::Campaigns)
        ),
        "fct_messages" => format!(
            "SELECT _tenant_id AS tenant_id, id AS message_id, contact_id, campaign_id, LOWER(channel) AS channel, \
             LOWER(direction) AS direction, LOWER(status) AS status, template_name, sent_at, delivered_at, \
             read_at, CAST(COALESCE(cost, CAST(0 AS DECIMAL(10, 4))) AS DECIMAL(10, 4)) AS cost FROM {}",
            latest(Entity::Messages)
        ),
        "fx_rates" => format!(
            "SELECT _tenant_id AS tenant_id, UPPER(currency) AS currency, \"month\", \
             CAST(rate AS DECIMAL(18, 8)) AS rate FROM {}",
            latest(Entity::FxRates)
        ),
        // Events and transactions together; transactions carry the amounts (refunds negative).
        _ => format!(
            "SELECT _tenant_id AS tenant_id, id AS activity_id, contact_id, campaign_id, \
             LOWER(\"type\") AS activity_type, LOWER(channel) AS channel, occurred_at, \
             CAST(NULL AS DECIMAL(12, 2)) AS amount, CAST(NULL AS VARCHAR) AS currency FROM {} \
             UNION ALL \
             SELECT _tenant_id AS tenant_id, id AS activity_id, contact_id, campaign_id, \
             COALESCE(LOWER(\"type\"), CASE WHEN amount < 0 THEN 'refund' ELSE 'purchase' END) AS activity_type, \
             LOWER(channel) AS channel, occurred_at, amount, UPPER(currency) AS currency FROM {}",
            latest(Entity::Events),
            latest(Entity::Transactions)
        ),
    }
}

fn df_error(step: &'static str) -> impl Fn(datafusion::error::DataFusionError) -> SyncError {
    move |source| SyncError::DataFusion { step, source }
}

/// Registers `raw_<entity>` over the given committed RAW files (an empty table when there are none).
fn register_raw(
    ctx: &SessionContext,
    warehouse: &Path,
    seal: Option<&WarehouseKey>,
    entity: Entity,
    files: &[String],
) -> Result<(), SyncError> {
    let schema = raw_schema(entity);
    let name = format!("raw_{}", entity.name());
    let provider: Arc<dyn datafusion::catalog::TableProvider> = if files.is_empty() {
        Arc::new(MemTable::try_new(schema, vec![vec![]]).map_err(df_error("empty RAW table"))?)
    } else {
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(warehouse.join(f).display().to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(df_error("RAW file url"))?;
        let options =
            ListingOptions::new(Arc::new(encryption::parquet_format(seal))).with_file_extension(".parquet");
        let config =
            ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options).with_schema(schema);
        Arc::new(ListingTable::try_new(config).map_err(df_error("RAW table"))?)
    };
    ctx.register_table(name.as_str(), provider).map_err(df_error("register RAW"))?;
    Ok(())
}

/// Rebuilds STAGING and MARTS of `mart` for `tenant` from the committed RAW files `files(entity)`.
/// Returns the marts rows written.
pub async fn rebuild(
    warehouse: &Path,
    seal: Option<&WarehouseKey>,
    tenant: &str,
    mart: &str,
    files: &dyn Fn(Entity) -> Vec<String>,
) -> Result<u64, SyncError> {
    let schema = marts_schema(mart).ok_or_else(|| SyncError::UnknownMart(mart.to_string()))?;
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    for &entity in Entity::sources_of(mart) {
        register_raw(&ctx, warehouse, seal, entity, &files(entity))?;
    }
    let frame = ctx.sql(&staging_sql(mart)).await.map_err(df_error("staging SQL"))?;
    let stg_schema: datafusion::arrow::datatypes::SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let staging = frame
        .collect()
        .await
        .map_err(df_error("staging"))?
        .into_iter()
        .map(|b| RecordBatch::try_new(stg_schema.clone(), b.columns().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(SyncError::StagingBatch)?;
    let stg = staging_table(mart);
    let stg_path = warehouse.join("staging").join(stg).join(tenant).join("data.parquet");
    write_parquet_atomic(&stg_path, stg_schema.clone(), &staging, seal, None)?;

    // MARTS: the contract's schema and order.
    ctx.register_table(
        "stg",
        Arc::new(MemTable::try_new(stg_schema, vec![staging]).map_err(df_error("staging table"))?),
    )
    .map_err(df_error("register staging"))?;
    let table = marts::table(mart).ok_or_else(|| SyncError::NoMartKey(mart.to_string()))?;
    let key = &table.key;
    let order: Vec<String> = key.iter().map(|c| format!("\"{c}\"")).collect();
    let columns: Vec<String> = schema.fields().iter().map(|f| format!("\"{}\"", f.name())).collect();
    let sql = format!("SELECT {} FROM stg ORDER BY {}", columns.join(", "), order.join(", "));
    let batches =
        ctx.sql(&sql).await.map_err(df_error("marts SQL"))?.collect().await.map_err(df_error("marts"))?;
    let mut out = Vec::with_capacity(batches.len());
    let mut rows = 0u64;
    for b in batches {
        let cols = b
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| if c.data_type() == f.data_type() { Ok(c.clone()) } else { cast(c, f.data_type()) })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| SyncError::MartCast { mart: mart.to_string(), source })?;
        let batch = RecordBatch::try_new(schema.clone(), cols)
            .map_err(|source| SyncError::MartContract { mart: mart.to_string(), source })?;
        rows += batch.num_rows() as u64;
        out.push(batch);
    }
    let path = warehouse.join("marts").join(mart).join(tenant).join("data.parquet");
    write_parquet_atomic(&path, schema, &out, seal, Some(table))?;
    Ok(rows)
}
