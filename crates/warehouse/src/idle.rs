//! Memory returns to idle once queries stop: the process counts the queries it is running, and a watcher
//! hands the allocator's freed pages back to the operating system (`inda_memory::hand_back_freed`) when none
//! has run for [`QUIET`].
//!
//! Why a watcher: after a large or cancelled query the app is idle and nothing allocates, so the allocator
//! never gets to purge. Why only when quiet: purging while queries run (a dashboard's tiles, one after
//! another) makes each next query fault its pages in again; purging as soon as anything is freed (mimalloc's
//! purge delay at 0) measured 10–50% slower on four of the six peer shapes at 10.4 M messages. The watcher keeps purging for [`AFTERWARDS`] because the query runtime's blocking threads (file
//! reads) only exit, and free their pages, [`BLOCKING_KEEP_ALIVE`] after their last read.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};
use std::time::{Duration, Instant};

/// How long without a query before memory is handed back.
const QUIET: Duration = Duration::from_secs(2);
/// How long after the last query the watcher keeps handing back what threads free as they exit.
const AFTERWARDS: Duration = Duration::from_secs(12);
/// How often the watcher looks.
const TICK: Duration = Duration::from_secs(1);
/// How long an idle blocking thread of the query runtime lives (tokio's default is 10 s).
pub(crate) const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(3);

static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// When the last query ended, in milliseconds since [`epoch`]; 0 before the first.
static LAST_END_MS: AtomicU64 = AtomicU64::new(0);

/// One query running, from its start until this is dropped (finished, failed, stopped or cancelled).
pub(crate) struct Running(());

impl Running {
    pub(crate) fn start() -> Self {
        static WATCHER: Once = Once::new();
        WATCHER.call_once(|| {
            // Without the watcher memory stays where the last query left it; queries still run.
            let _ = std::thread::Builder::new().name("inda-idle".into()).spawn(watch);
        });
        RUNNING.fetch_add(1, Ordering::AcqRel);
        Running(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        LAST_END_MS.store(millis_since_epoch().max(1), Ordering::Release);
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_since_epoch() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// How long since the last query ended, when none is running and one has run.
fn quiet_for() -> Option<Duration> {
    quiet(RUNNING.load(Ordering::Acquire), LAST_END_MS.load(Ordering::Acquire), millis_since_epoch())
}

fn quiet(running: usize, last_end_ms: u64, now_ms: u64) -> Option<Duration> {
    (running == 0 && last_end_ms > 0).then(|| Duration::from_millis(now_ms.saturating_sub(last_end_ms)))
}

/// Whether the watcher hands memory back after `quiet` without queries.
fn due(quiet: Option<Duration>) -> bool {
    quiet.is_some_and(|quiet| (QUIET..QUIET + AFTERWARDS).contains(&quiet))
}

fn watch() {
    loop {
        std::thread::sleep(TICK);
        if due(quiet_for()) {
            let _span = tracing::debug_span!("hand_back_freed").entered();
            inda_memory::hand_back_freed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_handed_back_only_between_quiet_and_afterwards_with_no_query_running() {
        let ms = |d: Duration| u64::try_from(d.as_millis()).expect("ms");
        assert_eq!(quiet(0, 0, 60_000), None, "no query has run yet");
        assert_eq!(quiet(1, 1_000, 60_000), None, "a query runs");
        assert_eq!(quiet(0, 1_000, 4_000), Some(Duration::from_secs(3)));
        assert!(!due(quiet(0, 1_000, 1_000 + ms(QUIET) - 1)), "not quiet long enough");
        assert!(due(quiet(0, 1_000, 1_000 + ms(QUIET))));
        assert!(due(quiet(0, 1_000, 1_000 + ms(QUIET + AFTERWARDS) - 1)));
        assert!(
            !due(quiet(0, 1_000, 1_000 + ms(QUIET + AFTERWARDS))),
            "long idle: nothing left to hand back"
        );
        assert!(!due(quiet(2, 1_000, 1_000 + ms(QUIET))));
    }

    #[test]
    fn a_query_counts_as_running_until_dropped() {
        let running = Running::start();
        assert!(RUNNING.load(Ordering::Acquire) >= 1);
        drop(running);
        assert!(LAST_END_MS.load(Ordering::Acquire) > 0, "its end is stamped");
    }
}
