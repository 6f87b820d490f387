//! The Snowflake crate's integration tests, one test binary: the deployable DDL (`ddl`) and parity with the
//! embedded warehouse against the `fakesnow` protocol peer (`snowflake_parity`). The fakesnow launcher stays
//! in `../common/fakesnow.rs`: the ingestion's and the CLI's tests use it too.

mod ddl;
mod snowflake_parity;
