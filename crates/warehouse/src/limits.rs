//! Bounds on one query: rows, time, memory, and a way to stop it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Rows returned at most; the engine stops reading past this.
    pub max_rows: usize,
    pub timeout: Duration,
    /// Memory the query's operators may hold (joins, sorts, aggregates), in bytes: past it they spill or fail.
    pub memory_bytes: usize,
    /// Resident memory of the whole process under which queries may go on running, in bytes: what the
    /// operators' accounting does not see (batches in flight, function results) is caught here.
    pub process_memory_bytes: usize,
    /// Bytes of result values returned at most, as well as `max_rows`.
    pub result_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_rows: 10_000,
            timeout: Duration::from_secs(60),
            memory_bytes: 2 << 30,
            process_memory_bytes: 4 << 30,
            result_bytes: 64 << 20,
        }
    }
}

/// Cancels a running query from another task (the UI's Esc, a closed HTTP request, Ctrl-C).
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<(AtomicBool, Notify)>,
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }
    pub fn is_cancelled(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }
    /// Resolves once [`Cancel::cancel`] was called (immediately if it already was).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
