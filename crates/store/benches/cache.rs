//! Cached results of 10,000 rows (the row cap): encrypt + decrypt of the serialized blob, and opening a
//! cached analysis from a real SQLite file (read, decrypt, deserialize; target: under 30 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use inda_core::{ChartSpec, Column, ResultSet, Value};
use inda_store::{CacheCipher, CachedResult, FileKeySource, NewAnalysis, Store, Trigger};

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn result(rows: usize) -> CachedResult {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    CachedResult {
        result: ResultSet {
            columns: vec![
                Column::new("campaign", "VARCHAR"),
                Column::new("messages", "BIGINT"),
                Column::new("revenue", "DECIMAL(12,2)"),
                Column::new("day", "DATE"),
                Column::new("rate", "DOUBLE"),
            ],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Value::Text(format!("Campaign number {i}")),
                        Value::Int(i as i64 * 17),
                        Value::Decimal { units: 1_234_567 + i as i128, scale: 2 },
                        Value::Date(day),
                        Value::Float(i as f64 / 10_000.0),
                    ]
                })
                .collect(),
            truncated: false,
        },
        chart: ChartSpec::table(),
        sql: "SELECT ...".into(),
        as_of: "2026-11-20T08:00:00.000Z".into(),
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cipher = CacheCipher::new(&FileKeySource::in_data_dir(dir.path())).expect("key");
    let cached = result(10_000);
    let plaintext = cached.to_bytes().expect("serialize");
    let mut group = c.benchmark_group("cache");
    group.sample_size(20);
    group.bench_function("encrypt+decrypt 10k rows", |b| {
        b.iter(|| {
            let blob = cipher.encrypt("acme_corp", "u1", "a1", &plaintext).expect("encrypt");
            cipher.decrypt("acme_corp", "u1", "a1", &blob).expect("decrypt")
        })
    });
    let store = Store::open(&dir.path().join("store.sqlite")).expect("store");
    let new = NewAnalysis { name: "big".into(), generated_sql: "SELECT 1".into(), ..NewAnalysis::default() };
    let a = store.saved_create("acme_corp", "u1", &new).expect("save");
    let exec = store.execution_start("acme_corp", "u1", &a.id, Trigger::Manual).expect("start");
    store
        .execution_succeed("acme_corp", "u1", &exec, &cached, &cipher, None, None, Trigger::Manual)
        .expect("cache");
    group.bench_function("open a cached 10k-row analysis", |b| {
        b.iter(|| store.cache_get("acme_corp", "u1", &a.id, &cipher).expect("read").expect("cached"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
