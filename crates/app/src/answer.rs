//! The answer of `sql` and `ask`, in the JSON shape of the CLI contract.

use inda_core::{Caveat, ChartSpec, Column, ResultSet, Value};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct Answer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The SQL that actually ran, after the guard.
    pub sql: String,
    pub columns: Vec<Column>,
    /// Cells as JSON scalars (see `Value` in the generated TypeScript).
    #[ts(type = "Array<Array<Value>>")]
    pub rows: Vec<Vec<Value>>,
    pub row_count: usize,
    pub truncated: bool,
    /// What the reader must know to read the numbers right (partial period, truncation, missing rates).
    pub caveats: Vec<Caveat>,
    pub chart: ChartSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub engine: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Language of the question (`en`, `es`), for the UI's number formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Answer {
    pub fn result_set(&self) -> ResultSet {
        ResultSet { columns: self.columns.clone(), rows: self.rows.clone(), truncated: self.truncated }
    }
}
