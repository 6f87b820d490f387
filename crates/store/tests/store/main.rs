//! The store's integration tests on real SQLite files, one test binary: the library (saved analyses, the
//! encrypted cache, dashboards, the scheduler's claims) and the store itself (migrations, the audit chain,
//! conversations, the mirror's change log), and alerts with the ledger of their messages.

mod alerts;
mod library;
mod store;
