//! The sync engine against the local demo API: full sync equals the demo marts (fx_rates included),
//! incremental syncs pick up only changes, full refreshes restate, faults are survived or reported, one
//! tenant's failure leaves the others alone.

use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::record_batch::RecordBatch;
use inda_core::marts;
use inda_demo::{DemoApi, DemoApiHandle, DemoOptions, Faults, generate};
use inda_ingest::{ApiConfig, Entity, SyncOptions, sync};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;
use std::time::Duration;

struct Setup {
    /// Holds the demo warehouse (`demo/`) and the synced one (`synced/`).
    dir: tempfile::TempDir,
    server: DemoApiHandle,
}

impl Setup {
    fn demo(&self) -> std::path::PathBuf {
        self.dir.path().join("demo")
    }
    fn synced(&self) -> std::path::PathBuf {
        self.dir.path().join("synced")
    }
    fn options(&self) -> SyncOptions {
        let mut api = ApiConfig::new(self.server.url());
        api.backoff = Duration::from_millis(5);
        api.timeout = Duration::from_secs(20);
        let mut o = SyncOptions::new(api);
        o.page_limit = 500;
        o
    }
}

/// Demo data for `tenants` at `scale`, served by a local API with `faults`.
async fn setup(tenants: Option<&[&str]>, scale: f64, faults: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        scale,
        seed: 7,
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        tenants: tenants.map(|t| t.iter().map(|s| s.to_string()).collect()),
    };
    generate(&dir.path().join("demo"), &opts, &|_| {}).unwrap();
    let api = DemoApi::from_warehouse(&dir.path().join("demo"))
        .unwrap()
        .with_faults(Faults::parse(faults).unwrap());
    let server = api.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    Setup { dir, server }
}

fn read(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    let schema = inda_warehouse::marts_schema(
        path.parent().unwrap().parent().unwrap().file_name().unwrap().to_str().unwrap(),
    )
    .unwrap();
    concat_batches(&schema, &batches).unwrap()
}

fn mart(root: &Path, table: &str, tenant: &str) -> RecordBatch {
    read(&root.join("marts").join(table).join(tenant).join("data.parquet"))
}

/// The rows of each row group of a mart's file.
fn row_groups(root: &Path, table: &str, tenant: &str) -> Vec<i64> {
    let path = root.join("marts").join(table).join(tenant).join("data.parquet");
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    builder.metadata().row_groups().iter().map(|g| g.num_rows()).collect()
}

/// The key columns a mart's footer proves unique (`inda_warehouse`'s `unique_key.rs`), when it does.
fn proven_key(root: &Path, table: &str, tenant: &str) -> Option<String> {
    let path = root.join("marts").join(table).join(tenant).join("data.parquet");
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let entries = builder.metadata().file_metadata().key_value_metadata()?.clone();
    entries.into_iter().find(|e| e.key == "inda.unique_key")?.value
}

fn assert_marts_equal(s: &Setup, tenants: &[&str]) {
    for t in tenants {
        for table in marts::names() {
            let want = mart(&s.demo(), table, t);
            let got = mart(&s.synced(), table, t);
            assert_eq!(got.num_rows(), want.num_rows(), "{t} {table} rows");
            assert!(got == want, "{t} {table} differs from the demo marts");
            // The same row groups too: one activity type each in fct_activities.
            assert_eq!(row_groups(&s.synced(), table, t), row_groups(&s.demo(), table, t), "{t} {table}");
            // Both writers prove the key (the sync's rows in byte order, the generator's by number).
            let key = marts::table(table).map(|m| m.key.join(","));
            assert_eq!(proven_key(&s.synced(), table, t), key, "{t} {table}");
            assert_eq!(proven_key(&s.demo(), table, t), key, "{t} {table}");
        }
    }
}

fn entity(r: &inda_ingest::TenantReport, e: Entity) -> &inda_ingest::EntityReport {
    r.entities.iter().find(|x| x.entity == e.name()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_equals_demo_marts() {
    let s = setup(None, 0.02, "").await;
    let report = sync(&s.synced(), &s.options()).await.unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.tenants.len(), 5);
    assert_eq!(report.loaded as usize, s.server.api.total());
    assert_marts_equal(&s, &["acme_corp", "globex", "initech", "umbrella", "stark_ind"]);
    // Each row group of the activities holds one activity type, by its statistics: what lets a filter on
    // the type skip the others.
    let path = s.synced().join("marts/fct_activities/umbrella/data.parquet");
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let column = builder.parquet_schema().columns().iter().position(|c| c.name() == "activity_type").unwrap();
    let groups = builder.metadata().row_groups();
    assert!(groups.len() >= 7, "{} row groups", groups.len());
    for group in groups {
        let stats = group.column(column).statistics().unwrap();
        assert_eq!(stats.min_bytes_opt(), stats.max_bytes_opt());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_picks_up_only_changes() {
    let s = setup(Some(&["globex"]), 0.05, "").await;
    let mut opts = s.options();
    opts.tenants = Some(vec!["globex".into()]);
    let first = sync(&s.synced(), &opts).await.unwrap();
    assert!(first.ok, "{first:#?}");
    assert_marts_equal(&s, &["globex"]);

    // Nothing changed upstream: only the campaigns and the rates (full refreshes) load again.
    let again = sync(&s.synced(), &opts).await.unwrap();
    let t = &again.tenants[0];
    assert!(t.ok);
    for e in [Entity::Users, Entity::Messages, Entity::Events, Entity::Transactions] {
        assert_eq!(entity(t, e).loaded, 0, "{e} reloaded: {:?}", entity(t, e));
    }
    for e in [Entity::Campaigns, Entity::FxRates] {
        assert_eq!(entity(t, e).loaded as usize, s.server.api.count("globex", e), "{e}");
    }
    assert_marts_equal(&s, &["globex"]);

    // Two contacts edited and one message added upstream.
    let api = &s.server.api;
    api.update("globex", Entity::Users, "ct_000003", "segment", "vip".into()).unwrap();
    api.update("globex", Entity::Users, "ct_000005", "city", "Cali".into()).unwrap();
    api.insert(
        "globex",
        Entity::Messages,
        serde_json::json!({"id": "msg_9999999999", "contact_id": "ct_000003", "campaign_id": null, "channel": "WhatsApp",
            "direction": "inbound", "status": "received", "template_name": null, "sent_at": "2025-06-30T10:00:00",
            "delivered_at": null, "read_at": null, "cost": 0}),
    )
    .unwrap();
    let third = sync(&s.synced(), &opts).await.unwrap();
    let t = &third.tenants[0];
    assert!(t.ok, "{t:#?}");
    assert_eq!(entity(t, Entity::Users).loaded, 2);
    assert_eq!(entity(t, Entity::Messages).loaded, 1);
    assert_eq!(entity(t, Entity::Events).loaded, 0);

    let contacts = mart(&s.synced(), "dim_contacts", "globex");
    let want = mart(&s.demo(), "dim_contacts", "globex");
    assert_eq!(contacts.num_rows(), want.num_rows(), "an update must not duplicate a contact");
    let messages = mart(&s.synced(), "fct_messages", "globex");
    assert_eq!(messages.num_rows(), mart(&s.demo(), "fct_messages", "globex").num_rows() + 1);
    let col = |b: &RecordBatch, name: &str, row: usize| {
        use datafusion::arrow::array::AsArray;
        b.column_by_name(name).unwrap().as_string::<i32>().value(row).to_string()
    };
    assert_eq!(col(&contacts, "segment", 2), "vip");
    assert_eq!(col(&contacts, "city", 4), "Cali");
    let last = messages.num_rows() - 1;
    assert_eq!(col(&messages, "message_id", last), "msg_9999999999");
    assert_eq!(col(&messages, "channel", last), "whatsapp", "staging normalises like the Snowflake views");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fx_rates_sync_as_a_full_refresh_and_cover_every_amount() {
    use datafusion::arrow::array::{AsArray, Date32Array};
    use datafusion::arrow::datatypes::Decimal128Type;
    let s = setup(Some(&["acme_corp"]), 0.02, "").await;
    let mut opts = s.options();
    opts.tenants = Some(vec!["acme_corp".into()]);
    opts.entities = vec![Entity::FxRates];
    let first = sync(&s.synced(), &opts).await.unwrap();
    assert!(first.ok, "{first:#?}");
    let served = s.server.api.count("acme_corp", Entity::FxRates);
    assert!(served > 25, "USD for every month and the tenant's other currencies: {served}");
    assert_eq!(entity(&first.tenants[0], Entity::FxRates).loaded as usize, served);
    assert!(mart(&s.synced(), "fx_rates", "acme_corp") == mart(&s.demo(), "fx_rates", "acme_corp"));

    // A rate restated upstream: the next run reloads every rate and the mart holds the new one, once.
    let id = "MXN:2025-06-01";
    s.server.api.update("acme_corp", Entity::FxRates, id, "rate", "230.12345678".into()).unwrap();
    let second = sync(&s.synced(), &opts).await.unwrap();
    assert!(second.ok, "{second:#?}");
    assert_eq!(entity(&second.tenants[0], Entity::FxRates).loaded as usize, served);
    let fx = mart(&s.synced(), "fx_rates", "acme_corp");
    assert_eq!(fx.num_rows(), served);
    let currency = fx.column_by_name("currency").unwrap().as_string::<i32>();
    let month = fx.column_by_name("month").unwrap().as_any().downcast_ref::<Date32Array>().unwrap();
    let rate = fx.column_by_name("rate").unwrap().as_primitive::<Decimal128Type>();
    let june = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let row = (0..fx.num_rows())
        .find(|&i| currency.value(i) == "MXN" && month.value_as_date(i) == Some(june))
        .expect("the MXN rate of June 2025");
    assert_eq!(rate.value(row), 23_012_345_678);

    // Every amount of the synced activities finds its rate.
    opts.entities = Entity::ALL.to_vec();
    assert!(sync(&s.synced(), &opts).await.unwrap().ok);
    let ctx = datafusion::prelude::SessionContext::new();
    for table in ["fct_activities", "fx_rates"] {
        let dir = s.synced().join("marts").join(table).join("acme_corp");
        let opts = datafusion::prelude::ParquetReadOptions::default();
        ctx.register_parquet(table, format!("{}/", dir.display()), opts).await.unwrap();
    }
    let missing = ctx
        .sql(
            "SELECT COUNT(*) FROM fct_activities a LEFT JOIN fx_rates f ON f.currency = a.currency \
             AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
             WHERE a.amount IS NOT NULL AND f.rate IS NULL",
        )
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let n = missing[0].column(0).as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(0);
    assert_eq!(n, 0, "activities without a rate after a sync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_survived() {
    // Every 3rd request 500, every 4th dropped mid-page, every 5th 429 (Retry-After 0), pages overlap by 2
    // records, and 3 contacts are edited upstream while the sync runs.
    let s = setup(Some(&["initech"]), 0.05, "500=3,drop=4,429=5,retry-after=0,dup=2,update=3").await;
    let mut opts = s.options();
    opts.page_limit = 50;
    let report = sync(&s.synced(), &opts).await.unwrap();
    assert!(report.ok, "{report:#?}");
    let t = &report.tenants[0];
    let retries: u64 = t.entities.iter().map(|e| e.retries).sum();
    assert!(retries > 0, "{t:#?}");
    for table in ["dim_campaigns", "fct_messages", "fct_activities"] {
        assert!(mart(&s.synced(), table, "initech") == mart(&s.demo(), table, "initech"), "{table}");
    }
    let contacts = mart(&s.synced(), "dim_contacts", "initech");
    assert_eq!(contacts.num_rows(), mart(&s.demo(), "dim_contacts", "initech").num_rows());
    use datafusion::arrow::array::AsArray;
    let cities = contacts.column_by_name("city").unwrap().as_string::<i32>();
    assert_eq!(
        cities.iter().filter(|c| *c == Some("Updated City")).count(),
        3,
        "edits during the sync are picked up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_faults_are_reported_and_other_tenants_continue() {
    let s = setup(Some(&["umbrella"]), 0.02, "").await;
    let mut opts = s.options();
    opts.tenants = Some(vec!["no_such_tenant".into(), "umbrella".into()]);
    let report = sync(&s.synced(), &opts).await.unwrap();
    assert!(!report.ok);
    assert!(!report.tenants[0].ok && report.tenants[0].error.is_some());
    assert!(report.tenants[1].ok, "{:#?}", report.tenants[1]);
    assert_marts_equal(&s, &["umbrella"]);

    let broken = setup(Some(&["umbrella"]), 0.02, "500=1").await;
    let mut opts = broken.options();
    opts.api.max_retries = 2;
    opts.tenants = Some(vec!["umbrella".into()]);
    let report = sync(&broken.synced(), &opts).await.unwrap();
    let t = &report.tenants[0];
    assert!(!t.ok);
    let users = entity(t, Entity::Users);
    assert!(users.error.as_deref().unwrap().contains("gave up after 3 attempts"), "{users:?}");
}

#[test]
fn n8n_export_writes_master_and_entity_workflows() {
    let dir = tempfile::tempdir().unwrap();
    let files = inda_ingest::n8n::export(dir.path(), "https://api.indigital.com", 15).unwrap();
    assert_eq!(files.len(), Entity::ALL.len() + 1);
    assert!(dir.path().join("indigital_fx_rates_sync.json").exists());
    for f in files {
        let w: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        assert!(w["nodes"].as_array().unwrap().len() >= 5, "{}", f.display());
    }
    let users: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("indigital_users_sync.json")).unwrap())
            .unwrap();
    let fetch = &users["nodes"][2]["parameters"];
    assert_eq!(fetch["options"]["pagination"]["cursorProperty"], "pagination.cursor");
    assert_eq!(fetch["queryParameters"]["limit"], 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_of_the_same_tenant_is_refused_while_one_runs() {
    let s = setup(Some(&["globex"]), 0.02, "").await;
    let mut opts = s.options();
    opts.tenants = Some(vec!["globex".into()]);
    let dest = inda_ingest::Destination::Embedded(s.synced().into());
    // The lock a running sync holds.
    let running = dest.lock("globex").unwrap();
    let report = inda_ingest::sync_into(&dest, &opts).await.unwrap();
    let t = &report.tenants[0];
    assert!(!t.ok);
    assert!(t.error.as_deref().unwrap().contains("another sync of globex is running"), "{t:?}");
    assert!(t.entities.is_empty(), "nothing was fetched");
    drop(running);
    let report = inda_ingest::sync_into(&dest, &opts).await.unwrap();
    assert!(report.ok, "{report:#?}");
    assert_marts_equal(&s, &["globex"]);
}
