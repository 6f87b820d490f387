//! Demo generation speed: all five tenants at scale 0.2 into a temp dir. `INDA_DEMO_BENCH_SCALE` overrides
//! the scale (e.g. 12 for ~10 million messages; expect each sample to take a while).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use inda_demo::{self as demo, DemoOptions};
use std::time::Duration;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn generate(c: &mut Criterion) {
    let scale: f64 = std::env::var("INDA_DEMO_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(0.2);
    let dir = tempfile::tempdir().expect("temp dir");
    let warehouse = dir.path().join("warehouse");
    let opts = DemoOptions {
        scale,
        seed: 42,
        as_of: NaiveDate::from_ymd_opt(2026, 5, 15).expect("valid date"),
        tenants: None,
    };
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if scale > 1.0 { 120 } else { 15 }));
    group.bench_function(format!("generate_scale_{scale}"), |b| {
        b.iter(|| std::hint::black_box(demo::generate(&warehouse, &opts, &|_| {}).expect("generate")))
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
