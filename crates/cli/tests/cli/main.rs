//! The CLI's integration tests, one test binary (each binary links the whole engine, so one builds far
//! faster than seven), all through the real `inda` binary: the contract (`cli`), hostile SQL against
//! `inda serve` (`hostile`), the admin mirror against fakesnow (`mirror`), language models on local wire
//! servers (`models`), saved analyses, dashboards, exports and the scheduler (`saved`), sign-in and the OS
//! keyring (`session`), the sync (`sync`), `inda doctor` (`doctor`), and alerts against a local webhook
//! (`alert`). The launchers they share are in `common`.
//!
//! One module alone: `cargo test -p inda-cli --test cli hostile::` (a name filter).

mod alert;
mod cli;
mod common;
mod doctor;
mod hostile;
mod mirror;
mod models;
mod saved;
mod scopes;
mod session;
mod sync;
