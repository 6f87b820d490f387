//! 100,000-row CSV and XLSX exports (targets in release: CSV under 1 s, XLSX under 3 s).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use inda_core::{ChartSpec, Column, ResultSet, Value};
use inda_export::{ExportFormat, ExportItem, ExportOptions, export};
use std::hint::black_box;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn result(n: usize) -> ResultSet {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let rows = (0..n)
        .map(|i| {
            vec![
                Value::Text(format!("campaign {}", i % 97)),
                Value::Date(start + chrono::Days::new((i % 700) as u64)),
                Value::Int(i as i64),
                Value::Decimal { units: i as i128 * 37, scale: 2 },
                Value::Float(i as f64 / n as f64),
            ]
        })
        .collect();
    ResultSet {
        columns: vec![
            Column::new("campaign", "VARCHAR"),
            Column::new("day", "DATE"),
            Column::new("sent", "BIGINT"),
            Column::new("revenue", "DECIMAL(12,2)"),
            Column::new("delivery_rate", "DOUBLE"),
        ],
        rows,
        truncated: false,
    }
}

fn bench(c: &mut Criterion) {
    let rs = result(100_000);
    let chart = ChartSpec::table();
    let item = ExportItem {
        title: "Big",
        result: &rs,
        chart: &chart,
        sql: "SELECT 1",
        as_of: "2026-03-01T00:00:00Z",
        caveats: &[],
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let opts = ExportOptions::default();
    let mut group = c.benchmark_group("export_100k_rows");
    group.sample_size(10);
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let out = dir.path().join(format!("bench.{}", format.extension()));
        group.bench_function(format.as_str(), |b| {
            b.iter(|| black_box(export(&[item], format, &out, &opts).map(|r| r.bytes).unwrap_or(0)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
