//! The app crate's integration tests, one binary (each test binary links the whole engine): the use cases
//! over a real demo warehouse, the scheduler against failing analyses, alerts against a local webhook,
//! `inda doctor`'s checks, and the UI's generated types.

mod alerts;
mod answers;
mod at_rest;
mod backup;
mod bindings;
mod dashboards;
mod doctor;
mod drill;
mod export;
mod scheduler;
mod scopes;
