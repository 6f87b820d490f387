//! Parse + check + rewrite + render of typical analytics queries (target: a median under 100 µs), and the
//! round-trip proof that engines reading text add.

use criterion::{Criterion, criterion_group, criterion_main};
use inda_guard::{Catalog, GuardOptions, Scope, guard};
use std::hint::black_box;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TYPICAL: &str = "SELECT c.country, DATE_TRUNC('month', a.occurred_at) AS month, SUM(a.amount) AS revenue \
    FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id \
    WHERE a.activity_type IN ('purchase', 'refund') AND a.occurred_at >= CURRENT_DATE - INTERVAL '90 days' \
    GROUP BY 1, 2 ORDER BY revenue DESC LIMIT 50";

const WITH_CTE: &str = "WITH monthly AS (SELECT DATE_TRUNC('month', sent_at) AS month, channel, COUNT(*) AS n \
    FROM marts.fct_messages WHERE direction = 'outbound' AND sent_at >= DATE_TRUNC('year', CURRENT_DATE) GROUP BY 1, 2) \
    SELECT month, channel, n, LAG(n) OVER (PARTITION BY channel ORDER BY month) AS previous FROM monthly ORDER BY 1, 2";

fn bench(c: &mut Criterion) {
    let catalog = Catalog::marts();
    let opts = GuardOptions::default();
    let acme = Scope::one("acme_corp").expect("scope");
    // A platform admin's scope: every tenant of a large deployment.
    let platform = Scope::new((0..200).map(|i| format!("tenant_{i:03}"))).expect("scope");
    c.bench_function("guard/typical_join_group_by", |b| {
        b.iter(|| guard(black_box(TYPICAL), black_box(&acme), &catalog, &opts))
    });
    c.bench_function("guard/cte_window", |b| {
        b.iter(|| guard(black_box(WITH_CTE), black_box(&acme), &catalog, &opts))
    });
    // What an engine that reads text (Snowflake) pays on top: the rendering parsed again and compared.
    c.bench_function("guard/typical_then_proven_text", |b| {
        b.iter(|| {
            let guarded = guard(black_box(TYPICAL), black_box(&acme), &catalog, &opts).expect("accepted");
            guarded.proven_sql().map(str::len).expect("proven")
        })
    });
    // The same for a scope of 200 tenants: each table's filter is an IN list of 200 literals.
    c.bench_function("guard/typical_then_proven_text_200_tenants", |b| {
        b.iter(|| {
            let guarded = guard(black_box(TYPICAL), black_box(&platform), &catalog, &opts).expect("accepted");
            guarded.proven_sql().map(str::len).expect("proven")
        })
    });
    c.bench_function("guard/catalog_marts", |b| b.iter(Catalog::marts));
}

criterion_group!(benches, bench);
criterion_main!(benches);
