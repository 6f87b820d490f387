//! The development issuer: an Ed25519 key generated into the data dir on first use, so that a laptop with the
//! demo warehouse can mint its own tokens. A data dir configured for any other issuer refuses to mint: that
//! is how a production install stays unable to create sessions.

use crate::claims::{Claims, is_valid_id, is_valid_tenant};
use crate::error::AuthError;
use crate::issuer::{AuthConfig, IssuerConfig, KeyAlgorithm};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};
use inda_core::Error;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use std::path::Path;

/// Name (and `kid`) of the development issuer.
pub const DEV_ISSUER: &str = "development";
const PRIVATE_KEY: &str = "keys/dev-ed25519.pem";
const PUBLIC_KEY: &str = "keys/dev-ed25519.pub.pem";

/// The claims of a development token (`inda token mint`); ids are checked as a verified token's are.
#[derive(Debug, Clone)]
pub struct MintRequest {
    /// Tenant to sign in as: letters, digits, `_` and `-`, at most 64 characters.
    pub tenant_id: String,
    /// User id: letters, digits and `_ - . @ +`, at most 200 characters.
    pub user_id: String,
    /// Partner id, for branding: same alphabet as `tenant_id`.
    pub partner_id: String,
    /// Display name put in the token; `None` leaves the claim out.
    pub user_name: Option<String>,
    /// Roles put in the token (`analyst`, `partner_admin`, `platform_admin`; others grant nothing).
    pub roles: Vec<String>,
    /// Lifetime of the token in seconds, from 1 to 30 days' worth.
    pub ttl_seconds: i64,
}

/// Mints a development token, creating the key and registering the development issuer in `config` on first
/// use. Returns the token and whether `config` changed (the caller persists it).
pub fn mint_dev_token(
    req: &MintRequest,
    config: &mut AuthConfig,
    data_dir: &Path,
    now: i64,
) -> Result<(String, bool), Error> {
    if let Some(other) = config.issuers.iter().find(|i| i.name != DEV_ISSUER) {
        return Err(AuthError::NotDevelopment(other.name.clone()).into());
    }
    if !is_valid_tenant(&req.tenant_id) || !is_valid_tenant(&req.partner_id) {
        return Err(AuthError::BadMintTenant.into());
    }
    if !is_valid_id(&req.user_id, 200) {
        return Err(AuthError::BadMintUser.into());
    }
    if req.ttl_seconds <= 0 || req.ttl_seconds > 30 * 24 * 3600 {
        return Err(AuthError::BadMintTtl.into());
    }
    let private = data_dir.join(PRIVATE_KEY);
    let mut changed = false;
    if !private.exists() {
        generate_key(data_dir)?;
    } else if !data_dir.join(PUBLIC_KEY).exists() {
        write_public(data_dir)?;
    }
    if config.issuers.is_empty() {
        config.issuers.push(IssuerConfig {
            name: DEV_ISSUER.into(),
            algorithm: KeyAlgorithm::EdDSA,
            key_file: PUBLIC_KEY.into(),
            allow_shared_secret: false,
            refresh_url: None,
            roles: None,
        });
        changed = true;
    }
    let pem = std::fs::read(&private).map_err(|source| AuthError::DevKeyIo { action: "read", source })?;
    let key = EncodingKey::from_ed_pem(&pem).map_err(|e| AuthError::DevKeyDamaged(e.to_string()))?;
    let claims = Claims {
        tenant_id: req.tenant_id.clone(),
        user_id: req.user_id.clone(),
        partner_id: req.partner_id.clone(),
        user_name: req.user_name.clone(),
        roles: req.roles.clone(),
        iat: now,
        exp: now + req.ttl_seconds,
        iss: Some(DEV_ISSUER.into()),
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(DEV_ISSUER.into());
    let token = encode(&header, &claims, &key).map_err(AuthError::Sign)?;
    Ok((token, changed))
}

fn generate_key(data_dir: &Path) -> Result<(), AuthError> {
    let io = |source: std::io::Error| AuthError::DevKeyIo { action: "write", source };
    let dir = data_dir.join("keys");
    std::fs::create_dir_all(&dir).map_err(io)?;
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let private = signing.to_pkcs8_pem(LineEnding::LF).map_err(|e| AuthError::Encode(e.to_string()))?;
    // Two processes may mint at once: the first key to be put into place wins (the file is created, never
    // replaced), and the loser uses it, so a token is never signed with a key that is then replaced. The key
    // is readable by its owner only from the start.
    inda_core::fs::create_new(
        &data_dir.join(PRIVATE_KEY),
        private.as_bytes(),
        inda_core::fs::Perms::Private,
    )?;
    write_public(data_dir)
}

/// Derives the public key file from the private key in place (idempotent, so concurrent writers agree).
fn write_public(data_dir: &Path) -> Result<(), AuthError> {
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let io = |source: std::io::Error| AuthError::DevKeyIo { action: "write", source };
    let pem = std::fs::read_to_string(data_dir.join(PRIVATE_KEY)).map_err(io)?;
    let signing = SigningKey::from_pkcs8_pem(&pem).map_err(|e| AuthError::DevKeyDamaged(e.to_string()))?;
    let public = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| AuthError::Encode(e.to_string()))?;
    // Public, yet owner-only like every file of the data dir, so that `inda doctor` has no exception to make.
    Ok(inda_core::fs::write_private(&data_dir.join(PUBLIC_KEY), public.as_bytes())?)
}
