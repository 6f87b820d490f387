//! The answer's agreed shape, `{sql, chart, explanation}`: its JSON schema (for tool use) and the parsing
//! of what models actually send, which is not always bare JSON (code fences, a sentence before it).

use inda_core::ChartKind;
use serde_json::{Value, json};

use crate::generation::Answer;

/// Chart kinds the model may choose, in the order the prompt lists them.
pub const CHART_KINDS: [&str; 7] = ["kpi", "bar", "line", "area", "pie", "scatter", "table"];

/// JSON schema of the answer, used as the Anthropic tool's `input_schema`.
pub fn answer_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "sql": {
                "type": "string",
                "description": "One read-only SELECT over the marts tables that answers the question."
            },
            "chart": {
                "type": "string",
                "enum": CHART_KINDS,
                "description": "How to show the result."
            },
            "explanation": {
                "type": "string",
                "description": "One sentence, in the user's language, saying what the query computes."
            }
        },
        "required": ["sql", "chart", "explanation"]
    })
}

/// The answer in `value`, or why it is not one.
pub fn parse_answer_value(value: &Value) -> Result<Answer, String> {
    let obj = value.as_object().ok_or("the answer is not a JSON object")?;
    let sql = obj
        .get("sql")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("the answer has no SQL")?;
    let sql = sql.trim_end_matches(';').trim_end().to_string();
    // An unknown or missing chart choice is not worth failing the answer for: a table shows anything.
    let chart = obj.get("chart").and_then(Value::as_str).map(parse_chart).unwrap_or(ChartKind::Table);
    let explanation = obj
        .get("explanation")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    Ok(Answer { sql, chart, explanation })
}

/// The answer in a model's free text: bare JSON, JSON in a code fence, or JSON after some prose.
pub fn parse_answer_text(text: &str) -> Result<Answer, String> {
    let value = extract_json(text).ok_or("the model's reply holds no JSON object")?;
    parse_answer_value(&value)
}

fn parse_chart(name: &str) -> ChartKind {
    match name.trim().to_ascii_lowercase().as_str() {
        "kpi" | "number" | "metric" => ChartKind::Kpi,
        "bar" => ChartKind::Bar,
        "line" => ChartKind::Line,
        "area" => ChartKind::Area,
        "pie" => ChartKind::Pie,
        "scatter" => ChartKind::Scatter,
        _ => ChartKind::Table,
    }
}

/// The first JSON object in `text` that parses, trying the whole text, then fenced blocks, then every `{`.
pub fn extract_json(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(trimmed) {
        return Some(v);
    }
    for block in fenced_blocks(trimmed) {
        if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(block.trim()) {
            return Some(v);
        }
    }
    for (start, _) in trimmed.match_indices('{') {
        let mut stream = serde_json::Deserializer::from_str(&trimmed[start..]).into_iter::<Value>();
        if let Some(Ok(v @ Value::Object(_))) = stream.next() {
            return Some(v);
        }
    }
    None
}

/// Bodies of ``` fenced blocks, without the info string (```json).
fn fenced_blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let body_start = after.find('\n').map(|i| i + 1).unwrap_or(0);
        let body = &after[body_start..];
        match body.find("```") {
            Some(close) => {
                out.push(&body[..close]);
                rest = &body[close + 3..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bare_fenced_and_prose_wrapped_json() {
        let bare = r#"{"sql":"SELECT 1;","chart":"kpi","explanation":"One."}"#;
        let fenced = format!("Here you go:\n```json\n{bare}\n```\n");
        let prose = format!("Sure! {bare} Hope it helps.");
        for text in [bare.to_string(), fenced, prose] {
            let a = parse_answer_text(&text).expect("answer");
            assert_eq!(a.sql, "SELECT 1");
            assert_eq!(a.chart, ChartKind::Kpi);
            assert_eq!(a.explanation, "One.");
        }
    }

    #[test]
    fn missing_sql_is_an_error_and_unknown_chart_is_a_table() {
        assert!(parse_answer_text(r#"{"chart":"bar"}"#).is_err());
        assert!(parse_answer_text("I cannot answer that.").is_err());
        let a = parse_answer_text(r#"{"sql":"SELECT 1","chart":"heatmap"}"#).expect("answer");
        assert_eq!(a.chart, ChartKind::Table);
    }
}
