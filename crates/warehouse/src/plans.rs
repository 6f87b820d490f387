//! Optimised plans of statements asked before, kept per scope while the files the scope reads stay the same.
//!
//! Before its first row, every query made a session, turned its statement into a logical plan and ran
//! DataFusion's analyzer and logical optimizer on it: 1.0 to 2.5 ms of one core at the default scale
//! (2026-12-07), a fifth to a third of a warm query, spent again on every refresh of a dashboard tile, every
//! reopened analysis, every question asked again. Here the optimised plan and the session it was made in
//! are kept, keyed by the scope's tenants and the statement (as a tree, not its text), together with the
//! name, size and modification time of every file the scope could read when it was made (its marts and its
//! rollups): any change there (a sync, a new demo, a rebuilt rollup) and the statement is planned again.
//!
//! Kept is the logical plan only: each query still makes its own physical plan from it (reading the files'
//! statistics, as before) and runs it with its own memory pool, deadline and cancel. A logical plan holds no
//! state of an execution, which a physical one does (a join's build side, dynamic filters, metrics that
//! grow with every run). Not kept: a plan reading the clock (`now()`, `current_date`, which the optimizer
//! folds into constants) or calling any other function that is not immutable.
//!
//! Not for: results (each query reads its files), nor anything but the embedded warehouse.

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};
use inda_core::Scope;
use sqlparser::ast::Statement;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// At most this many plans are kept; past it the least recently used one goes. A kept plan with its session
/// is some tens of kilobytes.
const KEPT_PLANS: usize = 64;

/// Plans are kept for scopes of at most this many tenants.
const KEPT_SCOPE_TENANTS: usize = 16;

/// A statement of a scope: the tenants it reads and the statement itself (after the bridge to DataFusion),
/// compared as a tree, positions aside, as the guard compares a statement with its rendering. Not its text:
/// sqlparser prints a string holding two quotes in a row (`'O''''Brien'`, the value `O''Brien`) as if they
/// were one escaped quote (`'O''Brien'`), so two statements of different answers can print alike.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    tenants: Vec<String>,
    statement: Statement,
}

impl Key {
    /// The key of `statement` in `scope`; `None` for anything but a query, and for a scope of more than
    /// [`KEPT_SCOPE_TENANTS`] tenants (an admin's wide read, whose files would take longer to list on every
    /// query than most plans take to make).
    pub(crate) fn of(scope: &Scope, statement: &Statement) -> Option<Key> {
        let kept = matches!(statement, Statement::Query(_)) && scope.tenants().len() <= KEPT_SCOPE_TENANTS;
        kept.then(|| Key { tenants: scope.tenants().to_vec(), statement: statement.clone() })
    }
}

/// The files a scope can read, each by path, size and modification time, in a fixed order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Files(Vec<(PathBuf, u64, Option<SystemTime>)>);

impl Files {
    /// `paths` as they are on disk now; a file gone since it was listed counts as empty.
    pub(crate) fn of(paths: impl IntoIterator<Item = PathBuf>) -> Files {
        Files(
            paths
                .into_iter()
                .map(|path| {
                    let meta = std::fs::metadata(&path).ok();
                    let len = meta.as_ref().map_or(0, |m| m.len());
                    let modified = meta.and_then(|m| m.modified().ok());
                    (path, len, modified)
                })
                .collect(),
        )
    }
}

/// An optimised plan and the session it was made in (its tables, functions and settings), ready to be made
/// into a physical plan.
#[derive(Clone)]
pub(crate) struct Planned {
    pub(crate) state: Arc<SessionState>,
    pub(crate) plan: Arc<LogicalPlan>,
}

struct Kept {
    files: Files,
    planned: Planned,
    used: u64,
}

/// The plans kept, shared by the clones of one warehouse.
#[derive(Default)]
pub(crate) struct Plans {
    kept: Mutex<(HashMap<Key, Kept>, u64)>,
}

impl Plans {
    /// The plan kept for `key`, when the files it was made with are still `files`.
    pub(crate) fn get(&self, key: &Key, files: &Files) -> Option<Planned> {
        let mut guard = self.kept.lock().ok()?;
        let (kept, clock) = &mut *guard;
        *clock += 1;
        let entry = kept.get_mut(key)?;
        if entry.files != *files {
            kept.remove(key);
            return None;
        }
        entry.used = *clock;
        Some(entry.planned.clone())
    }

    /// Keeps `planned` for `key`, made with `files` (the caller has found its plan [`reusable`]).
    pub(crate) fn keep(&self, key: Key, files: Files, planned: Planned) {
        let Ok(mut guard) = self.kept.lock() else { return };
        let (kept, clock) = &mut *guard;
        *clock += 1;
        if kept.len() >= KEPT_PLANS && !kept.contains_key(&key) {
            let oldest = kept.iter().min_by_key(|(_, k)| k.used).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                kept.remove(&oldest);
            }
        }
        kept.insert(key, Kept { files, planned, used: *clock });
    }

    /// How many plans are kept (for tests and diagnostics).
    pub(crate) fn len(&self) -> usize {
        self.kept.lock().map_or(0, |k| k.0.len())
    }
}

/// Whether a plan, straight from the SQL planner (before the optimizer folds what it can), gives the same
/// answer whenever its files are the same: it calls no function that is not immutable (`now()`,
/// `current_date`, `random()`), in any of its subqueries either.
pub(crate) fn reusable(plan: &LogicalPlan) -> bool {
    let mut immutable = true;
    let visited = plan.apply_with_subqueries(|node| {
        node.apply_expressions(|expr| {
            expr.apply(|e| {
                if let Expr::ScalarFunction(f) = e
                    && f.func.signature().volatility != Volatility::Immutable
                {
                    immutable = false;
                    return Ok(TreeNodeRecursion::Stop);
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    });
    visited.is_ok() && immutable
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;
    use datafusion::prelude::SessionContext;

    async fn logical(sql: &str) -> LogicalPlan {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new("day", DataType::Date32, true),
            Field::new("n", DataType::Int64, true),
        ]));
        ctx.register_table("t", Arc::new(MemTable::try_new(schema, vec![vec![]]).unwrap())).unwrap();
        ctx.state().create_logical_plan(sql).await.unwrap()
    }

    #[tokio::test]
    async fn plans_reading_the_clock_or_chance_are_not_reused() {
        for sql in [
            "SELECT * FROM t WHERE day > current_date - INTERVAL '7' DAY",
            "SELECT now(), n FROM t",
            "SELECT n FROM t WHERE n IN (SELECT n FROM t WHERE day < CURRENT_DATE)",
            "SELECT n FROM t ORDER BY random()",
            "SELECT n, (SELECT max(n) FROM t WHERE day < current_date) FROM t",
        ] {
            assert!(!reusable(&logical(sql).await), "{sql}");
        }
        for sql in [
            "SELECT date_trunc('month', day) AS m, sum(n) FROM t WHERE day >= DATE '2026-01-01' GROUP BY 1",
            "SELECT n FROM t WHERE n IN (SELECT n FROM t WHERE day < DATE '2026-01-01') ORDER BY n LIMIT 3",
            "SELECT upper(CAST(n AS VARCHAR)), coalesce(n, 0) FROM t",
        ] {
            assert!(reusable(&logical(sql).await), "{sql}");
        }
    }

    #[tokio::test]
    async fn a_plan_is_given_back_only_while_its_files_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.parquet");
        std::fs::write(&file, b"one").unwrap();
        let plans = Plans::default();
        let scope = Scope::one("acme").unwrap();
        let statement =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, "SELECT n FROM t")
                .unwrap()
                .remove(0);
        let key = Key::of(&scope, &statement).unwrap();
        let planned = Planned {
            state: Arc::new(SessionContext::new().state()),
            plan: Arc::new(logical("SELECT n FROM t").await),
        };
        plans.keep(key.clone(), Files::of([file.clone()]), planned);
        assert!(plans.get(&key, &Files::of([file.clone()])).is_some());
        let other = Key::of(&Scope::one("umbrella").unwrap(), &statement).unwrap();
        assert!(plans.get(&other, &Files::of([file.clone()])).is_none(), "another scope's plan");
        std::fs::write(&file, b"longer").unwrap();
        assert!(plans.get(&key, &Files::of([file.clone()])).is_none(), "a rewritten file");
        assert_eq!(plans.len(), 0, "a stale plan is dropped");
    }

    #[test]
    fn statements_that_print_alike_but_differ_have_their_own_keys() {
        let scope = Scope::one("acme").unwrap();
        let key = |sql: &str| {
            let statement =
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SnowflakeDialect {}, sql)
                    .unwrap()
                    .remove(0);
            (statement.to_string(), Key::of(&scope, &statement).unwrap())
        };
        let (one, one_key) = key("SELECT 'O''Brien'");
        let (two, two_key) = key("SELECT 'O''''Brien'");
        assert_eq!(one, two, "sqlparser prints both alike");
        assert!(one_key != two_key);
        assert!(key("SELECT  'a'  FROM t").1 == key("select 'a' from t").1, "spacing and keyword case aside");
        let wide: Vec<String> = (0..=KEPT_SCOPE_TENANTS).map(|i| format!("t{i}")).collect();
        let statement =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, "SELECT 1")
                .unwrap()
                .remove(0);
        assert!(Key::of(&Scope::new(wide).unwrap(), &statement).is_none(), "a wide admin scope");
    }

    #[tokio::test]
    async fn the_least_recently_used_plan_goes_first() {
        let plans = Plans::default();
        let scope = Scope::one("acme").unwrap();
        let planned = Planned {
            state: Arc::new(SessionContext::new().state()),
            plan: Arc::new(logical("SELECT n FROM t").await),
        };
        let key = |i: usize| {
            let sql = format!("SELECT {i}");
            let statement =
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, &sql)
                    .unwrap()
                    .remove(0);
            Key::of(&scope, &statement).unwrap()
        };
        for i in 0..KEPT_PLANS {
            plans.keep(key(i), Files::default(), planned.clone());
        }
        assert!(plans.get(&key(0), &Files::default()).is_some());
        plans.keep(key(KEPT_PLANS), Files::default(), planned);
        assert_eq!(plans.len(), KEPT_PLANS);
        assert!(plans.get(&key(0), &Files::default()).is_some(), "used last: kept");
        assert!(plans.get(&key(1), &Files::default()).is_none(), "used least: gone");
    }
}
