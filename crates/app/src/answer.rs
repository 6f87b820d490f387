//! The answer of `sql` and `ask`, in the JSON shape of the CLI contract.

use inda_core::{Caveat, ChartSpec, Column, ResultSet, Value};
use serde::Serialize;

/// An answer to `sql` or `ask` (and, inside [`SavedAnswer`](crate::SavedAnswer), a saved analysis's result):
/// the rows, how to chart them and what the reader must know.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct Answer {
    /// The question as asked; absent for SQL and for saved analyses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The SQL that actually ran, after the guard.
    pub sql: String,
    /// The result's columns in order, with their types and, for a question, labels and currencies.
    pub columns: Vec<Column>,
    /// Cells as JSON scalars (see `Value` in the generated TypeScript).
    #[ts(type = "Array<Array<Value>>")]
    pub rows: Vec<Vec<Value>>,
    /// The number of `rows`.
    pub row_count: usize,
    /// True when the row cap (`[query] max_rows`) cut the result short; more rows may exist.
    pub truncated: bool,
    /// What the reader must know to read the numbers right (partial period, truncation, missing rates).
    pub caveats: Vec<Caveat>,
    /// How to draw the rows (`table` when no chart suits them).
    pub chart: ChartSpec,
    /// A sentence or two on the result in the question's language (a language model's first line of
    /// explanation, at most 300 characters); absent for SQL and for saved analyses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The warehouse that ran the query: `embedded` or `snowflake`.
    pub engine: String,
    /// The question engine that wrote the SQL (`offline`, `anthropic`, `cortex`, `openai`); absent for SQL
    /// and for saved analyses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Time from the request to the answer in milliseconds, to 0.01 ms (for a cached result: the time to
    /// serve it, not to compute it).
    pub elapsed_ms: f64,
    /// The conversation the question belongs to: send it with a follow-up. Absent when no conversation was
    /// asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Language of the question (`en`, `es`), for the UI's number formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// A heading for the answer: the plan's title, the first 80 characters of a question a model answered,
    /// or the saved analysis's name; absent for SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What a drill-down did to the answer clicked, one line in the question's language ("Filtered to
    /// channel = WhatsApp", "marzo de 2026 por día"); absent for anything but a drill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drilled: Option<String>,
}

impl Answer {
    /// The columns and rows as a [`ResultSet`] (a copy), for the exporters and the chart chooser.
    pub fn result_set(&self) -> ResultSet {
        ResultSet { columns: self.columns.clone(), rows: self.rows.clone(), truncated: self.truncated }
    }
}
