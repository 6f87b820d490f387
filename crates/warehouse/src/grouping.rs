//! Aggregates that find their groups by the 16-byte views of their strings.
//!
//! Why: analysts group by strings of a few values (a channel, a status, a campaign). DataFusion's partial
//! aggregate hashes every row's strings to find its group: at 100 M messages, "messages by channel and
//! status since June" spent 0.34 s of CPU finding 36 groups among 31 M rows, and its filter another 0.1 s
//! copying the kept rows' views before the aggregate read them.
//!
//! Strings are read as views (`read_schema` in `embedded.rs`). In one batch every row of a value decoded
//! from the same Parquet dictionary carries the same view, and a string of 12 bytes or less is its view. So
//! [`GroupByViewsExec`] gives each distinct view of a group column a small code (a cache of recent views, then
//! a map), each distinct tuple of codes a place in a small table, and hands the group values
//! ([`ViewKeys`]) one row per distinct tuple: a few dozen rows a batch instead of thousands. Equal views are
//! always equal strings; equal strings under different views (from two pages' dictionaries, or a page
//! without one) only make a second tuple, which the group values merge. The accumulators and the output
//! (each group's partial state) are DataFusion's.
//!
//! A filter just below the aggregate (a date, `campaign_id IS NOT NULL`) is taken in: its predicate is
//! evaluated, and the kept rows are read where they are instead of copied first. Only the aggregates'
//! arguments (often none: `COUNT(*)`) are copied.
//!
//! A batch with more distinct values in a column than its codes hold ([`TABLE_BITS`]), or of more than
//! [`MANY_TUPLES`] tuples (a key of millions of values, such as a contact id, alone or beside a channel), is
//! grouped otherwise: its rows are grouped directly by their views ([`ViewKeys`]: a string of 12 bytes or
//! less is its view), for the rest of the partition, until DataFusion's own probe finds almost as many groups
//! as rows: the groups so far are handed on, and the aggregate it stands for takes the rest of the partition
//! (and passes its rows through, as it would have from the start). A tuple of columns holding a string longer
//! than a view (a contact's full name) is handed on the same way after that batch: DataFusion's group values
//! compare such tuples faster. Groups are kept in the memory the query's pool grants; when it refuses more,
//! the groups so far are handed on (a partial aggregate may emit a group more than once).
//!
//! A final aggregate by string columns (the second stage of the same grouping, merging each partition's
//! partial states) is grouped by [`ViewKeys`] too: at 100 M messages, summing 8.18 M purchases by contact
//! took 0.96 s of CPU in DataFusion's final stage and takes 0.32 s here. The accumulators and their results
//! are DataFusion's. When the pool refuses it more (or a tuple of its columns holds a longer string), its
//! groups so far go to the aggregate it stands for as partial states, before the rest of its input: that aggregate merges (and spills) them as it would have
//! (starting afresh, within a few hundred KB of the pool's edge it may be refused where it alone was not).
//!
//! Not here: grouping sets, `DISTINCT` or ordered aggregates, aggregates without a groups accumulator, an
//! aggregate with a group limit, group columns that are not plain string or binary view columns,
//! single-stage aggregates: those stay DataFusion's aggregate.
//!
//! [`ViewKeys`]: crate::view_keys::ViewKeys

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, UInt32Array};
use datafusion::arrow::compute::{FilterBuilder, FilterPredicate, prep_null_mask_filter, take};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::HashMap;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{ColumnarValue, EmitTo, GroupsAccumulator};
use datafusion::physical_expr::aggregate::AggregateFunctionExpr;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::aggregates::group_values::{GroupValues, new_group_values};
use datafusion::physical_plan::aggregates::order::GroupOrdering;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode, aggregate_expressions};
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::metrics::{
    BaselineMetrics, Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet, Time,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, InputOrderMode, PhysicalExpr, PlanProperties,
};
use futures_util::StreamExt;
use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};

use crate::view_keys::{has_long_strings, view_keys};

/// Bits of a batch's table of code tuples (16,384 places), shared between the group columns: 127 values a
/// column for two, 15 for three, 7 for four (code 0 is null).
const TABLE_BITS: u32 = 14;
/// At most this many group columns; beyond, each would get too few codes.
const MAX_COLUMNS: usize = 4;
/// Bits of a column's cache of recent views (256 places).
const CACHE_BITS: u32 = 8;
/// Distinct tuples in a batch beyond which grouping by views costs more than it saves: each tuple's first row
/// is copied and grouped again by the group values (a key of many values, such as a contact id).
const MANY_TUPLES: usize = 512;

/// Replaces each partial aggregate that can be grouped by views (and the filter just below it) with a
/// [`GroupByViewsExec`] in an optimised plan (done after optimisation, so no rule sees it).
pub(crate) fn group_by_views(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|node| {
        let Some(aggregate) = node.as_any().downcast_ref::<AggregateExec>() else {
            return Ok(Transformed::no(node));
        };
        Ok(match GroupByViewsExec::of(&node, aggregate) {
            Some(exec) => Transformed::yes(Arc::new(exec) as Arc<dyn ExecutionPlan>),
            None => Transformed::no(node),
        })
    })
    .map(|t| t.data)
}

/// A partial aggregate grouped by the views of string columns, with the filter it reads through.
#[derive(Debug, Clone)]
pub(crate) struct GroupByViewsExec {
    /// The aggregate this stands for, which takes over a partition's rest when grouping by views gives up.
    original: Arc<dyn ExecutionPlan>,
    /// Whether it is a final aggregate (merging partial states into results) rather than a partial one.
    final_stage: bool,
    input: Arc<dyn ExecutionPlan>,
    /// The filter taken in, over `input`'s rows, and the columns it keeps.
    predicate: Option<Arc<dyn PhysicalExpr>>,
    projection: Option<Vec<usize>>,
    /// The group columns' indices in the (projected) rows, and their schema.
    group_columns: Vec<usize>,
    group_schema: SchemaRef,
    aggregates: Vec<Arc<AggregateFunctionExpr>>,
    arguments: Vec<Vec<Arc<dyn PhysicalExpr>>>,
    filters: Vec<Option<Arc<dyn PhysicalExpr>>>,
    schema: SchemaRef,
    properties: PlanProperties,
    metrics: ExecutionPlanMetricsSet,
}

impl GroupByViewsExec {
    /// The exec standing for `aggregate` (the plan's `node`), when its groups can be found by views.
    fn of(node: &Arc<dyn ExecutionPlan>, aggregate: &AggregateExec) -> Option<Self> {
        let group_by = aggregate.group_expr();
        let final_stage = matches!(aggregate.mode(), AggregateMode::Final | AggregateMode::FinalPartitioned);
        let stage = *aggregate.mode() == AggregateMode::Partial || final_stage;
        let plain = stage
            && group_by.is_single()
            && (1..=MAX_COLUMNS).contains(&group_by.expr().len())
            && aggregate.limit().is_none()
            && *aggregate.input_order_mode() == InputOrderMode::Linear
            && aggregate
                .aggr_expr()
                .iter()
                .all(|a| a.groups_accumulator_supported() && !a.is_distinct() && a.order_bys().is_empty());
        if !plain {
            return None;
        }
        // A final aggregate's groups are the first columns of its input (the partial aggregates' output).
        let input_schema = aggregate.input().schema();
        let group_columns = group_by
            .expr()
            .iter()
            .map(|(expr, _)| {
                let column = expr.as_any().downcast_ref::<Column>()?;
                let kind = input_schema.fields().get(column.index())?.data_type();
                matches!(kind, DataType::Utf8View | DataType::BinaryView).then_some(column.index())
            })
            .collect::<Option<Vec<usize>>>()?;
        let group_schema = Arc::new(input_schema.project(&group_columns).ok()?);
        // A final aggregate's arguments are the partial states, after its group columns.
        let first_state = if final_stage { group_columns.len() } else { 0 };
        let arguments = aggregate_expressions(aggregate.aggr_expr(), aggregate.mode(), first_state).ok()?;
        let filters = match final_stage {
            false => aggregate.filter_expr().to_vec(),
            true => vec![None; aggregate.aggr_expr().len()],
        };
        let (input, predicate, projection) = match aggregate.input().as_any().downcast_ref::<FilterExec>() {
            Some(filter) if filter.fetch().is_none() && !final_stage => {
                (filter.input().clone(), Some(filter.predicate().clone()), filter.projection().cloned())
            }
            _ => (aggregate.input().clone(), None, None),
        };
        Some(GroupByViewsExec {
            original: node.clone(),
            final_stage,
            input,
            predicate,
            projection,
            group_columns,
            group_schema,
            aggregates: aggregate.aggr_expr().to_vec(),
            arguments,
            filters,
            schema: aggregate.schema(),
            properties: aggregate.properties().clone(),
            metrics: ExecutionPlanMetricsSet::new(),
        })
    }

    fn grouping(&self, partition: usize, context: &TaskContext) -> Result<Grouping> {
        let accumulators = self
            .aggregates
            .iter()
            .map(|a| a.create_groups_accumulator())
            .collect::<Result<Vec<Box<dyn GroupsAccumulator>>>>()?;
        let reservation = MemoryConsumer::new(format!("GroupByViewsExec[{partition}]"))
            .with_can_spill(true)
            .register(context.memory_pool());
        Ok(Grouping {
            predicate: self.predicate.clone(),
            projection: self.projection.clone(),
            group_columns: self.group_columns.clone(),
            arguments: self.arguments.clone(),
            filters: self.filters.clone(),
            accumulators,
            values: match view_keys(
                &self.group_schema.fields().iter().map(|f| f.data_type().clone()).collect::<Vec<_>>(),
            ) {
                Some(keys) => keys,
                None => new_group_values(self.group_schema.clone(), &GroupOrdering::None)?,
            },
            codes: Codes::new(self.group_columns.len()),
            final_stage: self.final_stage,
            direct: self.final_stage,
            rows: 0,
            probe: Probe::of(context),
            refused: false,
            declined: false,
            rows_direct: 0,
            states: self.input.schema(),
            groups: Vec::new(),
            tuple_groups: Vec::new(),
            reservation,
            schema: self.schema.clone(),
            baseline: BaselineMetrics::new(&self.metrics, partition),
            group_ids: MetricBuilder::new(&self.metrics).subset_time("time_calculating_group_ids", partition),
            handed_over: MetricBuilder::new(&self.metrics).counter("handed_over", partition),
        })
    }
}

impl DisplayAs for GroupByViewsExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let names: Vec<&str> = self.group_schema.fields().iter().map(|f| f.name().as_str()).collect();
        let aggregates: Vec<&str> = self.aggregates.iter().map(|a| a.name()).collect();
        let mode = if self.final_stage { "Final" } else { "Partial" };
        write!(
            f,
            "GroupByViewsExec: mode={mode}, gby=[{}], aggr=[{}]",
            names.join(", "),
            aggregates.join(", ")
        )?;
        if let Some(predicate) = &self.predicate {
            write!(f, ", filter={predicate}")?;
        }
        Ok(())
    }
}

impl ExecutionPlan for GroupByViewsExec {
    fn name(&self) -> &str {
        "GroupByViewsExec"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn properties(&self) -> &PlanProperties {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(DataFusionError::Internal("GroupByViewsExec has exactly one input".into()));
        }
        let mut exec = self.as_ref().clone();
        exec.input = children.swap_remove(0);
        exec.metrics = ExecutionPlanMetricsSet::new();
        Ok(Arc::new(exec))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context.clone())?;
        let grouping = Box::new(self.grouping(partition, &context)?);
        let handover = Handover {
            original: self.original.clone(),
            filtered: self.predicate.is_some(),
            input: self.input.properties().clone(),
            partition,
            context,
        };
        let output = futures_util::stream::unfold(Phase::Grouping(input, grouping), move |phase| {
            let handover = handover.clone();
            async move { handover.next(phase).await }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), output)))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

/// Where a partition's stream is: grouping by views, handed over to the original aggregate, or done.
enum Phase {
    Grouping(SendableRecordBatchStream, Box<Grouping>),
    HandedOver(SendableRecordBatchStream),
    Done,
}

/// What hands a partition's rest to the original aggregate.
#[derive(Clone)]
struct Handover {
    original: Arc<dyn ExecutionPlan>,
    /// Whether the filter below the original was taken in (and must be put back above the rest).
    filtered: bool,
    input: PlanProperties,
    partition: usize,
    context: Arc<TaskContext>,
}

impl Handover {
    /// The next output batch and the phase after it; `None` at the end.
    async fn next(&self, mut phase: Phase) -> Option<(Result<RecordBatch>, Phase)> {
        loop {
            phase = match phase {
                Phase::Done => return None,
                Phase::HandedOver(mut rest) => {
                    return rest.next().await.map(|r| (r, Phase::HandedOver(rest)));
                }
                Phase::Grouping(mut input, mut grouping) => {
                    let step = match input.next().await {
                        None => return grouping.emit().transpose().map(|out| (out, Phase::Done)),
                        Some(batch) => batch.and_then(|b| Ok((grouping.add(&b)?, b))),
                    };
                    match step {
                        Err(e) => return Some((Err(e), Phase::Done)),
                        Ok((Some(early), _)) => return Some((Ok(early), Phase::Grouping(input, grouping))),
                        Ok((None, batch)) if grouping.gave_up() => {
                            // A batch it declined goes to the original aggregate first, ungrouped.
                            let declined = grouping.declined.then_some(batch);
                            // A partial aggregate's groups so far go on first, and the original aggregate
                            // groups the rest (and may decide, as it does, to skip its partial grouping). A
                            // final aggregate's go to the original as partial states, before the rest of the
                            // input: it merges them as it would have.
                            let handed = match grouping.final_stage {
                                false => grouping.emit().and_then(|so_far| {
                                    Ok((so_far, self.rest(input, declined.into_iter().collect())?))
                                }),
                                true => grouping.emit_as(false).and_then(|states| {
                                    Ok((
                                        None,
                                        self.rest(input, states.into_iter().chain(declined).collect())?,
                                    ))
                                }),
                            };
                            match handed {
                                Err(e) => return Some((Err(e), Phase::Done)),
                                Ok((Some(so_far), rest)) => {
                                    return Some((Ok(so_far), Phase::HandedOver(rest)));
                                }
                                Ok((None, rest)) => Phase::HandedOver(rest),
                            }
                        }
                        Ok((None, _)) => Phase::Grouping(input, grouping),
                    }
                }
            }
        }
    }

    /// The original aggregate (and its filter) over `firsts` and the rest of `input`.
    fn rest(
        &self,
        input: SendableRecordBatchStream,
        firsts: Vec<RecordBatch>,
    ) -> Result<SendableRecordBatchStream> {
        let input = match firsts.is_empty() {
            true => input,
            // In slices of a batch's size: the aggregate may spill between two, not within one.
            false => {
                let size = self.context.session_config().batch_size().max(1);
                let slices = firsts
                    .into_iter()
                    .flat_map(|first| {
                        (0..first.num_rows())
                            .step_by(size)
                            .map(move |start| Ok(first.slice(start, size.min(first.num_rows() - start))))
                    })
                    .collect::<Vec<_>>();
                let schema = input.schema();
                let both = futures_util::stream::iter(slices).chain(input);
                Box::pin(RecordBatchStreamAdapter::new(schema, both))
            }
        };
        let rest: Arc<dyn ExecutionPlan> =
            Arc::new(RestExec { stream: Mutex::new(Some(input)), properties: self.input.clone() });
        let below = match (self.filtered, self.original.children().first()) {
            (true, Some(filter)) => Arc::clone(filter).with_new_children(vec![rest])?,
            _ => rest,
        };
        self.original.clone().with_new_children(vec![below])?.execute(self.partition, self.context.clone())
    }
}

/// The rest of a partition's input, as a plan's leaf, once.
struct RestExec {
    stream: Mutex<Option<SendableRecordBatchStream>>,
    properties: PlanProperties,
}

impl std::fmt::Debug for RestExec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RestExec")
    }
}

impl DisplayAs for RestExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("RestExec")
    }
}

impl ExecutionPlan for RestExec {
    fn name(&self) -> &str {
        "RestExec"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn properties(&self) -> &PlanProperties {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn with_new_children(self: Arc<Self>, _: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(&self, _: usize, _: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let taken =
            self.stream.lock().map_err(|_| DataFusionError::Internal("a poisoned lock".into()))?.take();
        taken.ok_or_else(|| DataFusionError::Internal("the rest of a partition is read once".into()))
    }
}

/// One partition's groups and accumulators.
struct Grouping {
    predicate: Option<Arc<dyn PhysicalExpr>>,
    projection: Option<Vec<usize>>,
    group_columns: Vec<usize>,
    arguments: Vec<Vec<Arc<dyn PhysicalExpr>>>,
    filters: Vec<Option<Arc<dyn PhysicalExpr>>>,
    accumulators: Vec<Box<dyn GroupsAccumulator>>,
    values: Box<dyn GroupValues>,
    codes: Codes,
    /// Whether this merges partial states into results (a final aggregate) rather than rows into states.
    final_stage: bool,
    /// Whether rows go straight to the group values (by their views), without codes: a key of many values (a
    /// contact id, alone or beside a few-valued column), or any final aggregate.
    direct: bool,
    /// Rows grouped so far, for the probe.
    rows: usize,
    probe: Probe,
    /// Whether the memory pool refused a final aggregate more: it hands its groups over as states.
    refused: bool,
    /// Whether the last batch, to be grouped directly by a tuple of columns, held a string longer than a view:
    /// it is not grouped, and DataFusion's aggregate takes it and the rest. Its group values compare such
    /// strings column by column, faster than `ViewKeys` hashes and compares their bytes row by row (top
    /// contacts by revenue, grouped by contact and full name, took 4-10% more instructions when grouped here).
    declined: bool,
    /// Rows grouped directly so far.
    rows_direct: usize,
    /// The schema of the groups as partial states (a final aggregate's input).
    states: SchemaRef,
    /// The group of each kept row of the batch, and of each distinct tuple of codes.
    groups: Vec<usize>,
    tuple_groups: Vec<usize>,
    reservation: MemoryReservation,
    schema: SchemaRef,
    baseline: BaselineMetrics,
    group_ids: Time,
    /// Partitions handed over to the original aggregate.
    handed_over: Count,
}

impl Grouping {
    /// Adds a batch's kept rows to their groups; the groups so far when the memory pool refuses more.
    fn add(&mut self, batch: &RecordBatch) -> Result<Option<RecordBatch>> {
        let elapsed = self.baseline.elapsed_compute().clone();
        let _timer = elapsed.timer();
        let kept = match &self.predicate {
            Some(predicate) => Kept::of(predicate.evaluate(batch)?.into_array(batch.num_rows())?)?,
            None => Kept::all(batch.num_rows()),
        };
        let batch = match &self.projection {
            Some(columns) => batch.project(columns)?,
            None => batch.clone(),
        };
        let columns: Vec<ArrayRef> = self.group_columns.iter().map(|&i| batch.column(i).clone()).collect();
        let group_ids = self.group_ids.clone();
        let timer = group_ids.timer();
        self.find_groups(&columns, &kept)?;
        timer.done();
        if self.declined {
            return Ok(None);
        }
        self.rows += kept.count;
        let total = self.values.len();
        for (i, accumulator) in self.accumulators.iter_mut().enumerate() {
            let values = self.arguments[i]
                .iter()
                .map(|a| kept.rows_of(a.evaluate(&batch)?))
                .collect::<Result<Vec<_>>>()?;
            let only = match &self.filters[i] {
                Some(f) => Some(kept.rows_of(f.evaluate(&batch)?)?),
                None => None,
            };
            match self.final_stage {
                true => accumulator.merge_batch(&values, &self.groups, None, total)?,
                false => {
                    let only = only.as_ref().map(|o| o.as_boolean());
                    accumulator.update_batch(&values, &self.groups, only, total)?
                }
            }
        }
        let size = self.values.size() + self.accumulators.iter().map(|a| a.size()).sum::<usize>();
        match self.reservation.try_resize(size) {
            Ok(()) => Ok(None),
            // A final aggregate cannot hand on part of its results: it hands its groups over.
            Err(_) if self.final_stage => {
                self.refused = true;
                Ok(None)
            }
            Err(_) => self.emit(),
        }
    }

    /// Fills `groups` with the group of each kept row: by codes when they fit, else by the group values
    /// directly.
    fn find_groups(&mut self, columns: &[ArrayRef], kept: &Kept) -> Result<()> {
        self.groups.clear();
        if !self.direct {
            if self.codes.find_tuples(columns, kept.mask.as_ref()) {
                let rows = UInt32Array::from_iter_values(self.codes.first_rows.iter().copied());
                let firsts = columns.iter().map(|c| take(c, &rows, None)).collect::<Result<Vec<_>, _>>()?;
                self.values.intern(&firsts, &mut self.tuple_groups)?;
                self.groups.extend(self.codes.tuples.iter().map(|&t| self.tuple_groups[t as usize]));
                // Past this many tuples, codes cost more than they save.
                self.direct = self.codes.first_rows.len() > MANY_TUPLES;
                return Ok(());
            }
            self.direct = true;
        }
        // Looked for in the first batch grouped directly only, before grouping it: reading every view of
        // every batch costs more than it finds (a later batch's longer strings are grouped right, by their
        // bytes).
        if self.rows_direct == 0 && columns.len() > 1 && columns.iter().any(has_long_strings) {
            self.declined = true;
            return Ok(());
        }
        self.rows_direct += kept.count;
        let kept_columns = columns.iter().map(|c| kept.rows_of_array(c)).collect::<Result<Vec<_>>>()?;
        self.values.intern(&kept_columns, &mut self.groups)
    }

    /// Whether the original aggregate takes the rest: the memory pool refused a final aggregate more, a tuple
    /// of columns holds longer strings, or DataFusion's probe finds a partial aggregate of a key of many
    /// values not worth it (it then passes rows through).
    fn gave_up(&mut self) -> bool {
        let gave_up = self.refused || self.declined || self.probe_skips();
        if gave_up {
            self.handed_over.add(1);
        }
        gave_up
    }

    /// DataFusion's probe, once, after its number of rows: almost as many groups as rows.
    fn probe_skips(&mut self) -> bool {
        if self.final_stage || !self.direct || self.probe.done || self.rows < self.probe.rows {
            return false;
        }
        self.probe.done = true;
        self.accumulators.iter().all(|a| a.supports_convert_to_state())
            && self.values.len() as f64 >= self.probe.ratio * self.rows as f64
    }

    /// The groups so far with their results (a final aggregate) or their partial states; none when there
    /// are none.
    fn emit(&mut self) -> Result<Option<RecordBatch>> {
        let batch = self.emit_as(self.final_stage)?;
        if let Some(batch) = &batch {
            self.baseline.record_output(batch.num_rows());
        }
        Ok(batch)
    }

    /// The groups so far, each with its accumulators' results or partial states.
    fn emit_as(&mut self, results: bool) -> Result<Option<RecordBatch>> {
        if self.values.is_empty() {
            return Ok(None);
        }
        let mut columns = self.values.emit(EmitTo::All)?;
        for accumulator in &mut self.accumulators {
            match results {
                true => columns.push(accumulator.evaluate(EmitTo::All)?),
                false => columns.extend(accumulator.state(EmitTo::All)?),
            }
        }
        let schema = if results || !self.final_stage { &self.schema } else { &self.states };
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        self.reservation.free();
        Ok(Some(batch))
    }
}

/// DataFusion's test of whether a partial aggregate is worth it, with the session's settings.
struct Probe {
    rows: usize,
    ratio: f64,
    done: bool,
}

impl Probe {
    fn of(context: &TaskContext) -> Self {
        let options = &context.session_config().options().execution;
        Probe {
            rows: options.skip_partial_aggregation_probe_rows_threshold,
            ratio: options.skip_partial_aggregation_probe_ratio_threshold,
            done: false,
        }
    }
}

/// The rows of a batch that its filter keeps: all of them when there is none.
struct Kept {
    /// Which rows, when not all (a null keeps none, as in a filter), and how many.
    mask: Option<BooleanArray>,
    count: usize,
    filter: OnceLock<FilterPredicate>,
}

impl Kept {
    fn all(rows: usize) -> Self {
        Kept { mask: None, count: rows, filter: OnceLock::new() }
    }

    fn of(predicate: ArrayRef) -> Result<Self> {
        let Some(mask) = predicate.as_boolean_opt() else {
            return Err(DataFusionError::Internal("a filter's predicate is not boolean".into()));
        };
        let mask = if mask.null_count() > 0 { prep_null_mask_filter(mask) } else { mask.clone() };
        Ok(Kept { count: mask.true_count(), mask: Some(mask), filter: OnceLock::new() })
    }

    /// A value's kept rows. A constant (`COUNT(*)`'s argument) is made at their number, not filtered.
    fn rows_of(&self, value: ColumnarValue) -> Result<ArrayRef> {
        match value {
            ColumnarValue::Scalar(scalar) => scalar.to_array_of_size(self.count),
            ColumnarValue::Array(array) => self.rows_of_array(&array),
        }
    }

    fn rows_of_array(&self, array: &ArrayRef) -> Result<ArrayRef> {
        let Some(mask) = &self.mask else { return Ok(array.clone()) };
        Ok(self.filter.get_or_init(|| FilterBuilder::new(mask).optimize().build()).filter(array)?)
    }
}

/// A batch's distinct tuples of views, by codes: each view a column's code, each tuple of codes a place.
/// Column by column, then row by row, in loops of a few instructions: the point of this module.
struct Codes {
    columns: Vec<ColumnCodes>,
    /// Bits of a column's code in a tuple's place.
    bits: u32,
    /// The tuple's number (plus one) at each place, 0 when none; the places used, to clear them. An array
    /// of a fixed size, so that a place masked to it is known to be in it (no bounds check in the row loop).
    table: Box<[u32; 1 << TABLE_BITS]>,
    used: Vec<u32>,
    /// Each row's place, each kept row's tuple, each tuple's first row.
    places: Vec<u32>,
    tuples: Vec<u32>,
    first_rows: Vec<u32>,
}

impl Codes {
    fn new(columns: usize) -> Self {
        let bits = TABLE_BITS / columns as u32;
        // A column of more values than a batch's tuples may be cannot be grouped by views either.
        let limit = (1u32 << bits).min(MANY_TUPLES as u32 + 1);
        Codes {
            columns: (0..columns).map(|_| ColumnCodes::new(limit)).collect(),
            bits,
            table: Box::new([0; 1 << TABLE_BITS]),
            used: Vec::new(),
            places: Vec::new(),
            tuples: Vec::new(),
            first_rows: Vec::new(),
        }
    }

    /// Finds the kept rows' tuples; false when a column has more distinct views than its codes hold. Every
    /// row gets a place (a loop without indirection); only the kept ones get a tuple.
    fn find_tuples(&mut self, columns: &[ArrayRef], kept: Option<&BooleanArray>) -> bool {
        for &place in &self.used {
            self.table[place as usize] = 0;
        }
        self.used.clear();
        self.first_rows.clear();
        // Not cleared: the first column's codes replace the last batch's places (no memset a batch), and
        // rows without a code (not kept) are never read.
        self.places.resize(columns.first().map_or(0, |c| c.len()), 0);
        // Only the kept rows get codes when a filter keeps fewer than half of them (`campaign_id IS NOT
        // NULL`, a status): the others get no tuple, and a value only they have takes no code. Past half,
        // going through every row costs less than finding the kept ones.
        let few = kept.filter(|k| k.true_count() < k.len() / 2);
        for (i, column) in columns.iter().enumerate() {
            let codes = &mut self.columns[i];
            codes.clear();
            codes.add(column.as_ref(), self.bits * i as u32, &mut self.places, few);
            if codes.full {
                return false;
            }
        }
        self.tuples.clear();
        match kept {
            Some(kept) => {
                self.tuples.reserve(kept.true_count());
                self.find_tuples_of(kept.values().set_indices())
            }
            None => {
                self.tuples.reserve(self.places.len());
                self.find_tuples_of(0..self.places.len())
            }
        }
        true
    }

    /// Each of these rows' tuple, by its place. Out of line and through its fields as locals, so that the
    /// loop keeps them in registers instead of reading them again through `self` at every row.
    #[inline(never)]
    fn find_tuples_of(&mut self, rows: impl Iterator<Item = usize>) {
        let Codes { table, used, places, tuples, first_rows, .. } = self;
        tuples.extend(rows.map(|row| {
            let place = places[row] as usize & ((1 << TABLE_BITS) - 1);
            let slot = &mut table[place];
            if *slot == 0 {
                first_rows.push(row as u32);
                used.push(place as u32);
                *slot = first_rows.len() as u32;
            }
            *slot - 1
        }));
    }
}

/// One column's codes for its distinct views in a batch, from 1 (0 is null).
struct ColumnCodes {
    /// Recent views and their codes, by a hash of the view; code 0 marks an empty place. Of a fixed size, as
    /// `Codes::table`.
    cache: Box<[(u128, u32); 1 << CACHE_BITS]>,
    codes: HashMap<u128, u32>,
    /// Codes are below this; past it the column is full, and the batch is not grouped by views: no more
    /// codes are made (a key of many values would otherwise fill the map with a whole batch, for nothing).
    limit: u32,
    full: bool,
}

impl ColumnCodes {
    fn new(limit: u32) -> Self {
        ColumnCodes { cache: Box::new([(0, 0); 1 << CACHE_BITS]), codes: HashMap::new(), limit, full: false }
    }

    fn clear(&mut self) {
        if !self.codes.is_empty() {
            self.cache.fill((0, 0));
            self.codes.clear();
        }
        self.full = false;
    }

    /// Puts each row's code, shifted, into its place (the first column's, at shift 0, replaces what the place
    /// held; the others' are or-ed in); only the `kept` rows', when given. Out of line: inlined into
    /// `Grouping::add`, its loops read their pointers back from the stack at every row.
    #[inline(never)]
    fn add(&mut self, column: &dyn Array, shift: u32, places: &mut [u32], kept: Option<&BooleanArray>) {
        let views = match column.data_type() {
            DataType::Utf8View => column.as_string_view().views(),
            _ => column.as_binary_view().views(),
        };
        let held = if shift == 0 { 0 } else { u32::MAX };
        let nulls = column.nulls().filter(|n| n.null_count() > 0);
        match (kept, nulls) {
            (Some(kept), _) => {
                for row in kept.values().set_indices() {
                    let valid = nulls.is_none_or(|n| n.is_valid(row));
                    let code = self.code(views[row]) & (valid as u32).wrapping_neg();
                    places[row] = (places[row] & held) | code << shift;
                }
            }
            (None, None) => {
                for (place, &view) in places.iter_mut().zip(views.iter()) {
                    *place = (*place & held) | self.code(view) << shift;
                }
            }
            // Without a branch: nulls are often half the rows, in no order. A null's view (often zero) takes
            // a code of its own, which only its rows would show; they are given 0.
            // The validity bits are read 64 at a time, not one by one.
            (None, Some(nulls)) => {
                let bits = nulls.inner().bit_chunks();
                let chunks = bits.iter().chain(std::iter::once(bits.remainder_bits()));
                for ((places, views), valid) in places.chunks_mut(64).zip(views.chunks(64)).zip(chunks) {
                    for (bit, (place, &view)) in places.iter_mut().zip(views).enumerate() {
                        let valid = ((valid >> bit) & 1) as u32;
                        *place = (*place & held) | (self.code(view) & valid.wrapping_neg()) << shift;
                    }
                }
            }
        }
    }

    #[inline(always)]
    fn code(&mut self, view: u128) -> u32 {
        let mixed = ((view as u64) ^ ((view >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let place = (mixed >> (64 - CACHE_BITS)) as usize & ((1 << CACHE_BITS) - 1);
        let (cached, code) = self.cache[place];
        if code != 0 && cached == view {
            return code;
        }
        self.miss(view, place)
    }

    #[cold]
    #[inline(never)]
    fn miss(&mut self, view: u128, place: usize) -> u32 {
        let next = self.codes.len() as u32 + 1;
        if next >= self.limit {
            self.full = true;
            return 0;
        }
        let code = *self.codes.entry(view).or_insert(next);
        self.cache[place] = (view, code);
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{StringViewArray, StringViewBuilder};

    /// Rows 0, 3 and 4: "a long campaign name", in two buffers (as two pages' dictionaries give it), rows 0
    /// and 4 under one view; rows 1: "sms"; rows 2 and 5: null.
    fn names() -> ArrayRef {
        let name = "a long campaign name";
        let mut builder = StringViewBuilder::new();
        let first = builder.append_block(name.as_bytes().into());
        let second = builder.append_block(name.as_bytes().into());
        let len = name.len() as u32;
        builder.try_append_view(first, 0, len).expect("view");
        builder.append_value("sms");
        builder.append_null();
        builder.try_append_view(second, 0, len).expect("view");
        builder.try_append_view(first, 0, len).expect("view");
        builder.append_null();
        Arc::new(builder.finish())
    }

    #[test]
    fn equal_views_share_a_tuple_and_equal_strings_under_other_views_do_not() {
        let column = names();
        let mut codes = Codes::new(1);
        assert!(codes.find_tuples(std::slice::from_ref(&column), None));
        let tuples = codes.tuples.clone();
        assert_eq!(tuples[0], tuples[4], "the same view");
        assert_eq!(tuples[2], tuples[5], "nulls");
        assert_ne!(tuples[0], tuples[1]);
        assert_ne!(tuples[1], tuples[2], "a null is not a string");
        // DataFusion's group values merge the two views of one string.
        let rows = UInt32Array::from_iter_values(codes.first_rows.iter().copied());
        let firsts = vec![take(&column, &rows, None).expect("take")];
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
            datafusion::arrow::datatypes::Field::new("name", DataType::Utf8View, true),
        ]));
        let mut values = new_group_values(schema, &GroupOrdering::None).expect("group values");
        let mut groups = Vec::new();
        values.intern(&firsts, &mut groups).expect("intern");
        let of = |row: usize| groups[tuples[row] as usize];
        assert_eq!(of(0), of(3), "one string, one group");
        assert_eq!((of(4), of(5)), (of(0), of(2)));
        assert_eq!(values.len(), 3);
    }

    /// The rows of a plan, each as text, sorted; and its plan with metrics.
    async fn rows_of(plan: Arc<dyn ExecutionPlan>, context: Arc<TaskContext>) -> (Vec<String>, String) {
        let batches = datafusion::physical_plan::collect(plan.clone(), context).await.expect("runs");
        let table = datafusion::arrow::util::pretty::pretty_format_batches(&batches).expect("prints");
        let mut rows: Vec<String> =
            table.to_string().lines().filter(|l| l.starts_with("| ")).map(String::from).collect();
        rows.sort();
        let shown = datafusion::physical_plan::display::DisplayableExecutionPlan::with_metrics(plan.as_ref())
            .indent(true)
            .to_string();
        (rows, shown)
    }

    #[tokio::test]
    async fn a_key_of_many_values_gives_datafusions_answer_in_both_stages_and_past_the_probe() {
        // 20,000 rows of 19,000 contact ids, short and long, and nulls, in batches of 1,000, alone or beside
        // a channel; DataFusion's probe after 2,000 rows (instead of 100,000) finds a partial aggregate of
        // almost as many groups as rows not worth it.
        let mut config =
            datafusion::prelude::SessionConfig::new().with_target_partitions(2).with_batch_size(1000);
        config.options_mut().execution.skip_partial_aggregation_probe_rows_threshold = 2000;
        let ctx = datafusion::prelude::SessionContext::new_with_config(config);
        let ids: StringViewArray = (0..20_000u64)
            .map(|i| (i * 7919) % 19_000)
            .map(|k| match k % 11 {
                0 => None,
                1 => Some(format!("a contact of a long name, number {k}")),
                _ => Some(format!("ct_{k:07}")),
            })
            .collect();
        let amounts =
            datafusion::arrow::array::Int64Array::from_iter_values((0..20_000).map(|i| i % 97 - 40));
        let channels: StringViewArray =
            (0..20_000).map(|i| [Some("sms"), None, Some("whatsapp")][i % 3]).collect();
        let batch = RecordBatch::try_from_iter(vec![
            ("contact_id", Arc::new(ids) as ArrayRef),
            ("amount", Arc::new(amounts) as ArrayRef),
            ("channel", Arc::new(channels) as ArrayRef),
        ])
        .expect("batch");
        let batches = (0..20).map(|i| batch.slice(i * 1000, 1000)).collect();
        let table = datafusion::datasource::MemTable::try_new(batch.schema(), vec![batches]).expect("table");
        ctx.register_table("t", Arc::new(table)).expect("table");
        for sql in [
            "SELECT contact_id, SUM(amount) AS s, COUNT(*) AS n, AVG(amount) AS a, MAX(amount) AS m FROM t \
             GROUP BY contact_id",
            "SELECT contact_id, COUNT(*) FILTER (WHERE amount > 0) AS n FROM t WHERE amount <> 3 GROUP BY \
             contact_id",
            "SELECT channel, contact_id, SUM(amount) AS s, MIN(amount) AS m FROM t WHERE amount <> 3 GROUP BY \
             channel, contact_id",
        ] {
            // A plan runs once (its repartitions keep their state): one for each way.
            let plan =
                async || ctx.sql(sql).await.expect("plans").create_physical_plan().await.expect("plans");
            let (expected, _) = rows_of(plan().await, ctx.task_ctx()).await;
            let (rows, shown) =
                rows_of(group_by_views(plan().await).expect("rewrites"), ctx.task_ctx()).await;
            assert_eq!(rows, expected, "{sql}");
            assert!(
                shown.contains("GroupByViewsExec: mode=Final") && shown.contains("mode=Partial"),
                "{shown}"
            );
            let handed = shown.split("mode=Partial").nth(1).and_then(|p| p.split("handed_over=").nth(1));
            assert!(handed.is_some_and(|h| !h.starts_with('0')), "the probe hands over: {shown}");
        }
    }

    #[test]
    fn only_kept_rows_get_tuples_and_too_many_values_give_up() {
        let column = names();
        let kept = BooleanArray::from(vec![false, true, true, false, true, false]);
        let mut codes = Codes::new(1);
        assert!(codes.find_tuples(std::slice::from_ref(&column), Some(&kept)));
        assert_eq!(codes.tuples.len(), 3);
        assert_eq!(codes.first_rows, vec![1, 2, 4]);
        // Beside another column, a column holds 127 values (7 bits, 0 for null).
        let many = |n: usize| -> ArrayRef {
            Arc::new((0..n).map(|i| Some(format!("campaign number {i}"))).collect::<StringViewArray>())
        };
        let mut codes = Codes::new(2);
        let fits = [many(127), many(127)];
        assert!(codes.find_tuples(&fits, None));
        assert_eq!(codes.first_rows.len(), 127);
        let overflows = [many(128), many(128)];
        assert!(!codes.find_tuples(&overflows, None), "128 values do not fit");
        assert!(codes.find_tuples(&fits, None), "the next batch starts afresh");
    }
}
