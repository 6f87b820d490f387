//! Which issuers this installation trusts, each with its key and one pinned algorithm.
//!
//! Production issuers verify with a public key (PEM or JWKS file): a desktop app must not hold a secret that
//! can mint tokens. HS256 exists only for the server mode of the original design and must be asked for
//! explicitly with `allow_shared_secret = true`.

use crate::error::AuthError;
use inda_core::{Role, Secret};
use jsonwebtoken::{Algorithm, DecodingKey, jwk::JwkSet};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The one JWT signature algorithm an issuer's tokens must use (`algorithm = "RS256"` in config.toml);
/// pinning it rules out algorithm confusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// RSA with SHA-256; the key file is a PEM public key or a JWKS.
    RS256,
    /// ECDSA P-256 with SHA-256; the key file is a PEM public key or a JWKS.
    ES256,
    /// Ed25519 (what the development issuer uses); the key file is a PEM public key or a JWKS.
    EdDSA,
    /// HMAC with a shared secret of at least 32 bytes, which could also mint tokens: refused unless
    /// `allow_shared_secret` is set.
    HS256,
}

impl KeyAlgorithm {
    pub(crate) fn jwt(self) -> Algorithm {
        match self {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::EdDSA => Algorithm::EdDSA,
            KeyAlgorithm::HS256 => Algorithm::HS256,
        }
    }
}

/// One trusted issuer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerConfig {
    /// Matched against the token's `kid` header or `iss` claim when several issuers are configured.
    pub name: String,
    /// The only algorithm accepted from this issuer; a token signed otherwise is not tried with its key.
    pub algorithm: KeyAlgorithm,
    /// Public key file (PEM, or a JWKS `.json`); for HS256 a file holding the shared secret. Relative paths
    /// are relative to the data dir.
    pub key_file: PathBuf,
    /// Must be true for HS256; refused otherwise.
    #[serde(default)]
    pub allow_shared_secret: bool,
    /// Where the CRM answers with a fresh deep link when the token is about to expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// The roles this issuer's tokens may grant (`roles = ["analyst", "partner_admin"]`). When absent: every
    /// role for the development issuer, `analyst` only for any other, so a production issuer grants an
    /// admin's reach only once it is configured to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
}

impl IssuerConfig {
    /// The roles its tokens may grant, defaults applied.
    pub fn allowed_roles(&self) -> Vec<Role> {
        match &self.roles {
            Some(roles) => roles.clone(),
            None if self.name == crate::devkey::DEV_ISSUER => Role::ALL.to_vec(),
            None => vec![Role::Analyst],
        }
    }
}

/// The `[auth]` section of the data dir's `config.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthConfig {
    /// The trusted issuers (`[[auth.issuer]]` tables); empty refuses every token until one is configured or
    /// `inda token mint` registers the development issuer.
    #[serde(default, rename = "issuer")]
    pub issuers: Vec<IssuerConfig>,
}

/// A key ready to verify with, and the algorithm it is pinned to.
pub(crate) struct VerifyingKey {
    pub name: String,
    pub roles: Vec<Role>,
    pub algorithm: Algorithm,
    pub keys: Vec<(Option<String>, DecodingKey)>,
}

impl IssuerConfig {
    pub(crate) fn load(&self, data_dir: &Path) -> Result<VerifyingKey, AuthError> {
        let path =
            if self.key_file.is_absolute() { self.key_file.clone() } else { data_dir.join(&self.key_file) };
        let bytes = std::fs::read(&path).map_err(|source| AuthError::KeyUnreadable {
            issuer: self.name.clone(),
            path: path.display().to_string(),
            source,
        })?;
        let bad = |source: jsonwebtoken::errors::Error| AuthError::KeyInvalid {
            issuer: self.name.clone(),
            algorithm: format!("{:?}", self.algorithm),
            source,
        };
        let is_jwks = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let keys = match self.algorithm {
            KeyAlgorithm::HS256 => {
                if !self.allow_shared_secret {
                    return Err(AuthError::SharedSecretNotAllowed(self.name.clone()));
                }
                let secret = Secret::new(String::from_utf8_lossy(&bytes).trim().to_string());
                if secret.expose().len() < 32 {
                    return Err(AuthError::SharedSecretTooShort(self.name.clone()));
                }
                vec![(None, DecodingKey::from_secret(secret.expose().as_bytes()))]
            }
            _ if is_jwks => {
                let set: JwkSet = serde_json::from_slice(&bytes)
                    .map_err(|source| AuthError::JwksInvalid { issuer: self.name.clone(), source })?;
                let mut keys = Vec::new();
                for jwk in &set.keys {
                    keys.push((jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk).map_err(bad)?));
                }
                keys
            }
            KeyAlgorithm::RS256 => vec![(None, DecodingKey::from_rsa_pem(&bytes).map_err(bad)?)],
            KeyAlgorithm::ES256 => vec![(None, DecodingKey::from_ec_pem(&bytes).map_err(bad)?)],
            KeyAlgorithm::EdDSA => vec![(None, DecodingKey::from_ed_pem(&bytes).map_err(bad)?)],
        };
        Ok(VerifyingKey {
            name: self.name.clone(),
            roles: self.allowed_roles(),
            algorithm: self.algorithm.jwt(),
            keys,
        })
    }
}
