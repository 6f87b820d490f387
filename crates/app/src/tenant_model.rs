//! The semantic model as one tenant's questions need it: the shared model plus the tenant's own names of the
//! dimensions whose values are data ("Black Friday 2025" is a campaign of this tenant), read through the
//! guard and kept for a few minutes so that a question costs no extra query.

use crate::App;
use inda_core::{Error, Session, Value};
use inda_semantic::SemanticModel;
use inda_warehouse::Cancel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a tenant's names are reused before they are read again (a campaign created meanwhile is
/// understood at most this late).
const FRESH_FOR: Duration = Duration::from_secs(300);
/// Most names read per dimension: enough for any tenant's campaigns, bounded for the lexicon.
const MAX_NAMES: usize = 2000;

/// Each tenant's model, with when it was built.
#[derive(Default)]
pub(crate) struct TenantModels(Mutex<HashMap<String, (Instant, Arc<SemanticModel>)>>);

impl App {
    /// The model for `session`'s questions: the shared one with the tenant's own names. Offline, or when the
    /// names cannot be read, the shared model (names are a help, never a reason to fail a question).
    pub(crate) async fn semantic_for(&self, session: &Session) -> Result<Arc<SemanticModel>, Error> {
        let shared = self.semantic()?;
        if self.offline {
            return Ok(shared);
        }
        let cached = {
            let map = self.tenant_models.0.lock().unwrap_or_else(PoisonError::into_inner);
            map.get(&session.tenant_id).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, m)| m.clone())
        };
        if let Some(m) = cached {
            return Ok(m);
        }
        let model = Arc::new(self.with_tenant_names(session, &shared).await);
        let mut map = self.tenant_models.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(session.tenant_id.clone(), (Instant::now(), model.clone()));
        Ok(model)
    }

    /// The tenant's model as last built, else the shared one; reads nothing.
    pub(crate) fn cached_semantic_for(&self, session: &Session) -> Result<Arc<SemanticModel>, Error> {
        let map = self.tenant_models.0.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(&session.tenant_id) {
            Some((_, m)) => Ok(m.clone()),
            None => self.semantic(),
        }
    }

    /// `shared` plus the tenant's names of every dimension whose values are data.
    async fn with_tenant_names(&self, session: &Session, shared: &SemanticModel) -> SemanticModel {
        let mut model = shared.clone();
        for dim in shared.dimensions().iter().filter(|d| d.data_values) {
            let Some(table) = shared.table(&dim.table) else { continue };
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
            if let Ok(m) = model.with_data_values(&dim.name, &names) {
                model = m;
            }
        }
        model
    }
}
