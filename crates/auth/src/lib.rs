//! Sessions from tokens: JWT issuers with pinned algorithms and keys, validation of the platform's claims
//! (architecture document §3.2), and the development key that `inda token mint` signs with.
//!
//! Not here: where tokens are stored (the keyring, a later concern of the app) or what a session may read
//! (the SQL guard). The tenant of a [`inda_core::Session`] comes only from a token this crate verified.
//!
//! Failures are this crate's own kinds ([`AuthError`]), turned into the boundary error in one place.

#![warn(missing_docs)]

mod claims;
mod deeplink;
mod devkey;
mod error;
mod issuer;
mod validate;

pub use claims::Claims;
pub use deeplink::{DeepLink, LinkTarget, SCHEME, parse_deep_link};
pub use devkey::{DEV_ISSUER, MintRequest, mint_dev_token};
pub use error::AuthError;
pub use issuer::{AuthConfig, IssuerConfig, KeyAlgorithm};
pub use validate::{Expiry, LEEWAY_SECONDS, Verified, validate_token, verify_token};
