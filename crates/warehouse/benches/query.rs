//! A grouped aggregate over one tenant through the embedded warehouse (the shape of most answers), over the
//! same demo data written plain and sealed (Parquet modular encryption, as every data dir now keeps it), so
//! the cost of decryption reads as the ratio of the two. `INDA_BENCH_SCALE` sets the demo scale (default 1;
//! 12 gives over 10 million messages).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use inda_core::{Role, Scope, Session};
use inda_demo::{DemoOptions, generate, generate_sealed};
use inda_warehouse::encryption::WarehouseKey;
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};
use std::sync::Arc;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let scale: f64 = std::env::var("INDA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("warehouse");
    let opts = DemoOptions {
        scale,
        seed: 42,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
        tenants: None,
    };
    let summary = generate(&root, &opts, &|_| {}).expect("demo");
    // A fixed key: the bench measures decryption, not where keys live.
    let key = WarehouseKey::new([7u8; 32]);
    let sealed_root = dir.path().join("sealed");
    generate_sealed(&sealed_root, &opts, Some(&key), &|_| {}).expect("sealed demo");
    let tenant = summary.tenants.iter().max_by_key(|t| t.messages).expect("tenants");
    eprintln!(
        "scale {scale}: {} messages in all, {} for {}",
        summary.tenants.iter().map(|t| t.messages).sum::<u64>(),
        tenant.messages,
        tenant.tenant_id
    );
    let plain = EmbeddedWarehouse::new(root);
    let sealed = EmbeddedWarehouse::new(sealed_root).with_key_source(Arc::new(move || Ok(key.clone())));
    let session = Session {
        tenant_id: tenant.tenant_id.clone(),
        user_id: "bench".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        role: Role::Analyst,
        scope: Scope::one(&tenant.tenant_id).expect("tenant id"),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let limits = QueryLimits::default();
    let t = &tenant.tenant_id;
    let queries = [
        (
            "grouped_aggregate_one_tenant",
            format!(
                "SELECT channel, status, COUNT(*) AS messages, SUM(cost) AS cost FROM (SELECT * FROM marts.fct_messages WHERE tenant_id = '{t}') AS m GROUP BY channel, status ORDER BY messages DESC LIMIT 10000"
            ),
        ),
        (
            "messages_join_campaigns",
            format!(
                "SELECT c.campaign_name, COUNT(*) AS messages FROM (SELECT * FROM marts.fct_messages WHERE tenant_id = '{t}') AS m JOIN (SELECT * FROM marts.dim_campaigns WHERE tenant_id = '{t}') AS c ON m.campaign_id = c.campaign_id GROUP BY c.campaign_name ORDER BY messages DESC LIMIT 10000"
            ),
        ),
    ];
    let mut group = c.benchmark_group("embedded");
    group.sample_size(20);
    for (name, sql) in &queries {
        for (files, w) in [("plain", &plain), ("sealed", &sealed)] {
            group.bench_function(format!("{name}/{files}"), |b| {
                b.iter(|| rt.block_on(w.query(&session, sql, &limits, &Cancel::new())).expect("query"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
