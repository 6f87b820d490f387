//! The sync's integration tests, one binary (each test binary links the whole engine): into the embedded
//! warehouse from the local demo API, and into Snowflake through the `fakesnow` protocol peer.

// Shared with the CLI's sync tests and the backfill benchmark, which load it by path too.
#[path = "../common/snowflake.rs"]
mod snowflake;

mod embedded;
mod snowflake_load;
mod time_travel;
