//! The semantic model as one scope's questions need it: the shared model plus the companies the session
//! reads (their names label and filter the company dimension; with several, the SQL joins on the tenant too
//! and splits money by reporting currency) and the scope's own names of the dimensions whose values are data
//! ("Black Friday 2025" is a campaign of one of them), read through the guard and kept for a few minutes so
//! that a question costs no extra query.

use crate::App;
use inda_core::{Error, Session, Value};
use inda_semantic::SemanticModel;
use inda_warehouse::Cancel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a scope's names are reused before they are read again (a campaign created meanwhile is
/// understood at most this late).
const FRESH_FOR: Duration = Duration::from_secs(300);
/// Most names read per dimension: enough for any tenant's campaigns, bounded for the lexicon.
const MAX_NAMES: usize = 2000;

/// Each scope's model (keyed by [`Scope::to_list`]), with when it was built.
#[derive(Default)]
pub(crate) struct TenantModels(Mutex<HashMap<String, (Instant, Arc<SemanticModel>)>>);

impl App {
    /// The model for `session`'s questions: the shared one for the companies of its scope, with their own
    /// names. When the names cannot be read, the model without them (names are a help, never a reason to
    /// fail a question); the companies themselves are needed (the SQL depends on them), so failing to read
    /// them fails. Offline no names are read, and one tenant's scope gets the shared model as is (its SQL is
    /// the same); several companies are still read from the directory their scope was resolved from.
    pub(crate) async fn semantic_for(&self, session: &Session) -> Result<Arc<SemanticModel>, Error> {
        let shared = self.semantic()?;
        if self.offline {
            if session.scope.single().is_some() {
                return Ok(shared);
            }
            return Ok(Arc::new(shared.with_companies(&self.companies(session, &session.scope).await?)));
        }
        let key = session.scope.to_list();
        let cached = {
            let map = self.tenant_models.0.lock().unwrap_or_else(PoisonError::into_inner);
            map.get(&key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, m)| m.clone())
        };
        if let Some(m) = cached {
            return Ok(m);
        }
        let companies = self.companies(session, &session.scope).await?;
        let with_companies = shared.with_companies(&companies);
        let model = Arc::new(self.with_tenant_names(session, &with_companies).await);
        let mut map = self.tenant_models.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(key, (Instant::now(), model.clone()));
        Ok(model)
    }

    /// `model` plus the scope's names of every dimension whose values are data.
    async fn with_tenant_names(&self, session: &Session, model: &SemanticModel) -> SemanticModel {
        let mut out = model.clone();
        for dim in model.dimensions().iter().filter(|d| d.data_values) {
            let Some(table) = model.table(&dim.table) else { continue };
            let sql = format!(
                "SELECT DISTINCT {c} FROM {}.{} WHERE {c} IS NOT NULL ORDER BY {c} LIMIT {MAX_NAMES}",
                table.schema,
                table.name,
                c = dim.column
            );
            let Ok((_, rs)) = self.guard_and_run(session, &sql, &Cancel::new()).await else { continue };
            let names: Vec<String> = rs
                .rows
                .iter()
                .filter_map(|r| match r.first() {
                    Some(Value::Text(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            if let Ok(m) = out.with_data_values(&dim.name, &names) {
                out = m;
            }
        }
        out
    }
}
