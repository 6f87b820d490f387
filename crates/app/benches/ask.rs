//! In-process `ask` latency at the default demo scale: interpretation, guard, embedded query, chart and
//! summary, audit (target: median under 20 ms).

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use inda_app::{App, AskOptions, DataDir, DemoOptions, Provider};
use inda_warehouse::Cancel;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = App::open(DataDir::new(dir.path())).expect("app");
    let opts = DemoOptions { scale: 1.0, seed: 42, as_of: chrono::Utc::now().date_naive(), tenants: None };
    app.demo_init(&opts, &|_| {}).expect("demo");
    let session = common::sign_in(&mut app, "acme_corp");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cancel = Cancel::new();
    let mut group = c.benchmark_group("ask");
    group.sample_size(30);
    for q in [
        "Messages sent by channel last month",
        "Ingresos mensuales de los últimos 12 meses",
        "Top 5 campaigns by revenue",
    ] {
        group.bench_function(q, |b| {
            b.iter(|| {
                rt.block_on(app.ask(&session, q, Provider::Offline, &AskOptions::default(), &cancel))
                    .expect("answer")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
