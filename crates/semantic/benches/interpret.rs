//! interpret() latency on typical questions (target: far under 20 ms each).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use inda_semantic::{SemanticModel, interpret};

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let Ok(model) = SemanticModel::builtin() else { return };
    let today = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default();
    let questions = [
        "Messages sent by channel last month",
        "¿Cuántos contactos tenemos en Colombia?",
        "Top 5 campaigns by revenue",
        "mesajes fallidos por canal este mes",
        "Revenue by campaign for WhatsApp campaigns this month vs last month",
    ];
    for q in questions {
        c.bench_function(q, |b| b.iter(|| interpret(&model, std::hint::black_box(q), None, today)));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
