//! The tenant's reporting currency: what money answers convert into with `marts.fx_rates` and name
//! (semantics.md, Money). The warehouse knows it (`admin.tenants.config.default_currency`).

use crate::App;
use inda_core::{Error, Session};

impl App {
    /// The ISO 4217 code of `session`'s tenant's reporting currency, or `None` when the warehouse does not
    /// know it or the app is offline (which never touches the warehouse).
    pub async fn reporting_currency(&self, session: &Session) -> Result<Option<String>, Error> {
        if self.offline {
            return Ok(None);
        }
        self.warehouse().reporting_currency(session).await
    }
}
