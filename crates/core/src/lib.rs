//! Domain types shared by every part of inDigital Analytics: the verified [`Session`], typed query results
//! ([`ResultSet`]), the chart spec that the UI and the image exports both render, the boundary error
//! (`{code, message}`), and [`Secret`], the wrapper that keeps secrets out of logs.
//!
//! This crate holds no I/O and no policy: it is the vocabulary the other crates speak.

mod chart;
mod error;
mod result;
mod secret;
mod session;
mod size;

pub use chart::{ChartKind, ChartSpec};
pub use error::{Error, ErrorCode, Result};
pub use result::{Caveat, CaveatCode, Column, ResultSet, Value};
pub use secret::Secret;
pub use session::Session;
pub use size::ByteSize;
