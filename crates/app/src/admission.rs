//! Fair sharing of the warehouse between tenants: at most `[limits] concurrent_per_tenant` queries of one
//! tenant run at once and `concurrent_total` in all; as many more of a tenant may wait their turn (in
//! order), and past that a query is refused at once with a `busy` error rather than queued without end.
//! One tenant running its worst therefore holds a bounded share of the engine, and every other tenant's
//! queries keep being admitted.
//!
//! Not here: limits inside one query (time, memory, result size), which the warehouse enforces.

use crate::config::Concurrency;
use inda_core::Error;
use inda_warehouse::Cancel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct Admission {
    limits: Concurrency,
    total: Arc<Semaphore>,
    tenants: Mutex<HashMap<String, Arc<TenantQueue>>>,
}

struct TenantQueue {
    running: Arc<Semaphore>,
    /// Queries of the tenant admitted or waiting; a query over `2 × per_tenant` is refused.
    queued: std::sync::atomic::AtomicUsize,
}

/// Held while a query runs; dropping it lets the next one in.
pub(crate) struct Ticket {
    _tenant: OwnedSemaphorePermit,
    _total: OwnedSemaphorePermit,
    _queued: Queued,
}

/// Counts a query of the tenant from its arrival until it finishes.
struct Queued(Arc<TenantQueue>);

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Admission {
    pub(crate) fn new(limits: Concurrency) -> Self {
        Admission { limits, total: Arc::new(Semaphore::new(limits.total)), tenants: Mutex::default() }
    }

    /// Waits (at most `patience`) for the tenant's turn and a free slot.
    pub(crate) async fn admit(
        &self,
        tenant: &str,
        patience: Duration,
        cancel: &Cancel,
    ) -> Result<Ticket, Error> {
        let queue = self.queue(tenant);
        let queued = Queued(queue.clone());
        let before = queue.queued.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if before >= 2 * self.limits.per_tenant {
            return Err(busy(self.limits.per_tenant));
        }
        let wait = async {
            let tenant = queue.running.clone().acquire_owned().await;
            let total = self.total.clone().acquire_owned().await;
            tenant.and_then(|t| total.map(|a| (t, a)))
        };
        tokio::select! {
            permits = wait => match permits {
                Ok((tenant, total)) => Ok(Ticket { _tenant: tenant, _total: total, _queued: queued }),
                Err(_) => Err(Error::internal("the query queue was closed")),
            },
            _ = tokio::time::sleep(patience) => Err(busy(self.limits.per_tenant)),
            _ = cancel.cancelled() => Err(Error::engine("the query was cancelled")),
        }
    }

    fn queue(&self, tenant: &str) -> Arc<TenantQueue> {
        let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        tenants
            .entry(tenant.to_string())
            .or_insert_with(|| {
                Arc::new(TenantQueue {
                    running: Arc::new(Semaphore::new(self.limits.per_tenant)),
                    queued: Default::default(),
                })
            })
            .clone()
    }
}

fn busy(per_tenant: usize) -> Error {
    Error::new(
        inda_core::ErrorCode::Busy,
        format!(
            "too many queries are running: your company may run {per_tenant} at once and others are waiting; try again in a moment"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(per_tenant: usize, total: usize) -> Admission {
        Admission::new(Concurrency { per_tenant, total })
    }

    #[tokio::test]
    async fn a_tenant_past_its_share_waits_then_is_busy_while_others_get_in() {
        let a = admission(1, 2);
        let patience = Duration::from_millis(100);
        let first = a.admit("acme", patience, &Cancel::new()).await.unwrap();
        // The second of acme waits for the first, and gives up after its patience.
        let err = a.admit("acme", patience, &Cancel::new()).await.err().unwrap();
        assert_eq!(err.code, inda_core::ErrorCode::Busy);
        // Another tenant gets the free slot at once.
        let other = a.admit("umbrella", patience, &Cancel::new()).await.unwrap();
        drop(first);
        let again = a.admit("acme", patience, &Cancel::new()).await.unwrap();
        drop((other, again));
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_without_waiting() {
        let a = Arc::new(admission(1, 4));
        let _running = a.admit("acme", Duration::from_secs(5), &Cancel::new()).await.unwrap();
        let waiting = {
            let a = a.clone();
            tokio::spawn(async move { a.admit("acme", Duration::from_secs(5), &Cancel::new()).await.is_ok() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let err = a.admit("acme", Duration::from_secs(5), &Cancel::new()).await.err().unwrap();
        assert_eq!(err.code, inda_core::ErrorCode::Busy);
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(_running);
        assert!(waiting.await.unwrap());
    }
}
