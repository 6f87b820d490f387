//! `inda sync` into Snowflake, against the `fakesnow` protocol peer with the deployable DDL of
//! `warehouse/snowflake/` (RAW tables, the STAGING views, ADMIN.SYNC_STATE, the marts): a full sync from the
//! local demo API gives exactly the demo marts; a second sync loads only what changed (and the campaigns'
//! full refresh replaces their previous snapshot); a sync that loses its connection mid-way resumes from
//! the committed cursor with nothing lost or doubled.

use crate::snowflake::{assert_marts_equal, deploy, session, sql, warehouse};
use inda_core::Value;
use inda_demo::{DemoApi, DemoApiHandle, DemoOptions, generate};
use inda_ingest::{ApiConfig, Destination, Entity, SnowflakeLoader, SyncOptions, sync_into};
use std::time::Duration;

struct Setup {
    dir: tempfile::TempDir,
    server: DemoApiHandle,
}

impl Setup {
    fn destination(&self) -> Destination {
        Destination::Snowflake {
            loader: Box::new(SnowflakeLoader::new(warehouse(), session("_sync"))),
            locks: self.dir.path().join("locks"),
        }
    }
    fn options(&self, tenant: &str) -> SyncOptions {
        let mut api = ApiConfig::new(self.server.url());
        api.backoff = Duration::from_millis(5);
        let mut o = SyncOptions::new(api);
        o.page_limit = 400;
        o.tenants = Some(vec![tenant.to_string()]);
        o
    }
}

async fn setup(tenant: &str, faults: &str) -> Setup {
    deploy().await;
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        scale: 0.02,
        seed: 7,
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        tenants: Some(vec![tenant.to_string()]),
    };
    generate(&dir.path().join("demo"), &opts, &|_| {}).unwrap();
    let api = DemoApi::from_warehouse(&dir.path().join("demo"))
        .unwrap()
        .with_faults(inda_demo::Faults::parse(faults).unwrap());
    let server = api.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    Setup { dir, server }
}

async fn count(query: &str) -> usize {
    sql(query).await.rows[0][0].as_f64().expect("a count") as usize
}

fn loaded(r: &inda_ingest::SyncReport, e: Entity) -> u64 {
    r.tenants[0].entities.iter().find(|x| x.entity == e.name()).unwrap().loaded
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_into_snowflake_equals_the_demo_marts_and_the_next_loads_only_changes() {
    let s = setup("acme_corp", "").await;
    let dest = s.destination();
    let report = sync_into(&dest, &s.options("acme_corp")).await.unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.warehouse, "snowflake");
    assert_eq!(report.loaded as usize, s.server.api.total());
    assert_marts_equal(&s.dir.path().join("demo"), "acme_corp").await;
    let state = count("SELECT COUNT(*) FROM ADMIN.SYNC_STATE WHERE tenant_id = 'acme_corp'").await;
    assert_eq!(state, Entity::ALL.len(), "one readable row per entity");

    // Nothing changed upstream: only the campaigns and the rates (full refreshes) load again, replacing
    // their snapshots.
    let campaigns = s.server.api.count("acme_corp", Entity::Campaigns);
    let rates = s.server.api.count("acme_corp", Entity::FxRates);
    let again = sync_into(&dest, &s.options("acme_corp")).await.unwrap();
    assert!(again.ok, "{again:#?}");
    for e in [Entity::Users, Entity::Messages, Entity::Events, Entity::Transactions] {
        assert_eq!(loaded(&again, e), 0, "{e} reloaded");
    }
    assert_eq!(loaded(&again, Entity::Campaigns) as usize, campaigns);
    assert_eq!(loaded(&again, Entity::FxRates) as usize, rates);
    assert_eq!(
        count("SELECT COUNT(*) FROM RAW.INDIGITAL_CAMPAIGNS WHERE tenant_id = 'acme_corp'").await,
        campaigns
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM RAW.INDIGITAL_FX_RATES WHERE tenant_id = 'acme_corp'").await,
        rates
    );
    assert_eq!(count("SELECT COUNT(*) FROM MARTS.FX_RATES WHERE tenant_id = 'acme_corp'").await, rates);
    // Every amount converts: no activity of the tenant lacks its currency-month's rate.
    let missing = count(
        "SELECT COUNT(*) FROM MARTS.FCT_ACTIVITIES a LEFT JOIN MARTS.FX_RATES f ON f.tenant_id = a.tenant_id \
         AND f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
         WHERE a.tenant_id = 'acme_corp' AND a.amount IS NOT NULL AND f.rate IS NULL",
    )
    .await;
    assert_eq!(missing, 0);

    // An edit upstream: one record loaded, the mart row replaced, not doubled.
    s.server.api.update("acme_corp", Entity::Users, "ct_000003", "segment", "vip".into()).unwrap();
    let third = sync_into(&dest, &s.options("acme_corp")).await.unwrap();
    assert_eq!(loaded(&third, Entity::Users), 1, "{third:#?}");
    let contacts = s.server.api.count("acme_corp", Entity::Users);
    assert_eq!(
        count("SELECT COUNT(*) FROM MARTS.DIM_CONTACTS WHERE tenant_id = 'acme_corp'").await,
        contacts
    );
    let segment = sql(
        "SELECT segment FROM MARTS.DIM_CONTACTS WHERE tenant_id = 'acme_corp' AND contact_id = 'ct_000003'",
    )
    .await;
    assert_eq!(segment.rows[0][0], Value::Text("vip".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_that_fails_mid_way_resumes_from_its_committed_cursor() {
    // Every 4th request drops the connection mid-page and retries are off: entities fail part-way, after
    // committing some pages. Later syncs (with retries) finish from where each stopped.
    let s = setup("globex", "drop=4,dup=2").await;
    let dest = s.destination();
    let mut opts = s.options("globex");
    opts.page_limit = 60;
    opts.api.max_retries = 0;
    let first = sync_into(&dest, &opts).await.unwrap();
    assert!(!first.ok, "the faults must interrupt the first sync");
    opts.api.max_retries = 5;
    let mut rounds = 0;
    loop {
        rounds += 1;
        let r = sync_into(&dest, &opts).await.unwrap();
        if r.ok {
            break;
        }
        assert!(rounds < 5, "{r:#?}");
    }
    assert_marts_equal(&s.dir.path().join("demo"), "globex").await;
}
