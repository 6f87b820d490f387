//! Why a token, an issuer's key, a deep link or a development token could not be used, as this crate's own
//! kinds; [`From<AuthError> for inda_core::Error`](AuthError) is the one place that picks the boundary
//! code. No message repeats a token or a link.

use inda_core::Error;

/// What went wrong, with today's message text for each.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token at all: neither passed nor signed in.
    #[error("no token: sign in from the CRM, or pass --token / INDA_TOKEN")]
    NoToken,
    /// Over 8 KiB: refused before any parsing.
    #[error("the token is too large")]
    TooLarge,
    /// Not a JWT, or `alg` is `none` or unknown.
    #[error("the token is malformed or uses an unsupported algorithm")]
    Malformed,
    /// The data dir trusts no issuer yet.
    #[error("no token issuer is configured in this data dir (run `inda token mint` for development)")]
    NoIssuer,
    /// No configured issuer is pinned to the token's algorithm.
    #[error("no configured issuer signs with {0:?}")]
    NoIssuerFor(jsonwebtoken::Algorithm),
    /// No key of a matching issuer verifies the signature.
    #[error("the token signature is not valid")]
    BadSignature,
    /// Past `exp` (with the leeway).
    #[error("the token has expired: open the app again from the CRM")]
    Expired,
    /// The token's algorithm is not the one its issuer is pinned to.
    #[error("the token uses an algorithm its issuer does not allow")]
    AlgorithmNotAllowed,
    /// A registered claim the validation requires (`exp`) is absent.
    #[error("the token has no `{0}` claim")]
    MissingClaim(String),
    /// The JWT library refused it for another reason.
    #[error("the token is not valid")]
    Invalid,
    /// One of the platform's required claims is absent.
    #[error("the token has no valid `{0}` claim")]
    NoClaim(&'static str),
    /// The claims are present but not of the platform's shape (a wrong type).
    #[error("the token's claims are not valid")]
    BadClaims,
    /// `iat` is later than now (past the leeway).
    #[error("the token was issued in the future")]
    FromTheFuture,
    /// `exp` is not after `iat`.
    #[error("the token expires before it was issued")]
    ExpiresBeforeIssued,
    /// The token names a role its issuer's config does not allow.
    #[error("the token's role {role} is not one its issuer ({issuer}) may grant (see [[auth.issuer]] roles)")]
    RoleNotAllowed {
        /// The widest known role the token names.
        role: inda_core::Role,
        /// The issuer that signed it.
        issuer: String,
    },
    /// `tenant_id` is not a boring identifier.
    #[error("the token's tenant_id is not a valid tenant identifier")]
    BadTenant,
    /// `user_id` or `partner_id` is not a boring identifier.
    #[error("the token's user_id or partner_id is not valid")]
    BadIds,
    /// An issuer's key file cannot be read.
    #[error("cannot read the key of issuer {issuer}: {path} ({source})")]
    KeyUnreadable {
        /// The issuer's configured name.
        issuer: String,
        /// The key file, as resolved against the data dir.
        path: String,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// An issuer's key file does not hold a key of its algorithm.
    #[error("the key of issuer {issuer} is not a valid {algorithm} key: {source}")]
    KeyInvalid {
        /// The issuer's configured name.
        issuer: String,
        /// The algorithm the issuer is pinned to (`RS256`, `EdDSA`, …).
        algorithm: String,
        /// The JWT library's reason.
        source: jsonwebtoken::errors::Error,
    },
    /// An HS256 issuer without `allow_shared_secret = true`.
    #[error(
        "issuer {0} uses HS256, a shared secret that could mint tokens; set allow_shared_secret = true only for the server mode"
    )]
    SharedSecretNotAllowed(String),
    /// An HS256 secret too short to resist guessing.
    #[error("the HS256 secret of issuer {0} is shorter than 32 bytes")]
    SharedSecretTooShort(String),
    /// An issuer's JWKS file is not a valid key set.
    #[error("the JWKS of issuer {issuer} is not valid: {source}")]
    JwksInvalid {
        /// The issuer's configured name.
        issuer: String,
        /// Why the JSON was refused.
        source: serde_json::Error,
    },
    /// A deep link that is not one of ours, or not well formed; the reason never quotes the link.
    #[error("not a valid inDigital Analytics link: {0}")]
    BadLink(String),
    /// `inda token mint` in a data dir that trusts a production issuer.
    #[error("this data dir trusts the issuer `{0}`: tokens come from it, not from `inda token mint`")]
    NotDevelopment(String),
    /// `--tenant` or `--partner` outside the identifier alphabet.
    #[error("--tenant and --partner take letters, digits, `_` and `-` only")]
    BadMintTenant,
    /// `--user` outside the identifier alphabet.
    #[error("--user takes letters, digits and `_ - . @ +` only")]
    BadMintUser,
    /// `--ttl` of zero, negative, or over 30 days.
    #[error("--ttl must be between 1 second and 30 days")]
    BadMintTtl,
    /// The development key cannot be read or written.
    #[error("cannot {action} the development key: {source}")]
    DevKeyIo {
        /// `read` or `write`.
        action: &'static str,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// The development key file is not a valid Ed25519 key.
    #[error("the development key is damaged: {0}")]
    DevKeyDamaged(String),
    /// A key could not be encoded as PEM.
    #[error("cannot encode the key: {0}")]
    Encode(String),
    /// The token could not be signed.
    #[error("cannot sign the token: {0}")]
    Sign(jsonwebtoken::errors::Error),
    /// A file write of the shared atomic writer failed (it carries its own code and message).
    #[error("{}", .0.message)]
    Write(Error),
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Error {
        use AuthError::*;
        match e {
            Write(e) => e,
            BadLink(_) | BadMintTenant | BadMintUser | BadMintTtl => Error::usage(e.to_string()),
            DevKeyIo { .. } | DevKeyDamaged(_) | Encode(_) | Sign(_) => Error::internal(e.to_string()),
            // Tokens, issuers and keys: whatever is wrong, the caller is not signed in.
            _ => Error::auth(e.to_string()),
        }
    }
}

impl From<Error> for AuthError {
    fn from(e: Error) -> AuthError {
        AuthError::Write(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let cases = [
            (
                AuthError::NoToken,
                ErrorCode::Auth,
                "no token: sign in from the CRM, or pass --token / INDA_TOKEN",
            ),
            (AuthError::Expired, ErrorCode::Auth, "the token has expired: open the app again from the CRM"),
            (AuthError::NoClaim("tenant_id"), ErrorCode::Auth, "the token has no valid `tenant_id` claim"),
            (
                AuthError::BadLink("it has a fragment (#…)".into()),
                ErrorCode::Usage,
                "not a valid inDigital Analytics link: it has a fragment (#…)",
            ),
            (AuthError::BadMintTtl, ErrorCode::Usage, "--ttl must be between 1 second and 30 days"),
            (
                AuthError::DevKeyDamaged("bad pem".into()),
                ErrorCode::Internal,
                "the development key is damaged: bad pem",
            ),
            (
                AuthError::SharedSecretTooShort("crm".into()),
                ErrorCode::Auth,
                "the HS256 secret of issuer crm is shorter than 32 bytes",
            ),
        ];
        for (e, code, text) in cases {
            let e = Error::from(e);
            assert_eq!((e.code, e.message.as_str()), (code, text));
        }
    }
}
