//! Bounds on one query: rows, time, memory, and a way to stop it.

use std::time::Duration;

/// What one query may use, checked by every warehouse while it runs; the defaults suit a laptop and
/// `[limits]` in the config overrides them.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Rows returned at most; the engine stops reading past this.
    pub max_rows: usize,
    /// Wall-clock time from the start of the query; past it the query is stopped with an engine error (on
    /// Snowflake also sent as the statement timeout).
    pub timeout: Duration,
    /// Memory the query's operators may hold (joins, sorts, aggregates), in bytes: past it they spill or fail.
    pub memory_bytes: usize,
    /// Resident memory of the whole process under which queries may go on running, in bytes: what the
    /// operators' accounting does not see (batches in flight, function results) is caught here.
    pub process_memory_bytes: usize,
    /// Bytes of result values returned at most, as well as `max_rows`.
    pub result_bytes: usize,
}

impl QueryLimits {
    /// Bytes one query may write to the temp dir when its operators spill: four times its memory. Past it
    /// the query fails (a memory refusal) rather than filling the disk.
    pub fn spill_bytes(&self) -> u64 {
        u64::try_from(self.memory_bytes).unwrap_or(u64::MAX).saturating_mul(4)
    }
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
pub type Cancel = tokio_util::sync::CancellationToken;
