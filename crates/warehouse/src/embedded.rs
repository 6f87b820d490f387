//! The embedded warehouse: Apache DataFusion over the Parquet files of the data dir.
//!
//! Each query runs in a fresh DataFusion session that registers only the `marts` tables of the caller's
//! tenant (`marts/<table>/<tenant>/`), read-only: a second wall behind the guard. Even SQL that slipped past
//! the guard could not name another tenant's files, DDL, DML or `SET`.

use crate::encryption::{self, ROW_GROUP_ROWS, WarehouseKey};
use crate::error::WarehouseError;
use crate::limits::{Cancel, QueryLimits};
use crate::marts::marts_schema;
use crate::plans::{self, Files, Planned, Plans};
use crate::reporting::TenantsFile;
use crate::stop::{self, QueryStop, StopReason};
use crate::tenant_table::{self, Proofs, TenantTable};
use crate::{
    BoxFuture, Warehouse, bridge, build_side, compact, convert, division, eager, grouping, idle, keyed,
    rollup, route, view_filter,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{
    MemorySchemaProvider, SchemaProvider, TableFunction, TableProvider, TableProviderFactory,
};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::SessionStateDefaults;
use datafusion::execution::cache::DefaultFilesMetadataCache;
use datafusion::execution::cache::cache_manager::{
    CacheManagerConfig, FileMetadataCache, FileStatisticsCache,
};
use datafusion::execution::cache::cache_unit::DefaultFileStatisticsCache;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::planner::ExprPlanner;
use datafusion::logical_expr::{AggregateUDF, LogicalPlan, ScalarUDF, WindowUDF};
use datafusion::optimizer::Analyzer;
use datafusion::physical_plan::execute_stream;
use datafusion::prelude::{SQLOptions, SessionConfig, SessionContext};
use futures_util::StreamExt;
use inda_core::{Error, ResultSet, Scope, Session, TenantEntry};
use inda_guard::Guarded;
use sqlparser::ast::Statement;
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::Parser;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, OnceLock};

/// DataFusion over `<root>/marts/<table>/<tenant>/*.parquet`.
#[derive(Clone)]
pub struct EmbeddedWarehouse {
    root: PathBuf,
    partitions: usize,
    /// Parquet footers, kept across queries (each query has its own session). Keyed by path and checked
    /// against the file's size and modification time, so a rewritten file (a new demo, a sync) is read
    /// afresh. Listings are not cached: a sync adds files.
    footers: Arc<dyn FileMetadataCache>,
    /// Each file's statistics (row counts, min/max) as the planner reads them from its footer, kept across
    /// queries on the same terms as the footers: summing a file's row groups again on every query was a
    /// tenth of a small query's planning.
    statistics: Arc<dyn FileStatisticsCache>,
    /// The session settings every query starts from, made once: DataFusion's defaults ask the OS for the
    /// number of cores (cgroup files) each time they are made, a twentieth of a small query.
    config: Arc<SessionConfig>,
    /// The tenants directory (names, partners, reporting currencies), from `admin/tenants.json`.
    tenants_file: Arc<TenantsFile>,
    /// Where the key of sealed Parquet comes from (the keyring, through the app), asked on the first query
    /// only, so that commands that read nothing never touch the keyring; `None` reads plain files only.
    key_source: Option<Arc<KeySource>>,
    key: Arc<OnceLock<WarehouseKey>>,
    /// Which files hold only their directory's tenant, by their footers (see [`crate::tenant_table`]).
    proofs: Arc<Proofs>,
    /// Whether queries a rollup answers exactly read it ([`crate::route`]); on unless turned off.
    rollups: bool,
    /// Whether a fact is summed before it is joined to a small dimension ([`crate::eager`]); on unless
    /// turned off (what the rule's differential test compares with).
    eager: bool,
    /// Whether a grouping of one row per group is a projection ([`crate::keyed`]); on unless turned off
    /// (what the rule's differential test compares with).
    keyed: bool,
    /// Whether partial aggregates by string columns find their groups by views ([`crate::grouping`]); on
    /// unless turned off (what its differential test compares with).
    views: bool,
    /// Whether filters compare strings with short literals by their views ([`crate::view_filter`]); on
    /// unless turned off (what its differential test compares with).
    view_filters: bool,
    /// Optimised plans of statements asked before ([`crate::plans`]), shared by this warehouse's clones
    /// and made afresh by every `with_…` that changes how a query is planned.
    plans: Arc<Plans>,
    /// Whether those plans are kept at all; on unless turned off (what the reuse is measured against).
    reuse_plans: bool,
}

/// Gives the warehouse's key, creating it on first use.
pub type KeySource = dyn Fn() -> Result<WarehouseKey, Error> + Send + Sync;

impl std::fmt::Debug for EmbeddedWarehouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedWarehouse")
            .field("root", &self.root)
            .field("partitions", &self.partitions)
            .finish()
    }
}

/// Files above this size are scanned by several cores at once.
const REPARTITION_FILE_MIN_BYTES: usize = 1 << 20;

/// Footers of the default scale's files take a few hundred KB; the largest scales a few MB.
const FOOTER_CACHE_BYTES: usize = 64 << 20;

/// Files whose statistics are kept: the marts of a few hundred tenants and their rollups.
const STATISTICS_CACHE_FILES: usize = 4096;

/// The settings of every query's session, on `partitions` partitions.
fn session_config(partitions: usize) -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_target_partitions(partitions)
        .with_information_schema(false)
        .with_default_catalog_and_schema("datafusion", "marts")
        .with_create_default_catalog_and_schema(true);
    // A tenant's table is usually one file of a few MB; splitting it by row groups puts every core on
    // the scan (DataFusion's default leaves files under 10 MB to one core).
    config.options_mut().optimizer.repartition_file_min_size = REPARTITION_FILE_MIN_BYTES;
    // A hash join hands the keys of its build side to the scan of its probe side, to skip the row groups
    // and pages holding none of them. Marts facts are not ordered by a join key (campaign, contact), so
    // that never skipped anything here, and rewriting the filter (the keys' bounds, and a list of them up to
    // 150) as the scan went cost ~8 ms of CPU a query: a fact joined to its campaigns took 28.8 -> 19.0 ms
    // of CPU at the default scale and 91 -> 83 at 10.4 M; at 100 M the dev set did not change.
    config.options_mut().optimizer.enable_join_dynamic_filter_pushdown = false;
    // The logical optimizer's rules reach a fixed point in two passes on every statement of the project's
    // question files and peer shapes (1,917, for two tenants, with rollups and without, 2026-12-06: the same
    // plans as with DataFusion's three, save the time `now()` read and the numbering of common
    // expressions); a third pass only confirms it: about a third of the optimizer's 1 ms a query.
    config.options_mut().optimizer.max_passes = 2;
    config
}

impl EmbeddedWarehouse {
    /// `root` is the warehouse directory inside the data dir.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let partitions = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
        EmbeddedWarehouse {
            root: root.into(),
            partitions,
            footers: Arc::new(DefaultFilesMetadataCache::new(FOOTER_CACHE_BYTES)),
            statistics: Arc::new(DefaultFileStatisticsCache::default()),
            config: Arc::new(session_config(partitions)),
            tenants_file: Arc::new(TenantsFile::default()),
            key_source: None,
            key: Arc::new(OnceLock::new()),
            proofs: Arc::new(Proofs::default()),
            rollups: true,
            eager: true,
            keyed: true,
            views: true,
            view_filters: true,
            plans: Arc::default(),
            reuse_plans: true,
        }
    }

    /// The same warehouse joining every fact before summing it, as the SQL says (`false`): what the
    /// engine's summing before small joins (`eager.rs`) is compared with.
    pub fn with_eager_aggregation(mut self, on: bool) -> Self {
        self.eager = on;
        self.plans = Arc::default();
        self
    }

    /// The same warehouse grouping as written where each group is one row (`false`): what turning those
    /// groupings into projections (`keyed.rs`) is compared with.
    pub fn with_keyed_groups(mut self, on: bool) -> Self {
        self.keyed = on;
        self.plans = Arc::default();
        self
    }

    /// The same warehouse grouping every partial aggregate as DataFusion does (`false`): what grouping by
    /// string views (`grouping.rs`) is compared with.
    pub fn with_view_grouping(mut self, on: bool) -> Self {
        self.views = on;
        self.plans = Arc::default();
        self
    }

    /// The same warehouse comparing strings in filters as DataFusion does (`false`): what comparing them by
    /// their views (`view_filter.rs`) is compared with.
    pub fn with_view_filters(mut self, on: bool) -> Self {
        self.view_filters = on;
        self.plans = Arc::default();
        self
    }

    /// The same warehouse answering every query from the facts (`false`), never from a rollup: what the
    /// rollups are compared with, and a way to rule them out (`[warehouse] rollups = false`).
    pub fn with_rollups(mut self, on: bool) -> Self {
        self.rollups = on;
        self.plans = Arc::default();
        self
    }

    /// The rollups that would answer a guarded query for `scope`, by name; empty when it reads the facts.
    /// For tests and diagnostics: what runs is decided in the query (which also builds a stale rollup, and
    /// reads the facts when one cannot be built).
    pub fn rollups_for(&self, scope: &Scope, guarded: &Guarded) -> Vec<&'static str> {
        let mut statement = Statement::Query(Box::new(guarded.query().clone()));
        if !self.rollups || bridge::to_datafusion(&mut statement).is_err() {
            return Vec::new();
        }
        route::route(&mut statement, scope).into_iter().collect()
    }

    /// The same warehouse opening sealed Parquet with the key `source` gives (asked once, on first use).
    pub fn with_key_source(mut self, source: Arc<KeySource>) -> Self {
        self.key_source = Some(source);
        self.plans = Arc::default();
        self
    }

    /// The key, when the warehouse has a source; an error when the source fails (a keyring not reachable).
    fn key(&self) -> Result<Option<&WarehouseKey>, Error> {
        let Some(source) = &self.key_source else { return Ok(None) };
        if let Some(key) = self.key.get() {
            return Ok(Some(key));
        }
        let key = source()?;
        Ok(Some(self.key.get_or_init(|| key)))
    }

    /// The tenants of `admin/tenants.json` (a small local file: read inline, again only when it changed);
    /// `None` when there is none.
    pub fn directory(&self) -> inda_core::Result<Option<Vec<TenantEntry>>> {
        let path = self.root.join("admin").join("tenants.json");
        Ok(self.tenants_file.entries(&path).map_err(WarehouseError::from)?.map(|t| t.as_ref().clone()))
    }

    /// The same warehouse running each query on at most `threads` partitions (`[warehouse] threads`): fewer
    /// on a shared machine; one makes results whose order a query leaves open (ties under a LIMIT)
    /// repeatable.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.partitions = threads.clamp(1, 64);
        self.config = Arc::new(session_config(self.partitions));
        self.plans = Arc::default();
        self
    }

    /// The same warehouse planning every statement afresh (`false`), as if never asked before: what keeping
    /// plans (`plans.rs`) is measured and compared against.
    pub fn with_plan_reuse(mut self, on: bool) -> Self {
        self.reuse_plans = on;
        self.plans = Arc::default();
        self
    }

    /// How many optimised plans are kept for statements asked again (for tests and diagnostics).
    pub fn kept_plans(&self) -> usize {
        self.plans.len()
    }

    /// The warehouse directory given to [`EmbeddedWarehouse::new`]; tenant data lives under its `marts/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether demo or synced data exists at all.
    pub fn exists(&self) -> bool {
        self.root.join("marts").is_dir()
    }

    /// A session that can see the marts of the session's scope (its tenant, or an admin's tenants) and
    /// nothing else.
    fn tenant_context(&self, scope: &Scope, limits: &QueryLimits) -> Result<SessionContext, Error> {
        check_tenants(scope)?;
        if self.statistics.len() > STATISTICS_CACHE_FILES {
            // Rollups are named by their sources, so rebuilt ones leave entries behind: start afresh.
            self.statistics.clear();
        }
        let runtime = self.runtime(limits)?;
        let state =
            SessionStateBuilder::new().with_config(self.config.as_ref().clone()).with_runtime_env(runtime);
        let mut state = with_default_features(state)
            // Before type coercion, so that what reads a ratio is coerced to its new type.
            .with_analyzer_rules(division::ahead_of(&Analyzer::new().rules));
        if self.eager {
            state = state.with_optimizer_rule(Arc::new(eager::EagerAggregation));
        }
        if self.keyed {
            // After the eager aggregation, whose second grouping it often removes.
            state = state.with_optimizer_rule(Arc::new(keyed::KeyedGroups));
        }
        let state = state.build();
        let ctx = SessionContext::new_with_state(state);
        crate::functions::register(&ctx);
        ctx.register_udaf(crate::average::udaf());
        let key = self.key()?;
        let format = encryption::format_for(key);
        let catalog = ctx.catalog("datafusion").ok_or(WarehouseError::NoCatalog)?;
        let schema = Arc::new(MemorySchemaProvider::new());
        catalog.register_schema("marts", schema.clone()).map_err(WarehouseError::RegisterSchema)?;
        for table in inda_core::marts::names() {
            let arrow_schema = read_schema(&marts_schema(table).ok_or(WarehouseError::NoSchema(table))?);
            let provider = self.table(table, scope, arrow_schema, &format, key)?;
            schema
                .register_table(table.to_string(), provider)
                .map_err(|source| WarehouseError::RegisterTable { table, source })?;
        }
        Ok(ctx)
    }

    /// What one query runs with: its own memory pool and spill bound, and the warehouse's caches of footers
    /// and statistics.
    fn runtime(&self, limits: &QueryLimits) -> Result<Arc<RuntimeEnv>, Error> {
        let caches = CacheManagerConfig::default()
            .with_file_metadata_cache(Some(self.footers.clone()))
            .with_files_statistics_cache(Some(self.statistics.clone()));
        Ok(RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
            // What a query may spill to the temp dir: a bound, so that no query can fill the disk.
            .with_max_temp_directory_size(limits.spill_bytes())
            .with_cache_manager(caches)
            .build_arc()
            .map_err(WarehouseError::EngineStart)?)
    }

    /// Every file the scope can read now (its marts and, when on, its rollups): what a kept plan must have
    /// been made with to be used again.
    fn files_of(&self, scope: &Scope) -> Result<Files, Error> {
        check_tenants(scope)?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for tenant in scope.tenants() {
            dirs.extend(
                inda_core::marts::names().map(|table| self.root.join("marts").join(table).join(tenant)),
            );
            if self.rollups {
                dirs.extend(rollup::rollups().iter().map(|r| rollup::dir(&self.root, r, tenant)));
            }
        }
        Ok(Files::of(dirs.iter().flat_map(|dir| parquet_files(dir))))
    }

    /// The scope's files of one marts table.
    fn table(
        &self,
        table: &'static str,
        scope: &Scope,
        arrow_schema: SchemaRef,
        format: &Arc<ParquetFormat>,
        key: Option<&WarehouseKey>,
    ) -> Result<Arc<dyn TableProvider>, Error> {
        let files = scope
            .tenants()
            .iter()
            .map(|tenant| (tenant.clone(), parquet_files(&self.root.join("marts").join(table).join(tenant))))
            .collect();
        self.listing(table, files, arrow_schema, format, key)
    }

    /// A table of these files per tenant, each proven (or not) to hold only its tenant; an empty table when
    /// there are none.
    fn listing(
        &self,
        table: &'static str,
        files: Vec<(String, Vec<PathBuf>)>,
        arrow_schema: SchemaRef,
        format: &Arc<ParquetFormat>,
        key: Option<&WarehouseKey>,
    ) -> Result<Arc<dyn TableProvider>, Error> {
        let open = |source| WarehouseError::OpenTable { table, source };
        let mut urls = Vec::new();
        let mut proven = Some(BTreeSet::new());
        let mut rows = Some(0u64);
        let mut unique = None;
        for (tenant, files) in files {
            for file in files {
                let footer = self.proofs.footer(&file, key);
                // A key unique in each of two files may repeat across them: only one file's proof counts.
                unique = if urls.is_empty() { footer.unique.clone() } else { None };
                let holds = footer.tenant.as_deref() == Some(tenant.as_str());
                rows = rows.zip(footer.rows).map(|(a, b)| a.saturating_add(b));
                proven = proven.filter(|_| holds).map(|mut p| {
                    p.insert(tenant.clone());
                    p
                });
                urls.push(ListingTableUrl::parse(file.display().to_string()).map_err(open)?);
            }
        }
        if urls.is_empty() {
            // A scope without data sees empty tables, not errors.
            return Ok(Arc::new(MemTable::try_new(arrow_schema, vec![vec![]]).map_err(open)?));
        }
        // Row counts and min/max from the footers let the planner build hash joins on the smaller side
        // (a fact joined to a dimension was 3-4x slower without them). Queries still yield to the
        // timeout and a cancel: the stop wrapper and DataFusion's cooperative scheduling see to it.
        let options =
            ListingOptions::new(format.clone()).with_file_extension(".parquet").with_collect_stat(true);
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .with_schema(arrow_schema);
        let listing = ListingTable::try_new(config).map_err(open)?.with_cache(Some(self.statistics.clone()));
        Ok(Arc::new(TenantTable::new(listing, proven, rows).with_unique(unique)))
    }

    /// `statement` reading the rollups that answer it exactly ([`route`]), once they are fresh and
    /// registered on `ctx`; as it was when none does, or when one cannot be had (then it reads the facts:
    /// slower, never different).
    async fn routed_to_rollups(
        &self,
        ctx: &SessionContext,
        scope: &Scope,
        statement: Statement,
        limits: &QueryLimits,
    ) -> Statement {
        if !self.rollups {
            return statement;
        }
        let mut routed = statement.clone();
        let used = route::route(&mut routed, scope);
        if used.is_empty() {
            return statement;
        }
        match self.register_rollups(ctx, scope, &used, limits).await {
            Ok(()) => routed,
            Err(e) => {
                tracing::warn!(error = %e.message, "a rollup could not be had; reading the facts");
                statement
            }
        }
    }

    /// The tenant's file of `table`, built first when its sources changed since; `None` when the tenant
    /// has no facts (nothing to sum: its part of the rollup is empty).
    async fn fresh_rollup(
        &self,
        table: &'static rollup::Rollup,
        tenant: &str,
        limits: &QueryLimits,
        key: Option<&WarehouseKey>,
    ) -> Result<Option<PathBuf>, Error> {
        let files_of = |t: &str| parquet_files(&self.root.join("marts").join(t).join(tenant));
        if files_of(&table.of).is_empty() {
            return Ok(None);
        }
        let sources: Vec<PathBuf> = table.sources().into_iter().flat_map(files_of).collect();
        let file = rollup::fresh_file(&self.root, table, tenant, &sources);
        if !file.is_file() {
            let alone = Scope::one(tenant).map_err(|_| WarehouseError::InvalidTenant)?;
            let build_ctx = self.tenant_context(&alone, limits)?;
            let span = tracing::info_span!("rollup", rollup = %table.name, tenant = %tenant);
            tracing::Instrument::instrument(rollup::build(&build_ctx, table, tenant, &file, key), span)
                .await?;
        }
        Ok(Some(file))
    }

    /// Brings every rollup of the scope's tenants up to date with their facts, so that the first question
    /// after a demo or a sync does not wait for one (a query would build it otherwise). On the query
    /// runtime, from any thread, blocking until done; returns how many tenant rollups are fresh.
    pub fn refresh_rollups(&self, scope: &Scope, limits: &QueryLimits) -> Result<usize, Error> {
        if !self.rollups || !self.exists() {
            return Ok(0);
        }
        let handle = query_runtime()?;
        let work = async {
            let key = self.key()?;
            let mut fresh = 0;
            for table in rollup::rollups() {
                for tenant in scope.tenants() {
                    fresh += usize::from(self.fresh_rollup(table, tenant, limits, key).await?.is_some());
                }
            }
            Ok(fresh)
        };
        // Its own thread: the caller may be on a runtime, where blocking on another one is not allowed.
        std::thread::scope(|s| s.spawn(|| handle.block_on(work)).join())
            .unwrap_or_else(|_| Err(WarehouseError::Rollup("the build stopped unexpectedly".into()).into()))
    }

    /// Registers the `used` rollups of the scope's tenants in [`rollup::SCHEMA`] on `ctx`, building each one
    /// whose facts changed since it was built.
    async fn register_rollups(
        &self,
        ctx: &SessionContext,
        scope: &Scope,
        used: &BTreeSet<&'static str>,
        limits: &QueryLimits,
    ) -> Result<(), Error> {
        let key = self.key()?;
        let format = encryption::format_for(key);
        let catalog = ctx.catalog("datafusion").ok_or(WarehouseError::NoCatalog)?;
        let schema = Arc::new(MemorySchemaProvider::new());
        catalog.register_schema(rollup::SCHEMA, schema.clone()).map_err(WarehouseError::RegisterSchema)?;
        for name in used {
            let table = rollup::named(name).ok_or(WarehouseError::NoSchema("rollup"))?;
            let mut files = Vec::new();
            for tenant in scope.tenants() {
                if let Some(file) = self.fresh_rollup(table, tenant, limits, key).await? {
                    files.push((tenant.clone(), vec![file]));
                }
            }
            let provider = self.listing(name, files, read_schema(&table.schema()?), &format, key)?;
            schema
                .register_table(table.name.clone(), provider)
                .map_err(|source| WarehouseError::RegisterTable { table: name, source })?;
        }
        Ok(())
    }

    /// The optimised plan of `statement` in `scope` and the session it was made in: the one kept from an
    /// earlier query while the scope's files are the same ([`plans`]), or one made now, then kept unless it
    /// reads the clock.
    async fn planned(
        &self,
        scope: &Scope,
        statement: Statement,
        limits: &QueryLimits,
    ) -> Result<Planned, Error> {
        let key = if self.reuse_plans { plans::Key::of(scope, &statement) } else { None };
        let files = match key {
            Some(_) => self.files_of(scope)?,
            None => Files::default(),
        };
        if let Some(planned) = key.as_ref().and_then(|key| self.plans.get(key, &files)) {
            tracing::debug!("a kept plan");
            return Ok(planned);
        }
        let ctx = self.tenant_context(scope, limits)?;
        let statement = self.routed_to_rollups(&ctx, scope, statement, limits).await;
        let mut state = ctx.state();
        let plan = state
            .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(statement)))
            .await
            .map_err(engine_error)?;
        let rows = largest_table_rows(&plan);
        let options = state.config_mut().options_mut();
        options.execution.target_partitions = partitions_for(rows, self.partitions);
        options.optimizer.repartition_aggregations = !is_small(rows, self.partitions);
        SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false)
            .verify_plan(&plan)
            .map_err(WarehouseError::ReadOnly)?;
        let reusable = plans::reusable(&plan);
        let plan = state.optimize(&plan).map_err(engine_error)?;
        let planned = Planned { state: Arc::new(state), plan: Arc::new(plan) };
        if let Some(key) = key.filter(|_| reusable) {
            self.plans.keep(key, files, planned.clone());
        }
        Ok(planned)
    }

    async fn run(
        &self,
        session: &Session,
        mut statement: Statement,
        limits: &QueryLimits,
        stop: Arc<QueryStop>,
    ) -> Result<ResultSet, Error> {
        bridge::to_datafusion(&mut statement).map_err(WarehouseError::Bridge)?;
        let Planned { state, plan } = self.planned(&session.scope, statement, limits).await?;
        stop.check().map_err(stop_error)?;
        let physical =
            state.query_planner().create_physical_plan(&plan, &state).await.map_err(engine_error)?;
        stop.check().map_err(stop_error)?;
        let physical = build_side::aggregates_built(physical).map_err(engine_error)?;
        let physical = match self.view_filters {
            true => {
                view_filter::compare_by_views(physical, state.config().batch_size()).map_err(engine_error)?
            }
            false => physical,
        };
        let physical = compact::compact_views(physical).map_err(engine_error)?;
        let physical =
            if self.views { grouping::group_by_views(physical).map_err(engine_error)? } else { physical };
        let physical = stop::guard_plan(physical, &stop).map_err(engine_error)?;
        let schema = physical.schema();
        // The query's own memory pool, whether its plan was made now or kept from an earlier query.
        let task = TaskContext::from(state.as_ref()).with_runtime(self.runtime(limits)?);
        let mut stream: SendableRecordBatchStream =
            execute_stream(physical, Arc::new(task)).map_err(engine_error)?;
        let mut result = ResultSet { columns: convert::columns(&schema), rows: Vec::new(), truncated: false };
        let mut bytes = 0;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(engine_error)?;
            let room = limits.max_rows.saturating_sub(result.rows.len());
            let start = result.rows.len();
            convert::append_rows(&batch, &mut result.rows, room)?;
            bytes += result.rows[start..].iter().flatten().map(inda_core::Value::size_bytes).sum::<usize>();
            if bytes > limits.result_bytes {
                return Err(WarehouseError::ResultTooLarge { limit: limits.result_bytes as u64 }.into());
            }
            if batch.num_rows() > room {
                result.truncated = true;
                break;
            }
        }
        Ok(result)
    }
}

/// Tenant ids are validated when the token is, but a path must never be built from anything odd.
fn check_tenants(scope: &Scope) -> Result<(), Error> {
    match scope.tenants().iter().all(|t| inda_core::is_tenant_id(t)) {
        true => Ok(()),
        false => Err(WarehouseError::InvalidTenant.into()),
    }
}

/// DataFusion's default features (`SessionStateBuilder::with_default_features`: its functions, planners,
/// file formats and table factories), made once per process and shared by every query's session. Making
/// them on each query asked the OS for the number of cores (`now()` reads DataFusion's default settings,
/// which read the cgroup files) and built every function's signature: about a tenth of the CPU of a query
/// over a small dimension (1.7 -> 1.5 ms at the default scale, 2026-12-07). The test below holds it to
/// DataFusion's own list.
fn with_default_features(state: SessionStateBuilder) -> SessionStateBuilder {
    struct Defaults {
        table_factories: HashMap<String, Arc<dyn TableProviderFactory>>,
        file_formats: Vec<Arc<dyn FileFormatFactory>>,
        expr_planners: Vec<Arc<dyn ExprPlanner>>,
        scalar: Vec<Arc<ScalarUDF>>,
        aggregate: Vec<Arc<AggregateUDF>>,
        window: Vec<Arc<WindowUDF>>,
        table: HashMap<String, Arc<TableFunction>>,
    }
    static DEFAULTS: LazyLock<Defaults> = LazyLock::new(|| Defaults {
        table_factories: SessionStateDefaults::default_table_factories(),
        file_formats: SessionStateDefaults::default_file_formats(),
        expr_planners: SessionStateDefaults::default_expr_planners(),
        scalar: SessionStateDefaults::default_scalar_functions(),
        aggregate: SessionStateDefaults::default_aggregate_functions(),
        window: SessionStateDefaults::default_window_functions(),
        table: SessionStateDefaults::default_table_functions()
            .into_iter()
            .map(|f| (f.name().to_string(), f))
            .collect(),
    });
    let d = &*DEFAULTS;
    state
        .with_table_factories(d.table_factories.clone())
        .with_file_formats(d.file_formats.clone())
        .with_expr_planners(d.expr_planners.clone())
        .with_scalar_functions(d.scalar.clone())
        .with_aggregate_functions(d.aggregate.clone())
        .with_window_functions(d.window.clone())
        .with_table_functions(d.table.clone())
}

/// Strings are read as views: the Parquet dictionaries of the low-cardinality columns (channel, status,
/// country…) decode without copying their bytes, and filters and GROUP BY compare short strings inline.
/// Results still come out as text (`convert` reads views).
fn read_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => f.as_ref().clone().with_data_type(DataType::Utf8View),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Row groups per core at or under which a query is small: two partitions per core, one final stage.
const FEW_ROW_GROUPS: u64 = 3;

/// The rows of the largest warehouse table `plan` reads (`u64::MAX` when one's footers did not say; 0 when
/// it reads none).
fn largest_table_rows(plan: &LogicalPlan) -> u64 {
    let mut largest = 0u64;
    // The visit never fails: nothing to handle.
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Some(rows) = tenant_table::scan_rows(scan)
        {
            largest = largest.max(rows.unwrap_or(u64::MAX));
        }
        Ok(TreeNodeRecursion::Continue)
    });
    largest
}

/// Whether a query whose largest table has `rows` is small on `cores`: at most [`FEW_ROW_GROUPS`] row
/// groups per core. A small query runs on more partitions ([`partitions_for`]) and merges its partial
/// aggregates in one final stage (`repartition_aggregations` off) rather than hashing their few rows into
/// every partition first: at the default scale the peer shapes took 2-15% less CPU that way (a fact joined
/// to its campaigns 17.8 -> 15.3 ms, the two-fact join 25.7 -> 21.8), and the dev set with rollups
/// 307-349 -> 211-320 ms in all. That final stage merges at most the rows of a few row groups per core.
fn is_small(rows: u64, cores: usize) -> bool {
    rows <= FEW_ROW_GROUPS * cores as u64 * ROW_GROUP_ROWS as u64
}

/// The partitions a query whose largest table has `rows` runs on: `cores` (the warehouse's partitions: the
/// cores, or `[warehouse] threads`), or twice that when the table has more row groups than them, but is
/// small ([`is_small`]). Why: DataFusion hands each partition its row groups up front, so a tenant's 304 K
/// messages (three row groups of 128 K, 128 K and 48 K rows) on two cores left one core scanning two row
/// groups while the other idled; with more partitions than cores, the last row group goes to whichever core
/// frees first. With many row groups the split is even anyway, and more partitions only cost more hash
/// tables and exchanges. Measured (peer shapes, warm, two cores): a grouped count with a date filter 14.6
/// -> 11.5 ms at the default scale and 19.6 -> 15.5 ms on a tenant of 576 K messages; at 900 K messages
/// (seven row groups) neither better nor worse; at 3.6 M, the two-fact join and the distinct count 10-25%
/// slower. With no more row groups than partitions (a rollup of a few thousand rows) there is nothing to
/// balance, and twice the partitions measured slower (the 40 dev-set questions in process with rollups at
/// the default scale: 260-265 -> 274-287 ms in all). One partition (`[warehouse] threads = 1`, repeatable
/// order) stays one.
fn partitions_for(rows: u64, cores: usize) -> usize {
    let one_each = cores as u64 * ROW_GROUP_ROWS as u64;
    if cores > 1 && rows > one_each && is_small(rows, cores) { 2 * cores } else { cores }
}

/// The Parquet files of a tenant's table directory, in name order (none when it does not exist). Only the
/// directory itself: DataFusion ignores subdirectories too, and a name starting with a dot is a file being
/// written.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".parquet") && !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// One statement of text, for [`Warehouse::query`]: the path of SQL that did not come from the guard here.
fn parse_one(sql: &str) -> Result<Statement, Error> {
    let mut statements = Parser::parse_sql(&SnowflakeDialect {}, sql).map_err(WarehouseError::Parse)?;
    if statements.len() != 1 {
        return Err(WarehouseError::NotOneStatement.into());
    }
    Ok(statements.remove(0))
}

/// DataFusion's messages carry internal prefixes; keep the part a person can act on.
fn engine_error(e: datafusion::error::DataFusionError) -> Error {
    if let Some(reason) = stop::reason_of(&e) {
        return stop_error(reason);
    }
    // The memory pool's refusal, however deeply DataFusion wrapped it.
    let exhausted = matches!(e.find_root(), datafusion::error::DataFusionError::ResourcesExhausted(_));
    let text = e.to_string();
    let text = text
        .trim_start_matches("Error during planning: ")
        .trim_start_matches("Schema error: ")
        .trim_start_matches("Execution error: ")
        .trim_start_matches("This feature is not implemented: ");
    let text = bridge::without_syntax_tree(text.lines().next().unwrap_or("query failed"));
    if exhausted {
        return WarehouseError::OutOfMemory(text).into();
    }
    WarehouseError::Query(text).into()
}

fn stop_error(reason: StopReason) -> Error {
    WarehouseError::Stopped(reason).into()
}

impl Warehouse for EmbeddedWarehouse {
    fn engine(&self) -> &'static str {
        "embedded"
    }

    fn query<'a>(
        &'a self,
        session: &'a Session,
        sql: &'a str,
        limits: &'a QueryLimits,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, inda_core::Result<ResultSet>> {
        Box::pin(async move { self.run_bounded(session, parse_one(sql)?, limits, cancel).await })
    }

    /// Plans from the guard's checked tree itself: what runs is what was checked, with no text in between
    /// (and no second parse).
    fn query_guarded<'a>(
        &'a self,
        session: &'a Session,
        guarded: &'a Guarded,
        limits: &'a QueryLimits,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, inda_core::Result<ResultSet>> {
        let statement = Statement::Query(Box::new(guarded.query().clone()));
        Box::pin(async move { self.run_bounded(session, statement, limits, cancel).await })
    }

    /// `config.default_currency` of the tenant in `admin/tenants.json` (a small local file: read inline).
    fn reporting_currency<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<String>>> {
        let path = self.root.join("admin").join("tenants.json");
        Box::pin(async move {
            Ok(self.tenants_file.currency(&path, &session.tenant_id).map_err(WarehouseError::from)?)
        })
    }

    /// The tenants of `admin/tenants.json`, the same for every session ([`EmbeddedWarehouse::directory`]).
    fn tenants<'a>(
        &'a self,
        _session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<Vec<TenantEntry>>>> {
        Box::pin(async move { self.directory() })
    }
}

impl EmbeddedWarehouse {
    /// [`Self::run`] within the time limit, until done or cancelled.
    async fn run_bounded(
        &self,
        session: &Session,
        statement: Statement,
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> inda_core::Result<ResultSet> {
        if !self.exists() {
            return Err(WarehouseError::NoWarehouse.into());
        }
        // Dropped when this returns, including when the caller drops this future (cancel, disconnect).
        let _running = idle::Running::start();
        let stop = Arc::new(QueryStop::new(limits.timeout, cancel.clone(), limits.process_memory_bytes));
        let (this, session, limits) = (self.clone(), session.clone(), limits.clone());
        let timeout = limits.timeout;
        let task = query_runtime()?.spawn({
            let stop = stop.clone();
            async move { this.run(&session, statement, &limits, stop).await }
        });
        let abort = task.abort_handle();
        // The query checks its deadline and the cancel itself between batches; these arms answer the caller
        // on time even while the query is planning, which has no batches.
        let outcome = tokio::select! {
            r = task => r.unwrap_or_else(|e| Err(WarehouseError::TaskFailed(e).into())),
            _ = tokio::time::sleep(timeout) => Err(WarehouseError::TimedOut {
                secs: timeout.as_secs_f64().ceil(),
            }.into()),
            _ = cancel.cancelled() => Err(stop_error(StopReason::Cancelled)),
        };
        abort.abort();
        outcome
    }
}

/// The runtime queries execute on, apart from the caller's: a plan that never yields (a cartesian join)
/// then cannot starve the caller's runtime of the timer that stops it, and a stopped query is aborted at
/// its next yield. Its workers have large stacks, for deep plans. Its blocking threads (file reads) exit
/// soon after the last query, which frees their memory (`idle`). It lives as long as the process.
fn query_runtime() -> Result<&'static tokio::runtime::Handle, Error> {
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("inda-query")
                .thread_stack_size(QUERY_STACK_BYTES)
                .thread_keep_alive(idle::BLOCKING_KEEP_ALIVE)
                .enable_time()
                .build()
                .ok()
        })
        .as_ref()
        .map(tokio::runtime::Runtime::handle)
        .ok_or_else(|| WarehouseError::NoQueryRuntime.into())
}

/// Stack of each query worker: deep expression trees recurse through planning and execution.
const QUERY_STACK_BYTES: usize = 16 << 20;

#[cfg(test)]
mod tests {
    use super::engine_error;
    use datafusion::error::DataFusionError;

    /// The memory pool's refusal is recognised by its kind, however DataFusion wrapped it, not by its text.
    #[test]
    fn a_wrapped_memory_refusal_is_worded_as_one() {
        let refusal = DataFusionError::ResourcesExhausted("Failed to allocate 1 MB for HashJoin".into());
        let wrapped = DataFusionError::Context("while joining".into(), Box::new(refusal));
        let e = engine_error(wrapped);
        assert!(e.message.starts_with("the query needs more memory than allowed"), "{}", e.message);
        let other = engine_error(DataFusionError::Plan("Resources exhausted, says a column name".into()));
        assert!(!other.message.contains("needs more memory"), "{}", other.message);
    }

    /// What a query may spill is bounded by its limits, not by DataFusion's default of 100 GB: a query that
    /// spilled without bound once filled this machine's disk.
    #[test]
    fn a_query_may_spill_four_times_its_memory_and_no_more() {
        let dir = tempfile::tempdir().expect("dir");
        let warehouse = super::EmbeddedWarehouse::new(dir.path());
        let limits = crate::QueryLimits { memory_bytes: 24 << 20, ..crate::QueryLimits::default() };
        let scope = inda_core::Scope::one("acme_corp").expect("scope");
        let ctx = warehouse.tenant_context(&scope, &limits).expect("context");
        assert_eq!(ctx.runtime_env().disk_manager.max_temp_directory_size(), 96 << 20);
        assert_eq!(crate::QueryLimits::default().spill_bytes(), 8 << 30);
    }

    /// The features made once are DataFusion's defaults, name for name: none missing after an upgrade.
    #[test]
    fn default_features_made_once_are_datafusions() {
        use datafusion::execution::session_state::SessionStateBuilder;
        use std::collections::HashMap;
        let ours = super::with_default_features(SessionStateBuilder::new()).build();
        let theirs = SessionStateBuilder::new().with_default_features().build();
        fn names<V>(functions: &HashMap<String, V>) -> Vec<&String> {
            let mut names: Vec<_> = functions.keys().collect();
            names.sort();
            names
        }
        assert_eq!(names(ours.scalar_functions()), names(theirs.scalar_functions()));
        assert_eq!(names(ours.aggregate_functions()), names(theirs.aggregate_functions()));
        assert_eq!(names(ours.window_functions()), names(theirs.window_functions()));
        assert_eq!(names(ours.table_functions()), names(theirs.table_functions()));
        assert_eq!(ours.expr_planners().len(), theirs.expr_planners().len());
        assert!(ours.scalar_functions().len() > 100 && ours.scalar_functions().contains_key("now"));
    }

    /// Two partitions per core for a table of a few row groups per core, one per core past that or when its
    /// rows are unknown, and one partition stays one; a query is small up to three row groups per core.
    #[test]
    fn few_row_groups_get_two_partitions_per_core() {
        use super::{ROW_GROUP_ROWS, TenantTable, is_small, largest_table_rows, partitions_for};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        use datafusion::datasource::file_format::parquet::ParquetFormat;
        use datafusion::datasource::listing::{
            ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
        };
        use datafusion::datasource::provider_as_source;
        use datafusion::logical_expr::LogicalPlanBuilder;
        use std::sync::Arc;
        let plan = |rows: Option<usize>| {
            let schema = Arc::new(Schema::new(vec![Field::new("channel", DataType::Utf8View, true)]));
            let url = ListingTableUrl::parse("/nowhere/data.parquet").expect("url");
            let options = ListingOptions::new(Arc::new(ParquetFormat::default()));
            let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(schema);
            let files = ListingTable::try_new(config).expect("table");
            let table = TenantTable::new(files, None, rows.map(|r| r as u64));
            let scan = LogicalPlanBuilder::scan("fct_messages", provider_as_source(Arc::new(table)), None);
            scan.expect("scan").build().expect("plan")
        };
        assert_eq!(largest_table_rows(&plan(Some(304_000))), 304_000);
        assert_eq!(largest_table_rows(&plan(None)), u64::MAX);
        let groups = |n: usize| (n * ROW_GROUP_ROWS) as u64;
        assert_eq!(partitions_for(304_000, 2), 4);
        assert_eq!(partitions_for(groups(6), 2), 4);
        assert_eq!(partitions_for(groups(6) + 1, 2), 2);
        assert_eq!(partitions_for(3_600_000, 2), 2);
        assert_eq!(partitions_for(groups(6), 4), 8);
        assert_eq!(partitions_for(u64::MAX, 2), 2);
        assert_eq!(partitions_for(304_000, 1), 1);
        // No more row groups than partitions (a rollup of a few thousand rows): nothing to balance.
        assert_eq!(partitions_for(20_000, 2), 2);
        assert_eq!(partitions_for(groups(2), 2), 2);
        assert_eq!(partitions_for(groups(2) + 1, 2), 4);
        // Small, with one final stage: up to three row groups per core, rows known.
        assert!(is_small(20_000, 2) && is_small(groups(6), 2) && is_small(0, 1));
        assert!(!is_small(groups(6) + 1, 2) && !is_small(3_600_000, 2) && !is_small(u64::MAX, 2));
    }
}
