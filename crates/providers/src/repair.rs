//! Self-repair: SQL that the guard rejected or the engine failed on goes back to the model once, with the
//! error, so that it can correct a wrong column or a dialect slip. Once only: a model that fails twice is
//! unlikely to succeed a third time, and the analyst is waiting.

use crate::error::truncate_message;
use crate::generation::{Answer, GenerationRequest, Turn};

/// The follow-up request that shows the model its failed answer and the error, or `None` when `original`
/// was itself a repair.
///
/// Engine errors can quote the SQL that ran, and that SQL is the guarded one, with the caller's tenant
/// filter in it: pass the values that must not leave the app (the tenant id) as `redact`.
pub fn repair_request(
    original: &GenerationRequest,
    failed: &Answer,
    error: &str,
    redact: &[&str],
) -> Option<GenerationRequest> {
    if original.is_repair {
        return None;
    }
    let mut error = error.to_string();
    for value in redact.iter().filter(|v| !v.trim().is_empty()) {
        error = error.replace(value, "<redacted>");
    }
    let previous = serde_json::json!({
        "sql": failed.sql,
        "chart": failed.chart,
        "explanation": failed.explanation,
    });
    let mut turns = original.turns.clone();
    turns.push(Turn::assistant(previous.to_string()));
    turns.push(Turn::user(format!(
        "That SQL could not run: {}\nWrite a corrected query for the same question, following the same \
         rules, and answer with the same JSON object (sql, chart, explanation).",
        truncate_message(&error)
    )));
    Some(GenerationRequest { system: original.system.clone(), turns, is_repair: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ChartKind;

    #[test]
    fn repairs_once_with_the_sql_and_the_error() {
        let original = GenerationRequest::new("system", vec![Turn::user("Question: revenue")]);
        let failed = Answer {
            sql: "SELECT revenue FROM marts.sales".into(),
            chart: ChartKind::Kpi,
            explanation: "x".into(),
        };
        let error = "table marts.sales is not allowed (tenant_id = 'acme_corp')";
        let repair = repair_request(&original, &failed, error, &["acme_corp"]).expect("first repair");
        assert!(repair.is_repair);
        assert_eq!(repair.system, "system");
        assert_eq!(repair.turns.len(), 3);
        assert!(repair.turns[1].content.contains("SELECT revenue FROM marts.sales"));
        assert!(repair.turns[2].content.contains("marts.sales is not allowed"));
        assert!(!repair.turns[2].content.contains("acme_corp"));
        assert!(repair_request(&repair, &failed, error, &[]).is_none(), "only one repair");
    }
}
