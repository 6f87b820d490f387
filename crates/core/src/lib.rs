//! Domain types shared by every part of inDigital Analytics: the verified [`Session`], typed query results
//! ([`ResultSet`]), the chart spec that the UI and the image exports both render, the boundary error
//! (`{code, message}`), [`Secret`], the wrapper that keeps secrets out of logs, and the [`marts`] schema
//! (read from the data file `marts.txt`) that the guard, the engines and the demo derive from.
//!
//! This crate holds no policy: it is the vocabulary the other crates speak, plus the two pieces of plumbing
//! they must all do alike: the atomic file write ([`fs`]) and reading a `Retry-After` header
//! ([`retry_after`]).

#![warn(missing_docs)]

mod chart;
mod error;
pub mod fs;
mod grain;
mod lang;
pub mod marts;
mod result;
mod retry_after;
mod scope;
mod secret;
mod session;
mod size;

pub use chart::{ChartKind, ChartSpec};
pub use error::{Error, ErrorCode, Result};
pub use grain::Grain;
pub use lang::Lang;
pub use result::{Caveat, CaveatCode, Column, ResultSet, Value};
pub use retry_after::retry_after;
pub use scope::{Role, Scope, ScopeError, TenantEntry, is_tenant_id};
pub use secret::Secret;
pub use session::{Caller, Client, Session};
pub use size::ByteSize;
