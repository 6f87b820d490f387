//! The guard's integration tests, one test binary (each binary links the whole engine, so one builds faster
//! than five): the attack corpus, the planning bounds, isolation checked on SQLite, dashboard row filters,
//! properties over random input, and the rewrite round trips. Shared helpers are in `common`; the SQL fixtures in `../fixtures`.

mod attacks;
mod bounds;
mod common;
mod filters;
mod isolation;
mod properties;
mod rewrite;
