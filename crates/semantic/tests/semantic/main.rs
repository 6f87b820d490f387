//! The semantic layer's integration tests, one test binary: the question engine end to end, the model's
//! loading and overrides, and the presentation (charts, summaries, number formats). The SQL comparison
//! helper is in `common`; the dev questions in `../fixtures`.

mod common;
mod engine;
mod model;
mod presentation;
