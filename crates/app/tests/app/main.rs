//! The app crate's integration tests, one binary (each test binary links the whole engine): the use cases
//! over a real demo warehouse, the scheduler against failing analyses, and the UI's generated types.

mod answers;
mod bindings;
mod dashboards;
mod drill;
mod export;
mod scheduler;
mod scopes;
