//! Token validation: signature with the issuer's pinned algorithm, required claims, expiry with small leeway.

use crate::claims::{Claims, is_valid_id, is_valid_tenant};
use crate::error::AuthError;
use crate::issuer::{AuthConfig, VerifyingKey};
use inda_core::{Error, Role, Scope, Session};
use jsonwebtoken::{Validation, decode, decode_header};
use std::path::Path;

/// Clock skew tolerated on `exp` and `iat`, in seconds (at most 60 by policy).
pub const LEEWAY_SECONDS: u64 = 30;

/// Tokens larger than this are refused before any parsing.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Whether an expired token still proves who the user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Queries and every other live use: an expired token is refused.
    Enforce,
    /// Reading the user's own cached results offline, with the token the keyring kept from their last
    /// sign-in: signature and claims still must hold.
    Allow,
}

/// A verified token: its session, and the issuer that signed it.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The identity the token grants.
    pub session: Session,
    /// The name of the configured issuer whose key verified the signature.
    pub issuer: String,
    /// Where the issuer hands out a fresh deep link (see `[[auth.issuer]] refresh_url`).
    pub refresh_url: Option<String>,
}

/// Verifies `token` against the configured issuers and returns the session it grants.
///
/// Every failure is the `auth` error with a message that never repeats the token.
pub fn validate_token(token: &str, config: &AuthConfig, data_dir: &Path, now: i64) -> Result<Session, Error> {
    verify_token(token, config, data_dir, now, Expiry::Enforce).map(|v| v.session)
}

/// [`validate_token`], with the issuer and a choice about expiry.
pub fn verify_token(
    token: &str,
    config: &AuthConfig,
    data_dir: &Path,
    now: i64,
    expiry: Expiry,
) -> Result<Verified, Error> {
    Ok(verify(token, config, data_dir, now, expiry)?)
}

fn verify(
    token: &str,
    config: &AuthConfig,
    data_dir: &Path,
    now: i64,
    expiry: Expiry,
) -> Result<Verified, AuthError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::NoToken);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::TooLarge);
    }
    // decode_header rejects `alg: none` and unknown algorithms: the Algorithm enum has no such member.
    let header = decode_header(token).map_err(|_| AuthError::Malformed)?;
    if config.issuers.is_empty() {
        return Err(AuthError::NoIssuer);
    }
    let mut keys: Vec<(VerifyingKey, Option<String>)> = Vec::new();
    for issuer in &config.issuers {
        // Pinning: an issuer only ever verifies with its own algorithm, so an RS256 public key can never be
        // used as an HS256 secret (algorithm confusion).
        if issuer.algorithm.jwt() == header.alg {
            keys.push((issuer.load(data_dir)?, issuer.refresh_url.clone()));
        }
    }
    if keys.is_empty() {
        return Err(AuthError::NoIssuerFor(header.alg));
    }
    let mut last = AuthError::BadSignature;
    for (key, refresh_url) in &keys {
        if let Some(kid) = &header.kid
            && keys.len() > 1
            && key.name != *kid
            && !key.keys.iter().any(|(k, _)| k.as_deref() == Some(kid))
        {
            continue;
        }
        for (kid, decoding) in &key.keys {
            if let (Some(want), Some(have)) = (&header.kid, kid)
                && want != have
            {
                continue;
            }
            match check(token, key, decoding, now, expiry) {
                Ok(session) => {
                    return Ok(Verified {
                        session,
                        issuer: key.name.clone(),
                        refresh_url: refresh_url.clone(),
                    });
                }
                Err(e) => last = e,
            }
        }
    }
    Err(last)
}

fn check(
    token: &str,
    key: &VerifyingKey,
    decoding: &jsonwebtoken::DecodingKey,
    now: i64,
    expiry: Expiry,
) -> Result<Session, AuthError> {
    let mut validation = Validation::new(key.algorithm);
    validation.leeway = LEEWAY_SECONDS;
    // Expiry is checked below against `now`, the caller's clock, so that one clock decides everywhere.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_aud = false;
    let data = decode::<serde_json::Value>(token, decoding, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::InvalidSignature => AuthError::BadSignature,
            ErrorKind::InvalidAlgorithm => AuthError::AlgorithmNotAllowed,
            ErrorKind::MissingRequiredClaim(c) => AuthError::MissingClaim(c.clone()),
            _ => AuthError::Invalid,
        }
    })?;
    let missing = first_missing_claim(&data.claims);
    let claims: Claims = serde_json::from_value(data.claims).map_err(|_| match missing {
        Some(c) => AuthError::NoClaim(c),
        None => AuthError::BadClaims,
    })?;
    let leeway = LEEWAY_SECONDS as i64;
    if expiry == Expiry::Enforce && claims.exp + leeway < now {
        return Err(AuthError::Expired);
    }
    if claims.iat > now + leeway {
        return Err(AuthError::FromTheFuture);
    }
    if claims.exp <= claims.iat {
        return Err(AuthError::ExpiresBeforeIssued);
    }
    if !is_valid_tenant(&claims.tenant_id) {
        return Err(AuthError::BadTenant);
    }
    if !is_valid_id(&claims.user_id, 200) || !is_valid_tenant(&claims.partner_id) {
        return Err(AuthError::BadIds);
    }
    let role = Role::from_claims(&claims.roles);
    if !key.roles.contains(&role) {
        return Err(AuthError::RoleNotAllowed { role, issuer: key.name.clone() });
    }
    let scope = Scope::one(&claims.tenant_id).map_err(|_| AuthError::BadTenant)?;
    Ok(Session {
        tenant_id: claims.tenant_id,
        user_id: claims.user_id,
        partner_id: claims.partner_id,
        user_name: claims.user_name,
        roles: claims.roles,
        role,
        scope,
        issued_at: claims.iat,
        expires_at: claims.exp,
        caller: Default::default(),
    })
}

/// The first of the platform's required claims that the token lacks, in the order serde reports them.
fn first_missing_claim(claims: &serde_json::Value) -> Option<&'static str> {
    const REQUIRED: [&str; 5] = ["tenant_id", "user_id", "partner_id", "iat", "exp"];
    REQUIRED.into_iter().find(|c| claims.get(c).is_none())
}
