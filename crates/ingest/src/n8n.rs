//! Exports n8n workflows equivalent to the sync engine (architecture document §2.3), for teams that still run
//! n8n: a master workflow (schedule, active tenants, one entity workflow per tenant, audit) and one workflow
//! per entity (cursor read, paginated fetch with `updated_since`/`limit`/cursor, transform to RAW rows,
//! validation, load, cursor update). Snowflake is their warehouse, as in the document.

use crate::SyncError;
use crate::entity::Entity;
use inda_core::Error;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn node(name: &str, kind: &str, x: i64, parameters: Value) -> Value {
    json!({"name": name, "type": kind, "typeVersion": 1, "position": [x, 300], "parameters": parameters})
}

fn chain(names: &[&str]) -> Value {
    let mut c = serde_json::Map::new();
    for w in names.windows(2) {
        c.insert(w[0].to_string(), json!({"main": [[{"node": w[1], "type": "main", "index": 0}]]}));
    }
    Value::Object(c)
}

fn schedule(minutes: u32) -> Value {
    json!({"rule": {"interval": [{"field": "minutes", "minutesInterval": minutes}]}})
}

/// The workflow of one entity (triggered per tenant by the master, or on its own schedule).
pub fn entity_workflow(entity: Entity, api_base: &str, every_minutes: u32) -> Value {
    let e = entity.name();
    let table = format!("RAW.INDIGITAL_{}", e.to_uppercase());
    let cursor_query = if entity.full_refresh() {
        "SELECT NULL AS last_cursor".to_string()
    } else {
        format!(
            "SELECT cursor_value AS last_cursor FROM ADMIN.SYNC_STATE WHERE entity = '{e}' AND tenant_id = '{{{{$json.tenant_id}}}}'"
        )
    };
    let names = [
        "Schedule Trigger",
        "Get Sync State",
        "Fetch inDigital Records",
        "Transform Data",
        "Validate Records",
        "Load to Snowflake",
        "Update Sync State",
    ];
    let nodes = vec![
        node(
            names[0],
            "n8n-nodes-base.scheduleTrigger",
            0,
            schedule(if entity.full_refresh() { 60 } else { every_minutes }),
        ),
        node(
            names[1],
            "n8n-nodes-base.snowflake",
            220,
            json!({"operation": "executeQuery", "query": cursor_query}),
        ),
        node(
            names[2],
            "n8n-nodes-base.httpRequest",
            440,
            json!({
                "url": format!("{}/v1/{e}", api_base.trim_end_matches('/')),
                "method": "GET",
                "authentication": "predefinedCredentialType",
                "sendHeaders": true,
                "headerParameters": {"parameters": [{"name": "X-Tenant-ID", "value": "={{$json.tenant_id}}"}]},
                "queryParameters": {"updated_since": "={{$node['Get Sync State'].json.last_cursor}}", "limit": 1000},
                "options": {
                    "timeout": 30000,
                    "retry": {"maxTries": 5, "waitBetweenTries": 1000},
                    "pagination": {
                        "paginationMode": "cursor",
                        "cursorProperty": "pagination.cursor",
                        "stopCondition": "={{!$json.pagination.has_more}}"
                    }
                }
            }),
        ),
        node(
            names[3],
            "n8n-nodes-base.code",
            660,
            json!({"jsCode": "return items.flatMap(page => page.json.data.map(r => ({ json: { _tenant_id: $env.CURRENT_TENANT_ID, _loaded_at: new Date().toISOString(), _source_data: r } })));"}),
        ),
        node(
            names[4],
            "n8n-nodes-base.filter",
            880,
            json!({"conditions": {"string": [{"value1": "={{$json._source_data.id}}", "operation": "isNotEmpty"}]}}),
        ),
        node(
            names[5],
            "n8n-nodes-base.snowflake",
            1100,
            json!({"operation": "insert", "table": table, "columns": "tenant_id, source_id, payload, source_updated_at"}),
        ),
        node(
            names[6],
            "n8n-nodes-base.snowflake",
            1320,
            json!({"operation": "executeQuery", "query": format!(
                "MERGE INTO ADMIN.SYNC_STATE t USING (SELECT '{{{{$env.CURRENT_TENANT_ID}}}}' AS tenant_id, '{e}' AS entity, \
                 (SELECT MAX(source_updated_at) FROM {table} WHERE tenant_id = '{{{{$env.CURRENT_TENANT_ID}}}}') AS cursor_value) s \
                 ON t.tenant_id = s.tenant_id AND t.entity = s.entity \
                 WHEN MATCHED THEN UPDATE SET cursor_value = s.cursor_value, last_synced_at = CURRENT_TIMESTAMP(), status = 'ok' \
                 WHEN NOT MATCHED THEN INSERT (tenant_id, entity, cursor_value, last_synced_at, status) VALUES (s.tenant_id, s.entity, s.cursor_value, CURRENT_TIMESTAMP(), 'ok')"
            )}),
        ),
    ];
    json!({"name": format!("indigital_{e}_sync"), "nodes": nodes, "connections": chain(&names), "settings": {"executionOrder": "v1"}})
}

/// The master workflow: every `every_minutes`, each active tenant runs each entity workflow; then an audit row.
pub fn master_workflow(every_minutes: u32) -> Value {
    let names = ["Schedule Trigger", "Active Tenants", "Each Tenant", "Sync Entities", "Log Completion"];
    let entities: Vec<Value> =
        Entity::ALL.iter().map(|e| json!({"workflow": format!("indigital_{}_sync", e.name())})).collect();
    let nodes = vec![
        node(names[0], "n8n-nodes-base.scheduleTrigger", 0, schedule(every_minutes)),
        node(
            names[1],
            "n8n-nodes-base.snowflake",
            220,
            json!({"operation": "executeQuery", "query": "SELECT tenant_id FROM ADMIN.TENANTS WHERE is_active = TRUE"}),
        ),
        node(names[2], "n8n-nodes-base.splitInBatches", 440, json!({"batchSize": 1})),
        node(
            names[3],
            "n8n-nodes-base.executeWorkflow",
            660,
            json!({"source": "database", "workflows": entities, "mode": "each", "options": {"waitForSubWorkflow": true}}),
        ),
        node(
            names[4],
            "n8n-nodes-base.snowflake",
            880,
            json!({"operation": "executeQuery", "query": "INSERT INTO ADMIN.AUDIT_LOG (tenant_id, action, details) SELECT '{{$json.tenant_id}}', 'sync', PARSE_JSON('{\"source\": \"n8n\"}')"}),
        ),
    ];
    json!({"name": "indigital_master_sync", "nodes": nodes, "connections": chain(&names), "settings": {"executionOrder": "v1"}})
}

/// Writes `indigital_master_sync.json` and one `indigital_<entity>_sync.json` per entity into `out`.
pub fn export(out: &Path, api_base: &str, every_minutes: u32) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(out)
        .map_err(|source| SyncError::ExportDir { path: out.to_path_buf(), source })?;
    let mut written = Vec::new();
    let mut workflows = vec![master_workflow(every_minutes)];
    workflows.extend(Entity::ALL.iter().map(|e| entity_workflow(*e, api_base, every_minutes)));
    for w in workflows {
        let name = w["name"].as_str().unwrap_or("workflow").to_string();
        let path = out.join(format!("{name}.json"));
        let text = serde_json::to_vec_pretty(&w).map_err(SyncError::Serialize)?;
        inda_core::fs::write_atomic(&path, &text).map_err(SyncError::ExportWrite)?;
        written.push(path);
    }
    Ok(written)
}
