//! Stopping a running query where it stands: at its deadline, on cancel, or when the process is over its
//! memory budget.
//!
//! Aborting a tokio task lands only at its next `.await` that is pending, and some DataFusion operators
//! never are: a partial aggregate over a cartesian join pulls ready batch after ready batch for minutes, on
//! tasks of their own, after the caller gave up. So every edge of the physical plan gets a [`StopExec`]: each
//! batch that crosses it first checks the query's [`QueryStop`], and an over-deadline, cancelled or
//! over-budget query fails at the next batch of any operator (a few milliseconds of work), which unwinds
//! every stream, drops its tasks and frees its memory. The same check spends tokio's cooperative budget
//! and, once a stream has passed ready batches on for [`SLICE`], yields its worker to other tenants'
//! queries.
//!
//! Not here: bounds on planning (the guard refuses shapes that take long to plan) or on one batch's work
//! (string functions with size arguments are capped where they are registered).

use crate::Cancel;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures_util::{Stream, StreamExt};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Why a query was stopped: the engine turns it into the message the analyst reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StopReason {
    /// Past the query's deadline.
    #[error("the query did not finish within its time limit and was stopped")]
    Deadline,
    /// The caller cancelled.
    #[error("the query was cancelled")]
    Cancelled,
    /// The process is over its memory budget.
    #[error("the query was stopped because the app is over its memory budget")]
    Memory,
}

/// What one running query is checked against.
#[derive(Debug, Clone)]
pub(crate) struct QueryStop {
    deadline: Instant,
    cancel: Cancel,
    /// Resident memory of the whole process the query may run under, in bytes.
    process_memory: usize,
}

impl QueryStop {
    pub(crate) fn new(timeout: Duration, cancel: Cancel, process_memory: usize) -> Self {
        QueryStop { deadline: Instant::now() + timeout, cancel, process_memory }
    }

    pub(crate) fn check(&self) -> std::result::Result<(), StopReason> {
        self.check_at(Instant::now())
    }

    /// [`Self::check`] at `now`, for a caller that has just read the clock.
    fn check_at(&self, now: Instant) -> std::result::Result<(), StopReason> {
        if self.cancel.is_cancelled() {
            return Err(StopReason::Cancelled);
        }
        if now >= self.deadline {
            return Err(StopReason::Deadline);
        }
        if resident_bytes() > self.process_memory {
            return Err(StopReason::Memory);
        }
        Ok(())
    }
}

/// Puts a [`StopExec`] above every operator of an optimised plan. Done after optimisation, so no rule sees
/// (or moves) the wrappers.
pub(crate) fn guard_plan(
    plan: Arc<dyn ExecutionPlan>,
    stop: &Arc<QueryStop>,
) -> Result<Arc<dyn ExecutionPlan>> {
    let wrapped = plan.transform_up(|node| {
        let wrapper: Arc<dyn ExecutionPlan> = Arc::new(StopExec::new(node, stop.clone()));
        Ok(Transformed::yes(wrapper))
    })?;
    Ok(wrapped.data)
}

/// Passes batches through unchanged once the query may go on.
#[derive(Debug)]
struct StopExec {
    input: Arc<dyn ExecutionPlan>,
    stop: Arc<QueryStop>,
}

impl StopExec {
    fn new(input: Arc<dyn ExecutionPlan>, stop: Arc<QueryStop>) -> Self {
        StopExec { input, stop }
    }
}

impl DisplayAs for StopExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StopExec")
    }
}

impl ExecutionPlan for StopExec {
    fn name(&self) -> &str {
        "StopExec"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn properties(&self) -> &PlanProperties {
        self.input.properties()
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(DataFusionError::Internal("StopExec has exactly one input".into()));
        }
        Ok(Arc::new(StopExec::new(children.swap_remove(0), self.stop.clone())))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        self.stop.check().map_err(stopped)?;
        let input = self.input.execute(partition, context)?;
        Ok(Box::pin(StopStream {
            input,
            stop: self.stop.clone(),
            since_yield: Instant::now(),
            yielding: None,
        }))
    }
}

/// How long a stream may pass ready batches on before it lets its worker go to other tasks. Tokio's
/// cooperative budget counts polls, not time: a query whose batches each take milliseconds (an aggregate
/// whose state grows, in an unoptimised build) kept both workers for seconds at a time, and another
/// tenant's small question, queued behind it, missed its deadline.
const SLICE: Duration = Duration::from_millis(10);

struct StopStream {
    input: SendableRecordBatchStream,
    stop: Arc<QueryStop>,
    /// When this stream last let its worker go (or was created).
    since_yield: Instant,
    /// The yield in progress: to the back of the worker's queue, not to the front (a waker called from
    /// inside the task would run it again first).
    yielding: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl StopStream {
    /// Pending while the worker runs other tasks, once this stream has had its slice by `now`.
    fn poll_slice(&mut self, cx: &mut Context<'_>, now: Instant) -> Poll<()> {
        if self.yielding.is_none() && now.duration_since(self.since_yield) < SLICE {
            return Poll::Ready(());
        }
        let yielding = self.yielding.get_or_insert_with(|| Box::pin(tokio::task::yield_now()));
        std::task::ready!(yielding.as_mut().poll(cx));
        self.yielding = None;
        self.since_yield = Instant::now();
        Poll::Ready(())
    }
}

impl Stream for StopStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Past its slice, or out of budget: yield to the worker's other tasks, and be woken again at once.
        // One reading of the clock serves the slice and the deadline (this runs per batch and per operator).
        let now = Instant::now();
        std::task::ready!(self.poll_slice(cx, now));
        let progress = std::task::ready!(tokio::task::coop::poll_proceed(cx));
        if let Err(reason) = self.stop.check_at(now) {
            return Poll::Ready(Some(Err(stopped(reason))));
        }
        let polled = self.input.poll_next_unpin(cx);
        match polled {
            Poll::Ready(_) => progress.made_progress(),
            // Waiting on its input lets the worker go as well.
            Poll::Pending => self.since_yield = Instant::now(),
        }
        polled
    }
}

impl RecordBatchStream for StopStream {
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
}

/// The error that unwinds the plan; [`reason_of`] finds the reason again at the top.
fn stopped(reason: StopReason) -> DataFusionError {
    DataFusionError::External(Box::new(reason))
}

/// The stop reason inside an engine error, if the error is one.
pub(crate) fn reason_of(error: &DataFusionError) -> Option<StopReason> {
    match error {
        DataFusionError::External(inner) => inner.downcast_ref::<StopReason>().copied(),
        DataFusionError::Context(_, inner) => reason_of(inner),
        DataFusionError::Shared(inner) => reason_of(inner),
        DataFusionError::ArrowError(inner, _) => match inner.as_ref() {
            datafusion::arrow::error::ArrowError::ExternalError(e) => {
                e.downcast_ref::<DataFusionError>().and_then(reason_of)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The process's resident memory, as last read by the watcher (0 where it cannot be read, which disables
/// the memory stop rather than failing every query).
fn resident_bytes() -> usize {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new().name("inda-memory".into()).spawn(watch_resident_memory);
    });
    RESIDENT.load(Ordering::Relaxed)
}

static RESIDENT: AtomicUsize = AtomicUsize::new(0);

/// Reads the resident set every few milliseconds: often enough that an allocation spree is caught within a
/// batch or two, cheap enough (one small procfs read) to run all the time.
fn watch_resident_memory() {
    const EVERY: Duration = Duration::from_millis(10);
    let page = 4096;
    loop {
        let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else { return };
        let pages = statm.split_whitespace().nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(0);
        RESIDENT.store(pages * page, Ordering::Relaxed);
        std::thread::sleep(EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::Schema;
    use datafusion::physical_plan::stream::RecordBatchStreamAdapter;

    /// A stream of ready batches lets its worker go once it has had its slice, and only then.
    #[tokio::test]
    async fn a_busy_stream_yields_after_its_slice() {
        let schema = Arc::new(Schema::empty());
        let batches = futures_util::stream::repeat_with({
            let schema = schema.clone();
            move || Ok(RecordBatch::new_empty(schema.clone()))
        });
        let input = Box::pin(RecordBatchStreamAdapter::new(schema, batches));
        let stop = Arc::new(QueryStop::new(Duration::from_secs(60), Cancel::new(), usize::MAX));
        let mut stream = StopStream { input, stop, since_yield: Instant::now(), yielding: None };
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(stream.poll_next_unpin(&mut cx).is_ready(), "within its slice");
        std::thread::sleep(SLICE);
        assert!(stream.poll_next_unpin(&mut cx).is_pending(), "its slice is over: other tasks go first");
        assert!(stream.poll_next_unpin(&mut cx).is_ready(), "then it goes on");
        assert!(stream.poll_next_unpin(&mut cx).is_ready(), "with a new slice");
    }
}
