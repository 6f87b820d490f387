//! What the `inda-app` benchmarks share: an analyst of a tenant signed in to an open `App`.

use inda_app::App;
use inda_core::Session;

/// Mints a one-hour token for an analyst of `tenant` with the data dir's own key and signs it in, as the
/// CRM's link would.
pub fn sign_in(app: &mut App, tenant: &str) -> Session {
    let req = inda_auth::MintRequest {
        tenant_id: tenant.into(),
        user_id: "bench@example.com".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        ttl_seconds: 3600,
    };
    let token = app.mint_token(&req).expect("token");
    app.identity(Some(&token)).expect("session")
}
