//! The semantic layer's integration tests, one test binary: the question engine end to end, the model's
//! loading and overrides, the presentation (charts, summaries, number formats), and scopes of several
//! companies. The SQL comparison helper is in `common`; the dev questions in `../fixtures`.

mod common;
mod companies;
mod drill;
mod engine;
mod model;
mod presentation;
