//! Runs one job per tenant on a few worker threads. Tenants never share randomness, so the thread that
//! happens to run a tenant does not change its data; results come back in input order.

use crate::DemoError;
use inda_core::Error;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `f` over `items`, biggest `sizes` first for balance, on at most `available_parallelism` threads.
/// Stops handing out work after the first error and returns it.
pub(crate) fn map<I: Sync, T: Send>(
    items: &[I],
    sizes: &[f64],
    f: impl Fn(&I) -> Result<T, Error> + Sync,
) -> Result<Vec<T>, Error> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| sizes.get(*b).unwrap_or(&0.0).total_cmp(sizes.get(*a).unwrap_or(&0.0)));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<Mutex<Option<Result<T, Error>>>> = items.iter().map(|_| Mutex::new(None)).collect();

    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = order.get(k) else { break };
                    let r = f(&items[i]);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });

    let mut out = Vec::with_capacity(items.len());
    let mut first_err = None;
    for slot in results {
        match slot.into_inner().ok().flatten() {
            Some(Ok(t)) => out.push(t),
            Some(Err(e)) => {
                first_err.get_or_insert(e);
            }
            None => {
                first_err.get_or_insert_with(|| DemoError::StoppedEarly.into());
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
