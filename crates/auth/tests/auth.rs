//! Tries to get a session without a valid token: forged, tampered, expired, `alg: none`, algorithm confusion,
//! missing claims. Every attempt must fail with the `auth` error.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use inda_auth::{AuthConfig, IssuerConfig, KeyAlgorithm, MintRequest, mint_dev_token, validate_token};
use inda_core::ErrorCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use std::path::Path;

const NOW: i64 = 1_790_000_000;

struct Setup {
    dir: tempfile::TempDir,
    config: AuthConfig,
    token: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AuthConfig::default();
    let req = MintRequest {
        tenant_id: "acme_corp".into(),
        user_id: "maria@acme.example".into(),
        partner_id: "indigital".into(),
        user_name: Some("María".into()),
        roles: vec!["analyst".into()],
        ttl_seconds: 3600,
    };
    let (token, changed) = mint_dev_token(&req, &mut config, dir.path(), NOW).unwrap();
    assert!(changed);
    Setup { dir, config, token }
}

fn rejects(token: &str, config: &AuthConfig, dir: &Path, now: i64) -> String {
    let err = validate_token(token, config, dir, now).expect_err("token must be rejected");
    assert_eq!(err.code, ErrorCode::Auth);
    assert!(token.len() < 8 || !err.message.contains(token), "the message must not repeat the token");
    err.message
}

fn parts(token: &str) -> (serde_json::Value, serde_json::Value, String) {
    let p: Vec<&str> = token.split('.').collect();
    let h = serde_json::from_slice(&B64.decode(p[0]).unwrap()).unwrap();
    let c = serde_json::from_slice(&B64.decode(p[1]).unwrap()).unwrap();
    (h, c, p[2].to_string())
}

fn join(h: &serde_json::Value, c: &serde_json::Value, sig: &str) -> String {
    format!("{}.{}.{}", B64.encode(h.to_string()), B64.encode(c.to_string()), sig)
}

#[test]
fn a_minted_token_gives_its_session() {
    let s = setup();
    let session = validate_token(&s.token, &s.config, s.dir.path(), NOW + 10).unwrap();
    assert_eq!(session.tenant_id, "acme_corp");
    assert_eq!(session.user_id, "maria@acme.example");
    assert_eq!(session.partner_id, "indigital");
    assert_eq!(session.roles, vec!["analyst".to_string()]);
    assert_eq!(session.expires_at, NOW + 3600);
}

#[test]
fn private_key_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    let mode = std::fs::metadata(s.dir.path().join("keys/dev-ed25519.pem")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn expired_tokens_are_rejected() {
    let s = setup();
    let msg = rejects(&s.token, &s.config, s.dir.path(), NOW + 3600 + 120);
    assert!(msg.contains("expired"), "{msg}");
}

#[test]
fn tampered_claims_are_rejected() {
    let s = setup();
    let (h, mut c, sig) = parts(&s.token);
    c["tenant_id"] = json!("globex");
    rejects(&join(&h, &c, &sig), &s.config, s.dir.path(), NOW);
}

#[test]
fn tampered_signature_is_rejected() {
    let s = setup();
    let mut t = s.token.clone();
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    rejects(&t, &s.config, s.dir.path(), NOW);
}

#[test]
fn alg_none_is_rejected() {
    let s = setup();
    let (_, c, _) = parts(&s.token);
    for alg in ["none", "None", "NONE"] {
        let h = json!({"alg": alg, "typ": "JWT"});
        rejects(&join(&h, &c, ""), &s.config, s.dir.path(), NOW);
        rejects(
            &format!("{}.{}.", B64.encode(h.to_string()), B64.encode(c.to_string())),
            &s.config,
            s.dir.path(),
            NOW,
        );
    }
}

#[test]
fn forged_with_another_key_is_rejected() {
    let s = setup();
    let other = tempfile::tempdir().unwrap();
    let mut other_config = AuthConfig::default();
    let req = MintRequest {
        tenant_id: "globex".into(),
        user_id: "eve@example.com".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        ttl_seconds: 3600,
    };
    let (forged, _) = mint_dev_token(&req, &mut other_config, other.path(), NOW).unwrap();
    rejects(&forged, &s.config, s.dir.path(), NOW);
}

#[test]
fn algorithm_confusion_is_rejected() {
    // The classic attack: sign HS256 with the issuer's *public* key as the shared secret.
    let s = setup();
    let public = std::fs::read(s.dir.path().join("keys/dev-ed25519.pub.pem")).unwrap();
    let (_, c, _) = parts(&s.token);
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("development".into());
    let forged = encode(&header, &c, &EncodingKey::from_secret(&public)).unwrap();
    rejects(&forged, &s.config, s.dir.path(), NOW);
}

/// A shared secret long enough for HS256.
const HS_SECRET: &str = "a-shared-secret-that-is-long-enough-0123456789";

/// An HS256 issuer named `crm` whose secret is written to `dir/hs.secret`.
fn hs_issuer(dir: &std::path::Path, allow_shared_secret: bool) -> IssuerConfig {
    std::fs::write(dir.join("hs.secret"), HS_SECRET).unwrap();
    IssuerConfig {
        name: "crm".into(),
        algorithm: KeyAlgorithm::HS256,
        key_file: "hs.secret".into(),
        allow_shared_secret,
        refresh_url: None,
        roles: None,
    }
}

#[test]
fn hs256_needs_explicit_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let secret = HS_SECRET;
    let mut issuer = hs_issuer(dir.path(), false);
    let claims = json!({"tenant_id": "acme_corp", "user_id": "u1", "partner_id": "indigital", "iat": NOW, "exp": NOW + 600});
    let token = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
        .unwrap();
    let config = AuthConfig { issuers: vec![issuer.clone()] };
    let msg = rejects(&token, &config, dir.path(), NOW);
    assert!(msg.contains("allow_shared_secret"), "{msg}");
    issuer.allow_shared_secret = true;
    let config = AuthConfig { issuers: vec![issuer] };
    assert_eq!(validate_token(&token, &config, dir.path(), NOW).unwrap().tenant_id, "acme_corp");
}

/// Roles come from the token, within what its issuer may grant: every role for the development key,
/// `analyst` alone for another issuer unless its `roles` says more. Other role names grant nothing.
#[test]
fn an_issuer_grants_only_the_roles_it_is_configured_for() {
    use inda_core::{Role, Scope};
    let dir = tempfile::tempdir().unwrap();
    let secret = HS_SECRET;
    let issuer = hs_issuer(dir.path(), true);
    let token = |roles: serde_json::Value| {
        let claims = json!({"tenant_id": "acme_corp", "user_id": "u1", "partner_id": "indigital",
                            "roles": roles, "iat": NOW, "exp": NOW + 600});
        encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    };
    let config = AuthConfig { issuers: vec![issuer.clone()] };
    let analyst =
        validate_token(&token(json!(["analyst", "crm_supervisor"])), &config, dir.path(), NOW).unwrap();
    assert_eq!((analyst.role, analyst.scope), (Role::Analyst, Scope::one("acme_corp").unwrap()));
    let msg = rejects(&token(json!(["partner_admin"])), &config, dir.path(), NOW);
    assert!(msg.contains("partner_admin") && msg.contains("crm"), "{msg}");
    let configured = IssuerConfig { roles: Some(vec![Role::Analyst, Role::PartnerAdmin]), ..issuer };
    let config = AuthConfig { issuers: vec![configured] };
    let admin =
        validate_token(&token(json!(["analyst", "partner_admin"])), &config, dir.path(), NOW).unwrap();
    assert_eq!(admin.role, Role::PartnerAdmin);
    // The scope is the token's own tenant until the app reads admin.tenants.
    assert_eq!(admin.scope.tenants(), ["acme_corp"]);
    rejects(&token(json!(["platform_admin"])), &config, dir.path(), NOW);
    // The development key grants every role.
    let s = setup();
    let req = MintRequest {
        tenant_id: "globex".into(),
        user_id: "am@indigital.example".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec!["platform_admin".into()],
        ttl_seconds: 600,
    };
    let mut config = s.config.clone();
    let (t, _) = mint_dev_token(&req, &mut config, s.dir.path(), NOW).unwrap();
    assert_eq!(validate_token(&t, &config, s.dir.path(), NOW).unwrap().role, Role::PlatformAdmin);
}

#[test]
fn missing_required_claims_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let secret = HS_SECRET;
    let config = AuthConfig { issuers: vec![hs_issuer(dir.path(), true)] };
    let full = json!({"tenant_id": "acme_corp", "user_id": "u1", "partner_id": "indigital", "iat": NOW, "exp": NOW + 600});
    for claim in ["tenant_id", "user_id", "partner_id", "iat", "exp"] {
        let mut c = full.clone();
        c.as_object_mut().unwrap().remove(claim);
        let token =
            encode(&Header::new(Algorithm::HS256), &c, &EncodingKey::from_secret(secret.as_bytes())).unwrap();
        rejects(&token, &config, dir.path(), NOW);
    }
    // A tenant id that could smuggle SQL or a path is refused too.
    for bad in ["acme' OR '1'='1", "../globex", ""] {
        let mut c = full.clone();
        c["tenant_id"] = json!(bad);
        let token =
            encode(&Header::new(Algorithm::HS256), &c, &EncodingKey::from_secret(secret.as_bytes())).unwrap();
        rejects(&token, &config, dir.path(), NOW);
    }
}

#[test]
fn garbage_is_rejected() {
    let s = setup();
    for t in ["", "abc", "a.b.c", "....", &"x".repeat(100_000)] {
        rejects(t, &s.config, s.dir.path(), NOW);
    }
}

#[test]
fn minting_refuses_on_a_production_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AuthConfig {
        issuers: vec![IssuerConfig {
            name: "indigital-crm".into(),
            algorithm: KeyAlgorithm::RS256,
            key_file: "crm.pub.pem".into(),
            allow_shared_secret: false,
            refresh_url: None,
            roles: None,
        }],
    };
    let req = MintRequest {
        tenant_id: "acme_corp".into(),
        user_id: "u".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        ttl_seconds: 60,
    };
    let err = mint_dev_token(&req, &mut config, dir.path(), NOW).unwrap_err();
    assert_eq!(err.code, ErrorCode::Auth);
    assert!(!dir.path().join("keys").exists());
}
